"""np.sort, a.sort(), np.argsort and np.unique with NumPy's own results (issue 17).

Rows of the compiler's NumPy table (src/compiler/types/numpy-table.ts) name these
in their ``helper`` column; numba_helpers re-exports them and a CPU variant calls
them as ``_polyray_h_<name>(...)``.

Sorting has one answer wherever the order is total, and NumPy's sorts put NaN
last. What is left open is the order of elements that compare equal but are
told apart: -0.0 and 0.0, NaNs of other bits than np.nan's (NumPy's vectorized
sorts write np.nan back for every NaN), and for argsort the indices of any two
equal keys. NumPy's default kind ('quicksort': an introsort, on this
machine's AVX-512 a vectorized sort) orders those by its algorithm, which
differs between CPUs and sizes (measured: the zeros' signs come out in every
arrangement), so compiled code cannot reproduce it. Each helper therefore
sorts with Numba, sees whether that freedom was used (a line holding both
zeros' signs, a NaN not np.nan's bits, equal keys for argsort), and only then
asks NumPy itself for the result (``numba.objmode``: NumPy's bits by
construction, at the cost of a call into Python). kind='stable'/'mergesort'
has one answer (stable: equal keys keep their order), which Numba's mergesort
gives, NaN last, so stable sorts never ask NumPy.

The compiler writes the axis as an int literal (normalized, the last axis for
the default -1) or None (flattened), and ``stable`` as a bool literal, so
everything but the data is decided while typing.

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, objmode, types
from numba.extending import overload

from .axis_lines import lines_of

__all__ = ["sort", "sort_inplace", "argsort", "unique"]


def sort(a: Any, axis: Any, stable: bool) -> Any:
    """``np.sort(a, axis=axis[, kind='stable'])``."""
    return np.sort(a, axis=axis, kind="stable" if stable else None)


def sort_inplace(a: Any, axis: int, stable: bool) -> None:
    """``a.sort(axis=axis[, kind='stable'])``."""
    a.sort(axis=axis, kind="stable" if stable else None)


def argsort(a: Any, axis: Any, stable: bool) -> Any:
    """``np.argsort(a, axis=axis[, kind='stable'])``."""
    return np.argsort(a, axis=axis, kind="stable" if stable else None)


def unique(a: Any) -> Any:
    """``np.unique(a)``."""
    return np.unique(a)


# --- what the helpers accept ------------------------------------------------------
# Real dtypes only: NumPy sorts complex numbers lexicographically with its own NaN
# rules, which Numba's sorts do not follow. Other types give no implementation, so
# the variant does not compile and the original runs.

def _real(dt: types.Type) -> bool:
    return isinstance(dt, (types.Integer, types.Boolean)) or (isinstance(dt, types.Float) and dt.bitwidth in (32, 64))


def _axis_of(a: types.Array, axis: types.Type) -> int | None | str:
    """The normalized axis (an int), None for the flattened array, or 'bad'."""
    if isinstance(axis, (types.NoneType, types.Omitted)) or axis is None:
        return None
    if isinstance(axis, types.IntegerLiteral) and -a.ndim <= axis.literal_value < a.ndim:
        return int(axis.literal_value) % a.ndim
    return "bad"


def _stable_of(stable: types.Type) -> bool | None:
    return bool(stable.literal_value) if isinstance(stable, types.BooleanLiteral) else None


# --- per line: sort, and whether NumPy's unstable order could differ ---------------

def _float_line_ambiguous(bits: Any) -> Any:
    """A jitted sorted line -> whether NumPy's default sort could give other bits: both zeros' signs
    present, or a NaN other than NumPy's own (np.nan's bits). NumPy's vectorized sorts (AVX-512, AVX2)
    count the NaNs and write np.nan back at the end, whatever their bits were; its scalar introsort
    keeps them. bits: the integer dtype of the floats' width."""
    canonical = np.array([np.nan], dtype=np.float64 if bits == np.int64 else np.float32).view(bits)[0]

    @njit
    def check(s):  # type: ignore[no-untyped-def]
        neg = False
        pos = False
        raw = s.view(bits)
        for j in range(s.shape[0]):
            x = s[j]
            if x == 0:
                if np.signbit(x):
                    neg = True
                else:
                    pos = True
            elif x != x and raw[j] != canonical:
                return True
        return neg and pos

    return check


@njit
def _never(s):  # type: ignore[no-untyped-def]
    return False


@njit
def _has_ties(s):  # type: ignore[no-untyped-def]
    """Two neighbours of a sorted line compare equal (NaNs equal to each other, as NumPy sorts them)."""
    for j in range(1, s.shape[0]):
        x = s[j - 1]
        y = s[j]
        if x == y or (x != x and y != y):
            return True
    return False


