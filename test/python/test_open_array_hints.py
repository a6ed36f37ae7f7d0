"""`x: np.ndarray` (or `npt.NDArray`) without dtype or rank: @parallelize specializes it on the first call, as
issue 17 asks, so the kernels scientists hint this way compile (found by bench/everyday: trapezoid, logsumexp,
lu_nopivot, clean_series, standardize... were refused for "unknown-dtype elements" before)."""
from __future__ import annotations

import ast
import textwrap

import numpy as np
import numpy.typing as npt
import pytest

import polyray.runtime as rt
from compiled import compare_with_original
from polyray import parallelize
from polyray.profiling import hinted_source, open_array_hint


def trapezoid(y: np.ndarray, dx: float) -> float:
    return dx / 2.0 * (y[0] + 2.0 * np.sum(y[1:-1]) + y[-1])


def clean(x: npt.NDArray, lo: float) -> np.ndarray:
    y = x.copy()
    y[np.isnan(y)] = 0.0
    y[y < lo] = lo
    return y


def eliminate(A: np.ndarray, L: np.ndarray) -> None:
    n = A.shape[0]
    for k in range(n - 1):
        for i in range(k + 1, n):
            L[i, k] = A[i, k] / A[k, k]
            A[i, k:] -= L[i, k] * A[k, k:]


def variants(name):
    return [r["variant"] for r in rt.history() if r["function"] == name]


def test_which_hints_are_open():
    assert open_array_hint(np.ndarray) and open_array_hint(npt.NDArray)
    assert open_array_hint("np.ndarray") and open_array_hint(" npt.NDArray") and open_array_hint("numpy.ndarray")
    assert not open_array_hint(npt.NDArray[np.float64]) and not open_array_hint("npt.NDArray[np.float64]")
    assert not open_array_hint(np.ndarray[tuple[int], np.dtype[np.float64]]) and not open_array_hint(int)
    assert not open_array_hint(float) and not open_array_hint("list")


def test_hinted_source_replaces_an_open_hint_and_keeps_the_others():
    src = "\ndef f(a: np.ndarray, b: float, c):\n    return a\n"
    node = ast.parse(textwrap.dedent(src[1:])).body[0]
    out = hinted_source(src, node, {"a": "npt.NDArray[np.int64]", "c": "int"})
    assert out.split("\n")[1] == "def f(a: npt.NDArray[np.int64], b: float, c: int):"


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_open_hints_compile_for_the_argument_types(mode, monkeypatch):
    monkeypatch.setenv("POLYRAY_NUMERICS", mode)
    rng = np.random.default_rng(7)
    fn = parallelize(trapezoid)
    # (a float32 sum compiles in close mode only: NumPy's float32 pairwise order is not reproduced)
    arrays = [rng.random(1001), np.arange(9)] + ([rng.random(10).astype(np.float32)] if mode == "close" else [])
    for y in arrays:
        rt.clear_history()
        if mode == "exact":
            compare_with_original(fn, trapezoid, y, 0.5, kinds=("float",))
        else:  # close: a blocked sum, within float32's bound for the float32 array
            got, want = fn(y, 0.5), trapezoid(y, 0.5)
            assert abs(got - want) <= 1e-5 * abs(want) and type(got) is type(want), (got, want)
        assert variants("trapezoid") == ["cpu"], (y.dtype, rt.history())
    assert len(fn.compiled) == len(arrays)  # one signature per dtype
    x = rng.standard_normal(500)
    x[::7] = np.nan
    fn = parallelize(clean)
    compare_with_original(fn, clean, x, -1.0)
    assert variants("clean") == ["cpu"]
    A = rng.random((30, 30)) + 30 * np.eye(30)
    fn = parallelize(eliminate)
    rt.clear_history()
    compare_with_original(fn, eliminate, A, np.eye(30))
    assert variants("eliminate") == ["cpu"]


def test_bad_inputs_behave_as_the_original(monkeypatch):
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    fn = parallelize(trapezoid)
    # not an array where the hint says one: the original runs, and says why
    rt.clear_history()
    compare_with_original(fn, trapezoid, [1.0, 2.0, 3.0], 1.0)
    assert variants("trapezoid") == ["original"] and "no hint for parameter y (list)" in rt.history()[0]["reason"]
    # an empty array: IndexError from y[0] in both
    rt.clear_history()
    ran = compare_with_original(fn, trapezoid, np.zeros(0), 1.0, loose_messages=("IndexError",))  # Numba words it its way
    assert ran.status == "IndexError"
    # another rank is another signature, with the original's outcome
    compare_with_original(fn, trapezoid, np.ones((4, 3)), 1.0)
    fn = parallelize(eliminate)
    # a zero pivot: the same inf/nan writes as NumPy, no exception
    compare_with_original(fn, eliminate, np.zeros((4, 4)), np.eye(4))
