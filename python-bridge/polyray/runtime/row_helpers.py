"""NumPy table rows whose Numba form differs from NumPy's (issue 17): np.arange, np.any/np.all
along an axis, np.diag of a matrix, np.trace.

Like array_helpers: each is a plain Python function with NumPy's semantics and a Numba
``@overload`` giving NumPy's results and exception types in compiled code; a CPU variant
calls it as ``_polyray_h_<name>`` (numba_helpers re-exports it). Argument types an overload
does not cover make typing fail, so the variant does not compile and the original runs.

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import objmode, types
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic, overload, register_jitable
from numpy.lib.stride_tricks import as_strided

from .axis_lines import lines_of, literal_axes, result_rank, shape_of
from .pairwise import pairwise_vector  # NumPy's order of a run's sum (np.trace)
from .variants import LeftToOriginal

__all__ = ["arange", "arange_float64", "any_axis", "all_axis", "argmax_axis", "argmin_axis", "diag_view", "trace_pairwise", "ravel", "cumsum_flat",
           "sign_real", "cumsum_axis", "cumprod_axis", "cumsum_dtype", "cumprod_dtype"]


# --- np.arange -------------------------------------------------------------------------
#
# NumPy 2 (numpy/_core/src/multiarray/ctors.c, PyArray_ArangeObj and _calc_length): the length
# is ceil((stop - start) / step) of Python numbers (ints subtracted exactly, then true division),
# 0 when not positive; element 0 is start, element 1 is start + step (Python's addition), and the
# dtype's fill (arraytypes.c.src, @NAME@_fill) computes every further one as start + i*delta with
# delta = element1 - element0, which for floats is not always step ((0.1 + 0.2) - 0.1 != 0.2).
# Numba's np.arange computes start + i*step, so half of random float aranges differ in the last
# bit: these helpers compute NumPy's formula. Where NumPy raises or its Python arithmetic is
# wider than int64/float64 (a zero step, a NaN or infinite length, magnitudes from 2**52, lengths
# from 2**31) they call np.arange itself through objmode: its result or its exception.

_BIG = 2.0 ** 52  # below it int64 and float64 hold the integers NumPy's Python arithmetic computes
_LONG = 2.0 ** 31  # a length from which NumPy's own allocation (and its MemoryError) decides
_I1 = types.int64[::1]
_F1 = types.float64[::1]


def arange(start: Any, stop: Any, step: Any) -> Any:
    """``np.arange(start, stop, step)`` of Python ints (int64) or floats (float64)."""
    return np.arange(start, stop, step)


def arange_float64(start: Any, stop: Any, step: Any) -> Any:
    """``np.arange(start, stop, step, dtype=np.float64)``."""
    return np.arange(start, stop, step, dtype=np.float64)


@register_jitable
def _arange_length(start, stop, step):  # type: ignore[no-untyped-def]
    """NumPy's length, or -1 where NumPy itself must decide (raise, or compute wider)."""
    if step == 0 or not (abs(start) < _BIG and abs(stop) < _BIG and abs(step) < _BIG):
        return -1
    q = (stop - start) / step
    if not math.isfinite(q):
        return -1
    c = math.ceil(q)
    if c >= _LONG:
        return -1
    return max(int(c), 0)


@register_jitable
def _fill_float(out, a, b):  # type: ignore[no-untyped-def]
    """NumPy's DOUBLE_fill of an array whose first two elements would be a and b."""
    n = out.shape[0]
    if n > 0:
        out[0] = a
    if n > 1:
        out[1] = b
    delta = b - a
    for i in range(2, n):
        out[i] = a + np.float64(i) * delta
    return out


@overload(arange)
def _ol_arange(start, stop, step):  # type: ignore[no-untyped-def]
    ints = all(isinstance(t, types.Integer) for t in (start, stop, step))
    if not all(isinstance(t, (types.Integer, types.Float)) for t in (start, stop, step)):
        return None
    if any(isinstance(t, types.Float) and t.bitwidth != 64 for t in (start, stop, step)):
        return None
    if ints:
        def impl_int(start, stop, step):  # type: ignore[no-untyped-def]
            n = _arange_length(start, stop, step)
            if n < 0:
                with objmode(r=_I1):
                    r = np.ascontiguousarray(np.arange(start, stop, step), dtype=np.int64)
                return r
            out = np.empty(n, np.int64)
            delta = (start + step) - start
            for i in range(n):
                out[i] = start + i * delta
            return out
        return impl_int

    def impl_float(start, stop, step):  # type: ignore[no-untyped-def]
        n = _arange_length(start, stop, step)
        if n < 0:
            with objmode(r=_F1):
                r = np.ascontiguousarray(np.arange(start, stop, step), dtype=np.float64)
            return r
        # Python's int + float converts the int first, as np.float64 does here
        return _fill_float(np.empty(n, np.float64), np.float64(start), np.float64(start) + np.float64(step))
    return impl_float


