"""The lines of a reduction along axes, as Numba typing sees them (issue 17).

A reduction along one axis or a tuple of axes (`np.sum(t, axis=(1, 2, 3))`,
`np.max(x, axis=-1, keepdims=True)`) reduces, for every combination of the
kept indices, one *line*: the elements over the reduced axes. The helpers of
close_reductions.py and axis_extrema.py see the array as a C-contiguous 3-d
array (outer, n, inner): outer the kept axes before the first reduced one,
n the reduced elements, inner the kept axes after it. Reduced axes that
follow one another (the common case: one axis, `(1, 2, 3)`, `(-2, -1)`) need
no copy of a C-contiguous array; others are moved beside the first reduced
axis first (a copy). The results come out flat in (outer, inner) order: the
kept axes in their own order, as NumPy's result has them.

The compiler writes the axes as int literals (types/reductions.ts), so Numba
types them as literals and everything here is decided while typing: the
normalized axes, the permutation, the result's rank. An axis out of range or
repeated gives no implementation: the variant does not compile, the original
runs and raises NumPy's own AxisError or ValueError.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.np.unsafe.ndarray import to_fixed_tuple


def literal_axes(axis: types.Type, ndim: int) -> tuple[int, ...] | None:
    """The reduced axes, normalized and sorted, of an int literal or a tuple of them; None otherwise."""
    if isinstance(axis, types.IntegerLiteral):
        given = [axis.literal_value]
    elif isinstance(axis, types.BaseTuple) and len(axis.types) > 0 and all(isinstance(t, types.IntegerLiteral) for t in axis.types):
        given = [t.literal_value for t in axis.types]
    else:
        return None
    norm = [v + ndim if v < 0 else v for v in given]
    if any(not 0 <= v < ndim for v in norm) or len(set(norm)) != len(norm):
        return None
    return tuple(sorted(norm))


def lines_of(ndim: int, axes: tuple[int, ...]) -> Any:
    """A jitted a -> (outer, n, inner) C-contiguous array whose middle axis runs over the reduced elements."""
    first = axes[0]
    after = tuple(d for d in range(first, ndim) if d not in axes)
    perm = tuple(range(first)) + axes + after
    nb, nr = first, len(axes)

    @njit(inline="always")
    def three(c):  # type: ignore[no-untyped-def]
        s = c.shape
        outer = 1
        for d in range(nb):
            outer *= s[d]
        n = 1
        for d in range(nb, nb + nr):
            n *= s[d]
        inner = 1
        for d in range(nb + nr, ndim):
            inner *= s[d]
        return c.reshape((outer, n, inner))

    if perm == tuple(range(ndim)):
        @njit(inline="always")
        def lines(a):  # type: ignore[no-untyped-def]
            return three(np.ascontiguousarray(a))
    else:
        @njit(inline="always")
        def lines(a):  # type: ignore[no-untyped-def]
            return three(np.ascontiguousarray(np.transpose(a, perm)))

    return lines


def result_rank(ndim: int, axes: tuple[int, ...], keepdims: bool) -> int:
    """The result's rank: the reduced axes dropped, or kept with length 1."""
    return ndim if keepdims else ndim - len(axes)


def shape_of(ndim: int, axes: tuple[int, ...], keepdims: bool) -> Any:
    """A jitted a -> the result's shape as a fixed tuple (rank >= 1)."""
    rank = result_rank(ndim, axes, keepdims)
    reduced = tuple(d in axes for d in range(ndim))

    @njit(inline="always")
    def shape(a):  # type: ignore[no-untyped-def]
        s = np.empty(max(rank, 1), dtype=np.int64)
        j = 0
        for d in range(ndim):
            if not reduced[d]:
                s[j] = a.shape[d]
                j += 1
            elif keepdims:
                s[j] = 1
                j += 1
        return to_fixed_tuple(s, rank)

    return shape
