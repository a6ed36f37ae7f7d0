"""The bounds of close mode's reductions and products, as numbers (issue 16).

docs/reliability.md "Reduction-bound table" states them; the tests
(test/python/test_close_reductions.py) and the fuzzer (test/fuzz/run.py)
compare the original's and the compiled results with these, per element,
derived from the operands: never a blanket tolerance. Pure NumPy; no Numba.

Notation (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.):
u = eps / 2 of the dtype the reduction accumulates in (float64: 2**-53;
float32 arrays, reduced in float32 as NumPy does: 2**-24), gamma(k) = k*u / (1 - k*u). A sum whose every
term passes through at most D roundings is within gamma(D) * sum|x| of the
exact sum (Higham (4.4)), whatever the tree; a product of k-long inner
dimension within gamma(k) * (|A| @ |B|) (Thm 3.5, FMA included). The original
and the compiled result each satisfy their own bound, so they differ by at
most the sum of the two.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

U = float(np.finfo(np.float64).eps) / 2
#: float32's unit roundoff: float32 arrays are reduced in float32 on both sides (issue 17)
U32 = float(np.finfo(np.float32).eps) / 2


def unit(a: np.ndarray) -> float:
    """The unit roundoff of the dtype a reduction of a accumulates in: float32's for float32, else float64's."""
    return U32 if np.asarray(a).dtype == np.float32 else U


def gamma(k: int | np.ndarray, u: float = U) -> Any:
    """Higham's gamma_k = k*u / (1 - k*u) (u: float64's unless given)."""
    k = np.asarray(k, dtype=np.float64)
    return k * u / (1 - k * u)


def _count(a: np.ndarray, axis: Any) -> int:
    """The number of terms per result element: all of them, one axis's length, or the product over a tuple of axes."""
    if axis is None:
        return a.size
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([a.shape[ax] for ax in axes], dtype=np.int64))


