"""np.linalg.norm (runtime/norms.py, src/compiler/types/norms.ts) in scientist-style kernels
(test/kernels/numpy_style/norms.py), compiled in both numerics modes. NumPy's formulas, never
Numba's scaled nrm2: entries of 1e200 give inf and entries of 1e-200 give 0.0 as in NumPy.
`exact`: the vector 1-norm, the 2-norm along a vector's axis and the inf/-inf norms are NumPy's
bits; sqrt(x.dot(x)) (BLAS) and sums along a matrix's axis keep the original. `close`: those
compile, within the bounds stated in types/norms.ts."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compare_with_original, cpu_target, mode_module, twin_for  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/norms.py"
EXACT_BOTH = ["manhattan", "chebyshev", "smallest_magnitude", "length_along_axis", "unit32", "column_extremes", "grid_distance"]
CLOSE_ONLY = ["normalize", "relative_error", "frobenius32", "unit_rows", "column_l1", "power_iteration", "spectral"]
NEVER = ["fro_of_vector", "norm_past_rank"]


mod = mode_module(SOURCE, "norms")


def original(mod, name):
    """The original function (a function the mode refuses is its original itself)."""
    return getattr(mod, f"_polyray_original_{name}", getattr(mod, name))


def run_both(mod, name, *args, compiled=True):
    mod = twin_for(mod, name)  # in close mode, exact mode's module for a function generated alike
    ran = compare_with_original(getattr(mod, name), original(mod, name), *args, messages=False, kinds=("float",))
    if ran.status == "ok" and compiled:
        assert ran.variant == "cpu", ran.records[-1:]
    return ran.got


def special_vectors(dtype):
    """Overflow, underflow, inf, NaN, signed zeros and empties, where a scaled norm would differ from NumPy's."""
    return [np.full(10, 1e200), np.full(10, -1e-200), np.array([1.0, np.inf, -2.0]), np.array([1.0, np.nan, -np.inf]),
            np.array([-0.0, 0.0, -0.0]), np.array([3e38, 3e38]), np.array([1e-30, -1e-30]), np.zeros(0)] if dtype == np.float64 else \
        [np.full(10, 1e30, dtype), np.full(10, 1e-30, dtype), np.array([1, np.inf], dtype), np.array([np.nan, 2], dtype), np.array([-0.0, 0.0], dtype), np.zeros(0, dtype)]


def test_which_functions_compile(mod):
    for name in EXACT_BOTH:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    for name in CLOSE_ONLY:
        assert hasattr(mod, f"_polyray_cpu_{name}") == (mod.MODE == "close"), name
    for name in NEVER:
        assert not hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [1, 7, 17, 127, 129, 4097, 100003])
def test_vector_norms_bit_for_bit(mod, n):
    rng = np.random.default_rng(n)
    p, q = rng.standard_normal(n) * 1e3, rng.standard_normal(n)
    run_both(mod, "manhattan", p, q)
    run_both(mod, "chebyshev", p, q)
    run_both(mod, "smallest_magnitude", p[::-3])  # strided
    run_both(mod, "length_along_axis", p)
    run_both(mod, "length_along_axis", p[::2])
    run_both(mod, "unit32", q.astype(np.float32))


def test_vector_norms_at_the_edges(mod):
    for v in special_vectors(np.float64):
        w = np.ones_like(v) if v.size else v
        run_both(mod, "manhattan", v, w)
        run_both(mod, "length_along_axis", v)
        if v.size:
            run_both(mod, "chebyshev", v, w)
            run_both(mod, "smallest_magnitude", v)
        else:  # max of nothing: NumPy's initial=0; min of nothing: NumPy's ValueError in both
            assert run_both(mod, "chebyshev", v, w) == ("ok", 0.0)
            assert run_both(mod, "smallest_magnitude", v)[0] == "ValueError"
    for v in special_vectors(np.float32):
        run_both(mod, "unit32", v)
    # NumPy's unscaled squares: inf, and 0.0 (Numba's nrm2 would give 3.2e200 and 3.2e-200)
    assert mod.length_along_axis(np.full(10, 1e200)) == np.inf and mod.length_along_axis(np.full(10, 1e-200)) == 0.0


@pytest.mark.parametrize("shape", [(5, 7), (1, 4), (4, 1), (0, 3), (3, 0), (130, 3)])
def test_matrix_extremes_along_axes(mod, shape):
    X = np.random.default_rng(sum(shape)).standard_normal(shape)
    if X.size:
        X.flat[0] = -0.0
        X.flat[-1] = np.nan if shape[0] > 1 else X.flat[-1]
    run_both(mod, "column_extremes", X)  # an empty line: 0.0 for inf (initial=0), ValueError for -inf, in both
    run_both(mod, "column_extremes", np.asfortranarray(X))
    run_both(mod, "column_extremes", X[::-1, ::2])


def close_or_original(mod, name, *args):
    """exact mode: the original ran (bit for bit); close mode: (compiled, original) results, the variant having run."""
    if mod.MODE == "exact":
        run_both(mod, name, *args, compiled=False)
        return None
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with np.errstate(all="ignore"):
        got = getattr(mod, name)(*mine)
        assert rt.history()[-1]["variant"] == "cpu"
        want = original(mod, name)(*args)
    return got, want, mine