@overload(arange_float64)
def _ol_arange_float64(start, stop, step):  # type: ignore[no-untyped-def]
    if not all(isinstance(t, (types.Integer, types.Float)) for t in (start, stop, step)):
        return None
    if any(isinstance(t, types.Float) and t.bitwidth != 64 for t in (start, stop, step)):
        return None
    ints = all(isinstance(t, types.Integer) for t in (start, stop, step))

    def impl(start, stop, step):  # type: ignore[no-untyped-def]
        n = _arange_length(start, stop, step)
        if n < 0:
            with objmode(r=_F1):
                r = np.ascontiguousarray(np.arange(start, stop, step, dtype=np.float64))
            return r
        # element 1 is start + step of Python numbers, then stored: exact for ints below 2**52
        second = np.float64(start + step) if ints else np.float64(start) + np.float64(step)
        return _fill_float(np.empty(n, np.float64), np.float64(start), second)
    return impl


# --- np.any / np.all / np.argmax / np.argmin along an axis ------------------------------
#
# Numba has none of them with axis= except argmax/argmin of one int axis (without keepdims). The
# helpers reduce the lines along literal axes (axis_lines.py: the array seen as (outer, n, inner)):
# any/all of an element is `x != 0` (a NaN is true), an empty line gives False/True; argmax and
# argmin give the first extreme's index, a NaN counting as the extreme (NumPy's first NaN), and
# raise NumPy's ValueError for an empty line. The axes are int literals (the compiler writes
# them), so everything about the shape is decided while typing; an axis out of range gives no
# implementation and the original raises NumPy's AxisError.


def any_axis(a: Any, axis: Any, keepdims: bool) -> Any:
    """``np.any(a, axis=axis, keepdims=keepdims)``."""
    return np.any(a, axis=axis, keepdims=keepdims)


def all_axis(a: Any, axis: Any, keepdims: bool) -> Any:
    """``np.all(a, axis=axis, keepdims=keepdims)``."""
    return np.all(a, axis=axis, keepdims=keepdims)


def argmax_axis(a: Any, axis: Any, keepdims: bool) -> Any:
    """``np.argmax(a, axis=axis, keepdims=keepdims)``, axis one int."""
    return np.argmax(a, axis=axis, keepdims=keepdims)


def argmin_axis(a: Any, axis: Any, keepdims: bool) -> Any:
    """``np.argmin(a, axis=axis, keepdims=keepdims)``, axis one int."""
    return np.argmin(a, axis=axis, keepdims=keepdims)



def _truth_lines(want_any: bool) -> Any:
    @register_jitable
    def reduce(lines):  # type: ignore[no-untyped-def]
        outer, n, inner = lines.shape
        out = np.empty(outer * inner, dtype=np.bool_)
        for o in range(outer):
            for i in range(inner):
                r = not want_any
                for k in range(n):
                    if (lines[o, k, i] != 0) == want_any:
                        r = want_any
                        break
                out[o * inner + i] = r
        return out
    return reduce


def _arg_lines(larger: bool, floating: bool) -> Any:
    @register_jitable
    def reduce(lines):  # type: ignore[no-untyped-def]
        outer, n, inner = lines.shape
        out = np.empty(outer * inner, dtype=np.int64)
        if n == 0:  # NumPy raises for an empty reduced axis even where there are no lines (shape (0, 0))
            raise ValueError("attempt to get argmax of an empty sequence" if larger else "attempt to get argmin of an empty sequence")
        for o in range(outer):
            for i in range(inner):
                best = lines[o, 0, i]
                at = 0
                if floating and best != best:
                    out[o * inner + i] = 0
                    continue
                for k in range(1, n):
                    v = lines[o, k, i]
                    if floating and v != v:
                        at = k
                        break
                    if (v > best) if larger else (v < best):
                        best = v
                        at = k
                out[o * inner + i] = at
        return out
    return reduce


