"""`None` / `np.newaxis` in subscripts inside loops: a new dimension of length 1 that
consumes no array dimension (the rank the checker gives, the SCoP's accesses), with
NumPy's broadcasting; the statements stay NumPy statements inside the compiled loop."""
import numpy as np


def outer_steps(a: np.ndarray[tuple[int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]], C: np.ndarray[tuple[int, int], np.dtype[np.float64]], T: int) -> None:
    for t in range(T):
        C[:, :] = C * 0.5 + a[:, None] * b[None, :]


def row_bias(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], bias: np.ndarray[tuple[int], np.dtype[np.float64]], T: int) -> None:
    for t in range(T):
        A[1:-1, :] = A[1:-1, :] + bias[np.newaxis, :]


def rows_from_vector(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> None:
    for i in range(n):
        A[i, :] = x[None, :] * 2.0


def column_from_last(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> None:
    for j in range(n):
        A[:, j] = A[:, -1] + y[:, np.newaxis][:, 0]


def beside_lowered(A: np.ndarray[tuple[int], np.dtype[np.float64]], n: int, B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    # fuzzer seed 903000004 (regression 016): the broadcast stays a NumPy operator, so the
    # lowered statement's implicit loop must not put the function in Numba's parallel mode
    for i in range(1, B.shape[0]):
        B[i, :] = B[i, :] * -0.5 + A[np.newaxis, :]
    for i in range(n, 0, -2):
        B[i, 0:2] += np.sqrt(np.abs(B[i, 0:2]))
