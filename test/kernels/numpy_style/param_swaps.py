"""Array parameters swapped between time steps, as scientists write ping-pong buffers (issue 17; types/
param-rotations.ts, scop/rotations.ts): `A, B = B, A` of two parameters, a three-way rotation of parameters, a
swap on every other step only, and a returned parameter after the swaps. The swap moves the caller's objects
between the names only: each step writes whichever caller array the name denotes then. The space loops are
parallel, the time loop sequential. The last two keep their dependences: a parameter bound to another that is
still used (`A = B`: one object under two names) and a view of a parameter kept across the swap."""
import numpy as np


def jacobi_swap(A: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int):
    n = A.shape[0]
    for t in range(steps):
        for i in range(1, n - 1):
            B[i] = (A[i - 1] + A[i] + A[i + 1]) / 3.0
        A, B = B, A


def heat_swap(T: np.ndarray[tuple[int, int], np.dtype[np.float64]], S: np.ndarray[tuple[int, int], np.dtype[np.float64]], steps: int, alpha: float):
    n, m = T.shape
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                S[i, j] = T[i, j] + alpha * (T[i - 1, j] + T[i + 1, j] + T[i, j - 1] + T[i, j + 1] - 4.0 * T[i, j])
        T, S = S, T
    return T


def leapfrog_params(prev: np.ndarray[tuple[int], np.dtype[np.float64]], cur: np.ndarray[tuple[int], np.dtype[np.float64]], nxt: np.ndarray[tuple[int], np.dtype[np.float64]], c2: float, steps: int):
    n = cur.shape[0]
    for t in range(steps):
        for i in range(1, n - 1):
            nxt[i] = 2.0 * cur[i] - prev[i] + c2 * (cur[i - 1] - 2.0 * cur[i] + cur[i + 1])
        prev, cur, nxt = cur, nxt, prev
    return cur


def heat_work_array(u: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    n = u.shape[0]
    un = np.empty_like(u)
    for t in range(steps):
        for i in range(1, n - 1):
            un[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        un[0] = u[0]
        un[n - 1] = u[n - 1]
        u, un = un, u
    return u


def smooth_with_copy(u: np.ndarray[tuple[int, int], np.dtype[np.float64]], steps: int):
    n, m = u.shape
    v = u.copy()
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u, v = v, u


def swap_on_even_steps(a: np.ndarray[tuple[int], np.dtype[np.int64]], b: np.ndarray[tuple[int], np.dtype[np.int64]], steps: int):
    n = a.shape[0]
    for t in range(steps):
        for i in range(n):
            b[i] = a[i] * 3 + t
        if t % 2 == 0:
            a, b = b, a
    return b


def shared_after_move(A: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int):
    n = A.shape[0]
    for t in range(steps):
        for i in range(1, n):
            B[i] = A[i - 1] + 1.0
        A = B
    return A


def kept_view(A: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int):
    n = A.shape[0]
    first = A[0:1]
    for t in range(steps):
        for i in range(1, n):
            B[i] = A[i - 1] + first[0]
        A, B = B, A
    return A


def moved_view(u: np.ndarray[tuple[int], np.dtype[np.float64]], B: np.ndarray[tuple[int], np.dtype[np.float64]], steps: int):
    """Refused: a view of another parameter is no whole object to move (the original runs)."""
    v = B[1:]
    for t in range(steps):
        v[0] = u[0] + 1.0
        u, v = v, u
