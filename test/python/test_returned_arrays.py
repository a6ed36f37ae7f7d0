"""Whole-array expressions returned or bound to a fresh name become one element loop filling a new array
(poly/returned-arrays.ts, poly/lower-slices.ts; issues 17/18): the same dtype, shape, NaN/inf and exceptions as
the original. Exact mode bit for bit; close mode (np.sin, np.exp, `**` per element by the C library) bit for bit
what Numba's array expression of the same source computes, and within the documented bounds of NumPy's."""
from __future__ import annotations

from pathlib import Path

import numba
import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import, cpu_body, outcome, same

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/returned.py"
EPS = float(np.finfo(np.float64).eps)
EXACT_FNS = ["clipping", "magnitude", "leaky", "excess", "band", "above", "centered", "floor_mod", "scaled32", "mixed", "filled"]
CLOSE_FNS = ["arc_distance", "softmax", "hypot", "standardized", "softmax_inline"]


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    out = tmp_path_factory.mktemp("returned")
    return {m: compile_and_import(SOURCE, out, f"returned_{m}", "--targets", "cpu", "--numerics", m) for m in ("exact", "close")}


def test_each_is_one_element_loop_into_a_new_array(mods):
    exact, close = mods["exact"], mods["close"]
    for name in EXACT_FNS[:-1]:
        body = cpu_body(exact, name)
        assert "_polyray_prange(" in body and "_polyray_ret[_polyray_e0" in body, (name, body)
    assert "_polyray_h_clip_scalar_bounds(array_1[_polyray_e0, _polyray_e1], 2, 10) * a" in cpu_body(exact, "clipping")
    assert "_polyray_ret = _polyray_np.empty((array_1.shape[0], array_1.shape[1]), _polyray_np.int64)" in cpu_body(exact, "clipping")
    # np.where per element: the chosen operand only
    assert "(x[_polyray_e0, _polyray_e1] if x[_polyray_e0, _polyray_e1] > 0.0 else slope * x[_polyray_e0, _polyray_e1])" in cpu_body(exact, "leaky")
    assert "_polyray_np.bool)" in cpu_body(exact, "above")
    # arrays allocated at the top level are filled by element loops (fused: the same elements of out)
    filled = cpu_body(exact, "filled")
    assert "out[_polyray_e0, _polyray_e1] = a[_polyray_e0, _polyray_e1] * 2.0 - b[_polyray_e1]" in filled
    assert "zs[1 + _polyray_e0, _polyray_e1] = out[1 + _polyray_e0, _polyray_e1] + 1.0" in filled
    # exact mode keeps NumPy's own math in the original
    for name in CLOSE_FNS:
        assert not hasattr(exact, f"_polyray_cpu_{name}")
    arc = cpu_body(close, "arc_distance")
    # temp is a scalar per element (never allocated), distance_matrix the one new array
    assert arc.count("_polyray_np.empty(") == 1 and "temp = np.sin(" in arc and arc.count("_polyray_prange(") == 1
    soft = cpu_body(close, "softmax")
    # e is read by the sum between the loops: allocated, then divided element by element
    assert "e[_polyray_e0] = np.exp(x[_polyray_e0] - m)" in soft and "_polyray_ret[_polyray_e0] = e[_polyray_e0] / s" in soft
    # a scalar reduction inside the expression: computed into a local first, once however often it is written
    assert "_polyray_r0 = _polyray_h_checked_max(x)\n" in cpu_body(exact, "centered")
    assert "x[_polyray_e0, _polyray_e1] // 3 - x[_polyray_e0, _polyray_e1] % d" in cpu_body(exact, "floor_mod")
    # float32: cast back after each operation, the Python numbers cast first; float32 and int64 elements widened
    assert "_polyray_np.float32(x[_polyray_e0, _polyray_e1] * _polyray_np.float32(s))" in cpu_body(exact, "scaled32")
    assert "z[_polyray_e0, _polyray_e1] * _polyray_np.float64(x[_polyray_e0, _polyray_e1]) + a[_polyray_e0, _polyray_e1] / 3.0" in cpu_body(exact, "mixed")
    inline = cpu_body(close, "softmax_inline")
    assert inline.count("x.max()") == 1 and "_polyray_ret[_polyray_e0] = np.exp(x[_polyray_e0] - _polyray_r0) / _polyray_r1" in inline
    assert "_polyray_ret[_polyray_e0] = (a[_polyray_e0] - _polyray_r0) / _polyray_r1" in cpu_body(close, "standardized")


