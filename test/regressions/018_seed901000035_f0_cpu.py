"""Fuzzer finding: program seed 901000035, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original OverflowError('Python integer -107 out of bounds for uint16') vs variant ok(None)

NumPy 2 raises OverflowError storing a Python int out of the array's range (NEP 50,
issue 15 item 1); the variant wrapped it around. A Python int of unknown range stored
into (or combined with) a narrow integer array now keeps the original, saying why.

Minimized from `python test/fuzz/generate.py 901000035`; inputs are POLYRAY_CASES below
(trial 0). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(A: npt.NDArray[np.uint16], B: npt.NDArray[np.int16], OUT: npt.NDArray[np.uint16], n: int) -> None:
    for i in range(min(A.shape[0], B.shape[0], OUT.shape[0])):
        OUT[i] = ((-3) ^ (n + 100))


POLYRAY_CASES = [
    ('f0', {'A': {'array': [11798], 'shape': [1], 'dtype': 'uint16'}, 'B': {'array': [-14287], 'shape': [1], 'dtype': 'int16'}, 'OUT': {'array': [6278], 'shape': [1], 'dtype': 'uint16'}, 'n': 4}, ['cpu']),
]
