"""np.arange, argmax/argmin/any/all along axes (issue 17), written as scientists write them:
test/python/test_table_rows.py compiles this file in both numerics modes and compares every
function with its original, bit for bit."""
import numpy as np
import numpy.typing as npt


def grid_points(n: int, dx: float) -> npt.NDArray[np.float64]:
    x = np.arange(n) * dx
    return x


def time_axis(t0: float, t1: float, dt: float) -> npt.NDArray[np.float64]:
    return np.arange(t0, t1, dt)


def odd_indices(n: int) -> npt.NDArray[np.int64]:
    return np.arange(1, n, 2)


def countdown(n: int) -> npt.NDArray[np.int64]:
    return np.arange(n, 0, -1)


def float_ticks(lo: int, hi: int, step: int) -> npt.NDArray[np.float64]:
    return np.arange(lo, hi, step, dtype=np.float64)


def weighted_positions(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = x.shape[0]
    idx = np.arange(n)
    return idx * x - idx[::-1]


def sum_by_arange(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = A.shape
    out = np.zeros(n)
    for i in np.arange(n):
        for j in range(m):
            out[i] += A[i, j] * j
    return out


def half_steps(start: float, n: int) -> npt.NDArray[np.float64]:
    return np.arange(start, start + n * 0.5, step=0.5)


def best_class(scores: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.int64]:
    labels = np.argmax(scores, axis=1)
    return labels


def nearest_center(D: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.int64]:
    return D.argmin(axis=0)


def peak_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.argmax(A, 0), np.argmin(A, axis=-1, keepdims=True)


def int_votes(V: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> npt.NDArray[np.int64]:
    return np.argmax(V, axis=1)


def rows_all_positive(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.bool_]:
    ok = np.all(A > 0.0, axis=1)
    return ok


def any_nonzero(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.any(A, axis=0), A.all(axis=1), np.any(A, axis=-1, keepdims=True)


def mask_summary(M: np.ndarray[tuple[int, int, int], np.dtype[np.bool_]]):
    return M.all(axis=2), np.any(M, axis=(0, 2)), M.any(axis=(0, 1, 2))


def filled_columns(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> int:
    full = np.all(np.isfinite(A), axis=0)
    c = 0
    for j in range(full.shape[0]):
        if full[j]:
            c += 1
    return c


def diag_scaled(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    d = np.diag(A)
    return d * 2.0


def band_sum(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], k: int) -> float:
    s = 0.0
    d = np.diag(A, k=k)
    for i in range(d.shape[0]):
        s += d[i]
    return s


def diagonal_of(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.diagonal(A, 1), A.diagonal(), A.diagonal(offset=-1)


def diag_sees_updates(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    d = np.diagonal(A)
    n = d.shape[0]
    for i in range(n):
        A[i, i] = 2.0 * A[i, i] + 1.0
    return d * 1.0


def write_through_diag(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    d = np.diag(A)
    A[0, 0] = 5.0
    d[0] = 1.0
    return d


def int_diag_shift(K: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> npt.NDArray[np.int64]:
    return np.diag(K, -1) + np.diag(K, 1)[: K.shape[0] - 1]


def trace_of(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
    return np.trace(A)


def traces(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], k: int):
    return A.trace(), np.trace(A, k), A.trace(offset=-1), np.trace(A * 2.0)


def int_trace(K: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> int:
    t = np.trace(K) + K.trace(1)
    return t


def trace_normalized(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = A.shape
    B = A / np.trace(A)
    return B


def flat_scaled(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.ravel(A) * 2.0


def zero_first_through_ravel(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], m: int):
    # writes through the result write A exactly where NumPy's ravel is a view (C-contiguous input)
    v = A[:, :m].ravel()
    if v.shape[0] > 0:
        v[0] = -1.0
    return v.sum() if v.shape[0] > 8 else v[0] if v.shape[0] > 0 else 0.0


def ravel_then_update(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    flat = np.ravel(A.T)
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            A[i, j] = A[i, j] + 1.0
    return flat * 1.0


def flatten_copy(K: np.ndarray[tuple[int, int, int], np.dtype[np.int64]]) -> npt.NDArray[np.int64]:
    f = K.flatten()
    f[0] = 7
    return f + K.ravel()


def running_totals(x: npt.NDArray[np.float64], A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.cumsum(x), A.cumsum(), np.cumsum(A.T)


def running_totals32(x: np.ndarray[tuple[int], np.dtype[np.float32]]) -> npt.NDArray[np.float32]:
    return x.cumsum()


def first_hit(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], t: float) -> npt.NDArray[np.int64]:
    hit = A > t
    return np.argmax(hit, axis=1)
