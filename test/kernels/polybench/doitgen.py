import numpy as np
import numpy.typing as npt


def kernel_doitgen(nr: int, nq: int, np_: int, A: npt.NDArray[np.float64], C4: npt.NDArray[np.float64], sum_: npt.NDArray[np.float64]) -> None:
    for r in range(nr):
        for q in range(nq):
            for p in range(np_):
                sum_[p] = 0.0
                for s in range(np_):
                    sum_[p] += A[r, q, s] * C4[s, p]
            for p in range(np_):
                A[r, q, p] = sum_[p]
