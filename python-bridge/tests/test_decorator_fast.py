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
    return len(f._fast_sigs) == 1 and not f._fast_refused and getattr(f.func, "__self__", None) is not f \
        and f.func.__name__ == f.__name__ and not f.func.__code__.co_filename.startswith("<polyray switch")


def on_switch(f):
    """Whether calls of ``f`` go through the generated switch of its compiled signatures (Parallelized._switch)."""
    return bool(f._fast_sigs) and f.func.__code__.co_filename.startswith("<polyray switch")


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
    assert not on_fast_path(f) and on_switch(f)  # two signatures: the switch of their types
    # then each signature finds its own wrapper, compiled, without the quick key or the signature bound
    keyed.clear()  # (the float32 call remembered its key)
    for alpha, xs, dtype in ((5.0, x, np.float64), (6.0, x32, np.float32), (7.0, x, np.float64)):
        got, want = np.zeros(12, dtype), np.zeros(12, dtype)
        f(alpha, xs, got)
        scale_into(alpha, xs, want)
        assert got.tobytes() == want.tobytes()
    assert len(seen) == 1 and keyed == []
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


# -- signatures called in turn (issue 18): each reaches its own wrapper through the generated switch ---------

def smooth(u, out, w):
    n = u.shape[0]
    for i in range(1, n - 1):
        out[i] = u[i] + w * (u[i - 1] - 2 * u[i] + u[i + 1])


def dispatchers(f):
    return {dict(k)["u"]: getattr(m, "_polyray_dispatch_smooth") for (_, k), m in f._modules.items()}


@needs_compiler
@pytest.mark.parametrize("mode", ["exact", "close"])
def test_two_signatures_in_turn_each_stay_hot_in_their_own_wrapper(monkeypatch, mode):
    monkeypatch.setenv("POLYRAY_NUMERICS", mode)
    f = parallelize(smooth)
    rng = np.random.default_rng(3)
    u64, u32 = rng.random(40), rng.random(40).astype(np.float32)
    for u in (u64, u32, u64, u32):  # compiled, then warm
        f(u, np.zeros_like(u), 0.25)
    assert on_switch(f) and len(f.compiled) == 2
    seen = counting_full_path(f)
    keyed = []
    inner = f._quick_key
    f._quick_key = lambda *a: keyed.append(1) or inner(*a)
    start = len(rt.history())
    for step in range(12):
        u = (u64, u32)[step % 2]
        w = 0.25 + step
        got, want = np.zeros_like(u), np.zeros_like(u)
        f(u, got, w)
        smooth(u, want, w)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    assert seen == [] and keyed == []  # each call: the switch, then its own wrapper
    records = rt.history()[start:]
    assert len(records) == 12 and all(r["variant"] == "cpu" and r.get("hot") for r in records), records
    # neither dispatcher saw the other's calls: no call passed back, each kept its hot decision
    assert all(d._fast is not None for d in dispatchers(f).values())


@needs_compiler
def test_the_switch_takes_keywords_defaults_and_python_s_errors():
    def blend(x, out, w=0.5):
        for i in range(x.shape[0]):
            out[i] = w * x[i]

    f = parallelize(blend)
    x64, x32 = np.arange(6.0), np.arange(6, dtype=np.float32)
    for x in (x64, x32):
        f(x, np.zeros_like(x), 0.5)  # (a call that leaves out a defaulted argument binds the signature)
    assert on_switch(f)
    seen = counting_full_path(f)
    for x in (x64, x32):
        got, want = np.zeros_like(x), np.zeros_like(x)
        f(x, out=got)  # (a keyword, the default: bound by the switch's own parameters)
        blend(x, want)
        assert got.tobytes() == want.tobytes()
        f(out=got, x=x, w=2.0)
        blend(x, want, 2.0)
        assert got.tobytes() == want.tobytes()
    assert seen == []
    with pytest.raises(TypeError, match="blend"):
        f(x64)
    with pytest.raises(TypeError, match="blend"):
        f(x64, np.zeros(6), 1.0, 2.0)
    # bad input through the switch: the original's exception, and the original's writes before it
    bad, ref = np.zeros(3, np.float32), np.zeros(3, np.float32)
    with pytest.raises(IndexError):
        blend(x32, ref)
    with pytest.raises(IndexError):
        f(x32, bad)
    assert bad.tobytes() == ref.tobytes()


@needs_compiler
def test_other_types_than_the_switch_s_go_to_their_own_signature_and_one_too_many_takes_the_quick_key(monkeypatch):
    import polyray.decorator

    monkeypatch.setattr(polyray.decorator, "SWITCH_SIGNATURES", 2)  # (fewer compiles than the default's 4 + 1)
    SWITCH_SIGNATURES = 2
    f = parallelize(smooth)
    kinds = [np.float64, np.float32, np.int64]
    arrays = [np.arange(10).astype(t) for t in kinds]
    for u in arrays:
        f(u, np.zeros_like(u), 2)
    assert len(f.compiled) == len(kinds) and on_switch(f)
    assert len(f._fast_sigs) == SWITCH_SIGNATURES and len(f._fast_refused) == 1
    # every kind, in turn, and ones that no signature has (a float scalar, a 2-d array, a subclass): right
    # results (the same dtype and bits as the original's), each new one compiled once
    for u in [*arrays, *arrays]:
        got, want = np.zeros_like(u), np.zeros_like(u)
        f(u, got, 3)
        smooth(u, want, 3)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    got, want = np.zeros(10), np.zeros(10)
    f(arrays[0], got, 0.5)
    smooth(arrays[0], want, 0.5)
    assert got.tobytes() == want.tobytes() and len(f.compiled) == len(kinds) + 1
    mat = np.ma.masked_array(np.arange(10.0))
    got, want = np.ma.zeros(10), np.ma.zeros(10)
    f(mat, got, 2)
    smooth(mat, want, 2)
    assert np.asarray(got).tobytes() == np.asarray(want).tobytes()
    assert set(variants("smooth")) <= {"cpu", "original"}


@needs_compiler
def test_an_environment_write_empties_the_switch_and_calls_fill_it_again(monkeypatch):
    f = parallelize(smooth)
    u64, u32 = np.linspace(0, 1, 9), np.linspace(0, 1, 9).astype(np.float32)
    for u in (u64, u32):
        f(u, np.zeros_like(u), 0.1)
    assert on_switch(f)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert not f._fast_sigs and not on_switch(f)
    for u in (u64, u32, u64):
        got, want = np.zeros_like(u), np.zeros_like(u)
        f(u, got, 0.1)
        smooth(u, want, 0.1)
        assert got.tobytes() == want.tobytes()
    assert on_switch(f) and rt.history()[-1]["variant"] == "cpu"


@needs_compiler
def test_a_parameter_the_switch_cannot_name_keeps_the_quick_key():
    def shade(_polyray_x, out):
        for i in range(out.shape[0]):
            out[i] = _polyray_x[i] * 2

    f = parallelize(shade)
    for x in (np.arange(5.0), np.arange(5, dtype=np.float32), np.arange(5.0)):
        got, want = np.zeros_like(x), np.zeros_like(x)
        f(x, got)
        shade(x, want)
        assert got.tobytes() == want.tobytes()
    assert not f._fast_sigs and not f._fast_ok and getattr(f.func, "__self__", None) is f
