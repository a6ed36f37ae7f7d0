"""Fuzzer finding (program seed 7000552, minimized): Numba's prange counter is unsigned,
so `-i` of a plain prange index wrapped to 2**64 - i (the variant wrote -9.2e18 where
Python writes 0.0). Generated code now casts every prange counter to int64 first."""
import numpy as np
import numpy.typing as npt


def f1(A: npt.NDArray[np.complex128], n: int) -> float:
    s = 1.0
    for i in range(A.shape[0]):
        A[i, i] = (-0.5 - -i * 0.5)
    return s


def neg(y: npt.NDArray[np.float64]) -> None:
    for i in range(y.shape[0]):
        y[i] = -i


POLYRAY_CASES = [
    ('f1', {'A': {'array': [[1 + 2j, 0j], [3 + 4j, 5 - 1j]], 'shape': [2, 2], 'dtype': 'complex128'}, 'n': -3}, ['cpu']),
    ('neg', {'y': {'array': [0.0, 0.0, 0.0, 0.0], 'shape': [4]}}, ['cpu']),
]
