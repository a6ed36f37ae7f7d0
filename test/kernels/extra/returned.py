"""Whole-array expressions returned or bound to a fresh name, written as scientists write them: each becomes one
element loop filling a new array (poly/returned-arrays.ts, poly/lower-slices.ts)."""
import numpy as np



def clipping(array_1: np.ndarray[tuple[int, int], np.dtype[np.int64]], array_2: np.ndarray[tuple[int, int], np.dtype[np.int64]], a: np.int64, b: np.int64, c: np.int64):
    # NPBench's compute: int64 wraps as NumPy's, np.clip with number bounds per element
    return np.clip(array_1, 2, 10) * a + array_2 * b + c


def arc_distance(theta_1: np.ndarray[tuple[int], np.dtype[np.float64]], phi_1: np.ndarray[tuple[int], np.dtype[np.float64]], theta_2: np.ndarray[tuple[int], np.dtype[np.float64]], phi_2: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # NPBench's arc_distance: close mode only (np.sin, np.cos, np.arctan2, ** by the C library)
    temp = np.sin((theta_2 - theta_1) / 2)**2 + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2)**2
    distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
    return distance_matrix


def magnitude(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n, m = x.shape
    return np.sqrt(x * x + y * y) / (n * m)


def leaky(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], slope: float):
    # a mask by np.where: exact in both modes
    return np.where(x > 0.0, x, slope * x)


def excess(a: np.ndarray[tuple[int, int], np.dtype[np.int64]], b: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    return np.where(a > b, a - b, 0)


def band(x: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float):
    # NaN passes through np.minimum/np.maximum as in NumPy
    return np.maximum(np.minimum(x, hi), lo)


def softmax(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # close mode: exp per element; the sum between the two loops
    m = np.max(x)
    e = np.exp(x - m)
    s = np.sum(e)
    return e / s


def above(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # a bool array
    return x * 2.0 >= y


def hypot(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # close mode: ** by the C library
    r = np.sqrt(x**2 + y**2)
    return r


def filled(a: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # a fresh array allocated at the top level, then filled by a slice statement (b broadcast along the rows)
    n, m = a.shape
    out = np.empty_like(a)
    out[:, :] = a * 2.0 - b
    zs = np.zeros((n, m))
    zs[1:, :] = out[1:, :] + 1.0
    return zs


def centered(x: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # a scalar reduction inside: computed first (exact mode's checked max: NaN and empty arrays as NumPy), then
    # the element loop reads it (poly/hoisted-reductions.ts)
    return x - np.max(x)


def floor_mod(x: np.ndarray[tuple[int, int], np.dtype[np.int64]], d: np.int64):
    # int64 // and % with Python's and NumPy's signs; a divisor of 0 or -1 (NumPy: 0 or a wrap, and a warning)
    # sends the call to the original
    return x // 3 - x % d


def standardized(a: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # close mode (NumPy's mean and std in exact mode are outside the subset): both reductions before the loop
    return (a - a.mean()) / a.std()


def softmax_inline(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # close mode: x.max() computed once for both halves, the sum of exp next, then one loop
    return np.exp(x - x.max()) / np.sum(np.exp(x - x.max()))


def scaled32(x: np.ndarray[tuple[int, int], np.dtype[np.float32]], y: np.ndarray[tuple[int, int], np.dtype[np.float32]], s: float):
    # float32: each operation rounded to float32 as NumPy's float32 loops round it, s and 0.1 cast to float32 first
    # (NEP 50: a Python number takes the array's dtype); float32 sqrt is correctly rounded in both
    return np.sqrt(np.abs(x * y)) + x * s - 0.1


def mixed(x: np.ndarray[tuple[int, int], np.dtype[np.float32]], a: np.ndarray[tuple[int, int], np.dtype[np.int64]], z: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # float32 and int64 elements in float64 operations: converted to float64 as NumPy converts them
    return z * x + a / 3.0
