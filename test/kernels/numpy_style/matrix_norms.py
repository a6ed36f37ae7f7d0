"""A matrix's 1-norm and inf-norm, real and complex (issue 17), written as scientists write them:
test/python/test_matrix_norms.py compiles this file in both numerics modes (close mode compiles them:
the column or row sums of |A| in close_reductions' blocks, then NumPy's max; exact mode keeps the original)."""
import numpy as np
import numpy.typing as npt


def condition_estimate(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], Ainv: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
    # the 1-norm condition number of a matrix whose inverse is known
    return np.linalg.norm(A, 1) * np.linalg.norm(Ainv, 1)


def row_sum_bound(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
    n, m = A.shape
    return np.linalg.norm(A, ord=np.inf) / m


def transfer_norms(H: np.ndarray[tuple[int, int], np.dtype[np.complex128]]):
    # a complex transfer matrix: its largest column and row gains, and its Frobenius norm
    one = np.linalg.norm(H, 1)
    inf = np.linalg.norm(H, np.inf)
    fro = np.linalg.norm(H, 'fro')
    return one, inf, fro


def scaled_gain(H: np.ndarray[tuple[int, int], np.dtype[np.complex128]], out: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> None:
    out[:] = H
    out[:] = H / np.linalg.norm(H, 1)
