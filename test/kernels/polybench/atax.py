import numpy as np
import numpy.typing as npt


def kernel_atax(m: int, n: int, A: npt.NDArray[np.float64], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = 0.0
    for i in range(m):
        tmp[i] = 0.0
        for j in range(n):
            tmp[i] = tmp[i] + A[i, j] * x[j]
        for j in range(n):
            y[j] = y[j] + A[i, j] * tmp[i]
