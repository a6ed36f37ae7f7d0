"""NumPy functions added to the table (src/compiler/types/numpy-table.ts), in scientist-style
kernels (test/kernels/numpy_style/table_functions.py): compiled in both numerics modes, each
CPU variant against its original on good and bad inputs. `exact`: bit for bit, exceptions
of the same type, the same writes. `close`: only the rows whose class allows it may differ,
within their stated bound (np.linalg.cholesky: LAPACK from another build)."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compare_with_original, compile_and_import, twin_for

SOURCE = ROOT / "test/kernels/numpy_style/table_functions.py"
EPS = np.finfo(np.float64).eps


_MODULES: dict = {}


def _compiled(mode, tmp_path_factory):
    if mode not in _MODULES:
        m = compile_and_import(SOURCE, tmp_path_factory.mktemp(f"table_{mode}"), f"table_functions_{mode}", "--targets", "cpu", "--numerics", mode)
        m.MODE = mode
        _MODULES[mode] = m
    return _MODULES[mode]


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    m = _compiled(request.param, tmp_path_factory)
    if request.param == "close":
        m.EXACT = _compiled("exact", tmp_path_factory)  # compiled.twin_for: its functions generated the same
    return m


def run_both(mod, name, *args, compiled=True):
    """Calls the function (CPU target) and its original on copies; asserts the same outcome (the exception type:
    Numba words some messages its own way) and writes, bit for bit, and the CPU variant ran where compiled.
    In close mode a function generated as in exact mode runs exact mode's module (compiled.twin_for): the
    same code, already compiled; only the ~10 functions the modes generate differently compile twice."""
    # (a function the mode refuses is its original itself)
    mod = twin_for(mod, name)
    ran = compare_with_original(getattr(mod, name), getattr(mod, f"_polyray_original_{name}", getattr(mod, name)), *args, messages=False)
    if ran.status == "ok" and compiled:
        assert ran.variant == "cpu", ran.records[-1:]
    return ran.got


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def test_every_function_has_a_cpu_variant(mod):
    names = ["block_sums", "scale_as_grid", "stack_rows", "mirror_blend", "flip_both", "in_band", "count_inside", "grid_line",
             "floyd_warshall", "pair_tables", "int_pairs", "running_rows", "split_triangles"]
    for name in names:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    # LAPACK through Numba is another build: compiled in close mode only
    assert hasattr(mod, "_polyray_cpu_cholesky_in_place") == (mod.MODE == "close")
    assert hasattr(mod, "_polyray_cpu_doitgen") == (mod.MODE == "close")


@pytest.mark.parametrize("n,nb", [(12, 3), (12, 4), (12, 5), (0, 2), (7, 1)])
def test_reshape_method_with_dimensions(mod, n, nb):
    x = np.random.default_rng(n + nb).standard_normal(n)
    run_both(mod, "block_sums", x, nb)  # 12 into 5 rows: ValueError in both


@pytest.mark.parametrize("n,m,size", [(3, 4, 12), (2, 5, 10), (3, 4, 11), (0, 4, 0)])
def test_reshape_view_writes_through(mod, n, m, size):
    v = np.random.default_rng(size).standard_normal(size)
    got = run_both(mod, "scale_as_grid", v, n, m)
    if got[0] == "ok":
        assert got[1].base is not None  # a view of v, as NumPy's


def test_reshape_of_a_strided_or_fortran_array_runs_the_original(mod):
    A = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    run_both(mod, "stack_rows", A, compiled=False)
    B = np.arange(24.0).reshape(3, 8)[:, ::2]
    run_both(mod, "stack_rows", B, compiled=False)
    run_both(mod, "stack_rows", np.arange(12.0).reshape(3, 4))


@pytest.mark.parametrize("n", [0, 1, 2, 9, 40])
def test_flip_in_an_update_that_reads_what_it_writes(mod, n):
    run_both(mod, "mirror_blend", np.random.default_rng(n).standard_normal(n), 0.3)


@pytest.mark.parametrize("shape", [(3, 4), (1, 5), (0, 2)])
def test_flipud_fliplr(mod, shape):
    run_both(mod, "flip_both", np.random.default_rng(7).standard_normal(shape))


def test_logical_functions(mod):
    r = np.random.default_rng(3).random(50)
    r[[3, 9]] = np.nan
    run_both(mod, "in_band", r, 0.2, 0.7)
    run_both(mod, "count_inside", r - 0.5, -0.2, 0.3)
    run_both(mod, "in_band", r[:0], 0.2, 0.7)


@pytest.mark.parametrize("lo,hi,n", [(0.0, 1.0, 50), (-2.5, 1.3, 7), (1.0, 1.0, 5), (3.0, -1e-300, 33), (0.0, 1e-310, 4),
                                     (0.1, 0.2, 1), (0.1, 0.2, 0), (0.0, 1.0, -1), (-1e308, 1e308, 9)])
def test_linspace_bits(mod, lo, hi, n):
    run_both(mod, "grid_line", lo, hi, n)


@pytest.mark.parametrize("n", [1, 2, 6, 17])
def test_ufunc_outer_floyd_warshall(mod, n):
    rng = np.random.default_rng(n)
    path = rng.integers(1, 20, (n, n)).astype(np.float64)
    path[rng.random((n, n)) < 0.2] = np.inf
    run_both(mod, "floyd_warshall", path)


def test_ufunc_outer_tables(mod):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(6), rng.standard_normal(4)
    y[1] = 0.0
    x[2] = np.nan
    run_both(mod, "pair_tables", x, y)
    run_both(mod, "pair_tables", x[:0], y)
    run_both(mod, "int_pairs", np.arange(-3, 4), np.array([2**62, -5, 0]))


@pytest.mark.parametrize("shape", [(4, 6), (1, 1), (3, 1)])
def test_ndarray_as_an_allocation(mod, shape):
    run_both(mod, "running_rows", np.random.default_rng(1).standard_normal(shape))


def test_triu_tril(mod):
    run_both(mod, "split_triangles", np.random.default_rng(2).standard_normal((5, 5)))
    run_both(mod, "split_triangles", np.random.default_rng(2).standard_normal((3, 6)))


@pytest.mark.parametrize("n", [1, 4, 30])
def test_cholesky_close_within_its_bound(mod, n):
    rng = np.random.default_rng(n)
    M = rng.standard_normal((n, n))
    A = M @ M.T + n * np.eye(n)
    if mod.MODE == "exact":
        pytest.skip("exact mode keeps the original (checked above)")
    mine, theirs = A.copy(), A.copy()
    mod.cholesky_in_place(mine)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_cholesky_in_place(theirs)
    # both backward stable: entries within a small multiple of n * eps * ||A|| / ||L|| of each other
    assert np.all(np.abs(mine - theirs) <= 8 * n * EPS * np.abs(A).max() ** 0.5)


def test_cholesky_bad_inputs_raise_the_same(mod):
    if mod.MODE == "exact":
        pytest.skip("exact mode keeps the original")
    run_both(mod, "cholesky_in_place", np.array([[1.0, 2.0], [2.0, 1.0]]), compiled=False)  # not positive definite
    run_both(mod, "cholesky_in_place", np.array([[np.nan, 0.0], [0.0, 1.0]]), compiled=False)


@pytest.mark.parametrize("shape,k", [((3, 4, 5), 5), ((2, 1, 6), 6), ((0, 3, 4), 4), ((2, 3, 4), 5)])
def test_stacked_matrices_times_a_matrix(mod, shape, k):
    """doitgen: a 4-d stack @ a matrix, through BLAS: compiled in close mode within the product bound."""
    rng = np.random.default_rng(k)
    A, C4 = rng.standard_normal(shape), rng.standard_normal((k, k))
    if mod.MODE == "exact" or shape[2] != k:
        run_both(mod, "doitgen", A, C4, compiled=False)  # exact: the original (another BLAS); mismatch: ValueError in both
        return
    mine, theirs = A.copy(), A.copy()
    mod.doitgen(mine, C4)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_doitgen(theirs, C4)
    bound = 1.01 * k * EPS * (np.abs(A) @ np.abs(C4))
    assert np.all(np.abs(mine - theirs) <= bound)


def test_comparison_functions(mod):
    rng = np.random.default_rng(11)
    z = rng.standard_normal(40) + 1j * rng.standard_normal(40)
    z[3] = complex(np.nan, 0.0)
    z[5] = complex(np.inf, 1.0)
    run_both(mod, "escaped", z, 1.0)
    a = rng.integers(-128, 128, 30).astype(np.int8)
    run_both(mod, "narrow_compare", a, a[::-1].copy())


@pytest.mark.parametrize("n,bins", [(1000, 7), (200_000, 100), (1, 3), (0, 4), (50, 1), (40, 0)])
def test_histogram_counts_and_weights(mod, n, bins):
    rng = np.random.default_rng(n)
    radius = rng.random(n) * 3.0
    if n > 2:
        radius[:3] = radius.min()  # values on the first edge
        radius[3:5] = radius.max()
    data = rng.standard_normal(n)
    run_both(mod, "azimuthal_average", data, radius, bins)
    run_both(mod, "histogram_edges", radius, bins)


def test_histogram_bad_inputs(mod):
    x = np.array([0.0, 1.0, np.nan])
    run_both(mod, "histogram_edges", x, 4)  # ValueError: range not finite
    run_both(mod, "histogram_edges", np.full(5, 2.5), 3)  # one value: the range widened by 0.5
    run_both(mod, "azimuthal_average", np.ones(3), np.ones(4), 3)  # weights of another shape: ValueError
    grid = np.linspace(0.0, 1.0, 101)  # values on every edge
    run_both(mod, "histogram_edges", grid, 10)
    run_both(mod, "histogram_edges", np.random.default_rng(0).random((30, 20)), 9)  # 2-d: raveled


def test_argmax_argmin_any_all(mod):
    rng = np.random.default_rng(21)
    x = rng.standard_normal(30)
    run_both(mod, "peak_to_peak", x)
    x[[4, 9]] = np.nan  # NumPy's argmax/argmin give the first NaN
    run_both(mod, "peak_to_peak", x)
    run_both(mod, "peak_to_peak", x[:0])  # ValueError in both
    for v in (x, np.abs(x) + 1.0, x * 1000.0, x[:0], np.zeros(3)):
        run_both(mod, "sign_flags", v)


def test_clip_round_trunc_rint(mod):
    rng = np.random.default_rng(22)
    x = rng.standard_normal(200) * 3.0
    x[:6] = [np.nan, -0.0, 0.5, 1.5, -2.5, np.inf]
    run_both(mod, "clipped", x, -1.0, 2.0)
    run_both(mod, "clipped", x, 2.0, -1.0)  # lo > hi: NumPy's order of minimum and maximum
    run_both(mod, "int_clip", np.arange(-5, 15))
    run_both(mod, "rounded", x)
    run_both(mod, "rounded", rng.standard_normal((4, 5)) * 1e3)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_eye_identity_diag(mod, n):
    rng = np.random.default_rng(n)
    run_both(mod, "shifted_identity", rng.standard_normal((n, n)), 0.5)
    run_both(mod, "tridiagonal", rng.standard_normal(n + 1), rng.standard_normal(n))
    run_both(mod, "tridiagonal", rng.standard_normal(n + 1), rng.standard_normal(n + 1))  # shapes differ: ValueError in both


def test_concatenate_stack(mod):
    rng = np.random.default_rng(23)
    a, b = rng.standard_normal(4), rng.standard_normal(3)
    run_both(mod, "joined", a, a.copy())
    run_both(mod, "joined", a, b)  # vstack/stack need equal lengths: ValueError in both
    run_both(mod, "side_by_side", rng.standard_normal((2, 3)), rng.standard_normal((2, 5)))
    run_both(mod, "side_by_side", rng.standard_normal((2, 3)), rng.standard_normal((3, 5)))


def test_bincount_kron_cumprod(mod):
    rng = np.random.default_rng(24)
    idx = rng.integers(0, 6, 100)
    w = rng.standard_normal(100)
    run_both(mod, "weighted_counts", idx, w, 9)
    run_both(mod, "weighted_counts", idx, w, 2)
    run_both(mod, "weighted_counts", idx, w[:50], 2)  # lengths differ: ValueError in both
    run_both(mod, "weighted_counts", idx - 3, w, 2)  # negative values: ValueError in both
    run_both(mod, "kron_product", rng.standard_normal((2, 3)), rng.standard_normal((3, 2)))
    run_both(mod, "running_product", rng.random(40) + 0.5)


@pytest.mark.parametrize("n", [1, 5, 20])
def test_solve_inv_close_within_their_bound(mod, n):
    if mod.MODE == "exact":
        pytest.skip("exact mode keeps the original (another LAPACK build)")
    rng = np.random.default_rng(n)
    A = rng.standard_normal((n, n)) + n * np.eye(n)
    b = rng.standard_normal(n)
    x, inv = mod.solve_both(A, b)
    assert rt.history()[-1]["variant"] == "cpu"
    x0, inv0 = mod._polyray_original_solve_both(A, b)
    cond = np.linalg.cond(A)
    assert np.all(np.abs(x - x0) <= 4 * n * EPS * cond * np.abs(x0).max())
    assert np.all(np.abs(inv - inv0) <= 4 * n * EPS * cond * np.abs(inv0).max())
    run_both(mod, "solve_both", np.ones((3, 3)), np.ones(3), compiled=False)  # singular: LinAlgError in both


@pytest.mark.parametrize("shape", [(10, 4), (50, 3), (2, 5), (6, 1), (1, 4)])
def test_cov_close_within_its_bound_and_one_variable_guarded(mod, shape):
    rng = np.random.default_rng(shape[0])
    data = rng.standard_normal(shape) + 3.0
    if mod.MODE == "exact":
        run_both(mod, "covariance_of_columns", data, compiled=False)  # exact: the original (BLAS)
        return
    if shape[1] == 1:
        # NumPy returns a 0-d array for one variable: the guard leaves it to the original
        got = run_both(mod, "covariance_of_columns", data, compiled=False)
        assert rt.history()[-1]["variant"] == "original"
        return
    with np.errstate(all="ignore"):
        mine = mod.covariance_of_columns(data)
        assert rt.history()[-1]["variant"] == "cpu"
        theirs = mod._polyray_original_covariance_of_columns(data)
    n = shape[0]
    X = np.abs(data.T)
    m = np.abs(data.mean(axis=0))[:, None]
    bound = 3.03 * n * EPS * ((X + m) @ (X + m).T) / max(n - 1, 1)
    assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
    assert np.all((np.abs(mine - theirs) <= bound) | (np.isnan(mine) & np.isnan(theirs)))


@pytest.mark.parametrize("shape", [(5, 7), (1, 4), (3, 1), (0, 3), (2, 0)])
def test_roll_periodic_stencil(mod, shape):
    assert hasattr(mod, "_polyray_cpu_periodic_laplacian")
    u = np.random.default_rng(shape[0] * 10 + shape[1]).standard_normal(shape)
    run_both(mod, "periodic_laplacian", u, 0.1)
    run_both(mod, "periodic_laplacian", np.asfortranarray(u), 0.1)  # another layout: NumPy's C-ordered copy in both
    run_both(mod, "periodic_laplacian", u[:, ::-1], 0.1)


@pytest.mark.parametrize("k", [0, 1, -1, 3, -13, 2**62, -(2**62)])
def test_roll_flattened_and_along_axes(mod, k):
    small = abs(k) < 2**31  # larger ints: the dispatcher's int guard runs the original
    x = np.random.default_rng(4).standard_normal(9)
    x[2] = np.nan
    x[5] = -0.0
    run_both(mod, "shifted_series", x, k, compiled=small)
    run_both(mod, "shifted_series", x[:0], k, compiled=small)  # empty: nothing to move, no division by zero
    c = np.arange(-12, 12, dtype=np.int64).reshape(2, 3, 4)
    got = run_both(mod, "rolled_counts", c, k, compiled=small)
    assert all(r.dtype == np.int64 and r.shape == c.shape for r in got[1])
    run_both(mod, "rolled_counts", c[:, :0, :], k, compiled=small)
    run_both(mod, "rolled_counts", c.transpose(2, 1, 0).copy()[:, :, ::-1], k, compiled=small)


def test_roll_bad_inputs_as_numpy(mod):
    # a float shift: NumPy rolls by it (slicing truncates); the int guard leaves it to the original
    run_both(mod, "shifted_series", np.arange(5.0), 1.5, compiled=False)
    assert rt.history()[-1]["variant"] == "original"
    # an axis past the rank: the checker refuses it, the original raises AxisError
    assert not hasattr(mod, "_polyray_cpu_roll_past_rank")
    with pytest.raises(np.exceptions.AxisError):
        mod.roll_past_rank(np.ones((2, 3)))


@pytest.mark.parametrize("shape", [(4, 3, 2), (1, 5, 3), (0, 2, 3), (3, 4, 0)])
def test_swapaxes_view(mod, shape):
    assert hasattr(mod, "_polyray_cpu_channel_means") and hasattr(mod, "_polyray_cpu_zero_first_column")
    img = np.random.default_rng(sum(shape)).standard_normal(shape)
    got = run_both(mod, "channel_means", img)
    assert got[1].shape == (shape[2], shape[1], shape[0])
    run_both(mod, "channel_means", img[::-1, :, ::2])
    A = img.reshape(shape[0], -1) if img.size else np.zeros((shape[0], 0))
    run_both(mod, "zero_first_column", A)  # the write lands in A, as NumPy's view


def test_swapaxes_bad_axis_raises_as_numpy(mod):
    # an axis past the rank: refused by the checker, NumPy's AxisError from the original
    assert not hasattr(mod, "_polyray_cpu_swap_past_rank")
    with pytest.raises(np.exceptions.AxisError):
        mod.swap_past_rank(np.ones((2, 3)))


@pytest.mark.parametrize("n", [0, 1, 3, -1, -4])
def test_tile_vectors_and_blocks(mod, n):
    for name in ("periodic_pattern", "tiled_grid", "rows_of_a_vector"):
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    rng = np.random.default_rng(abs(n))
    motif = rng.standard_normal(4)
    motif[1] = np.nan
    run_both(mod, "periodic_pattern", motif, n)  # negative n: ValueError in both
    run_both(mod, "periodic_pattern", motif[:0], n)  # empty: no ValueError in NumPy either
    run_both(mod, "periodic_pattern", motif[::-2], n)  # strided
    block = rng.integers(-9, 9, (2, 3))
    for rows, cols in [(n, 2), (2, n), (n, n), (1, 1)]:
        run_both(mod, "tiled_grid", block, rows, cols)
        run_both(mod, "tiled_grid", block[:0], rows, cols)  # no rows: a negative row count is NumPy's 0
        run_both(mod, "tiled_grid", block[:, :0], rows, cols)
        run_both(mod, "tiled_grid", np.asfortranarray(block), rows, cols)
    run_both(mod, "rows_of_a_vector", motif, n)
    run_both(mod, "rows_of_a_vector", motif[:0], n)


@pytest.mark.parametrize("n", [1, 7, 100, 3000])
def test_average_without_weights_is_mean(mod, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * 1e3
    run_both(mod, "centered", x)  # a whole float64 mean: NumPy's pairwise order in both modes, bit for bit
    x[n // 2] = np.nan
    run_both(mod, "centered", x)
    with np.errstate(all="ignore"):
        run_both(mod, "centered", x[:0])  # empty: nan (a RuntimeWarning) in both
    A = rng.standard_normal((n, 5))
    if mod.MODE == "exact":
        run_both(mod, "column_averages", A, compiled=False)  # along an axis: NumPy's order is not reproduced, the original runs
        return
    mine = mod.column_averages(A)
    assert rt.history()[-1]["variant"] == "cpu"
    theirs = mod._polyray_original_column_averages(A)
    depth = np.ceil(np.log2(n)) + 18 + (n - 1)
    assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
    assert np.all(np.abs(mine - theirs) <= depth * EPS / 2 * np.abs(A).sum(axis=0) / n)


def test_average_with_weights(mod):
    # vectors: NumPy's two pairwise sums, bit for bit in both modes
    assert hasattr(mod, "_polyray_cpu_weighted_average") and hasattr(mod, "_polyray_cpu_weighted_center")
    for n in (1, 4, 9, 130, 5000):
        rng = np.random.default_rng(n)
        x, w = rng.standard_normal(n) * 1e3, rng.random(n)
        run_both(mod, "weighted_average", x, w)
        run_both(mod, "weighted_average", x[::-2], w[::2])  # strided
        run_both(mod, "weighted_center", rng.integers(-10**6, 10**6, n), w)
    x = np.arange(4.0)
    run_both(mod, "weighted_average", x, np.array([1.0, 2.0, 0.0, 1.0]))
    run_both(mod, "weighted_average", x, np.array([1.0, np.nan, 0.0, 1.0]))
    run_both(mod, "weighted_average", np.array([np.inf, 1.0]), np.array([0.0, 1.0]))  # inf * 0: nan, as NumPy
    assert run_both(mod, "weighted_average", x, np.zeros(4))[0] == "ZeroDivisionError"
    assert run_both(mod, "weighted_average", x, np.array([1.0, -1.0, 2.0, -2.0]))[0] == "ZeroDivisionError"
    assert run_both(mod, "weighted_average", x[:0], x[:0])[0] == "ZeroDivisionError"
    assert run_both(mod, "weighted_average", x, np.ones(3))[0] == "TypeError"  # lengths differ, no axis=


def test_average_with_weights_along_an_axis(mod):
    # close mode: both sums in close_reductions' blocks, within the bound; exact mode keeps the original
    assert hasattr(mod, "_polyray_cpu_weighted_columns") == (mod.MODE == "close")
    rng = np.random.default_rng(1)
    for n in (1, 4, 300):
        A, w = rng.standard_normal((n, 3)) * 1e3, rng.random(n) + 0.5
        if mod.MODE == "exact":
            run_both(mod, "weighted_columns", A, w, compiled=False)
            continue
        mine = mod.weighted_columns(A, w)
        assert rt.history()[-1]["variant"] == "cpu"
        theirs = mod._polyray_original_weighted_columns(A, w)
        depth = np.ceil(np.log2(n)) + 18 + n
        bn = depth * EPS / 2 * (np.abs(A) * w[:, None]).sum(axis=0)
        bs = depth * EPS / 2 * w.sum()
        assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
        assert np.all(np.abs(mine - theirs) <= bn / w.sum() + np.abs(theirs) * (bs / w.sum() + EPS))
        run_both(mod, "weighted_columns", A, np.zeros(n), compiled=False)  # ZeroDivisionError in both
        run_both(mod, "weighted_columns", A, np.ones(n + 1), compiled=False)  # ValueError in both
    run_both(mod, "weighted_columns", np.ones((4, 3)), np.array([1.0, np.nan, 0.0, 1.0]), compiled=mod.MODE == "close")


@pytest.mark.parametrize("shape", [(3, 4, 2), (1, 5, 1), (0, 2, 3), (2, 3, 0)])
def test_swapaxes_method(mod, shape):
    assert hasattr(mod, "_polyray_cpu_channels_last") and hasattr(mod, "_polyray_cpu_zero_last_row_through_method")
    img = np.random.default_rng(sum(shape)).standard_normal(shape)
    assert run_both(mod, "channels_last", img)[1].shape == shape[::-1]
    run_both(mod, "channels_last", img[:, ::-1, ::2])
    run_both(mod, "channels_last", np.asfortranarray(img))
    A = img.reshape(shape[0], -1) if img.size else np.zeros((shape[0], 0))
    run_both(mod, "zero_last_row_through_method", A)  # the write lands in A, through the view (IndexError when empty)
    assert not hasattr(mod, "_polyray_cpu_method_swap_past_rank")
    with pytest.raises(np.exceptions.AxisError):
        mod.method_swap_past_rank(np.ones((2, 3)))


@pytest.mark.parametrize("r,s", [(2, 3), (1, 1), (0, 2), (-1, 2), (2, -3)])
def test_tile_any_rank(mod, r, s):
    assert hasattr(mod, "_polyray_cpu_tiled_volume") and hasattr(mod, "_polyray_cpu_tiled_batch")
    rng = np.random.default_rng(abs(r * 10 + s))
    block = rng.standard_normal((2, 3, 2)).astype(np.float32)
    block[0, 1, 1] = np.nan
    block[1, 0, 0] = -0.0
    for b in (block, block[:, ::-1], np.asfortranarray(block), block[:, :0], block[:0]):
        run_both(mod, "tiled_volume", b, r, s)  # a negative repetition: ValueError in both, unless that axis is empty
    v = rng.integers(-5, 5, 4)
    run_both(mod, "tiled_batch", v, r, s)
    run_both(mod, "tiled_batch", v[:0], r, s)


def test_bincount_and_histogram_edge_inputs(mod):
    rng = np.random.default_rng(25)
    idx = rng.integers(0, 4, 12)
    w = rng.standard_normal(12)
    w[3] = np.nan  # a NaN weight: its bin's sum is NaN, in element order
    run_both(mod, "weighted_counts", idx, w, 0)
    # empty: NumPy gives int64 zeros even with weights (Numba float64): the guard runs the original
    run_both(mod, "weighted_counts", idx[:0], w[:0], 3, compiled=False)
    assert rt.history()[-1]["variant"] == "original"
    run_both(mod, "weighted_counts", idx[:0], w[:0], 0, compiled=False)
    run_both(mod, "weighted_counts", idx, w, -1)  # ValueError: minlength must not be negative
    run_both(mod, "weighted_counts", idx[::-2], w[::2], 5)  # strided operands
    # a negative FIRST value: NumPy raises ValueError; Numba checks from the second on and wrote out of
    # bounds (a crash, found by the fuzzer's TableFn): the guard runs the original
    for bad in ([-1], [-1, 2, 0], [-2, 3]):
        run_both(mod, "weighted_counts", np.array(bad, dtype=np.int64), np.ones(len(bad)), 2, compiled=False)
        assert rt.history()[-1]["variant"] == "original"
    run_both(mod, "histogram_edges", np.array([0.0, np.inf, 1.0]), 3)  # ValueError: range not finite
    run_both(mod, "histogram_edges", rng.random(10), -2)  # ValueError: a negative number of bins
    run_both(mod, "histogram_edges", np.array([-0.0, 0.0, 0.0]), 2)  # one value (zeros of both signs): widened by 0.5
