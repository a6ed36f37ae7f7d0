"""runtime/blas_products.py: the product loops' BLAS products (codegen/product-loops.ts prints
``_polyray_h_blas_dot``) give the bits Numba's np.dot gives inline, refuse what np.dot refuses, and load from
Numba's on-disk cache in a later process, so that a variant calling them does not type np.dot again (without
printing Numba's advice about the slices they multiply)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest
from numba.core.errors import TypingError

from polyray.runtime.blas_products import blas_dot, blas_dot_rows


@numba.njit
def _inline_dot(a, b):  # type: ignore[no-untyped-def]
    return np.dot(a, b)


def _cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    y, z = rng.standard_normal((37, 29)), rng.standard_normal((29, 41))
    c = rng.standard_normal((23, 19)) + 1j * rng.standard_normal((23, 19))
    return [
        ("slices ('A' layout, as a product loop's k range)", y[:, 3:20], z[3:20, :]),
        ("a transposed operand ('F' layout)", z.T, y.T[:, :37]),
        ("complex matrix times vector", c, c[0].copy()),
    ]


@pytest.mark.parametrize("what,a,b", _cases(), ids=[c[0] for c in _cases()])
def test_the_same_bits_as_numbas_np_dot(what, a, b):
    got = blas_dot(a, b)
    assert got.dtype == np.result_type(a, b) and got.shape == np.dot(a, b).shape, what
    assert got.tobytes() == _inline_dot(a, b).tobytes(), what
    assert np.allclose(got, np.dot(a, b), rtol=1e-12, atol=1e-12), what  # (and NumPy's product, within rounding)


@numba.njit
def _inline_rows(out, r0, r1, a, b):  # type: ignore[no-untyped-def]
    out[r0:r1] = np.dot(a, b)


def test_a_row_block_is_stored_as_the_inline_slice_assignment_stores_it():
    # a masked product's block (codegen/product-loops.ts blockedDot): rows r0:r1 of the target, over the kept columns
    rng = np.random.default_rng(11)
    m, z = rng.standard_normal((20, 13)), rng.standard_normal((13, 7))
    got, want = np.full((20, 7), -1.0), np.full((20, 7), -1.0)
    blas_dot_rows(got, 8, 16, m[8:16, 2:9], z[2:9])
    _inline_rows(want, 8, 16, m[8:16, 2:9], z[2:9])
    assert got.tobytes() == want.tobytes()
    assert (got[:8] == -1.0).all() and (got[16:] == -1.0).all()  # the other rows untouched
    with pytest.raises(ValueError):
        blas_dot_rows(got, 8, 15, m[8:16, 2:9], z[2:9])  # 7 rows of target, 8 of product: refused as Numba refuses


def test_what_np_dot_refuses_is_refused():
    with pytest.raises(ValueError):
        blas_dot(np.ones((2, 3)), np.ones((4, 2)))  # (Numba's message; product loops check the shapes first)
    with pytest.raises(TypingError):
        blas_dot(np.ones((2, 2), np.int64), np.ones((2, 2), np.int64))  # no BLAS for integers: the variant's typing fails


def test_a_later_process_loads_the_product_from_numbas_cache(tmp_path):
    code = textwrap.dedent("""
        import warnings
        import numba, numpy as np
        from numba.core.errors import NumbaPerformanceWarning
        warnings.simplefilter("error", NumbaPerformanceWarning)  # (the module's own filter quiets its advice on slices)
        from polyray.runtime.blas_products import blas_dot, blas_dot_rows
        a, b = np.arange(12.0).reshape(3, 4), np.arange(8.0).reshape(4, 2)
        assert blas_dot(a[:, 0:3], b[0:3, :]).tobytes() == np.dot(a[:, :3], b[:3]).tobytes()
        # (Numba gives a nested compile's advice the caller's file, which Polyray quiets for its generated modules)
        warnings.simplefilter("ignore", NumbaPerformanceWarning)

        @numba.njit
        def variant(a, b, k):  # what a product loop prints: the whole operands, or their k slices
            if a.shape[1] == k:
                return blas_dot(a, b)
            return blas_dot(a[:, 0:k], b[0:k, :])

        assert variant(a, b, 4).tobytes() == np.dot(a, b).tobytes() and variant(a, b, 3).tobytes() == np.dot(a[:, :3], b[:3]).tobytes()
        print(sum(blas_dot.stats.cache_hits.values()), sum(blas_dot.stats.cache_misses.values()))
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    # the first process compiles the three signatures (the whole operands', the slices' in compiled code, the
    # direct call's, whose row slice b[0:3, :] is typed 'C' outside compiled code), the second loads them
    assert runs[0].stdout.split() == ["0", "3"] and runs[1].stdout.split() == ["3", "0"], [r.stdout for r in runs]
