"""Joins of arrays of different dtypes (issue 17), written as scientists write them:
test/python/test_promoted_joins.py compiles this file in both numerics modes and compares
every function with its original, bit for bit (NumPy's promoted dtype, each part cast to it)."""
import numpy as np
import numpy.typing as npt


def timeline(counts: np.ndarray[tuple[int], np.dtype[np.int64]], rates: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    # measured counts followed by modelled rates
    return np.concatenate((counts, rates))


def features(x32: np.ndarray[tuple[int, int], np.dtype[np.float32]], extra: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = x32.shape
    wide = np.hstack([x32, extra])
    tall = np.vstack((extra, x32))
    return wide, tall


def paired(labels: np.ndarray[tuple[int], np.dtype[np.int32]], scores: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.column_stack([labels, scores]), np.stack([labels, scores], axis=-1), np.array([scores, labels])


def flags_and_ids(ids: np.ndarray[tuple[int], np.dtype[np.int64]], mask: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> npt.NDArray[np.int64]:
    return np.concatenate([ids, mask])


def big_ids(u: np.ndarray[tuple[int], np.dtype[np.uint64]], k: np.ndarray[tuple[int], np.dtype[np.int64]]) -> npt.NDArray[np.float64]:
    return np.concatenate([u, k])  # uint64 with int64: float64 in NumPy


def planes(a: np.ndarray[tuple[int, int], np.dtype[np.uint8]], b: np.ndarray[tuple[int, int], np.dtype[np.int16]]):
    return np.dstack([a, b])


def complex_tail(z: np.ndarray[tuple[int], np.dtype[np.complex128]], x: np.ndarray[tuple[int], np.dtype[np.float32]]):
    return np.concatenate((z, x))
