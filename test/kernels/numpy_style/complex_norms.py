"""np.linalg.norm of complex128 input and np.average(..., returned=True) without weights (issue 17),
written as scientists write them: test/python/test_complex_norms.py compiles this file in both
numerics modes and compares every function with its original."""
import numpy as np
import numpy.typing as npt


# --- NumPy's bits in both modes: abs(z) through NumPy's complex absolute value, then a pairwise sum or a max/min

def spectrum_norms(z: np.ndarray[tuple[int], np.dtype[np.complex128]]):
    l1 = np.linalg.norm(z, 1)
    peak = np.linalg.norm(z, np.inf)
    floor = np.linalg.norm(z, -np.inf)
    return l1, peak, floor


def amplitude(z: np.ndarray[tuple[int], np.dtype[np.complex128]]) -> float:
    # along the vector's axis: sqrt of the pairwise sum of (z.conj() * z).real, NumPy's complex product
    return np.linalg.norm(z, axis=0)


def channel_peaks(Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> npt.NDArray[np.float64]:
    n, m = Z.shape
    peaks = np.linalg.norm(Z, ord=np.inf, axis=1)
    return peaks / m


def mean_and_count(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    m, n = np.average(x, returned=True)
    return m, n


def plain_average(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.average(x, returned=False)


# --- close mode only: BLAS dots or sums along a matrix's axis

def signal_energy(z: np.ndarray[tuple[int], np.dtype[np.complex128]]) -> float:
    return np.linalg.norm(z) ** 2


def frobenius(Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> float:
    return np.linalg.norm(Z, 'fro')


def row_lengths(Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]):
    return np.linalg.norm(Z, axis=1), np.linalg.norm(Z, 1, axis=0, keepdims=True)


def row_means(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    means, counts = np.average(A, axis=1, returned=True)
    return means, counts


def column_means(A: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    return np.average(A, axis=0, keepdims=True, returned=True)


def vote_means(K: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    avg, scl = np.average(K, axis=-1, returned=True)
    return avg * scl


def matrix_one_norm(Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> float:
    return np.linalg.norm(Z, 1)  # the largest column sum: column sums in blocks, close mode only


# --- kept original


def single_precision(z: np.ndarray[tuple[int], np.dtype[np.complex64]]) -> float:
    return np.linalg.norm(z, 1)