def _sorted_lines(a: types.Array, k: int | None, stable: bool, arg: bool) -> Any:
    """A jitted a -> (result, ambiguous): the lines along k sorted (or their argsort) by Numba."""
    # integers and booleans that compare equal are equal: only floats leave NumPy's sort a choice
    ambiguity = _float_line_ambiguous(np.int64 if a.dtype.bitwidth == 64 else np.int32) if isinstance(a.dtype, types.Float) else _never
    if k is None:
        def three(a):  # type: ignore[no-untyped-def]
            return np.ascontiguousarray(a).reshape((1, a.size, 1))
        three = njit(inline="always")(three)
    else:
        three = lines_of(a.ndim, (k,))
    out_dtype = np.int64 if arg else np.dtype(str(a.dtype))

    @njit
    def run(a):  # type: ignore[no-untyped-def]
        c = three(a)
        outer, m, inner = c.shape
        out = np.empty((outer, m, inner), dtype=out_dtype)
        buf = np.empty(m, dtype=c.dtype)
        ambiguous = False
        for p in range(outer):
            for q in range(inner):
                for j in range(m):
                    buf[j] = c[p, j, q]
                if arg or stable:
                    order = np.argsort(buf, kind="mergesort")
                    if arg:
                        if not stable and not ambiguous:
                            ambiguous = _has_ties(buf[order])
                        for j in range(m):
                            out[p, j, q] = order[j]
                    else:
                        for j in range(m):
                            out[p, j, q] = buf[order[j]]
                else:
                    s = np.sort(buf)
                    if not ambiguous:
                        ambiguous = ambiguity(s)
                    for j in range(m):
                        out[p, j, q] = s[j]
        return out, ambiguous

    return run


@overload(sort)
def _ol_sort(a, axis, stable):  # type: ignore[no-untyped-def]
    k = _axis_of(a, axis) if isinstance(a, types.Array) else "bad"
    st = _stable_of(stable)
    if k == "bad" or st is None or not _real(a.dtype) or a.ndim == 0:
        return None
    run = _sorted_lines(a, k, st, False)
    shaped = types.Array(a.dtype, a.ndim if k is not None else 1, "C")

    if k is None:
        def impl_flat(a, axis, stable):  # type: ignore[no-untyped-def]
            out, ambiguous = run(a)
            if ambiguous:
                with objmode(r=shaped):
                    r = np.sort(a, axis=None)
                return r
            return out.reshape(a.size)
        return impl_flat

    def impl(a, axis, stable):  # type: ignore[no-untyped-def]
        out, ambiguous = run(a)
        if ambiguous:
            with objmode(r=shaped):
                r = np.ascontiguousarray(np.sort(a, axis=k))
            return r
        return out.reshape(a.shape)
    return impl


@overload(sort_inplace)
def _ol_sort_inplace(a, axis, stable):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or not a.mutable or a.ndim == 0 or _axis_of(a, axis) in ("bad", None):
        return None

    def impl(a, axis, stable):  # type: ignore[no-untyped-def]
        r = sort(a, axis, stable)
        # the same elements written back in place, whatever a's layout
        flat = r.reshape(r.size)
        i = 0
        for idx in np.ndindex(a.shape):
            a[idx] = flat[i]
            i += 1
    return impl


@overload(argsort)
def _ol_argsort(a, axis, stable):  # type: ignore[no-untyped-def]
    k = _axis_of(a, axis) if isinstance(a, types.Array) else "bad"
    st = _stable_of(stable)
    if k == "bad" or st is None or not _real(a.dtype) or a.ndim == 0:
        return None
    run = _sorted_lines(a, k, st, True)
    shaped = types.Array(types.int64, a.ndim if k is not None else 1, "C")

    if k is None:
        def impl_flat(a, axis, stable):  # type: ignore[no-untyped-def]
            out, ambiguous = run(a)
            if ambiguous:
                with objmode(r=shaped):
                    r = np.argsort(a, axis=None).astype(np.int64)
                return r
            return out.reshape(a.size)
        return impl_flat

    def impl(a, axis, stable):  # type: ignore[no-untyped-def]
        out, ambiguous = run(a)
        if ambiguous:
            with objmode(r=shaped):
                r = np.ascontiguousarray(np.argsort(a, axis=k)).astype(np.int64)
            return r
        return out.reshape(a.shape)
    return impl


# --- np.unique ---------------------------------------------------------------------
# NumPy flattens, sorts (or, for integers, hashes and then sorts the distinct values)
# and keeps the first of each run of equal values, NaNs counted equal: the kept zero
# and NaN are the first of their runs in NumPy's unstable order (NaNs rewritten as
# np.nan by its vectorized sorts), so a float array whose zeros have both signs, or
# holding a NaN other than np.nan, asks NumPy.

@overload(unique)
def _ol_unique(a):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or not _real(a.dtype):
        return None
    run = _sorted_lines(a, None, False, False)
    flat_t = types.Array(a.dtype, 1, "C")

    def impl(a):  # type: ignore[no-untyped-def]
        out, ambiguous = run(a)
        if ambiguous:
            with objmode(r=flat_t):
                r = np.unique(a)
            return r
        s = out.reshape(a.size)
        n = s.shape[0]
        keep = np.zeros(n, dtype=np.bool_)
        count = 0
        for j in range(n):
            x = s[j]
            if j == 0 or not (x == s[j - 1] or (x != x and s[j - 1] != s[j - 1])):
                keep[j] = True
                count += 1
        r = np.empty(count, dtype=s.dtype)
        i = 0
        for j in range(n):
            if keep[j]:
                r[i] = s[j]
                i += 1
        return r
    return impl
