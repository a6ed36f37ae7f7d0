"""Issue 15 item 2: inside a loop, `B[1:-1] = 0.33 * (A[:-2] + A[1:-1] + A[2:])` was modelled
with -1 and -2 as literal bounds (empty ranges): the time loop was called parallel, the lowered
loop had an empty extent and the guard refused every call; `x[-1]` was an element no iteration
writes, so `x[i] = x[-1] + 1.0` was called parallel. Negative constants now count from the end
(clipped at 0) in the model, the guard and the element loops; arrays shorter than the stencil
and an index out of range (IndexError) are compared too."""
import numpy as np


def jacobi_1d(TSTEPS: int, A: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
    for t in range(1, TSTEPS):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])


def last(x: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> None:
    for i in range(n):
        x[i] = x[-1] + 1.0


def edges(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]], T: int) -> None:
    for t in range(T):
        B[-1, 1:] = A[-2, :-1] * 0.5
        A[0, :] = B[-1, :] + A[0, :]


POLYRAY_CASES = [
    ('jacobi_1d', {'TSTEPS': 4, 'A': {'array': [1.0, 2.5, -3.0, 4.0, 0.5, 7.0], 'shape': [6]}, 'B': {'array': [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 'shape': [6]}}, ['cpu', 'auto', 'gpu']),
    ('jacobi_1d', {'TSTEPS': 3, 'A': {'array': [1.0, 2.0], 'shape': [2]}, 'B': {'array': [3.0, 4.0], 'shape': [2]}}, ['cpu', 'gpu']),
    ('jacobi_1d', {'TSTEPS': 3, 'A': {'array': [1.0], 'shape': [1]}, 'B': {'array': [3.0], 'shape': [1]}}, ['cpu']),
    ('last', {'x': {'array': [1.0, 2.0, 3.0, 4.0], 'shape': [4]}, 'n': 4}, ['cpu', 'auto']),
    ('last', {'x': {'array': [], 'shape': [0]}, 'n': 2}, ['cpu']),
    ('edges', {'A': {'array': [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], 'shape': [3, 3]}, 'B': {'array': [[0.5, 0.25, 2.0], [1.0, 3.0, -1.0]], 'shape': [2, 3]}, 'T': 3}, ['cpu', 'auto', 'gpu']),
    ('edges', {'A': {'array': [[1.0, 2.0]], 'shape': [1, 2]}, 'B': {'array': [[1.0, 2.0]], 'shape': [1, 2]}, 'T': 2}, ['cpu']),
]
