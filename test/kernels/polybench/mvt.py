import numpy as np
import numpy.typing as npt


def kernel_mvt(n: int, x1: npt.NDArray[np.float64], x2: npt.NDArray[np.float64], y_1: npt.NDArray[np.float64], y_2: npt.NDArray[np.float64], A: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(n):
            x1[i] = x1[i] + A[i, j] * y_1[j]
    for i in range(n):
        for j in range(n):
            x2[i] = x2[i] + A[j, i] * y_2[j]
