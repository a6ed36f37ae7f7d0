"""Scalar helpers that make Numba-compiled code behave like CPython.

Numba (with ``error_model='numpy'``) returns inf/nan or 0 where CPython raises,
and its ``**`` types differ. A generated CPU variant calls these helpers as
``_polyray_h_<name>(...)``; :class:`polyray.runtime.cpu.CpuVariant` injects them.

Each helper is a plain Python function (correct CPython semantics when called
from Python) with a Numba ``@overload(..., inline='always')`` that reproduces the
same results and the same exception types and messages in compiled code.
Argument types a helper does not cover (e.g. complex to ``floordiv``) fail at
typing time, which makes the dispatcher run the original.

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

import math
import operator
import threading
from typing import Any

import numpy as np
from numba import njit, types, vectorize
from numba.extending import overload, register_jitable

from .close_reductions import (axis_average, axis_mean, axis_std, axis_sum, axis_var,  # noqa: F401 - close mode's reductions, injected like the rest
                               whole_mean, whole_std, whole_sum, whole_var)
from .axis_extrema import axis_max, axis_min  # noqa: F401 - np.max/np.min along axes (both modes)
from .axis_extrema import checked_axis_max, checked_axis_min, checked_max, checked_min  # noqa: F401 - exact mode's float max/min
from .norms import norm, norm_keepdims  # noqa: F401 - np.linalg.norm by NumPy's formulas
_BLAS_THREADS = ("blas_threads_match", "blas_threads_one", "blas_threads_restore")  # runtime/blas_threads.py, imported when first asked for
from .int_helpers import astype_int, fit_int, np_lshift, np_rshift, py_int, spec_fit_int  # noqa: F401 - int() and .astype(int dtype) of floats, computed ints meeting an int dtype, or the original
from .flagging_math import flag_exp, flag_pow
from .pairwise import pairwise_vector  # NumPy's order, without recursion (which Numba's cache cannot reload)
from .array_helpers import __all__ as _ARRAY_HELPERS
from .array_helpers import *  # noqa: F403 - the NumPy table's array helpers, injected by name like the others
from . import complex_helpers as _complex_helpers
from .complex_helpers import __all__ as _COMPLEX_HELPERS  # NumPy's complex products and powers (types/complex-ops.ts)
from .index_helpers import __all__ as _INDEX_HELPERS
from .index_helpers import *  # noqa: F403 - masks and index arrays (types/index-arrays.ts)
from .gather_dots import gather_dot, gather_dot_np  # noqa: F401 - close mode's v @ x[idx] without the gathered temporary
from .fft_helpers import __all__ as _FFT_HELPERS
from .fft_helpers import *  # noqa: F403 - np.fft: NumPy's transform through objmode (exact), rocket-fft's (close)
from .math_helpers import __all__ as _MATH_HELPERS
from .math_helpers import *  # noqa: F403 - math functions CPython checks (sin(inf), cosh overflow, gamma poles)
from .sort_helpers import __all__ as _SORT_HELPERS
from .sort_helpers import *  # noqa: F403 - np.sort, a.sort(), np.argsort, np.unique with NumPy's results
from .row_helpers import __all__ as _ROW_HELPERS
from .row_helpers import *  # noqa: F403 - np.arange, any/all/argmax/argmin along axes with NumPy's results
from .round_helpers import clip_scalar_bounds, round_decimals  # noqa: F401 - np.round with decimals and np.clip as NumPy computes them
from .index_checks import check_index, spec_index  # noqa: F401 - an index read from data, checked as Python checks it
from .strided_products import fits as strided_fits, strided_matmul  # products of strided slices without Numba's copies
from .blas_products import blas_dot, blas_dot_rows  # noqa: F401 - product loops' BLAS products, cached on disk per argument types

__all__ = ["truediv", "floordiv", "mod", "pow", "pow_fop", "ipow", "mathpow", "sqrt", "log", "log10", "log2", "acos", "asin", "exp",
           "matmul", "dot", "gather_dot", "gather_dot_np", "cov", "column_products", "column_product", "column_dots", "column_dots_none", "column_dot", "blas_dot", "blas_dot_rows", "pairwise_sum", "pairwise_mean", "cdiv", "axis_max", "axis_min", "checked_axis_max", "checked_axis_min", "checked_max", "checked_min", "norm", "norm_keepdims", "axis_average", *_BLAS_THREADS, "py_int", "astype_int", "fit_int", "spec_fit_int", "np_rshift", "np_lshift", "check_index", "spec_index", "round_decimals", "clip_scalar_bounds", *_ARRAY_HELPERS, *_INDEX_HELPERS,
           *_MATH_HELPERS, *_COMPLEX_HELPERS, *_FFT_HELPERS, *_SORT_HELPERS, *_ROW_HELPERS,
           *(f"{form}_{name}" for form in ("axis", "whole") for name in ("sum", "mean", "var", "std")),
           *(f"spec_{name}" for name in ("sqrt", "log", "log10", "log2", "acos", "asin", "exp", "mathpow"))]


# --- type classes --------------------------------------------------------------

def _is_int(t: types.Type) -> bool:
    return isinstance(t, (types.Integer, types.Boolean))


def _is_float(t: types.Type) -> bool:
    return isinstance(t, types.Float)


def _is_complex(t: types.Type) -> bool:
    return isinstance(t, types.Complex)


def _is_real(t: types.Type) -> bool:
    return _is_int(t) or _is_float(t)


# --- Python-level definitions (CPython semantics by construction) ------------

def truediv(a: Any, b: Any) -> Any:
    """``a / b``."""
    return a / b


def floordiv(a: Any, b: Any) -> Any:
    """``a // b``."""
    return a // b


