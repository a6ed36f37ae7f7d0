import numpy as np
import numpy.typing as npt


def kernel_trmm(m: int, n: int, alpha: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    for i in range(m):
        for j in range(n):
            for k in range(i + 1, m):
                B[i, j] += A[k, i] * B[k, j]
            B[i, j] = alpha * B[i, j]
