"""Which exception NumPy raises when several checks fail at once, compiled in both numerics modes
(fuzzer findings of issue 17, seeds 71000120 and 71000187):

- np.average(X, axis=k) without weights is X.mean(axis=k) (close_reductions.axis_average), then NumPy's
  scale a.size / avg.size: ZeroDivisionError whenever the result is empty (another axis has length 0),
  for any rank, tuple of axes and keepdims; weights= keep their own checks (array_helpers).
- `X[ii, jj] = vals` checks as NumPy does: index arrays broadcast together (IndexError), then the values'
  shape against the result's (ValueError), then the bounds (IndexError); nothing written when one fails.
  The augmented `X[ii, jj] += vals` reads X[ii, jj] first, so there an index out of range wins: it keeps
  the original (types/check-assignments.ts refuses += through an index array).
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np


    def row_means(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
        n, m = X.shape
        return np.average(X, axis=1)


    def column_profile(X: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
        prof = np.average(X, axis=0, keepdims=True)
        return X - prof


    def plane_means(V: np.ndarray[tuple[int, int, int], np.dtype[np.int64]]):
        return np.average(V, axis=(0, 2))


    def overall(V: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]):
        return np.average(V, axis=(0, 1, 2))


    def weighted_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]):
        return np.average(X, axis=1, weights=w)


    def scatter(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], ii: np.ndarray[tuple[int], np.dtype[np.int64]],
                jj: np.ndarray[tuple[int], np.dtype[np.int64]], vals: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        X[ii, jj] = vals


    def accumulate(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], ii: np.ndarray[tuple[int], np.dtype[np.int64]],
                   jj: np.ndarray[tuple[int], np.dtype[np.int64]], vals: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        X[ii, jj] += vals


    def scatter3(V: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], a: np.ndarray[tuple[int], np.dtype[np.int64]],
                 b: np.ndarray[tuple[int], np.dtype[np.int64]], c: np.ndarray[tuple[int], np.dtype[np.int64]],
                 vals: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        V[a, b, c] = vals


    def put_values(x: np.ndarray[tuple[int], np.dtype[np.float64]], idx: np.ndarray[tuple[int], np.dtype[np.int64]],
                   vals: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        x[idx] = vals


    def add_values(x: np.ndarray[tuple[int], np.dtype[np.float64]], idx: np.ndarray[tuple[int], np.dtype[np.int64]],
                   vals: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        x[idx] += vals
''')

LOOSE = ("IndexError", "ValueError")  # the helpers word NumPy's messages without the shapes


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"exception_order_{request.param}")
    src = d / "exception_order_kernels.py"
    src.write_text(KERNELS)
    m = compile_and_import(src, d, f"exception_order_kernels_{request.param}", "--numerics", request.param)
    m.numerics = request.param
    return m


def test_average_of_an_empty_result_raises_zero_division(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    if mod.numerics == "exact":
        # means along an axis are reductions NumPy adds in its own order: exact mode keeps the originals
        assert not any(hasattr(mod, f"_polyray_original_{f}") for f in ("row_means", "column_profile", "plane_means", "overall"))
        return
    rng = np.random.default_rng(3)
    for shape, status in (((0, 3), "ZeroDivisionError"), ((0, 1), "ZeroDivisionError"), ((3, 0), "ok"), ((4, 5), "ok")):
        ran = run_both(mod, "row_means", rng.standard_normal(shape))
        assert (ran.status, ran.variant) == (status, "cpu"), shape
    for shape, status in (((3, 0), "ZeroDivisionError"), ((0, 3), "ok"), ((2, 3), "ok")):
        ran = run_both(mod, "column_profile", rng.standard_normal(shape).astype(np.float32))
        assert (ran.status, ran.variant) == (status, "cpu"), shape
    for shape, status in (((2, 0, 3), "ZeroDivisionError"), ((0, 2, 3), "ok"), ((2, 3, 0), "ok"), ((2, 3, 4), "ok")):
        ran = run_both(mod, "plane_means", rng.integers(-9, 9, shape))
        assert (ran.status, ran.variant) == (status, "cpu"), shape
    # every axis reduced: one element, never empty (NumPy's mean of nothing, nan)
    ran = run_both(mod, "overall", np.zeros((0, 2, 3)))
    assert (ran.status, ran.variant) == ("ok", "cpu")


def test_weighted_average_keeps_its_own_checks(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    if mod.numerics == "exact":
        assert not hasattr(mod, "_polyray_original_weighted_rows")  # sums along an axis: close mode only
        return
    rng = np.random.default_rng(4)
    assert run_both(mod, "weighted_rows", rng.standard_normal((0, 3)), rng.random(3)).status == "ok"  # empty rows: no weight sums to 0
    assert run_both(mod, "weighted_rows", np.zeros((3, 0)), np.zeros(0)).status == "ZeroDivisionError"
    assert run_both(mod, "weighted_rows", rng.standard_normal((2, 3)), rng.random(2), loose_messages=LOOSE).status == "ValueError"


def test_index_store_checks_the_values_before_the_bounds(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    X = np.array([[-5.685, 5.801], [-4.384, -2.728]])
    ran = run_both(mod, "scatter", X, np.array([2]), np.array([-1]), np.array([-0.326, 9.931]), loose_messages=LOOSE)
    assert (ran.status, ran.variant) == ("ValueError", "cpu")  # fuzz seed 71000187: the value shape first
    grid = np.zeros((3, 4))
    rows, cols = np.array([0, 2, 1]), np.array([3, 0, -4])
    assert run_both(mod, "scatter", grid, rows, cols, np.array([1.0, 2.0, 3.0])).status == "ok"
    assert run_both(mod, "scatter", grid, rows, cols, np.array([7.0])).status == "ok"  # one value broadcasts
    assert run_both(mod, "scatter", grid, rows, np.array([3, 0, 9]), np.array([1.0, 2.0, 3.0]), loose_messages=LOOSE).status == "IndexError"
    assert run_both(mod, "scatter", grid, rows, np.array([3, 0, 9]), np.array([1.0, 2.0]), loose_messages=LOOSE).status == "ValueError"
    # index arrays that do not broadcast win over both
    assert run_both(mod, "scatter", grid, rows, np.array([0, 9]), np.array([1.0, 2.0]), loose_messages=LOOSE).status == "IndexError"
    V = np.zeros((2, 3, 4))
    a, b, c = np.array([0, 1]), np.array([2, 5]), np.array([3, 0])
    assert run_both(mod, "scatter3", V, a, b, c, np.ones(3), loose_messages=LOOSE).status == "ValueError"
    assert run_both(mod, "scatter3", V, a, b, c, np.ones(2), loose_messages=LOOSE).status == "IndexError"
    x = np.arange(5.0)
    assert run_both(mod, "put_values", x, np.array([0, 7]), np.ones(3), loose_messages=LOOSE).status == "ValueError"
    assert run_both(mod, "put_values", x, np.array([0, 7]), np.ones(2), loose_messages=LOOSE).status == "IndexError"


def test_augmented_index_store_keeps_the_original(mod, monkeypatch):
    # X[ii, jj] += vals is X[ii, jj] = X[ii, jj] + vals, once per distinct index, and its read raises
    # IndexError before the add's ValueError: the checker refuses it, so NumPy's own order always runs
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert not hasattr(mod, "_polyray_original_accumulate") and not hasattr(mod, "_polyray_original_add_values")
    with pytest.raises(IndexError):
        mod.accumulate(np.zeros((2, 2)), np.array([2]), np.array([-1]), np.array([1.0, 2.0]))
    with pytest.raises(IndexError):
        mod.add_values(np.zeros(5), np.array([0, 7]), np.ones(3))