def mod(a: Any, b: Any) -> Any:
    """``a % b``."""
    return a % b


def pow(a: Any, b: Any) -> Any:  # noqa: A001 - mirrors the operator's name
    """``a ** b``."""
    return a**b


def pow_fop(a: Any, b: float) -> Any:
    """``a ** b`` for a float64 array ``a`` (or its element, in a loop lowered from the array statement) and
    a Python float ``b``: NumPy's fast_scalar_power (multiarray/number.c) takes np.sqrt for 0.5, per call,
    where pow differs in signed zeros and infinities (-0.0 ** 0.5 is -0.0, -inf ** 0.5 nan); np.power else."""
    if b == 0.5:
        return np.sqrt(a)
    return a**b


@overload(pow_fop, inline="always")
def _pow_fop_overload(a, b):  # type: ignore[no-untyped-def]
    def impl(a, b):  # type: ignore[no-untyped-def]
        if b == 0.5:
            return np.sqrt(a)
        return a**b

    return impl


def mathpow(x: Any, y: Any) -> float:
    """``math.pow(x, y)``."""
    return math.pow(x, y)


def sqrt(x: Any) -> float:
    """``math.sqrt(x)``."""
    return math.sqrt(x)


def log(x: Any) -> float:
    """``math.log(x)`` (one argument)."""
    return math.log(x)


def log10(x: Any) -> float:
    """``math.log10(x)``."""
    return math.log10(x)


def log2(x: Any) -> float:
    """``math.log2(x)``."""
    return math.log2(x)


def acos(x: Any) -> float:
    """``math.acos(x)``."""
    return math.acos(x)


def asin(x: Any) -> float:
    """``math.asin(x)``."""
    return math.asin(x)


def exp(x: Any) -> float:
    """``math.exp(x)``."""
    return math.exp(x)


# --- compiled implementations ------------------------------------------------

