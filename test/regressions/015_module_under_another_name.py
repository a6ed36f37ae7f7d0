"""Issue 15 item 3: a compiled module imported (importlib, spec_from_file_location) under
another module name, or from a copy of its folder, in a second process died of
ModuleNotFoundError: Numba's on-disk cache handed it the entry the first process had
written, which re-imports the module by the first name (numba issue 7075). Entries are
now keyed by the module's name and used only while sys.modules holds the module; any
failure to prepare a variant runs the original. test_regressions.py runs every
reproducer so (test_regressions_under_other_module_names_and_folders); this is the
plainest program that hit it: a parallel loop (prange, serial form for small calls) and
a sequential one that raises IndexError with partial writes, like the original."""
import numpy as np
import numpy.typing as npt


def axpy(A: np.ndarray, B: np.ndarray, s: float) -> None:
    for i in range(A.shape[0]):
        A[i] = A[i] * s + B[i]


def gather(A: np.ndarray, idx: npt.NDArray[np.int64], out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = A[idx[i]] + 1.0


POLYRAY_CASES = [
    ('axpy', {'A': {'array': [1.0, -2.5, 3.0, 0.5], 'shape': [4]}, 'B': {'array': [0.25, 1.0, -1.0, 2.0], 'shape': [4]}, 's': 1.5}, ['cpu', 'auto', 'gpu']),
    ('axpy', {'A': {'array': [], 'shape': [0]}, 'B': {'array': [], 'shape': [0]}, 's': 2.0}, ['cpu', 'auto']),
    ('gather', {'A': {'array': [1.0, 2.0, 3.0], 'shape': [3]}, 'idx': {'array': [2, 0, 1], 'shape': [3], 'dtype': 'int64'}, 'out': {'array': [0.0, 0.0, 0.0], 'shape': [3]}}, ['cpu', 'auto']),
    ('gather', {'A': {'array': [1.0, 2.0, 3.0], 'shape': [3]}, 'idx': {'array': [1, 7, 0], 'shape': [3], 'dtype': 'int64'}, 'out': {'array': [0.0, 0.0, 0.0], 'shape': [3]}}, ['cpu', 'auto']),
]
