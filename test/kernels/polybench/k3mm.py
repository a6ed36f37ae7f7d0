import numpy as np
import numpy.typing as npt


def kernel_k3mm(ni: int, nj: int, nk: int, nl: int, nm: int, E: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], F: npt.NDArray[np.float64], C: npt.NDArray[np.float64], D: npt.NDArray[np.float64], G: npt.NDArray[np.float64]) -> None:
    for i in range(ni):
        for j in range(nj):
            E[i, j] = 0.0
            for k in range(nk):
                E[i, j] += A[i, k] * B[k, j]
    for i in range(nj):
        for j in range(nl):
            F[i, j] = 0.0
            for k in range(nm):
                F[i, j] += C[i, k] * D[k, j]
    for i in range(ni):
        for j in range(nl):
            G[i, j] = 0.0
            for k in range(nj):
                G[i, j] += E[i, k] * F[k, j]
