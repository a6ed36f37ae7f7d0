"""Fuzzer finding (program seed 98000112, minimized): isl rescheduled a function that also
has a whole-array statement, and the rescheduled nest's prange put Numba in parallel mode,
where a broadcast that NumPy rejects with ValueError fails Numba's AssertionError
('Sizes of B, C do not match'). Functions with array expressions are no longer rescheduled."""
import numpy as np
import numpy.typing as npt


def f0(B: npt.NDArray[np.int64], C: npt.NDArray[np.int64], A: npt.NDArray[np.int64], n: int) -> None:
    for i in range(n - 1):
        for j in range(i + 1, n):
            A[i] = A[i] + C[n - 1, i + 1] - B[i, j] % 2
    C[:] = B * -1 + C


POLYRAY_CASES = [
    ('f0', {'B': {'array': [[]], 'shape': [0, 0], 'dtype': 'int64'}, 'C': {'array': [], 'shape': [0, 1], 'dtype': 'int64'}, 'A': {'array': [], 'shape': [0], 'dtype': 'int64'}, 'n': 0}, ['cpu']),
    ('f0', {'B': {'array': [[1, 2], [3, 4]], 'shape': [2, 2], 'dtype': 'int64'}, 'C': {'array': [[1, 2, 3], [3, 4, 5]], 'shape': [2, 3], 'dtype': 'int64'}, 'A': {'array': [1, 2], 'shape': [2], 'dtype': 'int64'}, 'n': 2}, ['cpu']),
]
