"""np.histogram(..., density=True) (issue 17), written as scientists write them:
test/python/test_histogram_density.py compiles this file in both numerics modes and compares
every function with its original, bit for bit (NumPy's counts, then n / db / n.sum())."""
import numpy as np


def empirical_pdf(samples: np.ndarray[tuple[int], np.dtype[np.float64]], nbins: int):
    pdf, edges = np.histogram(samples, bins=nbins, density=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return pdf, centers


def weighted_pdf(x: np.ndarray[tuple[int], np.dtype[np.float64]], w: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float):
    return np.histogram(x, 20, range=(lo, hi), weights=w, density=True)


def pdf_on_edges(x: np.ndarray[tuple[int], np.dtype[np.float64]], edges: np.ndarray[tuple[int], np.dtype[np.float64]]):
    h, e = np.histogram(x, bins=edges, density=True)
    return h


def counts_not_density(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.histogram(x, 8, density=False)[0]
