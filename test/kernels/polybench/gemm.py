import numpy as np
import numpy.typing as npt


def kernel_gemm(ni: int, nj: int, nk: int, alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]
