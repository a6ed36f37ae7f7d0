"""Device forms of NumPy's exact complex operations, for the GPU variant's kernels.

complex_helpers.cmul/csquare/creciprocal/cabs and numba_helpers.cdiv compute NumPy's
bits on the CPU with + - * / sqrt and, where NumPy's SIMD loop fuses, fma. CUDA's
double-precision + - * / and sqrt are correctly rounded (numba.cuda compiles without
fastmath: div.rn, rcp.rn, sqrt.rn), cuda.fma is one rounding, and Polyray's kernels
compile without contracting products into fma (cuda_fma.py): the same operations give
the same bits on the device. Kernels call them as ``_polyray_hd_<helper>``, a name of
their own (the CPU variant's ``_polyray_h_<helper>`` shares the module's globals);
under the CUDA simulator the CPU helpers themselves serve (GpuVariant._inject_locked).
Checked through libNVVM without a GPU (test/python/test_gpu_ptx.py) and under the
simulator (test/python/test_gpu_complex.py). cexp and the power's general path call
exp/sin/cos/log, which CUDA computes with libdevice (other last bits): no device form.

This module imports numba.cuda: import it only when injecting device functions.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from numba import cuda

from .complex_helpers import _CABS_FORM, _NUMPY_FUSES
from .complex_helpers import _crecip_scalar as creciprocal  # (no fma, no libdevice call: the host's function)
from .numba_helpers import _cdiv_scalar as cdiv  # (the same)

#: the kernels' name of a helper's device form
DEVICE_PREFIX: Final = "_polyray_hd_"


# (each form is written out, calling no other Python function: numba.cuda compiles a called
# function as a device function of its own, which needs a GPU to compile). The reciprocal and the
# division use nothing of the device's own (fma, libdevice): their device forms are the host's
# Python functions themselves, imported above, which gpu.py compiles with cuda.jit(device=True).
def cmul(a: Any, b: Any) -> complex:
    a, b = complex(a), complex(b)
    if _NUMPY_FUSES:
        return complex(cuda.fma(a.real, b.real, -(a.imag * b.imag)), cuda.fma(a.real, b.imag, a.imag * b.real))
    return complex(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real)


def csquare(a: Any) -> complex:
    a = complex(a)
    if _NUMPY_FUSES:
        return complex(cuda.fma(a.real, a.real, -(a.imag * a.imag)), cuda.fma(a.real, a.imag, a.imag * a.real))
    return complex(a.real * a.real - a.imag * a.imag, a.real * a.imag + a.imag * a.real)


def csquare_scalar(a: Any) -> complex:
    # np.square of one complex number: NumPy's scalar path, unfused (complex_helpers.csquare_scalar)
    a = complex(a)
    return complex(a.real * a.real - a.imag * a.imag, a.real * a.imag + a.imag * a.real)


def cabs(a: Any) -> float:
    # NumPy's SIMD absolute value (complex_helpers.cabs), in the form found on this machine
    a = complex(a)
    re, im = abs(a.real), abs(a.imag)
    if _CABS_FORM == 2:
        return math.hypot(re, im)
    if re == math.inf or im == math.inf:
        return math.inf
    if math.isnan(re) or math.isnan(im):
        return math.nan
    larger, smaller = (re, im) if re >= im else (im, re)
    ratio = 0.0 if larger == 0.0 else smaller / larger
    if _CABS_FORM == 0:
        return math.sqrt(cuda.fma(ratio, ratio, 1.0)) * larger
    return math.sqrt(ratio * ratio + 1.0) * larger


DEVICE_COMPLEX: Final[dict[str, Callable[..., Any]]] = {
    "cmul": cmul, "csquare": csquare, "csquare_scalar": csquare_scalar, "creciprocal": creciprocal, "cdiv": cdiv, "cabs": cabs,
}
