import numpy as np
import numpy.typing as npt


def kernel_bicg(m: int, n: int, A: npt.NDArray[np.float64], s: npt.NDArray[np.float64], q: npt.NDArray[np.float64], p: npt.NDArray[np.float64], r: npt.NDArray[np.float64]) -> None:
    for i in range(m):
        s[i] = 0.0
    for i in range(n):
        q[i] = 0.0
        for j in range(m):
            s[j] = s[j] + r[i] * A[i, j]
            q[i] = q[i] + A[i, j] * p[j]
