"""Fuzzer finding (program seed 1000127, minimized by hand): slices clip in NumPy
(B[i, :3] of a 3x2 B has 2 elements), so `A[i, :n] += B[i, :n] * 2.0` raises
ValueError (operands could not be broadcast together with shapes (3,) (2,) (3,)) in
the original. The cpu variant (ran cpu, no guard fallback) returns normally and
writes A[:, :2]: a silently different result. With B of 2 rows the variant raises
IndexError instead (the fuzzer's original report)."""
import numpy as np
import numpy.typing as npt


def clip(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], n: int) -> None:
    for i in range(n):
        A[i, :n] += B[i, :n] * 2.0


POLYRAY_CASES = [
    ('clip', {'A': {'array': [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], 'shape': [3, 3]}, 'B': {'array': [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], 'shape': [3, 2]}, 'n': 3}, ['cpu']),
    ('clip', {'A': {'array': [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], 'shape': [3, 3]}, 'B': {'array': [[1.0, 1.0], [1.0, 1.0]], 'shape': [2, 2]}, 'n': 3}, ['cpu']),
]