def _axis_overload(make: Any, one_axis: bool) -> Any:
    def ol(a, axis, keepdims):  # type: ignore[no-untyped-def]
        if not isinstance(a, types.Array) or not isinstance(a.dtype, (types.Integer, types.Float, types.Boolean)) or a.ndim == 0:
            return None
        if not isinstance(keepdims, types.BooleanLiteral):
            return None
        if one_axis and not isinstance(axis, types.IntegerLiteral):
            return None
        axes = literal_axes(axis, a.ndim)
        if axes is None:
            return None  # the original runs and raises NumPy's AxisError
        keep = bool(keepdims.literal_value)
        scalar = result_rank(a.ndim, axes, keep) == 0
        lines = lines_of(a.ndim, axes)
        shape = shape_of(a.ndim, axes, keep)
        reduce = make(isinstance(a.dtype, types.Float))

        def impl(a, axis, keepdims):  # type: ignore[no-untyped-def]
            out = reduce(lines(a))
            if scalar:
                return out[0]
            return out.reshape(shape(a))
        return impl
    return ol


overload(any_axis, inline="always", prefer_literal=True)(_axis_overload(lambda _f: _truth_lines(True), False))
overload(all_axis, inline="always", prefer_literal=True)(_axis_overload(lambda _f: _truth_lines(False), False))
overload(argmax_axis, inline="always", prefer_literal=True)(_axis_overload(lambda f: _arg_lines(True, f), True))
overload(argmin_axis, inline="always", prefer_literal=True)(_axis_overload(lambda f: _arg_lines(False, f), True))


# --- np.diag / np.diagonal of a matrix ---------------------------------------------------
#
# NumPy returns a read-only strided view of the diagonal (numpy/_core/src/multiarray/item_selection.c,
# PyArray_Diagonal: writes through it raise ValueError, later writes to the matrix show through it);
# Numba's np.diag returns a writable copy. The helper returns the same view: the k-th diagonal's first
# element, stepping by both strides, typed read-only, so that a variant writing through it does not
# compile (the original runs and raises NumPy's ValueError) and a returned one comes back to Python
# with writeable=False, as NumPy's.


@intrinsic
def _read_only(typingctx, arr):  # type: ignore[no-untyped-def]
    """The same array typed read-only (the data model is the same: nothing to convert)."""
    if not isinstance(arr, types.Array):
        return None
    sig = arr.copy(readonly=True)(arr)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return impl_ret_borrowed(context, builder, signature.return_type, args[0])
    return sig, codegen


def diag_view(a: Any, k: int) -> Any:
    """``np.diag(a, k)`` / ``np.diagonal(a, k)`` of a 2-d array."""
    return np.diagonal(a, k)


@overload(diag_view)
def _ol_diag_view(a, k):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or a.ndim != 2 or not isinstance(k, types.Integer):
        return None

    def impl(a, k):  # type: ignore[no-untyped-def]
        n, m = a.shape
        length = max(min(n, m - k), 0) if k >= 0 else max(min(n + k, m), 0)
        step = a.strides[0] + a.strides[1]
        # (an empty diagonal: an empty array, as NumPy's shares no element; a[0] would be out of bounds)
        first = np.empty(0, a.dtype)[:] if length == 0 else a[0, k:] if k >= 0 else a[-k:, 0]
        return _read_only(as_strided(first, shape=(length,), strides=(step,)))
    return impl


# --- np.trace / a.trace() of a matrix ------------------------------------------------------
#
# NumPy (PyArray_Trace): add.reduce of the diagonal's strided view, which for float64 is its pairwise
# sum over the run at its stride (pairwise.py), measured bit for bit on every layout and on diagonals
# past the iterator's 8192-element buffer; Numba's np.trace adds in order. int64: the sum in order,
# wrapping as NumPy's does. So the trace is NumPy's in both numerics modes.


def trace_pairwise(a: Any, k: int) -> Any:
    """``np.trace(a, k)`` of a 2-d float64 or int64 array."""
    return np.trace(a, k)


@overload(trace_pairwise)
def _ol_trace_pairwise(a, k):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or a.ndim != 2 or a.dtype not in (types.float64, types.int64) or not isinstance(k, types.Integer):
        return None
    if a.dtype == types.float64:
        def impl_float(a, k):  # type: ignore[no-untyped-def]
            d = diag_view(a, k)
            return 0.0 + pairwise_vector(d, 0, d.shape[0])
        return impl_float

    def impl_int(a, k):  # type: ignore[no-untyped-def]
        d = diag_view(a, k)
        s = np.int64(0)
        for i in range(d.shape[0]):
            s += d[i]
        return s
    return impl_int


