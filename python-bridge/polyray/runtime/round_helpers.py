"""np.round / np.around of float64 with decimals, by NumPy's own steps (issue 17's `round` row).

NumPy (numpy/_core/src/multiarray/calculation.c, PyArray_Round) computes, for decimals >= 0,
``rint(a * f) / f`` and for decimals < 0 ``rint(a / f) * f``, with f = 10.0 ** |decimals| built
by repeated multiplication (power_of_ten: exact up to 1e22, the same rounded products beyond).
Numba's np.round of a float with decimals is CPython's algorithm instead: it returns x itself
where x * f overflows (np.round(1e300, 10) is inf in NumPy, 1e300 in Numba) and splits f past
1e22 into two factors; so compiled code calls this helper, which does NumPy's steps (np.rint is
the same correctly rounded operation in both), on a float64 array or scalar.

This module imports numba: import it only when compiling a CPU variant.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

from .gpu_elementwise import np_clip

__all__ = ["round_decimals", "clip_scalar_bounds"]


@register_jitable
def _power_of_ten(n):  # type: ignore[no-untyped-def]
    # NumPy's power_of_ten: 1e0..1e8 from a table, then 1e9 times 10 repeatedly; the products
    # from 1.0 are exact up to 1e22, so they equal the table's, and beyond are the same roundings
    f = 1.0
    for _ in range(n):
        f = f * 10.0
    return f


def round_decimals(a: Any, decimals: Any) -> Any:
    """``np.round(a, decimals)`` of a float64 array or scalar."""
    return np.round(a, decimals)


@overload(round_decimals)
def _ol_round_decimals(a, decimals):  # type: ignore[no-untyped-def]
    floats = isinstance(a, types.Float) or (isinstance(a, types.Array) and isinstance(a.dtype, types.Float) and a.ndim > 0)
    if not floats or not isinstance(decimals, (types.Integer, types.IntegerLiteral)):
        return None

    def impl(a, decimals):  # type: ignore[no-untyped-def]
        if decimals >= 0:
            f = _power_of_ten(decimals)
            return np.rint(a * f) / f
        f = _power_of_ten(-decimals)
        return np.rint(a / f) * f
    return impl


# --- np.clip -----------------------------------------------------------------------------------
#
# NumPy's clip (measured on NumPy 2.4, float64 scalars and arrays alike): a NaN bound is the
# result, the lower one first (its own bits: NaN's sign shows); otherwise x below lo gives lo,
# then above hi gives hi, so x itself stays on equality (np.clip(-0.0, 0.0, 1.0) is -0.0) and a
# NaN x stays. Numba's np.clip ignores NaN bounds and has no scalar form: compiled code calls
# clip_scalar_bounds for bounds that are numbers (arrays as bounds keep Numba's np.clip).

# (one source with the GPU's device form: the same comparisons give the same bits on both)
_clip1 = register_jitable(np_clip)


def clip_scalar_bounds(a: Any, lo: Any, hi: Any) -> Any:
    """``np.clip(a, lo, hi)`` of a float64/int64 array or scalar, the bounds numbers."""
    return np.clip(a, lo, hi)


@overload(clip_scalar_bounds)
def _ol_clip_scalar_bounds(a, lo, hi):  # type: ignore[no-untyped-def]
    if not all(isinstance(b, (types.Integer, types.Float)) for b in (lo, hi)):
        return None
    if isinstance(a, (types.Integer, types.Float)):
        def scalar(a, lo, hi):  # type: ignore[no-untyped-def]
            return _clip1(a, lo, hi)
        return scalar
    if not isinstance(a, types.Array) or a.ndim == 0 or not isinstance(a.dtype, (types.Integer, types.Float)):
        return None

    def impl(a, lo, hi):  # type: ignore[no-untyped-def]
        out = a.copy()  # C order, a's dtype and shape (NumPy's result)
        flat = out.reshape(out.size)
        for k in range(flat.size):
            flat[k] = _clip1(flat[k], lo, hi)
        return out
    return impl
