"""Functions returning NumPy scalars, called with the hinted types and with others (the original
then runs, and its result must come back untouched: regression found by a loops helper, 2026-12-06)."""
import numpy as np
import numpy.typing as npt


def adler_like(data: npt.NDArray[np.int64]) -> np.int64:
    a = np.int64(1)
    for i in range(data.shape[0]):
        a = (a + data[i]) % 65521
    return a


def first_two(x: npt.NDArray[np.float64]) -> tuple[float, float]:
    return x[0] * 2.0, x[1] + 1.0
