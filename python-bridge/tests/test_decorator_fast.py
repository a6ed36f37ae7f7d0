"""@parallelize's quick way to a compiled signature (issue 18): a call like an earlier compiled one does not
bind the signature again, and any other call (dtype, rank, scalar type, subclass, numerics setting, keywords)
still finds or compiles its own; a thread that never submitted a gated compile reads its gates cheaply."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import polyray.runtime as rt
from polyray import parallelize
from polyray.compile_service import cli_path
from polyray.runtime import background

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists() or cli_path().suffix == ".mjs" and cli_path().exists()
needs_compiler = pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLYRAY_NUMERICS", raising=False)


def scale_into(alpha, x, out):
    n = x.shape[0]
    for i in range(n):
        out[i] = alpha * x[i] + 1.0


def peak(v):
    return np.max(v)


def counting_full_path(f):
    """Wrap the decorator's signature binding (the full path) so that a test sees whether a call reached it."""
    seen = []
    inner = f._signature_of

    def bind(args, kwargs):
        seen.append(1)
        return inner(args, kwargs)

    f._signature_of = bind
    return seen


def variants(name):
    return [r["variant"] for r in rt.history() if r["function"] == name]


@needs_compiler
def test_a_repeated_call_skips_the_full_path_and_other_types_compile_their_own():
    f = parallelize(scale_into)
    x, out = np.arange(12.0), np.zeros(12)
    f(2.0, x, out)
    seen = counting_full_path(f)
    out2 = np.zeros(12)
    f(3.0, x, out2)  # same types: the quick way, the signature not bound again
    assert seen == [] and out2.tolist() == (3.0 * x + 1.0).tolist()

    # another dtype after it: the full path, a new signature compiles and gives float32 arithmetic
    x32, out32 = np.arange(12, dtype=np.float32), np.zeros(12, dtype=np.float32)
    f(2.0, x32, out32)
    assert len(seen) == 1 and len(f.compiled) == 2
    ref32 = np.zeros(12, dtype=np.float32)
    scale_into(2.0, x32, ref32)
    assert out32.dtype == np.float32 and out32.tobytes() == ref32.tobytes()

    # another scalar type (int for alpha): its own signature too
    out_i = np.zeros(12)
    f(2, x, out_i)
    assert len(seen) == 2 and len(f.compiled) == 3 and out_i.tolist() == (2 * x + 1.0).tolist()

    # the array signatures are then found the quick way (its key tests the scalar types of the first call,
    # so the int one binds its signature each time), every one compiled once
    f(4.0, x, out)
    f(5.0, x32, out32)
    assert len(seen) == 2
    f(6, x, out_i)
    assert len(f.compiled) == 3
    assert out.tolist() == (4.0 * x + 1.0).tolist() and out_i.tolist() == (6 * x + 1.0).tolist()
    assert set(variants("scale_into")) == {"cpu"}, variants("scale_into")


@needs_compiler
def test_another_rank_or_a_subclass_takes_the_full_path():
    f = parallelize(peak)
    v = np.array([3.0, -1.0, 7.5, 2.0])
    assert f(v) == 7.5
    seen = counting_full_path(f)
    m = np.array([[1.0, 9.0], [4.0, -2.0]])
    assert f(m) == 9.0 and len(f.compiled) == 2 and len(seen) == 1
    ranks = sorted(dict(k)["v"].count("int") for k in f.compiled)
    assert ranks == [1, 2], list(f.compiled)
    # a subclass of ndarray is not an ndarray for the quick way: the full path, with NumPy's answer
    mat = np.ma.masked_array(v, mask=[False, False, True, False])
    assert f(mat) == np.max(mat) == 3.0 and len(seen) == 2