def within(got, want, bound):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    # inf, nan and their positions exactly; the finite values within the bound
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(np.isinf(got), np.isinf(want))
    assert np.array_equal(got[np.isinf(got)], want[np.isinf(want)])
    fin = np.isfinite(want)
    bound = np.broadcast_to(bound, want.shape)
    assert np.all(np.abs(got[fin] - want[fin]) <= bound[fin]), (got, want)


@pytest.mark.parametrize("n", [1, 9, 100, 4097])
def test_two_norm_through_dot(mod, n):
    rng = np.random.default_rng(n)
    v = rng.standard_normal(n) * 10.0 ** rng.integers(-5, 5, n)
    r = close_or_original(mod, "normalize", v)
    if r:
        got, want, _ = r
        within(got, want, (0.52 * n + 1.01) * np.finfo(np.float64).eps * (np.abs(v) / np.linalg.norm(v)) + np.finfo(np.float64).eps * np.abs(want))
    A, B = rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    r = close_or_original(mod, "relative_error", A, B)
    if r:
        got, want, _ = r
        # each norm within (0.52*n + 1.01)*eps relatively, then one division
        assert abs(got - want) <= (2 * (0.52 * 3 * n + 1.01) + 1) * np.finfo(np.float64).eps * want * 1.01
    A32 = A.astype(np.float32)
    r = close_or_original(mod, "frobenius32", A32)
    if r:
        got, want, _ = r
        assert type(got) is type(want) is np.float32
        assert abs(float(got) - float(want)) <= (0.52 * 3 * n + 1.01) * np.finfo(np.float32).eps * float(want)


def test_two_norm_overflow_as_numpy(mod):
    # NumPy squares without scaling: sqrt(dot) is inf past 1e154 and 0.0 below 1e-162, in both modes
    for v, expected in [(np.full(10, 1e200), np.inf), (np.full(10, 1e-200), 0.0), (np.array([np.inf, 1.0]), np.inf), (np.array([np.nan, 1.0]), np.nan)]:
        r = close_or_original(mod, "relative_error", v.reshape(2, -1), np.zeros_like(v).reshape(2, -1) + v.reshape(2, -1))
        if r:
            got, want, _ = r
            assert same_float(got, want)
        r = close_or_original(mod, "normalize", v)
        if r:
            within(r[0], r[1], 0.0)
        with np.errstate(all="ignore"):
            v32 = v.astype(np.float32).reshape(2, -1)
            assert same_float(original(mod, "frobenius32")(v32), mod.frobenius32(v32))
            assert same_float(np.linalg.norm(v), expected)


def same_float(a, b):
    return (np.isnan(a) and np.isnan(b)) or a == b


@pytest.mark.parametrize("shape", [(6, 5), (1, 300), (300, 2), (0, 4), (4, 0)])
def test_matrix_axis_norms(mod, shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    X = rng.standard_normal(shape)
    eps = np.finfo(np.float64).eps
    for Y in (X, np.asfortranarray(X), X[:, ::-1]):
        r = close_or_original(mod, "unit_rows", Y)
        if r:
            _, _, written = r
            expect = Y.copy()
            original(mod, "unit_rows")(expect)
            d = shape[1]
            within(written[0], expect, ((np.ceil(np.log2(max(d, 1))) + 18 + d) * eps + 2 * eps) * np.abs(expect) + 1e-300)
        r = close_or_original(mod, "column_l1", Y)
        if r:
            got, want, _ = r
            m = shape[0]
            within(got, want, (np.ceil(np.log2(max(m, 1))) + 18 + m) * eps / 2 * np.abs(Y).sum(axis=0))
    big = np.full((3, 4), 1e200)
    big[1, 2] = np.nan
    r = close_or_original(mod, "column_l1", big)
    if r:
        within(r[0], r[1], 0.0)


def test_power_iteration(mod):
    rng = np.random.default_rng(3)
    M = rng.standard_normal((40, 40))
    A = M @ M.T
    r = close_or_original(mod, "power_iteration", A, 30)
    if r:
        got, want, _ = r
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12)


def test_refused_forms_keep_numpys_answer(mod):
    A = np.random.default_rng(0).standard_normal((4, 3))
    # (a matrix's 2-norm, an SVD, compiles in close mode since test_singular_norms.py: within its bound)
    r = close_or_original(mod, "spectral", A)
    if r:
        got, want, _ = r
        assert abs(got - want) <= 2 * 4 * np.finfo(float).eps * want, (got, want)
    assert run_both(mod, "fro_of_vector", A[0], compiled=False)[0] == "ValueError"
    assert run_both(mod, "norm_past_rank", A, compiled=False)[0] == "AxisError"


def test_integer_points(mod):
    rng = np.random.default_rng(5)
    for n in (0, 1, 9, 300):
        p, q = rng.integers(-10**15, 10**15, n), rng.integers(-9, 9, n)
        if n:
            run_both(mod, "grid_distance", p, q)
            run_both(mod, "grid_distance", p[::-1], q)
        else:  # the inf-norm of nothing is 0.0, the others 0.0 too
            assert run_both(mod, "grid_distance", p, q)[0] == "ok"
