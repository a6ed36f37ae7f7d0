"""Products of strided slices and columns, and np.cov (issue 18; python-bridge/polyray/runtime/strided_products.py,
covariance.py).

Numba's `@` copied an operand of layout 'A' (`data[:, i + 1:m]`, `data[:, i]`) into a contiguous array before its
BLAS call; correlation's loop of such products ran at 0.27x NumPy. The helper hands BLAS the matrix as it lies,
with its leading dimension (transposed where its columns are the contiguous ones), and copies only a matrix with
a step in both dimensions, or a vector. Checked here: every layout and dtype against NumPy within the product
bound, the shape errors, that a strided matrix is no longer copied (Numba's allocation count), and kernels as
scientists write them compiled in both modes against the original (exact mode keeps it: `@` of floats).
np.cov (close mode only) centres a copy and multiplies it by its transpose through syrk, as NumPy's dot does,
where Numba's np.cov copied the transpose and multiplied the whole square: against NumPy within the table's bound.
"""
from __future__ import annotations

import textwrap

import numba
import numpy as np
import pytest

from compiled import compile_both_modes, outcome
from polyray.runtime import numba_helpers as h
from polyray.runtime.close_bounds import product_tolerance, within
from polyray.runtime.covariance import cov

U = np.finfo(np.float64).eps / 2

matmul = numba.njit(lambda a, b: h.matmul(a, b))
dot = numba.njit(lambda a, b: h.dot(a, b))


