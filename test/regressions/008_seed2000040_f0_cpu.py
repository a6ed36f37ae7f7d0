"""Fuzzer finding: program seed 2000040, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ValueError('operands could not be broadcast together with shapes (2,1) (3,1) ') vs variant AssertionError('Sizes of B, A do not match on /tmp/polyray-fuzz-ray-3prv3te4/fz_2000040_65669870.py (52)')

Minimized from `python test/fuzz/generate.py 2000040`; inputs are POLYRAY_CASES below
(trial 0). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(B: npt.NDArray[np.float64], n: int, alpha: float, A: npt.NDArray[np.float64], C: npt.NDArray[np.float64]) -> float:
    s = 0.0
    for i in range(n - 1, -1, -1):
        B[i, 1:n - 1] = B[i, 1:n - 1] + B[i, 1:n - 1]
        for j in range(1, C.shape[0] - 1):
            A[i, :] = B[i, :] + A[i, :]
            if A[i, j] > -0.25:
                C[i] = math.sqrt(abs(A[i + j, j]))
            else:
                B[n - 1, i] = (A[i, j] * (C[i] * float(i)))
    for i in range(B.shape[1]):
        A[i, i] = (1.25 * 0.5)
    A[:] = B * 0.5 + A
    for i in range(2, n - 1):
        for j in range(C.shape[0] - 1):
            B[i, :] = 3.0
    return s


POLYRAY_CASES = [
    ('f0', {'B': {'array': [[-1.147], [2.111]], 'shape': [2, 1]}, 'n': 1, 'alpha': 2.0, 'A': {'array': [[-2.613], [-3.901], [-1.56]], 'shape': [3, 1]}, 'C': {'array': [], 'shape': [0]}}, ['cpu']),
]
