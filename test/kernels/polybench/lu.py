import numpy as np
import numpy.typing as npt


def kernel_lu(n: int, A: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[k, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):
            for k in range(i):
                A[i, j] -= A[i, k] * A[k, j]
