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
"""
from __future__ import annotations

from typing import Any

from numba import njit

from .variants import LeftToOriginal

__all__ = ["py_int"]

_LIMIT = 9223372036854775808.0  # 2**63, exactly representable: int64 holds [-2**63, 2**63)
_WHY = "int() of a NaN, an infinity or a float past int64 (CPython raises or returns a big int)"


@njit(inline="always")
def py_int(x: Any) -> int:  # type: ignore[no-untyped-def]
    """CPython's ``int(x)`` for a float x with |x| < 2**63; LeftToOriginal otherwise (a NaN compares false)."""
    if x >= -_LIMIT and x < _LIMIT:
        return int(x)
    raise LeftToOriginal(_WHY)
