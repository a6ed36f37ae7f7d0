"""dtype= as scientists write it (issue 17): np.float64, float, int, bool, A.dtype, strings, positional
dtypes, and .astype(); test/python/test_dtype_forms.py compiles this file in both numerics modes."""
import numpy as np
import numpy.typing as npt


def sweep(u: np.ndarray[tuple[int, int], np.dtype[np.float64]], c: float):
    # adi's spelling: scratch arrays shaped and typed like the input
    p = np.empty(u.shape, dtype=u.dtype)
    q = np.zeros_like(u, dtype=float)
    n, m = u.shape
    p[:, 0] = 0.0
    q[:, 0] = u[:, 0]
    for j in range(1, m):
        p[:, j] = -c / (p[:, j - 1] + 2.0)
        q[:, j] = (u[:, j] - q[:, j - 1]) / (p[:, j - 1] + 2.0)
    return p + q


def bin_counts(x: npt.NDArray[np.float64], nbins: int, lo: float, hi: float):
    counts = np.zeros(nbins, dtype=int)
    width = (hi - lo) / nbins
    for i in range(x.shape[0]):
        for b in range(nbins):
            if x[i] >= lo + b * width and x[i] < lo + (b + 1) * width:
                counts[b] += 1
    return counts


def positive_mask(x: npt.NDArray[np.float64]):
    mask = np.zeros(x.shape[0], 'bool')
    for i in range(x.shape[0]):
        mask[i] = x[i] > 0.0
    return mask


def single_precision_scale(x: npt.NDArray[np.float64], s: float):
    y = np.empty((x.shape[0], 2), 'float32')
    for i in range(x.shape[0]):
        y[i, 0] = x[i]
        y[i, 1] = x[i] * s
    return y


def filled(n: int, v: int):
    return np.full(n, v, dtype='int32')


def column_buffer(A: npt.NDArray[np.float64]):
    # positional dtype of another array, as in NPBench's spmv
    col = np.empty(A.shape[0], A.dtype)
    for i in range(A.shape[0]):
        col[i] = A[i, 0] * 2.0
    return col


def halves(k: npt.NDArray[np.int32]):
    return k.astype(float) * 0.5


def to_single(x: npt.NDArray[np.float64]):
    return x.astype(np.float32)


def widen(k: npt.NDArray[np.int16]):
    w = k.astype('int64')
    return w * w


def as_flags(x: npt.NDArray[np.float64]):
    return x.astype(bool)


def rows_like(a: npt.NDArray[np.float32], n: int):
    dt = a.dtype
    out = np.zeros((n, a.shape[0]), dt)
    for i in range(n):
        for j in range(a.shape[0]):
            out[i, j] = a[j] * i
    return out
