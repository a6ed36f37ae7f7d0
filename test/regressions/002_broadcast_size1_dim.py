"""Fuzzer finding (program seed 1000370, minimized): NumPy broadcasts a size-1
dimension, Numba's array expression asserts equal sizes. The original returns 1.0
and writes B; POLYRAY_TARGET=cpu (ran cpu) raises AssertionError('Sizes of A, B do
not match ...'). A correct call turned into an exception."""
import numpy as np
import numpy.typing as npt


def f0(m: int, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> float:
    s = 1.0
    for i in range(m - 1, -1, -1):
        A[i + 2, 1] += B[i, i]
    B[:] = A * 3.0 + B
    return s


POLYRAY_CASES = [
    ('f0', {'m': 0, 'A': {'array': [[2.0]], 'shape': [1, 1]}, 'B': {'array': [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], 'shape': [3, 2]}}, ['cpu']),
]
