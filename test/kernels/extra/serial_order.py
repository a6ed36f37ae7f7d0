"""Nests whose parallel order strip-mines a loop (its tiles in parallel, its points
innermost) and whose serial form moves that loop innermost whole (poly/locality.ts
serialLocalitySchedule): tensor contractions as people write them, with a work buffer."""
import numpy as np
import numpy.typing as npt


def contract_last_axis(A: npt.NDArray[np.float64], C4: npt.NDArray[np.float64], work: npt.NDArray[np.float64]) -> None:
    # doitgen as a scientist writes it: each A[r, q, :] becomes A[r, q, :] @ C4, through a buffer
    nr, nq, npp = A.shape
    for r in range(nr):
        for q in range(nq):
            for p in range(npp):
                work[p] = 0.0
                for s in range(npp):
                    work[p] += A[r, q, s] * C4[s, p]
            for p in range(npp):
                A[r, q, p] = work[p]


def smooth_rows(X: npt.NDArray[np.float64], W: npt.NDArray[np.float64]) -> None:
    # each row from the one before through a weight matrix (rows carry a dependence)
    n, m = X.shape
    for t in range(1, n):
        for j in range(m):
            for k in range(m):
                X[t, j] += X[t - 1, k] * W[k, j]
