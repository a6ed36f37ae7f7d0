"""Fuzzer finding (program seed 903000004, minimized; issue 15 item 2's generator): a statement
broadcasting through `np.newaxis` stays a NumPy operator in compiled code, while the slice
statement of another loop was lowered and its implicit loop run as prange, which put the whole
function in Numba's parallel mode: there Numba's array analysis asserted equal shapes
(AssertionError) where NumPy raised ValueError (shapes (3,) and (1,9)). Implicit loops now run
as prange only when no other NumPy operator on arrays remains in the function.
(Inputs this small run the serial form unless POLYRAY_CPU_FORM=parallel, as the fuzzer sets it
on every other trial: test/python/test_newaxis.py runs this function in the parallel form.)"""
import numpy as np
import numpy.typing as npt


def f0(A: npt.NDArray[np.float64], n: int, B: npt.NDArray[np.float64]) -> float:
    s = 1.0
    for i in range(1, B.shape[0]):
        B[i, :] = B[i, :] * -0.5 + A[np.newaxis, :]
    for i in range(n, 0, -2):
        B[i, 0:2] += np.sqrt(np.abs(B[i, 0:2]))
    return s


POLYRAY_CASES = [
    ('f0', {'A': {'array': [7.565, 7.677, -0.446, 4.641, 7.157, -1.682, 0.041, -2.354, -5.397], 'shape': [9]}, 'n': 1, 'B': {'array': [[1.177, -4.809, 2.087], [-1.705, 1.607, 0.5], [2.056, -8.665, -0.668]], 'shape': [3, 3]}}, ['cpu', 'auto']),
    ('f0', {'A': {'array': [7.565, 7.677, -0.446], 'shape': [3]}, 'n': 2, 'B': {'array': [[1.177, -4.809, 2.087], [-1.705, 1.607, 0.5], [2.056, -8.665, -0.668]], 'shape': [3, 3]}}, ['cpu', 'auto']),
]
