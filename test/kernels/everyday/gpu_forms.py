"""A NumPy scalar parameter and a module constant in a loop the GPU variant runs as a kernel
(test/python/test_module_constants.py runs it under Numba's CUDA simulator)."""
import numpy as np

DAMPING = 0.5


def damped_axpy(a: np.float64, x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]):
    for i in range(x.shape[0]):
        y[i] = a * x[i] + DAMPING * y[i]
