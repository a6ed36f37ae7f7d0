"""NumPy functions whose Numba form differs from NumPy's, as helpers that agree.

Rows of the compiler's NumPy table (src/compiler/types/numpy-table.ts) name
these in their ``helper`` column; a CPU variant calls them as
``_polyray_h_<name>(...)`` (numba_helpers re-exports them, CpuVariant injects
them). Each is a plain Python function with NumPy's semantics and a Numba
``@overload`` giving the same results and exception types in compiled code.
Argument types an overload does not cover make typing fail, so the variant
does not compile and the original runs.

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.extending import overload, register_jitable
from numba.np.unsafe.ndarray import to_fixed_tuple

from .pairwise import pairwise_vector  # NumPy's order of a run's sum (np.average's weights)
from .histogram import histogram, histogram_density, histogram_edges  # noqa: F401 (helpers of the table, re-exported)
from .linspace_formula import _linspace  # NumPy's linspace formula (np.linspace, np.histogram's edges)
from .close_reductions import SUM, _reduce_lines  # close mode's blocked sums (np.average along an axis)
from .axis_lines import literal_axes, shape_of
from .axis_lines import lines_of  # (pre, m, post): the lines along one axis, shared with the reductions

__all__ = ["reshape", "linspace", "ndarray", "abs_array", "histogram", "histogram_edges", "histogram_density", "bincount", "solve", "mgrid", "repeat", "roll", "tile", "swapaxes", "average_weighted", "average_weighted_returned", "average_weighted_axis", "average_weighted_axis_returned", "average_returned", "reshape_value", "outer_add", "outer_subtract", "outer_multiply", "outer_divide",
           "outer_maximum", "outer_minimum"]


# --- reshape ---------------------------------------------------------------------
#
# Numba reshapes only C- or F-contiguous arrays, an F-ordered one as if its order
# were F (NumPy's default order is C), and raises NotImplementedError where NumPy
# raises ValueError. The overload accepts C-contiguous arrays only (the others
# fail to type: the original runs) and checks the size first, as NumPy does.


def reshape(a: Any, *shape: Any) -> Any:
    """``np.reshape(a, shape)``, ``a.reshape(shape)`` or ``a.reshape(d0, d1, ...)``."""
    return np.reshape(a, shape[0] if len(shape) == 1 else shape)


@register_jitable
def _check_reshape(size, shape):  # type: ignore[no-untyped-def]
    known = 1
    unknown = 0
    for d in shape:
        if d == -1:
            unknown += 1
        elif d < 0:
            raise ValueError("reshape: negative dimensions not allowed")
        else:
            known *= d
    if unknown > 1:
        raise ValueError("reshape: can only specify one unknown dimension")
    if unknown == 1:
        if known == 0 or size % known != 0:
            raise ValueError("reshape: cannot reshape array into the requested shape")
    elif known != size:
        raise ValueError("reshape: cannot reshape array into the requested shape")


@overload(reshape)  # (not inlined: Numba's inliner refuses *args)
def _ol_reshape(a, *shape):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or a.layout != "C":
        return None
    if len(shape) == 1 and isinstance(shape[0], types.Integer):
        def impl_int(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, (shape[0],))
            return a.reshape(shape[0])
        return impl_int
    if len(shape) == 1 and isinstance(shape[0], types.UniTuple) and isinstance(shape[0].dtype, types.Integer):
        def impl_tuple(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, shape[0])
            return a.reshape(shape[0])
        return impl_tuple
    if len(shape) > 1 and all(isinstance(d, types.Integer) for d in shape):
        def impl_dims(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, shape)
            return a.reshape(shape)
        return impl_dims
    return None


def reshape_value(a: Any, *shape: Any) -> Any:
    """``np.reshape(a, shape)`` read once as an operand (types/reshape-operands.ts): a copy of a
    non-contiguous array may stand for NumPy's view, since no one sees which it is."""
    return np.reshape(a, shape[0] if len(shape) == 1 else shape)


@overload(reshape_value)
def _ol_reshape_value(a, *shape):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array):
        return None
    if len(shape) == 1 and isinstance(shape[0], types.Integer):
        def impl_int(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, (shape[0],))
            return np.ascontiguousarray(a).reshape(shape[0])
        return impl_int
    if len(shape) == 1 and isinstance(shape[0], types.UniTuple) and isinstance(shape[0].dtype, types.Integer):
        def impl_tuple(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, shape[0])
            return np.ascontiguousarray(a).reshape(shape[0])
        return impl_tuple
    if len(shape) > 1 and all(isinstance(d, types.Integer) for d in shape):
        def impl_dims(a, *shape):  # type: ignore[no-untyped-def]
            _check_reshape(a.size, shape)
            return np.ascontiguousarray(a).reshape(shape)
        return impl_dims
    return None