def ints(rng, shape):
    return rng.integers(-(2**62), 2**62, shape) if shape and shape[0] % 2 else rng.integers(0, 12, shape)


def floats(rng, shape):
    x = rng.standard_normal(shape) * 3
    flat = x.reshape(-1)
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324])
    flat[: min(flat.size, specials.size)] = specials[: min(flat.size, specials.size)]
    return x


def arguments(name, rng, shape, other):
    """The function's arguments: `other` the second array's shape (a mismatch sends the call to the original)."""
    if name == "clipping":
        return ints(rng, shape), ints(rng, other), np.int64(4), np.int64(-3), np.int64(9)
    if name in ("magnitude", "above"):
        return floats(rng, shape), floats(rng, other)
    if name == "leaky":
        return floats(rng, shape), 0.1
    if name == "excess":
        return ints(rng, shape), ints(rng, other)
    if name == "filled":
        return floats(rng, shape), floats(rng, other[1:])
    if name == "band":
        return floats(rng, shape[:1]), -1.0, 2.5
    if name == "centered":
        return (floats(rng, shape),)
    if name == "floor_mod":
        return ints(rng, shape), np.int64(-4 if shape[0] % 2 else 5)
    if name == "scaled32":
        return floats(rng, shape).astype(np.float32), floats(rng, other).astype(np.float32), 0.1
    if name == "mixed":
        return floats(rng, shape).astype(np.float32), ints(rng, other), floats(rng, shape)
    raise AssertionError(name)


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("shape,other", [((0, 0), (0, 0)), ((1, 1), (1, 1)), ((7, 5), (7, 5)), ((64, 33), (64, 33)),
                                         ((7, 5), (1, 5)), ((7, 5), (7, 4))])
@pytest.mark.parametrize("name", EXACT_FNS)
def test_exact_mode_bit_for_bit(mods, monkeypatch, form, shape, other, name):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    mod = mods["exact"]
    rng = np.random.default_rng(sum(shape) * 13 + sum(other))
    args = arguments(name, rng, shape, other)
    with np.errstate(all="ignore"):
        got = outcome(getattr(mod, name), *args)
        want = outcome(getattr(mod, f"_polyray_original_{name}"), *args)
    assert got[0] == want[0] and (got[0] != "ok" or same(got[1], want[1])), (name, got, want)
    # a stretched dimension of length 1 or a mismatch: the original, with NumPy's broadcasting or its error
    fits = shape[1] == other[1] if name == "filled" else shape == other or name in ("leaky", "band", "centered", "floor_mod")
    assert rt.history()[-1]["variant"] == ("cpu" if fits else "original")


@pytest.mark.parametrize("n", [0, 1, 9, 1000])
def test_close_mode_is_numbas_array_expression_per_element(mods, monkeypatch, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = mods["close"]
    rng = np.random.default_rng(n)
    t1, p1, t2, p2 = (rng.uniform(-3, 3, n) for _ in range(4))
    got = mod.arc_distance(t1, p1, t2, p2)
    assert rt.history()[-1]["variant"] == "cpu"
    want = mod._polyray_original_arc_distance(t1, p1, t2, p2)
    # the C library's functions per element: what Numba's array expressions computed before, bit for bit
    # (its sin, cos, arctan2 and ** are the elementwise ones the ULP table measured)
    assert same(got, numba.njit(mod._polyray_original_arc_distance)(t1, p1, t2, p2))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=64 * EPS, atol=64 * EPS)
    x, y = floats(rng, (n,)), floats(rng, (n,))
    with np.errstate(all="ignore"):
        got, want = mod.hypot(x, y), mod._polyray_original_hypot(x, y)
    assert rt.history()[-1]["variant"] == "cpu"
    assert same(got, numba.njit(mod._polyray_original_hypot)(x, y))
    # NaN and inf where NumPy has them; x**2 is x*x in both (no rounding but the sum's and sqrt's)
    assert same(np.isnan(got), np.isnan(want)) and same(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got, want, rtol=4 * EPS)
    z = rng.standard_normal(n) * 10
    got, want = mod.softmax(z) if n else None, mod._polyray_original_softmax(z) if n else None
    if n:
        assert rt.history()[-1]["variant"] == "cpu"
        # exp <= 2 ULP per element, the pairwise sum of positive terms and the division: a few ULP relative
        np.testing.assert_allclose(got, want, rtol=64 * EPS)


