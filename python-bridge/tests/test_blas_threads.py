"""BLAS threads matched to Numba's around compiled products (runtime/blas_threads.py): the helpers really
change SciPy's OpenBLAS thread count to Numba's and back, and compiled code calling them stays cacheable. The products' bits do not depend on it (test/python/test_product_loops.py runs 1 and 2 threads)."""
from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap

import numba
import pytest

from polyray.runtime import blas_threads


def _openblas_threads() -> int:
    """What SciPy's OpenBLAS would use for a call from this thread."""
    lib = ctypes.CDLL(_library())
    lib.scipy_openblas_get_num_threads.restype = ctypes.c_int
    return lib.scipy_openblas_get_num_threads()


def _library() -> str:
    import glob
    import os

    import scipy
    libs = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs")
    return sorted(glob.glob(os.path.join(libs, "libscipy_openblas*.so*")))[0]


@pytest.mark.skipif(not blas_threads.AVAILABLE, reason="no SciPy OpenBLAS found")
def test_match_follows_numbas_threads_and_restores():
    before = _openblas_threads()
    numba.set_num_threads(1)
    try:
        previous = blas_threads.blas_threads_match()
        assert previous == before and _openblas_threads() == 1
        blas_threads.blas_threads_restore(previous)
        assert _openblas_threads() == before
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        previous = blas_threads.blas_threads_match()
        assert _openblas_threads() == numba.config.NUMBA_NUM_THREADS
        blas_threads.blas_threads_restore(previous)
        assert _openblas_threads() == before
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


@pytest.mark.skipif(not blas_threads.AVAILABLE, reason="no SciPy OpenBLAS found")
def test_one_sets_a_single_thread_and_restore_gives_the_count_back():
    """blas_threads_one: products inside a prange loop (a stack's planes, codegen/product-loops.ts) use one
    BLAS thread each; restore gives back what it found, and a count of one is left as it is."""
    before = _openblas_threads()
    previous = blas_threads.blas_threads_one()
    try:
        assert previous == before and _openblas_threads() == 1
        assert blas_threads.blas_threads_one() == 1 and _openblas_threads() == 1
    finally:
        blas_threads.blas_threads_restore(previous)
    assert _openblas_threads() == before


def test_compiled_callers_are_cached_and_reload_in_a_fresh_process(tmp_path):
    """The setter is an external symbol, not a ctypes pointer: a function calling it is written to Numba's
    cache and a fresh process loads it (the symbol registered when polyray.runtime.blas_threads imports)."""
    (tmp_path / "caller.py").write_text(textwrap.dedent('''
        import numba
        import numpy as np
        from polyray.runtime.blas_threads import blas_threads_match, blas_threads_restore

        @numba.njit(cache=True)
        def product(a, b):
            prev = blas_threads_match()
            c = np.dot(a, b)
            blas_threads_restore(prev)
            return c
    '''))
    script = textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np
        import caller
        a = np.arange(6.0).reshape(2, 3)
        assert np.array_equal(caller.product(a, a.T), a @ a.T)
        print(sum(caller.product.stats.cache_hits.values()))
    ''')
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    import os
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **env}, timeout=300) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    assert [r.stdout.strip() for r in runs] == ["0", "1"], [r.stdout for r in runs]
