"""np.max / np.min (np.amax, np.amin, .max(), .min()) along an axis or a tuple
of axes, with keepdims (issue 17: softmax's `np.max(x, axis=-1, keepdims=True)`,
a 2x2 max-pool's `np.max(x[:, 2*i:2*i+2, 2*j:2*j+2, :], axis=(1, 2))`).

Numba's np.max takes no axis. Comparisons round nothing, so these are of the
`exact` numerics class: the result is an element of the line, in the
array's own dtype, in both modes. As NumPy's loop (numpy/_core/src/umath/
loops_minmax.dispatch.c.src, its scalar form): a NaN anywhere in the line is
the result (the first one met), and of equal elements the later one wins.
NumPy's vectorized loop over a contiguous line compares in SIMD lanes, so
where a line's extreme is a zero present as both +0.0 and -0.0, NumPy's sign
depends on the element positions and the CPU's vector width; that sign is the
one place these may differ from NumPy's bits (docs/reliability.md). An empty
line raises ValueError, as NumPy's reduction without identity does (even
when the result would be empty).

Exact mode's `checked_*` forms (also of the whole array: `checked_max(a)`)
close that gap and one more: NumPy's vectorized loop returns its own quiet
NaN (0x7ff8... for float64) where a NaN falls in its SIMD lanes, and the NaN
element itself where it falls in the scalar tail, so a NaN of other bits (a
negative NaN, as x86 computes 0 * inf) comes back with either. Both depend on
the CPU's vector width, so rather than model NumPy's lanes a checked form
raises AmbiguousExtreme where a line's result is a zero and the line holds
zeros of both signs, or a NaN and the line holds a NaN of other bits than
NumPy's own: the CPU variant restores the arrays it wrote (`undo=`) and the
dispatcher runs the original (a VariantRolledBack), which gives NumPy's own
bits. Elsewhere the extreme is one value with one bit pattern, NumPy's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from .axis_lines import lines_of, literal_axes, result_rank, shape_of
from .variants import AmbiguousExtreme

__all__ = ["axis_max", "axis_min", "checked_axis_max", "checked_axis_min", "checked_max", "checked_min", "AmbiguousExtreme"]


#: the bits of NumPy's own quiet NaN (npyv's pnan), as float64
_NAN_BITS = np.uint64(0x7FF8000000000000)

_AMBIGUOUS = "a maximum or minimum is a zero present with both signs, or a NaN of other bits than NumPy's: NumPy's vectorized loop picks its bits"


def axis_max(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.max(a, axis=axis, keepdims=keepdims)``, axis an int or a tuple of ints."""
    return np.max(a, axis=axis, keepdims=keepdims)


def axis_min(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.min(a, axis=axis, keepdims=keepdims)``, axis an int or a tuple of ints."""
    return np.min(a, axis=axis, keepdims=keepdims)


def checked_axis_max(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.max(a, axis=axis, keepdims=keepdims)``, raising AmbiguousExtreme where NumPy's bits depend on its lanes."""
    return np.max(a, axis=axis, keepdims=keepdims)


def checked_axis_min(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.min(a, axis=axis, keepdims=keepdims)``, checked as checked_axis_max."""
    return np.min(a, axis=axis, keepdims=keepdims)


def checked_max(a: Any) -> Any:
    """``np.max(a)`` of a float array, raising AmbiguousExtreme where NumPy's bits depend on its lanes."""
    return np.max(a)


def checked_min(a: Any) -> Any:
    """``np.min(a)``, checked as checked_max."""
    return np.min(a)


@njit(inline="always")
def _ambiguous(lines, o, i, r):  # type: ignore[no-untyped-def]
    """Whether NumPy's SIMD loop may give other bits than r, the extreme of lines[o, :, i]."""
    if r == 0:
        plus = minus = False
        for k in range(lines.shape[1]):
            v = lines[o, k, i]
            if v == 0:
                if np.signbit(v):
                    minus = True
                else:
                    plus = True
        return plus and minus
    if r != r:
        # NumPy's own quiet NaN is 0x7ff8000000000000 (float32: 0x7fc00000, which float64 widens to it;
        # any other float32 NaN widens to other bits)
        bits = np.empty(1, dtype=np.float64)
        for k in range(lines.shape[1]):
            v = lines[o, k, i]
            if v != v:
                bits[0] = np.float64(v)
                if bits.view(np.uint64)[0] != _NAN_BITS:
                    return True
        return False
    return False


def _extremes(larger: bool, checked: bool = False) -> Any:
    message = f"zero-size array to reduction operation {'maximum' if larger else 'minimum'} which has no identity"

    @njit
    def extremes(lines):  # type: ignore[no-untyped-def]
        outer, n, inner = lines.shape
        if n == 0:
            raise ValueError(message)
        out = np.empty(outer * inner, dtype=lines.dtype)
        for o in range(outer):
            for i in range(inner):
                r = lines[o, 0, i]
                for k in range(1, n):
                    if r != r:  # a NaN stays (never true for integers)
                        break
                    v = lines[o, k, i]
                    if larger:
                        if not r > v:
                            r = v
                    elif not r < v:
                        r = v
                if checked and _ambiguous(lines, o, i, r):
                    raise AmbiguousExtreme(_AMBIGUOUS)
                out[o * inner + i] = r
        return out

    return extremes


_max_lines = _extremes(True)
_min_lines = _extremes(False)
_checked_max_lines = _extremes(True, True)
_checked_min_lines = _extremes(False, True)


def _overload(reduce_lines: Any):  # type: ignore[no-untyped-def]
    def ol(a, axis, keepdims, vector_ok):  # type: ignore[no-untyped-def]
        literal = (types.IntegerLiteral, types.BooleanLiteral)
        if not isinstance(a, types.Array) or not isinstance(a.dtype, (types.Integer, types.Float, types.Boolean)):
            return None
        if not all(isinstance(t, literal) for t in (keepdims, vector_ok)):
            return None
        ndim = a.ndim
        axes = literal_axes(axis, ndim)
        if axes is None:
            return None  # the original runs and raises NumPy's AxisError
        keep = bool(keepdims.literal_value)
        scalar = result_rank(ndim, axes, keep) == 0
        if scalar and not vector_ok.literal_value:
            return None
        lines = lines_of(ndim, axes)
        shape = shape_of(ndim, axes, keep)

        def impl(a, axis, keepdims, vector_ok):  # type: ignore[no-untyped-def]
            out = reduce_lines(lines(a))
            if scalar:
                return out[0]
            return out.reshape(shape(a))

        return impl

    return ol


overload(axis_max, inline="always", prefer_literal=True)(_overload(_max_lines))
overload(axis_min, inline="always", prefer_literal=True)(_overload(_min_lines))
overload(checked_axis_max, inline="always", prefer_literal=True)(_overload(_checked_max_lines))
overload(checked_axis_min, inline="always", prefer_literal=True)(_overload(_checked_min_lines))


def _whole_overload(reduce_lines: Any):  # type: ignore[no-untyped-def]
    def ol(a):  # type: ignore[no-untyped-def]
        if not isinstance(a, types.Array) or not isinstance(a.dtype, types.Float):
            return None

        def impl(a):  # type: ignore[no-untyped-def]
            flat = np.ravel(a)
            return reduce_lines(flat.reshape((1, flat.size, 1)))[0]
        return impl

    return ol


overload(checked_max, inline="always")(_whole_overload(_checked_max_lines))
overload(checked_min, inline="always")(_whole_overload(_checked_min_lines))
