"""np.arange, argmax/argmin/any/all along axes, np.diag/np.diagonal of a matrix, np.trace and np.ravel/a.ravel()/a.flatten() (issue 17;
test/kernels/numpy_style/table_rows.py),
compiled in both numerics modes (run once when close mode generates exact mode's module line for line,
compiled.same_in_both_modes): every CPU variant against its original on good and bad inputs, bit for
bit (these rows are `exact`: NumPy's arange formula start + i*((start + step) - start), its first NaN
for argmax, np.trace's pairwise sum of the diagonal's view), exceptions of NumPy's type (a zero step: ZeroDivisionError; a NaN length: ValueError; an
empty line of argmax: ValueError; a write through a diagonal: ValueError), and no partial writes. None of these rows has a GPU form (whole-array
allocations and reductions: a kernel calling them gets no GPU variant, codegen/gpu-forms.ts)."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, compare_with_original, compile_and_import, same_in_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/table_rows.py"


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    return {mode: compile_and_import(SOURCE, tmp_path_factory.mktemp(f"rows_{mode}"), f"table_rows_{mode}", "--targets", "cpu", "--numerics", mode)
            for mode in ("exact", "close")}


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, modules):
    if request.param == "close" and same_in_both_modes(modules["exact"], modules["close"]):
        # every row here is `exact`: the same code in both modes, whose calls would compile it again for nothing
        pytest.skip("close mode generated exact mode's module line for line: exact mode's tests ran its calls")
    return modules[request.param]


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def check(mod, name, *args, compiled=True, kinds=(), loose=()):
    ran = compare_with_original(getattr(mod, name), getattr(mod, f"_polyray_original_{name}"), *args, kinds=kinds, loose_messages=loose)
    if compiled:
        assert ran.variant == "cpu", ran.records[-1:]
    return ran


NAMES = ["grid_points", "time_axis", "odd_indices", "countdown", "float_ticks", "weighted_positions", "sum_by_arange", "half_steps",
         "best_class", "nearest_center", "peak_rows", "int_votes", "rows_all_positive", "any_nonzero", "mask_summary", "filled_columns",
         "diag_scaled", "band_sum", "diagonal_of", "diag_sees_updates", "int_diag_shift", "trace_of", "traces", "int_trace", "trace_normalized",
         "flat_scaled", "zero_first_through_ravel", "ravel_then_update", "flatten_copy", "running_totals", "running_totals32", "first_hit"]


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n,dx", [(0, 0.1), (1, 0.1), (7, 0.1), (100, 1e-3), (-3, 2.0)])
def test_arange_times_step(mod, n, dx):
    check(mod, "grid_points", n, dx)


def test_float_arange_is_numpys_formula(mod):
    # start + i*((start + step) - start): Numba's start + i*step differs in about half of these
    rng = np.random.default_rng(17)
    for _ in range(120):
        a = float(rng.uniform(-10, 10))
        h = float(rng.uniform(1e-3, 3) * rng.choice([-1, 1]))
        b = a + h * int(rng.integers(0, 60)) + float(rng.uniform(-1, 1))
        check(mod, "time_axis", a, b, h)
    check(mod, "time_axis", 0.1, 2.3, 0.2)
    check(mod, "half_steps", 0.1, 9)


@pytest.mark.parametrize("args", [(0.0, 1.0, 0.0), (0.0, np.nan, 1.0), (np.nan, 1.0, 1.0), (0.0, np.inf, 1.0), (1.0, 0.0, 0.5), (0.0, 1e30, 1.0), (2.0, 2.0, 1.0)])
def test_arange_bad_and_empty(mod, args):
    # NumPy's own exceptions (ZeroDivisionError, ValueError), raised by NumPy itself through objmode
    ran = check(mod, "time_axis", *args)
    assert ran.status in ("ok", "ZeroDivisionError", "ValueError")


@pytest.mark.parametrize("n", [0, 1, 2, 10, 11, -4])
def test_int_aranges(mod, n):
    check(mod, "odd_indices", n)
    check(mod, "countdown", n)
    check(mod, "float_ticks", -n, 3 * n, 2)
    check(mod, "float_ticks", 3 * n, -n, -3)


def test_int_arange_zero_step_and_huge(mod):
    assert check(mod, "float_ticks", 0, 5, 0).status == "ZeroDivisionError"
    # magnitudes from 2**52: NumPy's Python ints, through NumPy itself
    check(mod, "float_ticks", 2**60, 2**60 + 3 * 2**8, 2**8, compiled=False)  # (the dispatcher may keep such ints in Python)
    check(mod, "float_ticks", 2**53, 2**53 + 6, 2, compiled=False)


@pytest.mark.parametrize("n", [0, 1, 5, 33])
def test_arange_in_expressions_and_loops(mod, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    check(mod, "weighted_positions", x)
    check(mod, "sum_by_arange", rng.standard_normal((n, 3)))


def nan_matrix(shape, seed):
    rng = np.random.default_rng(seed)
    A = np.round(rng.standard_normal(shape), 1)  # ties
    A[rng.random(shape) < 0.1] = np.nan
    A[rng.random(shape) < 0.05] = -0.0
    return A


@pytest.mark.parametrize("shape", [(4, 5), (1, 7), (6, 1), (30, 17)])
def test_arg_extremes_along_axes(mod, shape):
    for seed in range(4):
        A = nan_matrix(shape, seed)
        check(mod, "best_class", A)
        check(mod, "nearest_center", A)
        check(mod, "peak_rows", A)
        check(mod, "peak_rows", np.asfortranarray(A))
    check(mod, "int_votes", np.random.default_rng(1).integers(-2, 3, size=shape))
    check(mod, "first_hit", nan_matrix(shape, 5), 0.5)  # the first True of each row of a mask (0 where none)


def test_arg_extremes_of_empty_lines(mod):
    # NumPy: ValueError for an empty line, an empty result where there are no lines
    assert check(mod, "best_class", np.zeros((3, 0))).status == "ValueError"
    check(mod, "best_class", np.zeros((0, 3)))
    assert check(mod, "nearest_center", np.zeros((0, 3))).status == "ValueError"
    # an empty reduced axis raises even without lines (found by the fuzzer's TableFn, seed 171000042)
    assert check(mod, "best_class", np.zeros((0, 0))).status == "ValueError"
    assert check(mod, "peak_rows", np.zeros((0, 0))).status == "ValueError"


@pytest.mark.parametrize("shape", [(4, 5), (1, 1), (0, 3), (3, 0), (9, 2)])
def test_any_all_along_axes(mod, shape):
    A = nan_matrix(shape, 3)
    A[A != A] = 0.0 if shape[0] % 2 else np.nan  # NaN counts as true
    check(mod, "rows_all_positive", A)
    check(mod, "any_nonzero", A)
    check(mod, "any_nonzero", A[:, ::-1])
    check(mod, "filled_columns", nan_matrix(shape, 4))


@pytest.mark.parametrize("shape", [(3, 4, 2), (1, 1, 1), (0, 2, 3), (2, 3, 0)])
def test_any_all_of_3d_masks(mod, shape):
    M = np.random.default_rng(7).random(shape) < 0.7
    check(mod, "mask_summary", M)
    check(mod, "mask_summary", np.ones(shape, dtype=bool))





@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2), (1, 1), (0, 3), (3, 0)])
def test_diag_of_a_matrix(mod, shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    A = rng.standard_normal(shape)
    for B in (A, np.asfortranarray(A), np.ascontiguousarray(np.tile(A, (1, 2)))[:, ::2]):
        check(mod, "diag_scaled", B)
        for k in (-3, -1, 0, 1, 2, 7):
            check(mod, "band_sum", B, k, kinds=("float",))
        check(mod, "diagonal_of", B)
        # NumPy's read-only views, sharing the matrix's memory
        got, want = mod.diagonal_of(B), mod._polyray_original_diagonal_of(B)
        for g, w in zip(got, want):
            assert g.flags.writeable == w.flags.writeable == False  # noqa: E712
            assert np.shares_memory(g, B) == np.shares_memory(w, B)
        check(mod, "diag_sees_updates", B)
    check(mod, "int_diag_shift", rng.integers(-5, 5, size=shape))


def test_writes_through_a_diagonal_raise_as_numpys(mod):
    # NumPy's view is read-only: ValueError after the write to A[0, 0] (which both keep); the variant,
    # typed read-only, does not compile, so the original runs
    A = np.arange(9.0).reshape(3, 3)
    ran = check(mod, "write_through_diag", A, compiled=False)
    assert ran.status == "ValueError"


@pytest.mark.parametrize("n,m", [(4, 4), (3, 7), (9, 2), (1, 1), (0, 0), (0, 3), (129, 129), (300, 260)])
def test_trace_is_numpys_pairwise_sum(mod, n, m):
    # float64 in both modes: NumPy adds the diagonal's view pairwise, at its stride, on every layout
    rng = np.random.default_rng(n * 31 + m)
    A = rng.standard_normal((n, m)) * 10.0 ** rng.uniform(-6, 6, (n, m))
    for B in (A, np.asfortranarray(A), A[::-1, :], np.tile(A, (1, 2))[:, ::2]):
        check(mod, "trace_of", B)
        for k in (-2, 0, 1, m + 1):
            check(mod, "traces", B, k)
        check(mod, "trace_normalized", B)
    check(mod, "int_trace", rng.integers(-2**62, 2**62, size=(n, m)))  # wrapping as NumPy's


def test_trace_with_nan_and_inf(mod):
    A = np.eye(5)
    A[2, 2], A[3, 3] = np.nan, np.inf
    check(mod, "trace_of", A)
    A[2, 2] = -np.inf
    check(mod, "traces", A, 0)


def layouts(A):
    """A matrix in the layouts that decide whether NumPy's ravel is a view: C, F, strided, reversed,
    whole rows of a wider one (C-contiguous, typed 'A' by Numba), one row transposed (C-contiguous, typed 'F')."""
    return [A, np.asfortranarray(A), np.tile(A, (1, 2))[:, ::2], A[::-1], np.tile(A, (2, 1))[: A.shape[0]], np.ascontiguousarray(A[:1]).T.copy().T]


@pytest.mark.parametrize("shape", [(3, 4), (1, 5), (5, 1), (0, 3), (4, 0), (1, 1)])
def test_ravel_view_or_copy_as_numpys(mod, shape):
    A = np.random.default_rng(shape[0] * 5 + shape[1]).standard_normal(shape)
    for B in layouts(A):
        check(mod, "flat_scaled", B)
        for m in (0, 1, shape[1]):
            check(mod, "zero_first_through_ravel", B, m, kinds=("float",))  # A written through the view, or not
        check(mod, "ravel_then_update", B)  # the view sees the update, the copy does not
    check(mod, "flatten_copy", np.arange(24).reshape(2, 3, 4))
    check(mod, "flatten_copy", np.zeros((2, 0, 3), dtype=np.int64), loose=("IndexError",))  # f[0]: IndexError in both (Numba's words), nothing written


def test_ravel_shares_memory_as_numpys(mod):
    A = np.arange(12.0).reshape(3, 4)
    for B in layouts(A):
        got, want = mod.zero_first_through_ravel(B.copy(order="K"), 4), mod._polyray_original_zero_first_through_ravel(B.copy(order="K"), 4)
        assert type(got) is type(want) or float(got) == float(want)


@pytest.mark.parametrize("n", [0, 1, 3, 17])
def test_cumsum_keeps_leading_negative_zeros(mod, n):
    # NumPy's add.accumulate starts from the first element: -0.0, -0.0 + -0.0 stay -0.0 (Numba's from 0.0 gave +0.0;
    # found by the fuzzer's TableFn, seed 171000042)
    x = np.full(n, -0.0)
    if n > 2:
        x[2] = np.nan
    A = np.random.default_rng(n).standard_normal((n, 3))
    A[0:1, :2] = -0.0
    check(mod, "running_totals", x, A)
    check(mod, "running_totals", np.random.default_rng(1).standard_normal(n), np.asfortranarray(A))
    check(mod, "running_totals32", x.astype(np.float32))


def test_same_in_both_modes_sees_any_other_line(tmp_path):
    """The helper that runs a module once for both modes: only the `_polyray_numerics` line may differ."""
    from types import SimpleNamespace

    def module(name, *lines):
        (tmp_path / name).write_text("\n".join(["import numpy as np", *lines, "def f(a):", "    return a + 1"]) + "\n")
        return SimpleNamespace(__file__=str(tmp_path / name))

    exact = module("e.py", '_polyray_numerics = "exact"')
    assert same_in_both_modes(exact, module("c.py", '_polyray_numerics = "close"'))
    assert not same_in_both_modes(exact, module("c2.py", '_polyray_numerics = "close"', "x = 1"))
    assert not same_in_both_modes(exact, module("c3.py", '_polyray_numerics = "exact"'))
    (tmp_path / "c4.py").write_text((tmp_path / "c.py").read_text().replace("a + 1", "a + 2"))
    assert not same_in_both_modes(exact, SimpleNamespace(__file__=str(tmp_path / "c4.py")))
