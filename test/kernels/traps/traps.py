"""Functions whose edge cases differ between CPython, NumPy and Numba."""
import math

import numpy as np
import numpy.typing as npt


def ratio(a: float, b: float) -> float:
    return a / b


def scaled_ratio(x: npt.NDArray[np.float64], b: float) -> float:
    return x[0] / b


def shift_right(x: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        x[i + 1] = x[i]


def fill_from(x: npt.NDArray[np.float64], start: int, n: int) -> None:
    for i in range(n):
        x[start + i] = 2.0 * i


def root_sum(x: npt.NDArray[np.float64], n: int) -> float:
    t = 0.0
    for i in range(n):
        t = t + math.sqrt(x[i])
    return t


def int_floordiv(a: int, b: int) -> int:
    return a // b


def copy_into(dst: npt.NDArray[np.float64], src: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        dst[i] = src[i] + 1.0


def running(x: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        x[i] = x[i - 1] + 1.0


def scale_rows(x: npt.NDArray[np.float64], n: int, a: float, b: float) -> None:
    for i in range(n):
        x[i] = x[i] * (a / b) + math.sqrt(a)
