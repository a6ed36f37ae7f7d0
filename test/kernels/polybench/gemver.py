import numpy as np
import numpy.typing as npt


def kernel_gemver(n: int, alpha: float, beta: float, A: npt.NDArray[np.float64], u1: npt.NDArray[np.float64], v1: npt.NDArray[np.float64], u2: npt.NDArray[np.float64], v2: npt.NDArray[np.float64], w: npt.NDArray[np.float64], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], z: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(n):
            A[i, j] = A[i, j] + u1[i] * v1[j] + u2[i] * v2[j]
    for i in range(n):
        for j in range(n):
            x[i] = x[i] + beta * A[j, i] * y[j]
    for i in range(n):
        x[i] = x[i] + z[i]
    for i in range(n):
        for j in range(n):
            w[i] = w[i] + alpha * A[i, j] * x[j]
