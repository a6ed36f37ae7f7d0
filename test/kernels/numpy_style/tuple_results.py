"""NumPy calls whose result is a tuple, unpacked as scientists write them: `hist, edges =
np.histogram(x, bins=10)` (also range= and an array of edges), `mean, total =
np.average(x, weights=w, returned=True)`. test/python/test_tuple_results.py compiles this file in
both numerics modes and compares every function with its original."""
import numpy as np


def bin_centers(x: np.ndarray[tuple[int], np.dtype[np.float64]], nbins: int):
    hist, edges = np.histogram(x, bins=nbins)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return hist, centers


def unit_histogram(x: np.ndarray[tuple[int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float):
    h, e = np.histogram(x, bins=20, range=(lo, hi), weights=w)
    return h, e


def int_range_counts(x: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    counts, _ = np.histogram(x, 8, range=(0, 4))
    return counts


def radial_profile(img: np.ndarray[tuple[int, int], np.dtype[np.float64]], radii: np.ndarray[tuple[int], np.dtype[np.float64]]):
    n, m = img.shape
    r = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            r[i, j] = np.sqrt((i - n / 2) ** 2 + (j - m / 2) ** 2)
    counts, edges = np.histogram(r, bins=radii)
    return counts, edges


def histogram_then_edit(x: np.ndarray[tuple[int], np.dtype[np.float64]], radii: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # NumPy returns the edges array itself: writing it writes the argument
    counts, e = np.histogram(x, radii)
    e[0] = -1.0
    return counts


def weighted_mean(x: np.ndarray[tuple[int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]):
    mean, total = np.average(x, weights=w, returned=True)
    return mean, total, mean * total


def weighted_mean_int(k: np.ndarray[tuple[int], np.dtype[np.int64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.average(k, weights=w, returned=True)
