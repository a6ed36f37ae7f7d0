"""Kernels for the dispatcher's hot path tests (test/python/test_hot_path.py): small functions as a
scientist writes them, called again and again with arguments like the last call's."""
import numpy as np
import numpy.typing as npt

SCALE = 2.0


def smooth(u: npt.NDArray[np.float64], out: npt.NDArray[np.float64], w: float) -> None:
    n = u.shape[0]
    for i in range(1, n - 1):
        out[i] = w * u[i - 1] + (1.0 - 2.0 * w) * u[i] + w * u[i + 1]


def scaled(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        b[i] = SCALE * a[i]


def row_sums(A: npt.NDArray[np.float64], s: npt.NDArray[np.float64]) -> None:
    n, m = A.shape
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j]
        s[i] = acc


def tiny(x: float, n: int) -> float:
    t = 0.0
    for i in range(n):
        t += x
    return t


def pick(x: npt.NDArray[np.float64], k: int) -> float:
    return x[k] * 2.0