# --- linspace ----------------------------------------------------------------------
#
# NumPy 2 (numpy/_core/function_base.py): step = (stop - start) / (num - 1) in
# float64, y = arange(num) * step + start (divided then multiplied when the step
# underflows to 0), the last element stop itself. Computed the same way here, so
# the bits agree; Numba's own np.linspace has no dtype= argument.


def linspace(start: Any, stop: Any, num: int = 50, dtype: Any = None) -> Any:
    """``np.linspace(start, stop, num)`` of float64 (endpoint included)."""
    return np.linspace(start, stop, num, dtype=dtype)


@overload(linspace, inline="always")
def _ol_linspace(start, stop, num=50, dtype=None):  # type: ignore[no-untyped-def]
    real = (types.Integer, types.Float)
    if not (isinstance(start, real) and isinstance(stop, real) and isinstance(num, (types.Integer, types.Omitted, int))):
        return None
    if not (dtype is None or isinstance(dtype, (types.NoneType, types.Omitted))
            or (isinstance(dtype, types.NumberClass) and dtype.instance_type == types.float64)):
        return None

    def impl(start, stop, num=50, dtype=None):  # type: ignore[no-untyped-def]
        return _linspace(np.float64(start), np.float64(stop), num)

    return impl


# np.histogram: runtime/histogram.py (re-exported here, where the table's helpers live).


# --- bincount ----------------------------------------------------------------------
#
# Numba's np.bincount checks the signs from the second element on: a negative x[0]
# makes it write before its counts (memory corruption) where NumPy raises ValueError.
# The helper checks every element first, with NumPy's message, then calls Numba's.


def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Any:
    """``np.bincount(x, weights, minlength)`` of a 1-d integer array."""
    return np.bincount(x, weights=weights, minlength=minlength)


@overload(bincount, inline="always")
def _ol_bincount(x, weights=None, minlength=0):  # type: ignore[no-untyped-def]
    if not (isinstance(x, types.Array) and x.ndim == 1 and isinstance(x.dtype, types.Integer)):
        return None

    def impl(x, weights=None, minlength=0):  # type: ignore[no-untyped-def]
        for i in range(x.size):
            if x[i] < 0:
                raise ValueError("'list' argument must have no negative elements")
        return np.bincount(x, weights, minlength)
    return impl


# --- np.ndarray(shape, dtype) ------------------------------------------------------


def ndarray(shape: Any, dtype: Any = float) -> Any:
    """``np.ndarray(shape, dtype)``: an uninitialized array, as np.empty."""
    return np.ndarray(shape, dtype)


@overload(ndarray, inline="always")
def _ol_ndarray(shape, dtype=None):  # type: ignore[no-untyped-def]
    if dtype is None or isinstance(dtype, (types.NoneType, types.Omitted)):
        return lambda shape, dtype=None: np.empty(shape, np.float64)
    return lambda shape, dtype=None: np.empty(shape, dtype)


# --- abs() of an array -------------------------------------------------------------
#
# CPython's abs() calls ndarray.__abs__, which is np.absolute; Numba has no abs() of arrays.


def abs_array(a: Any) -> Any:
    """``abs(a)`` of an array."""
    return abs(a)


@overload(abs_array, inline="always")
def _ol_abs_array(a):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array):
        return None
    return lambda a: np.absolute(a)


# --- ufunc.outer -------------------------------------------------------------------
#
# np.add.outer(a, b)[i..., j...] = a[i...] + b[j...]: each element is one IEEE
# operation, as NumPy computes it. Numba has no ufunc.outer; broadcasting the
# flattened operands against each other gives the same elements.


def _outer_pair(name: str) -> Any:
    ufunc = getattr(np, name)

    def outer(a: Any, b: Any) -> Any:
        return ufunc.outer(a, b)

    outer.__name__ = f"outer_{name}"
    outer.__doc__ = f"``np.{name}.outer(a, b)``."

    @overload(outer, inline="always")
    def _ol(a, b):  # type: ignore[no-untyped-def]
        if not (isinstance(a, types.Array) and isinstance(b, types.Array)):
            return None

        def impl(a, b):  # type: ignore[no-untyped-def]
            left = np.ascontiguousarray(a).reshape((a.size, 1))
            right = np.ascontiguousarray(b).reshape((1, b.size))
            return ufunc(left, right).reshape(a.shape + b.shape)

        return impl

    return outer