@needs_compiler
def test_a_changed_numerics_setting_compiles_that_mode(monkeypatch):
    f = parallelize(scale_into)
    x, out = np.arange(6.0), np.zeros(6)
    f(2.0, x, out)
    seen = counting_full_path(f)
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    out_exact = np.zeros(6)
    f(2.0, x, out_exact)
    assert seen and out_exact.tolist() == (2.0 * x + 1.0).tolist()
    assert set(f._by_mode) == {"close", "exact"} and len(f._by_mode["exact"]) == 1


@needs_compiler
def test_keywords_and_wrong_arity_take_the_full_path_with_python_s_errors():
    f = parallelize(scale_into)
    x, out = np.arange(6.0), np.zeros(6)
    f(2.0, x, out)
    out_kw = np.zeros(6)
    f(2.0, x, out=out_kw)
    assert out_kw.tolist() == (2.0 * x + 1.0).tolist()
    with pytest.raises(TypeError):
        f(2.0, x)
    with pytest.raises(TypeError):
        scale_into(2.0, x)
    # a bad input (out too short): the original's exception and the original's writes
    bad, ref = np.zeros(3), np.zeros(3)
    with pytest.raises(IndexError):
        scale_into(2.0, x, ref)
    with pytest.raises(IndexError):
        f(2.0, x, bad)
    assert bad.tolist() == ref.tolist()


def test_a_thread_that_never_set_its_gates_reads_none():
    got = []

    def run():
        got.append(background._local.gates)
        background.open_gates()  # nothing to open: no error
        got.append(background._local.gates)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert got == [None, None]
    assert "gates" in type(background._local).__dict__  # (the class default that makes the read cheap)


# -- calls straight into one signature's wrapper (issue 18: its dispatcher passes other signatures back) -----

def on_fast_path(f):
    """Whether calls of ``f`` go straight into one compiled wrapper (Parallelized._take_fast), not ``_call``."""
    return isinstance(f._fast_sig, tuple) and getattr(f.func, "__self__", None) is not f and f.func.__name__ == f.__name__


def shifted_sum(A, shift):
    n, m = A.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(m):
            out[i] += A[i, j] + shift
    return out


@needs_compiler
def test_calls_go_straight_into_the_wrapper_and_other_signatures_compile_their_own():
    f = parallelize(scale_into)
    x, out = np.arange(12.0), np.zeros(12)
    f(2.0, x, out)
    assert on_fast_path(f)
    seen = counting_full_path(f)
    keyed = []
    inner = f._quick_key
    f._quick_key = lambda *a: keyed.append(1) or inner(*a)
    for alpha in (3.0, 4.0):
        out2 = np.zeros(12)
        f(alpha, x, out2)
        assert out2.tolist() == (alpha * x + 1.0).tolist()
    assert seen == [] and keyed == []  # neither the signature bound nor the quick key computed
    assert rt.history()[-1]["variant"] == "cpu" and rt.history()[-1].get("hot")

    # another dtype: the wrapper's dispatcher runs nothing and passes it back; float32 compiles, float32's bits
    x32, out32, ref32 = np.arange(12, dtype=np.float32), np.zeros(12, np.float32), np.zeros(12, np.float32)
    f(2.0, x32, out32)
    scale_into(2.0, x32, ref32)
    assert len(seen) == 1 and len(f.compiled) == 2 and out32.tobytes() == ref32.tobytes()
    assert not on_fast_path(f)  # two signatures: the quick key again, for good
    # then each signature finds its own wrapper, compiled, as before
    for alpha, xs, dtype in ((5.0, x, np.float64), (6.0, x32, np.float32), (7.0, x, np.float64)):
        got, want = np.zeros(12, dtype), np.zeros(12, dtype)
        f(alpha, xs, got)
        scale_into(alpha, xs, want)
        assert got.tobytes() == want.tobytes()
    assert len(f.compiled) == 2 and set(variants("scale_into")) == {"cpu"}, variants("scale_into")


