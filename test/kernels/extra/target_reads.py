"""NumPy statements whose right side reads their target at other elements, written as scientists write them:
NumPy evaluates the whole right side before it stores, so the element loops read copies of those parts, taken
before the loops (poly/lower-slices.ts snapshots)."""
import numpy as np


def floyd_warshall(path: np.ndarray[tuple[int, int], np.dtype[np.int32]]):
    # NPBench's floyd_warshall: row k and column k are read by every element; int32 + wraps around as NumPy's
    for k in range(path.shape[0]):
        path[:] = np.minimum(path[:], np.add.outer(path[:, k], path[k, :]))


def shortest_paths(dist: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = dist.shape
    for k in range(min(n, m)):
        via_k = np.add.outer(dist[:, k], dist[k, :])
        dist[:, :] = np.minimum(dist, via_k)


def relax(dist: np.ndarray[tuple[int, int], np.dtype[np.float64]], k: int):
    # the target read in its own row and column, and at its own element
    dist[:, :] = np.minimum(dist, np.add.outer(dist[:, k], dist[k, :]))


def smooth(u: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int):
    # every interior point from its neighbours' old values (Jacobi, in place)
    for t in range(steps):
        u[1:-1] = (u[:-2] + u[2:]) * 0.5


def shift_right(x: np.ndarray[tuple[int], np.dtype[np.int64]]):
    x[1:] += x[:-1]


def symmetrize(a: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    a[:, :] = (a + a.T) * 0.5


def minus_first_row(x: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # row 0 is read by every row, written by the first
    x[:, :] = x - x[0]


def wrapped(x: np.ndarray[tuple[int, int], np.dtype[np.int32]], y: np.ndarray[tuple[int], np.dtype[np.int32]]):
    # int32 products and sums that overflow wrap around as NumPy's
    x[:, :] = x * 3 + np.multiply.outer(y, x[0, :]) + 7


def rows_from_above(a: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # row i - 1 is never row i: read without a copy
    n, m = a.shape
    for i in range(1, n):
        a[i, 1:] = a[i - 1, :-1] * 0.5 + a[i, 1:]


def scalar_of_target(x: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # a single element of the target as a scalar: not lowered, NumPy's statement as written
    x[:, :] = x - x[0, 0]


def rows_ahead(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # NPBench's seidel_2d's row statement: the row read ahead of the write (A[i, 2:]) and behind it (A[i, :-2])
    for i in range(1, A.shape[0] - 1):
        A[i, 1:-1] += A[i - 1, 1:-1] + A[i, 2:] + A[i, :-2]
