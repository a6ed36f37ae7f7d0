"""np.histogram as NumPy 2 computes it (numpy/lib/_histograms_impl.py), bit for bit, for compiled code.

An int number of bins (over the data's extremes, or over ``range=(lo, hi)``) takes NumPy's fast path: edges by
np.linspace, each value's bin from ``(x - first) / (last - first) * bins`` (NumPy's own expression, not a
precomputed reciprocal: its result is then corrected by one against the edges, and only NumPy's estimate is
known to be within one of the bin NumPy settles on), and NumPy's sums: per block of 65536 values, np.bincount
adds each value's weight in element order from 0.0, and the blocks' sums are added to the result in block
order, cast to the weights' dtype first. The blocks are independent, so they run in parallel (``prange``) and
each writes its own row of partial sums; merging the rows in block order afterwards reproduces NumPy's sums
exactly, floats included: the parallel form is exact in both numerics modes. Under a variant compiled without
parallel=True (the serial form) ``prange`` is ``range``: the same sums, one block after another.

An array of edges takes NumPy's cumulative path (sort, searchsorted), counts only. Numba's own np.histogram
has no weights= or range= and finds bins another way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import prange, types
from numba.extending import overload, register_jitable

from .linspace_formula import _linspace  # the edges, as np.linspace computes them
from .pairwise import pairwise_vector  # NumPy's order of a float64 n.sum() (density)

__all__ = ["histogram", "histogram_edges", "histogram_density"]

#: NumPy's BLOCK in np.histogram: the unit of its per-block bincount sums.
_HIST_BLOCK = 65536
#: At most this many partial sums (blocks x bins) exist at once: blocks run in groups of this size / bins
#: (at least one), so memory stays bounded (16 MiB of float64) whatever the data's length.
_GROUP_ENTRIES = 1 << 21

#: The data dtypes whose fast path is reproduced: float64, and ints (NumPy converts them to float64 edges).
_DATA = (types.float64, types.int64, types.int32)
#: The weights' dtypes: the result has that dtype (NumPy's ntype), each block's float64 sum cast to it.
_WEIGHTS = (types.float64, types.float32, types.int64, types.int32)


def histogram(a: Any, bins: Any = 10, weights: Any = None, rng: Any = None) -> Any:
    """``np.histogram(a, bins, range=rng, weights=weights)``: an int number of bins (with or without a
    range), or an array of edges (without weights)."""
    return np.histogram(a, bins, range=rng, weights=weights)


def histogram_edges(a: Any, bins: Any, weights: Any = None, rng: Any = None) -> Any:
    """``np.histogram(a, bins=edges)``: an array of edges, without weights or range (NumPy's cumulative path; a
    helper of its own, as it has no prange loop: a variant calling it stays serial)."""
    return np.histogram(a, bins, range=rng, weights=weights)


def histogram_density(a: Any, bins: Any = 10, weights: Any = None, rng: Any = None) -> Any:
    """``np.histogram(a, bins, range=rng, weights=weights, density=True)``."""
    return np.histogram(a, bins, range=rng, weights=weights, density=True)


@register_jitable
def _edges_checked(first, last, bins):  # type: ignore[no-untyped-def]
    edges = _linspace(np.float64(first), np.float64(last), bins + 1)
    for k in range(bins):
        if edges[k] >= edges[k + 1]:
            raise ValueError("Too many bins for data range. Cannot create finite-sized bins.")
    return edges


def _extremes(x: Any) -> Any:
    """x.min(), x.max() of a non-empty array in one pass, blocks in parallel (min and max do not depend on
    the order), and whether every value is finite (NumPy raises otherwise: a NaN makes its min NaN)."""
    return x.min(), x.max(), bool(np.isfinite(x).all())


@overload(_extremes, inline="always")  # (inlined, so that its prange is the variant's: a register_jitable is not)
def _ol_extremes(x):  # type: ignore[no-untyped-def]
    return _extremes_impl


def _extremes_impl(x):  # type: ignore[no-untyped-def]
    blocks = (x.size + _HIST_BLOCK - 1) // _HIST_BLOCK
    los = np.empty(blocks, x.dtype)
    his = np.empty(blocks, x.dtype)
    bad = np.zeros(blocks, np.bool_)
    for b in prange(blocks):
        start = b * _HIST_BLOCK
        stop = min(start + _HIST_BLOCK, x.size)
        lo = x[start]
        hi = x[start]
        nan = False
        for i in range(start, stop):
            v = x[i]
            lo = v if v < lo else lo
            hi = v if v > hi else hi
            nan |= v != v  # (comparisons pass a NaN over; an inf shows in the extremes, checked below)
        los[b] = lo
        his[b] = hi
        bad[b] = nan or not (np.isfinite(lo) and np.isfinite(hi))
    lo = los[0]
    hi = his[0]
    for b in range(1, blocks):
        lo = min(lo, los[b])
        hi = max(hi, his[b])
    return lo, hi, not bad.any()


#: Where the edges and the estimates are accurate to within 1/2048 of a bin (see _reciprocal_is_safe), NumPy's
#: estimate and one made with a reciprocal are both within one of the bin the edges give, and NumPy's
#: corrections bring both to that bin: the same result without a division per value.
_SAFE_SPAN = 2.0 ** 38
_SAFE_BINS = 2 ** 30


@register_jitable
def _reciprocal_is_safe(first, last, denom, bins):  # type: ignore[no-untyped-def]
    """Whether (x - first) * (1 / denom) * bins may stand for NumPy's (x - first) / denom * bins: its rounding and
    the edges' (a few ulps of the largest magnitude, max(|first|, |last|)) are each under 1/2048 of a bin when
    that magnitude spans at most 2**38 bins and there are at most 2**30 bins; denom normal and finite. Elsewhere
    (an infinite difference of huge range ends, bins of a few ulps) NumPy's own estimate may be off by more than
    its corrections mend, and only its division reproduces it."""
    if not (denom >= 1e-300 and denom <= 1e300) or bins > _SAFE_BINS:
        return False
    magnitude = max(abs(first), abs(last))
    return magnitude * bins <= denom * _SAFE_SPAN


#: A reciprocal's estimate whose fraction lies this far from a whole number is the bin itself (its error and the
#: edges' are each under 1/2048 of a bin where _reciprocal_is_safe): NumPy's corrections would change nothing.
_CLEAR = 0.5 - 2.0 ** -9


@register_jitable
def _bin_of(xf, first, denom, scale, reciprocal, bins, edges):  # type: ignore[no-untyped-def]
    """NumPy's fast path for one kept value (as float64): the estimate, then its corrections against the edges.
    `scale` is 1 / denom where `reciprocal` (_reciprocal_is_safe): then a value clear of the edges needs no
    correction (no load of the edges), one near an edge gets NumPy's; else the estimate is NumPy's division."""
    if reciprocal:
        f = (xf - first) * scale * bins
        k = int(f)
        if abs(f - k - 0.5) < _CLEAR:
            return k
    else:
        k = int((xf - first) / denom * bins)
    if k >= bins:  # (NumPy: only k == bins occurs; >= keeps a rounding of the reciprocal's inside the edges)
        k = bins - 1
    if xf < edges[k]:
        k -= 1
    if xf >= edges[k + 1] and k != bins - 1:
        k += 1
    return k


@register_jitable
def _given_range(rng):  # type: ignore[no-untyped-def]
    return rng[0], rng[1]


@register_jitable
def _no_range(rng):  # type: ignore[no-untyped-def]
    return 0, 1


@register_jitable
def _before(a, b):  # type: ignore[no-untyped-def]
    """NumPy's sort order (NaN after every number), as its searchsorted compares."""
    return a < b or (b != b and a == a)


