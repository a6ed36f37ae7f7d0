"""Buffers rotated between time steps, as scientists write them (issue 17/18; scop/rotations.ts): two arrays
swapped by `a, b = b, a`, three rotated for a leapfrog scheme, a fresh array bound to the state each step. The
space loops are parallel; the time loop stays sequential. The last two keep their dependences: a state rebound to
the array the next step writes (`u = v` with v written again: one object under two names), and a view of a buffer
kept across the swap."""
import numpy as np


def life_torus(grid: np.ndarray[tuple[int, int], np.dtype[np.int64]], generations: int) -> np.ndarray:
    n, m = grid.shape
    cur = grid.copy()
    nxt = np.empty_like(grid)
    for g in range(generations):
        for i in range(n):
            for j in range(m):
                alive = 0
                for di in range(-1, 2):
                    for dj in range(-1, 2):
                        if di != 0 or dj != 0:
                            alive += cur[(i + di) % n, (j + dj) % m]
                if cur[i, j] == 1:
                    nxt[i, j] = 1 if alive == 2 or alive == 3 else 0
                else:
                    nxt[i, j] = 1 if alive == 3 else 0
        cur, nxt = nxt, cur
    return cur


def jacobi_1d(u: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int, source: int) -> np.ndarray:
    n = u.shape[0]
    a = u.copy()
    b = u.copy()
    for t in range(steps):
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        b[source] = 1.0
        a, b = b, a
    return a


def heat_2d(T: np.ndarray[tuple[int, int], np.dtype[np.float64]], steps: int, alpha: float):
    n, m = T.shape
    old = T.copy()
    new = np.zeros((n, m))
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                new[i, j] = old[i, j] + alpha * (old[i - 1, j] + old[i + 1, j] + old[i, j - 1] + old[i, j + 1] - 4.0 * old[i, j])
        old, new = new, old
    return old


def wave_leapfrog(u0: np.ndarray[tuple[int], np.dtype[np.float64]], u1: np.ndarray[tuple[int], np.dtype[np.float64]], c2: float, steps: int):
    n = len(u0)
    prev = u0.copy()
    cur = u1.copy()
    nxt = np.zeros(n)
    for t in range(steps):
        for i in range(n):
            nxt[i] = 2.0 * cur[i] - prev[i] + c2 * (cur[i - 1] - 2.0 * cur[i] + cur[(i + 1) % n])
        prev, cur, nxt = cur, nxt, prev
    return cur


def rule90(cells: np.ndarray[tuple[int], np.dtype[np.uint8]], steps: int) -> np.ndarray:
    n = cells.shape[0]
    for t in range(steps):
        new = np.zeros_like(cells)
        for i in range(n):
            new[i] = cells[(i - 1) % n] ^ cells[(i + 1) % n]
        cells = new
    return cells


def shared_state(u: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int) -> np.ndarray:
    n = u.shape[0]
    cur = u.copy()
    nxt = np.zeros(n)
    for t in range(steps):
        for i in range(1, n):
            nxt[i] = cur[i - 1] + 1.0
        cur = nxt
    return cur


def kept_row(g: np.ndarray[tuple[int, int], np.dtype[np.float64]], steps: int) -> np.ndarray:
    n, m = g.shape
    a = g.copy()
    b = np.zeros((n, m))
    first = a[0]
    for t in range(steps):
        for i in range(1, n):
            for j in range(m):
                b[i, j] = a[i - 1, j] + first[j]
        a, b = b, a
    return a
