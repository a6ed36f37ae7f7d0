"""NumPy functions added to the table (src/compiler/types/numpy-table.ts), written as
scientists write them: test/python/test_numpy_table.py compiles this file in both
numerics modes and compares every function with its original."""
import numpy as np
import numpy.typing as npt


def block_sums(x: npt.NDArray[np.float64], nb: int) -> npt.NDArray[np.float64]:
    blocks = x.reshape(nb, -1)
    out = np.zeros(nb)
    for i in range(nb):
        for j in range(blocks.shape[1]):
            out[i] += blocks[i, j]
    return out


def scale_as_grid(v: npt.NDArray[np.float64], n: int, m: int) -> npt.NDArray[np.float64]:
    g = np.reshape(v, (n, m))
    for i in range(n):
        for j in range(m):
            g[i, j] = g[i, j] * 2.0 + i
    return g


def stack_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = A.shape
    flat = A.reshape((n * m,))
    return flat * 0.5 + A.reshape(n * m)


def mirror_blend(x: npt.NDArray[np.float64], w: float) -> npt.NDArray[np.float64]:
    y = x.copy()
    for k in range(1, x.shape[0]):
        y[:k] += w * np.flip(y[:k])
    return y


def flip_both(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.flipud(A) - 2.0 * np.fliplr(A)


def in_band(radius: npt.NDArray[np.float64], r1: float, r2: float) -> npt.NDArray[np.bool_]:
    return np.logical_and(r1 <= radius, radius < r2)


def count_inside(radius: npt.NDArray[np.float64], lo: float, hi: float) -> int:
    inside = np.logical_not(np.logical_or(radius < lo, radius > hi))
    odd = np.logical_xor(inside, radius > 0.0)
    c = 0
    for i in range(inside.shape[0]):
        if inside[i]:
            c += 1
        if odd[i]:
            c += 100
    return c


def grid_line(xmin: float, xmax: float, n: int) -> npt.NDArray[np.float64]:
    x = np.linspace(xmin, xmax, n, dtype=np.float64)
    y = np.linspace(0, 1, num=n)
    return x * 2.0 + y


def floyd_warshall(path: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    for k in range(path.shape[0]):
        path[:] = np.minimum(path[:], np.add.outer(path[:, k], path[k, :]))


def pair_tables(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]):
    return np.subtract.outer(x, y), np.multiply.outer(x, y), np.divide.outer(x, y), np.maximum.outer(x, y), np.outer(x, y)


def int_pairs(i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.add.outer(i, j) - np.minimum.outer(i, j)


def running_rows(a: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = a.shape
    out = np.ndarray((n, m), dtype=np.float64)
    for i in range(n):
        out[i, 0] = a[i, 0]
        for j in range(1, m):
            out[i, j] = out[i, j - 1] + a[i, j]
    return out


def cholesky_in_place(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    A[:] = np.linalg.cholesky(A) + np.triu(A, k=1)


def split_triangles(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.tril(A) - 3.0 * np.triu(A, 1)


def doitgen(A: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], C4: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    nr, nq, np_ = A.shape
    A[:] = np.reshape(np.reshape(A, (nr, nq, 1, np_)) @ C4, (nr, nq, np_))


def escaped(z: npt.NDArray[np.complex128], horizon: float) -> int:
    inside = np.less(abs(z), horizon)
    far = np.greater_equal(np.abs(z), 2.0 * horizon)
    c = 0
    for i in range(inside.shape[0]):
        if inside[i]:
            c += 1
        if far[i]:
            c += 1000
    return c


def narrow_compare(a: npt.NDArray[np.int8], b: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    return np.logical_or(np.equal(a, b), np.not_equal(a, 300))


def azimuthal_average(data: npt.NDArray[np.float64], radius: npt.NDArray[np.float64], npt_: int) -> npt.NDArray[np.float64]:
    histu = np.histogram(radius, npt_)[0]
    histw = np.histogram(radius, npt_, weights=data)[0]
    return histw / histu


def histogram_edges(x: npt.NDArray[np.float64], nbins: int) -> npt.NDArray[np.float64]:
    counts = np.histogram(x, bins=nbins)[0]
    edges = np.histogram(x, nbins)[1]
    return edges[1:] * counts


def peak_to_peak(x: npt.NDArray[np.float64]) -> float:
    i = np.argmax(x)
    j = x.argmin()
    return x[i] - x[j]


def sign_flags(x: npt.NDArray[np.float64]) -> int:
    c = 0
    if np.any(x < 0.0):
        c += 1
    if np.all(x > -5.0):
        c += 10
    if (x > 100.0).any():
        c += 100
    if x.all():
        c += 1000
    return c


def clipped(x: npt.NDArray[np.float64], lo: float, hi: float) -> npt.NDArray[np.float64]:
    return np.clip(x, lo, hi) + x.clip(0.0, 1.0)


def int_clip(i: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.clip(i, 0, 10)


def rounded(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.round(x, 2) + np.around(x) - np.round(x, decimals=1) + np.trunc(x) * np.rint(x)


def shifted_identity(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], alpha: float) -> npt.NDArray[np.float64]:
    n = A.shape[0]
    return A + alpha * np.eye(n) - np.identity(n) + np.eye(n, n, 1)


def tridiagonal(d: np.ndarray[tuple[int], np.dtype[np.float64]], e: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.diag(d) + np.diag(e, 1) + np.diag(e, k=-1)


def joined(a: np.ndarray[tuple[int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.concatenate((a, b)), np.hstack((a, b)), np.vstack((a, a)), np.stack((a, a), axis=1)


def side_by_side(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.concatenate((A, B), axis=1)


def weighted_counts(idx: npt.NDArray[np.int64], w: npt.NDArray[np.float64], n: int):
    return np.bincount(idx, weights=w, minlength=n), np.bincount(idx)


def kron_product(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.kron(A, B)


def running_product(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.cumprod(x) + x.cumprod()


def solve_both(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.linalg.solve(A, b), np.linalg.inv(A)


def covariance_of_columns(data: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.cov(np.transpose(data))


def covariance_of_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.cov(X) + np.cov(X.T).sum()


def periodic_laplacian(u: np.ndarray[tuple[int, int], np.dtype[np.float64]], h: float) -> npt.NDArray[np.float64]:
    # periodic boundaries by rolling the grid one cell each way along each axis
    lap = np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0) + np.roll(u, 1, axis=1) + np.roll(u, -1, 1) - 4.0 * u
    return lap / (h * h)


def shifted_series(x: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    lagged = np.roll(x, k)
    return x - lagged


def rolled_counts(c: np.ndarray[tuple[int, int, int], np.dtype[np.int64]], s: int):
    return np.roll(c, s), np.roll(c, s, axis=-1), np.roll(c, -s, axis=1)


def roll_past_rank(u: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.roll(u, 1, axis=2)


def channel_means(img: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    # (height, width, channels) to channels first, then per-channel scaling
    chw = np.swapaxes(img, 0, 2)
    c, w, h = chw.shape
    out = np.empty((c, w, h))
    for k in range(c):
        out[k] = chw[k] * (k + 1.0)
    return out


def zero_first_column(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    # a write through the view writes A
    v = np.swapaxes(A, 0, -1)
    v[0, :] = 0.0


def swap_past_rank(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.swapaxes(A, 0, 2)


def periodic_pattern(motif: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> npt.NDArray[np.float64]:
    signal = np.tile(motif, n)
    return signal * 0.5


def tiled_grid(block: np.ndarray[tuple[int, int], np.dtype[np.int64]], rows: int, cols: int):
    grid = np.tile(block, (rows, cols))
    wide = np.tile(block, cols)
    return grid, wide


def rows_of_a_vector(v: np.ndarray[tuple[int], np.dtype[np.float64]], m: int) -> npt.NDArray[np.float64]:
    # m copies of v as the rows of a matrix, minus the column means
    X = np.tile(v, (m, 1))
    n = X.shape[1]
    for j in range(n):
        X[:, j] -= v[j]
    return X


def centered(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return x - np.average(x)


def column_averages(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.average(A, axis=0)


def weighted_average(x: np.ndarray[tuple[int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
    return np.average(x, weights=w)


def weighted_center(counts: np.ndarray[tuple[int], np.dtype[np.int64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # an int64 sample and its weights, then the deviations from the weighted mean
    mu = np.average(counts, weights=w, returned=False)
    dev = np.empty(counts.shape[0])
    for i in range(counts.shape[0]):
        dev[i] = counts[i] - mu
    return mu, dev


def weighted_columns(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    # along an axis: close mode only (NumPy's sums along an axis of a matrix are not reproduced bit for bit)
    return np.average(A, axis=0, weights=w)


def channels_last(img: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    # the method form: (channels, height, width) to (width, height, channels), scaled per channel
    hwc = img.swapaxes(0, 2)
    w, h, c = hwc.shape
    out = np.empty((w, h, c))
    for k in range(c):
        out[:, :, k] = hwc[:, :, k] * (k + 1.0)
    return out


def zero_last_row_through_method(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    At = A.swapaxes(-1, 0)
    At[:, -1] = 0.0


def method_swap_past_rank(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return A.swapaxes(0, 3)


def tiled_volume(block: np.ndarray[tuple[int, int, int], np.dtype[np.float32]], r: int, s: int):
    # a 3-d block repeated along every axis, and along the last axis only
    vol = np.tile(block, (r, s, 2))
    strip = np.tile(block, s)
    return vol, strip


def tiled_batch(v: np.ndarray[tuple[int], np.dtype[np.int64]], b: int, m: int) -> npt.NDArray[np.int64]:
    # a vector as the rows of a batch of matrices (rank 3 from a rank-1 array)
    return np.tile(v, (b, m, 1)) * 2
