import numpy as np
import numpy.typing as npt


def kernel_trisolv(n: int, L: npt.NDArray[np.float64], x: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        x[i] = b[i]
        for j in range(i):
            x[i] -= L[i, j] * x[j]
        x[i] = x[i] / L[i, i]
