"""Bad inputs against a compiled module: the result (or exception) and the
partial writes must be exactly the original's, and the history must say which
variant ran and why."""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test/kernels/traps/traps.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("traps"), "traps_compiled")


def outcome(fn, *args):
    """(kind, value) of a call: the result, or the exception type and message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return ("ok", fn(*args))
        except Exception as exc:  # noqa: BLE001 - comparing exceptions is the point
            return (type(exc).__name__, str(exc))


def last():
    return rt.history()[-1]


def same(a, b):
    if a[0] == "ok" and b[0] == "ok" and isinstance(a[1], float) and math.isnan(a[1]):
        return math.isnan(b[1])
    return a == b


def test_python_float_division_by_zero_raises_in_the_cpu_variant(mod):
    rt.clear_history()
    assert outcome(mod.ratio, 1.0, 0.0) == outcome(mod._polyray_original_ratio, 1.0, 0.0)
    assert last()["variant"] == "cpu"
    assert outcome(mod.ratio, 3.0, 2.0) == ("ok", 1.5)


def test_numpy_scalar_division_by_zero_gives_inf_as_numpy_does(mod):
    a, b = np.float64(1.0), np.float64(0.0)
    assert outcome(mod.ratio, a, b) == outcome(mod._polyray_original_ratio, a, b) == ("ok", math.inf)
    # a NumPy scalar where the variant reproduces CPython semantics: the original runs
    assert last()["variant"] == "original"
    assert "Python float" in last()["reason"]
    x = np.array([1.0])
    assert outcome(mod.scaled_ratio, x, 0.0) == ("ok", math.inf)
    assert last()["variant"] == "cpu"


@pytest.mark.parametrize("bad", [[1.0, 2.0, 3.0], np.zeros(4, dtype=np.float32), np.zeros((2, 2)), 7])
def test_wrong_argument_types_run_the_original(mod, bad):
    got = outcome(mod.shift_right, bad, 1)
    ref_arg = bad.copy() if hasattr(bad, "copy") else bad
    want = outcome(mod._polyray_original_shift_right, ref_arg, 1)
    assert got[0] == want[0]
    assert last()["variant"] == "original"
    assert "argument 'x'" in last()["reason"]


def test_int_where_float_hinted_runs_the_original(mod):
    assert outcome(mod.ratio, 1, 2) == ("ok", 0.5)
    assert last()["variant"] == "original"


def test_out_of_bounds_raises_indexerror_after_the_same_partial_writes(mod):
    x, y = np.arange(5.0), np.arange(5.0)
    got = outcome(mod.shift_right, x, 5)
    want = outcome(mod._polyray_original_shift_right, y, 5)
    assert got[0] == want[0] == "IndexError"
    # the sequential variant runs without Numba's bounds checks behind isl's guard,
    # which sees x[i + 1] leave x at i = 4: the original runs and raises
    assert last()["variant"] == "original" and "out of bounds" in last()["reason"]
    np.testing.assert_array_equal(x, y)
    x, y = np.arange(6.0), np.arange(6.0)
    assert outcome(mod.shift_right, x, 5) == outcome(mod._polyray_original_shift_right, y, 5) == ("ok", None)
    assert last()["variant"] == "cpu"
    np.testing.assert_array_equal(x, y)


def test_negative_indices_wrap_like_python(mod):
    # running() carries a dependence, so its CPU variant is sequential; x[i - 1] at i = 0 is
    # x[-1], the last element, in the model as in Python (poly/negative-indices.ts): the
    # variant runs and wraps as Python does; past -len(x) the original raises IndexError.
    x, y = np.arange(6.0), np.arange(6.0)
    assert same(outcome(mod.running, x, 6), outcome(mod._polyray_original_running, y, 6))
    assert last()["variant"] == "cpu"
    np.testing.assert_array_equal(x, y)
    x, y = np.arange(6.0), np.arange(6.0)
    assert outcome(mod.running, x, 8)[0] == outcome(mod._polyray_original_running, y, 8)[0] == "IndexError"
    np.testing.assert_array_equal(x, y)


def test_negative_or_out_of_bounds_subscripts_keep_a_parallel_variant_from_running(mod):
    # fill_from's loop is parallel; isl's bounds guard sees that start < 0 would
    # index from the end, so the original runs (and wraps, as Python does).
    x, y = np.zeros(6), np.zeros(6)
    assert same(outcome(mod.fill_from, x, -3, 3), outcome(mod._polyray_original_fill_from, y, -3, 3))
    assert last()["variant"] == "original"
    assert "out of bounds" in last()["reason"]
    np.testing.assert_array_equal(x, y)
    x, y = np.zeros(6), np.zeros(6)
    got, want = outcome(mod.fill_from, x, -8, 3), outcome(mod._polyray_original_fill_from, y, -8, 3)
    assert got[0] == want[0] == "IndexError"
    np.testing.assert_array_equal(x, y)
    x, y = np.zeros(6), np.zeros(6)
    got, want = outcome(mod.fill_from, x, 4, 3), outcome(mod._polyray_original_fill_from, y, 4, 3)
    assert got[0] == want[0] == "IndexError"
    np.testing.assert_array_equal(x, y)
    x = np.zeros(6)
    mod.fill_from(x, 1, 5)
    assert last()["variant"] == "cpu"
    np.testing.assert_array_equal(x, [0.0, 0.0, 2.0, 4.0, 6.0, 8.0])


def test_overlapping_views_run_the_original(mod):
    base, ref = np.arange(10.0), np.arange(10.0)
    mod.copy_into(base[1:], base[:-1], 9)
    mod._polyray_original_copy_into(ref[1:], ref[:-1], 9)
    np.testing.assert_array_equal(base, ref)
    assert last()["variant"] == "original"
    assert "shares memory" in last()["reason"]
    same_array = np.arange(4.0)
    mod.copy_into(same_array, same_array, 4)
    assert last()["variant"] == "original"
    np.testing.assert_array_equal(same_array, np.arange(4.0) + 1.0)
    dst, src = np.zeros(4), np.arange(4.0)
    mod.copy_into(dst, src, 4)
    assert last()["variant"] == "cpu"
    np.testing.assert_array_equal(dst, src + 1.0)


def test_math_domain_error_is_raised_like_cpython(mod):
    x, y = np.array([4.0, -1.0]), np.array([4.0, -1.0])
    assert outcome(mod.root_sum, x, 2) == outcome(mod._polyray_original_root_sum, y, 2) == ("ValueError", "math domain error")
    assert last()["variant"] == "cpu"


def test_python_int_floor_division_by_zero_raises(mod):
    assert outcome(mod.int_floordiv, 7, 0) == outcome(mod._polyray_original_int_floordiv, 7, 0)
    assert last()["variant"] == "cpu"
    assert outcome(mod.int_floordiv, -7, 2) == ("ok", -4)
    assert outcome(mod.int_floordiv, 2**40, 3) == ("ok", 2**40 // 3)
    assert last()["variant"] == "original"


def test_forced_targets(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    mod.ratio(1.0, 2.0)
    assert last()["variant"] == "original"
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.ratio(1.0, 2.0)
    assert last()["variant"] == "cpu"
    assert "gpu" in last()["reason"]


def test_parameter_only_helpers_are_checked_by_the_guard_so_the_loop_runs_in_parallel(mod):
    text = open(mod.__file__).read()
    cpu = text.split("def _polyray_cpu_scale_rows")[1].split("_polyray_dispatch_scale_rows")[0]
    assert "_polyray_prange(" in cpu and "_polyray_h_" not in cpu, cpu
    x, y = np.arange(6.0), np.arange(6.0)
    mod.scale_rows(x, 6, 4.0, 2.0)
    assert last()["variant"] == "cpu"
    mod._polyray_original_scale_rows(y, 6, 4.0, 2.0)
    np.testing.assert_array_equal(x, y)
    for a, b in ((1.0, 0.0), (-1.0, 2.0)):
        x, y = np.arange(6.0), np.arange(6.0)
        got, want = outcome(mod.scale_rows, x, 6, a, b), outcome(mod._polyray_original_scale_rows, y, 6, a, b)
        assert got == want and got[0] in ("ZeroDivisionError", "ValueError"), (got, want)
        assert last()["variant"] == "original" and "would raise" in last()["reason"], last()
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("layout", ["strided", "transposed", "fortran"])
def test_non_contiguous_views_give_the_originals_results(tmp_path_factory, monkeypatch, layout):
    """Strided, transposed and Fortran-ordered views through parallel, lowered and speculative code."""
    import sys

    sys.path.insert(0, str(ROOT / "test/kernels/polybench"))
    try:
        import specs  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp(f"views_{layout}")
    # exact mode: gemm's parallel loops bit for bit (close mode runs its product through BLAS, views
    # included: test_product_loops.py)
    gemm = compile_and_import(ROOT / "test/kernels/polybench/gemm.py", out, f"views_gemm_{layout}", "--targets", "cpu", "--numerics", "exact")
    lowered = compile_and_import(ROOT / "test/kernels/extra/lowered.py", out, f"views_lowered_{layout}", "--targets", "cpu")
    spec = compile_and_import(ROOT / "test/kernels/extra/speculative.py", out, f"views_spec_{layout}", "--targets", "cpu")
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")  # the parallel form even on small arrays

    def view(a):
        if a.ndim < 2:
            return np.repeat(a, 2)[::2] if layout == "strided" else a
        if layout == "strided":
            return np.repeat(a, 2, axis=1)[:, ::2]
        if layout == "transposed":
            return np.ascontiguousarray(a.T).T
        return np.asfortranarray(a)

    rng = np.random.default_rng(3)
    args = specs.build_args("gemm", specs.SIZES["gemm"]["MINI"], rng)
    args = [view(a) if isinstance(a, np.ndarray) else a for a in args]
    ref = [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]
    gemm.kernel_gemm(*args)
    gemm._polyray_original_kernel_gemm(*ref)
    assert rt.history()[-1]["variant"] == "cpu"
    np.testing.assert_array_equal(args[5], ref[5])

    C = view(rng.standard_normal((6, 5)))
    A = view(rng.standard_normal((6, 5)))
    C[2, 3], A[1, 1] = np.nan, -np.inf
    C2 = C.copy(order="K")
    assert outcome(lowered.scale_rows, C, A, 6, -0.5) == outcome(lowered._polyray_original_scale_rows, C2, A, 6, -0.5)
    assert rt.history()[-1]["variant"] == "cpu"
    np.testing.assert_array_equal(C, C2)

    X = view(np.abs(rng.standard_normal((5, 5))) + 0.5)
    X[3, 2] = 0.0  # log(0) raises: the speculative run restores Y, the original raises
    Y1, Y2 = view(np.zeros((5, 5))), view(np.zeros((5, 5)))
    assert outcome(spec.logs_then_scale, 5, X, Y1, 2.0) == outcome(spec._polyray_original_logs_then_scale, 5, X, Y2, 2.0)
    np.testing.assert_array_equal(Y1, Y2)
    assert rt.history()[-1]["variant"] == "original"