def _views(dtype):
    """Layout-'A' matrices of each kind the helper tells apart, and strided vectors."""
    rng = np.random.default_rng(3)
    c = rng.standard_normal((40, 50)).astype(dtype)
    f = np.asfortranarray(rng.standard_normal((40, 50))).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        c = c + 1j * c[::-1]
        f = np.asfortranarray(f - 2j * f)
    return ({"rows": c[3:20, 5:30], "columns": f[3:28, 5:22], "transposed": c[3:28, 5:22].T,
             "both steps": c[::2, ::3][:17], "reversed": c[::-1, 5:22][:25], "one row": c[3:4, 5:22],
             "one column": c[:25, 7:8], "no rows": c[3:3, 5:22], "no columns": c[3:20, 5:5]},
            {"column": c[:, 7], "row": c[7, :], "stepped": c[::2, 3]})


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_every_layout_is_numpys_product_within_the_bound(dtype):
    matrices, vectors = _views(dtype)
    operands = {**matrices, **vectors}
    checked = 0
    for na, a in operands.items():
        for nb, b in operands.items():
            if a.ndim == 1 and b.ndim == 1:
                continue
            k = min(a.shape[-1], b.shape[0])
            a, b = a[..., :k], b[:k]
            # (np.dot's helper takes the same path: checked in float64, each dtype's compiles cost seconds)
            for ours, theirs in ((matmul, np.matmul), (dot, np.dot))[:2 if dtype == np.float64 else 1]:
                got, want = ours(a, b), theirs(a, b)
                assert got.shape == want.shape and got.dtype == want.dtype, (na, nb)
                assert got.flags.c_contiguous, (na, nb)  # a new C array, as Numba's product returns
                # the bound is float64's; float32 rounds at its own eps, 2**29 times float64's
                scale = 2.0 ** 29 * 1.01 if dtype == np.float32 else 1.0
                bound = scale * product_tolerance(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
                assert np.all(np.abs(got.astype(want.dtype) - want) <= bound), (na, nb)
                checked += 1
    assert checked == (2 if dtype == np.float64 else 1) * (len(operands) ** 2 - len(vectors) ** 2)


def test_shape_errors_are_numpys():
    c = np.ones((30, 30))
    for a, b in ((c[:, 3:7], c[:5, :]), (c[::2, 1:], c[:3, 0]), (c[0, 1:], c[:, 2:])):
        for ours, theirs in ((matmul, np.matmul), (dot, np.dot)):
            want = outcome(theirs, a, b)
            assert want[0] == "ValueError"
            assert outcome(ours, a, b)[0] == "ValueError"


@pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")
def test_a_strided_matrix_is_not_copied():
    """Numba's allocation count (the arguments' and the result's, and Numba's own product the copy besides)."""
    from numba.core.runtime import _nrt_python, rtsys

    data = np.random.default_rng(5).standard_normal((300, 200))
    x = np.ascontiguousarray(data[:, 4])
    plain = numba.njit(lambda a, b: a @ b)
    _nrt_python.memsys_enable_stats()
    try:
        for fn in (matmul, plain):
            fn(x, data[:, 5:])  # compiled before counting
        counts = {}
        for name, fn in (("ours", matmul), ("numba", plain)):
            before = rtsys.get_allocation_stats().alloc
            got = fn(x, data[:, 5:])
            counts[name] = rtsys.get_allocation_stats().alloc - before
            assert within(got, x @ data[:, 5:], product_tolerance(x, data[:, 5:]))
    finally:
        _nrt_python.memsys_disable_stats()
    assert counts["numba"] == counts["ours"] + 1, counts


KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def correlation(data: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = data.shape
        centered = data - np.mean(data, axis=0)
        corr = np.eye(m)
        for i in range(m - 1):
            corr[i + 1:m, i] = corr[i, i + 1:m] = centered[:, i] @ centered[:, i + 1:m] / n
        return corr


    def blocks(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = a.shape
        out = np.zeros((n - 1, m - 1))
        for t in range(3):
            out += np.dot(a[1:, :m - 1], b[::2, 1:][:m - 1, :])
        lengths = a[:n - 1, 1:] @ b[0, 1:m]
        out[:, 0] += lengths
        return out


    def covariances(data: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = data.shape
        return np.cov(np.transpose(data))


    def row_covariances(samples: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        variables, observations = samples.shape
        return np.cov(samples)
''')


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    d = tmp_path_factory.mktemp("strided_products")
    src = d / "strided_kernels.py"
    src.write_text(KERNELS)
    import importlib.util
    spec = importlib.util.spec_from_file_location("strided_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return original, compile_both_modes(src, d, "strided_kernels")


def test_kernels_close_mode_within_the_bound_exact_mode_bit_for_bit(compiled, monkeypatch):
    import polyray.runtime as rt

    original, modes = compiled
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(9)
    # integers on 128 rows: the column means and the centred products are exact in both BLAS builds, so any
    # element the strided product got wrong (a wrong leading dimension, a transposed operand) shows
    data = rng.integers(-1000, 1000, (128, 90)).astype(np.float64)
    a, b = rng.standard_normal((50, 60)), rng.standard_normal((118, 60))
    exact, _ = modes["exact"]
    close, report = modes["close"]
    assert report["correlation"]["accelerated"] and report["blocks"]["accelerated"]
    want = original.correlation(data.copy())
    assert np.array_equal(exact.correlation(data.copy()), want)  # exact mode: the original's bits
    got = close.correlation(data.copy())
    assert rt.history()[-1]["variant"] == "cpu"
    assert np.array_equal(got, want)
    want = original.blocks(a, b)
    assert np.array_equal(exact.blocks(a, b), want)
    got = close.blocks(a, b)
    assert rt.history()[-1]["variant"] == "cpu"
    a1, b1 = np.abs(a[1:, :59]), np.abs(b[::2, 1:][:59, :])
    bound = 3 * product_tolerance(a1, b1) + 1e-13 * (a1 @ b1)
    bound[:, 0] += product_tolerance(np.abs(a[:49, 1:]), np.abs(b[0, 1:60])) + 1e-13 * (np.abs(a[:49, 1:]) @ np.abs(b[0, 1:60]))
    assert within(got, want, bound)


def cov_bound(rows):
    """types/numpy-table.ts `cov`: per entry 3.03*n*eps*sum_k (|x_ik|+|m_i|)(|x_jk|+|m_j|)/(n-1), n observations."""
    n = rows.shape[1]
    spread = np.abs(rows) + np.abs(rows.mean(axis=1))[:, None]
    return 3.03 * n * 2 * U * (spread @ spread.T) / max(n - 1, 1)


def test_cov_of_every_layout_within_the_bound_and_numpys_nans():
    jit_cov = numba.njit(lambda m: cov(m))
    rng = np.random.default_rng(12)
    data = rng.standard_normal((70, 40)) * 10.0 ** rng.integers(-2, 3, 40) + 5.0
    differed = False
    for m in (data.T, np.ascontiguousarray(data.T), data.T[::2, 3:], data[2:40, ::3], data[:3, :]):
        got, want = jit_cov(m), np.cov(m)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert within(got, want, cov_bound(m)), m.shape
        assert np.array_equal(got, got.T)  # symmetric, as NumPy's (its syrk copies the triangle too)
        differed |= not np.array_equal(got, want)
    assert differed, "SciPy's syrk and NumPy's give other bits here: the helper really ran its product"
    with np.errstate(divide="ignore", invalid="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for m in (data[:4, :1], data[:4, :0], data[:0, :5]):  # one observation, none, no variables
                got, want = jit_cov(m), np.cov(m)
                assert got.shape == want.shape and np.array_equal(np.isnan(got), np.isnan(want)), m.shape


def test_cov_kernels_close_mode_within_the_bound(compiled, monkeypatch):
    import polyray.runtime as rt

    original, modes = compiled
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    close, report = modes["close"]
    exact, _ = modes["exact"]
    assert report["covariances"]["accelerated"] and report["row_covariances"]["accelerated"]
    data = np.random.default_rng(13).standard_normal((90, 60)) + 3.0
    for name, arg in (("covariances", data), ("row_covariances", data.T[::2])):
        want = getattr(original, name)(arg)
        assert np.array_equal(getattr(exact, name)(arg), want)  # exact mode: the original
        got = getattr(close, name)(arg)
        assert rt.history()[-1]["variant"] == "cpu", name
        rows = arg.T if name == "covariances" else arg
        assert within(got, want, cov_bound(rows)), name
