import numpy as np
import numpy.typing as npt


def kernel_k2mm(ni: int, nj: int, nk: int, nl: int, alpha: float, beta: float, tmp: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64], D: npt.NDArray[np.float64]) -> None:
    for i in range(ni):
        for j in range(nj):
            tmp[i, j] = 0.0
            for k in range(nk):
                tmp[i, j] += alpha * A[i, k] * B[k, j]
    for i in range(ni):
        for j in range(nl):
            D[i, j] *= beta
            for k in range(nj):
                D[i, j] += tmp[i, k] * C[k, j]
