"""dtype spellings that keep the original, each with its diagnostic (test/ts/forms.test.ts reads the lines)."""
import numpy as np
import numpy.typing as npt


def text_dtype(n: int):
    return np.zeros(n, dtype='U8')


def half_precision(n: int):
    return np.zeros(n, dtype=np.float16)


def truncate(x: npt.NDArray[np.complex128]):
    return x.astype(np.int32)


def drop_imaginary(z: npt.NDArray[np.complex128]):
    return z.astype(np.float64)
