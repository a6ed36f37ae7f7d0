"""Fuzzer finding: program seed 1000130, function f1, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ValueError('operands could not be broadcast together with shapes (2,) (4,) ') vs variant AssertionError('Sizes of C, B do not match on /tmp/polyray-fuzz-ray-0d1nm3lp/fz_1000130_23678620.py (108)')

Minimized from `python test/fuzz/generate.py 1000130`; inputs are POLYRAY_CASES below
(trial 3). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f1(C: npt.NDArray[np.float64], n: int, A: npt.NDArray[np.float64], alpha: float, B: npt.NDArray[np.float64]) -> None:
    for i in range(n - 1):
        pass
    B[:] = C * 1.25 + B


POLYRAY_CASES = [
    ('f1', {'C': {'array': [0.408, 3.543], 'shape': [2]}, 'n': 2, 'A': {'array': [[-4.713, 1.967], [2.524, 5.428]], 'shape': [2, 2]}, 'alpha': 1.0, 'B': {'array': [1e999, -0.786, 0.758, 4.881], 'shape': [4]}}, ['cpu']),
]