outer_add = _outer_pair("add")
outer_subtract = _outer_pair("subtract")
outer_multiply = _outer_pair("multiply")
outer_divide = _outer_pair("divide")
outer_maximum = _outer_pair("maximum")
outer_minimum = _outer_pair("minimum")


# --- np.linalg.solve ---------------------------------------------------------------
#
# NumPy checks that a is square (LinAlgError), then the gufunc's core dimensions
# (ValueError when b's rows differ from a's); Numba raises LinAlgError for both.


def solve(a: Any, b: Any) -> Any:
    """``np.linalg.solve(a, b)`` of a 2-d a and a 1-d or 2-d b."""
    return np.linalg.solve(a, b)


@overload(solve, inline="always")
def _ol_solve(a, b):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and isinstance(b, types.Array) and a.ndim == 2 and b.ndim in (1, 2)):
        return None

    def impl(a, b):  # type: ignore[no-untyped-def]
        if a.shape[0] != a.shape[1]:
            raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
        if b.shape[0] != a.shape[0]:
            raise ValueError("solve: Input operand 1 has a mismatch in its core dimension 0")
        return np.linalg.solve(a, b)
    return impl


# --- np.mgrid ------------------------------------------------------------------------
#
# np.mgrid[a0:b0:s0, a1:b1:s1, ...] with integer bounds and steps (types/grids.ts):
# ceil((b - a) / s) points per axis, coordinate a + k*s, int64; one slice gives a
# 1-d array (np.arange: no points for a negative count), several a (k, n0, n1, ...)
# array (np.indices: ValueError for a negative count). Numba has no mgrid.


def mgrid(starts: Any, stops: Any, steps: Any) -> Any:
    """``np.mgrid[starts[0]:stops[0]:steps[0], ...]``."""
    return np.mgrid[tuple(slice(a, b, s) for a, b, s in zip(starts, stops, steps))]


