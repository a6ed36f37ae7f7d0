"""BLAS threads for the products compiled code computes (issue 16, close mode's product loops).

Numba's np.dot calls SciPy's OpenBLAS (scipy.linalg.cython_blas), which runs as many threads as the machine
has cores, whatever Numba's own thread count is. A variant run with one Numba thread (NUMBA_NUM_THREADS=1 or
numba.set_num_threads(1)) still multiplied with two or more BLAS threads, which wait for cores that other
work holds: on this 2-core machine under load one 260x240 product of correlation took 12.3 ms against 0.4 ms
with one BLAS thread. So the generated code brackets its products (computed before their nests, outside any
prange region) with ``prev = blas_threads_match()`` ... ``blas_threads_restore(prev)``: SciPy's OpenBLAS gets
as many threads as Numba has for the calling thread, then its setting back. Where the products run inside a
prange loop (a stack's planes, one per iteration: codegen/product-loops.ts), ``blas_threads_one`` gives each
call one BLAS thread instead, the Numba threads being the parallelism. The setting is OpenBLAS's global
one (SciPy's build has no per-thread setting that holds): another Python thread calling SciPy's BLAS during
those products would see the same count. NumPy's own BLAS (a separate library) is never touched.

Every function is bound as an external symbol (llvmlite's add_symbol), never as a ctypes pointer, so the
variants calling them stay cacheable by Numba; the symbols are registered when this module is imported,
which numba_helpers does (lazily) before a variant that asks for these helpers compiles or loads from the
cache. Numba's ``get_num_threads`` symbol comes from its threading layer, started here. Where SciPy's
OpenBLAS is missing (another SciPy build), the BLAS symbols are no-ops: the products keep the BLAS's own threads.
"""
from __future__ import annotations

import ctypes
import glob
import os

import llvmlite.binding as ll
from numba import njit, types
from numba.np.ufunc.parallel import _launch_threads

_GET = ctypes.CFUNCTYPE(ctypes.c_int)
_SET = ctypes.CFUNCTYPE(None, ctypes.c_int)


def _openblas() -> tuple[int, int] | None:
    """Addresses of SciPy's OpenBLAS get/set_num_threads, or None."""
    try:
        import scipy
    except ImportError:
        return None
    libs = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "libscipy_openblas*.so*"))):
        try:
            lib = ctypes.CDLL(path)
            get, set_ = lib.scipy_openblas_get_num_threads, lib.scipy_openblas_set_num_threads
        except (OSError, AttributeError):
            continue
        return ctypes.cast(get, ctypes.c_void_p).value, ctypes.cast(set_, ctypes.c_void_p).value
    return None


_found = _openblas()
#: Whether products follow Numba's thread count (False: no SciPy OpenBLAS found, the no-ops).
AVAILABLE = _found is not None
# no-ops where SciPy's OpenBLAS is missing: get answers 0, which makes the helpers change nothing
# (kept referenced: the callbacks must outlive every call)
_noops = (_GET(lambda: 0), _SET(lambda n: None))
_addresses = _found or tuple(ctypes.cast(f, ctypes.c_void_p).value for f in _noops)
ll.add_symbol("polyray_blas_get_num_threads", _addresses[0])
ll.add_symbol("polyray_blas_set_num_threads", _addresses[1])
_launch_threads()  # registers the threading layer's symbols, get_num_threads among them
_blas_get = types.ExternalFunction("polyray_blas_get_num_threads", types.intc())
_blas_set = types.ExternalFunction("polyray_blas_set_num_threads", types.void(types.intc))
_numba_threads = types.ExternalFunction("get_num_threads", types.intc())


@njit(cache=True)
def blas_threads_match() -> int:
    """Gives SciPy's OpenBLAS as many threads as Numba has for this thread; returns its previous count (0: none)."""
    previous = _blas_get()
    wanted = _numba_threads()
    if previous > 0 and wanted > 0 and wanted != previous:
        _blas_set(wanted)
    return previous


@njit(cache=True)
def blas_threads_one() -> int:
    """One BLAS thread, for products computed inside a prange loop (a stack's planes, each on a Numba thread
    of its own: more BLAS threads would wait for the cores those hold); returns the previous count (0: none)."""
    previous = _blas_get()
    if previous > 1:
        _blas_set(1)
    return previous


@njit(cache=True)
def blas_threads_restore(previous: int) -> None:
    """Gives SciPy's OpenBLAS back the count blas_threads_match found."""
    if previous > 0 and _blas_get() != previous:
        _blas_set(previous)
