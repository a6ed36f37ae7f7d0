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


def step8(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64], p: npt.NDArray[np.float64],
          q: npt.NDArray[np.float64], r: npt.NDArray[np.float64], s: npt.NDArray[np.float64],
          out: npt.NDArray[np.float64], w: npt.NDArray[np.float64], dt: float) -> None:
    n = u.shape[0]
    for i in range(n):
        out[i] = u[i] + dt * (v[i] - p[i]) * q[i] + r[i] * s[i] - w[i]


def split3(x: npt.NDArray[np.float64], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64], t: float) -> None:
    n = x.shape[0]
    for i in range(n):
        lo[i] = min(x[i], t)
        hi[i] = max(x[i], t)


def scale_cols(A: npt.NDArray[np.float64], c: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            B[i, j] = A[i, j] * c[j]
