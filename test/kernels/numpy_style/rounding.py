"""Rounding as scientists write it: prices to cents, readings to a resolution, values to significant
places, over whole arrays and element by element (np.round / np.around with decimals, positive, zero
and negative)."""
import numpy as np


def to_cents(prices: np.ndarray[tuple[int], np.dtype[np.float64]]) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    return np.round(prices, 2)


def coarse_grid(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], places: int, out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = np.round(A[i, j], places)


def hundreds(x: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]):
    for i in range(len(x)):
        out[i] = np.around(x[i], -2) + np.round(x[i])


def rounded_mean(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
    return np.round(np.mean(x), decimals=3)
