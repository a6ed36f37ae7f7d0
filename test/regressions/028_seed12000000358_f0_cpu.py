"""Fuzzer finding: program seed 12000000358, function f0, POLYRAY_TARGET=cpu and cpu-close (ran: cpu).

array OUT differs after the call: original [8, 8, 8, 188] vs variant [248, 8, 248, 188] (uint8). Numba's np.sign of
an unsigned integer from 2**(bits - 1) up is its -1 (255 for a uint8; arrays and scalars alike), NumPy's 1. The types
stage now keeps the original for np.sign of unsigned integers (types/check-numpy-calls.ts); signed ones, whose
results agree, stay compiled (g). Reached by the narrow family's ufuncs of elements (twelfth session).
"""
import numpy as np
import numpy.typing as npt


def f0(A: npt.NDArray[np.uint8], B: npt.NDArray[np.uint8], OUT: npt.NDArray[np.uint8], n: int) -> None:
    for i in range(min(A.shape[0], B.shape[0], OUT.shape[0])):
        OUT[i] = (np.sign(A[i]) << 3)


def whole(A: npt.NDArray[np.uint16]):
    return np.sign(A) * 2


def g(A: npt.NDArray[np.int8], OUT: npt.NDArray[np.int8]) -> None:
    for i in range(min(A.shape[0], OUT.shape[0])):
        OUT[i] = np.sign(A[i]) * 3


POLYRAY_CASES = [
    ('f0', {'A': {'array': [136, 72, 157], 'shape': [3], 'dtype': 'uint8'}, 'B': {'array': [234, 44, 79, 86], 'shape': [4], 'dtype': 'uint8'}, 'OUT': {'array': [178, 151, 49, 188], 'shape': [4], 'dtype': 'uint8'}, 'n': 0}, ['cpu', 'cpu-close']),
    ('whole', {'A': {'array': [0, 1, 32768, 65535], 'shape': [4], 'dtype': 'uint16'}}, ['cpu', 'cpu-close']),
    ('g', {'A': {'array': [-128, -1, 0, 5, 127], 'shape': [5], 'dtype': 'int8'}, 'OUT': {'array': [0, 0, 0, 0, 0], 'shape': [5], 'dtype': 'int8'}}, ['cpu', 'cpu-close']),
]
