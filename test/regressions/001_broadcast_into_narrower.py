"""Fuzzer finding (program seed 900000019, minimized): a whole-array statement whose
result (3,2) does not fit its target (3,1). The original raises NumPy's ValueError
('could not broadcast input array from shape (3,2) into shape (3,1)'); the cpu variant
raises AssertionError('Sizes of B, C do not match ...'). Related: where both raise
ValueError, Numba's message differs ('unable to broadcast argument 1 to output array',
'cannot assign slice of shape ...')."""
import numpy as np
import numpy.typing as npt


def f1(n: int, C: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        B[i, 0] = C[i, 0]
    C[:] = B * 0.5 + C


POLYRAY_CASES = [
    ('f1', {'n': 0, 'C': {'array': [[1.0], [2.0], [3.0]], 'shape': [3, 1]}, 'B': {'array': [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], 'shape': [3, 2]}}, ['cpu']),
]
