"""Fuzzer finding: program seed 37000069, function f2, POLYRAY_TARGET=gpu
(ran: gpu; reason: POLYRAY_TARGET=gpu).

outcome: original ok(None) vs variant ValueError('tid=[1, 0, 0] ctaid=[0, 0, 0]: math domain error')

Minimized from `python test/fuzz/generate.py 37000069`; inputs are POLYRAY_CASES below
(trial 2). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f2(n: int, A: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        A[i, i] *= -np.sqrt(A[i, i])


POLYRAY_CASES = [
    ('f2', {'n': 5, 'A': {'array': [[-3.065, -4.873, -4.543, 0.632, -4.402, -2.165], [1.475, -3.497, 1.98, -2.556, -3.47, 8.724], [0.851, -3.327, -3.176, 1.288, -7.963, -8.523], [2.449, 1.193, 5.213, -0.855, 2.352, 5.545], [-4.035, -1.583, 3.585, 1.691, -4.171, -7.78], [-1.954, -1.522, -3.598, -3.64, -1.015, 2.393]], 'shape': [6, 6]}}, ['gpu']),
]
