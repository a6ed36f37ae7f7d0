"""Fuzzer finding: program seed 11100000316, function f3, POLYRAY_TARGET=cpu
(ran: cpu; reason: POLYRAY_TARGET=cpu).

return: original array([[2.9899154],
       [3.75     ],
       [3.75     ]], dtype=float32) vs variant array([[2.98991527],
       [3.75      ],
       [3.75      ]])

Minimized from `python test/fuzz/generate.py 11100000316`; inputs are POLYRAY_CASES below
(trial 1). test/python/test_regressions.py runs files of this shape.
"""
import math

import numpy as np
import numpy.typing as npt


def f3(A: np.ndarray[tuple[int, int], np.dtype[np.float32]], B: np.ndarray[tuple[int, int], np.dtype[np.float32]], c: float):
    n = A.shape[0]
    return np.minimum(A, np.clip(np.minimum(np.min(B), A.min()), 0.75, 1.0)) + n


POLYRAY_CASES = [
    ('f3', {'A': {'array': [[-0.010084733366966248], [5.814548969268799], [4.662670612335205]], 'shape': [3, 1], 'dtype': 'float32'}, 'B': {'array': [[-1.1163465976715088], [1.9857591390609741]], 'shape': [2, 1], 'dtype': 'float32'}, 'c': 0.0}, ['cpu']),
]