# --- np.ravel(a) / a.ravel() ------------------------------------------------------------------
#
# NumPy (PyArray_Ravel, order 'C'): a view exactly when the array is C-contiguous by its flags
# (every axis longer than one at the stride the later axes make; an empty array counts), else a
# copy in C order. Numba's ravel decides by the compiled type's layout instead: a C-contiguous
# array typed 'A' or 'F' (a slice of whole rows, the transpose of one row) is copied where NumPy
# gives a view, so writes through the result would differ. The helper decides by the strides at
# run time, as NumPy's flags do.


def ravel(a: Any) -> Any:
    """``np.ravel(a)`` / ``a.ravel()``."""
    return np.ravel(a)


@register_jitable
def _c_contiguous(shape, strides, itemsize):  # type: ignore[no-untyped-def]
    size = 1
    for d in range(len(shape)):
        size *= shape[d]
    if size == 0:
        return True
    expected = itemsize
    for d in range(len(shape) - 1, -1, -1):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


@overload(ravel)
def _ol_ravel(a):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or a.ndim == 0:
        return None
    if a.layout == "C":
        return lambda a: a.ravel()  # Numba's view, as NumPy's

    def impl(a):  # type: ignore[no-untyped-def]
        if _c_contiguous(a.shape, a.strides, a.itemsize):
            return as_strided(a, shape=(a.size,), strides=(a.itemsize,))
        return a.ravel()  # a copy in C order
    return impl


# --- np.cumsum(a) / a.cumsum() of floats -----------------------------------------------------
#
# NumPy's add.accumulate copies the first element and adds the next ones in order; Numba's np.cumsum
# starts from 0.0, so a leading -0.0 (and every -0.0 after it) came out as +0.0 (found by the
# fuzzer's TableFn; a complex -0.0 part likewise). The helper accumulates as NumPy does, in the
# array's dtype, over the elements in C order.


def cumsum_flat(a: Any) -> Any:
    """``np.cumsum(a)`` of a float array, without axis."""
    return np.cumsum(a)


@overload(cumsum_flat)
def _ol_cumsum_flat(a):  # type: ignore[no-untyped-def]
    if not isinstance(a, types.Array) or not isinstance(a.dtype, (types.Float, types.Complex)):
        return None

    def impl(a):  # type: ignore[no-untyped-def]
        flat = a.ravel()
        out = np.empty(flat.size, a.dtype)
        if flat.size > 0:
            out[0] = flat[0]
        for i in range(1, flat.size):
            out[i] = out[i - 1] + flat[i]
        return out
    return impl


# --- np.sign of real floats ------------------------------------------------------------------
#
# NumPy's sign (loops_autovec.dispatch.c.src, npy_signbit-free): 1 above zero, -1 below, +0.0 for
# either zero, NaN itself; Numba's np.sign returns the zero it was given, so -0.0 stayed -0.0
# (found by issue 17's coverage audit, test_written_forms.py). The helper makes every zero +0.0:
# z - z is +0.0 for both zeros in round-to-nearest, in the operand's own dtype.


def sign_real(x: Any) -> Any:
    """``np.sign(x)`` of a float32/float64 array or scalar."""
    return np.sign(x)


@overload(sign_real)
def _ol_sign_real(x):  # type: ignore[no-untyped-def]
    if isinstance(x, types.Float):
        def scalar(x):  # type: ignore[no-untyped-def]
            s = np.sign(x)
            return s - s if s == 0 else s
        return scalar
    if not isinstance(x, types.Array) or not isinstance(x.dtype, types.Float) or x.ndim == 0:
        return None

    def impl(x):  # type: ignore[no-untyped-def]
        out = np.sign(x)  # a fresh C-contiguous array of x's dtype
        flat = out.reshape(out.size)
        for i in range(flat.size):
            if flat[i] == 0:
                flat[i] = flat[i] - flat[i]
        return out
    return impl


