import numpy as np
import numpy.typing as npt


def kernel_nussinov(n: int, seq: npt.NDArray[np.int64], table: npt.NDArray[np.float64]) -> None:
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < n:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0:
                if i + 1 < n:
                    if i < j - 1:
                        if seq[i] + seq[j] == 3:
                            table[i, j] = max(table[i, j], table[i + 1, j - 1] + 1.0)
                        else:
                            table[i, j] = max(table[i, j], table[i + 1, j - 1] + 0.0)
                    else:
                        table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
