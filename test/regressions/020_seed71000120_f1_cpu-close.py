"""Fuzzer finding: program seed 71000120, function f1, POLYRAY_TARGET=cpu-close
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ZeroDivisionError('division by zero') vs variant ok(array([], dtype=float64))

Minimized from `python test/fuzz/generate.py 71000120`; inputs are POLYRAY_CASES below
(trial 0). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f1(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    r = np.average(X, axis=1)
    return r


POLYRAY_CASES = [
    ('f1', {'X': {'array': [], 'shape': [0, 1]}}, ['cpu-close']),
]
