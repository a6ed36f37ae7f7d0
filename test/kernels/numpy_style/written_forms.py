"""Issue 17 entries that had no test (scripts/coverage_17.py's matrix): np.sign, np.floor and np.ceil,
keyword arguments and default parameter values of the module's functions, a `-> tuple[...]` hint
compiled in exact mode, and a nested helper function. Written as scientists write them;
test/python/test_written_forms.py compiles this file in both numerics modes and compares every
function with its original, bit for bit."""
import numpy as np
import numpy.typing as npt


def soft_threshold(x: np.ndarray[tuple[int], np.dtype[np.float64]], lam: float) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    # the proximal step of the L1 norm (lasso, wavelet denoising)
    return np.sign(x) * np.maximum(np.abs(x) - lam, 0.0)


def sign_changes(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> int:
    s = np.sign(x)
    k = 0
    for i in range(1, x.shape[0]):
        if s[i] != s[i - 1]:
            k += 1
    return k


def signs32(x: np.ndarray[tuple[int], np.dtype[np.float32]], out: np.ndarray[tuple[int], np.dtype[np.float32]]):
    for i in range(x.shape[0]):
        out[i] = np.sign(x[i])


def cell_bounds(x: np.ndarray[tuple[int], np.dtype[np.float64]], h: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    lo = np.floor(x / h)
    hi = np.ceil(x / h)
    return lo * h, hi * h


def quantize(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], step: float, out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = x.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = np.floor(x[i, j] / step + 0.5) * step


def pages_needed(sizes: np.ndarray[tuple[int], np.dtype[np.float64]], page: float) -> float:
    return np.sum(np.ceil(sizes / page))


def smoothstep(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    t = (x - lo) / (hi - lo)
    if t < 0.0:
        t = 0.0
    elif t > 1.0:
        t = 1.0
    return t * t * (3.0 - 2.0 * t)


def ramp(x: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]], edge: float):
    for i in range(x.shape[0]):
        out[i] = smoothstep(x[i], hi=edge) + smoothstep(x[i], lo=-edge, hi=0.0) + smoothstep(x[i])


def relax(u: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]], omega: float = 0.5):
    n = u.shape[0]
    for i in range(1, n - 1):
        out[i] = (1.0 - omega) * u[i] + omega * 0.5 * (u[i - 1] + u[i + 1])


def min_max_scaled(x: np.ndarray[tuple[int], np.dtype[np.float64]], scale: float = 1.0) -> tuple[float, float]:
    lo = x[0]
    hi = x[0]
    for v in x:
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return lo * scale, hi * scale


def rms_of_rows(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]):
    def square(v):
        return v * v

    n, m = A.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += square(A[i, j])
        out[i] = np.sqrt(s / m)


def clipped_scores(x: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float,
                   out: np.ndarray[tuple[int], np.dtype[np.float64]]):
    def clamp(v):
        return min(max(v, lo), hi)

    for i in range(x.shape[0]):
        out[i] = clamp(x[i])


def wrapped_neighbour_mean(u: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = u.shape

    def at(i, j):
        # reads the enclosing function's array, with periodic boundaries
        return u[i % n, j % m]

    for i in range(n):
        for j in range(m):
            out[i, j] = 0.25 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1))
