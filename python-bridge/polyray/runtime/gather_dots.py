"""``v @ x[idx]`` and ``np.dot(v, x[idx])`` of 1-d float64 arrays as one loop, without the gathered temporary
(close mode: codegen/gather-dots.ts; issue 18, NPBench spmv's CSR rows). The products are added in index order
(NumPy's ddot adds in its own order: close mode's bound for a product). Raises what the helpers it replaces
(index_helpers.take, then numba_helpers.matmul or dot) raise: IndexError for an index outside x, checked for every
index before the shapes (NumPy gathers first), then ValueError where v and idx differ in length.

Each is one flat function, its index check written out: called per CSR row (two elements at NPBench's preset M),
the same loop calling index_helpers._checked_index took 1.4 ms of CPU per spmv call against 0.45 ms written out
(nested jitted calls that may raise cost more than the products here)."""
from __future__ import annotations

from typing import Any

from numba import njit

__all__ = ["gather_dot", "gather_dot_np"]


#: what _products found wrong, in NumPy's order: an index outside x first (NumPy gathers first), then the lengths
_FINE, _OUT_OF_BOUNDS, _LENGTHS = 0, 1, 2


@njit(cache=True, nogil=True)
def _products(v: Any, x: Any, idx: Any) -> Any:
    """(the sum of v[k] * x[idx[k]] in index order, what is wrong or _FINE); never raises, so that LLVM inlines
    it into each caller (a callee that may raise is a call with an exception check after it)."""
    n = x.shape[0]
    m = idx.shape[0]
    if v.shape[0] != m:
        for k in range(m):
            j = idx[k]
            j = j + n if j < 0 else j
            if j < 0 or j >= n:
                return 0.0, _OUT_OF_BOUNDS
        return 0.0, _LENGTHS
    s = 0.0
    for k in range(m):
        j = idx[k]
        j = j + n if j < 0 else j
        if j < 0 or j >= n:
            return 0.0, _OUT_OF_BOUNDS
        s += v[k] * x[j]
    return s, _FINE


@njit(cache=True, nogil=True)
def gather_dot(v: Any, x: Any, idx: Any) -> Any:
    """``v @ x[idx]`` (or ``x[idx] @ v``: the same products)."""
    s, wrong = _products(v, x, idx)
    if wrong == _OUT_OF_BOUNDS:
        raise IndexError("index is out of bounds")
    if wrong == _LENGTHS:
        raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?)")
    return s


@njit(cache=True, nogil=True)
def gather_dot_np(v: Any, x: Any, idx: Any) -> Any:
    """``np.dot(v, x[idx])`` (or of ``x[idx]`` and ``v``): np.dot's message for the shapes."""
    s, wrong = _products(v, x, idx)
    if wrong == _OUT_OF_BOUNDS:
        raise IndexError("index is out of bounds")
    if wrong == _LENGTHS:
        raise ValueError("shapes not aligned")
    return s
