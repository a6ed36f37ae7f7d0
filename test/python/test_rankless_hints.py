"""`A: npt.NDArray[np.float64]` names a dtype but no rank (issue 17): a function that uses a rank-dependent
form (axis=, np.diag, A.trace(), ravel, cumsum along an axis) takes the rank from each call, one signature per
rank, so those forms compile; one that uses none still compiles once, at definition, for any rank."""
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
from polyray.rankless import node_uses_rank, rankless_array_hint, uses_rank


def diag_scaled(A: npt.NDArray[np.float64], s: float) -> np.ndarray:
    d = np.diag(A)
    return d * s


def trace_ratio(A: npt.NDArray[np.float64]) -> float:
    n, m = A.shape
    return A.trace() / (n * m)


def row_peaks(A: npt.NDArray[np.float64]) -> np.ndarray:
    return A.argmax(axis=1)


def running_total(x: npt.NDArray[np.float64]) -> np.ndarray:
    return np.cumsum(x, axis=0)


def positive_columns(A: npt.NDArray[np.float64]) -> np.ndarray:
    mask = A > 0.0
    return mask.all(axis=0)


def fill_then_trace(A: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> float:
    out[:] = 1.0
    return np.trace(A)


def centered(x: npt.NDArray[np.float64]) -> np.ndarray:
    return x - np.mean(x)


def variants(name):
    return [r["variant"] for r in rt.history() if r["function"] == name]


def test_which_hints_are_rankless():
    assert rankless_array_hint(npt.NDArray[np.float64]) and rankless_array_hint("npt.NDArray[np.float64]")
    assert rankless_array_hint(np.ndarray[object, np.dtype[np.int64]]) is False
    assert rankless_array_hint("np.ndarray[Any, np.dtype[np.float64]]")
    assert not rankless_array_hint(np.ndarray[tuple[int, int], np.dtype[np.float64]])
    assert not rankless_array_hint("np.ndarray[tuple[int, int], np.dtype[np.float64]]")
    assert not rankless_array_hint(npt.NDArray) and not rankless_array_hint(np.ndarray) and not rankless_array_hint(float)
    assert uses_rank(row_peaks.__code__) and uses_rank(diag_scaled.__code__) and uses_rank(trace_ratio.__code__)
    assert uses_rank(running_total.__code__) and not uses_rank(centered.__code__)


def test_the_magic_reads_the_rank_forms_as_the_decorator_does():
    """The notebook magic has a cell's syntax tree, the decorator a function's code: node_uses_rank compiles the
    def and reads its code, so both decide alike, a nested helper's forms and a rank form as a method included."""
    source = inspect.getsource(sys.modules[__name__])
    defs = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    for fn in (diag_scaled, trace_ratio, row_peaks, running_total, positive_columns, fill_then_trace, centered):
        assert node_uses_rank(defs[fn.__name__]) == uses_rank(fn.__code__), fn.__name__
    cell = ("def outer(A):\n    def helper(B):\n        return B.sum(axis=1)\n    return helper(A)\n\n"
            "def flat(A):\n    return A.ravel() + 1.0\n\ndef plain(A):\n    axis = 1\n    return A * axis\n")
    found = {n.name: node_uses_rank(n) for n in ast.parse(cell).body}
    assert found == {"outer": True, "flat": True, "plain": False}


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_rank_dependent_forms_compile_per_rank(mode, monkeypatch):
    monkeypatch.setenv("POLYRAY_NUMERICS", mode)
    rng = np.random.default_rng(17)
    vector, matrix = rng.standard_normal(7), rng.standard_normal((5, 6))
    matrix[1, 2] = np.nan  # (argmax/all: NumPy's first NaN)
    for fn, arrays, extra in ((diag_scaled, (vector, matrix, matrix.T), (2.5,)),
                              (running_total, (vector, matrix), ()),
                              (row_peaks, (matrix, matrix[:, ::2]), ()),
                              (positive_columns, (vector, matrix), ()),
                              (trace_ratio, (matrix, np.asfortranarray(matrix)), ())):
        compiled = parallelize(fn)
        for a in arrays:
            ran = compare_with_original(compiled, fn, a, *extra)
            assert ran.status == "ok" and ran.variant == "cpu", (fn.__name__, a.ndim, ran.records)
        assert len(compiled.compiled) == len({a.ndim for a in arrays}), compiled.compiled  # one signature per rank


def test_bad_inputs_behave_as_the_original(monkeypatch):
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    fn = parallelize(trace_ratio)
    # a vector has no trace: ValueError in both (from A.shape's unpacking first)
    ran = compare_with_original(fn, trace_ratio, np.ones(4))
    assert ran.status == "ValueError"
    fn = parallelize(row_peaks)
    ran = compare_with_original(fn, row_peaks, np.ones(4), messages=False)
    assert ran.status == "AxisError"
    ran = compare_with_original(fn, row_peaks, np.ones((3, 0)), loose_messages=("ValueError",))
    assert ran.status == "ValueError"  # an empty axis
    # not an array: the original runs
    rt.clear_history()
    compare_with_original(fn, row_peaks, [[1.0, 2.0]])
    assert variants("row_peaks") == ["original"]
    # the write before the exception happens as in the original, and no other
    fn = parallelize(fill_then_trace)
    ran = compare_with_original(fn, fill_then_trace, np.ones(3), np.zeros(3))
    assert ran.status == "ValueError"
    ran = compare_with_original(fn, fill_then_trace, np.arange(9.0).reshape(3, 3), np.zeros(3))
    assert ran.status == "ok" and ran.variant == "cpu"


def test_rank_free_code_keeps_one_signature():
    fn = parallelize(centered)
    rng = np.random.default_rng(3)
    for a in (rng.random(5), rng.random((3, 4))):
        compare_with_original(fn, centered, a)
    assert list(fn.compiled) == [()]


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_the_magic_takes_the_rank_from_the_first_call(mode, tmp_path, monkeypatch):
    """%%parallelize: a function refused for an unknown rank is profiled, and its first call gives the rank."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("POLYRAY_NUMERICS", mode)
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "polyray")
    body = ("import numpy as np\nimport numpy.typing as npt\n\n"
            "def col_peaks(A: npt.NDArray[np.float64]) -> np.ndarray:\n"
            "    return A.argmax(axis=0)\n\n"
            "def first_rows(A: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> float:\n"
            "    out[:] = np.cumsum(A, axis=0)[0]\n"
            "    return np.trace(A)\n")
    ip.run_cell_magic("parallelize", "", body)
    A = np.random.default_rng(5).standard_normal((6, 4))
    fn = ip.user_ns["col_peaks"]
    ran = compare_with_original(fn, fn.fn, A)
    assert ran.variant == "cpu" and "specialized to A: np.ndarray[tuple[int, int]" in fn.note, (ran.records, fn.note)
    ran = compare_with_original(fn, fn.fn, np.ones(3))  # another rank: the original runs (one signature here)
    assert ran.status == "ok" and ran.variant == "original", ran.records
    fn = ip.user_ns["first_rows"]
    ran = compare_with_original(fn, fn.fn, A, np.zeros(4))
    assert ran.status == "ok" and ran.variant == "cpu", (ran.records, fn.note)
    ran = compare_with_original(fn, fn.fn, A[:, :3], np.zeros(4), loose_messages=("ValueError",))  # no write (Numba words it its way)
    assert ran.status == "ValueError"
