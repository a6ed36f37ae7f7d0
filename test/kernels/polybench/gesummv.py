import numpy as np
import numpy.typing as npt


def kernel_gesummv(n: int, alpha: float, beta: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        tmp[i] = 0.0
        y[i] = 0.0
        for j in range(n):
            tmp[i] = A[i, j] * x[j] + tmp[i]
            y[i] = B[i, j] * x[j] + y[i]
        y[i] = alpha * tmp[i] + beta * y[i]
