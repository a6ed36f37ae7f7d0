"""Boolean masks and integer index arrays, checked as NumPy checks them.

Numba compiles ``x[mask]``, ``x[idx]``, ``x[mask] = v`` and ``x[idx] = v`` for a
1-d array indexed by one 1-d array, but checks nothing: an index out of bounds
reads or writes outside the array, and a mask of another length is not an
error (measured with Numba 0.60). A CPU variant prints these subscripts through
the helpers below (types/index-arrays.ts decides which), which raise NumPy's
exception type first and then let Numba do the indexing. Duplicate indices in a
store: the last write wins, in NumPy and in the loop here. A mask of the same
shape as an array of several dimensions (``Z[I] = Z[I]**2 + C[I]``), which Numba
does not index by, selects in C order through ``np.ndindex``.

Each is a plain Python function with NumPy's semantics (the expression itself)
and a Numba ``@overload`` with the same results and exception types.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

__all__ = ["mask_get", "mask_rows", "mask_set", "take", "put", "take_nd", "put_nd"]


def mask_get(x: Any, m: Any) -> Any:
    """``x[m]``: the elements of 1-d ``x`` where the 1-d boolean ``m`` is true."""
    return x[m]


def mask_rows(x: Any, m: Any) -> Any:
    """``x[m]``: the rows of 2-d ``x`` where the 1-d boolean ``m`` is true (a 2-d copy)."""
    return x[m]


def take(x: Any, idx: Any) -> Any:
    """``x[idx]``: a gather through a 1-d integer array (negative indices count from the end)."""
    return x[idx]


def take_nd(x: Any, idxs: Any) -> Any:
    """``x[i0, i1, ...]``: one 1-d integer array per dimension of ``x``, broadcast together."""
    return x[idxs]


def put_nd(x: Any, idxs: Any, v: Any) -> None:
    """``x[i0, i1, ...] = v``."""
    x[idxs] = v


def mask_set(x: Any, m: Any, v: Any) -> None:
    """``x[m] = v``."""
    x[m] = v


def put(x: Any, idx: Any, v: Any) -> None:
    """``x[idx] = v``."""
    x[idx] = v


# NumPy raises for a mask of another shape, except along an axis where the mask's length is 0
# (measured on NumPy 2, every shape up to 3x3x3): x[np.zeros(0, bool)] is empty for any 1-d x,
# and a (0, 3) mask selects nothing from a (1, 3) array while a (1, 0) one raises for (2, 3).

@register_jitable
def _check_mask(n, m):  # type: ignore[no-untyped-def]
    if m.shape[0] != n and m.shape[0] != 0:
        raise IndexError("boolean index did not match indexed array")


@register_jitable
def _checked_index(i, n):  # type: ignore[no-untyped-def]
    j = i + n if i < 0 else i
    if j < 0 or j >= n:
        raise IndexError("index is out of bounds")
    return j


def _is_1d(t: Any) -> bool:
    return isinstance(t, types.Array) and t.ndim == 1


def _is_mask(t: Any) -> bool:
    return _is_1d(t) and isinstance(t.dtype, types.Boolean)


def _is_index(t: Any) -> bool:
    return _is_1d(t) and isinstance(t.dtype, types.Integer)


def _value_ok(x: Any, v: Any) -> bool:
    """A number, or a 1-d array, of a kind NumPy stores into x without changing the value's kind."""
    dt = v.dtype if isinstance(v, types.Array) else v
    if isinstance(v, types.Array) and v.ndim != 1:
        return False
    if isinstance(dt, types.Complex):
        # a complex value only into a complex array (NumPy drops the imaginary part of others, with a warning)
        return isinstance(x.dtype, types.Complex) and x.dtype.bitwidth >= dt.bitwidth
    if not isinstance(dt, (types.Integer, types.Float, types.Boolean)):
        return False
    # a float into an integer array: NumPy's and Numba's conversions of NaN, inf and out-of-range values differ
    return not (isinstance(x.dtype, (types.Integer, types.Boolean)) and isinstance(dt, types.Float))