# --- np.cumsum / np.cumprod along an axis -------------------------------------------------------
#
# NumPy's add/multiply.accumulate along an axis: every line along it starts from its first element
# (cast to the accumulation dtype: bool and integers narrower than 64 bits widen to (u)int64) and
# adds or multiplies the next ones in order, each element of the result one rounding of the previous
# one and the input: so the same bits whatever the line's layout. Numba's np.cumsum along an axis
# starts from 0 (a leading -0.0 becomes +0.0) and its np.cumprod has no axis. The axis is an int
# literal (the compiler writes it); out of range it gives no implementation, the original raises
# NumPy's AxisError. The result is C-contiguous (NumPy's keeps an F-ordered input's order: the same
# values, other strides).


def cumsum_axis(a: Any, axis: int) -> Any:
    """``np.cumsum(a, axis=axis)``."""
    return np.cumsum(a, axis=axis)


def cumprod_axis(a: Any, axis: int) -> Any:
    """``np.cumprod(a, axis=axis)``."""
    return np.cumprod(a, axis=axis)


def _accumulated(a: Any) -> Any:
    """NumPy's accumulation dtype of an array type (numba's get_accumulator_type is the same rule)."""
    from numba.np.arraymath import get_accumulator_type
    from numba.np.numpy_support import as_dtype

    return as_dtype(get_accumulator_type(a.dtype))


def _scan_overload(multiply: bool) -> Any:
    def ol(a, axis):  # type: ignore[no-untyped-def]
        if not isinstance(a, types.Array) or a.ndim == 0 or not isinstance(axis, types.IntegerLiteral):
            return None
        real = isinstance(a.dtype, (types.Integer, types.Float, types.Boolean))
        if not (real or (not multiply and isinstance(a.dtype, types.Complex))):
            return None  # complex products keep the original (types/row-rules.ts scanRule)
        axes = literal_axes(axis, a.ndim)
        if axes is None:
            return None
        lines = lines_of(a.ndim, axes)  # one axis: no permutation, (outer, n, inner) in C order
        acc = _accumulated(a)

        def impl(a, axis):  # type: ignore[no-untyped-def]
            src = lines(a)
            outer, n, inner = src.shape
            out = np.empty((outer, n, inner), acc)
            for o in range(outer):
                if n > 0:
                    for i in range(inner):
                        out[o, 0, i] = src[o, 0, i]
                for k in range(1, n):
                    for i in range(inner):
                        if multiply:
                            out[o, k, i] = out[o, k - 1, i] * src[o, k, i]
                        else:
                            out[o, k, i] = out[o, k - 1, i] + src[o, k, i]
            return out.reshape(a.shape)
        return impl
    return ol


overload(cumsum_axis, prefer_literal=True)(_scan_overload(False))
overload(cumprod_axis, prefer_literal=True)(_scan_overload(True))


# --- np.cumsum / np.cumprod with dtype=, and complex np.cumprod ----------------------------------
#
# NumPy 2's add/multiply.accumulate with dtype=D (measured on NumPy 2.4): each element is cast to D first
# (C's conversion: an integer wraps into a narrower one, a float truncates toward zero), then the line
# accumulates in D from its first element, in order, with D's own wrap-around (np.cumsum(int64s,
# dtype=np.int8): 100, -56, 44) or rounding (float32). Without dtype=, D is the accumulation dtype
# (complex cumprod: the form Numba's np.cumprod gets wrong, its product from 1 turning an infinite
# factor into NaN). Left to the original (LeftToOriginal; the variant restores its writes first):
# a float out of an integer D's range or NaN (undefined in C), and a complex product that is not finite
# (NumPy's complex multiply treats infinities and NaNs its own way: other NaN signs, C99's recovery of
# an infinity); every finite complex product is the same formula's bits in both (tested). The compiler
# (types/row-rules.ts scanRule) refuses a bool D and a complex input to a real D. axis: an int literal,
# or None (the flattened array, C order).


def cumsum_dtype(a: Any, axis: Any, dtype: Any) -> Any:
    """``np.cumsum(a, axis=axis, dtype=dtype)`` (dtype None: NumPy's accumulation dtype)."""
    return np.cumsum(a, axis=axis, dtype=dtype)


def cumprod_dtype(a: Any, axis: Any, dtype: Any) -> Any:
    """``np.cumprod(a, axis=axis, dtype=dtype)`` (dtype None: NumPy's accumulation dtype)."""
    return np.cumprod(a, axis=axis, dtype=dtype)


