"""Parallel loops whose math calls may raise on some data: the CPU variant runs them
speculatively (a would-be exception is flagged, the written arrays restored, the original run)."""
import math

import numpy as np
import numpy.typing as npt


def roots(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = math.sqrt(x[i]) + 1.0


def logs_then_scale(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], d: float) -> float:
    s = 0.0
    for i in range(n):
        for j in range(n):
            y[i, j] = math.log(x[i, j]) * 2.0
    # a Python float division outside the parallel loop: raises ZeroDivisionError when d == 0.0
    q = 1.0 / d
    for i in range(n):
        s += y[i, i] * q
    return s