@register_jitable
def _grid_count(a, b, s):  # type: ignore[no-untyped-def]
    # NumPy: ceil((stop - start) / (step * 1.0)), exact for the integers it is given here
    if s == 0:
        raise ZeroDivisionError("division by zero")
    n = -((a - b) // s) if s > 0 else -((b - a) // -s)
    return max(n, 0)


@register_jitable
def _grid_dim(a, b, s):  # type: ignore[no-untyped-def]
    # several slices: NumPy allocates np.indices(counts), which refuses a negative count
    if s == 0:
        raise ZeroDivisionError("division by zero")
    n = -((a - b) // s) if s > 0 else -((b - a) // -s)
    if n < 0:
        raise ValueError("negative dimensions are not allowed")
    return n


@overload(mgrid, inline="always")
def _ol_mgrid(starts, stops, steps):  # type: ignore[no-untyped-def]
    if not all(isinstance(t, types.UniTuple) and isinstance(t.dtype, (types.Integer, types.Boolean)) for t in (starts, stops, steps)):
        return None
    k = starts.count
    if k == 1:
        def impl1(starts, stops, steps):  # type: ignore[no-untyped-def]
            a, s = np.int64(starts[0]), np.int64(steps[0])
            n = _grid_count(a, np.int64(stops[0]), s)
            out = np.empty(n, dtype=np.int64)
            for i in range(n):
                out[i] = a + i * s
            return out
        return impl1
    if k == 2:
        def impl2(starts, stops, steps):  # type: ignore[no-untyped-def]
            n0 = _grid_dim(np.int64(starts[0]), np.int64(stops[0]), np.int64(steps[0]))
            n1 = _grid_dim(np.int64(starts[1]), np.int64(stops[1]), np.int64(steps[1]))
            out = np.empty((2, n0, n1), dtype=np.int64)
            for i in range(n0):
                for j in range(n1):
                    out[0, i, j] = starts[0] + i * steps[0]
                    out[1, i, j] = starts[1] + j * steps[1]
            return out
        return impl2
    if k == 3:
        def impl3(starts, stops, steps):  # type: ignore[no-untyped-def]
            n0 = _grid_dim(np.int64(starts[0]), np.int64(stops[0]), np.int64(steps[0]))
            n1 = _grid_dim(np.int64(starts[1]), np.int64(stops[1]), np.int64(steps[1]))
            n2 = _grid_dim(np.int64(starts[2]), np.int64(stops[2]), np.int64(steps[2]))
            out = np.empty((3, n0, n1, n2), dtype=np.int64)
            for i in range(n0):
                for j in range(n1):
                    for m in range(n2):
                        out[0, i, j, m] = starts[0] + i * steps[0]
                        out[1, i, j, m] = starts[1] + j * steps[1]
                        out[2, i, j, m] = starts[2] + m * steps[2]
            return out
        return impl3
    return None


# --- np.repeat ---------------------------------------------------------------------
#
# np.repeat(a, n) repeats each element of the flattened array n times (Numba has that
# form); along an axis k (types: a literal, normalized; -1 for none) each index of
# that axis n times, the array's rank kept. A negative count raises ValueError, as
# in NumPy.


def repeat(a: Any, n: Any, axis: int) -> Any:
    """``np.repeat(a, n)`` (axis -1) or ``np.repeat(a, n, axis=axis)``."""
    return np.repeat(a, n) if axis == -1 else np.repeat(a, n, axis=axis)


@overload(repeat)
def _ol_repeat(a, n, axis):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and isinstance(n, types.Integer) and isinstance(axis, types.IntegerLiteral)):
        return None
    k = axis.literal_value
    if k == -1:
        def impl_flat(a, n, axis):  # type: ignore[no-untyped-def]
            if a.size == 0:  # NumPy returns an empty array for any count here, a negative one too (fuzz seed 9500)
                return np.empty(0, dtype=a.dtype)
            if n < 0:
                raise ValueError("negative dimensions are not allowed")
            return np.repeat(a, n)
        return impl_flat
    from numba.cpython.unsafe.tuple import tuple_setitem
    lines = lines_of(a.ndim, (k,))

    def impl(a, n, axis):  # type: ignore[no-untyped-def]
        # NumPy broadcasts the count over the axis first: along an empty axis any count,
        # a negative one too, gives an empty axis; elsewhere a negative count raises
        if n < 0 and a.shape[k] != 0:
            raise ValueError("negative dimensions are not allowed")
        c = lines(a)  # (pre, m, post), C-contiguous
        pre, m, post = c.shape
        n = max(n, 0)
        out = np.empty((pre, m * n, post), dtype=a.dtype)
        for p in range(pre):
            for j in range(m):
                for r in range(n):
                    for q in range(post):
                        out[p, j * n + r, q] = c[p, j, q]
        return out.reshape(tuple_setitem(a.shape, k, m * n))
    return impl


# --- np.roll ------------------------------------------------------------------------
# np.roll(a, shift) moves the flattened array's elements by shift (Python's modulo, a
# negative shift moves left) and keeps a's shape; Numba has that form but no axis=.
# Along axis k the array is seen as (pre, m, post) and element j of each line goes to
# (j + shift) mod m. Both forms return a fresh C-ordered array of a's dtype, as NumPy's.


def roll(a: Any, shift: Any, axis: int) -> Any:
    """``np.roll(a, shift)`` (axis -1) or ``np.roll(a, shift, axis=axis)``."""
    return np.roll(a, shift) if axis == -1 else np.roll(a, shift, axis=axis)


@overload(roll)
def _ol_roll(a, shift, axis):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and isinstance(shift, types.Integer) and isinstance(axis, types.IntegerLiteral)):
        return None
    k = axis.literal_value
    if k == -1:
        def impl_flat(a, shift, axis):  # type: ignore[no-untyped-def]
            return np.roll(a, shift)
        return impl_flat
    lines = lines_of(a.ndim, (k,))

    def impl(a, shift, axis):  # type: ignore[no-untyped-def]
        c = lines(a)  # (pre, m, post), C-contiguous
        pre, m, post = c.shape
        out = np.empty(a.shape, dtype=a.dtype)
        if m == 0:
            return out
        s = shift % m
        dst = out.reshape((pre, m, post))
        for p in range(pre):
            for j in range(m):
                t = j + s
                if t >= m:
                    t -= m
                for q in range(post):
                    dst[p, t, q] = c[p, j, q]
        return out
    return impl


# --- np.tile --------------------------------------------------------------------------
# np.tile(a, reps) of an array of any rank with an int or a tuple of ints of any length
# (numpy/lib/_shape_base_impl.py): the result has rank R = max(a.ndim, len(reps)), the shape
# and the repetitions padded with leading 1s to R, and element idx of the result is
# a[idx % shape]. NumPy raises ValueError for a negative repetition along an axis of
# nonzero length (its repeat or reshape refuses it); along an axis of length 0 the result
# has length 0 there.


