"""A loop's per-column products as one matrix product (issue 18, close mode; poly/column-products.ts).

``for i in range(lo, hi): ... X[:, i] @ Y[:, i + off:stop] ...`` (NPBench's correlation and covariance) runs
one matrix-vector product per iteration, each reading its part of the matrix at memory speed. Row i of
``X.T @ Y`` is ``X[:, i] @ Y`` (the same sums, in BLAS's order), so the compiler computes that product once
before the loop, ``P = column_products(X, Y, lo, hi, off, stop)``, and each iteration copies
``P[i, start:stop]`` (``column_product``). The whole product costs ``X.shape[1] * Y.shape[1]`` multiplications
per row of X against the loop's sum of its slices' lengths: it is taken only where that is at most twice the
loop's, plus the diagonal a strict triangle leaves out (the triangle is most of the square); X is Y (the same array) goes through SciPy's dsyrk (one triangle,
as NumPy's ``X.T @ X`` does), the other through np.dot. Otherwise P is empty and each iteration multiplies
as written (numba_helpers.matmul: strided operands without copies).

Results differ from the per-iteration products by rounding only: close mode, as every BLAS product.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from .covariance import _MAX_INT, _dsyrk_upper
from .jitting import quiet_performance_advice
from .numba_helpers import matmul

__all__ = ["column_products", "column_product"]


@njit(cache=True, nogil=True)
def _slice_length(start: int, stop: int, n: int) -> int:
    """len(range(n)[start:stop]): Python's rules for a slice with step 1 (negative bounds count from the end)."""
    if start < 0:
        start = max(start + n, 0)
    elif start > n:
        start = n
    if stop < 0:
        stop = max(stop + n, 0)
    elif stop > n:
        stop = n
    return max(stop - start, 0)


def _syrk(x: Any, out: Any) -> bool:
    """out = x.T @ x through SciPy's dsyrk where x is float64 (True), else nothing (False)."""
    raise NotImplementedError  # compiled code only (the overload below)


@overload(_syrk)
def _ol_syrk(x, out):  # type: ignore[no-untyped-def]
    if not (isinstance(x, types.Array) and x.dtype == types.float64):
        return lambda x, out: False

    def impl(x, out):  # type: ignore[no-untyped-def]
        rows, n = x.shape
        if x.flags.c_contiguous:  # stored as x.T (n x rows, column-major, ld n): syrk of x.T x.T.T
            _dsyrk_upper(False, n, rows, x, n, out)
        else:  # F-ordered, stored as x (rows x n, ld rows): syrk of x.T x
            _dsyrk_upper(True, n, rows, x, rows, out)
        # column-major upper triangle = row-major lower one (out[i, j], i >= j): copy it over
        for i in range(n):
            for j in range(i + 1, n):
                out[i, j] = out[j, i]
        return True
    return impl


@njit(cache=True, nogil=True)
def column_products(x: Any, y: Any, lo: int, hi: int, off: int, stop: int) -> Any:
    """``x.T @ y`` where the loop ``for i in range(lo, hi)`` multiplies ``x[:, i] @ y[:, i + off:stop]`` about
    half as many times as the whole product does or more (else an empty array: the loop multiplies as written)."""
    rows, n, m = x.shape[0], x.shape[1], y.shape[1]
    empty = np.empty((0, 0), dtype=x.dtype)
    # within x's columns, shapes that agree (else each iteration raises as Python does), something to multiply
    if hi <= lo or lo < 0 or hi > n or y.shape[0] != rows or rows == 0 or m == 0:
        return empty
    total = 0
    for i in range(lo, hi):
        total += _slice_length(i + off, stop, m)
    # at most twice the loop's multiplications, a triangle's diagonal (n + m rows of them) aside: a strict
    # triangle (correlation's i + 1:M) is n (n - 1) / 2 of the square's n n
    if n * m > 2 * total + n + m:
        return empty
    same = x.ctypes.data == y.ctypes.data and x.shape == y.shape and x.strides == y.strides
    if same and max(rows, n) <= _MAX_INT and (x.flags.c_contiguous or x.flags.f_contiguous):
        out = np.empty((n, n), dtype=x.dtype)
        if _syrk(x, out):
            return out
    return np.dot(x.T, y)
    return np.dot(x.T, y)


@njit(cache=True, nogil=True)
def column_product(p: Any, x: Any, i: int, start: int, stop: int, y: Any) -> Any:
    """``x[:, i] @ y[:, start:stop]``: a copy of row i of ``p = x.T @ y`` where column_products computed it."""
    n = x.shape[1]
    if i < -n or i >= n:
        raise IndexError("index out of bounds for axis 1")
    if p.shape[0] > 0:
        return p[i, start:stop].copy()
    return matmul(x[:, i], y[:, start:stop])


quiet_performance_advice(column_products.py_func)  # (np.dot of x.T: Numba's advice on layouts the user did not write)
quiet_performance_advice(column_product.py_func)
