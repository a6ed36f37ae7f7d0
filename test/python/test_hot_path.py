"""The dispatcher's hot path (issue 18, runtime/hot.py): a call like a recent one skips the cost model
and the choice, never the guards. Each test first makes calls hot (the record says ``hot: True``), then
makes a call the full checks refuse, in the same size class, and checks that it ran the original with
the full path's reason and the original's result or exception: a cache that skipped a check fails here.
Kernels: test/kernels/everyday/hot_path.py, compiled in both numerics modes."""
from __future__ import annotations

import importlib
import importlib.util
import threading
import time

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime import background, cost, hot
from polyray.runtime.cpu import CpuVariant
from polyray.runtime.dispatcher import Dispatcher

from compiled import ROOT, compile_and_import, outcome

SOURCE = ROOT / "test/kernels/everyday/hot_path.py"
history_module = importlib.import_module("polyray.runtime.history")


@pytest.fixture(scope="module", params=["exact", "close"])
def kern(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"hot_{request.param}")
    return compile_and_import(SOURCE, out, f"hot_path_{request.param}", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _fresh(request, monkeypatch):
    """Each test starts from dispatchers that know nothing of earlier tests' calls."""
    if "kern" in request.fixturenames:
        kern = request.getfixturevalue("kern")
        for name in ("smooth", "scaled", "row_sums", "tiny", "pick", "step8", "split3", "scale_cols"):
            getattr(kern, f"_polyray_dispatch_{name}").forget_measurements()
    monkeypatch.delenv("POLYRAY_TARGET", raising=False)
    monkeypatch.delenv(hot.HOT_ENV, raising=False)
    rt.clear_history()


def last() -> dict:
    return rt.history()[-1]


def make_hot(fn, *args, calls: int = 4) -> None:
    """Calls until the record says the call took the hot path (and its fused entry, compiled meanwhile in the
    background, is in use: hot_entry.py)."""
    for _ in range(calls):
        fn(*args)
    assert background.wait_idle(120)
    fn(*args)
    rec = last()
    assert rec.get("hot") is True and rec["variant"] == "cpu", rec


def same_as_original(kern, name, *args):
    """Runs the generated function and the original on copies: (outcome, arrays) of each, compared."""
    def copy(a):
        if not isinstance(a, np.ndarray):
            return a
        c = a.copy()
        c.flags.writeable = a.flags.writeable  # (a read-only argument stays read-only)
        return c

    def copies():
        return [copy(a) for a in args]
    mine, theirs = copies(), copies()
    got = outcome(getattr(kern, name), *mine)
    want = outcome(getattr(kern, f"_polyray_original_{name}"), *theirs)
    assert got == want
    for a, b in zip(mine, theirs):
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes()
    return got


def test_hot_calls_give_the_originals_bits_and_one_record_each(kern):
    rng = np.random.default_rng(1)
    u, out = rng.random(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    rt.clear_history()
    for k in range(10):
        w = 0.1 * k
        want = out.copy()
        kern._polyray_original_smooth(u, want, w)
        kern.smooth(u, out, w)
        assert out.tobytes() == want.tobytes()
    records = rt.history()
    assert len(records) == 10 and all(r["variant"] == "cpu" and r.get("hot") for r in records)
    assert all(r["function"] == "smooth" and r["seconds"] > 0.0 and r["target"] == "auto" for r in records)
    records[0]["variant"] = "changed"  # history() gives copies, also of the one shared hot record
    assert last()["variant"] == "cpu"


def test_aliasing_is_refused_on_the_hot_path(kern):
    rng = np.random.default_rng(2)
    u, out = rng.random(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    same_as_original(kern, "smooth", u, u, 0.25)  # (copies: both the same copy below)
    buf = rng.random(64)
    kern.smooth(buf, buf, 0.25)  # the same array, read and written
    rec = last()
    assert rec["variant"] == "original" and "shares memory" in rec["reason"] and "the same array" in rec["reason"], rec
    big = rng.random(65)
    kern.smooth(big[1:], big[:-1], 0.25)  # overlapping views of one buffer, same size class
    rec = last()
    assert rec["variant"] == "original" and "shares memory" in rec["reason"], rec
    raw = bytearray(8 * 65)  # two arrays over one buffer that is no array (neither owns its data)
    a, b = np.frombuffer(raw, np.float64, 64), np.frombuffer(raw, np.float64, 64, offset=8)
    kern.smooth(a, b, 0.25)
    rec = last()
    assert rec["variant"] == "original" and "shares memory" in rec["reason"], rec
    base = rng.random(128)
    kern.smooth(base[:64], base[64:], 0.25)  # views of one buffer that do not overlap: compiled (checked)
    assert last()["variant"] == "cpu"
    make_hot(kern.smooth, u, out, 0.25)


def test_the_bounds_guard_runs_on_every_hot_call(kern):
    rng = np.random.default_rng(3)
    a, b = rng.random(32), np.zeros(32)
    make_hot(kern.scaled, a, b, 32)
    got = same_as_original(kern, "scaled", a, b, 33)  # n past both arrays: Python raises IndexError
    assert got[0] == "IndexError"
    with pytest.raises(IndexError):
        kern.scaled(a, b, 33)
    rec = last()
    assert rec["variant"] == "original" and "out of bounds" in rec["reason"] and rec["error"] == "IndexError", rec
    small = rng.random(31)  # a shape relation broken within the same size class
    with pytest.raises(IndexError):
        kern.scaled(small, b, 32)
    assert last()["variant"] == "original"
    make_hot(kern.scaled, a, b, 32)


def test_module_constants_are_checked_on_every_hot_call(kern, monkeypatch):
    a, b = np.arange(16.0), np.zeros(16)
    make_hot(kern.scaled, a, b, 16)
    monkeypatch.setattr(kern, "SCALE", 3.0)
    kern.scaled(a, b, 16)
    rec = last()
    assert rec["variant"] == "original" and "module constant SCALE is 3.0" in rec["reason"], rec
    assert b.tolist() == (3.0 * a).tolist()
    monkeypatch.setattr(kern, "SCALE", 2.0)
    kern.scaled(a, b, 16)
    assert last()["variant"] == "cpu" and b.tolist() == (2.0 * a).tolist()


@pytest.mark.parametrize("change", ["float32", "int64", "rank", "readonly", "subclass", "big-endian"])
def test_argument_types_are_refused_on_the_hot_path(kern, change):
    rng = np.random.default_rng(4)
    u, out = rng.random(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    # arguments of the same size class (512 + 512 bytes), each refused by the full checks
    if change == "float32":
        args, why = (rng.random(128).astype(np.float32), np.zeros(128, np.float32), 0.25), "expected float64"
    elif change == "int64":
        args, why = (np.arange(64), np.zeros(64, np.int64), 0.25), "expected float64"
    elif change == "rank":
        args, why = (rng.random((8, 8)), np.zeros((8, 8)), 0.25), "of ndim 1"
    elif change == "readonly":
        ro = np.zeros(64)
        ro.flags.writeable = False
        args, why = (u, ro, 0.25), "read-only"
    elif change == "subclass":
        args, why = (u.view(np.ma.MaskedArray), out, 0.25), "MaskedArray"
    else:
        args, why = (u.astype(">f8"), out, 0.25), "expected float64"
    same_as_original(kern, "smooth", *args)
    rec = last()
    assert rec["variant"] == "original" and why in rec["reason"], rec
    make_hot(kern.smooth, u, out, 0.25)


@pytest.mark.parametrize("w", [np.float32(0.25), 1, True, "0.25"])
def test_scalar_kinds_are_refused_on_the_hot_path(kern, w):
    rng = np.random.default_rng(5)
    u, out = rng.random(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    same_as_original(kern, "smooth", u, out, w)
    rec = last()
    assert rec["variant"] == "original" and "argument 'w' of smooth: expected float" in rec["reason"], rec


def test_int_bounds_and_numpy_ints(kern):
    make_hot(kern.tiny, 0.5, 10)
    assert kern.tiny(0.5, -(2**31)) == 0.0  # past the variant's int range: the original (an empty loop)
    rec = last()
    assert rec["variant"] == "original" and "|x| < 2**31" in rec["reason"], rec
    assert kern.tiny(0.5, 12) == 6.0 and last()["variant"] == "cpu"
    a, b = np.arange(8.0), np.zeros(8)
    kern.scaled(a, b, np.int64(8))  # a NumPy int the variant takes (through the full path)
    assert last()["variant"] == "cpu" and b.tolist() == (2.0 * a).tolist()


def test_a_new_layout_never_compiles_on_the_hot_path(kern, monkeypatch):
    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)  # the background compile of issue 19
    rng = np.random.default_rng(6)
    A, s = rng.random((8, 8)), np.zeros(8)
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    make_hot(kern.row_sums, A, s)
    monkeypatch.delenv("POLYRAY_JIT_WAIT")
    F = np.asfortranarray(A)  # the same types but for the layout: a signature not compiled yet
    start = time.perf_counter()
    kern.row_sums(F, s)
    rec = last()
    assert rec["variant"] == "original" and "compiling" in rec["reason"], rec
    assert time.perf_counter() - start < 0.5, "the call waited for the JIT"
    want = np.zeros(8)
    kern._polyray_original_row_sums(A, want)
    assert s.tobytes() == want.tobytes()
    assert background.wait_idle(120)
    kern.row_sums(F, s)
    assert last()["variant"] == "cpu"
    make_hot(kern.row_sums, F, s)
    same_as_original(kern, "row_sums", F, s)


def test_target_changes_are_seen_on_the_next_call(kern, monkeypatch):
    u, out = np.ones(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    kern.smooth(u, out, 0.25)
    assert last()["variant"] == "original" and last()["reason"] == "POLYRAY_TARGET=original"
    keep = kern._polyray_dispatch_smooth.keep
    assert keep.all and keep.on  # a forced original: the wrapper runs its body for any arguments
    count = len(rt.history())
    kern.smooth(u, out, 0.25)
    kern.smooth(u[:40], out[:40], 0.25)
    assert len(rt.history()) == count  # the wrapper ran the original's body: no dispatcher, no record
    same_as_original(kern, "smooth", u, out, 0.25)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")  # (any write through os.environ turns the kept original off)
    assert not keep.on and not kern._polyray_dispatch_smooth._hot
    kern.smooth(u, out, 0.25)
    assert last()["variant"] == "cpu" and last()["target"] == "cpu"
    monkeypatch.delenv("POLYRAY_TARGET")
    kern.smooth(u, out, 0.25)
    assert last()["variant"] == "cpu" and last()["target"] == "auto"


def test_writing_the_value_already_set_keeps_the_hot_path(kern, monkeypatch):
    """A loop that sets POLYRAY_TARGET (or any variable) to the value it already has before each call, as a
    benchmark switching targets does, changes nothing a hot decision depends on: the calls stay hot. A write of
    another value still sends the next call through the full path."""
    u, out = np.ones(64), np.zeros(64)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    d = kern._polyray_dispatch_smooth
    monkeypatch.setenv("POLYRAY_UNRELATED_SETTING", "1")
    make_hot(kern.smooth, u, out, 0.25)
    for _ in range(3):  # (monkeypatch.setenv writes through os.environ)
        monkeypatch.setenv("POLYRAY_TARGET", "cpu")
        monkeypatch.setenv("POLYRAY_UNRELATED_SETTING", "1")
        assert d._hot
        kern.smooth(u, out, 0.25)
        assert last().get("hot") is True and last()["target"] == "cpu"
    monkeypatch.setenv("POLYRAY_TARGET", "auto")
    assert not d._hot
    kern.smooth(u, out, 0.25)
    assert not last().get("hot") and last()["target"] == "auto"
    same_as_original(kern, "smooth", u, out, 0.25)


def test_form_settings_and_the_cluster_are_seen_on_the_next_call(kern, monkeypatch):
    """The other environment a compiled entry's decision depends on (the cpu form settings) and the Ray cluster's
    generation: a change sends the next call through the full path, which decides again."""
    import polyray.cluster as cluster

    u, out = np.ones(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    assert last().get("form") == "serial"
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    kern.smooth(u, out, 0.25)
    assert not last().get("hot") and last()["form"] == "parallel"
    monkeypatch.setenv("POLYRAY_SERIAL_BELOW_BYTES", "0")
    kern.smooth(u, out, 0.25)
    assert not last().get("hot")
    monkeypatch.delenv("POLYRAY_CPU_FORM")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES")
    make_hot(kern.smooth, u, out, 0.25)
    a, b = np.arange(16.0), np.zeros(16)
    assert "ray" in kern._polyray_dispatch_scaled.variants
    make_hot(kern.scaled, a, b, 16)
    monkeypatch.setattr(cluster, "_generation", cluster.generation() + 1)  # a Ray (dis)connection,
    cluster._notify()  # which tells the dispatchers (the hot path compares no generation per call)
    kern.scaled(a, b, 16)
    assert not last().get("hot")
    make_hot(kern.scaled, a, b, 16)


def test_the_users_exceptions_on_the_hot_path(kern, monkeypatch):
    x = np.arange(8.0)
    make_hot(kern.pick, x, 3)
    with pytest.raises(IndexError):  # the compiled code's (Numba's bounds check), as the original's
        kern.pick(x, 8)
    rec = last()
    assert rec["variant"] == "cpu" and rec["error"] == "IndexError" and rec.get("hot") is True, rec
    assert kern.pick(x, -1) == 14.0 and last()["variant"] == "cpu"
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    d = kern._polyray_dispatch_pick
    make_original = [d(x, 2) for _ in range(3)]  # (the dispatcher itself: its hot path runs the original)
    assert make_original == [4.0] * 3 and last().get("hot") is True and last()["variant"] == "original"
    with pytest.raises(IndexError):
        d(x, 9)
    rec = last()
    assert rec["variant"] == "original" and rec["error"] == "IndexError" and rec.get("hot") is True, rec
    count = len(rt.history())
    with pytest.raises(IndexError):  # the wrapper runs the original's body itself (hot.Kept): no record
        kern.pick(x, 9)
    assert kern.pick(x, 2) == 4.0 and len(rt.history()) == count and d.keep.on


def test_wrong_argument_counts_on_the_hot_path(kern):
    x = np.arange(8.0)
    make_hot(kern.pick, x, 3)
    d = kern._polyray_dispatch_pick
    for args in [(x,), (x, 1, 2), ()]:
        with pytest.raises(TypeError):
            d(*args)
        rec = last()
        assert rec["variant"] == "original" and f"got {len(args)}" in rec["reason"], rec
    assert d(x, 1) == 2.0 and last().get("hot") is True


def test_listeners_see_every_hot_call(kern):
    seen = []
    listener = seen.append
    history_module.add_listener(listener)
    try:
        x = np.arange(8.0)
        for _ in range(10):
            kern.pick(x, 1)
    finally:
        history_module.remove_listener(listener)
    assert len(seen) == 10 and sum(1 for r in seen if r.get("hot")) >= 6
    x = np.arange(8.0)
    kern.pick(x, 1)
    assert len(seen) == 10  # removed


def fused(kern, name: str) -> bool:
    """Whether the hot entries of ``name`` now run a fused entry (hot_entry.py: the checks in the Numba call)."""
    entries = getattr(kern, f"_polyray_dispatch_{name}")._hot.values()
    return bool(entries) and all(e.checked for e in entries if e.compiled)


def python_checks(kern, name: str) -> None:
    """Rebuild ``name``'s hot path with POLYRAY_FUSED_CHECKS=0 read (the checks in Python) on its next settle."""
    d = getattr(kern, f"_polyray_dispatch_{name}")
    d.forget_measurements()
    d._fast = d._check = d._fusion = None
    d.__class__ = Dispatcher  # (the generated hot path's subclass: hot.hot_class)


def hot_then(kern, name: str, good: tuple, checks: str, *args):
    """Make ``name`` hot on ``good`` (its entry for that size class checked as ``checks`` says), then call it
    on ``args``, of the same size class: (outcome, arrays) of the generated function and of the original
    on copies, compared; the call's record."""
    make_hot(getattr(kern, name), *good)
    assert fused(kern, name) == (checks == "fused")
    got = same_as_original(kern, name, *args)
    return got, last()


@pytest.mark.parametrize("checks", ["fused", "python"])
def test_eight_arrays_guard_and_aliasing_on_every_hot_call(kern, checks, monkeypatch):
    """8 array arguments, the 7th written: every hot call that the full checks would refuse runs the original,
    whether the checks run in the Numba call (fused) or in Python."""
    if checks == "python":
        monkeypatch.setenv("POLYRAY_FUSED_CHECKS", "0")
        python_checks(kern, "step8")
    rng = np.random.default_rng(11)
    good = tuple(rng.random(32) for _ in range(8)) + (0.5,)
    u, v, p, q, r, s_, out, w, dt = good
    # the 7th argument is the 2nd: the same array (same_as_original copies each argument: so called here)
    vv, want = v.copy(), v.copy()
    kern._polyray_original_step8(u, want, p, q, r, s_, want, w, dt)
    make_hot(kern.step8, *good)
    kern.step8(u, vv, p, q, r, s_, vv, w, dt)
    rec = last()
    assert rec["variant"] == "original" and "shares memory with argument 'v'" in rec["reason"], rec
    assert vv.tobytes() == want.tobytes()
    # the 7th overlaps the 2nd: views of one buffer
    buf = rng.random(33)
    want = buf.copy()
    kern._polyray_original_step8(u, want[:32], p, q, r, s_, want[1:], w, dt)
    make_hot(kern.step8, *good)
    kern.step8(u, buf[:32], p, q, r, s_, buf[1:], w, dt)
    assert last()["variant"] == "original" and buf.tobytes() == want.tobytes()
    # the 7th is the 2nd reversed (the same memory, a negative stride)
    make_hot(kern.step8, *good)
    kern.step8(u, v, p, q, r, s_, v[::-1], w, dt)
    assert last()["variant"] == "original" and "shares memory" in last()["reason"]
    # interleaved elements of one buffer: np.may_share_memory says maybe, so the original
    inter = rng.random(64)
    make_hot(kern.step8, *good)
    kern.step8(u, inter[::2], p, q, r, s_, inter[1::2], w, dt)
    assert last()["variant"] == "original" and "shares memory" in last()["reason"]
    # the 8th one element short: Python raises IndexError at the last element, after writing out[:31]
    got, rec = hot_then(kern, "step8", good, checks, u, v, p, q, r, s_, out, w[:31], dt)
    assert got[0] == "IndexError" and rec["variant"] == "original" and "out of bounds" in rec["reason"], rec
    # the 2nd one element short
    got, rec = hot_then(kern, "step8", good, checks, u, v[:31], p, q, r, s_, out, w, dt)
    assert got[0] == "IndexError" and rec["variant"] == "original", rec
    # disjoint views of one buffer (not owning their data): compiled, on the hot path
    base = rng.random(64)
    make_hot(kern.step8, u, base[:32], p, q, r, s_, base[32:], w, dt)
    assert fused(kern, "step8") == (checks == "fused")
    same_as_original(kern, "step8", u, base[:32], p, q, r, s_, base[32:], w, dt)


@pytest.mark.parametrize("checks", ["fused", "python"])
def test_two_written_arrays_and_strided_2d_on_the_hot_path(kern, checks, monkeypatch):
    """3 arrays, two of them written; 2-d arrays and strided views: each refused hot call runs the original."""
    if checks == "python":
        monkeypatch.setenv("POLYRAY_FUSED_CHECKS", "0")
        python_checks(kern, "split3")
        python_checks(kern, "scale_cols")
    rng = np.random.default_rng(12)
    x, lo, hi = rng.random(40), np.zeros(40), np.zeros(40)
    good = (x, lo, hi, 0.5)
    make_hot(kern.split3, *good)
    kern.split3(x, lo, lo, 0.5)  # the two written arrays are one
    assert last()["variant"] == "original" and "shares memory" in last()["reason"]
    assert lo.tolist() == np.maximum(x, 0.5).tolist()  # (the original's: hi written last)
    pair = np.zeros(80)
    make_hot(kern.split3, *good)
    kern.split3(x, pair[:40], pair[39:79], 0.5)  # the written ones overlap by one element
    assert last()["variant"] == "original"
    kern.split3(x, pair[:40], pair[40:], 0.5)
    assert last()["variant"] == "cpu"
    got, rec = hot_then(kern, "split3", good, checks, x, lo, hi[:39], 0.5)  # hi one short
    assert got[0] == "IndexError" and rec["variant"] == "original", rec

    A, c, B = rng.random((6, 8)), rng.random(8), np.zeros((6, 8))
    good = (A, c, B)
    big = rng.random((6, 16))
    want = big.copy()
    kern._polyray_original_scale_cols(big[:, ::2], c, want[:, 1::2])
    make_hot(kern.scale_cols, *good)
    kern.scale_cols(big[:, ::2], c, big[:, 1::2])  # interleaved columns of one array: the original
    assert last()["variant"] == "original" and big.tobytes() == want.tobytes()
    make_hot(kern.scale_cols, *good)
    kern.scale_cols(A, B[0], B)  # c is B's first row, written
    assert last()["variant"] == "original" and "shares memory" in last()["reason"]
    got, rec = hot_then(kern, "scale_cols", good, checks, A, c[:7], B)  # c one short
    assert got[0] == "IndexError" and rec["variant"] == "original", rec
    got, rec = hot_then(kern, "scale_cols", good, checks, A, c, B[:5])  # B one row short
    assert got[0] == "IndexError" and rec["variant"] == "original", rec


def test_hot_path_off(kern, monkeypatch):
    u, out = np.ones(64), np.zeros(64)
    monkeypatch.setenv(hot.HOT_ENV, "0")
    for _ in range(5):
        kern.smooth(u, out, 0.25)
    assert all(not r.get("hot") for r in rt.history())


def test_the_full_path_runs_again_after_hot_calls(kern):
    u, out = np.ones(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    rt.clear_history()
    for _ in range(2 * hot.HOT_CALLS + 2):
        kern.smooth(u, out, 0.25)
    full = [r for r in rt.history() if not r.get("hot")]
    assert 2 <= len(full) <= 3, len(full)  # one timed call each HOT_CALLS calls: times stay current


def test_threads_on_the_hot_path(kern):
    rng = np.random.default_rng(7)
    u = rng.random(64)
    outs = [np.zeros(64) for _ in range(4)]
    make_hot(kern.smooth, u, outs[0], 0.25)
    want = np.zeros(64)
    kern._polyray_original_smooth(u, want, 0.25)
    errors: list[BaseException] = []

    def work(out):
        try:
            for _ in range(300):
                kern.smooth(u, out, 0.25)
                assert out.tobytes() == want.tobytes()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(o,)) for o in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert hot.hot_thread[0] == 0


def test_auto_keeps_the_original_where_the_compiled_code_is_slower(kern, monkeypatch):
    """A deliberately tiny function whose compiled run is made slow: after its first calls at a size
    class auto runs the original there, and says why; the original's bits either way."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "60")  # the original is timed on copies
    real = CpuVariant._call

    def slow_call(self, jitted, args, extra=()):
        time.sleep(0.002)  # the compiled code "takes" 2 ms, the original a microsecond
        return real(self, jitted, args, extra)

    monkeypatch.setattr(CpuVariant, "_call", slow_call)
    results = [kern.tiny(0.5, 10) for _ in range(6)]
    assert results == [5.0] * 6
    variants = [r["variant"] for r in rt.history()]
    assert variants[:2] == ["cpu", "cpu"], variants  # measured (the original timed on copies meanwhile)
    # a clear loss (cost.CLEAR_LOSS, 2 ms against a microsecond): the 3rd call decides for the original after two
    # runs of the compiled code; the wrapper runs the 4th to 6th itself (hot.Kept: no record)
    assert variants[2:] == ["original"], variants
    rec = last()
    assert "original kept for size class" in rec["reason"] and "does not beat it" in rec["reason"], rec
    assert "a clear loss" in rec["reason"], rec
    # from then on the wrapper runs the original's body itself for that size class (hot.Kept): no record,
    # no dispatcher; another size class still goes through the dispatcher
    keep = kern._polyray_dispatch_tiny.keep
    assert keep.on and keep.lo <= 0 < keep.hi
    count = len(rt.history())
    assert kern.tiny(0.5, 10) == 5.0 and len(rt.history()) == count
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "50")  # an environment write: decided again
    assert not keep.on and kern.tiny(0.5, 10) == 5.0 and len(rt.history()) == count + 1
    assert last()["variant"] == "original" and "original kept for size class" in last()["reason"]
    assert keep.on


def test_auto_keeps_the_compiled_code_where_it_wins(kern, monkeypatch):
    # (a loaded machine may make the first runs look slow enough to predict the original past 1 s)
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "60")
    rng = np.random.default_rng(8)
    A, s = rng.random((200, 200)), np.zeros(200)  # 40,000 adds: Python takes milliseconds
    for _ in range(5):
        kern.row_sums(A, s)
    rec = last()
    assert rec["variant"] == "cpu" and rec.get("speedup", 0.0) > 1.0, rt.history()


def test_cost_model_compares_with_the_original():
    measured = {}
    model = cost.CostModel("f", lambda cls: measured.get(cls))
    variants = {"cpu": CpuVariant(lambda x: x)}
    sizes = (10, 1000)
    for seconds in (3e-6, 2e-6, 2e-6):
        assert model.decide((), variants, "auto", sizes).variant == "cpu"
        model.observe(None, "cpu", seconds, sizes=sizes)
    assert model.decide((), variants, "auto", sizes).variant == "cpu"  # no original time yet
    measured[10] = 1e-6
    d = model.decide((), variants, "auto", sizes)
    assert d.variant == "original" and d.size_class == 10 and "original 1 us; cpu 2 us" in d.reason, d.reason
    measured[10] = 5e-6
    assert model.decide((), variants, "auto", sizes).variant == "cpu"
    model.check_seconds = 4e-6  # the compiled call's checks count against it
    assert model.decide((), variants, "auto", sizes).variant == "original"
    assert model.decide((), variants, "auto", (11, 2000)).variant == "cpu"  # per size class
    variants["cpu"]._trials.add(10)  # a parallel variant still trying its forms there: not compared yet
    assert model.decide((), variants, "auto", sizes).variant == "cpu"


class Sized:
    """Something with ``nbytes`` (as device arrays have), so that size_class counts it without allocating."""

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes


def test_class_bounds_agree_with_size_class():
    for cls in range(0, 48):
        lo, hi = hot.class_bounds(cls)
        for total in {lo, hi - 1, max(0, lo - 1), hi}:
            inside = lo <= total < hi
            assert (cost.size_class((Sized(total),))[0] == cls) == inside, (cls, total)


def test_parallelize_finds_each_signature_on_the_quick_path(monkeypatch, tmp_path):
    """@parallelize's quick way to a compiled signature (a key of the argument types, generated): another
    dtype, rank or scalar type, or another numerics setting, is another signature, never the last one's."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLYRAY_NUMERICS", raising=False)
    src = tmp_path / "quick_kernels.py"
    src.write_text(
        "from polyray import parallelize\n\n\n"
        "@parallelize\n"
        "def axpy(a, x, y):\n"
        "    for i in range(x.shape[0]):\n"
        "        y[i] = a * x[i] + y[i]\n")
    spec = importlib.util.spec_from_file_location("quick_kernels", src)
    mod = importlib.util.module_from_spec(spec)
    import sys
    sys.modules["quick_kernels"] = mod
    spec.loader.exec_module(mod)
    axpy = mod.axpy
    plain = axpy.fn

    def run(a, x, y):
        want = y.copy()
        plain(a, x, want)
        axpy(a, x, y)
        assert y.tobytes() == want.tobytes() and y.dtype == want.dtype
        return last()

    x = np.linspace(0.0, 1.0, 32)
    for _ in range(4):
        rec = run(0.5, x, np.ones(32))
    assert rec["variant"] == "cpu" and rec.get("hot") is True, rec
    rec = run(0.5, x.astype(np.float32), np.ones(32, np.float32))  # another dtype: its own signature
    assert rec["variant"] == "cpu", rec
    rec = run(np.float32(0.5), x.astype(np.float32), np.ones(32, np.float32))  # a NumPy scalar: another one
    assert rec["variant"] == "cpu", rec
    rec = run(2, np.arange(32), np.ones(32, np.int64))  # ints
    assert rec["variant"] == "cpu", rec
    assert len(axpy.compiled) == 4, axpy.compiled.keys()
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")  # another mode: its own modules
    rec = run(0.5, x, np.ones(32))
    assert rec["variant"] == "cpu" and len(axpy._by_mode.get("exact", {})) == 1, rec
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    rec = run(0.5, x, np.ones(32))
    assert rec["variant"] == "original" and rec["reason"] == "POLYRAY_TARGET=original"


def test_parallelize_opens_the_gates_its_dispatcher_left(monkeypatch, tmp_path):
    """A compile that the generated module's dispatcher submits inside a @parallelize call (a new layout)
    starts when that call returns: the dispatcher leaves the gates to the outer call, which opens them."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "gate_kernels.py"
    src.write_text(
        "from polyray import parallelize\n\n\n"
        "@parallelize\n"
        "def scale(x, out, a):\n"
        "    for i in range(x.shape[0]):\n"
        "        out[i] = a * x[i]\n")
    spec = importlib.util.spec_from_file_location("gate_kernels", src)
    mod = importlib.util.module_from_spec(spec)
    import sys
    sys.modules["gate_kernels"] = mod
    spec.loader.exec_module(mod)
    x, out = np.ones(16), np.zeros(16)
    for _ in range(3):
        mod.scale(x, out, 0.5)  # (JIT_WAIT=1: compiled and run)
    assert last()["variant"] == "cpu"
    monkeypatch.delenv("POLYRAY_JIT_WAIT")
    strided = np.ones(32)[::2]  # a layout not compiled yet: the cpu variant compiles it in the background
    mod.scale(strided, out, 0.5)
    assert last()["variant"] == "original" and "compiling" in last()["reason"], last()
    assert not getattr(background._local, "gates", None), "a gate left shut after the call returned"
    assert background.wait_idle(120)
    mod.scale(strided, out, 0.5)
    assert last()["variant"] == "cpu" and out.tolist() == [0.5] * 16


def test_the_kept_original_is_left_on_every_event_that_could_change_it(kern, monkeypatch):
    """Where the dispatcher keeps the original, the generated wrapper runs the original's body itself (hot.Kept),
    reading no environment: every write through os.environ, a Ray (dis)connect and forget_measurements turn it
    off, and the next call goes through the dispatcher, which decides under the new state."""
    import polyray.cluster as cluster

    d = kern._polyray_dispatch_smooth
    u, out = np.ones(64), np.zeros(64)
    monkeypatch.setenv("POLYRAY_TARGET", "original")

    def kept_after_one_call() -> bool:
        count = len(rt.history())
        kern.smooth(u, out, 0.25)  # through the dispatcher: a record, and the original kept again
        assert len(rt.history()) == count + 1 and last()["variant"] == "original"
        kern.smooth(u, out, 0.25)
        return d.keep.on and len(rt.history()) == count + 1

    assert kept_after_one_call()
    cluster._notify()  # (what a Ray connect or disconnect calls)
    assert not d.keep.on and kept_after_one_call()
    d.forget_measurements()
    assert not d.keep.on and kept_after_one_call()
    monkeypatch.setenv("POLYRAY_UNRELATED_SETTING", "1")  # any write: the environment is not read per call
    assert not d.keep.on and not d._hot and kept_after_one_call()
    monkeypatch.delenv("POLYRAY_TARGET")
    assert not d.keep.on
    kern.smooth(u, out, 0.25)
    assert last()["target"] == "auto" and last()["variant"] == "cpu"
    same_as_original(kern, "smooth", u, out, 0.25)


def test_the_kept_original_holds_for_its_size_class_only(kern, monkeypatch):
    """auto keeps the original for the size class where the compiled code lost; calls of another size class
    still go through the dispatcher (and its compiled code)."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "60")
    real = CpuVariant._call

    def slow_call(self, jitted, args, extra=()):
        if args[0].size < 100:  # the compiled code loses on the small arrays only
            time.sleep(0.002)
        return real(self, jitted, args, extra)

    monkeypatch.setattr(CpuVariant, "_call", slow_call)
    d = kern._polyray_dispatch_pick
    x = np.arange(8.0)
    for _ in range(4):
        assert kern.pick(x, 3) == 6.0
    assert "original kept for size class" in last()["reason"] and d.keep.on
    count = len(rt.history())
    assert kern.pick(x, 3) == 6.0 and kern.pick(x, -8) == 0.0 and len(rt.history()) == count
    with pytest.raises(IndexError):  # the original's own exception, raised by the wrapper's copy of its body
        kern.pick(x, 8)
    big = np.arange(4096.0)  # another size class: the dispatcher decides there
    kern.pick(big, 5)
    assert len(rt.history()) == count + 1 and last()["variant"] == "cpu"
    assert d.keep.on and not d.keep.lo <= big.nbytes < d.keep.hi
    assert kern.pick(x, 2) == 4.0 and len(rt.history()) == count + 1  # still kept for the small one
    # the wrapper's test: the deciding call's bytes first, then the class's bounds (7 elements: 56 bytes, the
    # same class as 64), no type test: what has no bytes goes to the dispatcher, which runs the original
    assert d.keep.n == x.nbytes and d.keep.lo <= 56 < d.keep.hi
    assert kern.pick(np.arange(7.0), 6) == 12.0 and len(rt.history()) == count + 1
    assert kern.pick([1.0, 2.0], 1) == 4.0 and len(rt.history()) == count + 2 and last()["variant"] == "original"
    assert kern.pick(np.arange(8, dtype=np.int64), 3) == 6 and len(rt.history()) == count + 2  # (as the dispatcher would)
    huge = np.arange(1 << 16, dtype=np.float64)  # far from the class: the dispatcher, compiled code
    assert kern.pick(huge, 9) == 18.0 and last()["variant"] == "cpu"


def test_the_wrapper_s_kept_test_reads_the_kept_numbers_as_constants(kern, monkeypatch):
    """While a size class (or everything) is kept, the wrapper function's code is the generated one with its
    test's numbers as constants (runtime/kept_code.py): the same test, cheaper; the generated code is back
    whenever nothing is kept; and the two-array sum is tested as generated."""
    from polyray.runtime import kept_code

    d, pick = kern._polyray_dispatch_pick, kern.pick
    generic = pick.__code__
    x = np.arange(8.0)
    d.keep.add(64, 128, x.nbytes)
    kept = pick.__code__
    assert kept is not generic and kept.co_filename == generic.co_filename and kept.co_firstlineno == generic.co_firstlineno
    assert {64, 128} <= set(kept.co_consts) and "_polyray_keep_pick" not in kept.co_names
    count = len(rt.history())
    assert pick(x, 3) == 6.0 and pick(np.arange(9.0), 8) == 16.0 and len(rt.history()) == count  # (the original here)
    with pytest.raises(IndexError) as raised:  # the original's exception, from the file's own line
        pick(x, 8)
    assert raised.traceback[-1].name == "pick" and "x[k] * 2.0" in str(raised.traceback[-1].statement)
    assert pick(np.arange(4.0), 1) == 2.0 and len(rt.history()) == count + 1  # another class: the dispatcher
    assert pick([1.0, 2.0], 1) == 4.0 and len(rt.history()) == count + 2  # no bytes: the dispatcher
    d.keep.off()
    assert pick.__code__ is generic
    d.keep.keep_all()
    assert pick.__code__ is not generic and pick(np.arange(4.0), 1) == 2.0 and len(rt.history()) == count + 2
    d.keep.add(0, 1 << 40)  # (no deciding call's total: the bounds only)
    assert pick.__code__ is not generic and -1 not in pick.__code__.co_consts
    d.keep.off()
    assert pick.__code__ is generic
    # two arrays: the generated sum of their bytes, against the constants
    ds, smooth = kern._polyray_dispatch_smooth, kern.smooth
    u, out = np.linspace(0.0, 1.0, 16), np.zeros(16)
    ds.keep.add(200, 300, u.nbytes + out.nbytes)
    ref = np.zeros(16)
    smooth(u, out, 0.25)
    kern._polyray_original_smooth(u, ref, 0.25)
    assert out.tobytes() == ref.tobytes() and len(rt.history()) == count + 2 and 256 in smooth.__code__.co_consts
    ds.keep.off()
    # where the wrapper's source cannot be read, the generated test serves (the same answers)
    monkeypatch.setattr(kept_code, "_templates", {})
    monkeypatch.setattr(kept_code, "_codes", {})
    monkeypatch.setattr(kept_code.inspect, "getsourcelines", lambda code: (_ for _ in ()).throw(OSError("gone")))
    d.keep.add(64, 128, x.nbytes)
    assert pick.__code__ is generic and d.keep.on and pick(x, 2) == 4.0 and len(rt.history()) == count + 2
    d.keep.off()


def test_the_wrapper_reads_no_bytes_while_nothing_is_kept(kern, monkeypatch):
    """The wrapper's kept-original test reads the arrays' bytes only where the dispatcher keeps the original
    (hot.Kept.on): the compiled code's calls pay one flag."""

    class Counted(np.ndarray):
        reads = 0

        @property
        def nbytes(self):
            Counted.reads += 1
            return super().nbytes

    d = kern._polyray_dispatch_pick
    x = np.arange(8.0).view(Counted)
    monkeypatch.setattr(kern, "_polyray_enter_pick", lambda *args: "dispatcher")  # (what the wrapper calls)
    assert not d.keep.on
    assert kern.pick(x, 3) == "dispatcher" and Counted.reads == 0
    d.keep.keep_all()  # (a forced original: for any arguments)
    assert kern.pick(x, 3) == 6.0 and Counted.reads == 0
    d.keep.off()
    d.keep.add(0, 1 << 20, 64)  # (a kept size class)
    assert kern.pick(x, 3) == 6.0 and Counted.reads == 1
    d.keep.off()


def test_kept_ranges_join_where_they_touch():
    k = hot.Kept()
    assert not k.on and not k.overlaps(0, 1 << 62)
    k.add(10, 20)
    assert (k.on, k.lo, k.hi) == (True, 10, 20)
    k.add(20, 40)  # touching: one range
    assert (k.lo, k.hi) == (10, 40)
    k.add(100, 200)  # apart: the newest
    assert (k.lo, k.hi) == (100, 200) and k.overlaps(150, 160) and not k.overlaps(200, 300)
    k.off()
    assert not k.on and not k.overlaps(100, 200)
    # the deciding call's total, which the wrapper tests first: kept where it lies in the range kept now
    k.add(10, 20, 16)
    assert (k.lo, k.hi, k.n) == (10, 20, 16)
    k.add(20, 40, 30)  # joined: the newest total
    assert (k.lo, k.hi, k.n) == (10, 40, 30)
    k.add(100, 200)  # apart, no total: none tested first (the old one lies outside)
    assert k.n == -1
    k.add(100, 200, 500)  # (a total outside its own range is not taken)
    assert k.n == -1
    k.add(100, 200, 150)
    k.off()
    assert k.n == -1 and (k.lo, k.hi) == (0, 0)


def test_the_wrapper_shares_the_originals_defaults(tmp_path):
    """The wrapper carries the original's body: its default objects are the original's own, so a mutable
    default sees the calls of both (whichever ran them)."""
    src = tmp_path / "defaults_kernel.py"
    src.write_text(
        "import numpy as np\nimport numpy.typing as npt\n\n\n"
        "def fill(out: npt.NDArray[np.float64], s: float = 2.0, n: int = 3) -> None:\n"
        "    for i in range(n):\n"
        "        out[i] = s\n")
    from compiled import compile_and_import

    mod = compile_and_import(src, tmp_path, "defaults_kernel_polyray")
    assert mod.fill.__defaults__ is mod._polyray_original_fill.__defaults__
    out = np.zeros(4)
    mod.fill(out)
    assert out.tolist() == [2.0, 2.0, 2.0, 0.0]


def test_forgetting_measurements_keeps_what_a_hot_call_costs(kern):
    """auto adds what a hot call costs to the compiled time before it compares with the original; that cost
    is this process's, not a measurement: forget_measurements (a new cost model) keeps it."""
    u, out = np.ones(64), np.zeros(64)
    make_hot(kern.smooth, u, out, 0.25)
    d = kern._polyray_dispatch_smooth
    assert d._check_cost is not None and d._check_cost > 0.0 and d._cost.check_seconds == d._check_cost
    d.forget_measurements()
    assert d._cost.check_seconds == d._check_cost
