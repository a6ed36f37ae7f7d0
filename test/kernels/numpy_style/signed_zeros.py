"""np.max/np.min of data holding zeros of both signs (and NaNs of other bits than NumPy's own),
where NumPy's vectorized loop picks the result's bits by its SIMD lanes:
test/python/test_signed_zeros.py compiles this file in both numerics modes."""
import numpy as np
import numpy.typing as npt


def peak(x: npt.NDArray[np.float64]) -> float:
    return np.max(x)


def trough32(x: np.ndarray[tuple[int], np.dtype[np.float32]]):
    return x.min()


def clipped_range(x: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float) -> float:
    # a relu'd signal's range: zeros of both signs appear where x is -0.0 or clipped
    y = np.maximum(x, lo)
    return y.max() - np.amin(y)


def normalize_by_peak(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = A[i, j] * 2.0
    p = np.max(out)
    for i in range(n):
        for j in range(m):
            out[i, j] = out[i, j] - p


def column_peaks(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.max(A, axis=0), A.min(axis=1), np.amax(A, axis=(0, 1))


def integer_peak(k: np.ndarray[tuple[int], np.dtype[np.int64]]) -> int:
    return np.max(k)
