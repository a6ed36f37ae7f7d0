"""``math`` functions whose Numba form returns nan or inf where CPython raises.

CPython's ``math`` checks the C library's result: ``math.sin(inf)`` raises
``ValueError: math domain error``, ``math.cosh(1000.0)`` raises ``OverflowError:
math range error``, ``math.log1p(-1.0)`` raises ValueError. Numba's ``math`` returns the C value (nan, inf) without raising, so
a compiled variant calling it would return where the original raises. Rows of
the compiler's NumPy table (src/compiler/types/numpy-table.ts, MATH) name these
helpers; a CPU variant calls them as ``_polyray_h_<name>(...)`` (numba_helpers
re-exports them, CpuVariant injects them). Each is a plain Python function with
CPython's semantics and a Numba ``@overload`` that raises the same exception
type and message in compiled code. Only real arguments are covered (others
fail typing, so the original runs).

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import types
from numba.extending import overload

__all__ = ["sin", "cos", "tan", "sinh", "cosh", "expm1", "log1p"]


def _real(t: types.Type) -> bool:
    return isinstance(t, (types.Integer, types.Boolean, types.Float))


def sin(x: Any) -> float:
    """``math.sin(x)``."""
    return math.sin(x)


def cos(x: Any) -> float:
    """``math.cos(x)``."""
    return math.cos(x)


def tan(x: Any) -> float:
    """``math.tan(x)``."""
    return math.tan(x)


def sinh(x: Any) -> float:
    """``math.sinh(x)``."""
    return math.sinh(x)


def cosh(x: Any) -> float:
    """``math.cosh(x)``."""
    return math.cosh(x)


def expm1(x: Any) -> float:
    """``math.expm1(x)``."""
    return math.expm1(x)


def log1p(x: Any) -> float:
    """``math.log1p(x)``."""
    return math.log1p(x)


# --- compiled implementations ----------------------------------------------------
#
# The rules are CPython's (Modules/mathmodule.c: math_1 and its callers): an
# infinite argument of sin/cos/tan is a domain error; a finite argument with an
# infinite result is a range error (sinh, cosh, expm1); log1p is defined above
# -1 only. (math.gamma, math.lgamma and math.hypot are CPython's own algorithms,
# not the C library's: the table leaves them out, so they keep the original.)

def _periodic(fn: Any) -> Any:
    def impl(x):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        if math.isinf(v):
            raise ValueError("math domain error")
        return fn(v)

    return impl


def _overflowing(fn: Any) -> Any:
    def impl(x):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        r = fn(v)
        if math.isinf(r) and math.isfinite(v):
            raise OverflowError("math range error")
        return r

    return impl


@overload(sin, inline="always")
def _ol_sin(x):  # type: ignore[no-untyped-def]
    return _periodic(math.sin) if _real(x) else None


@overload(cos, inline="always")
def _ol_cos(x):  # type: ignore[no-untyped-def]
    return _periodic(math.cos) if _real(x) else None


@overload(tan, inline="always")
def _ol_tan(x):  # type: ignore[no-untyped-def]
    return _periodic(math.tan) if _real(x) else None


@overload(sinh, inline="always")
def _ol_sinh(x):  # type: ignore[no-untyped-def]
    return _overflowing(math.sinh) if _real(x) else None


@overload(cosh, inline="always")
def _ol_cosh(x):  # type: ignore[no-untyped-def]
    return _overflowing(math.cosh) if _real(x) else None


@overload(expm1, inline="always")
def _ol_expm1(x):  # type: ignore[no-untyped-def]
    return _overflowing(math.expm1) if _real(x) else None


@overload(log1p, inline="always")
def _ol_log1p(x):  # type: ignore[no-untyped-def]
    if not _real(x):
        return None

    def impl(x):  # type: ignore[no-untyped-def]
        v = np.float64(x)
        if v <= -1.0:
            raise ValueError("math domain error")
        return math.log1p(v)

    return impl