@overload(truediv, inline="always")
def _ol_truediv(a, b):  # type: ignore[no-untyped-def]
    if _is_complex(a) or _is_complex(b):
        if not ((_is_real(a) or _is_complex(a)) and (_is_real(b) or _is_complex(b))):
            return None

        def impl_complex(a, b):  # type: ignore[no-untyped-def]
            if b == 0:
                raise ZeroDivisionError("complex division by zero")
            return a / b

        return impl_complex
    if not (_is_real(a) and _is_real(b)):
        return None
    if _is_float(a) or _is_float(b):

        def impl_float(a, b):  # type: ignore[no-untyped-def]
            if b == 0:
                raise ZeroDivisionError("float division by zero")
            return a / b

        return impl_float

    def impl_int(a, b):  # type: ignore[no-untyped-def]
        if b == 0:
            raise ZeroDivisionError("division by zero")
        return np.float64(a) / np.float64(b)

    return impl_int


def _float_divmod(vx: float, wx: float) -> tuple[float, float]:
    """CPython's _float_div_mod (Objects/floatobject.c); wx != 0."""
    m = np.fmod(vx, wx)
    div = (vx - m) / wx
    if m != 0.0:
        if (wx < 0.0) != (m < 0.0):
            m += wx
            div -= 1.0
    else:
        m = math.copysign(0.0, wx)
    if div != 0.0:
        fl = np.floor(div)
        if div - fl > 0.5:
            fl += 1.0
    else:
        fl = math.copysign(0.0, vx / wx)
    return fl, m


_float_divmod_jit: Any = None


def _divmod_impl() -> Any:
    global _float_divmod_jit
    if _float_divmod_jit is None:
        from numba import njit

        _float_divmod_jit = njit(inline="always", error_model="numpy")(_float_divmod)
    return _float_divmod_jit


@overload(floordiv, inline="always")
def _ol_floordiv(a, b):  # type: ignore[no-untyped-def]
    if not (_is_real(a) and _is_real(b)):
        return None
    if _is_int(a) and _is_int(b):

        def impl_int(a, b):  # type: ignore[no-untyped-def]
            if b == 0:
                raise ZeroDivisionError("integer division or modulo by zero")
            return operator.floordiv(a, b)

        if isinstance(a, types.Boolean) or isinstance(b, types.Boolean):

            def impl_bool(a, b):  # type: ignore[no-untyped-def]
                if b == 0:
                    raise ZeroDivisionError("integer division or modulo by zero")
                return operator.floordiv(np.int64(a), np.int64(b))

            return impl_bool
        return impl_int
    fdm = _divmod_impl()

    def impl_float(a, b):  # type: ignore[no-untyped-def]
        if b == 0:
            raise ZeroDivisionError("float floor division by zero")
        return fdm(np.float64(a), np.float64(b))[0]

    return impl_float


@overload(mod, inline="always")
def _ol_mod(a, b):  # type: ignore[no-untyped-def]
    if not (_is_real(a) and _is_real(b)):
        return None
    if _is_int(a) and _is_int(b):
        if isinstance(a, types.Boolean) or isinstance(b, types.Boolean):

            def impl_bool(a, b):  # type: ignore[no-untyped-def]
                if b == 0:
                    raise ZeroDivisionError("integer modulo by zero")
                return operator.mod(np.int64(a), np.int64(b))

            return impl_bool

        def impl_int(a, b):  # type: ignore[no-untyped-def]
            if b == 0:
                raise ZeroDivisionError("integer modulo by zero")
            return operator.mod(a, b)

        return impl_int
    fdm = _divmod_impl()

    def impl_float(a, b):  # type: ignore[no-untyped-def]
        if b == 0:
            raise ZeroDivisionError("float modulo")
        return fdm(np.float64(a), np.float64(b))[1]

    return impl_float


