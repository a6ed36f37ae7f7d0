"""Kernels whose only parallelism needs a transformation (interchange or a wavefront)."""
import numpy as np
import numpy.typing as npt


def lcs_table(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], L: npt.NDArray[np.int64], n: int, m: int) -> None:
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                L[i, j] = L[i - 1, j - 1] + 1
            else:
                L[i, j] = max(L[i - 1, j], L[i, j - 1])


def column_sum(A: npt.NDArray[np.float64], s: npt.NDArray[np.float64], n: int, m: int) -> None:
    for i in range(n):
        for j in range(m):
            s[j] += A[i, j]


def seidel_1d_sweeps(x: npt.NDArray[np.float64], tsteps: int, n: int) -> None:
    for t in range(tsteps):
        for i in range(1, n - 1):
            x[i] = (x[i - 1] + x[i] + x[i + 1]) / 3.0