def tile(a: Any, reps: Any) -> Any:
    """``np.tile(a, reps)``."""
    return np.tile(a, reps)


@overload(tile)
def _ol_tile(a, reps):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and a.ndim >= 1):
        return None
    if isinstance(reps, types.Integer):
        d = 1
    elif isinstance(reps, types.UniTuple) and reps.count >= 1 and isinstance(reps.dtype, types.Integer):
        d = reps.count
    else:
        return None
    nd = a.ndim
    rank = max(nd, d)
    one = isinstance(reps, types.Integer)

    def impl(a, reps):  # type: ignore[no-untyped-def]
        src = np.ascontiguousarray(a).ravel()
        shape = np.ones(rank, dtype=np.int64)
        times = np.ones(rank, dtype=np.int64)
        for k in range(nd):
            shape[rank - nd + k] = a.shape[k]
        if one:
            times[rank - 1] = reps
        else:
            for k in range(d):
                times[rank - d + k] = reps[k]
        out_shape = np.empty(rank, dtype=np.int64)
        total = 1
        for k in range(rank):
            if times[k] < 0 and shape[k] > 0:
                raise ValueError("negative dimensions are not allowed")
            out_shape[k] = shape[k] * max(times[k], 0)
            total *= out_shape[k]
        out = np.empty(total, dtype=a.dtype)
        if total > 0:
            # C-order strides of the (padded) source, and a counter over the result's indices
            strides = np.ones(rank, dtype=np.int64)
            for k in range(rank - 2, -1, -1):
                strides[k] = strides[k + 1] * shape[k + 1]
            idx = np.zeros(rank, dtype=np.int64)
            for f in range(total):
                o = 0
                for k in range(rank):
                    o += (idx[k] % shape[k]) * strides[k]
                out[f] = src[o]
                k = rank - 1
                while k >= 0:
                    idx[k] += 1
                    if idx[k] < out_shape[k]:
                        break
                    idx[k] = 0
                    k -= 1
        return out.reshape(to_fixed_tuple(out_shape, rank))
    return impl


# --- a.swapaxes(i, j) -----------------------------------------------------------------
# Numba has np.swapaxes (a strided view, as NumPy's) but no array method: the method is
# the function of its receiver.


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """``a.swapaxes(axis1, axis2)``."""
    return np.swapaxes(a, axis1, axis2)


@overload(swapaxes, inline="always")
def _ol_swapaxes(a, axis1, axis2):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array):
        return None
    return lambda a, axis1, axis2: np.swapaxes(a, axis1, axis2)


# --- np.average(a, weights=w) -----------------------------------------------------------
# NumPy (numpy/lib/_function_base_impl.py, average): scl = w.sum(), ZeroDivisionError when
# it is 0.0, then np.multiply(a, w).sum() / scl, in float64. Of 1-d arrays both sums add a
# run in memory pairwise (the weights at their own stride, the products fresh and
# contiguous): pairwise.pairwise_vector gives NumPy's bits. Different shapes without axis=
# raise TypeError, as NumPy does.


def average_weighted(a: Any, w: Any) -> Any:
    """``np.average(a, weights=w)`` of 1-d arrays."""
    return np.average(a, weights=w)


def average_weighted_returned(a: Any, w: Any) -> Any:
    """``np.average(a, weights=w, returned=True)`` of 1-d arrays: (the average, the sum of the weights)."""
    return np.average(a, weights=w, returned=True)


def _average_vectors(a, w):  # type: ignore[no-untyped-def]
    return (isinstance(a, types.Array) and isinstance(w, types.Array) and a.ndim == 1 and w.ndim == 1 and w.dtype == types.float64
            and (a.dtype == types.float64 or isinstance(a.dtype, types.Integer)))


@register_jitable
def _average_parts(a, w):  # type: ignore[no-untyped-def]
    n = a.shape[0]
    if w.shape[0] != n:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    scl = 0.0 + pairwise_vector(w, 0, n)
    if scl == 0.0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    t = np.empty(n, dtype=np.float64)
    for k in range(n):
        t[k] = np.float64(a[k]) * w[k]
    return (0.0 + pairwise_vector(t, 0, n)) / scl, scl


@overload(average_weighted)
def _ol_average_weighted(a, w):  # type: ignore[no-untyped-def]
    if not _average_vectors(a, w):
        return None

    def impl(a, w):  # type: ignore[no-untyped-def]
        return _average_parts(a, w)[0]
    return impl