def _float_pow(v: float, w: float) -> float:
    """CPython's float_pow (Objects/floatobject.c) for real results."""
    if w == 0.0:
        return 1.0
    if math.isnan(v):
        return 1.0 if w == 0.0 else v
    if math.isnan(w):
        return 1.0 if v == 1.0 else w
    if math.isinf(w):
        av = abs(v)
        if av == 1.0:
            return 1.0
        if (w > 0.0) == (av > 1.0):
            return abs(w)
        return 0.0
    if math.isinf(v):
        w_is_odd = np.fmod(abs(w), 2.0) == 1.0
        if w > 0.0:
            return v if w_is_odd else abs(v)
        return math.copysign(0.0, v) if w_is_odd else 0.0
    if v == 0.0:
        w_is_odd = np.fmod(abs(w), 2.0) == 1.0
        if w < 0.0:
            raise ZeroDivisionError("0.0 cannot be raised to a negative power")
        return v if w_is_odd else 0.0
    if v < 0.0 and w != np.floor(w):
        # CPython returns a complex number here; a compiled variant cannot.
        raise ValueError(
            "polyray: a negative float raised to a non-integer power is complex in Python; "
            "not supported by the compiled variant"
        )
    r = math.pow(v, w)
    if math.isinf(r):
        raise OverflowError("(34, 'Numerical result out of range')")
    return r


_float_pow_jit: Any = None


def _pow_impl() -> Any:
    global _float_pow_jit
    if _float_pow_jit is None:
        from numba import njit

        _float_pow_jit = njit(inline="always", error_model="numpy")(_float_pow)
    return _float_pow_jit


@overload(pow, inline="always", prefer_literal=True)
def _ol_pow(a, b):  # type: ignore[no-untyped-def]
    if _is_complex(a) or _is_complex(b):
        if not ((_is_real(a) or _is_complex(a)) and (_is_real(b) or _is_complex(b))):
            return None

        def impl_complex(a, b):  # type: ignore[no-untyped-def]
            if a == 0 and (b.real < 0 or b.imag != 0):
                raise ZeroDivisionError("0.0 to a negative or complex power")
            return complex(a) ** complex(b)

        return impl_complex
    if not (_is_real(a) and _is_real(b)):
        return None
    fpow = _pow_impl()
    if _is_int(a) and _is_int(b) and isinstance(b, types.IntegerLiteral) and b.literal_value >= 0:
        # int ** non-negative int constant: an int, as in Python
        exponent = b.literal_value

        def impl_int(a, b):  # type: ignore[no-untyped-def]
            return np.int64(a) ** exponent

        return impl_int
    # Anything else is a float: Python gives a float for float operands and for
    # int ** negative int; for int ** int with an exponent unknown at compile
    # time the result type must be fixed, so it is float as well.

    def impl_float(a, b):  # type: ignore[no-untyped-def]
        return fpow(np.float64(a), np.float64(b))

    return impl_float


def ipow(a: Any, b: Any) -> Any:
    """``a ** b`` of Python ints the dispatcher's guard has shown to fit in int64, b >= 0 (types/int-power-guard.ts)."""
    return a**b


@overload(ipow, inline="always")
def _ol_ipow(a, b):  # type: ignore[no-untyped-def]
    if not (_is_int(a) and _is_int(b)):
        return None

    def impl(a, b):  # type: ignore[no-untyped-def]
        # exact int64 squaring: every square taken is at most the result, which fits
        r = np.int64(1)
        base = np.int64(a)
        e = np.int64(b)
        while e > 0:
            if e & 1:
                r *= base
            e >>= 1
            if e > 0:
                base *= base
        return r

    return impl


def _domain_helper(fn: Any, low: float, low_inclusive: bool, high: float | None) -> Any:
    """Overload for a one-argument math function with a domain check."""

    if high is not None:

        def impl_range(x):  # type: ignore[no-untyped-def]
            v = np.float64(x)
            if v < low or v > high:
                raise ValueError("math domain error")
            return fn(v)

        return impl_range
    if low_inclusive:

        def impl_lower(x):  # type: ignore[no-untyped-def]
            v = np.float64(x)
            if v < low:
                raise ValueError("math domain error")
            return fn(v)

        return impl_lower

    def impl_positive(x):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        if v <= low:
            raise ValueError("math domain error")
        return fn(v)

    return impl_positive


