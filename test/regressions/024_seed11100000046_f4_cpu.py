"""Fuzzer finding: program seed 11100000046, function f4, POLYRAY_TARGET=cpu and cpu-close (ran: cpu).

outcome: original array([2.602329], dtype=float32) vs variant array([2.60232902]) (float64).
np.where of a float32 array and a Python number: NumPy 2 keeps float32 (NEP 50: the Python number is weak), Numba's
np.where widens to float64. The types stage now keeps the original for np.where with an array of a narrow dtype
beside a Python number (types/check-helpers.whereNarrowBesidePython); two float32 arrays stay compiled (g, below).
Since the twelfth session a float32 array beside a Python int or float is compiled with the number cast to
np.float32, a float parameter inside it required to come as a Python float (test/regressions/026).

Written by hand from `python test/fuzz/generate.py 11100000046` (the run found it at seed 11100, program 46, with the
returned-expression family's float32 functions of 65bce4e).
"""
import numpy as np


def f4(A: np.ndarray[tuple[int], np.dtype[np.float32]], B: np.ndarray[tuple[int], np.dtype[np.float32]], c: float):
    r = np.where(A != B, (np.abs(A) * (c - A.max())), (1.0 - c))
    return r


def g(A: np.ndarray[tuple[int], np.dtype[np.float32]], B: np.ndarray[tuple[int], np.dtype[np.float32]]):
    r = np.where(A != B, np.abs(A), B)
    return r


POLYRAY_CASES = [
    ('f4', {'A': {'array': [1.5, -2.0, 3.25], 'shape': [3], 'dtype': 'float32'}, 'B': {'array': [1.5, 0.0, 1.0], 'shape': [3], 'dtype': 'float32'}, 'c': 0.75}, ['cpu', 'cpu-close']),
    ('f4', {'A': {'array': [2.5], 'shape': [1], 'dtype': 'float32'}, 'B': {'array': [0.5], 'shape': [1], 'dtype': 'float32'}, 'c': 1e300}, ['cpu', 'cpu-close']),
    ('g', {'A': {'array': [1.5, -2.0, 3.25], 'shape': [3], 'dtype': 'float32'}, 'B': {'array': [1.5, 0.0, 1.0], 'shape': [3], 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
]