@register_jitable
def _edge_counts(x, edges):  # type: ignore[no-untyped-def]
    """np.histogram(a, bins=edges): NumPy's cumulative path, counts of the sorted values below each edge (the
    last edge inclusive) and their differences, in NumPy's order of NaN."""
    m = edges.size
    for k in range(m - 1):
        if edges[k] > edges[k + 1]:
            raise ValueError("`bins` must increase monotonically, when an array")
    if m == 0:
        return np.zeros(0, np.intp)
    s = np.sort(x)
    cum = np.zeros(m, np.intp)
    for j in range(m):
        e = edges[j]
        lo, hi = 0, s.size
        while lo < hi:  # the first value not before e ('left'), or after e for the last edge ('right')
            mid = (lo + hi) // 2
            if (_before(s[mid], e) if j < m - 1 else not _before(e, s[mid])):
                lo = mid + 1
            else:
                hi = mid
        cum[j] = lo
    n = np.empty(m - 1, np.intp)
    for j in range(m - 1):
        n[j] = cum[j + 1] - cum[j]
    return n


def _no_argument(t):  # type: ignore[no-untyped-def]
    return t is None or isinstance(t, (types.NoneType, types.Omitted))


def _unsigned_width(t):  # type: ignore[no-untyped-def]
    """NumPy's _unsigned_subtract of two ints of type t: the difference wraps to this unsigned type."""
    return np.uint32 if t.bitwidth <= 32 and t.signed else np.uint64


