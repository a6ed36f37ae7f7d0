import numpy as np
import numpy.typing as npt


def kernel_jacobi_1d(tsteps: int, n: int, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    for t in range(tsteps):
        for i in range(1, n - 1):
            B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
        for i in range(1, n - 1):
            A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])
