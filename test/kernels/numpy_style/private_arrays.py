"""Per-iteration local arrays, as scientists write them (issue 17/18, array privatization:
scop/private-arrays.ts). The first group allocates or computes a fresh array at the top of each
iteration and nothing reads it after the loop: the loop runs as prange. The negative twins keep a
real dependence through the array (live after the loop, a view, a hoisted accumulator, a
conditional allocation, a rebinding that reads the previous value, a scalar whose value flows in
from before the loop, counts into one array for every row, an array read before its binding) and
stay sequential. Private arrays indexed by data (`c[X[i, j]] += 1`, `row[m // 2]`) have that index
checked as the variant runs (runtime/index_checks.py). test/python/test_private_arrays.py runs them."""
import numpy as np
import numpy.typing as npt


def row_ranges(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(n):
        row = np.sort(A[i])
        out[i] = row[m - 1] - row[0]


def row_energy(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(n):
        tmp = np.zeros(m)
        for j in range(m):
            tmp[j] = A[i, j] * A[i, j]
        out[i] = tmp.sum()


def scaled_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        t = np.empty(m)
        t[:] = A[i] * 3.0
        out[i, :] = t + 1.0


def shifted_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        w = A[i] * 2.0
        out[i, :] = w - 1.0


def clipped_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        t = A[i].copy()
        t[0] = 0.0
        out[i, :] = t


def running_max(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        best = np.full(m, -np.inf)
        for j in range(m):
            for k in range(j + 1):
                if A[i, k] > best[j]:
                    best[j] = A[i, k]
        for j in range(m):
            out[i, j] = best[j]


def inner_scratch(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            pair = np.zeros(2)
            pair[0] = A[i, j]
            pair[1] = A[i, j] * 0.5
            out[i, j] = pair[0] - pair[1]


def counts_per_row(X: np.ndarray[tuple[int, int], np.dtype[np.int64]], out: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    n, m = X.shape
    k = out.shape[1]
    for i in range(n):
        c = np.zeros(k, dtype=np.int64)
        for j in range(m):
            c[X[i, j]] += 1
        for b in range(k):
            out[i, b] = c[b]


def histogram_of(x: npt.NDArray[np.int64], out: npt.NDArray[np.int64]):
    # sequential (every iteration adds into the one c), its index read from data checked in order
    n = x.shape[0]
    k = out.shape[0]
    c = np.zeros(k, dtype=np.int64)
    for i in range(n):
        c[x[i]] += 1
    for b in range(k):
        out[b] = c[b]


def row_median(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(n):
        row = np.sort(A[i])
        out[i] = row[m // 2]


def accumulated_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        t = np.zeros(m)
        t += A[i]
        t *= 2.0
        out[i] = t


def repeated_update(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        t = A[i].copy()
        for s in range(3):
            t *= 0.5
            t += A[i]
        out[i] = t - A[i]


def lo_hi_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        lo, hi = A[i] - 0.5, A[i] + 0.5
        out[i] = hi * lo


def row_spread(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(n):
        s = np.sort(A[i])
        lo, hi = s[0], s[m - 1]
        out[i] = hi - lo


def row_norms_scalar(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += A[i, j] * A[i, j]
        out[i] = s


# ---- negative twins: each must stay sequential ----

def scratch_live_after(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]) -> float:
    n, m = A.shape
    tmp = np.zeros(m)
    for i in range(n):
        tmp = np.zeros(m)
        for j in range(m):
            tmp[j] = A[i, j] * 2.0
        out[i] = tmp[0]
    return tmp[m - 1]


def view_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    for i in range(1, n):
        row = A[i]
        for j in range(m):
            row[j] += A[i - 1, j]
        out[i] = row[0]


def hoisted_scratch(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    acc = np.zeros(m)
    for i in range(n):
        for j in range(m):
            acc[j] += A[i, j]
        out[i] = acc[0]


def conditional_scratch(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    t = np.zeros(m)
    for i in range(n):
        if A[i, 0] > 0.0:
            t = np.zeros(m)
        t[0] += A[i, 0]
        out[i] = t[0]


def self_update(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    w = np.zeros(m)
    for i in range(n):
        w = w * 0.5 + A[i]
        out[i, :] = w


def scalar_from_before(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64], k: int):
    n, m = A.shape
    t = -1.0
    for i in range(n):
        for j in range(k, m):
            t = A[i, j]
        out[i] = t


def inner_may_skip(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    t = -1.0
    for i in range(n):
        for j in range(i, m):
            t = A[i, j]
        out[i] = t


def counts_shared(X: np.ndarray[tuple[int, int], np.dtype[np.int64]], out: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    n, m = X.shape
    k = out.shape[1]
    c = np.zeros(k, dtype=np.int64)
    for i in range(n):
        for j in range(m):
            c[X[i, j]] += 1
        for b in range(k):
            out[i, b] = c[b]


def counts_escape(X: np.ndarray[tuple[int, int], np.dtype[np.int64]], out: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    n, m = X.shape
    k = out.shape[1]
    c = np.zeros(k, dtype=np.int64)
    for i in range(n):
        c = np.zeros(k, dtype=np.int64)
        for j in range(m):
            c[X[i, j]] += 1
        out[i, 0] = c[0]
    return c


def running_total(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    t = np.zeros(m)
    for i in range(n):
        t += A[i]
        out[i] = t


def median_read_before(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: npt.NDArray[np.float64]):
    n, m = A.shape
    row = np.zeros(m)
    for i in range(n):
        out[i] = row[m // 2]
        row = np.sort(A[i])