_SCAN_CAST_WHY = "cumsum/cumprod(dtype=<integer>) of a NaN, an infinity or a float out of the dtype's range (undefined in C)"
_SCAN_COMPLEX_WHY = "a complex cumprod whose partial product is not finite (NumPy's complex multiply handles infinities and NaNs its own way)"


@register_jitable(inline="always")
def _finite_complex(z: Any) -> bool:  # type: ignore[no-untyped-def]
    return math.isfinite(z.real) and math.isfinite(z.imag)


def _accumulate_fuses() -> bool:
    """Whether NumPy's complex multiply.accumulate fuses its products (asked of NumPy once, as
    complex_helpers._numpy_fuses asks of its array loop; this machine's NumPy 2.4 does not, where its array
    multiply does): where it does, complex cumprod keeps the original."""
    fused = []
    for dtype, x in ((np.complex128, 1.0 + 2.0**-27), (np.complex64, 1.0 + 2.0**-12)):
        a = np.array([complex(1.0, 0.0), complex(x, 1.0), complex(x, 1.0)], dtype=dtype)
        real = np.float64(np.cumprod(a)[2].real)  # x*x - 1: one rounding fused, two plain
        plain = np.float64(np.array(np.array(x, a.real.dtype) * np.array(x, a.real.dtype) - 1, a.real.dtype))
        fused.append(real != plain)
    return any(fused)


_ACCUMULATE_FUSES = _accumulate_fuses()


def _scan_dtype_overload(multiply: bool) -> Any:
    def ol(a, axis, dtype):  # type: ignore[no-untyped-def]
        if not isinstance(a, types.Array) or a.ndim == 0 or not isinstance(a.dtype, (types.Integer, types.Float, types.Boolean, types.Complex)):
            return None
        if isinstance(dtype, (types.NoneType, types.Omitted)) or dtype is None:
            to = as_numba(_accumulated(a))
        else:
            to = dtype.dtype if isinstance(dtype, types.DType) else getattr(dtype, "instance_type", None)
        if not isinstance(to, (types.Integer, types.Float, types.Complex)):
            return None  # (bool: logical or/and; the compiler refuses it)
        if isinstance(a.dtype, types.Complex) and not isinstance(to, types.Complex):
            return None  # (NumPy's ComplexWarning)
        if multiply and isinstance(to, types.Complex) and _ACCUMULATE_FUSES:
            return None  # (NumPy's products fused here: the original runs)
        flat = isinstance(axis, (types.NoneType, types.Omitted)) or axis is None
        if not flat and not isinstance(axis, types.IntegerLiteral):
            return None
        axes = None if flat else literal_axes(axis, a.ndim)
        if not flat and axes is None:
            return None
        lines = None if flat else lines_of(a.ndim, axes)
        acc = np.dtype(str(to))
        cast = acc.type
        checked = isinstance(a.dtype, types.Float) and isinstance(to, types.Integer)
        info = np.iinfo(acc) if checked else None
        low = float(info.min) - 1.0 if checked else 0.0  # (as runtime/int_helpers.astype_int's bounds)
        high = float(info.max) + 1.0 if checked else 0.0
        finite = multiply and isinstance(to, types.Complex)

        def impl(a, axis, dtype):  # type: ignore[no-untyped-def]
            if flat:
                src = np.ascontiguousarray(a).reshape((1, a.size, 1))
            else:
                src = lines(a)
            outer, n, inner = src.shape
            out = np.empty((outer, n, inner), acc)
            for o in range(outer):
                for k in range(n):
                    for i in range(inner):
                        v = src[o, k, i]
                        if checked and not (v > low and v < high):
                            raise LeftToOriginal(_SCAN_CAST_WHY)
                        x = cast(v)
                        if k == 0:
                            out[o, 0, i] = x
                        elif multiply:
                            r = out[o, k - 1, i] * x
                            if finite and not _finite_complex(r):
                                raise LeftToOriginal(_SCAN_COMPLEX_WHY)
                            out[o, k, i] = r
                        else:
                            out[o, k, i] = out[o, k - 1, i] + x
            if flat:
                return out.reshape(a.size)
            return out.reshape(a.shape)
        return impl
    return ol


def as_numba(dtype: Any) -> Any:
    from numba.np.numpy_support import from_dtype

    return from_dtype(dtype)


overload(cumsum_dtype, prefer_literal=True)(_scan_dtype_overload(False))
overload(cumprod_dtype, prefer_literal=True)(_scan_dtype_overload(True))
