import numpy as np
import numpy.typing as npt


def kernel_durbin(n: int, r: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    z = np.zeros(n)
    y[0] = -r[0]
    beta = 1.0
    alpha = -r[0]
    for k in range(1, n):
        beta = (1.0 - alpha * alpha) * beta
        sum_ = 0.0
        for i in range(k):
            sum_ += r[k - i - 1] * y[i]
        alpha = -(r[k] + sum_) / beta
        for i in range(k):
            z[i] = y[i] + alpha * y[k - i - 1]
        for i in range(k):
            y[i] = z[i]
        y[k] = alpha