def _is_nd_mask(x: Any, m: Any) -> bool:
    """A boolean mask of the same rank as x, of two dimensions or more (NumPy selects in C order)."""
    return (isinstance(x, types.Array) and isinstance(m, types.Array) and isinstance(m.dtype, types.Boolean)
            and x.ndim == m.ndim and x.ndim >= 2)


@register_jitable
def _check_mask_shape(xs, ms):  # type: ignore[no-untyped-def]
    for d in range(len(ms)):
        if ms[d] != xs[d] and ms[d] != 0:
            raise IndexError("boolean index did not match indexed array")


@overload(mask_get)
def _ol_mask_get(x, m):  # type: ignore[no-untyped-def]
    if _is_nd_mask(x, m):
        # Numba indexes by one 1-d array only: the elements in C order, as NumPy takes them
        def impl_nd(x, m):  # type: ignore[no-untyped-def]
            _check_mask_shape(x.shape, m.shape)
            count = 0
            for ix in np.ndindex(m.shape):
                if m[ix]:
                    count += 1
            out = np.empty(count, dtype=x.dtype)
            j = 0
            for ix in np.ndindex(m.shape):
                if m[ix]:
                    out[j] = x[ix]
                    j += 1
            return out
        return impl_nd
    if not (_is_1d(x) and _is_mask(m)):
        return None

    def impl(x, m):  # type: ignore[no-untyped-def]
        _check_mask(x.shape[0], m)
        if m.shape[0] == 0:
            return np.empty(0, dtype=x.dtype)
        return x[m]
    return impl


@overload(take)
def _ol_take(x, idx):  # type: ignore[no-untyped-def]
    if _is_1d(x) and isinstance(idx, types.Array) and idx.ndim >= 2 and isinstance(idx.dtype, types.Integer):
        # an index array of several dimensions: the result has its shape
        def impl_nd(x, idx):  # type: ignore[no-untyped-def]
            n = x.shape[0]
            flat = idx.ravel()
            out = np.empty(idx.shape, dtype=x.dtype)
            out_flat = out.reshape(flat.shape[0])
            for k in range(flat.shape[0]):
                _checked_index(flat[k], n)
            for k in range(flat.shape[0]):
                out_flat[k] = x[_checked_index(flat[k], n)]
            return out
        return impl_nd
    if not (_is_1d(x) and _is_index(idx)):
        return None

    def impl(x, idx):  # type: ignore[no-untyped-def]
        n = x.shape[0]
        out = np.empty(idx.shape[0], dtype=x.dtype)
        for k in range(idx.shape[0]):
            out[k] = x[_checked_index(idx[k], n)]
        return out
    return impl


@overload(mask_set)
def _ol_mask_set(x, m, v):  # type: ignore[no-untyped-def]
    if _is_nd_mask(x, m) and _value_ok(x, v):
        if isinstance(v, types.Array):
            def impl_nd_array(x, m, v):  # type: ignore[no-untyped-def]
                _check_mask_shape(x.shape, m.shape)
                v = v.copy()  # v may be a view of x: NumPy reads it before it writes
                count = 0
                for ix in np.ndindex(m.shape):
                    if m[ix]:
                        count += 1
                if v.shape[0] != count and v.shape[0] != 1:
                    raise ValueError("NumPy boolean array indexing assignment cannot assign input values to the output values where the mask is true")
                j = 0
                for ix in np.ndindex(m.shape):
                    if m[ix]:
                        x[ix] = v[j if v.shape[0] != 1 else 0]
                        j += 1
            return impl_nd_array

        def impl_nd(x, m, v):  # type: ignore[no-untyped-def]
            _check_mask_shape(x.shape, m.shape)
            for ix in np.ndindex(m.shape):
                if m[ix]:
                    x[ix] = v
        return impl_nd
    if not (_is_1d(x) and _is_mask(m) and _value_ok(x, v)):
        return None
    if isinstance(v, types.Array):
        def impl_array(x, m, v):  # type: ignore[no-untyped-def]
            _check_mask(x.shape[0], m)
            v = v.copy()  # v may be a view of x: NumPy reads it before it writes
            count = 0
            for k in range(m.shape[0]):
                if m[k]:
                    count += 1
            if v.shape[0] != count and v.shape[0] != 1:
                raise ValueError("NumPy boolean array indexing assignment cannot assign input values to the output values where the mask is true")
            j = 0
            for k in range(m.shape[0]):
                if m[k]:
                    x[k] = v[j if v.shape[0] != 1 else 0]
                    j += 1
        return impl_array

    def impl(x, m, v):  # type: ignore[no-untyped-def]
        _check_mask(x.shape[0], m)
        for k in range(m.shape[0]):
            if m[k]:
                x[k] = v
    return impl


