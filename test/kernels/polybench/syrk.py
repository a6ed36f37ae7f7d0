import numpy as np
import numpy.typing as npt


def kernel_syrk(n: int, m: int, alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(i + 1):
            C[i, j] *= beta
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]
