"""Tuple unpacking and packing as scientists write it (issue 17): shapes unpacked into sizes,
swaps (of scalars, of elements, of work arrays in a time loop), rows unpacked into
coordinates, and tuples returned with or without a `tuple[...]` hint."""
import numpy as np


def scale_rows(A: np.ndarray, w: np.ndarray) -> None:
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            A[i, j] = A[i, j] * w[i]


def column_sums(A: np.ndarray, out: np.ndarray) -> None:
    _, m = A.shape
    n = A.shape[0]
    for j in range(m):
        out[j] = 0.0
        for i in range(n):
            out[j] += A[i, j]


def diffuse(u: np.ndarray, steps: int, nu: float) -> None:
    n, = u.shape
    cur = u.copy()
    nxt = u.copy()
    for t in range(steps):
        for i in range(1, n - 1):
            nxt[i] = cur[i] + nu * (cur[i - 1] - 2.0 * cur[i] + cur[i + 1])
        cur, nxt = nxt, cur
    u[:] = cur


def fibonacci(out: np.ndarray) -> None:
    a, b = 0.0, 1.0
    for i in range(out.shape[0]):
        out[i] = a
        a, b = b, a + b


def reverse(x: np.ndarray) -> None:
    n, = x.shape
    for i in range(n // 2):
        x[i], x[n - 1 - i] = x[n - 1 - i], x[i]


def path_length(p: np.ndarray) -> float:
    total = 0.0
    for i in range(1, p.shape[0]):
        dx, dy = p[i] - p[i - 1]
        total += np.sqrt(dx * dx + dy * dy)
    return total


def min_max(x: np.ndarray) -> tuple[float, float]:
    lo, hi = x[0], x[0]
    for i in range(1, x.shape[0]):
        if x[i] < lo:
            lo = x[i]
        if x[i] > hi:
            hi = x[i]
    return lo, hi


def split_signs(x: np.ndarray):
    n = x.shape[0]
    pos = np.zeros(n)
    neg = np.zeros(n)
    for i in range(n):
        if x[i] > 0.0:
            pos[i] = x[i]
        else:
            neg[i] = x[i]
    return pos, neg
