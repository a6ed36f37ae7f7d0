"""``int(x)`` of a float as CPython computes it, in compiled code.

CPython truncates toward zero and returns an exact int of any size; it raises
``ValueError`` for a NaN and ``OverflowError`` for an infinity. Numba's
``int()`` of a float is LLVM's conversion to int64, which gives -2**63 for all
three and for every float past int64's range. Scientists write ``int(x / dx)``
to find a bin or a cell, so the checker compiles ``int()`` of a float through
``py_int``: the truncation where it is exact (|x| < 2**63, where the int64 is
CPython's int), and otherwise :class:`~polyray.runtime.variants.LeftToOriginal`,
which makes the CPU variant restore its written arrays and run the original
(``undo=``): that run raises as CPython does, or computes with the big int.

``astype_int`` is ``a.astype(<integer dtype>)`` of a float array the same way:
C leaves the conversion of a NaN, an infinity or a value out of the integer's
range undefined (NumPy and compiled code give different values), so a float
image scaled to 0..255 converts to uint8 in compiled code only when every
element truncates into the dtype's range, and otherwise the original runs.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from .variants import LeftToOriginal

__all__ = ["py_int", "astype_int", "fit_int", "spec_fit_int", "np_rshift", "np_lshift"]

_LIMIT = 9223372036854775808.0  # 2**63, exactly representable: int64 holds [-2**63, 2**63)
_WHY = "int() of a NaN, an infinity or a float past int64 (CPython raises or returns a big int)"


@njit(inline="always")
def py_int(x: Any) -> int:  # type: ignore[no-untyped-def]
    """CPython's ``int(x)`` for a float x with |x| < 2**63; LeftToOriginal otherwise (a NaN compares false)."""
    if x >= -_LIMIT and x < _LIMIT:
        return int(x)
    raise LeftToOriginal(_WHY)


def astype_int(a: Any, dtype: Any) -> Any:
    """``a.astype(dtype)``, a float array to an integer dtype (see the module's doc)."""
    return a.astype(dtype)


_ASTYPE_WHY = ".astype() of a NaN, an infinity or a float out of the integer dtype's range (undefined in C)"


@overload(astype_int)
def _ol_astype_int(a, dtype):  # type: ignore[no-untyped-def]
    to = dtype.dtype if isinstance(dtype, types.DType) else getattr(dtype, "instance_type", None)
    if not (isinstance(a, types.Array) and isinstance(a.dtype, types.Float) and isinstance(to, types.Integer)):
        return None
    info = np.iinfo(np.dtype(str(to)))
    # truncation toward zero lands in [min, max] exactly for min - 1 < x < max + 1; the bounds as floats
    # (2**63 and 2**64 are exact; -2**63 - 1 rounds to -2**63, which then leaves -2**63 itself to the original)
    low = float(info.min) - 1.0
    high = float(info.max) + 1.0

    def impl(a, dtype):  # type: ignore[no-untyped-def]
        for v in a.flat:
            if not (v > low and v < high):
                raise LeftToOriginal(_ASTYPE_WHY)
        return a.astype(dtype)

    return impl


_FIT_WHY = ("a computed Python int, or a NumPy integer stored into a narrower signed array, out of the integer dtype "
            "it meets (NumPy 2 raises OverflowError, compiled code would wrap)")


@njit(inline="always")
def fit_int(value: Any, lo: Any, hi: Any) -> int:  # type: ignore[no-untyped-def]
    """``value`` where lo <= value <= hi; LeftToOriginal otherwise.

    NumPy 2 converts a Python int that meets an integer dtype (``out[j, i] = n`` into an int32 array,
    ``np.uint8(k)``, ``a_int16 + k``) with a range check and raises OverflowError out of range, where
    compiled code's conversion wraps around. The checker prints such a value as ``np.int32(fit_int(n, lo,
    hi))`` (types/casts.ts checked): an in-range value converts exactly as NumPy's does, and one out of
    range leaves the call to the original (the variant's ``undo=`` restores its writes first), which
    raises NumPy's own OverflowError after NumPy's own writes.
    """
    if _fits(value, lo, hi):
        return value
    raise LeftToOriginal(_FIT_WHY)


@njit(inline="always")
def spec_fit_int(value: Any, lo: Any, hi: Any, fail: Any) -> Any:  # type: ignore[no-untyped-def]
    """fit_int's flagging form inside a prange loop, where a raise would keep Numba from running the loop in
    parallel: out of [lo, hi] it sets ``fail[0]`` and returns the value anyway (the variant's writes are then
    restored and the original runs: CpuVariant rollback=, as the speculative math helpers do)."""
    if not _fits(value, lo, hi):
        fail[0] = 1
    return value


def _fits(value: Any, lo: Any, hi: Any) -> bool:
    """lo <= value <= hi, compared exactly (see the overload)."""
    return bool(lo <= value <= hi)


