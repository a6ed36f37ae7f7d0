"""Unpacking what calls return (issue 17): `q, r = divmod(a, b)` on Python and NumPy scalars,
and the tuple of scalars a function of the same module returns (`lo, hi = bounds(x)`),
in loops that run in parallel and in a while loop (Euclid's algorithm)."""
import numpy as np


def to_hms(t: np.ndarray, out: np.ndarray) -> None:
    for i in range(t.shape[0]):
        m, s = divmod(t[i], 60)
        h, m = divmod(m, 60)
        out[i, 0] = h
        out[i, 1] = m
        out[i, 2] = s


def wrap(x: np.ndarray, width: float, cell: np.ndarray, offset: np.ndarray) -> None:
    for i in range(x.shape[0]):
        k, rest = divmod(x[i], width)
        cell[i] = k
        offset[i] = rest


def gcds(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        while y != 0:
            _, r = divmod(x, y)
            x, y = y, r
        out[i] = x


def split(n: int, parts: int):
    q, r = divmod(n, parts)
    return q, r


def bounds(x: np.ndarray):
    lo = x[0]
    hi = x[0]
    for v in x:
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return lo, hi


def rescale(x: np.ndarray, out: np.ndarray) -> None:
    lo, hi = bounds(x)
    span = hi - lo
    for i in range(x.shape[0]):
        out[i] = (x[i] - lo) / span
