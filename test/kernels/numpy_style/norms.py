"""np.linalg.norm as scientists write it: test/python/test_norms.py compiles this file in
both numerics modes and compares every function with its original."""
import numpy as np
import numpy.typing as npt
from numpy import linalg as LA


def manhattan(p: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> float:
    return np.linalg.norm(p - q, ord=1)


def chebyshev(p: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> float:
    return np.linalg.norm(p - q, np.inf)


def smallest_magnitude(v: npt.NDArray[np.float64]) -> float:
    return np.linalg.norm(v, -np.inf)


def length_along_axis(v: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
    # the 2-norm along the vector's axis: NumPy's sqrt(add.reduce(v * v)), pairwise
    return np.linalg.norm(v, axis=0)


def unit32(v: np.ndarray[tuple[int], np.dtype[np.float32]]) -> npt.NDArray[np.float32]:
    r = np.linalg.norm(v, 2, -1)
    return v / r


def column_extremes(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    big = np.linalg.norm(X, ord=np.inf, axis=0)
    small = LA.norm(X, -np.inf, 1)
    return big, small


def normalize(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # the default 2-norm: sqrt(v.dot(v)) through BLAS (close mode only)
    return v / np.linalg.norm(v)


def relative_error(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
    return np.linalg.norm(A - B, 'fro') / np.linalg.norm(B)


def frobenius32(A: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    return np.linalg.norm(A)


def unit_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    n, d = X.shape
    norms = np.linalg.norm(X, axis=1)
    for i in range(n):
        if norms[i] > 0.0:
            X[i, :] /= norms[i]


def column_l1(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.linalg.norm(X, 1, axis=0)


def power_iteration(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], iters: int) -> npt.NDArray[np.float64]:
    n = A.shape[0]
    b = np.ones(n)
    for _ in range(iters):
        b = A @ b
        b = b / np.linalg.norm(b)
    return b


def spectral(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
    # a matrix's 2-norm (its largest singular value): close mode only (an SVD through SciPy's LAPACK)
    return np.linalg.norm(A, 2)


def fro_of_vector(v: npt.NDArray[np.float64]) -> float:
    # NumPy raises ValueError ('fro' is no vector norm): not compiled
    return np.linalg.norm(v, 'fro')


def norm_past_rank(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.linalg.norm(A, axis=2)


def grid_distance(p: np.ndarray[tuple[int], np.dtype[np.int64]], q: np.ndarray[tuple[int], np.dtype[np.int64]]):
    # integer points: NumPy converts to float64 first
    return np.linalg.norm(p - q, 1), np.linalg.norm(p - q, np.inf), np.linalg.norm(p - q, axis=0)
