"""The hot path's checks compiled into the Numba call (polyray.runtime.hot_entry): the guard compiled only where
int64 gives Python's answer, the aliasing test agreeing with np.may_share_memory, refusals raising CheckMiss
before anything ran, and the background compile upgrading the hot entries waiting for it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from polyray.runtime import background, hot_entry
from polyray.runtime.hot_entry import CheckMiss, Fusion, numba_guard_source
from polyray.runtime.jitting import HotMiss
from polyray.runtime.params import Param

numba = pytest.importorskip("numba")

PARAMS = [Param("A", "array", dtype="float64", ndim=2), Param("x", "array", dtype="float64", ndim=1),
          Param("y", "array", dtype="float64", ndim=1, written=True), Param("n", "int"), Param("t", "float")]


# Guards written as the compiler writes them (shapes read first, one condition, a reason or None).
def affine(A, x, y, n, t):
    A_shape0 = A.shape[0]
    A_shape1 = A.shape[1]
    x_shape0 = x.shape[0]
    if ((n >= 1) and (n >= (x_shape0 + 1))) or (A_shape1 - 1 >= y.shape[0]) or (2 * n - A_shape0 >= 3 * x_shape0 % 5):
        return "a subscript would be out of bounds"
    return None


def with_min_max(A, x, y, n, t):
    m = min(A.shape[0], n)
    if max(m - 1, 0) >= y.shape[0] or abs(-n) // 2 > x.shape[0] or not (n >= 0):
        return "out of bounds"
    return None


def product_of_two(A, x, y, n, t):
    if A.shape[0] * A.shape[1] > x.shape[0] * n:
        return "too many"
    return None


def product_of_three(A, x, y, n, t):  # 2**93: past int64
    if A.shape[0] * A.shape[1] * n > x.shape[0]:
        return "too many"
    return None


def power(A, x, y, n, t):
    if n ** 2 > x.shape[0]:
        return "too many"
    return None


def a_float(A, x, y, n, t):
    if t > x.shape[0]:
        return "too big"
    return None


def divided_by_a_shape(A, x, y, n, t):
    if n // x.shape[0] > 1:
        return "too big"
    return None


LIMIT = 7


def a_module_name(A, x, y, n, t):
    if n > LIMIT:
        return "too big"
    return None


def a_call(A, x, y, n, t):
    if len(x) < n:
        return "too short"
    return None


def test_affine_guards_compile_and_the_others_stay_python():
    for guard in (affine, with_min_max, product_of_two):
        assert numba_guard_source(guard, PARAMS, "_g") is not None, guard.__name__
    for guard in (product_of_three, power, a_float, divided_by_a_shape, a_module_name, a_call):
        assert numba_guard_source(guard, PARAMS, "_g") is None, guard.__name__
    assert numba_guard_source(None, PARAMS, "_g") is None
    assert numba_guard_source(lambda *a: None, PARAMS[:1], "_g") is None  # (parameters that are not the function's)


@pytest.mark.parametrize("guard", [affine, with_min_max, product_of_two])
def test_compiled_guards_give_the_python_guards_answer(guard):
    scope: dict = {}
    exec(numba_guard_source(guard, PARAMS, "_g"), scope)  # noqa: S102 - the source under test
    compiled = numba.njit(scope["_g"])
    rng = np.random.default_rng(0)
    values = [0, 1, 2, 3, 5, 2**31 - 1, -(2**31) + 1, -1, -7]
    for _ in range(300):
        r, c, k, m = (int(v) for v in rng.integers(0, 6, 4))
        n = int(rng.choice(values)) if rng.random() < 0.5 else int(rng.integers(-9, 9))
        args = (np.zeros((r, c)), np.zeros(k), np.zeros(m), n, 0.5)
        assert compiled(*args) == (guard(*args) is not None), (guard.__name__, r, c, k, m, n)


def views():
    """Views of one buffer: slices, strides, negative strides, 2-d, transposed, empty."""
    buf = np.arange(64.0)
    grid = buf.reshape(8, 8)
    out = [buf[:16], buf[16:32], buf[15:17], buf[::2], buf[1::2], buf[::-1], buf[40:24:-1], buf[63:], buf[5:5],
           grid[2], grid[:, 3], grid[1:3, 1:3], grid[4:, 4:], grid.T, grid[::2, ::3], grid[3:, :0]]
    return out


def fused_entry(params, *examples):
    """Fusion's own fused entry for ``params`` (Fusion._entry_for), over a form that returns 0, compiled for the
    types of each example argument tuple (the hot path never compiles it on a call)."""
    entry = Fusion("f", params, None)._entry_for(numba.njit(lambda *args: 0))
    for args in examples:
        entry.compile(tuple(numba.typeof(a) for a in args))
    return entry


def test_the_fused_overlap_check_agrees_with_may_share_memory():
    entry = fused_entry([Param("a", "array", dtype="float64", ndim=1, written=True),
                         Param("b", "array", dtype="float64", ndim=1)],
                        (np.zeros(4), np.zeros(4)), (np.zeros(4), np.zeros(4)[::-1]), (np.zeros(4)[::2], np.zeros(4)),
                        (np.zeros(4)[::2], np.zeros(4)[::2]))
    for a, b in itertools.product([v.ravel() if v.ndim == 1 else v[0] for v in views()], repeat=2):
        try:
            entry(a, b)
            refused = False
        except CheckMiss:
            refused = True
        assert refused == np.may_share_memory(a, b), (a.shape, a.strides, b.shape, b.strides)
    entry(np.zeros(4), np.zeros(4))  # two buffers: no refusal


def test_every_written_pair_is_checked_and_the_code_grows_linearly():
    """Eight arrays, three written: each written one against every other; the source holds one extent per array
    (before: an inlined extent per pair, quadratic; 40 written arrays took over 5 GiB to compile)."""
    params = [Param(f"a{k}", "array", dtype="float64", ndim=1, written=k < 3) for k in range(8)]
    source, _ = hot_entry.fused_plan("f", params, None)
    assert source.count("_extent(") == 8
    entry = fused_entry(params, tuple(np.zeros(10) for _ in range(8)))
    buf = np.zeros(100)
    arrays = [buf[10 * k:10 * k + 10] for k in range(8)]
    entry(*arrays)
    for w in range(3):
        for other in range(8):
            if other != w:
                args = list(arrays)
                args[other] = buf[10 * w + 9:10 * w + 19]  # one element shared with the written a{w}
                with pytest.raises(CheckMiss):
                    entry(*args)


def test_no_fused_entry_past_the_array_bound():
    many = [Param(f"o{k}", "array", dtype="float64", ndim=1, written=True)
            for k in range(hot_entry.MAX_FUSED_ARRAYS + 1)]
    assert hot_entry.fused_plan("f", many, None) is None
    assert hot_entry.fused_plan("f", many[:hot_entry.MAX_FUSED_ARRAYS], None) is not None


def form(A, x, y, n, t):
    for i in range(n):
        y[i] = x[i] + t
    return n


def compiled_now() -> bool:
    """Let the worker run the compiles offered (gated until the offering call returns: here, now)."""
    background.open_gates()
    return background.wait_idle(120)


def test_a_fused_entry_refuses_before_anything_ran(monkeypatch):
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    fusion = Fusion("f", PARAMS, affine)
    assert fusion.source is not None and fusion.guard
    jitted = numba.njit(form)

    class Entry:  # (hot.Entry's two fields the fusion sets)
        def __init__(self):
            self.run, self.checked = jitted, False

    A, x, y = np.zeros((3, 4)), np.arange(8.0), np.zeros(8)
    jitted(A, x, y, 2, 0.5)
    entry = Entry()
    fusion.offer(jitted, (A, x, y, 2, 0.5), entry)
    assert compiled_now()
    assert entry.checked and entry.run is not jitted
    assert entry.run(A, x, y, 3, 0.5) == 3 and y[:3].tolist() == [0.5, 1.5, 2.5]
    y[:] = -1.0
    huge = np.lib.stride_tricks.as_strided(np.zeros(4), shape=(2**31, 4), strides=(0, 8))  # (no memory)
    with pytest.raises(HotMiss):  # types it was not compiled for: never compiled on a call
        entry.run(huge, x, y, 3, 0.5)
    fusion.offer(jitted, (huge, x, y, 3, 0.5), Entry())  # (compiled for that layout of A)
    assert compiled_now()
    for args in ((A, x, x, 3, 0.5),  # y is x
                 (A, x[1:], x[:7], 3, 0.5),  # overlapping views
                 (A, x, y, 9, 0.5),  # the guard: n past x
                 (huge, x, y, 3, 0.5)):  # a dimension the guard's bound excludes
        with pytest.raises(CheckMiss):
            entry.run(*args)
    assert y.tolist() == [-1.0] * 8 and x.tolist() == list(range(8))
    again = Entry()
    fusion.offer(jitted, (A, x, y, 2, 0.5), again)  # compiled once: the next entry takes it at once
    assert again.checked and again.run is entry.run


def test_the_background_compile_upgrades_the_waiting_entries(monkeypatch):
    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)
    fusion = Fusion("g", PARAMS, with_min_max)
    jitted = numba.njit(form)

    class Entry:  # (hot.Entry's two fields the fusion sets)
        def __init__(self):
            self.run, self.checked = jitted, False

    first, second = Entry(), Entry()
    args = (np.zeros((2, 2)), np.zeros(4), np.zeros(4), 1, 0.0)
    fusion.offer(jitted, args, first)
    fusion.offer(jitted, args, second)
    background.open_gates()
    assert background.wait_idle(120)
    assert first.checked and second.checked and first.run is second.run


def test_nothing_to_fuse_and_types_that_do_not_compile(monkeypatch):
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    plain = [Param("x", "array", dtype="float64", ndim=1), Param("n", "int")]
    assert Fusion("h", plain, None).source is None  # nothing written, no guard
    fusion = Fusion("f", PARAMS, affine)
    jitted = numba.njit(form)

    class Entry:  # (hot.Entry's two fields the fusion sets)
        def __init__(self):
            self.run, self.checked = jitted, False

    entry = Entry()
    fusion.offer(jitted, (np.zeros((2, 2)), np.zeros(4), np.zeros(4), "no", 0.0), entry)  # form cannot type a str n
    assert compiled_now()
    assert not entry.checked and entry.run is jitted
