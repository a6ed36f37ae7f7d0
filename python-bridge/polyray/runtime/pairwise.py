"""NumPy's pairwise summation, compiled by Numba without recursion.

NumPy adds a run of floats pairwise (numpy/_core/src/umath/loops_utils.h.src,
pairwise_sum): fewer than 8 terms one after another; up to 128 in eight
running sums combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)),
then the remaining n % 8 one after another; above 128, the two halves split
at a multiple of 8 (left + right). These functions add in exactly that order.

Why no recursion: Numba's on-disk cache cannot reload a function that calls a
recursive jitted function: the process that loads the entry crashes with a
segmentation fault (reproduced with numba 0.68.1: `@njit(cache=True)` calling
a self-recursive `@njit` function works when compiled and crashes from the
cache in the next process). The halves are walked with an explicit stack of
at most 64 frames instead (n < 2**64 halves at most 64 times).

Two forms of the same order: `pairwise_vector(a, lo, n)` over a[lo:lo + n]
of a 1-d array of any stride, and `pairwise_line(a, o, lo, n, i)` over
a[o, lo:lo + n, i] of a 3-d array (close mode's reductions), its terms
converted to float64 (integer means), and `pairwise_line32` the same with
float32 terms and running sums, as NumPy adds float32 arrays (issue 17:
float32 stays float32).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

#: the most frames the explicit stack needs (each halving at least halves n)
_DEPTH = 64


def _leaf_of(get: Any, acc: Any) -> Any:
    """The sum of up to 128 terms, get(a, o, k, i) the k-th term of dtype acc, in NumPy's order."""

    @njit(inline="always")
    def leaf(a, o, lo, n, i):  # type: ignore[no-untyped-def]
        if n < 8:
            res = acc(0.0)
            for k in range(lo, lo + n):
                res += get(a, o, k, i)
            return res
        r0, r1, r2, r3 = get(a, o, lo, i), get(a, o, lo + 1, i), get(a, o, lo + 2, i), get(a, o, lo + 3, i)
        r4, r5, r6, r7 = get(a, o, lo + 4, i), get(a, o, lo + 5, i), get(a, o, lo + 6, i), get(a, o, lo + 7, i)
        k = 8
        whole = n - n % 8
        while k < whole:
            r0 += get(a, o, lo + k, i)
            r1 += get(a, o, lo + k + 1, i)
            r2 += get(a, o, lo + k + 2, i)
            r3 += get(a, o, lo + k + 3, i)
            r4 += get(a, o, lo + k + 4, i)
            r5 += get(a, o, lo + k + 5, i)
            r6 += get(a, o, lo + k + 6, i)
            r7 += get(a, o, lo + k + 7, i)
            k += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while k < n:
            res += get(a, o, lo + k, i)
            k += 1
        return res

    return leaf


def _pairwise_of(get: Any, acc: Any = np.float64) -> Any:
    """The whole order: halves above 128 terms, left + right, walked with an explicit stack (sums of dtype acc)."""
    leaf = _leaf_of(get, acc)

    @njit
    def pairwise(a, o, lo, n, i):  # type: ignore[no-untyped-def]
        if n <= 128:
            return leaf(a, o, lo, n, i)
        starts = np.empty(_DEPTH, dtype=np.int64)
        counts = np.empty(_DEPTH, dtype=np.int64)
        # 0: not started; 1: its left half is being summed; 2: its right half (lefts[sp] holds the left sum)
        state = np.zeros(_DEPTH, dtype=np.int8)
        lefts = np.empty(_DEPTH, dtype=acc)
        sp = 0
        starts[0] = lo
        counts[0] = n
        while True:
            m = counts[sp]
            if m > 128:
                half = m // 2
                half -= half % 8
                state[sp] = 1
                sp += 1
                starts[sp] = starts[sp - 1]
                counts[sp] = half
                state[sp] = 0
                continue
            ret = leaf(a, o, starts[sp], m, i)
            sp -= 1
            while sp >= 0 and state[sp] == 2:  # a right half done: left + right, one level up
                ret = lefts[sp] + ret
                sp -= 1
            if sp < 0:
                return ret
            # a left half done: keep it, then the right half
            lefts[sp] = ret
            state[sp] = 2
            half = counts[sp] // 2
            half -= half % 8
            starts[sp + 1] = starts[sp] + half
            counts[sp + 1] = counts[sp] - half
            state[sp + 1] = 0
            sp += 1

    return pairwise


@njit(inline="always")
def _vector_term(a, o, k, i):  # type: ignore[no-untyped-def]
    return a[k]


@njit(inline="always")
def _line_term(a, o, k, i):  # type: ignore[no-untyped-def]
    return np.float64(a[o, k, i])


@njit(inline="always")
def _line_term32(a, o, k, i):  # type: ignore[no-untyped-def]
    return np.float32(a[o, k, i])


_vector = _pairwise_of(_vector_term)
pairwise_line = _pairwise_of(_line_term)
pairwise_line32 = _pairwise_of(_line_term32, np.float32)


@njit
def pairwise_vector(a, lo, n):  # type: ignore[no-untyped-def]
    """NumPy's pairwise sum of a[lo:lo + n] (a 1-d float64 array, any stride)."""
    return _vector(a, 0, lo, n, 0)