@overload(histogram, inline="always")
def _ol_histogram(a, bins=10, weights=None, rng=None):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and a.dtype in _DATA):
        return None
    ranged = not _no_argument(rng)
    if ranged and not (isinstance(rng, types.BaseTuple) and len(rng) == 2 and all(isinstance(t, (types.Integer, types.Float)) for t in rng)):
        return None
    if isinstance(bins, types.Array):
        if not (bins.ndim == 1 and bins.dtype == types.float64 and a.dtype == types.float64 and _no_argument(weights) and not ranged):
            return None

        def by_edges(a, bins=10, weights=None, rng=None):  # type: ignore[no-untyped-def]
            return _edge_counts(a.ravel(), bins), bins  # (NumPy returns the edges array itself)
        return by_edges
    if not isinstance(bins, (types.Integer, types.Omitted, int)):
        return None
    weighted = not _no_argument(weights)
    if weighted and not (isinstance(weights, types.Array) and weights.dtype in _WEIGHTS):
        return None
    bounds = _given_range if ranged else _no_range
    # NumPy's norm_denom, _unsigned_subtract(last, first): of two ints (a range of ints, or an int array's
    # extremes) the difference wraps to the unsigned type, then divides as float64; of floats a float64 one
    int_range = ranged and all(isinstance(t, types.Integer) for t in rng)
    int_data = isinstance(a.dtype, types.Integer)
    unsigned = _unsigned_width(a.dtype) if int_data and not ranged else np.uint64
    int_bounds = int_range or (int_data and not ranged)
    ntype = weights.dtype if weighted else types.intp
    cast = np.dtype(str(ntype)).type

    def impl(a, bins=10, weights=None, rng=None):  # type: ignore[no-untyped-def]
        if weighted and weights.shape != a.shape:
            raise ValueError("weights should have the same shape as a.")
        if bins < 1:
            raise ValueError("`bins` must be positive, when an integer")
        x = a.ravel()
        w = weights.ravel() if weighted else x
        # NumPy's _get_outer_edges
        lo, hi = bounds(rng)
        if ranged:
            if lo > hi:
                raise ValueError("max must be larger than min in range parameter.")
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise ValueError("supplied range is not finite")
        elif x.size > 0:
            lo, hi, finite = _extremes(x)
            if not finite:
                raise ValueError("autodetected range is not finite")
        widened = lo == hi
        if widened:
            first = np.float64(lo) - 0.5
            last = np.float64(hi) + 0.5
            denom = last - first
        else:
            first = np.float64(lo)
            last = np.float64(hi)
            if int_bounds:
                denom = np.float64(unsigned(hi - lo))
            else:
                denom = last - first
        edges = _edges_checked(first, last, bins)
        reciprocal = _reciprocal_is_safe(first, last, denom, bins)
        scale = 1.0 / denom
        n = np.zeros(bins, ntype)
        blocks = (x.size + _HIST_BLOCK - 1) // _HIST_BLOCK
        group = max(1, min(blocks, _GROUP_ENTRIES // bins))
        for g in range(0, blocks, group):
            count = min(group, blocks - g)
            part = np.zeros((count, bins), np.float64 if weighted else np.intp)
            for b in prange(count):
                start = (g + b) * _HIST_BLOCK
                stop = min(start + _HIST_BLOCK, x.size)
                row = part[b]
                for i in range(start, stop):
                    v = x[i]
                    # NumPy's `keep`: values outside a given range (and NaN) are dropped; without a range every
                    # value lies within the extremes (a NaN or inf raised above)
                    if ranged:
                        if widened:
                            if not (v >= first and v <= last):
                                continue
                        elif not (v >= lo and v <= hi):
                            continue
                    k = _bin_of(np.float64(v), first, denom, scale, reciprocal, bins, edges)
                    if weighted:
                        row[k] += np.float64(w[i])
                    else:
                        row[k] += 1
            for b in range(count):  # the blocks' sums in NumPy's order, each cast to the result's dtype first
                for k in range(bins):
                    n[k] += cast(part[b, k])
        return n, edges

    return impl


@overload(histogram_edges, inline="always")
def _ol_histogram_edges(a, bins, weights=None, rng=None):  # type: ignore[no-untyped-def]
    if not (isinstance(a, types.Array) and a.dtype == types.float64 and isinstance(bins, types.Array)
            and bins.ndim == 1 and bins.dtype == types.float64 and _no_argument(weights) and _no_argument(rng)):
        return None

    def by_edges(a, bins, weights=None, rng=None):  # type: ignore[no-untyped-def]
        return _edge_counts(a.ravel(), bins), bins  # (NumPy returns the edges array itself)
    return by_edges


@overload(histogram_density)
def _ol_histogram_density(a, bins=10, weights=None, rng=None):  # type: ignore[no-untyped-def]
    # NumPy (_histograms_impl.py): the same counts, then n / db / n.sum() with db = np.diff(edges);
    # a float64 n.sum() is NumPy's pairwise sum of the contiguous counts, an int64 one exact
    if not (isinstance(a, types.Array) and a.dtype in _DATA):
        return None
    weighted = not _no_argument(weights)
    if weighted and not (isinstance(weights, types.Array) and weights.dtype == types.float64):
        return None

    def impl(a, bins=10, weights=None, rng=None):  # type: ignore[no-untyped-def]
        n, edges = histogram(a, bins, weights, rng)
        db = edges[1:] - edges[:-1]
        if weighted:
            total = 0.0 + pairwise_vector(n, 0, n.shape[0])
        else:
            total = n.sum()
        return n / db / total, edges
    return impl
