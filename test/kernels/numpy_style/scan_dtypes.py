"""np.cumsum / np.cumprod with dtype= and complex np.cumprod (issue 17), written as scientists write them:
test/python/test_scan_dtypes.py compiles this file in both numerics modes and compares every function
with its original, bit for bit (NumPy 2 casts each element to dtype= first, then accumulates in it)."""
import numpy as np
import numpy.typing as npt


def byte_checksums(packets: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> npt.NDArray[np.int8]:
    # running checksums kept in one signed byte: they wrap around as the hardware's do
    return np.cumsum(packets, axis=1, dtype=np.int8)


def pixel_products(img: np.ndarray[tuple[int, int], np.dtype[np.uint8]]) -> npt.NDArray[np.int16]:
    return np.cumprod(img, 0, np.int16)


def single_precision_totals(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.float32]:
    totals = np.cumsum(x, dtype=np.float32)
    return totals


def whole_steps(t: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.int64]:
    # seconds truncated toward zero before they are added up
    steps = t.cumsum(0, 'int64')
    return steps


def counts_as_floats(K: np.ndarray[tuple[int, int], np.dtype[np.int32]]) -> npt.NDArray[np.float64]:
    n, m = K.shape
    c = K.cumsum(axis=0, dtype=float)
    return c / n


def fill_then_steps(t: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.int32]]) -> None:
    out[:] = -1
    out[:] = np.cumsum(t, dtype=np.int32)


def phasor_chain(Z: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> npt.NDArray[np.complex128]:
    # the rotation of each antenna accumulated along its row
    return np.cumprod(Z, axis=1)


def rotations(z: np.ndarray[tuple[int], np.dtype[np.complex64]]) -> npt.NDArray[np.complex64]:
    return z.cumprod()


def complex_totals(x: np.ndarray[tuple[int], np.dtype[np.int64]]) -> npt.NDArray[np.complex128]:
    return np.cumsum(x, dtype=np.complex128) * 1j


def any_so_far(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> npt.NDArray[np.bool_]:
    # a bool accumulation is logical or: kept original
    return np.cumsum(x > 0, dtype=bool)
