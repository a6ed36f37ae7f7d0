"""A loop's dots with the columns of one row block as one vector-matrix product (issue 18, close mode;
poly/column-dots.ts).

``for j in range(lo, hi): ... np.dot(v, Y[s:t, j]) ...`` (NPBench's trmm, symm's ``B[:i, j] @ A[i, :i]``) takes
one dot per iteration, each walking a column of Y; Numba's np.dot copies both strided operands first. Element
j - lo of ``v @ Y[s:t, lo:hi]`` is that dot (the same sums, in BLAS's order), so the compiler computes the
product once before the loop, ``P = column_dots(v, Y, s, t, lo, hi)``: BLAS's gemv reading the block row by
row, without a copy (numba_helpers.dot: strided_products.py), as many multiplications as the loop's. Each
iteration reads ``P[j - lo]`` (``column_dot``). Where the loop's columns leave Y or the lengths disagree, P is
empty and each iteration takes its dot as written (raising as NumPy does).

Results differ from the per-iteration dots by rounding only: close mode, as every BLAS product.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from .jitting import quiet_performance_advice
from .numba_helpers import dot

__all__ = ["column_dots", "column_dots_none", "column_dot"]


@njit(cache=True, nogil=True)
def column_dots(v: Any, y: Any, s: int, t: int, lo: int, hi: int) -> Any:
    """``v @ y[s:t, lo:hi]`` where those are the columns ``for j in range(lo, hi)`` reads and the lengths agree
    (else an empty array: the loop takes its dots as written)."""
    if hi <= lo or lo < 0 or hi > y.shape[1]:
        return np.empty(0, dtype=y.dtype)
    block = y[s:t, lo:hi]
    if block.shape[0] != v.shape[0]:
        return np.empty(0, dtype=y.dtype)
    return dot(v, block)


@njit(cache=True, nogil=True)
def column_dots_none(y: Any) -> Any:
    """No product: the loop has no iteration (its vector is not evaluated, as in the original)."""
    return np.empty(0, dtype=y.dtype)


@njit(cache=True, nogil=True)
def column_dot(p: Any, lo: int, j: int, v: Any, y: Any, s: int, t: int) -> Any:
    """``np.dot(v, y[s:t, j])``: element j - lo of ``p`` where column_dots computed it."""
    if p.shape[0] > 0:
        return p[j - lo]
    n = y.shape[1]
    if j < -n or j >= n:  # (this function is compiled without bounds checks: Python's error, not a stray read)
        raise IndexError("index out of bounds for axis 1")
    return dot(v, y[s:t, j])


quiet_performance_advice(column_dots.py_func)  # (np.dot of strided columns: Numba's advice on code the user did not write)
quiet_performance_advice(column_dot.py_func)
quiet_performance_advice(column_dots_none.py_func)
