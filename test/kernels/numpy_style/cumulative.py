"""np.cumsum / np.cumprod along an axis (issue 17), written as scientists write them:
test/python/test_cumulative.py compiles this file in both numerics modes and compares every
function with its original, bit for bit (NumPy's accumulation from each line's first element)."""
import numpy as np
import numpy.typing as npt


def station_totals(daily: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    # rainfall per station (rows) accumulated over the days (columns)
    totals = np.cumsum(daily, axis=1)
    return totals


def empirical_cdf(counts: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    c = counts.cumsum(axis=0)
    return c / c[-1]


def compound_growth(rates: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.cumprod(1.0 + rates, axis=0)


def vote_offsets(votes: np.ndarray[tuple[int, int], np.dtype[np.int32]]) -> npt.NDArray[np.int64]:
    n, m = votes.shape
    c = np.cumsum(votes, axis=1)
    out = np.empty((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            out[i, j] = c[i, j] - votes[i, 0]
    return out


def hits_so_far(mask: np.ndarray[tuple[int, int], np.dtype[np.bool_]]) -> npt.NDArray[np.int64]:
    return np.cumsum(mask, axis=-1)


def layer_sums(T: np.ndarray[tuple[int, int, int], np.dtype[np.float32]]) -> npt.NDArray[np.float32]:
    return T.cumsum(axis=1)


def factorial_table(K: np.ndarray[tuple[int, int, int], np.dtype[np.int64]]) -> npt.NDArray[np.int64]:
    return K.cumprod(-1)


def byte_products(b: np.ndarray[tuple[int, int], np.dtype[np.uint8]]) -> npt.NDArray[np.uint64]:
    return np.cumprod(b, 0)


def phase_walk(z: np.ndarray[tuple[int], np.dtype[np.complex128]], Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]):
    return np.cumsum(z), np.cumsum(Z, axis=1), Z.cumsum(0)


def cumulative_trapezoid(y: np.ndarray[tuple[int], np.dtype[np.float64]], dx: float) -> npt.NDArray[np.float64]:
    s = (y[1:] + y[:-1]) * (0.5 * dx)
    return np.cumsum(s, axis=0)


def running_share(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    n, m = x.shape
    c = np.cumsum(x, axis=1)
    for i in range(n):
        total = c[i, m - 1]
        for j in range(m):
            out[i, j] = c[i, j] / total


def flat_products(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.cumprod(A, axis=None)


def complex_products(z: np.ndarray[tuple[int], np.dtype[np.complex128]]) -> npt.NDArray[np.complex128]:
    return np.cumprod(z)  # (finite products compiled; an infinite or NaN one is the original's)


# --- kept original, with a diagnostic -------------------------------------------------------------

def beyond_last_axis(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    return np.cumsum(A, axis=2)  # NumPy's AxisError, from the original


def computed_axis(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], k: int) -> npt.NDArray[np.float64]:
    return np.cumsum(A, axis=k)