@overload(sqrt, inline="always")
def _ol_sqrt(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.sqrt, 0.0, True, None) if _is_real(x) else None


@overload(log, inline="always")
def _ol_log(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.log, 0.0, False, None) if _is_real(x) else None


@overload(log10, inline="always")
def _ol_log10(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.log10, 0.0, False, None) if _is_real(x) else None


@overload(log2, inline="always")
def _ol_log2(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.log2, 0.0, False, None) if _is_real(x) else None


@overload(acos, inline="always")
def _ol_acos(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.acos, -1.0, True, 1.0) if _is_real(x) else None


@overload(asin, inline="always")
def _ol_asin(x):  # type: ignore[no-untyped-def]
    return _domain_helper(math.asin, -1.0, True, 1.0) if _is_real(x) else None


@overload(exp, inline="always")
def _ol_exp(x):  # type: ignore[no-untyped-def]
    if not _is_real(x):
        return None

    def impl(x):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        r = math.exp(v)
        if math.isinf(r) and math.isfinite(v):
            raise OverflowError("math range error")
        return r

    return impl


@overload(mathpow, inline="always")
def _ol_mathpow(x, y):  # type: ignore[no-untyped-def]
    """math.pow: always a float; CPython raises where C's pow signals an error."""
    if not (_is_real(x) and _is_real(y)):
        return None

    def impl(x, y):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        w = np.float64(y)
        if math.isfinite(v) and math.isfinite(w):
            if v == 0.0 and w < 0.0:
                raise ValueError("math domain error")
            if v < 0.0 and w != np.floor(w):
                raise ValueError("math domain error")
        r = math.pow(v, w)
        if math.isinf(r) and math.isfinite(v) and math.isfinite(w):
            raise OverflowError("math range error")
        return r

    return impl


# --- speculative forms ---------------------------------------------------------
#
# Inside a prange loop a raise keeps Numba from running the loop in parallel
# (a second exit from the loop body). A speculative CPU variant calls these
# instead: where CPython would raise they set ``fail[0] = 1`` and return
# Numba's native result; the runtime then restores the written arrays and runs
# the original, which raises as Python does (CpuVariant's ``rollback``). Every
# iteration that would raise writes the same 1, so the race on ``fail`` is benign.


def _speculative(fn: Any) -> Any:
    """Python-level form: the helper, with its exception turned into the flag."""

    def spec(*args: Any) -> Any:
        *operands, fail = args
        try:
            return fn(*operands)
        except (ValueError, OverflowError, ZeroDivisionError):
            fail[0] = 1
            return math.nan

    spec.__name__ = spec.__qualname__ = f"spec_{fn.__name__}"
    spec.__doc__ = f"``{fn.__name__}`` that flags ``fail[0] = 1`` where CPython raises."
    return spec


spec_sqrt = _speculative(sqrt)
spec_log = _speculative(log)
spec_log10 = _speculative(log10)
spec_log2 = _speculative(log2)
spec_acos = _speculative(acos)
spec_asin = _speculative(asin)
spec_exp = _speculative(exp)
spec_mathpow = _speculative(mathpow)


def _spec_domain_helper(fn: Any, low: float, low_inclusive: bool, high: float | None) -> Any:
    """Overload of a speculative one-argument math function (same domains as _domain_helper)."""
    if high is not None:

        def impl_range(x, fail):  # type: ignore[no-untyped-def]
            v = np.float64(x)
            if v < low or v > high:
                fail[0] = 1
            return fn(v)

        return impl_range
    if low_inclusive:

        def impl_lower(x, fail):  # type: ignore[no-untyped-def]
            v = np.float64(x)
            if v < low:
                fail[0] = 1
            return fn(v)

        return impl_lower

    def impl_positive(x, fail):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        if v <= low:
            fail[0] = 1
        return fn(v)

    return impl_positive


