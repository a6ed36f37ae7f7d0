"""An integer index read from data (``c[X[i, j]] += 1``, ``row[m // 2]``), checked as Python checks it.

The compiler checks affine subscripts with its bounds guard before a call; an index computed from
array data it cannot (scop/extract.ts: a *checked* dimension of a private array). A variant compiled
without Numba's bounds checks prints such an index through one of these:

- ``check_index(i, n)``: sequential code: ``i`` normalized as NumPy reads it (``-n <= i < 0`` counts
  from the end); outside ``[-n, n)`` it leaves the call to the original (LeftToOriginal: the CPU
  variant, ``undo=``, restores its written arrays), which raises NumPy's IndexError, message and
  writes before it included.
- ``spec_index(i, n, fail)``: inside a prange loop, where a raise would keep Numba from running the
  loop in parallel: outside ``[-n, n)`` it sets ``fail[0] = 1`` and returns 0 (the guard has checked
  ``n >= 1`` wherever the subscript runs, so 0 is inside the array); the runtime then restores the
  written arrays and runs the original, which raises (CpuVariant's ``rollback``).

Each is a plain Python function (``register_jitable``: the same code in Python and compiled).
"""

from __future__ import annotations

from typing import Any

from numba.extending import register_jitable

from .variants import LeftToOriginal

_WHY = "an index read from data is out of bounds (NumPy's IndexError is the original's)"

__all__ = ["check_index", "spec_index"]


@register_jitable
def check_index(i: Any, n: Any) -> Any:
    """``i`` as an index into a dimension of length ``n``; LeftToOriginal outside it."""
    if i < -n or i >= n:
        raise LeftToOriginal(_WHY)
    return i + n if i < 0 else i


@register_jitable
def spec_index(i: Any, n: Any, fail: Any) -> Any:
    """``check_index`` that flags ``fail[0] = 1`` (and returns 0) where it would raise."""
    if i < -n or i >= n:
        fail[0] = 1
        return 0
    return i + n if i < 0 else i
