"""Fuzzer finding: program seed 12000000510, function c_f0, POLYRAY_TARGET=cpu and cpu-close (ran: cpu).

outcome: original IndexError('index 5 is out of bounds for axis 0 with size 5') vs variant ZeroDivisionError('float
division by zero'). c_f0 (hinted `d: float`) passes d to f0, which divides by it; called with np.float64(0.0), the
original divides NumPy's way (inf, then the IndexError further on), the variant, whose compiled f0 was typed with
the caller's Python float, CPython's way (ZeroDivisionError). A function whose compiled callee needs Python scalars
(CPython's division helpers, NEP 50's weak numbers) now needs them too (types/check.ts calleeNeedsPython): a NumPy
scalar argument runs the original. Written by hand from `python test/fuzz/generate.py 12000000510` (the run's
finding kept the caller only).
"""
import numpy as np
import numpy.typing as npt


def f0(n: np.int64, d: np.float64, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        B[i] = np.sqrt(A[i]) * (2.0 / d)
    B[n] = 1.0


def c_f0(n: int, d: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    f0(n=n, d=d, A=A, B=B)


POLYRAY_CASES = [
    ('c_f0', {'n': 5, 'd': {'scalar': 0.0, 'dtype': 'float64'}, 'A': {'array': [4.0, 1.0, 0.25, 9.0, 2.0], 'shape': [5]}, 'B': {'array': [0.0, 0.0, 0.0, 0.0, 0.0], 'shape': [5]}}, ['cpu', 'cpu-close']),
    ('c_f0', {'n': 5, 'd': 0.0, 'A': {'array': [4.0, 1.0, 0.25, 9.0, 2.0], 'shape': [5]}, 'B': {'array': [0.0, 0.0, 0.0, 0.0, 0.0], 'shape': [5]}}, ['cpu', 'cpu-close']),
    ('c_f0', {'n': 4, 'd': {'scalar': 0.5, 'dtype': 'float64'}, 'A': {'array': [4.0, 1.0, 0.25, 9.0, 2.0], 'shape': [5]}, 'B': {'array': [0.0, 0.0, 0.0, 0.0, 0.0], 'shape': [5]}}, ['cpu', 'cpu-close']),
    ('c_f0', {'n': 4, 'd': 0.5, 'A': {'array': [4.0, 1.0, 0.25, 9.0, 2.0], 'shape': [5]}, 'B': {'array': [0.0, 0.0, 0.0, 0.0, 0.0], 'shape': [5]}}, ['cpu', 'cpu-close']),
]