#: Domain of each one-argument math function: (function, low, low inclusive, high), as in _domain_helper.
_SPEC_DOMAINS: dict[Any, tuple[Any, float, bool, float | None]] = {
    spec_sqrt: (math.sqrt, 0.0, True, None),
    spec_log: (math.log, 0.0, False, None),
    spec_log10: (math.log10, 0.0, False, None),
    spec_log2: (math.log2, 0.0, False, None),
    spec_acos: (math.acos, -1.0, True, 1.0),
    spec_asin: (math.asin, -1.0, True, 1.0),
}


def _spec_domain_overload(domain: tuple[Any, float, bool, float | None]) -> Any:
    def ol(x, fail):  # type: ignore[no-untyped-def]
        return _spec_domain_helper(*domain) if _is_real(x) else None

    return ol


for _spec, _domain in _SPEC_DOMAINS.items():
    overload(_spec, inline="always")(_spec_domain_overload(_domain))


# exp and pow flag where their result overflows too: the same text as the GPU
# kernels' (flagging_math.py), compiled for the CPU here.
_flag_exp = njit(inline="always")(flag_exp)
_flag_pow = njit(inline="always")(flag_pow)


@overload(spec_exp, inline="always")
def _ol_spec_exp(x, fail):  # type: ignore[no-untyped-def]
    if not _is_real(x):
        return None

    def impl(x, fail):  # type: ignore[no-untyped-def]
        return _flag_exp(np.float64(x), fail)

    return impl


@overload(spec_mathpow, inline="always")
def _ol_spec_mathpow(x, y, fail):  # type: ignore[no-untyped-def]
    if not (_is_real(x) and _is_real(y)):
        return None

    def impl(x, y, fail):  # type: ignore[no-untyped-def]
        return _flag_pow(np.float64(x), np.float64(y), fail)

    return impl


# --- products with NumPy's shape checks -----------------------------------------
#
# Numba's `@` and np.dot skip the check of the summed dimension when an operand
# is empty ((1, 0) @ (1, 0) gives a result where NumPy raises ValueError), so
# the variant checks first, as NumPy does, then calls Numba's (BLAS) product.


def matmul(a: Any, b: Any) -> Any:
    """``a @ b``."""
    return a @ b


def dot(a: Any, b: Any) -> Any:
    """``np.dot(a, b)``."""
    return np.dot(a, b)


def _summed_dims(a: types.Type, b: types.Type) -> tuple[int, int] | None:
    """Which dimension of a and of b a product sums over (1-D and 2-D operands)."""
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)) or a.ndim not in (1, 2) or b.ndim not in (1, 2):
        return None
    return (a.ndim - 1, 0)


@register_jitable
def _leading_size(shape):  # type: ignore[no-untyped-def]
    rows = 1
    for d in shape[:-1]:
        rows *= d
    return rows


@overload(matmul, inline="always")
def _ol_matmul(a, b):  # type: ignore[no-untyped-def]
    if isinstance(a, types.Array) and isinstance(b, types.Array) and a.ndim >= 3 and b.ndim == 2:
        # a stack of matrices times one matrix (`np.reshape(A, (r, q, 1, p)) @ C`): NumPy multiplies
        # each (n, k) block by b; one product of the stacked rows gives the same elements
        def batched(a, b):  # type: ignore[no-untyped-def]
            k = a.shape[-1]
            if k != b.shape[0]:
                raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?)")
            rows = np.ascontiguousarray(a).reshape((_leading_size(a.shape), k))
            return (rows @ b).reshape(a.shape[:-1] + (b.shape[1],))

        return batched
    dims = _summed_dims(a, b)
    if dims is None:
        return None
    da, db = dims
    if strided_fits(a, b):  # a strided slice or column: BLAS with its leading dimension, no copy (strided_products.py)
        def strided(a, b):  # type: ignore[no-untyped-def]
            if a.shape[da] != b.shape[db]:
                raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?)")
            return strided_matmul(a, b)
        return strided

    def impl(a, b):  # type: ignore[no-untyped-def]
        if a.shape[da] != b.shape[db]:
            raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?)")
        return a @ b

    return impl


