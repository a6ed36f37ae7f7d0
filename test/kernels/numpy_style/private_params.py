"""Scratch arrays passed in as parameters (issue 16, poly/private-params.ts): an array written
whole before it is read in every iteration of a loop, the same elements each time, may be private to
each iteration; the CPU variant runs the loop as prange, the last iteration writing the array itself.
The negative twins keep their loop sequential: a value carried from one iteration to the next, a
write set that changes with the iteration, a conditional write, the scratch used whole."""
import numpy as np
import numpy.typing as npt


def doitgen_shapes(A: npt.NDArray[np.float64], C4: npt.NDArray[np.float64], sum_: npt.NDArray[np.float64]) -> None:
    # PolyBench's doitgen with its sizes from the arrays, as a scientist writes it
    nr, nq, np_ = A.shape
    for r in range(nr):
        for q in range(nq):
            for p in range(np_):
                sum_[p] = 0.0
                for s in range(np_):
                    sum_[p] += A[r, q, s] * C4[s, p]
            for p in range(np_):
                A[r, q, p] = sum_[p]


def doitgen_rows(A: npt.NDArray[np.float64], C4: npt.NDArray[np.float64], sum_: npt.NDArray[np.float64]) -> None:
    # doitgen written row-wise already (s outer, p inner over a row of C4): the original order is the fast one
    nr, nq, np_ = A.shape
    for r in range(nr):
        for q in range(nq):
            for p in range(np_):
                sum_[p] = 0.0
            for s in range(np_):
                for p in range(np_):
                    sum_[p] += A[r, q, s] * C4[s, p]
            for p in range(np_):
                A[r, q, p] = sum_[p]


def weighted_rows(A: npt.NDArray[np.float64], w: npt.NDArray[np.float64], B: npt.NDArray[np.float64],
                  tmp: npt.NDArray[np.float64], out: npt.NDArray[np.float64], last: npt.NDArray[np.float64]) -> None:
    # a row scaled into a scratch vector, then multiplied by B; the scratch read back after the loop
    n, m = A.shape
    p = B.shape[1]
    for i in range(n):
        for j in range(m):
            tmp[j] = A[i, j] * w[j]
        for k in range(p):
            out[i, k] = 0.0
            for j in range(m):
                out[i, k] += tmp[j] * B[j, k]
    for j in range(m):
        last[j] = 2.0 * tmp[j]


def two_scratches(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], t: npt.NDArray[np.float64],
                  u: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
    # two scratch rows, the second computed from the first (read reversed)
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            t[j] = A[i, j] - 1.0
        for j in range(m):
            u[j] = t[j] * t[m - 1 - j]
        for k in range(m):
            out[i, k] = 0.0
            for j in range(m):
                out[i, k] += u[j] * B[j, k]


def carried_scratch(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64],
                    out: npt.NDArray[np.float64]) -> None:
    # tmp keeps a running value from row to row: not private
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            tmp[j] = 0.5 * tmp[j] + A[i, j]
        for k in range(m):
            out[i, k] = 0.0
            for j in range(m):
                out[i, k] += tmp[j] * B[j, k]


def growing_scratch(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64],
                    out: npt.NDArray[np.float64]) -> None:
    # row i writes tmp[0:i + 1] only: the last row's values are not the final ones of every element
    n, m = A.shape
    for i in range(n):
        for k in range(i + 1):
            tmp[k] = 0.0
            for j in range(m):
                tmp[k] += A[i, j] * B[j, k]
        for k in range(i + 1):
            out[i, k] = tmp[k]


def conditional_scratch(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64],
                        out: npt.NDArray[np.float64]) -> None:
    # a data-dependent if around the write: some rows read the previous row's values
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            if A[i, j] > 0.0:
                tmp[j] = A[i, j]
        for k in range(m):
            out[i, k] = 0.0
            for j in range(m):
                out[i, k] += tmp[j] * B[j, k]


def whole_scratch(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64],
                  out: npt.NDArray[np.float64]) -> float:
    # the scratch named whole after the loop (np.sum of it): kept shared
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            tmp[j] = A[i, j] * 2.0
        for k in range(m):
            out[i, k] = 0.0
            for j in range(m):
                out[i, k] += tmp[j] * B[j, k]
    return np.sum(tmp)
