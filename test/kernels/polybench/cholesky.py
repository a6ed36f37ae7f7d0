import math

import numpy as np
import numpy.typing as npt


def kernel_cholesky(n: int, A: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[j, k]
            A[i, j] /= A[j, j]
        for k in range(i):
            A[i, i] -= A[i, k] * A[i, k]
        A[i, i] = math.sqrt(A[i, i])