@overload(put)
def _ol_put(x, idx, v):  # type: ignore[no-untyped-def]
    if not (_is_1d(x) and _is_index(idx) and _value_ok(x, v)):
        return None
    if isinstance(v, types.Array):
        def impl_array(x, idx, v):  # type: ignore[no-untyped-def]
            n = x.shape[0]
            if v.shape[0] != idx.shape[0] and v.shape[0] != 1:
                raise ValueError("shape mismatch: value array could not be broadcast to indexing result")
            v = v.copy()  # v may be a view of x: NumPy reads it before it writes
            # NumPy checks every index before it writes any
            for k in range(idx.shape[0]):
                _checked_index(idx[k], n)
            for k in range(idx.shape[0]):
                x[_checked_index(idx[k], n)] = v[k if v.shape[0] != 1 else 0]
        return impl_array

    def impl(x, idx, v):  # type: ignore[no-untyped-def]
        n = x.shape[0]
        for k in range(idx.shape[0]):
            _checked_index(idx[k], n)
        for k in range(idx.shape[0]):
            x[_checked_index(idx[k], n)] = v
    return impl


# --- several index arrays: x[i0, i1] and x[i0, i1, i2] ----------------------------------
#
# One 1-d integer array per dimension of x (types/index-arrays.ts), broadcast together as
# NumPy does (each of one length n or 1; IndexError otherwise), every index checked against
# its axis before any element is read or written (negative ones count from the end).
# A store checks in NumPy's order: the index arrays broadcast (IndexError), then the values'
# shape against the result's (ValueError), then the bounds (IndexError), so values of the
# wrong length with an index out of range raise ValueError, as NumPy does.


def _index_tuple(x: Any, idxs: Any) -> bool:
    return (isinstance(x, types.Array) and isinstance(idxs, types.BaseTuple) and len(idxs.types) == x.ndim
            and x.ndim in (2, 3) and all(_is_index(t) for t in idxs.types))


@register_jitable
def _broadcast_length(lengths):  # type: ignore[no-untyped-def]
    n = 1
    for m in lengths:
        if m != 1:
            n = m
    for m in lengths:
        if m != 1 and m != n:
            raise IndexError("shape mismatch: indexing arrays could not be broadcast together")
    return n


@register_jitable
def _axis_index(i, n):  # type: ignore[no-untyped-def]
    j = i + n if i < 0 else i
    if j < 0 or j >= n:
        raise IndexError("index is out of bounds for axis")
    return j


@register_jitable
def _flat_indices2(x, i0, i1):  # type: ignore[no-untyped-def]
    n = _broadcast_length((i0.shape[0], i1.shape[0]))
    out = np.empty((n, 2), dtype=np.int64)
    for k in range(n):
        out[k, 0] = _axis_index(i0[k if i0.shape[0] != 1 else 0], x.shape[0])
    for k in range(n):
        out[k, 1] = _axis_index(i1[k if i1.shape[0] != 1 else 0], x.shape[1])
    return out


@register_jitable
def _flat_indices3(x, i0, i1, i2):  # type: ignore[no-untyped-def]
    n = _broadcast_length((i0.shape[0], i1.shape[0], i2.shape[0]))
    out = np.empty((n, 3), dtype=np.int64)
    for k in range(n):
        out[k, 0] = _axis_index(i0[k if i0.shape[0] != 1 else 0], x.shape[0])
    for k in range(n):
        out[k, 1] = _axis_index(i1[k if i1.shape[0] != 1 else 0], x.shape[1])
    for k in range(n):
        out[k, 2] = _axis_index(i2[k if i2.shape[0] != 1 else 0], x.shape[2])
    return out


