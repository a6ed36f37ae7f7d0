"""The BLAS products of close mode's product loops (codegen/product-loops.ts), as one Numba function cached on disk.

A product loop's variant computes ``T = blas_dot(Y, Z)`` before its nest. Printed as ``np.dot`` in the
variant itself, every variant typed and compiled Numba's np.dot again for each (dtype, layout, ndim) pair of
operands it calls it with: 0.4 to 0.5 CPU s per pair, most of a BLAS-lowered kernel's first compile (issue 18's
first-call line, bench/jit_cost.py; gemm: two pairs, the whole operands' and the slices'). Through this
dispatcher (``cache=True``), the variant's typing of the call compiles this function once per pair *per
machine*: later processes load it from Numba's cache (beside this file, or Numba's user-wide cache where the
package is read-only), and a variant compiled in the same process finds it compiled. The variant links in
the compiled product as it would link np.dot's: the same BLAS call (SciPy's, as Numba's np.dot), the same
numbers. Exact mode prints no product loops (docs/reliability.md: its products stay in the original).

Plain ``numba.njit(cache=True)``, not jitting.njit's name-keyed cache: this module's import name never changes.
Numba's advice on the products it compiles here ("np.dot() is faster on contiguous arrays", for a k range's
slices) is about code the user did not write: quiet, as it is for the generated modules (jitting.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from .jitting import quiet_performance_advice


@njit(cache=True, nogil=True)
def blas_dot(a: Any, b: Any) -> Any:
    """``np.dot(a, b)``, compiled once per argument types and loaded from Numba's cache afterwards."""
    return np.dot(a, b)


@njit(cache=True, nogil=True)
def blas_dot_rows(out: Any, r0: int, r1: int, a: Any, b: Any) -> None:
    """``out[r0:r1] = np.dot(a, b)``: a block of rows of a masked product (codegen/product-loops.ts blockedDot).

    Here, not in the variant: Numba's assignment of an array to a slice brings its shape-mismatch message, whose
    typing (str of tuples, joins: about sixty small compiles) cost 2.4 of trmm's 4.7 CPU s."""
    out[r0:r1] = np.dot(a, b)


quiet_performance_advice(blas_dot.py_func)
quiet_performance_advice(blas_dot_rows.py_func)
