"""Fuzzer finding: program seed 42000313, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original OverflowError('Python integer -908103011 out of bounds for int16') vs variant ok(None)

Minimized from `python test/fuzz/generate.py 42000313`; inputs are POLYRAY_CASES below
(trial 1). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32], OUT: npt.NDArray[np.int16], n: int) -> None:
    for i in range(min(A.shape[0], B.shape[0], OUT.shape[0])):
        OUT[i] = (-(B[i] ^ A[i]))


POLYRAY_CASES = [
    ('f0', {'A': {'array': [-21309], 'shape': [1], 'dtype': 'int16'}, 'B': {'array': [-908123744], 'shape': [1], 'dtype': 'int32'}, 'OUT': {'array': [-333], 'shape': [1], 'dtype': 'int16'}, 'n': -1}, ['cpu']),
]