@overload(dot, inline="always")
def _ol_dot(a, b):  # type: ignore[no-untyped-def]
    dims = _summed_dims(a, b)
    if dims is None:
        return None
    da, db = dims
    if strided_fits(a, b):
        def strided(a, b):  # type: ignore[no-untyped-def]
            if a.shape[da] != b.shape[db]:
                raise ValueError("shapes not aligned")
            return strided_matmul(a, b)
        return strided

    def impl(a, b):  # type: ignore[no-untyped-def]
        if a.shape[da] != b.shape[db]:
            raise ValueError("shapes not aligned")
        return np.dot(a, b)

    return impl


# --- NumPy's complex division -----------------------------------------------------
#
# NumPy divides complex128 arrays with its own form of Smith's method
# (numpy/_core/src/umath/loops.c.src, the complex `divide` loop: scaled by the
# larger part of the divisor; a zero divisor divides each part by 0, giving
# inf or nan), where Numba uses CPython's algorithm and raises
# ZeroDivisionError. `cdiv` is NumPy's loop, compiled by Numba: the same bits
# (4 million random quotients of parts 1e-30 to 1e30 and every pair of
# 0, -0.0, inf, -inf, nan, 1, -1, 1e308, 5e-324 and 1e-310 parts,
# python-bridge/tests/test_numba_helpers.py), on arrays (a ufunc:
# broadcasting, float and integer operands converted as NumPy converts them)
# and on scalars (element loops).


def _cdiv_scalar(a: complex, b: complex) -> complex:
    # (also the GPU kernels' device form, gpu_complex.py, which may pass a real number: complex() first)
    a, b = complex(a), complex(b)
    in1r, in1i, in2r, in2i = a.real, a.imag, b.real, b.imag
    in2r_abs, in2i_abs = abs(in2r), abs(in2i)
    if in2r_abs >= in2i_abs:
        if in2r_abs == 0 and in2i_abs == 0:
            return complex(in1r / in2r_abs, in1i / in2r_abs)
        rat = in2i / in2r
        scl = 1.0 / (in2r + in2i * rat)
        return complex((in1r + in1i * rat) * scl, (in1i - in1r * rat) * scl)
    rat = in2r / in2i
    scl = 1.0 / (in2i + in2r * rat)
    return complex((in1r * rat + in1i) * scl, (in1i * rat - in1r) * scl)


_cdiv_lock = threading.Lock()


def _make_cdiv() -> Any:
    """``cdiv``, built on first use (this module's ``__getattr__``: ``getattr(numba_helpers, "cdiv")``, ``from
    ... import cdiv``): a ufunc with a signature compiles when it is made, and this module is imported before
    every CPU variant compiles, so an eager ``cdiv`` cost every process's first variant 0.3 CPU s (issue 18's
    first-call line, bench/jit_cost.py) that only complex divisions use. Cached on disk (``cache=True``: this
    module's import name is fixed, unlike the generated modules' that jitting.py keys by name)."""
    with _cdiv_lock:
        made = globals().get("cdiv")
        if made is None:
            made = vectorize(["complex128(complex128, complex128)"], nopython=True, cache=True)(_cdiv_scalar)
            globals()["cdiv"] = made
    return made


