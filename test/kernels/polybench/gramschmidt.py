import math

import numpy as np
import numpy.typing as npt


def kernel_gramschmidt(m: int, n: int, A: npt.NDArray[np.float64], R: npt.NDArray[np.float64], Q: npt.NDArray[np.float64]) -> None:
    for k in range(n):
        nrm = 0.0
        for i in range(m):
            nrm += A[i, k] * A[i, k]
        R[k, k] = math.sqrt(nrm)
        for i in range(m):
            Q[i, k] = A[i, k] / R[k, k]
        for j in range(k + 1, n):
            R[k, j] = 0.0
            for i in range(m):
                R[k, j] += Q[i, k] * A[i, j]
            for i in range(m):
                A[i, j] = A[i, j] - Q[i, k] * R[k, j]
