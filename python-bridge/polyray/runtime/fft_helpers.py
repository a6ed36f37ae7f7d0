"""np.fft in compiled code (issue 17; the NumPy table's ``fft.*`` rows).

Each transform has two forms, chosen by the compiler (types/fft-calls.ts) from
the numerics mode:

* ``np_<f>`` (``exact`` mode): NumPy's own transform, called from compiled code
  through ``numba.objmode``: the FFT itself runs in Python, between the
  compiled parts before and after it, so its result is NumPy's, bit for bit.
* ``rf_<f>`` (``close`` mode): rocket-fft's transform (DUCC0, pocketfft's
  successor, registered for Numba by the rocket-fft package), computed in
  compiled code without the GIL, also inside prange loops. It differs from
  NumPy's in the last bits, within docs/reliability.md's FFT-bound table
  (bench/fft_error.py measures it; close_bounds.fft_tolerance states it). An
  input holding inf or NaN goes to NumPy's transform as in ``np_<f>``: where the
  outputs are inf and where NaN depends on the order of the operations, and
  NumPy's positions are kept.

1-d transforms take NumPy's ``(a, n, axis, norm)`` (n None for the input's
length, axis an int, norm None or 'backward', 'ortho', 'forward'), 2-d and
n-d ones ``(a, s, axes, norm)`` (s None or a tuple of ints, axes a tuple of
ints, or None for every axis of the n-d forms). The
result is C-contiguous, of NumPy 2's dtype: complex64 for float32 and
complex64 input, complex128 for float64 and complex128; irfft's the real one.
``fftfreq(n, d)`` is NumPy's formula (integers times 1/(n*d)), exact in both
modes. This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

from typing import Any, Callable

import numba
import numpy as np
from numba import types
from numba.extending import overload

try:  # registers numpy.fft for Numba (Numba's entry point loads it too); without it the close forms and
    import rocket_fft  # noqa: F401  np.fft.fftshift fail to type, and the original runs
except ImportError:  # pragma: no cover - python-bridge/requirements.txt installs it
    pass

ONE_D = ("fft", "ifft", "rfft", "irfft")
TWO_D = ("fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn")  # (a, s, axes, norm)

__all__ = [f"{form}_{f}" for form in ("np", "rf") for f in ONE_D + TWO_D] + ["fftfreq"]


def _result_type(func: str, a: Any) -> types.Array | None:
    """The result's Numba type (C layout) for a float or complex array a, or None for other inputs."""
    if not isinstance(a, types.Array) or not isinstance(a.dtype, (types.Float, types.Complex)):
        return None
    single = a.dtype in (types.float32, types.complex64)
    if func.startswith("rfft") and isinstance(a.dtype, types.Complex):
        return None  # NumPy 2 raises TypeError for complex input
    if func.startswith("irfft"):
        dtype = types.float32 if single else types.float64
    else:
        dtype = types.complex64 if single else types.complex128
    return types.Array(dtype, a.ndim, "C")


def _python_form(func: str) -> Callable[..., Any]:
    """What the helper does when called from Python: NumPy's transform."""
    np_func = getattr(np.fft, func)
    if func in TWO_D:
        def two_d(a: Any, s: Any, axes: Any, norm: Any) -> Any:
            return np_func(a, s, axes, norm)
        two_d.__name__ = func
        return two_d

    def one_d(a: Any, n: Any, axis: Any, norm: Any) -> Any:
        return np_func(a, n, axis, norm)
    one_d.__name__ = func
    return one_d


def _numpy_through_objmode(func: str, out: types.Array, two_d: bool) -> Callable[..., Any]:
    """A jitted function computing NumPy's transform in Python (numba.objmode), typed as ``out``."""
    np_func = getattr(np.fft, func)
    loose = out.copy(layout="A")  # NumPy's result along another axis than the last is a strided view

    if two_d:
        @numba.njit
        def call2(a, s, axes, norm):  # type: ignore[no-untyped-def]
            with numba.objmode(y=loose):
                y = np_func(a, s, axes, norm)
            return np.ascontiguousarray(y)
        return call2

    @numba.njit
    def call1(a, n, axis, norm):  # type: ignore[no-untyped-def]
        with numba.objmode(y=loose):
            y = np_func(a, n, axis, norm)
        return np.ascontiguousarray(y)
    return call1


def _register(func: str) -> None:
    two_d = func in TWO_D
    exact, close = _python_form(func), _python_form(func)
    exact.__name__, close.__name__ = f"np_{func}", f"rf_{func}"
    np_func = getattr(np.fft, func)

    def exact_impl(a):  # type: ignore[no-untyped-def]
        out = _result_type(func, a)
        if out is None:
            return None
        call = _numpy_through_objmode(func, out, two_d)
        if two_d:
            return lambda a, s, axes, norm: call(a, s, axes, norm)
        return lambda a, n, axis, norm: call(a, n, axis, norm)

    def close_impl(a):  # type: ignore[no-untyped-def]
        out = _result_type(func, a)
        if out is None:
            return None
        call = _numpy_through_objmode(func, out, two_d)
        if two_d:
            def impl2(a, s, axes, norm):  # type: ignore[no-untyped-def]
                if not np.all(np.isfinite(a)):
                    return call(a, s, axes, norm)
                return np.ascontiguousarray(np_func(a, s, axes, norm))
            return impl2

        def impl1(a, n, axis, norm):  # type: ignore[no-untyped-def]
            if not np.all(np.isfinite(a)):
                return call(a, n, axis, norm)
            return np.ascontiguousarray(np_func(a, n, axis, norm))
        return impl1

    if two_d:
        overload(exact)(lambda a, s, axes, norm: exact_impl(a))
        overload(close)(lambda a, s, axes, norm: close_impl(a))
    else:
        overload(exact)(lambda a, n, axis, norm: exact_impl(a))
        overload(close)(lambda a, n, axis, norm: close_impl(a))

    globals()[exact.__name__] = exact
    globals()[close.__name__] = close


for _f in ONE_D + TWO_D:
    _register(_f)


def fftfreq(n: Any, d: Any) -> Any:
    """``np.fft.fftfreq(n, d)``."""
    return np.fft.fftfreq(n, d)


@overload(fftfreq)
def _ol_fftfreq(n, d):  # type: ignore[no-untyped-def]
    if not (isinstance(n, types.Integer) and isinstance(d, (types.Integer, types.Float))):
        return None

    def impl(n, d):  # type: ignore[no-untyped-def]
        # NumPy's own lines (numpy/fft/_helper.py): 1.0 / (n * d), then integers times it
        nd = n * d
        if nd == 0:
            raise ZeroDivisionError("float division by zero")
        val = 1.0 / nd
        if n < 0:
            raise ValueError("negative dimensions are not allowed")
        results = np.empty(n, np.int64)
        m = (n - 1) // 2 + 1
        results[:m] = np.arange(0, m)
        results[m:] = np.arange(-(n // 2), 0)
        return results * val
    return impl
