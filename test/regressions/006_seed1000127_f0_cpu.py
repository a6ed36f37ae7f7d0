"""Fuzzer finding: program seed 1000127, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ValueError('operands could not be broadcast together with shapes (3,) (2,) (3,) ') vs variant IndexError('index is out of bounds')

Minimized from `python test/fuzz/generate.py 1000127`; inputs are POLYRAY_CASES below
(trial 3). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(B: npt.NDArray[np.float64], A: npt.NDArray[np.float64], n: int, alpha: float, d: float) -> None:
    for i in range(n):
        A[i, :n] += B[i, :n] * 2.0


POLYRAY_CASES = [
    ('f0', {'B': {'array': [[3.523, 0.373], [3.52, 2.95], [-2.16, -2.129]], 'shape': [3, 2]}, 'A': {'array': [[3.299, 1.106, 3.055], [-12.849, -1.719, 6.322], [-1.958, -2.157, 4.095]], 'shape': [3, 3]}, 'n': 3, 'alpha': 0.0, 'd': -0.5}, ['cpu']),
]
