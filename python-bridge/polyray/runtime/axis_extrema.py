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
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from .axis_lines import lines_of, literal_axes, result_rank, shape_of

__all__ = ["axis_max", "axis_min"]


def axis_max(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.max(a, axis=axis, keepdims=keepdims)``, axis an int or a tuple of ints."""
    return np.max(a, axis=axis, keepdims=keepdims)


def axis_min(a: Any, axis: Any, keepdims: bool, vector_ok: bool) -> Any:
    """``np.min(a, axis=axis, keepdims=keepdims)``, axis an int or a tuple of ints."""
    return np.min(a, axis=axis, keepdims=keepdims)


def _extremes(larger: bool) -> Any:
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
                out[o * inner + i] = r
        return out

    return extremes


_max_lines = _extremes(True)
_min_lines = _extremes(False)


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