@needs_compiler
@pytest.mark.parametrize("other", ["int", "numpy scalar", "int array", "bool array"])
def test_after_direct_calls_another_kind_of_argument_is_another_signature(other):
    f = parallelize(shifted_sum)
    A = np.arange(12.0).reshape(3, 4)
    assert f(A, 0.5).tolist() == shifted_sum(A, 0.5).tolist() and on_fast_path(f)
    args = {"int": (A, 2), "numpy scalar": (A, np.float64(0.5)), "int array": (np.arange(12).reshape(3, 4), 0.5),
            "bool array": (A > 4.0, 1.5)}[other]
    got, want = f(*args), shifted_sum(*args)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    assert len(f.compiled) == 2, list(f.compiled)
    hints = sorted(dict(k)["shift"] for k in f.compiled)
    assert hints == sorted({"int": ["float", "int"], "numpy scalar": ["float", "np.float64"]}.get(other, ["float"] * 2))


@needs_compiler
def test_layouts_and_size_classes_stay_with_the_signature_and_are_checked_by_its_dispatcher():
    f = parallelize(shifted_sum)
    A = np.arange(12.0).reshape(3, 4)
    f(A, 0.5)
    assert on_fast_path(f)
    # a Fortran-ordered, a strided and a larger array: the same signature (layout and size are not part of it),
    # each right, the dispatcher deciding as for any call (no new compile of the module)
    for B in (np.asfortranarray(A), np.arange(48.0).reshape(6, 8)[::2, ::2], np.ones((300, 40))):
        assert f(B, 0.25).tobytes() == shifted_sum(B, 0.25).tobytes()
        assert not rt.history()[-1].get("hot")  # (the dispatcher's full path took it: not the decision for A)
    assert len(f.compiled) == 1 and on_fast_path(f)
    # bad input: the original's exception, raised from the user's own line
    with pytest.raises(ValueError) as info:
        f(np.arange(3.0), 0.5)  # (n, m = A.shape of a 1-d array)
    assert info.traceback[-1].path.name == "test_decorator_fast.py"


@needs_compiler
def test_an_environment_write_leaves_the_direct_calls_and_a_forced_original_still_compiles(monkeypatch):
    f = parallelize(scale_into)
    x, out = np.arange(6.0), np.zeros(6)
    f(2.0, x, out)
    assert on_fast_path(f)
    monkeypatch.setenv("POLYRAY_TARGET", "original")  # (a write: every decision made before is dropped)
    assert not on_fast_path(f)
    for _ in range(3):
        f(2.0, x, out)
    d = f._modules[next(iter(f._modules))]._polyray_dispatch_scale_into
    assert not d.keep.on  # (the wrapper's own test reads no dtype: the dispatcher keeps calls of its signature)
    assert on_fast_path(f) and rt.history()[-1].get("hot")  # (the dispatcher's hot path runs the original)
    # another signature, the same bytes (so the same size class and hot decision): compiled all the same
    x32, out32 = np.arange(12, dtype=np.float32), np.zeros(12, np.float32)
    f(2.0, x32, out32)
    assert len(f.compiled) == 2 and out32.tolist() == (2.0 * x32 + 1.0).tolist()
    assert variants("scale_into")[-1] == "original"


@needs_compiler
def test_direct_calls_open_the_gates_of_the_compiles_they_asked_for(monkeypatch):
    f = parallelize(shifted_sum)
    A = np.arange(12.0).reshape(3, 4)
    f(A, 0.5)
    assert on_fast_path(f)
    monkeypatch.delenv("POLYRAY_JIT_WAIT")  # (a write: the next call binds its signature, then takes the fast way)
    f(A, 0.5)
    assert on_fast_path(f)
    # a strided array: the same signature, another Numba layout compiled in the background, the original meanwhile
    B = np.arange(48.0).reshape(6, 8)[::2, ::2]
    assert f(B, 0.25).tobytes() == shifted_sum(B, 0.25).tobytes()
    assert "jit_compiling" in rt.history()[-1]  # (a compile asked for: its gate open once the call returned)
    assert background._local.gates is None
    assert background.wait_idle(120)
