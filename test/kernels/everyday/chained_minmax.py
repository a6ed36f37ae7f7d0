"""Chained assignment (`a1 = a5 = k`, as in NPBench's deriche) and builtin max/min of scalars and
array elements (as in nussinov), written as scientists write them; test/python/test_chained_minmax.py
compiles this file in both numerics modes."""
import numpy as np
import numpy.typing as npt


def recursive_filter(alpha: float, img: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    a1 = a5 = alpha * 0.5
    b1 = b2 = -0.25
    c1 = c2 = 1
    y = np.empty_like(img)
    y[:, 0] = first = a1 * img[:, 0]
    for j in range(1, img.shape[1]):
        y[:, j] = a5 * img[:, j] + b1 * y[:, j - 1] + b2 * first
    return c1 * y + c2


def shared_buffer(n: int):
    # both names are one array: each element reads the one just written
    a = b = np.zeros(n)
    for i in range(1, n):
        b[i] = a[i - 1] + 1.0
    return a


def element_and_name(x: npt.NDArray[np.float64]):
    out = np.empty(x.shape[0], dtype=np.float32)
    for i in range(x.shape[0]):
        out[i] = v = x[i] * 3.0
        x[i] = v
    return out


def best_pairing(table: np.ndarray[tuple[int, int], np.dtype[np.int32]]):
    n = table.shape[0]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < n:
                table[i, j] = max(table[i, j], table[i + 1, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
    return table


def clamp(x: npt.NDArray[np.float64], lo: float, hi: float):
    for i in range(x.shape[0]):
        x[i] = min(max(x[i], lo), hi)


def spread(x: npt.NDArray[np.float64]):
    lo = hi = x[0]
    for i in range(1, x.shape[0]):
        lo = min(lo, x[i])
        hi = max(hi, x[i])
    return hi - lo
