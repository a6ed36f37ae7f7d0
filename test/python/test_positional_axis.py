"""The axis given by position on a rankless hint (issue 17): `np.sum(A, 0)`, `np.mean(A, 1)`, `np.cumsum(A, 0)`,
`A.sum(0)` need the array's rank as `axis=0` does, so @parallelize takes it from each call (one signature per
rank, polyray/rankless.py reads the calls' bytecode against rank_forms.json's positional_axis). Before, these
compiled once for any rank (1-d calls then ran the original) or were refused (cumsum)."""
from __future__ import annotations

import ast
import inspect
import sys

import numpy as np
import numpy.typing as npt
import pytest

import polyray.runtime as rt
from compiled import compare_with_original
from polyray import parallelize
from polyray.rankless import attribute_calls, node_uses_rank, uses_rank


def column_means(A: npt.NDArray[np.float64]) -> np.ndarray:
    return np.sum(A, 0) / A.shape[0]


def standardize_rows(A: npt.NDArray[np.float64]) -> np.ndarray:
    mu = np.mean(A, 1)
    sd = np.std(A, 1)
    return (A - mu[:, None]) / sd[:, None]


def running_totals(A: npt.NDArray[np.float64]) -> np.ndarray:
    return np.cumsum(A, 0)


def column_totals(A: npt.NDArray[np.float64]) -> np.ndarray:
    return A.sum(0)


def peak_rows(A: npt.NDArray[np.float64]) -> np.ndarray:
    n, m = A.shape
    return A.argmax(1) * m


def ranges(A: npt.NDArray[np.float64]) -> np.ndarray:
    return np.max(A, 0) - A.min(0)


def count_positive(K: npt.NDArray[np.int64]) -> np.ndarray:
    return np.sum(K > 0, 0)


def last_axis_products(A: npt.NDArray[np.float64]) -> np.ndarray:
    return np.cumprod(A, -1)


def fill_then_peaks(A: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
    out[:] = 2.0
    out[:] = np.max(A, 1)


def rank_free(A: npt.NDArray[np.float64]) -> float:
    return np.sum(A) + A.mean() + np.max(A, keepdims=True).sum() + np.sum(A, dtype=np.float64)


KERNELS = (column_means, standardize_rows, running_totals, column_totals, peak_rows, ranges, last_axis_products)


def test_the_bytecode_reads_each_axis_given_by_position():
    for fn in KERNELS + (count_positive, fill_then_peaks):
        assert uses_rank(fn.__code__), fn.__name__
    assert not uses_rank(rank_free.__code__)  # (no axis: still compiled once, for any rank)

    def nested(A, B, c):
        x = np.sum(A if c else B, 0)  # a conditional argument: the jump's depth followed
        y = np.mean(np.sum(A, 1)) + np.linalg.norm(A, 2, 0) + (A * 2).max(0) + np.sum(A, axis=0)
        return x + y + g(A.mean(), 1)  # noqa: F821 - never run

    got = list(attribute_calls(nested.__code__))
    assert ("sum", "function", 2) in got and ("norm", "function", 3) in got and ("max", "method", 1) in got
    assert ("mean", "function", 1) in got and ("mean", "method", 0) in got and ("sum", "function", 1) in got
    assert not uses_rank((lambda A: [np.sum(a) for a in A]).__code__)
    assert uses_rank((lambda A: [a.sum(0) for a in A]).__code__)  # (a comprehension's own code)
    # the notebook magic reads a def's syntax through the same code
    defs = {n.name: n for n in ast.parse(inspect.getsource(sys.modules[__name__])).body if isinstance(n, ast.FunctionDef)}
    for fn in KERNELS + (rank_free,):
        assert node_uses_rank(defs[fn.__name__]) == uses_rank(fn.__code__), fn.__name__


def variant_and_result(fn, a):
    rt.clear_history()
    got = fn(a)
    return rt.history()[-1]["variant"], got


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_axis_by_position_compiles_per_rank(mode, monkeypatch):
    """Rows of class exact (cumsum/cumprod along an axis, max/min, argmax, an int count) compile in both modes
    and give NumPy's bits; float sums and means (class reduction) compile in close mode only, within its bound
    (exact mode keeps the original: NumPy adds pairwise)."""
    monkeypatch.setenv("POLYRAY_NUMERICS", mode)
    rng = np.random.default_rng(170)
    vector, matrix, cube = rng.standard_normal(9), rng.standard_normal((6, 5)), rng.standard_normal((3, 4, 5))
    matrix[2, 3] = np.nan  # (argmax/max: NumPy's first NaN)
    wide = rng.standard_normal((3, 300))
    for fn, arrays in ((running_totals, (vector, matrix, matrix.T)), (ranges, (matrix, cube)),
                       (last_axis_products, (matrix,)), (peak_rows, (matrix,))):
        compiled = parallelize(fn)
        for a in arrays:
            ran = compare_with_original(compiled, fn, a)
            assert ran.status == "ok" and ran.variant == "cpu", (fn.__name__, a.ndim, ran.records)
        assert len(compiled.compiled) == len({a.ndim for a in arrays}), compiled.compiled  # one signature per rank
    counts = parallelize(count_positive)
    for K in (np.arange(-6, 6).reshape(3, 4), np.arange(-3, 4)):
        ran = compare_with_original(counts, count_positive, K)
        assert ran.status == "ok" and ran.variant == "cpu", ran.records
    for fn, arrays in ((column_means, (vector, wide.T)), (column_totals, (cube,)), (standardize_rows, (matrix, wide))):
        compiled = parallelize(fn)
        for a in arrays:
            variant, got = variant_and_result(compiled, a.copy())
            want = fn(a.copy())
            assert variant == ("cpu" if mode == "close" else "original"), (fn.__name__, a.shape, rt.history())
            assert got.shape == want.shape and got.dtype == want.dtype
            assert np.array_equal(np.isnan(got), np.isnan(want))
            # (the reduction bound of docs/reliability.md, c * log2(n) * eps * sum|terms|, generously: n <= 300)
            assert np.allclose(got, want, rtol=1e-13, atol=1e-13, equal_nan=True), (fn.__name__, a.shape)


def test_bad_inputs_behave_as_the_original(monkeypatch):
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    fn = parallelize(fill_then_peaks)
    # a vector has no axis 1: AxisError after out[:] = 2.0, in both (the same writes)
    ran = compare_with_original(fn, fill_then_peaks, np.ones(4), np.zeros(3))
    assert ran.status == "AxisError"
    ran = compare_with_original(fn, fill_then_peaks, np.ones((3, 4)), np.zeros(3))
    assert ran.status == "ok" and ran.variant == "cpu"
    # peaks that do not fit out: ValueError in both, after the same first write
    ran = compare_with_original(fn, fill_then_peaks, np.ones((3, 4)), np.zeros(2), loose_messages=("ValueError",))
    assert ran.status == "ValueError"
    # an empty axis: argmax raises ValueError in both
    fn = parallelize(peak_rows)
    ran = compare_with_original(fn, peak_rows, np.ones((3, 0)), loose_messages=("ValueError",))
    assert ran.status == "ValueError"
    ran = compare_with_original(fn, peak_rows, np.ones(3), messages=False)
    assert ran.status == "ValueError"  # (n, m = A.shape of a vector)
    # not an array: the original runs (and raises: a list has no .sum)
    ran = compare_with_original(parallelize(column_totals), column_totals, [[1.0, 2.0], [3.0, 4.0]])
    assert ran.status == "AttributeError" and ran.variant == "original"
