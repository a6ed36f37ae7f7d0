"""Math that flags instead of raising: ``fail[0] = 1`` exactly where CPython's
``math`` raises, the native result returned otherwise (and then discarded).

Plain Python over ``math`` only, so that one text serves both targets: the
GPU variant compiles these as CUDA device functions (runtime/gpu.py), whose
math never raises (it gives nan or inf), and the CPU variant's flagging
helpers call them compiled by Numba (numba_helpers.py, ``spec_exp`` and
``spec_mathpow``; the one-argument domain checks there are generic). No
import of numba here: ``import polyray.runtime`` must not load it.
"""

from __future__ import annotations

import math
from typing import Any


# flag_log, flag_log10 and flag_log2 differ only in the function they call: a
# CUDA device function cannot take a function as an argument.


def flag_sqrt(x: float, fail: Any) -> float:
    if x < 0.0:
        fail[0] = 1
    return math.sqrt(x)


def flag_log(x: float, fail: Any) -> float:
    if x <= 0.0:
        fail[0] = 1
    return math.log(x)


def flag_log10(x: float, fail: Any) -> float:
    if x <= 0.0:
        fail[0] = 1
    return math.log10(x)


def flag_log2(x: float, fail: Any) -> float:
    if x <= 0.0:
        fail[0] = 1
    return math.log2(x)


def flag_acos(x: float, fail: Any) -> float:
    if x < -1.0 or x > 1.0:
        fail[0] = 1
    return math.acos(x)


def flag_asin(x: float, fail: Any) -> float:
    if x < -1.0 or x > 1.0:
        fail[0] = 1
    return math.asin(x)


def flag_exp(x: float, fail: Any) -> float:
    r = math.exp(x)
    if math.isinf(r) and math.isfinite(x):
        fail[0] = 1
    return r


def flag_pow(x: float, y: float, fail: Any) -> float:
    if math.isfinite(x) and math.isfinite(y):
        if x == 0.0 and y < 0.0:
            fail[0] = 1
        if x < 0.0 and y != math.floor(y):
            fail[0] = 1
    r = math.pow(x, y)
    if math.isinf(r) and math.isfinite(x) and math.isfinite(y):
        fail[0] = 1
    return r
