"""close-mode reductions (issue 16): float sums, means, variances and standard
deviations along an axis or of a whole array in any layout, and means of
integer arrays.

Compiled only in the `close` numerics mode (src/compiler/types/reductions.ts
decides which calls come here; `exact` keeps numba_helpers' pairwise_sum or the
original). Every line of the reduction is added in NumPy's pairwise order
(blocks of up to 128 terms in eight running sums, halves at a multiple of 8
above that: numpy/_core/src/umath/loops_utils.h.src), in float64, whatever the
axis and the layout: the blocks depend only on the line's length, so a call
gives the same bits every time, whatever the number of threads. NumPy adds a
line pairwise only where it is contiguous in memory (the last axis of a C
array, or a whole contiguous array) and one row after another otherwise, so
results may differ from NumPy's in the last bits, within the bound stated in
docs/reliability.md "Reduction-bound table" (checked by
test/python/test_close_reductions.py).

var and std follow NumPy's two passes (the mean, then the squared deviations
summed, over max(n - ddof, 0)); a reduction of a vector along its axis is a
scalar, as NumPy's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple

from .pairwise import pairwise_line

SUM, MEAN, VAR, STD = 0, 1, 2, 3


def axis_sum(a: Any, axis: int, keepdims: bool, vector_ok: bool) -> Any:
    """``np.sum(a, axis=axis, keepdims=keepdims)`` of a float64 array."""
    return np.sum(a, axis=axis, keepdims=keepdims)


def axis_mean(a: Any, axis: int, keepdims: bool, vector_ok: bool) -> Any:
    """``np.mean(a, axis=axis, keepdims=keepdims)``."""
    return np.mean(a, axis=axis, keepdims=keepdims)


def axis_var(a: Any, axis: int, keepdims: bool, vector_ok: bool, ddof: Any) -> Any:
    """``np.var(a, axis=axis, keepdims=keepdims, ddof=ddof)``."""
    return np.var(a, axis=axis, keepdims=keepdims, ddof=ddof)


def axis_std(a: Any, axis: int, keepdims: bool, vector_ok: bool, ddof: Any) -> Any:
    """``np.std(a, axis=axis, keepdims=keepdims, ddof=ddof)``."""
    return np.std(a, axis=axis, keepdims=keepdims, ddof=ddof)


def whole_sum(a: Any) -> Any:
    """``np.sum(a)`` of a float64 array of any layout or rank."""
    return np.sum(a)


def whole_mean(a: Any) -> Any:
    """``np.mean(a)``: float64 or integer elements, any layout or rank."""
    return np.mean(a)


def whole_var(a: Any, ddof: Any) -> Any:
    """``np.var(a, ddof=ddof)``."""
    return np.var(a, ddof=ddof)


def whole_std(a: Any, ddof: Any) -> Any:
    """``np.std(a, ddof=ddof)``."""
    return np.std(a, ddof=ddof)


@njit
def _over(x, count):  # type: ignore[no-untyped-def]
    """x / count as NumPy divides (count 0: inf, or nan for 0 and nan; no exception)."""
    if count > 0:
        return x / count
    if x > 0.0:
        return np.inf
    return np.nan


@njit
def _reduce_lines(lines, op, ddof):  # type: ignore[no-untyped-def]
    """Each line lines[o, :, i] reduced by op (SUM, MEAN, VAR, STD), flat in (o, i) order."""
    outer, n, inner = lines.shape
    out = np.empty(outer * inner, dtype=np.float64)
    squares = np.empty((1, n, 1), dtype=np.float64)
    for o in range(outer):
        for i in range(inner):
            s = pairwise_line(lines, o, 0, n, i)
            if op == SUM:
                out[o * inner + i] = s
                continue
            m = _over(s, n)
            if op == MEAN:
                out[o * inner + i] = m
                continue
            for k in range(n):
                d = np.float64(lines[o, k, i]) - m
                squares[0, k, 0] = d * d
            v = _over(pairwise_line(squares, 0, 0, n, 0), max(n - ddof, 0))
            out[o * inner + i] = np.sqrt(v) if op == STD else v
    return out


@njit
def _as_lines(a, axis):  # type: ignore[no-untyped-def]
    """a as (outer, reduced, inner): C order, copied where a is not C-contiguous."""
    outer = 1
    inner = 1
    for d in range(axis):
        outer *= a.shape[d]
    for d in range(axis + 1, a.ndim):
        inner *= a.shape[d]
    return np.ascontiguousarray(a).reshape((outer, a.shape[axis], inner))


def _result_shape(ndim: int, keepdims: bool) -> Any:
    """A jitted function giving the result's shape as a fixed tuple: the axis dropped, or kept as 1."""
    rank = ndim if keepdims else ndim - 1

    @njit(inline="always")
    def shape(a, axis):  # type: ignore[no-untyped-def]
        s = np.empty(max(rank, 1), dtype=np.int64)
        j = 0
        for d in range(ndim):
            if d != axis:
                s[j] = a.shape[d]
                j += 1
            elif keepdims:
                s[j] = 1
                j += 1
        return to_fixed_tuple(s, rank)

    return shape


def _elements_ok(a: types.Type, op: int) -> bool:
    """float64 elements, or (mean, var, std) integers and booleans, added as float64 as NumPy does."""
    if not isinstance(a, types.Array):
        return False
    if a.dtype == types.float64:
        return True
    return op != SUM and isinstance(a.dtype, (types.Integer, types.Boolean))


def _axis_overload(op: int):  # type: ignore[no-untyped-def]
    def ol(a, axis, keepdims, vector_ok, ddof=0):  # type: ignore[no-untyped-def]
        # literals all: the compiler writes them (types/reductions.ts), so each is known while typing
        literal = (types.IntegerLiteral, types.BooleanLiteral)
        if not _elements_ok(a, op) or not all(isinstance(t, literal) for t in (axis, keepdims, vector_ok)):
            return None
        ndim = a.ndim
        if not -ndim <= axis.literal_value < ndim:
            return None  # the variant fails to compile, the original runs and raises NumPy's AxisError
        keep = bool(keepdims.literal_value)
        scalar = ndim == 1 and not keep
        if scalar and not vector_ok.literal_value:
            return None  # typed as an array by the compiler (unknown rank): a scalar result is the original's
        shape = _result_shape(ndim, keep)

        def impl(a, axis, keepdims, vector_ok, ddof=0):  # type: ignore[no-untyped-def]
            ax = axis + ndim if axis < 0 else axis
            out = _reduce_lines(_as_lines(a, ax), op, ddof)
            if scalar:
                return out[0]
            return out.reshape(shape(a, ax))

        return impl

    return ol


def _whole_overload(op: int):  # type: ignore[no-untyped-def]
    def ol(a, ddof=0):  # type: ignore[no-untyped-def]
        if not _elements_ok(a, op):
            return None

        def impl(a, ddof=0):  # type: ignore[no-untyped-def]
            flat = np.ravel(a)
            return _reduce_lines(flat.reshape((1, flat.size, 1)), op, ddof)[0]

        return impl

    return ol


for _fn, _op in ((axis_sum, SUM), (axis_mean, MEAN), (axis_var, VAR), (axis_std, STD)):
    overload(_fn, inline="always", prefer_literal=True)(_axis_overload(_op))
for _fn, _op in ((whole_sum, SUM), (whole_mean, MEAN), (whole_var, VAR), (whole_std, STD)):
    overload(_fn, inline="always")(_whole_overload(_op))