@overload(_fits, inline="always")
def _ol_fits(value, lo, hi):  # type: ignore[no-untyped-def]
    # a uint64 value (`i64[i] = u64[i]`, `i32[i] += u64_scalar`) against int64 bounds: Numba compares uint64
    # with int64 in float64, which rounds 2**63 down onto 2**63 - 1; compared as uint64 where the bound is
    # not negative, exactly
    if isinstance(value, types.Integer) and not value.signed and value.bitwidth == 64:
        def impl(value, lo, hi):  # type: ignore[no-untyped-def]
            return hi >= 0 and value <= np.uint64(hi) and (lo <= 0 or value >= np.uint64(lo))
        return impl

    def impl(value, lo, hi):  # type: ignore[no-untyped-def]
        return value >= lo and value <= hi
    return impl


def np_rshift(a: Any, b: Any) -> Any:
    """NumPy's ``a >> b`` of integer scalars or arrays (see ``_shift``)."""
    return a >> b


def np_lshift(a: Any, b: Any) -> Any:
    """NumPy's ``a << b`` of integer scalars or arrays (see ``_shift``)."""
    return a << b


def _shift(right: bool):  # type: ignore[no-untyped-def]
    """The overload of a shift of NumPy integers by a count that may lie outside 0 .. bits - 1.

    NumPy shifts in the operands' promoted dtype (the checker casts a Python int operand to it, NEP 50) by
    its own rule (npy_rshift/npy_lshift), element by element for arrays (measured on NumPy 2.4): a count
    from 0 to bits - 1 is C's shift; any other count, a negative one of a signed dtype too, gives 0, or -1
    shifting a negative value right. C's shift (and LLVM's, which Numba emits) is undefined there: x86
    takes the count modulo 64. Elementary cellular automata read a rule's bit this way, ``(rule >> idx) &
    1`` with ``idx`` a uint8. Two scalars give an int64 (a uint64 for uint64), a narrow result cast back to
    its dtype by the caller (types/casts.ts), as every narrow operator's is; an array operand gives an
    array of the promoted dtype, the operands broadcast together as NumPy does (ValueError otherwise).
    """

    def typer(a, b):  # type: ignore[no-untyped-def]
        # a Python int or bool operand (a literal, a parameter) is weak: the other operand's dtype decides
        # (the checker casts one beside a narrow dtype or uint64, and a NumPy scalar beside an array to the
        # promoted dtype, so here a Python int only ever meets int64)
        arrays = any(isinstance(x, types.Array) for x in (a, b))
        sides = [x.dtype if isinstance(x, types.Array) else types.unliteral(x) for x in (a, b)]
        if not all(isinstance(x, (types.Integer, types.Boolean)) for x in sides):
            return None
        dtypes = [np.dtype(str(x)) for x in sides if isinstance(x, types.Integer)]
        if not dtypes:
            return None
        dtype = np.promote_types(dtypes[0], dtypes[-1])
        if dtype.kind != "i" and dtype.kind != "u":
            return None
        bits = dtype.itemsize * 8
        if dtype == np.uint64:
            scalar = _rshift_u64 if right else _lshift_u64
        else:
            scalar = _rshift_i64 if right else _lshift_i64
        if not arrays:
            return lambda a, b: scalar(a, b, bits)
        out_dtype = dtype.type

        def impl(a, b):  # type: ignore[no-untyped-def]
            x0, c0 = np.asarray(a), np.asarray(b)
            shape = np.broadcast_shapes(x0.shape, c0.shape)  # (Numba broadcasts arrays of one dtype only)
            x, c = np.broadcast_to(x0, shape), np.broadcast_to(c0, shape)
            out = np.empty(shape, out_dtype)
            for idx in np.ndindex(x.shape):
                out[idx] = scalar(x[idx], c[idx], bits)
            return out
        return impl

    return typer


# one element's shift by NumPy's rule, `bits` the promoted dtype's width: a signed or narrower than 64 bits
# dtype in int64 (a narrow result is cast back by the caller), uint64 in uint64
@njit(inline="always")
def _rshift_i64(a, b, bits):  # type: ignore[no-untyped-def]
    x, c = np.int64(a), np.int64(b)
    if c >= 0 and c < bits:
        return x >> c
    return np.int64(-1) if x < 0 else np.int64(0)


@njit(inline="always")
def _lshift_i64(a, b, bits):  # type: ignore[no-untyped-def]
    x, c = np.int64(a), np.int64(b)
    if c >= 0 and c < bits:
        return x << c
    return np.int64(0)


@njit(inline="always")
def _rshift_u64(a, b, bits):  # type: ignore[no-untyped-def]
    x, c = np.uint64(a), np.uint64(b)
    if c < np.uint64(bits):
        return x >> c
    return np.uint64(0)


@njit(inline="always")
def _lshift_u64(a, b, bits):  # type: ignore[no-untyped-def]
    x, c = np.uint64(a), np.uint64(b)
    if c < np.uint64(bits):
        return x << c
    return np.uint64(0)


overload(np_rshift, inline="always")(_shift(True))
overload(np_lshift, inline="always")(_shift(False))
