"""Fuzzer finding: program seed 11100000316, function f3, POLYRAY_TARGET=cpu (ran: cpu).

return: original array([[2.9899154], [3.75], [3.75]], dtype=float32) vs variant array([[2.98991527], [3.75],
[3.75]]) (float64). np.minimum of two float32 reductions is a NumPy float32 scalar; the types stage typed a ufunc of
NumPy scalars by kind only (read as float64), so np.clip's scalar form (float64 only) accepted it and Numba's clip
widened. The types stage now gives a ufunc of NumPy scalars of a narrow dtype NumPy 2's dtype, casts a Python
number beside them to it (NEP 50) and refuses what Numba computes in another dtype (types/scalar-ufunc.ts, checked
against NumPy and Numba in test/ts/scalar-ufunc.test.ts): f3 keeps the original (np.clip of a float32 scalar), and
g, h and k (the same reductions without clip, float32 and int16 elements through ufuncs) stay compiled with NumPy's
dtypes.

Minimized from `python test/fuzz/generate.py 11100000316` (kept in test/fuzz/findings/001 until fixed); g, h, k
written by hand.
"""
import numpy as np


def f3(A: np.ndarray[tuple[int, int], np.dtype[np.float32]], B: np.ndarray[tuple[int, int], np.dtype[np.float32]], c: float):
    n = A.shape[0]
    return np.minimum(A, np.clip(np.minimum(np.min(B), A.min()), 0.75, 1.0)) + n


def g(A: np.ndarray[tuple[int, int], np.dtype[np.float32]], B: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    n = A.shape[0]
    low = np.maximum(np.minimum(np.min(B), A.min()), 0.75)
    return np.minimum(A, low) + n, low


def h(x: np.ndarray[tuple[int], np.dtype[np.float32]]):
    s = np.float32(0.0)
    for i in range(x.shape[0]):
        s = s + np.sqrt(np.maximum(x[i], 0.5)) * np.abs(x[i] - 1.5)
    return s


def k(a: np.ndarray[tuple[int], np.dtype[np.int16]], out: np.ndarray[tuple[int], np.dtype[np.int16]]):
    for i in range(a.shape[0]):
        out[i] = np.abs(a[i]) + np.maximum(a[i], 3)
    return out[0]


POLYRAY_CASES = [
    ('f3', {'A': {'array': [[-0.010084733366966248], [5.814548969268799], [4.662670612335205]], 'shape': [3, 1], 'dtype': 'float32'}, 'B': {'array': [[-1.1163465976715088], [1.9857591390609741]], 'shape': [2, 1], 'dtype': 'float32'}, 'c': 0.0}, ['cpu', 'cpu-close']),
    ('g', {'A': {'array': [[-0.010084733366966248], [5.814548969268799], [4.662670612335205]], 'shape': [3, 1], 'dtype': 'float32'}, 'B': {'array': [[0.8163465976715088], [1.9857591390609741]], 'shape': [2, 1], 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
    ('h', {'x': {'array': [0.1, 2.7, 3.3000001907348633, -4.0, 1e30], 'shape': [5], 'dtype': 'float32'}}, ['cpu']),
    ('k', {'a': {'array': [-32768, 5, -7, 32767], 'shape': [4], 'dtype': 'int16'}, 'out': {'array': [0, 0, 0, 0], 'shape': [4], 'dtype': 'int16'}}, ['cpu', 'cpu-close']),
]
