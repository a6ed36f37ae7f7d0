"""Products through BLAS in the two numerics modes (issue 16, item 1).

Numba's `@`/np.dot/np.matmul call SciPy's OpenBLAS build and NumPy its own:
their last bits differ (at 200x200 here). `exact` keeps the original for a
float product (bit for bit, always); `close` runs the CPU variant, within
2*gamma_k*(|A|@|B|) per element of the original (polyray.runtime.close_bounds),
with dtypes, shapes and exceptions exactly the original's. Integer products
are exact and accelerated in both modes (Numba then declines them at run time).
"""
from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, outcome
from polyray.runtime.close_bounds import U, product_tolerance, within

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def gram(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, k = A.shape
        C = A @ B
        return C / k


    def project(A: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.dot(A, x)


    def chain(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.matmul(A, B)


    def counts(A: npt.NDArray[np.int64], B: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return A @ B
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("close_products")
    src = d / "product_kernels.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("product_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return (original,
            compile_and_import(src, d, "product_kernels_exact", "--numerics", "exact"),
            compile_and_import(src, d, "product_kernels_close", "--numerics", "close"))


def _operands(rng: np.random.Generator, n: int = 200):
    return rng.standard_normal((n, n)), rng.standard_normal((n, n)), rng.standard_normal(n)


def test_exact_mode_keeps_the_original_for_float_products_and_compiles_integer_ones(modules, monkeypatch):
    import polyray.runtime as rt

    original, exact, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    A, B, x = _operands(np.random.default_rng(1))
    for fn, args in (("gram", (A, B)), ("project", (A, x)), ("chain", (A, B))):
        assert not hasattr(exact, f"_polyray_dispatch_{fn}"), fn  # kept original: no variant at all
        got = getattr(exact, fn)(*args)
        assert np.array_equal(got, getattr(original, fn)(*args))
    Ai = np.random.default_rng(2).integers(-1000, 1000, (60, 70))
    Bi = np.random.default_rng(3).integers(-1000, 1000, (70, 50))
    # accelerated in exact mode (no rounding); Numba has no integer matmul, so that call runs the original
    assert hasattr(exact, "_polyray_dispatch_counts")
    got = exact.counts(Ai, Bi)
    assert got.dtype == np.int64 and np.array_equal(got, original.counts(Ai, Bi))


def test_close_mode_compiles_them_within_the_product_bound(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    differed = False
    for seed, n in ((4, 200), (5, 37), (6, 1)):
        A, B, x = _operands(np.random.default_rng(seed), n)
        A[0, 0] = 1e300  # a wide dynamic range: the bound is per element, relative to |A|@|B|
        got, want = close.gram(A, B), original.gram(A, B)
        assert rt.history()[-1]["variant"] == "cpu"
        # the product's bound, through one rounded division by k on each side
        assert within(got, want, product_tolerance(A, B) / n * (1 + U) + 2 * U * np.abs(want))
        differed |= not np.array_equal(got, want)
        got, want = close.project(A, x), original.project(A, x)
        assert rt.history()[-1]["variant"] == "cpu"
        assert within(got, want, product_tolerance(A, x))
        got, want = close.chain(A, B), original.chain(A, B)
        assert within(got, want, product_tolerance(A, B))
    assert differed, "the two BLAS builds give other bits at 200x200 here: close mode really ran BLAS"


def test_bad_shapes_raise_as_the_original_in_both_modes(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    A, B, x = _operands(np.random.default_rng(7), 20)
    for fn, args in (("gram", (A, B[:7])), ("project", (A, x[:3])), ("chain", (A, np.ones((3, 3))))):
        want = outcome(getattr(original, fn), *args)
        assert want[0] == "ValueError"
        assert outcome(getattr(exact, fn), *args)[0] == want[0]
        assert outcome(getattr(close, fn), *args)[0] == want[0]
