"""Loops whose statements are NumPy slice operations (implicit loops in the model)."""
import numpy as np
import numpy.typing as npt


def rows(C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], n: int, beta: float) -> None:
    for i in range(n):
        C[i, :] = A[i, :] * 2.0
        C[i, 0:n] *= beta


def shift(x: npt.NDArray[np.float64], n: int) -> None:
    for t in range(n):
        x[1:n] = x[0:n - 1] + 1.0


def halves(C: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        C[i] = C[i] * 0.5


def negative_window(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int, k: int) -> None:
    for i in range(n):
        y[i, k:] = x[i, k:] + 1.0
