"""np.linspace's formula as NumPy computes it, for compiled code: np.linspace itself (array_helpers.linspace) and
np.histogram's edges (histogram.py) share it, so both give NumPy's bits."""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable


@register_jitable
def _linspace(lo, hi, num):  # type: ignore[no-untyped-def]
    if num < 0:
        raise ValueError("Number of samples must be non-negative.")
    delta = hi - lo
    y = np.empty(num, np.float64)
    for i in range(num):
        y[i] = np.float64(i)
    div = num - 1
    if div > 0:
        step = delta / div
        if step == 0:
            for i in range(num):
                y[i] = (y[i] / div) * delta
        else:
            for i in range(num):
                y[i] = y[i] * step
    else:
        for i in range(num):
            y[i] = y[i] * delta
    for i in range(num):
        y[i] = y[i] + lo
    if num > 1:
        y[num - 1] = hi
    return y