@lru_cache(maxsize=None)
def pairwise_depth(n: int) -> int:
    """The most roundings one term goes through in NumPy's pairwise sum of n terms.

    Fewer than 8 terms: one after another; up to 128: eight running sums of up
    to 16 terms, combined in a tree of 3 levels, then the remaining n % 8 added
    one after another; above: two halves and one addition. At most
    ceil(log2 n) + 18 (the same order runs compiled in close mode:
    polyray/runtime/close_reductions.py).
    """
    if n < 8:
        return max(n - 1, 0)
    if n <= 128:
        return (n // 8 - 1) + 3 + n % 8
    half = n // 2
    half -= half % 8
    return 1 + max(pairwise_depth(half), pairwise_depth(n - half))


def numpy_sum_depth(n: int, contiguous_line: bool) -> int:
    """NumPy's own: pairwise along a line contiguous in memory, one row after another otherwise."""
    return pairwise_depth(n) if contiguous_line else max(pairwise_depth(n), n - 1)


def sum_tolerance(a: np.ndarray, axis: Any = None, contiguous_line: bool = False, keepdims: bool = False) -> Any:
    """|compiled - NumPy| for np.sum(a, axis) in close mode, per result element (axis: None, an int or a tuple).

    Both sides add in the result's dtype (float32 for float32 arrays), so u is that dtype's.
    """
    n = _count(a, axis)
    depth = pairwise_depth(n) + numpy_sum_depth(n, contiguous_line)
    return gamma(depth, unit(a)) * np.sum(np.abs(a.astype(np.float64)), axis=axis, keepdims=keepdims)


def mean_tolerance(a: np.ndarray, axis: Any = None, contiguous_line: bool = False, keepdims: bool = False) -> Any:
    """|compiled - NumPy| for np.mean(a, axis): the sums' bound over n, plus each side's rounded division.

    A float32 mean is the float32 sum over the count in float64, rounded to float32: u32 + u64 per side.
    """
    n = _count(a, axis)
    if n == 0:
        return np.zeros(np.shape(np.mean(a, axis=axis, keepdims=keepdims)))
    u = unit(a)
    r = u + U if u != U else U
    m = np.abs(np.mean(a.astype(np.float64), axis=axis, keepdims=keepdims))
    return sum_tolerance(a, axis, contiguous_line, keepdims) / n * (1 + r) + 2 * r * m * (1 + 2 * r)


def var_tolerance(a: np.ndarray, axis: Any = None, ddof: int = 0, contiguous_line: bool = False) -> Any:
    """|compiled - NumPy| for np.var(a, axis, ddof): NumPy's two passes on each side.

    Each side computes sum((x - m')**2) / c with its own mean m' (|m' - m| <= e,
    e its mean's bound): sum((x - m')**2) = S2 + n*(m - m')**2 exactly (the
    deviations from m add to 0), each deviation and square adds 2 roundings,
    the sum its depth, the division one.
    """
    u = unit(a)
    r = u + U if u != U else U  # a float32 division: in float64, rounded to float32
    x = a.astype(np.float64)
    n = _count(x, axis)
    c = max(n - ddof, 0)
    if n == 0 or c == 0:
        return np.zeros(np.shape(np.mean(x, axis=axis)))
    m = np.mean(x, axis=axis, keepdims=True)
    s2 = np.sum((x - m) ** 2, axis=axis)
    sx = np.sum(np.abs(x), axis=axis)
    tol = 0.0
    for depth in (pairwise_depth(n), numpy_sum_depth(n, contiguous_line)):
        e = gamma(depth + 1, u) * sx / n + 2 * r * np.abs(np.squeeze(m, axis=axis) if axis is not None else m.reshape(()))
        shifted = s2 + n * e * e
        tol = tol + (gamma(depth + 3, u) * shifted + n * e * e) / c
    return tol * (1 + 4 * r)


def std_tolerance(a: np.ndarray, got: Any, want: Any, axis: int | None = None, ddof: int = 0,
                  contiguous_line: bool = False) -> Any:
    """|compiled - NumPy| for np.std: the variances' bound through sqrt, plus each side's rounded sqrt."""
    tv = var_tolerance(a, axis, ddof, contiguous_line)
    s = np.abs(np.asarray(got, dtype=np.float64)) + np.abs(np.asarray(want, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        through = np.where(s > 0, tv / np.where(s > 0, s, 1), np.sqrt(tv))
    return np.minimum(through, np.sqrt(tv)) + 2 * unit(a) * np.maximum(np.abs(got), np.abs(want))


def product_tolerance(a: np.ndarray, b: np.ndarray) -> Any:
    """|compiled - NumPy| for a @ b (np.dot, np.matmul) through two BLAS builds: 2*gamma(k) * (|A| @ |B|)."""
    k = a.shape[-1] if a.ndim else 1
    return 2 * gamma(k) * (np.abs(a) @ np.abs(b))


def within(got: Any, want: Any, tol: Any) -> bool:
    """got equals want within tol per element, with NaN, inf, shapes and dtypes exactly the same."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    if not np.array_equal(np.isnan(got), np.isnan(want)) or not np.array_equal(np.isinf(got), np.isinf(want)):
        return False
    inf = np.isinf(want)
    # each part of a complex inf compared alone: `nan-infj` is inf and NaN at once (NaN equal to NaN there)
    parts = ((got.real, want.real), (got.imag, want.imag)) if want.dtype.kind == "c" else ((got, want),)
    if not all(np.array_equal(g[inf], w[inf], equal_nan=True) for g, w in parts):
        return False
    finite = np.isfinite(want)
    return bool(np.all(np.abs(got[finite] - want[finite]) <= np.broadcast_to(tol, want.shape)[finite]))


# The blocks of close mode's loop sums (src/compiler/poly/blocked-reductions.ts
# MIN_BLOCK, MAX_BLOCKS; codegen/blocked-loops.ts prints the same arithmetic).
MIN_BLOCK = 4096
MAX_BLOCKS = 4096


def loop_blocks(n: int) -> tuple[int, int]:
    """(L, B): iterations per block and blocks, for a loop of n iterations."""
    block = max(MIN_BLOCK, (n + MAX_BLOCKS - 1) // MAX_BLOCKS)
    return block, (n + block - 1) // block


def loop_sum_bound(s0: float, terms: Any, updates_per_iteration: int = 1) -> float:
    """|compiled - original| for `s += t` over a loop whose iterations add `terms`.

    `terms` is every value added, in order (updates_per_iteration of them per
    iteration of the blocked loop, e.g. the inner length of a nest). The
    original adds N terms one after another; the compiled loop adds each
    block's in order, the first block from s0, then B partial sums:
    (gamma(N) + gamma(M + B - 1)) * (|s0| + sum|t|), M the most in one block
    (numerics.ts loopReductionNote).
    """
    t = np.abs(np.asarray(terms, dtype=np.float64)).ravel()
    n_updates = t.size
    iterations = n_updates // max(updates_per_iteration, 1)
    block, blocks = loop_blocks(iterations)
    most = min(block, iterations) * updates_per_iteration
    return float((gamma(n_updates) + gamma(most + max(blocks - 1, 0))) * (abs(s0) + np.sum(t)))


#: The row blocks of a loop summing into array elements (poly/blocked-array-reductions.ts): at least
#: MIN_ROWS iterations a block, at most MAX_ROW_BLOCKS blocks, the partial arrays under PARTIAL_ELEMENTS.
MIN_ROWS = 16
MAX_ROW_BLOCKS = 8
PARTIAL_ELEMENTS = 1 << 22


def row_blocks(n: int, size: int) -> tuple[int, int]:
    """(L, B): iterations per block and blocks, for a loop of n iterations summing into arrays of at most size elements."""
    size = max(1, size)
    block = max(MIN_ROWS, (n + MAX_ROW_BLOCKS - 1) // MAX_ROW_BLOCKS, (n * size + PARTIAL_ELEMENTS - 1) // PARTIAL_ELEMENTS)
    return block, (n + block - 1) // block


def array_sum_bound(x0: Any, terms: Any, updates_per_iteration: int = 1) -> Any:
    """|compiled - original| per element for `X[e] += t` over a loop run in row blocks.

    `terms` has the loop's iterations first (updates_per_iteration slices of it per iteration, e.g. the
    length of an inner loop adding into the same elements), then X's shape: the values added to each
    element, in order, 0.0 where an iteration adds nothing to it. Each element is a sum like
    loop_sum_bound's scalar: (gamma(N) + gamma(M + B - 1)) * (|x0| + sum|t|) (numerics.ts arraySumNote).
    """
    t = np.abs(np.asarray(terms, dtype=np.float64))
    x0 = np.asarray(x0, dtype=np.float64)
    n_updates = t.shape[0]
    iterations = n_updates // max(updates_per_iteration, 1)
    block, blocks = row_blocks(iterations, x0.size)
    most = min(block, iterations) * updates_per_iteration
    return (gamma(n_updates) + gamma(most + max(blocks - 1, 0))) * (np.abs(x0) + t.sum(axis=0))


def product_loop_bound(x0: Any, scale: float, left: np.ndarray, right: np.ndarray, factors: int) -> Any:
    """|compiled - original| for a loop `X[a, b] += c * Y[a, k] * Z[k, b]` run through BLAS.

    `left` is Y as [a, k], `right` Z as [k, b] (or a vector), over the loop's
    k range; `factors` the factors of each term (c's included). Both results
    are within gamma(k + f + 1) * (|X0| + |c| * (|Y| @ |Z|)) of the exact one
    (numerics.ts productLoopNote): they differ by at most twice that.
    """
    k = left.shape[-1]
    return 2 * gamma(k + factors + 1) * (np.abs(x0) + abs(scale) * (np.abs(left) @ np.abs(right)))


def product_terms_bound(x0: Any, terms: list[tuple[float, np.ndarray, np.ndarray]], factors: int) -> Any:
    """|compiled - original| for `X[a, b] += c1 * Y1[a, k] * Z1[k, b] + c2 * Y2[a, k] * Z2[k, b] + ...`
    (syr2k), each term through its own BLAS product: `terms` holds (c, Y as [a, k], Z as [k, b]) per term,
    `factors` the factors of each term. The t terms add t - 1 roundings on each side
    (numerics.ts productLoopNote): 2 * gamma(k + f + t) * (|X0| + sum of |c| * (|Y| @ |Z|)).
    """
    k = terms[0][1].shape[-1]
    total = np.abs(x0) + sum(abs(c) * (np.abs(y) @ np.abs(z)) for c, y, z in terms)
    return 2 * gamma(k + factors + len(terms)) * total


#: np.fft in close mode (rocket-fft instead of NumPy's pocketfft): |compiled - NumPy| <= FFT_C * max(1, log2 N)
#: * eps * S per element, eps of the input's precision (float32's for float32 and complex64), N the
#: transform's length (the product over its axes), S = sum|a| times norm='s factor (backward: 1, 1/N for the
#: inverse transforms; ortho: 1/sqrt(N); forward: 1/N, 1 for the inverses), irfft*'s half spectrum counted twice. Measured by bench/fft_error.py on every 1-d size
#: to 4096 and beyond, 196 2-d shapes, each dtype: at most 0.54 (docs/reliability.md, FFT-bound table);
#: the same number as FFT_BOUND_C in src/compiler/types/numpy-table.ts.
FFT_C = 2.0


def fft_tolerance(func: str, a: np.ndarray, length: int, norm: str | None = None) -> float:
    """|compiled - NumPy| for np.fft.<func>(a, norm=norm) in close mode, per result element; length: N (the
    product of the transform's lengths over its axes). S is sum|a| times norm='s factor on the transform:
    backward (None) 1, 1/N for the inverses; ortho 1/sqrt(N); forward 1/N, 1 for the inverses."""
    eps = float(np.finfo(np.float32 if a.dtype in (np.float32, np.complex64) else np.float64).eps)
    s = float(np.sum(np.abs(a.astype(np.complex128))))
    n = max(length, 1)
    if func.startswith("irfft"):
        s *= 2.0
    inverse = func.startswith("i")
    if norm == "ortho":
        s /= math.sqrt(n)
    elif (norm == "forward") != inverse:
        s /= n
    return FFT_C * max(1.0, float(np.log2(n))) * eps * s


def simd_sum_bound(x0: Any, terms: Any, factors: int) -> Any:
    """|compiled - original| for an element updated by an innermost loop summed in SIMD lanes (close mode).

    `terms` holds each element's added values along its last axis (N of them), `factors` the factors of
    each term. Any order of the additions, the products in any order or fused into them, and the
    original's order are each within gamma(N + f) * (|x0| + sum|t|) of the exact sum: they differ by at most
    twice that (numerics.ts simdSumNote).
    """
    t = np.abs(np.asarray(terms, dtype=np.float64))
    n = t.shape[-1] if t.ndim else 1
    return 2 * gamma(n + factors) * (np.abs(x0) + np.sum(t, axis=-1))