@overload(average_weighted_returned)
def _ol_average_weighted_returned(a, w):  # type: ignore[no-untyped-def]
    if not _average_vectors(a, w):
        return None

    def impl(a, w):  # type: ignore[no-untyped-def]
        return _average_parts(a, w)
    return impl


# np.average(a[, axis=k], returned=True) without weights (numpy/lib/_function_base_impl.py, average):
# avg = a.mean(axis), computed by the variant as its numerics mode computes the mean (the compiler
# passes it in), and scl = avg.dtype.type(a.size / avg.size), a Python division (ZeroDivisionError
# for an empty avg), broadcast to avg's shape as a fresh array.


def average_returned(avg: Any, a: Any) -> Any:
    """``(avg, avg.dtype.type(a.size / avg.size))`` broadcast: np.average(a, ..., returned=True) of avg = its mean."""
    scl = np.asarray(avg).dtype.type(a.size / np.asarray(avg).size)
    return avg, (np.broadcast_to(scl, np.shape(avg)).copy() if np.ndim(avg) else scl)


@overload(average_returned)
def _ol_average_returned(avg, a):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array):
        return None
    if isinstance(avg, types.Array):
        dt = avg.dtype

        def impl_array(avg, a):  # type: ignore[no-untyped-def]
            if avg.size == 0:
                raise ZeroDivisionError("division by zero")
            return avg, np.full(avg.shape, a.size / avg.size, dt)
        return impl_array
    if isinstance(avg, (types.Float, types.Complex)):
        cast = avg

        def impl_scalar(avg, a):  # type: ignore[no-untyped-def]
            return avg, cast(a.size / 1)
        return impl_scalar
    return None


# np.average(A, axis=k, weights=w) of a float64 matrix, w of A's shape or a vector along axis k:
# close mode only (types: check-numpy-calls.ts), returned= True or False: both sums along the axis in
# close_reductions' blocks, NumPy's ValueError for weights of another shape and ZeroDivisionError where a line's
# weights sum to 0.0, before anything is divided.


def average_weighted_axis(a: Any, w: Any, axis: int) -> Any:
    """``np.average(a, axis=axis, weights=w)`` of a matrix."""
    return np.average(a, axis=axis, weights=w)


def average_weighted_axis_returned(a: Any, w: Any, axis: int) -> Any:
    """``np.average(a, axis=axis, weights=w, returned=True)`` of a matrix: (the averages, the weights' sums)."""
    return np.average(a, axis=axis, weights=w, returned=True)


def _weighted_axis_overload(returned: bool) -> Any:
    def ol(a, w, axis):  # type: ignore[no-untyped-def]
        if not (isinstance(a, types.Array) and isinstance(w, types.Array) and a.ndim == 2 and w.ndim in (1, 2)
                and a.dtype == types.float64 and w.dtype == types.float64):
            return None
        axes = literal_axes(axis, 2)
        if axes is None:
            return None  # the original raises NumPy's AxisError
        k = axes[0]
        lines = lines_of(2, axes)
        shape = shape_of(2, axes, False)
        vector = w.ndim == 1

        def impl(a, w, axis):  # type: ignore[no-untyped-def]
            if vector:
                if w.shape[0] != a.shape[k]:
                    raise ValueError("Shape of weights must be consistent with shape of a along specified axis.")
                full = np.empty(a.shape, dtype=np.float64)
                for i in range(a.shape[0]):
                    for j in range(a.shape[1]):
                        full[i, j] = w[i] if k == 0 else w[j]
            else:
                if w.shape[0] != a.shape[0] or w.shape[1] != a.shape[1]:
                    raise ValueError("Shape of weights must be consistent with shape of a along specified axis.")
                full = np.ascontiguousarray(w)
            scl = _reduce_lines(lines(full), SUM, 0)
            for v in scl:
                if v == 0.0:
                    raise ZeroDivisionError("Weights sum to zero, can't be normalized")
            num = _reduce_lines(lines(a * full), SUM, 0)
            if returned:  # (NumPy's scl: the weights' sums, of the averages' shape)
                return (num / scl).reshape(shape(a)), scl.reshape(shape(a))
            return (num / scl).reshape(shape(a))
        return impl
    return ol


overload(average_weighted_axis, prefer_literal=True)(_weighted_axis_overload(False))
overload(average_weighted_axis_returned, prefer_literal=True)(_weighted_axis_overload(True))
