"""NumPy slice statements the CPU variant runs as element loops (poly/lower-slices.ts), and ones it must not."""
import numpy as np
import numpy.typing as npt


def scale_rows(C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], n: int, alpha: float) -> None:
    for i in range(n):
        C[i, :] = C[i, :] * alpha + np.sqrt(np.abs(A[i, :]))


def between(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int, beta: float) -> None:
    x *= beta
    for i in range(n):
        y[i] = y[i] + x[i]
    x[:] = y * 2.0 + x


def self_element(x: npt.NDArray[np.float64], n: int) -> None:
    # NumPy reads x[0] once, before writing: not lowered
    x[0:n] = x[0:n] * x[0]


def complex_mix(z: npt.NDArray[np.complex128], w: npt.NDArray[np.complex128], n: int) -> None:
    for i in range(n):
        z[i] = z[i] * 0.5 + w[i]
    z[:] = z * 2.0 - w * (1 + 1j)
    w[:] = w * 0.5


def chain(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], c: npt.NDArray[np.float64], t: npt.NDArray[np.float64], out: npt.NDArray[np.float64], n: int) -> None:
    # the first three fuse into one loop (t and out read where they were just written);
    # the fourth reads out one element further on: a loop of its own
    t[0:n] = a[0:n] * b[0:n]
    out[0:n] = t[0:n] + c[0:n]
    out[0:n] *= 0.5
    c[1:n] = out[1:n] * 2.0


def scalar_between(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
    # both read x at the same elements, but x[0] as a scalar must see all of the first statement's writes: not fused
    x[:] = x * 3.0
    y[:] = x + y * x[0]


def stencil_steps(A: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int) -> None:
    # NumPy's jacobi-1d: the implicit loops run in parallel inside the sequential time loop
    n = A.shape[0]
    for t in range(steps):
        B[1:n - 1] = 0.33333 * (A[0:n - 2] + A[1:n - 1] + A[2:n])
        A[1:n - 1] = 0.33333 * (B[0:n - 2] + B[1:n - 1] + B[2:n])


def blend(a: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    # ranks from the hints: whole arrays by name, fused, the row loop in parallel
    out[:, :] = a * b
    out += np.sqrt(np.abs(a))


def temporaries(a: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]], alpha: float) -> None:
    # NumPy style: t and u are contracted to scalars, one pass, no allocation
    t = a * b
    u = t * alpha - a
    out[:, :] = np.sqrt(np.abs(u)) + t


def kept_temporary(a: np.ndarray[tuple[int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    # d is returned and read in a loop: allocated, filled element by element, then used
    d = (a - b) / 2.0
    for i in range(1, n):
        a[i] = d[i - 1] + a[i]
    return d


def broadcast_temporary(a: np.ndarray[tuple[int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
    # b of length 1 broadcasts in NumPy: the guard sends such calls to the original
    t = a + b
    out[:] = t * t


def after_matmul(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]], C: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
    # D and y have shapes the model knows (the guard checks the inner dimensions), so the loops
    # that read them are proven in bounds and parallel; the products stay library calls
    D = A @ B.T
    y = np.dot(A, x)
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] = C[i, j] * y[i] + D[i, j]


def symmetrize(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], S: np.ndarray[tuple[int, int], np.dtype[np.float64]], alpha: float) -> None:
    # transposes: read with the implicit loops in reverse; A may be written in place only where
    # it is read at the same element, so the last statement stays NumPy's (copy, then write)
    S[:, :] = (A + A.T) * 0.5
    S[:, :] += alpha * S.T * 0.0 + S
    A[:, :] = A.T


def standardize(data: np.ndarray[tuple[int, int], np.dtype[np.float64]], mean: np.ndarray[tuple[int], np.dtype[np.float64]], std: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    # rank broadcasting: mean and std line up with the columns (covariance in NumPy style)
    centered = data - mean
    out[:, :] = centered / std
    data[:, :] = data[0, :] * 2.0


def column_counts(m: np.ndarray[tuple[int, int], np.dtype[np.int64]], out: np.ndarray[tuple[int], np.dtype[np.int64]]) -> int:
    # an integer sum along an axis is a temporary of known shape (m's columns): the loop reading it is
    # proven in bounds and parallel; the sums stay NumPy's (exact for integers in any order)
    col = m.sum(axis=0)
    for j in range(out.shape[0]):
        out[j] = col[j] * 2
    return int(np.sum(m))


def normalize(x: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
    # a float sum and mean of a vector: in NumPy's pairwise order (numba_helpers.pairwise_sum), so the
    # function is accelerated and its loop runs in parallel, bit for bit
    s = np.sum(x)
    m = x.mean()
    for i in range(out.shape[0]):
        out[i] = (x[i] - m) / s
    return s


def scale_to_unit_sum(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    # the sum of a matrix parameter in NumPy's order (memory order when contiguous; a strided
    # view fails to compile and the original runs)
    total = A.sum()
    for i in range(B.shape[0]):
        for j in range(B.shape[1]):
            B[i, j] = A[i, j] / total