@overload(take_nd)
def _ol_take_nd(x, idxs):  # type: ignore[no-untyped-def]
    if not _index_tuple(x, idxs):
        return None
    if x.ndim == 2:
        def impl2(x, idxs):  # type: ignore[no-untyped-def]
            ij = _flat_indices2(x, idxs[0], idxs[1])
            out = np.empty(ij.shape[0], dtype=x.dtype)
            for k in range(ij.shape[0]):
                out[k] = x[ij[k, 0], ij[k, 1]]
            return out
        return impl2

    def impl3(x, idxs):  # type: ignore[no-untyped-def]
        ij = _flat_indices3(x, idxs[0], idxs[1], idxs[2])
        out = np.empty(ij.shape[0], dtype=x.dtype)
        for k in range(ij.shape[0]):
            out[k] = x[ij[k, 0], ij[k, 1], ij[k, 2]]
        return out
    return impl3


@register_jitable
def _stored_values(v, n):  # type: ignore[no-untyped-def]
    if v.shape[0] != n and v.shape[0] != 1:
        raise ValueError("shape mismatch: value array could not be broadcast to indexing result")
    return v.copy()  # v may be a view of x: NumPy reads it before it writes


@overload(put_nd)
def _ol_put_nd(x, idxs, v):  # type: ignore[no-untyped-def]
    if not (_index_tuple(x, idxs) and _value_ok(x, v)):
        return None
    if x.ndim == 2 and isinstance(v, types.Array):
        def impl2_array(x, idxs, v):  # type: ignore[no-untyped-def]
            w = _stored_values(v, _broadcast_length((idxs[0].shape[0], idxs[1].shape[0])))
            ij = _flat_indices2(x, idxs[0], idxs[1])
            for k in range(ij.shape[0]):
                x[ij[k, 0], ij[k, 1]] = w[k if w.shape[0] != 1 else 0]
        return impl2_array
    if x.ndim == 2:
        def impl2(x, idxs, v):  # type: ignore[no-untyped-def]
            ij = _flat_indices2(x, idxs[0], idxs[1])
            for k in range(ij.shape[0]):
                x[ij[k, 0], ij[k, 1]] = v
        return impl2
    if isinstance(v, types.Array):
        def impl3_array(x, idxs, v):  # type: ignore[no-untyped-def]
            w = _stored_values(v, _broadcast_length((idxs[0].shape[0], idxs[1].shape[0], idxs[2].shape[0])))
            ij = _flat_indices3(x, idxs[0], idxs[1], idxs[2])
            for k in range(ij.shape[0]):
                x[ij[k, 0], ij[k, 1], ij[k, 2]] = w[k if w.shape[0] != 1 else 0]
        return impl3_array

    def impl3(x, idxs, v):  # type: ignore[no-untyped-def]
        ij = _flat_indices3(x, idxs[0], idxs[1], idxs[2])
        for k in range(ij.shape[0]):
            x[ij[k, 0], ij[k, 1], ij[k, 2]] = v
    return impl3


@overload(mask_rows)
def _ol_mask_rows(x, m):  # type: ignore[no-untyped-def]
    if not (isinstance(x, types.Array) and x.ndim == 2 and _is_mask(m)):
        return None

    def impl(x, m):  # type: ignore[no-untyped-def]
        # NumPy's IndexError for a mask of another length (an empty mask selects no row of any array)
        _check_mask(x.shape[0], m)
        count = 0
        for i in range(m.shape[0]):
            if m[i]:
                count += 1
        out = np.empty((count, x.shape[1]), dtype=x.dtype)
        j = 0
        for i in range(m.shape[0]):
            if m[i]:
                out[j, :] = x[i, :]
                j += 1
        return out

    return impl
