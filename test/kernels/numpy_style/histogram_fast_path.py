"""np.histogram's fast path (int bins) compiled (issue 18), written as scientists write them, in spellings other
than NPBench's azimint_hist: test/python/test_histogram_fast_path.py compiles this file in both numerics modes and
compares every function with its original, bit for bit (NumPy's bins, and its sums per block of 65536 values
added in block order), in the serial and the parallel form."""
import numpy as np
import numpy.typing as npt


def radial_profile(intensity: npt.NDArray[np.float64], r: npt.NDArray[np.float64], nbins: int):
    counts, edges = np.histogram(r, bins=nbins)
    sums, _ = np.histogram(r, bins=nbins, weights=intensity)
    mean = sums / np.maximum(counts, 1)
    return mean, edges


def windowed_counts(samples: npt.NDArray[np.float64], lo: float, hi: float, nbins: int):
    return np.histogram(samples, nbins, range=(lo, hi))


def int_range_weighted(samples: npt.NDArray[np.float64], w: npt.NDArray[np.float64], nbins: int):
    h = np.histogram(samples, nbins, (0, 10), weights=w)[0]
    return h


def tally_ints(values: npt.NDArray[np.int64], nbins: int):
    hist, edges = np.histogram(values, nbins)
    return hist, edges


def tally_int32_in_range(values: npt.NDArray[np.int32], lo: int, hi: int):
    return np.histogram(values, 16, range=(lo, hi))[0]


def int_weights(x: npt.NDArray[np.float64], w: npt.NDArray[np.int64]):
    return np.histogram(x, 12, weights=w)


def float32_weights(x: npt.NDArray[np.float64], w: npt.NDArray[np.float32]):
    return np.histogram(x, weights=w)[0]


def edges_only(x: npt.NDArray[np.float64], nbins: int):
    return np.histogram(x, nbins)[1]
