"""Fuzzer finding: program seed 71000187, function f0, POLYRAY_TARGET=cpu and cpu-close
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: original ValueError('shape mismatch: value array of shape (2,) could not be broadcast to indexing result of shape (1,)') vs variant IndexError('index is out of bounds for axis')

Minimized from `python test/fuzz/generate.py 71000187`; inputs are POLYRAY_CASES below
(trial 1). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], ii: np.ndarray[tuple[int,], np.dtype[np.int64]], jj: np.ndarray[tuple[int,], np.dtype[np.int64]], vals: np.ndarray[tuple[int,], np.dtype[np.float64]]) -> None:
    X[ii, jj] = vals


POLYRAY_CASES = [
    ('f0', {'X': {'array': [[-5.685, 5.801], [-4.384, -2.728]], 'shape': [2, 2]}, 'ii': {'array': [2], 'shape': [1], 'dtype': 'int64'}, 'jj': {'array': [-1], 'shape': [1], 'dtype': 'int64'}, 'vals': {'array': [-0.326, 9.931], 'shape': [2]}}, ['cpu', 'cpu-close']),
]