@pytest.mark.parametrize("n", [1, 9, 1000])
def test_close_mode_reductions_inside(mods, monkeypatch, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = mods["close"]
    a = np.random.default_rng(n).standard_normal(n) * 10 + 3
    for name in ("standardized", "softmax_inline"):
        with np.errstate(all="ignore"):
            got, want = getattr(mod, name)(a), getattr(mod, f"_polyray_original_{name}")(a)
        assert rt.history()[-1]["variant"] == "cpu"
        assert got.dtype == want.dtype and got.shape == want.shape
        if n == 1 and name == "standardized":
            # a std of 0: 0/0 is NaN in both
            assert np.isnan(got).all() and np.isnan(want).all()
        else:
            # the pairwise mean and sum, std's and exp's few ULP, one subtraction and division per element
            np.testing.assert_allclose(got, want, rtol=1e3 * EPS, atol=1e3 * EPS)


def test_reductions_inside_and_divisors_keep_the_originals_errors_and_warnings(mods, monkeypatch):
    import warnings

    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for mode in ("exact", "close"):
        mod = mods[mode]
        # np.max of an empty array raises ValueError; NaN is the max as in NumPy
        assert outcome(mod.centered, np.zeros((0, 3)))[0] == outcome(mod._polyray_original_centered, np.zeros((0, 3)))[0] == "ValueError"
        x = np.arange(12.0).reshape(3, 4)
        x[1, 2] = np.nan
        assert same(mod.centered(x), mod._polyray_original_centered(x))
        y = np.array([[-7, 7, 0, np.iinfo(np.int64).min], [np.iinfo(np.int64).max, -1, 1, -3]], dtype=np.int64)
        for d in (3, -3, 1, -2, 2**30):
            assert same(mod.floor_mod(y, np.int64(d)), mod._polyray_original_floor_mod(y, np.int64(d)))
            assert rt.history()[-1]["variant"] == "cpu"
        # a divisor of 0 (NumPy: 0 and a warning) or -1 (x // -1 wraps the most negative int64): the original
        for d in (0, -1):
            with warnings.catch_warnings(record=True) as got_w:
                warnings.simplefilter("always")
                got = mod.floor_mod(y, np.int64(d))
            assert rt.history()[-1]["variant"] == "original"
            with warnings.catch_warnings(record=True) as want_w:
                warnings.simplefilter("always")
                want = mod._polyray_original_floor_mod(y, np.int64(d))
            assert same(got, want) and [str(w.message) for w in got_w] == [str(w.message) for w in want_w]
            assert got_w or d == -1  # (x % -1 is 0 without a warning; compiled code's srem would trap on the minimum)


def test_close_mode_errors_as_the_original(mods, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = mods["close"]
    a, b = np.ones(5), np.ones(4)
    assert outcome(mod.arc_distance, a, a, a, b) == outcome(mod._polyray_original_arc_distance, a, a, a, b)
    assert rt.history()[-1]["variant"] == "original"
    # an empty array: np.max raises in both
    assert outcome(mod.softmax, np.zeros(0)) == outcome(mod._polyray_original_softmax, np.zeros(0))


def test_returned_arrays_as_gpu_kernels_under_the_simulator():
    """A returned expression with a GPU form is a kernel writing a new device array: the original's bits."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("POLYRAY_TARGET", None)
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("gpu_sim_returned.py"))], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 5, results
    for r in results:
        assert "error" not in r and r["has_gpu"] and r["variant"] == "gpu" and r["equal"], r
