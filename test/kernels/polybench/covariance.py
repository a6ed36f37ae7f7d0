import numpy as np
import numpy.typing as npt


def kernel_covariance(m: int, n: int, float_n: float, data: npt.NDArray[np.float64], cov: npt.NDArray[np.float64], mean: npt.NDArray[np.float64]) -> None:
    for j in range(m):
        mean[j] = 0.0
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= float_n
    for i in range(n):
        for j in range(m):
            data[i, j] -= mean[j]
    for i in range(m):
        for j in range(i, m):
            cov[i, j] = 0.0
            for k in range(n):
                cov[i, j] += data[k, i] * data[k, j]
            cov[i, j] /= float_n - 1.0
            cov[j, i] = cov[i, j]
