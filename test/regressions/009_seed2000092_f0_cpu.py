"""Fuzzer finding: program seed 2000092, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ValueError('operands could not be broadcast together with shapes (1,2,1) (2,3,2) ') vs variant AssertionError('Sizes of B, A do not match on /tmp/polyray-fuzz-cpu-kcyew0p2/fz_2000092_38723559.py (54)')

Minimized from `python test/fuzz/generate.py 2000092`; inputs are POLYRAY_CASES below
(trial 1). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(C: npt.NDArray[np.float64], n: int, A: npt.NDArray[np.float64], alpha: float, B: npt.NDArray[np.float64], m: int) -> None:
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, i, -1):
            t1 = ((0.5 + C[i]) - alpha)
            A[i, j, n - 1] = (-alpha - (C[i] * t1)) + t1
            t2 = (-0.5 + alpha)
            A[i + j, j, i] = ((B[i, j, i] * 0.5) * (A[j, i, j] + 1.0)) + t2
            A[i, j, j] -= np.sqrt((2.0 * B[i, j, j + i]))
    A[:] = B * 0.5 + A
    for i in range(m, 0, -2):
        if B[i + 1, i, i] > -0.25:
            A[i, i, i] = abs(C[i])
        else:
            A[i, i, i] += ((0.5 / 2.0) - --0.5)
        for j in range(m):
            for k in range(B.shape[0]):
                for l in range(0, j + 1):
                    B[i, m - 1, j] = ((C[j - 2] + A[i, j, k + 2]) / 4.0)


POLYRAY_CASES = [
    ('f0', {'C': {'array': [2.239], 'shape': [1]}, 'n': 2, 'A': {'array': [[[-5.156, -2.612], [1.418, -1.861], [5.706, 1.216]], [[-1.539, 3.664], [-0.385, 0.557], [0.377, -4.369]]], 'shape': [2, 3, 2]}, 'alpha': 0.0, 'B': {'array': [[[4.08], [3.339]]], 'shape': [1, 2, 1]}, 'm': -1}, ['cpu']),
]
