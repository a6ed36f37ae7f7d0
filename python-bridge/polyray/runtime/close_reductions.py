"""close-mode reductions (issue 16): float sums, means, variances and standard
deviations along an axis, a tuple of axes (runtime/axis_lines.py) or of a
whole array in any layout, and means of integer arrays. float32 arrays are
reduced in float32, as NumPy does (its result dtype; issue 17), float64 and
integer ones in float64.

Compiled only in the `close` numerics mode (src/compiler/types/reductions.ts
decides which calls come here; `exact` keeps numba_helpers' pairwise_sum or the
original). Every line of the reduction is added in NumPy's pairwise order
(blocks of up to 128 terms in eight running sums, halves at a multiple of 8
above that: numpy/_core/src/umath/loops_utils.h.src), in float64, whatever the
axis and the layout (a tuple of axes: the line runs over them in C order): the blocks depend only on the line's length, so a call
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

from .axis_lines import lines_of, literal_axes, result_rank, shape_of
from .pairwise import pairwise_line, pairwise_line32

SUM, MEAN, VAR, STD = 0, 1, 2, 3


def axis_sum(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.sum(a, axis=axis, keepdims=keepdims)`` of a float64 or float32 array, axis an int or a tuple."""
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
    """``np.sum(a)`` of a float64 or float32 array of any layout or rank."""
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
    """x / count as NumPy divides, without an exception for count 0: the ufunc divides in hardware,
    so 0 / 0 is the processor's own NaN (its sign bit set on x86), the bits NumPy's mean of an empty line has."""
    return np.true_divide(x, np.float64(count))


def _reducer(pairwise: Any, acc: Any) -> Any:
    """Each line lines[o, :, i] reduced by op (SUM, MEAN, VAR, STD) in dtype acc, flat in (o, i) order.

    NumPy's steps in NumPy's dtypes: the sum starts from 0 (so -0.0 terms give
    0.0); a float32 mean or variance is the float32 sum divided by the count
    (an np.intp) in float64, rounded to float32 (numpy/_core/_methods.py);
    the deviations and their squares in acc.
    """

    @njit
    def reduce_lines(lines, op, ddof):  # type: ignore[no-untyped-def]
        outer, n, inner = lines.shape
        out = np.empty(outer * inner, dtype=acc)
        squares = np.empty((1, n, 1), dtype=acc)
        for o in range(outer):
            for i in range(inner):
                s = acc(0.0) + pairwise(lines, o, 0, n, i)
                if op == SUM:
                    out[o * inner + i] = s
                    continue
                m = acc(_over(np.float64(s), n))
                if op == MEAN:
                    out[o * inner + i] = m
                    continue
                for k in range(n):
                    d = acc(lines[o, k, i]) - m
                    squares[0, k, 0] = d * d
                v = acc(_over(np.float64(acc(0.0) + pairwise(squares, 0, 0, n, 0)), max(n - ddof, 0)))
                out[o * inner + i] = acc(np.sqrt(v)) if op == STD else v
        return out

    return reduce_lines


_reduce_lines = _reducer(pairwise_line, np.float64)
_reduce_lines32 = _reducer(pairwise_line32, np.float32)


def _reduce_for(a: types.Array, op: int) -> Any:
    """The reducer for a's elements: float32 in float32 (NumPy's result dtype), float64 and integers in float64; None otherwise."""
    if not isinstance(a, types.Array):
        return None
    if a.dtype == types.float32:
        return _reduce_lines32
    if a.dtype == types.float64:
        return _reduce_lines
    if op != SUM and isinstance(a.dtype, (types.Integer, types.Boolean)):
        return _reduce_lines
    return None


def _axis_overload(op: int):  # type: ignore[no-untyped-def]
    def ol(a, axis, keepdims, vector_ok, ddof=0):  # type: ignore[no-untyped-def]
        # literals all: the compiler writes them (types/reductions.ts), so each is known while typing
        literal = (types.IntegerLiteral, types.BooleanLiteral)
        reduce_lines = _reduce_for(a, op)
        if reduce_lines is None or not all(isinstance(t, literal) for t in (keepdims, vector_ok)):
            return None
        ndim = a.ndim
        axes = literal_axes(axis, ndim)
        if axes is None:
            return None  # the variant fails to compile, the original runs and raises NumPy's AxisError
        keep = bool(keepdims.literal_value)
        scalar = result_rank(ndim, axes, keep) == 0
        if scalar and not vector_ok.literal_value:
            return None  # typed as an array by the compiler (unknown rank): a scalar result is the original's
        lines = lines_of(ndim, axes)
        shape = shape_of(ndim, axes, keep)

        def impl(a, axis, keepdims, vector_ok, ddof=0):  # type: ignore[no-untyped-def]
            out = reduce_lines(lines(a), op, ddof)
            if scalar:
                return out[0]
            return out.reshape(shape(a))

        return impl

    return ol


def _whole_overload(op: int):  # type: ignore[no-untyped-def]
    def ol(a, ddof=0):  # type: ignore[no-untyped-def]
        reduce_lines = _reduce_for(a, op)
        if reduce_lines is None:
            return None

        def impl(a, ddof=0):  # type: ignore[no-untyped-def]
            flat = np.ravel(a)
            return reduce_lines(flat.reshape((1, flat.size, 1)), op, ddof)[0]

        return impl

    return ol


for _fn, _op in ((axis_sum, SUM), (axis_mean, MEAN), (axis_var, VAR), (axis_std, STD)):
    overload(_fn, inline="always", prefer_literal=True)(_axis_overload(_op))


# np.average(a, axis=k) without weights is a.mean(axis), then NumPy's scale
# a.size / avg.size (numpy/lib/_function_base_impl.py, average), a Python division:
# ZeroDivisionError whenever the result is empty (another axis of a has length 0),
# after the mean, which itself raises nothing.


def axis_average(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.average(a, axis=axis, keepdims=keepdims)``."""
    return np.average(a, axis=axis, keepdims=keepdims)


@overload(axis_average, prefer_literal=True)
def _ol_axis_average(a, axis, keepdims, vector_ok):  # type: ignore[no-untyped-def]
    if _axis_overload(MEAN)(a, axis, keepdims, vector_ok) is None:
        return None
    axes = literal_axes(axis, a.ndim)
    kept = tuple(d for d in range(a.ndim) if d not in axes)
    if not kept:
        # every axis reduced: one element (keepdims or not), never empty
        return lambda a, axis, keepdims, vector_ok: axis_mean(a, axis, keepdims, vector_ok)

    def impl(a, axis, keepdims, vector_ok):  # type: ignore[no-untyped-def]
        out = axis_mean(a, axis, keepdims, vector_ok)
        size = 1
        for d in kept:
            size *= a.shape[d]
        if size == 0:
            raise ZeroDivisionError("division by zero")
        return out

    return impl
for _fn, _op in ((whole_sum, SUM), (whole_mean, MEAN), (whole_var, VAR), (whole_std, STD)):
    overload(_fn, inline="always")(_whole_overload(_op))
