"""Arrays joined or built from written lists, as scientists write them (np.concatenate([a, b]),
np.vstack([x, y]), np.column_stack([x, y]), np.array([[c, -s], [s, c]]), ...):
test/python/test_sequences.py compiles this file in both numerics modes and compares every
function with its original."""
import math

import numpy as np
import numpy.typing as npt


def padded_smooth(x: np.ndarray[tuple[int], np.dtype[np.float64]], k: int) -> npt.NDArray[np.float64]:
    # zero padding on both sides, then a box filter of width 2k+1
    xp = np.concatenate([np.zeros(k), x, np.zeros(k)])
    n = x.shape[0]
    out = np.zeros(n)
    for i in range(n):
        for j in range(2 * k + 1):
            out[i] += xp[i + j]
    return out


def design_matrix(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = X.shape
    ones = np.ones((n, 1))
    return np.hstack([ones, X, X * X])


def stacked_rows(a: np.ndarray[tuple[int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.vstack([a, b, a - b])


def points_from_coords(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    P = np.column_stack([x, y])
    return P - P[0]


def frames(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.stack([A, B, A + B], axis=-1)


def rgb(r: np.ndarray[tuple[int, int], np.dtype[np.float64]], g: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.dstack([r, g, b])


def side_by_side(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.concatenate([A, B], axis=1)


def blocks(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # the axis by position
    return np.concatenate([A, B], 0), np.stack((A, B), -1)


def rotate(P: np.ndarray[tuple[int, int], np.dtype[np.float64]], theta: float) -> npt.NDArray[np.float64]:
    c = math.cos(theta)
    s = math.sin(theta)
    R = np.array([[c, -s], [s, c]])
    n = P.shape[0]
    out = np.empty((n, 2))
    for i in range(n):
        out[i, 0] = R[0, 0] * P[i, 0] + R[0, 1] * P[i, 1]
        out[i, 1] = R[1, 0] * P[i, 0] + R[1, 1] * P[i, 1]
    return out


def stencil3(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    w = np.array([1.0, 2.0, 1.0]) / 4.0
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(1, n - 1):
        y[i] = w[0] * x[i - 1] + w[1] * x[i] + w[2] * x[i + 1]
    return y


def corners(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.array([A[0, 0], A[0, -1], A[-1, 0], A[-1, -1]])


def int_and_bool_lists(n: int):
    return np.array([n, 2 * n, 3]), np.array([True, False, n > 2]), np.array([1, n], dtype=np.float64)


def mixed_numbers(a: float, n: int, x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.array([a, n, x[0]]), np.array([[n, 1], [2, n]])


def two_rows(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.array([x, y * 2.0])


def int_join(i: np.ndarray[tuple[int], np.dtype[np.int64]], j: np.ndarray[tuple[int], np.dtype[np.int64]]) -> npt.NDArray[np.int64]:
    return np.concatenate([i, j, i])
