"""np.linalg.norm with keepdims=True, as scientists normalize rows and vectors:
test/python/test_norm_keepdims.py compiles this file in both numerics modes and compares every
function with its original."""
import numpy as np


def normalize_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def column_scale(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.linalg.norm(X, ord=1, axis=0, keepdims=True)


def max_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    return np.linalg.norm(X, np.inf, 1, True)


def unit_vector(v: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # the vector's 1-norm and inf-norm: NumPy's bits in both modes
    return v / np.linalg.norm(v, 1, keepdims=True), np.linalg.norm(v, ord=-np.inf, axis=0, keepdims=True)


def frobenius_kept(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.linalg.norm(X, keepdims=True), np.linalg.norm(X, 'fro', None, False)


def int_vector(k: np.ndarray[tuple[int], np.dtype[np.int64]]):
    return np.linalg.norm(k, ord=2, axis=0, keepdims=True)
