"""Fuzzer finding: program seed 1000077, function f0, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

message: original ValueError('could not broadcast input array from shape (0,) into shape (1,)') vs variant ('cannot assign slice of shape (1,) from input of shape (0,)')

Minimized from `python test/fuzz/generate.py 1000077`; inputs are POLYRAY_CASES below
(trial 1). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(n: int, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    B[:] = A * 2.0 + B


POLYRAY_CASES = [
    ('f0', {'n': 1, 'A': {'array': [], 'shape': [0]}, 'B': {'array': [-3.625], 'shape': [1]}}, ['cpu']),
]
