"""Fuzzer finding: program seed 1000017, function f2, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

message: original ValueError('operands could not be broadcast together with shapes (0,0) (0,2) ') vs variant ('unable to broadcast argument 1 to output array\nFile "/tmp/polyray-fuzz-cpu-ejnondc1/fz_1000017_13705666.py", line 1, ')

Minimized from `python test/fuzz/generate.py 1000017`; inputs are POLYRAY_CASES below
(trial 0). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f2(B: npt.NDArray[np.float64], n: int, d: float, alpha: float, A: npt.NDArray[np.float64]) -> float:
    s = 0.0
    for i in range(n):
        for j in range(B.shape[1]):
            B[i, :n] = B[i, :n] + B[i, :n]
    B[:] = A * 1.25 + B
    return s


POLYRAY_CASES = [
    ('f2', {'B': {'array': [], 'shape': [0, 2]}, 'n': 0, 'd': 3.0, 'alpha': -1.5, 'A': {'array': [], 'shape': [0, 0]}}, ['cpu']),
]
