import math

import numpy as np
import numpy.typing as npt


def matmul_ijk(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64], n: int, m: int, p: int) -> None:
    # PolyBench's 2mm order: the k loop walks B down a column; i-k-j walks it along rows
    for i in range(n):
        for j in range(m):
            C[i, j] = 0.0
            for k in range(p):
                C[i, j] += A[i, k] * B[k, j]


def skewed_dependence(A: npt.NDArray[np.float64], n: int, m: int) -> None:
    # j innermost would walk A contiguously, but iteration (j, k) reads what
    # (j - 1, k + 1) wrote: in the order k-j it would read it before the write
    for i in range(n):
        for j in range(1, m):
            for k in range(m - 1):
                A[i, k, j] = A[i, k + 1, j - 1] + 1.0


def upper_rows(A: npt.NDArray[np.float64], S: npt.NDArray[np.float64], n: int) -> None:
    # row i has n - i elements: prange's equal chunks would give one thread 3/4 of the work
    for i in range(n):
        for j in range(i, n):
            S[i, j] = A[i, j] * 2.0 + A[j, i]


def lower_rows_down(A: npt.NDArray[np.float64], L: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n - 1, -1, -1):
        for j in range(i + 1):
            L[i, j] = A[i, j] - A[j, i]


def norms_then_product(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64], norms: npt.NDArray[np.float64], n: int, m: int) -> None:
    # the sqrt may raise on array data (a speculative parallel loop); the product
    # nest is still reordered i-k-j
    for i in range(n):
        norms[i] = math.sqrt(A[i, 0])
    for i in range(n):
        for j in range(m):
            C[i, j] = 0.0
            for k in range(m):
                C[i, j] += A[i, k] * B[k, j]


def hoisting_trap(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64], n: int) -> None:
    # the first nest is reordered i-k-j (so the function gets a new schedule);
    # in the second, C[i, k] looks invariant in the j loop, but that loop writes
    # it when j == k: loading it once before the loop would read a stale value
    for i in range(n):
        for j in range(n):
            for k in range(n):
                A[i, j] += B[i, k] * B[k, j]
    for i in range(n):
        for k in range(n):
            for j in range(n):
                C[i, j] += C[i, k] * B[k, j]


def row_recurrence(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], n: int, m: int) -> None:
    # t carries a dependence (row t reads row t - 1); j is parallel inside it,
    # and k innermost walks B down a column: j is strip-mined inside t
    for t in range(1, n):
        for j in range(m):
            for k in range(m):
                A[t, j] += A[t - 1, k] * B[k, j]