# --- NumPy's pairwise summation ---------------------------------------------------
#
# np.sum / .sum() / np.mean of a float64 vector (or a contiguous array, in
# memory order, as NumPy coalesces it): NumPy adds the elements
# pairwise (blocks of up to 128 in eight running sums, longer runs split in
# two at a multiple of 8; numpy/_core/src/umath/loops_utils.h.src,
# pairwise_sum), starting from the identity 0.0; Numba's own np.sum adds them
# one after another, so the last bits would differ. These reproduce NumPy's
# order exactly (checked bit for bit against np.sum, any length and stride:
# python-bridge/tests/test_numba_helpers.py).


def pairwise_sum(a: Any) -> Any:
    """``np.sum(a)`` of a float64 vector or contiguous array."""
    return np.sum(a)


def pairwise_mean(a: Any) -> Any:
    """``np.mean(a)`` of a float64 vector or contiguous array: the pairwise sum over the count."""
    return np.mean(a)


def _elements_in_numpys_order(a: types.Type) -> Any:
    """How NumPy's reduction walks a float64 array's elements, as a 1-D view, or None.

    A vector: as it is, any stride. A C- or F-contiguous array: NumPy coalesces
    it into one run in memory order. Any other layout (Numba's 'A': a strided
    view) is typed out here, so compiling the variant fails before anything
    runs and the original runs instead: NumPy then reduces it row by row.
    """
    if not (isinstance(a, types.Array) and a.dtype == types.float64):
        return None
    if a.ndim == 1:
        return lambda a: a
    if a.layout == "C":
        return lambda a: a.ravel()
    if a.layout == "F":
        return lambda a: a.T.ravel()
    return None


@overload(pairwise_sum, inline="always")
def _ol_pairwise_sum(a):  # type: ignore[no-untyped-def]
    walk = _elements_in_numpys_order(a)
    if walk is None:
        return None
    flat = njit(inline="always")(walk)

    def impl(a):  # type: ignore[no-untyped-def]
        v = flat(a)
        return 0.0 + pairwise_vector(v, 0, v.shape[0])

    return impl


def _empty_mean() -> float:
    """NumPy's mean of an empty array: its 0.0 / 0, the CPU's default NaN (negative on x86-64, where np.nan is
    positive), asked of NumPy once; a Python float keeps the bits into compiled code."""
    with np.errstate(invalid="ignore"):
        return float(np.float64(0.0) / 0)


_EMPTY_MEAN = _empty_mean()


@overload(pairwise_mean, inline="always")
def _ol_pairwise_mean(a):  # type: ignore[no-untyped-def]
    if _elements_in_numpys_order(a) is None:
        return None

    def impl(a):  # type: ignore[no-untyped-def]
        if a.size == 0:
            return _EMPTY_MEAN  # NumPy: its NaN of 0.0 / 0 (and a RuntimeWarning), whatever the error model
        return pairwise_sum(a) / a.size

    return impl


def __getattr__(name: str) -> Any:
    """complex_helpers' ufuncs and ``cdiv``, compiled when a variant first asks for one (not at this module's
    import); the BLAS-threads helpers, np.cov's and the column products', imported when first asked for."""
    if name in _COMPLEX_HELPERS:
        return getattr(_complex_helpers, name)
    if name == "cdiv":
        return _make_cdiv()
    if name == "cov":
        # np.cov through SciPy's dsyrk (covariance.py): imported when a variant first asks for it (it imports SciPy's BLAS)
        from .covariance import cov
        return cov
    if name in ("column_products", "column_product"):
        # a loop's per-column products as one product (column_products.py, which imports covariance's dsyrk)
        from . import column_products
        return getattr(column_products, name)
    if name in ("column_dots", "column_dots_none", "column_dot"):
        # a loop's dots with a row block's columns as one product (column_dots.py)
        from . import column_dots
        return getattr(column_dots, name)
    if name in _BLAS_THREADS:
        # BLAS threads matched to Numba's around products: imported when first asked for (it starts Numba's threads)
        from . import blas_threads
        return getattr(blas_threads, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
