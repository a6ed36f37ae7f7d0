"""Reads through an index computed from data or a call, as scientists write them (issue 17/18; scop/extract.ts
checkableRead): reflective boundaries `u[abs(i - c)]`, a gather `x[idx[i]]`, a colour-map lookup, a gather under a
row loop. The arrays read are never written, so the loops are parallel; the index is checked as the variant runs
(NumPy's IndexError from the original, with its writes before it). The last one writes the array it gathers from and
stays sequential."""
import numpy as np


def reflect_smooth(u: np.ndarray[tuple[int], np.dtype[np.float64]]) -> np.ndarray:
    n = len(u)
    out = np.empty(n)
    for i in range(n):
        left = u[abs(i - 1)]
        right = u[n - 1 - abs(n - 2 - i)]
        out[i] = (left + u[i] + right) / 3.0
    return out


def mirror_about(u: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]], c: int):
    for i in range(out.shape[0]):
        out[i] = u[abs(i - c)]


def gather_scaled(x: np.ndarray[tuple[int], np.dtype[np.float64]], idx: np.ndarray[tuple[int], np.dtype[np.int64]],
                  out: np.ndarray[tuple[int], np.dtype[np.float64]], scale: float):
    for i in range(idx.shape[0]):
        out[i] = scale * x[idx[i]]


def colour_map(labels: np.ndarray[tuple[int, int], np.dtype[np.int32]], palette: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray:
    h, w = labels.shape
    img = np.zeros((h, w, 3))
    for i in range(h):
        for j in range(w):
            for k in range(3):
                img[i, j, k] = palette[labels[i, j], k]
    return img


def neighbour_sum(values: np.ndarray[tuple[int], np.dtype[np.float64]], nbr: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> np.ndarray:
    n, k = nbr.shape
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(k):
            s += values[nbr[i, j]]
        out[i] = s
    return out


def gather_in_place(x: np.ndarray[tuple[int], np.dtype[np.float64]], idx: np.ndarray[tuple[int], np.dtype[np.int64]]):
    for i in range(idx.shape[0]):
        x[i] = x[idx[i]] + 1.0
