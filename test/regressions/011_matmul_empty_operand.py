"""Fuzzer finding (program seed 7000338, minimized): Numba's `@` and np.dot skip the check
of the summed dimension when an operand is empty: (1, 0) @ (1, 0) returned where NumPy
raises ValueError. The variant now checks shapes first (numba_helpers.matmul/dot)."""
import numpy as np
import numpy.typing as npt


def f2(n: int, A: npt.NDArray[np.float64]) -> None:
    T = np.ones((n + 1, len(A)))
    T[:, :] = T @ T


def g(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64]) -> None:
    C[:, :] = np.dot(A, B)


POLYRAY_CASES = [
    ('f2', {'n': 0, 'A': {'array': [], 'shape': [0, 1]}}, ['cpu']),
    ('f2', {'n': 1, 'A': {'array': [[1.0], [2.0]], 'shape': [2, 1]}}, ['cpu']),
    ('g', {'A': {'array': [[]], 'shape': [1, 0]}, 'B': {'array': [[]], 'shape': [1, 0]}, 'C': {'array': [[]], 'shape': [1, 0]}}, ['cpu']),
    ('g', {'A': {'array': [[1.0, 2.0]], 'shape': [1, 2]}, 'B': {'array': [[1.0], [2.0]], 'shape': [2, 1]}, 'C': {'array': [[0.0]], 'shape': [1, 1]}}, ['cpu']),
]
