import numpy as np
import numpy.typing as npt


def kernel_floyd_warshall(n: int, path: npt.NDArray[np.float64]) -> None:
    for k in range(n):
        for i in range(n):
            for j in range(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])
