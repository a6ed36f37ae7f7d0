"""np.average with weights=, axis= and returned= together (issue 17), written as scientists write them:
test/python/test_weighted_averages.py compiles this file in both numerics modes (close mode compiles these:
both sums along the axis in fixed blocks; exact mode keeps the original)."""
import numpy as np
import numpy.typing as npt


def station_means(readings: np.ndarray[tuple[int, int], np.dtype[np.float64]], weights: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # one weight per day (columns): each station's weighted mean, and how much weight it got
    means, total = np.average(readings, axis=1, weights=weights, returned=True)
    return means, total


def column_profile(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], W: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = A.shape
    avg, scl = np.average(A, axis=0, weights=W, returned=True)
    return avg * scl / n


def normalized_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]],
                    out: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
    out[:] = 0.0
    avg, scl = np.average(A, axis=-1, weights=w, returned=True)
    out[:] = avg / scl
