"""Device forms of NumPy's exact elementwise rows that numba.cuda does not type on scalars.

numba.cuda knows math's functions and a few ufuncs in a kernel (numba/cuda/ufuncs.py), not np.sign,
np.floor, np.ceil, np.trunc, np.rint, np.round, np.clip or np.where. These forms compute NumPy's bits on one float64
(np.sign also one int64) with nothing but IEEE operations whose result is the same in CPython and
on the device: + and - (correctly rounded, round to nearest even; numba.cuda compiles without
fastmath, so nothing is reassociated), comparisons and negation (exact). So the
same Python function is the kernels' ``_polyray_hd_<name>`` in both worlds: compiled with
cuda.jit(device=True) on a GPU, and run as written under the CUDA simulator, where the tests
compare it bit for bit with the original (test/python/test_gpu_table_forms.py), and checked
against NumPy on the edge values directly (NaN, infinities, -0.0, halves, 2**52 and above).

Rounding to an integer: below 2**52 in magnitude, ``(a + 2**52) - 2**52`` is a rounded to the
nearest integer, ties to even (the sum lies in [2**52, 2**53), whose spacing is 1, and 2**52 is
even); at or above 2**52 every float64 is an integer already (infinities too), and a NaN fails
the comparison and comes back as it is. A negative x is rounded as -x and the result negated, so it
keeps x's sign as NumPy's floor, ceil, trunc and rint do, zeros included (np.ceil(-0.7) is -0.0);
a zero comes back as it is. (Not math.copysign or math.fabs: libdevice's copysign is an LLVM
intrinsic that this libNVVM refuses, test_gpu_ptx.py.)

Each form is written out, calling no other Python function (numba.cuda would need each called
one to be a device function of its own).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

def np_rint(x: Any) -> Any:
    """np.rint of a float64: the nearest integer, ties to even."""
    if x == 0.0 or not (-4503599627370496.0 < x < 4503599627370496.0):
        return x  # a zero of either sign, an integer already, an infinity or a NaN
    if x < 0.0:
        return -((-x + 4503599627370496.0) - 4503599627370496.0)
    return (x + 4503599627370496.0) - 4503599627370496.0


def np_floor(x: Any) -> Any:
    """np.floor of a float64."""
    if x == 0.0 or not (-4503599627370496.0 < x < 4503599627370496.0):
        return x
    if x < 0.0:
        a = -x
        t = (a + 4503599627370496.0) - 4503599627370496.0
        if t < a:
            t = t + 1.0
        return -t  # -ceil(|x|)
    t = (x + 4503599627370496.0) - 4503599627370496.0
    if t > x:
        t = t - 1.0
    return t


def np_ceil(x: Any) -> Any:
    """np.ceil of a float64 (-0.0 for x in (-1, 0), as NumPy)."""
    if x == 0.0 or not (-4503599627370496.0 < x < 4503599627370496.0):
        return x
    if x < 0.0:
        a = -x
        t = (a + 4503599627370496.0) - 4503599627370496.0
        if t > a:
            t = t - 1.0
        return -t  # -floor(|x|)
    t = (x + 4503599627370496.0) - 4503599627370496.0
    if t < x:
        t = t + 1.0
    return t


def np_trunc(x: Any) -> Any:
    """np.trunc of a float64: toward zero."""
    if x == 0.0 or not (-4503599627370496.0 < x < 4503599627370496.0):
        return x
    a = -x if x < 0.0 else x
    t = (a + 4503599627370496.0) - 4503599627370496.0
    if t > a:
        t = t - 1.0
    return -t if x < 0.0 else t


def np_round(x: Any, decimals: Any) -> Any:
    """np.round(x, decimals) of a float64 by NumPy's steps (runtime/round_helpers.py): rint(x * f) / f,
    or rint(x / f) * f for negative decimals, f = 10.0 ** |decimals| by repeated products."""
    n = decimals if decimals >= 0 else -decimals
    f = 1.0
    for _ in range(n):
        f = f * 10.0
    y = x * f if decimals >= 0 else x / f
    if y != 0.0 and -4503599627370496.0 < y < 4503599627370496.0:
        if y < 0.0:
            y = -((-y + 4503599627370496.0) - 4503599627370496.0)
        else:
            y = (y + 4503599627370496.0) - 4503599627370496.0
    return y / f if decimals >= 0 else y * f


def np_clip(x: Any, lo: Any, hi: Any) -> Any:
    """np.clip of a float64 or int64 scalar between numbers, as NumPy (runtime/round_helpers.py _clip1): a NaN
    bound is the result (the lower first), else lo below it, hi above it, x itself on equality."""
    if lo != lo:
        return lo
    if hi != hi:
        return hi
    t = lo if x < lo else x
    return hi if t > hi else t


def np_sign(x: Any) -> Any:
    """np.sign of a float64: +1.0, -1.0, +0.0 for both zeros, NaN as it is."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    if x == 0.0:
        return 0.0
    return x


def np_sign_int(x: Any) -> Any:
    """np.sign of an int64 (an int64)."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0


def np_where(condition: Any, a: Any, b: Any) -> Any:
    """np.where of scalars (float64 or int64 values): a where the condition holds, else b."""
    if condition:
        return a
    return b


#: the kernels' `_polyray_hd_<name>` -> its form (gpu.py injects them; the compiler's gpu-forms.ts names them)
DEVICE_ELEMENTWISE: Final[dict[str, Callable[..., Any]]] = {
    "np_rint": np_rint, "np_floor": np_floor, "np_ceil": np_ceil, "np_trunc": np_trunc, "np_round": np_round, "np_clip": np_clip,
    "np_sign": np_sign, "np_sign_int": np_sign_int, "np_where": np_where,
}
