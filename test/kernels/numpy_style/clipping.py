"""Clipping as scientists write it: saturating a signal element by element, bounding a whole array by
parameters (possibly NaN when a calibration failed), integer counts into a range."""
import numpy as np


def saturate(signal: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float, out: np.ndarray[tuple[int], np.dtype[np.float64]]):
    for i in range(len(signal)):
        out[i] = np.clip(signal[i], lo, hi)


def bounded(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], floor_value: float) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    return np.clip(A, floor_value, 1.0) * 2.0


def counts_in_range(k: np.ndarray[tuple[int], np.dtype[np.int64]], top: int, out: np.ndarray[tuple[int], np.dtype[np.int64]]):
    n = k.shape[0]
    for i in range(n):
        out[i] = np.clip(k[i], 0, top)
