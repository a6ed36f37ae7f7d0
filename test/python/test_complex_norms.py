"""np.linalg.norm of complex128 vectors and matrices (runtime/norms.py) and np.average(..., returned=True)
without weights (array_helpers.average_returned), test/kernels/numpy_style/complex_norms.py, in both numerics
modes. `exact`: the 1-norm, the inf/-inf norms and the 2-norm along a vector's axis are NumPy's bits (abs(z)
by NumPy's SIMD absolute value, (z.conj() * z).real by its complex multiply, fused where NumPy's is, then
NumPy's pairwise sum), and so are the whole-array average and its count; sqrt(re.dot(re) + im.dot(im)) (BLAS),
sums along a matrix's axis and means along an axis keep the original. `close`: those compile, within the bounds
of types/norms.ts and the mean's reduction bound. No GPU form (the norm and average rows have none)."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime import close_bounds as cb

from compiled import ROOT, compare_with_original, compile_and_import

SOURCE = ROOT / "test/kernels/numpy_style/complex_norms.py"
EXACT_BOTH = ["spectrum_norms", "amplitude", "channel_peaks", "mean_and_count", "plain_average"]
CLOSE_ONLY = ["signal_energy", "frobenius", "row_lengths", "row_means", "column_means", "vote_means", "matrix_one_norm"]
NEVER = ["single_precision"]
EPS = np.finfo(np.float64).eps


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    mode = request.param
    m = compile_and_import(SOURCE, tmp_path_factory.mktemp(f"cnorms_{mode}"), f"complex_norms_{mode}", "--targets", "cpu", "--numerics", mode)
    m.MODE = mode
    return m


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def original(mod, name):
    return getattr(mod, f"_polyray_original_{name}", getattr(mod, name))


def run_both(mod, name, *args, compiled=True):
    ran = compare_with_original(getattr(mod, name), original(mod, name), *args, messages=False)
    if ran.status == "ok" and compiled:
        assert ran.variant == "cpu", ran.records[-1:]
    return ran


def complex_vector(rng, n, special=True):
    z = rng.standard_normal(n) * 3.0 + 1j * rng.standard_normal(n)
    if special and n > 4:
        z[1] = complex(np.inf, 1.0)  # abs: inf
        z[2] = complex(-0.0, -0.0)
        z[3] = complex(1e200, 1e200)  # the product overflows, abs does not
    return z


def test_which_functions_compile(mod):
    for name in EXACT_BOTH:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    for name in CLOSE_ONLY:
        assert hasattr(mod, f"_polyray_cpu_{name}") == (mod.MODE == "close"), name
    for name in NEVER:
        assert not hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [0, 1, 5, 129, 9000])
def test_vector_norms_bit_for_bit(mod, n):
    rng = np.random.default_rng(n)
    z = complex_vector(rng, n)
    for v in (z, z[::3], complex_vector(rng, n, special=False), np.full(n, complex(np.nan, 0.0))):
        ran = run_both(mod, "spectrum_norms", v)
        assert ran.status == ("ValueError" if n == 0 else "ok")  # -inf norm of nothing: NumPy's min raises
        run_both(mod, "amplitude", v)


@pytest.mark.parametrize("shape", [(4, 6), (1, 1), (0, 3), (3, 0), (50, 7)])
def test_matrix_extremes(mod, shape):
    rng = np.random.default_rng(sum(shape))
    Z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    for Y in (Z, np.asfortranarray(Z), Z[::-1]):
        run_both(mod, "channel_peaks", Y)  # an empty row: 0.0 (initial=0); no columns: m == 0, 0/0 NaN in both


def close_or_original(mod, name, *args):
    """exact mode: the original ran (bit for bit); close mode: (compiled, original), the variant having run."""
    if mod.MODE == "exact":
        run_both(mod, name, *args, compiled=False)
        return None
    with np.errstate(all="ignore"):
        got = getattr(mod, name)(*args)
        assert rt.history()[-1]["variant"] == "cpu"
        want = original(mod, name)(*args)
    return got, want


@pytest.mark.parametrize("n", [1, 9, 100, 4097])
def test_two_norm_through_dots(mod, n):
    rng = np.random.default_rng(n)
    z = complex_vector(rng, n, special=False) * 10.0 ** rng.integers(-5, 5, n)
    r = close_or_original(mod, "signal_energy", z)
    if r:
        got, want = r
        # the norm within (1.04 n + 1.01) eps relatively (types/norms.ts), squared: twice that, plus a rounding
        assert abs(got - want) <= (2 * (1.04 * n + 1.01) + 1) * EPS * want * 1.01
    Z = z.reshape(1, -1) if n % 2 else z.reshape(-1, 1)
    r = close_or_original(mod, "frobenius", np.asfortranarray(Z))
    if r:
        got, want = r
        assert abs(got - want) <= (1.04 * n + 1.01) * EPS * want
    # NumPy's unscaled squares: inf and 0.0, where a scaled norm would stay finite
    for v in (np.full(4, complex(1e200, 1e200)), np.full(4, complex(1e-200, 0.0)), np.array([complex(np.nan, 1.0)])):
        r = close_or_original(mod, "signal_energy", v)
        if r:
            assert np.array_equal(r[0], r[1], equal_nan=True)


@pytest.mark.parametrize("shape", [(6, 5), (1, 300), (300, 2), (0, 4), (4, 0)])
def test_matrix_axis_norms(mod, shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    Z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    for Y in (Z, np.asfortranarray(Z), Z[:, ::-1]):
        r = close_or_original(mod, "row_lengths", Y)
        if r:
            (rows, cols), (want_rows, want_cols) = r
            d, m = shape[1], shape[0]
            sq = (Y.conj() * Y).real
            # the squares' sum within (D(d) + d - 1) eps/2 sum|t|, half that relative to the norm plus one rounding
            t_rows = (np.ceil(np.log2(max(d, 1))) + 18 + d) * EPS / 2 * sq.sum(axis=1) / np.maximum(want_rows, 1e-300) + 2 * EPS * want_rows
            assert cb.within(rows, want_rows, t_rows)
            assert cb.within(cols, want_cols, (np.ceil(np.log2(max(m, 1))) + 18 + m) * EPS / 2 * np.abs(Y).sum(axis=0, keepdims=True))


def test_whole_average_returned(mod):
    rng = np.random.default_rng(7)
    for x in (rng.standard_normal(1000), rng.standard_normal(5)[::-2], np.zeros(0), np.array([np.inf, -np.inf]), np.array([-0.0])):
        ran = run_both(mod, "mean_and_count", x)  # an empty mean: NumPy's NaN bits (0.0 / 0), count 0.0
        assert type(ran.value[1]) is np.float64 and ran.value[1] == x.size
        run_both(mod, "plain_average", x)


@pytest.mark.parametrize("shape", [(4, 5), (1, 1), (0, 3), (3, 0), (40, 33)])
def test_average_returned_along_axes(mod, shape):
    rng = np.random.default_rng(sum(shape) + 1)
    A = rng.standard_normal(shape)
    K = rng.integers(-1000, 1000, size=shape)
    for name, arg in (("row_means", A), ("column_means", A.astype(np.float32)), ("vote_means", K)):
        if mod.MODE == "exact":
            run_both(mod, name, arg, compiled=False)
            continue
        # an empty result: a.size / avg.size raises NumPy's ZeroDivisionError in both
        ran = compare_with_original(getattr(mod, name), original(mod, name), arg, messages=False) if 0 in shape else None
        if ran is not None and ran.status != "ok":
            assert ran.status == "ZeroDivisionError"
            continue
        got, want = close_or_original(mod, name, arg)
        if name == "vote_means":
            assert cb.within(got, want, cb.mean_tolerance(arg, axis=-1) * shape[1] * 1.01 + 4 * EPS * np.abs(want))
            continue
        axis = 1 if name == "row_means" else 0
        keep = name == "column_means"
        assert cb.within(got[0], want[0], cb.mean_tolerance(arg, axis=axis, keepdims=keep))
        # the counts exactly, in the mean's dtype and shape
        assert got[1].dtype == want[1].dtype and np.array_equal(got[1], want[1])


def test_kept_forms_raise_as_numpy(mod):
    # NumPy's errors from the originals: a complex64 1-norm computes (the function is kept), an empty matrix's 1-norm
    z = np.array([1 + 1j, -2j], dtype=np.complex64)
    assert mod.single_precision(z) == np.linalg.norm(z, 1)
    # a matrix's 1-norm (compiled in close mode, test_matrix_norms.py): of an empty matrix 0.0, as NumPy's max(initial=0)
    assert mod.matrix_one_norm(np.zeros((0, 2), complex)) == 0.0 and mod.matrix_one_norm(np.zeros((2, 0), complex)) == 0.0
