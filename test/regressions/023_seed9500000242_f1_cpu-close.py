"""Fuzzer finding: program seed 9500000242, function f1, POLYRAY_TARGET=cpu-close (ran: cpu).

outcome: original ok(array([], dtype=float64)) vs variant ValueError('negative dimensions are not allowed').
NumPy's np.repeat of an empty array returns an empty array for any count, a negative one too; it raises
only for a non-empty array. runtime/array_helpers.repeat's flat form checked the count first. Now an empty
array returns at once, in both modes.

Written by hand from `python test/fuzz/generate.py 9500000242` (the run found it at seed 9500, program 242).
"""
import numpy as np
import numpy.typing as npt


def f1(v: np.ndarray[tuple[int,], np.dtype[np.float64]], k: int) -> npt.NDArray[np.float64]:
    r = np.repeat(v, k)
    return r


POLYRAY_CASES = [
    ('f1', {'v': {'array': [], 'shape': [0]}, 'k': -1}, ['cpu', 'cpu-close']),
    ('f1', {'v': {'array': [], 'shape': [0]}, 'k': 3}, ['cpu', 'cpu-close']),
    ('f1', {'v': {'array': [1.5, -2.0], 'shape': [2]}, 'k': -1}, ['cpu', 'cpu-close']),
    ('f1', {'v': {'array': [1.5, -2.0], 'shape': [2]}, 'k': 2}, ['cpu', 'cpu-close']),
]
