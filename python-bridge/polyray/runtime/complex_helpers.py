"""NumPy's complex128 multiply, square, reciprocal, power, exp and absolute value, compiled by Numba.

NumPy multiplies complex arrays in SIMD loops (numpy/_core/src/umath/
loops_arithm_fp.dispatch.c.src, ``simd_cmul``): on a CPU whose dispatched loop
has fused multiply-add (x86-64-v3 and up, AArch64) each part is one fused
operation, ``re = fma(ar, br, -(ai*bi))``, ``im = fma(ar, bi, ai*br)``; Numba
rounds the products separately, so a quarter of random products differ in the
last bit. NumPy scalars (scalarmath) and the power loop (``nc_pow`` in
funcs.inc.src) multiply without fusing. ``_NUMPY_FUSES`` asks NumPy itself, once,
which its array loop does on this machine, so ``cmul`` gives NumPy's bits on
either kind of CPU.

``a ** 2`` on a complex array is ``np.square`` (NumPy's ``fast_scalar_power`` for
a Python int 2: the same SIMD product), ``a ** -1`` ``np.reciprocal``, ``a ** 0.5``
(a Python float) ``np.sqrt``, the C library's ``csqrt`` (``csqrt`` here follows glibc's
algorithm bit for bit; Numba's own complex sqrt loses half of 1e308j's root); any other
exponent, NumPy scalars and ``np.power`` run ``nc_pow``: 1 for a zero exponent,
0 or nan for a zero base, repeated squaring for integer exponents of magnitude
under 100 (a reciprocal through NumPy's complex division for negative ones), and
the C library's ``cpow`` otherwise, which ``cpow`` here replaces with
``exp(b * log(a))`` (glibc's: its ``cexp`` scaling, so a large modulus keeps a finite part finite): within the bound of docs/reliability.md ("Complex power"),
so only `close` mode compiles the exponents that can reach it.

``np.abs`` of a complex array is not the C library's ``hypot`` either: NumPy's SIMD loop
(loops_unary_complex.dispatch.c.src, ``simd_cabsolute``) scales by the larger part,
``larger * sqrt(fma(r, r, 1))`` with ``r = smaller / larger`` (infinities and NaNs first
made both parts inf or nan), which differs from hypot in a third of random values; NumPy
scalars' ``abs()`` is hypot. ``cabs`` does what ``_CABS_FORM`` found NumPy's loop to do.

Each helper is a Numba ufunc (``vectorize``): elementwise on arrays with NumPy's
broadcasting and conversions, and callable on scalars in element loops. Tested
bit for bit against NumPy by python-bridge/tests/test_complex_helpers.py.

This module imports numba: import it only when compiling a CPU variant.
"""

from __future__ import annotations

import cmath
import math
import threading
from fractions import Fraction
from typing import Any

import numpy as np
from numba import njit, types, vectorize
from numba.extending import intrinsic

__all__ = ["cmul", "csquare", "csquare_scalar", "creciprocal", "cpow", "cpow_op", "cpow_fop", "csqrt", "cexp", "cabs"]


@intrinsic
def _fma(typingctx, a, b, c):  # type: ignore[no-untyped-def]
    """One rounding of ``a * b + c`` (LLVM's llvm.fma: in hardware where the CPU has it)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.fma(*args)

    return sig, codegen


def _numpy_fuses() -> bool:
    """Whether NumPy's complex128 array multiply fuses (asked of NumPy, contiguous and strided)."""
    x = 1.0 + 2.0**-27  # x*x - 1 is 2**-26 + 2**-54 exactly, 2**-26 after rounding x*x
    a = np.array([complex(x, 1.0)] * 5)
    fused = [float(np.multiply(a, a)[0].real), float(np.multiply(a[::2], a[::2])[0].real), float(np.square(a)[0].real)]
    exact = 2.0**-26 + 2.0**-54
    if all(v == exact for v in fused):
        return True
    if all(v == 2.0**-26 for v in fused):
        return False
    raise RuntimeError(f"NumPy's complex multiply fuses in some loops and not in others: {fused}")


_NUMPY_FUSES = _numpy_fuses()


@njit(inline="always")
def _mul_plain(ar, ai, br, bi):  # type: ignore[no-untyped-def]
    return ar * br - ai * bi, ar * bi + ai * br


@njit(inline="always")
def _mul_array(ar, ai, br, bi):  # type: ignore[no-untyped-def]
    if _NUMPY_FUSES:
        return _fma(ar, br, -(ai * bi)), _fma(ar, bi, ai * br)
    return ar * br - ai * bi, ar * bi + ai * br


def _cmul_scalar(a: complex, b: complex) -> complex:
    r, i = _mul_array(a.real, a.imag, b.real, b.imag)
    return complex(r, i)


@njit(inline="always")
def _csquare_parts(a):  # type: ignore[no-untyped-def]
    r, i = _mul_array(a.real, a.imag, a.real, a.imag)
    return complex(r, i)


def _crecip_scalar(a):  # type: ignore[no-untyped-def]
    # NumPy's complex `reciprocal` loop (loops.c.src): Smith's scaling by the larger part (also the GPU
    # kernels' device form, gpu_complex.py, which may pass a real number: complex() first)
    a = complex(a)
    in1r, in1i = a.real, a.imag
    if abs(in1i) <= abs(in1r):
        r = in1i / in1r
        d = in1r + in1i * r
        return complex(1.0 / d, -r / d)
    r = in1r / in1i
    d = in1r * r + in1i
    return complex(r / d, -1.0 / d)


_crecip_parts = njit(inline="always")(_crecip_scalar)


@njit(inline="always")
def _cdiv_parts(in1r, in1i, in2r, in2i):  # type: ignore[no-untyped-def]
    # NumPy's complex division (numba_helpers.cdiv, the same loop)
    in2r_abs, in2i_abs = abs(in2r), abs(in2i)
    if in2r_abs >= in2i_abs:
        if in2r_abs == 0 and in2i_abs == 0:
            return in1r / in2r_abs, in1i / in2r_abs
        rat = in2i / in2r
        scl = 1.0 / (in2r + in2i * rat)
        return (in1r + in1i * rat) * scl, (in1i - in1r * rat) * scl
    rat = in2r / in2i
    scl = 1.0 / (in2i + in2r * rat)
    return (in1r * rat + in1i) * scl, (in1i * rat - in1r) * scl


@njit(inline="always")
def _mul_annex_g(a, b, c, d):  # type: ignore[no-untyped-def]
    # C99 Annex G's complex multiply (GCC's __muldc3): a nan * nan result with an infinite
    # operand or an overflowed product is recomputed with the infinities as +-1
    ac, bd, ad, bc = a * c, b * d, a * d, b * c
    x, y = ac - bd, ad + bc
    if math.isnan(x) and math.isnan(y):
        recalc = False
        if math.isinf(a) or math.isinf(b):
            a = math.copysign(1.0 if math.isinf(a) else 0.0, a)
            b = math.copysign(1.0 if math.isinf(b) else 0.0, b)
            c = math.copysign(0.0, c) if math.isnan(c) else c
            d = math.copysign(0.0, d) if math.isnan(d) else d
            recalc = True
        if math.isinf(c) or math.isinf(d):
            c = math.copysign(1.0 if math.isinf(c) else 0.0, c)
            d = math.copysign(1.0 if math.isinf(d) else 0.0, d)
            a = math.copysign(0.0, a) if math.isnan(a) else a
            b = math.copysign(0.0, b) if math.isnan(b) else b
            recalc = True
        if not recalc and (math.isinf(ac) or math.isinf(bd) or math.isinf(ad) or math.isinf(bc)):
            a = math.copysign(0.0, a) if math.isnan(a) else a
            b = math.copysign(0.0, b) if math.isnan(b) else b
            c = math.copysign(0.0, c) if math.isnan(c) else c
            d = math.copysign(0.0, d) if math.isnan(d) else d
            recalc = True
        if recalc:
            x = math.inf * (a * c - b * d)
            y = math.inf * (a * d + b * c)
    return x, y


@njit(inline="always")
def _clog_parts(a):  # type: ignore[no-untyped-def]
    # log|a| + i arg(a) (Numba's cmath.log), scaled where glibc's clog scales: where hypot overflows
    # (log(1.7e308 + 1e308j) is finite, so its powers are too) and where it rounds a subnormal
    # modulus (|5e-324 + 5e-324j| is 7.07e-324, not 5e-324)
    x, y = a.real, a.imag
    m = max(abs(x), abs(y))
    if math.isfinite(m) and m > 8.98846567431158e307:  # DBL_MAX / 2
        return complex(math.log(math.hypot(0.5 * x, 0.5 * y)) + 0.6931471805599453, math.atan2(y, x))
    if 0.0 < m < 1e-290:
        k = 1.0 * 2.0**600  # exact: a power of two
        return complex(math.log(math.hypot(x * k, y * k)) - 600.0 * 0.6931471805599453, math.atan2(y, x))
    return cmath.log(a)


@njit(inline="always")
def _cpow_parts(a, b):  # type: ignore[no-untyped-def]
    # NumPy's nc_pow (numpy/_core/src/umath/funcs.inc.src), products unfused as there
    ar, ai, br, bi = a.real, a.imag, b.real, b.imag
    if br == 0.0 and bi == 0.0:
        return complex(1.0, 0.0)
    if ar == 0.0 and ai == 0.0:
        if br > 0:  # NumPy 2: any exponent of positive real part
            return complex(0.0, 0.0)
        return complex(math.nan, math.nan)
    if bi == 0 and abs(br) < 100.0 and math.floor(br) == br:
        n = int(br)
        if n == 1:
            return complex(ar, ai)
        if n == 2:
            r, i = _mul_plain(ar, ai, ar, ai)
            return complex(r, i)
        if n == 3:
            r, i = _mul_plain(ar, ai, ar, ai)
            r, i = _mul_plain(ar, ai, r, i)
            return complex(r, i)
        if n < 0:
            n = -n
        aar, aai = 1.0, 0.0
        pr, pi = ar, ai
        mask = 1
        while True:
            if n & mask:
                aar, aai = _mul_plain(aar, aai, pr, pi)
            mask <<= 1
            if n < mask:
                break
            pr, pi = _mul_plain(pr, pi, pr, pi)
        if br < 0:
            aar, aai = _cdiv_parts(1.0, 0.0, aar, aai)
        return complex(aar, aai)
    # NumPy calls the C library's cpow here: glibc's formula, cexp(b * clog(a)) with C's complex
    # product (Annex G: infinities recovered from nan * nan), not its bits (close mode only); glibc's
    # cexp scales a large real part so that (1e308 + 1j) ** 1.5 keeps a finite imaginary part
    la = _clog_parts(a)
    wr, wi = _mul_annex_g(br, bi, la.real, la.imag)
    return _cexp_parts(complex(wr, wi))


def _csquare_plain_scalar(a: complex) -> complex:
    r, i = _mul_plain(a.real, a.imag, a.real, a.imag)
    return complex(r, i)


def _cpow_scalar(a: complex, b: complex) -> complex:
    return _cpow_parts(a, b)


def _cpow_fop_scalar(a: complex, b: float) -> complex:
    # `array ** x` for a Python float x: NumPy's fast_scalar_power (multiarray/number.c) takes np.sqrt
    # for 0.5, np.power for any other value; checked per call, as NumPy does
    if b == 0.5:
        return _csqrt_parts(a)
    return _cpow_parts(a, complex(b))


def _cpow_op_scalar(a: complex, n: int) -> complex:
    # `array ** n` for a Python int n: NumPy's fast_scalar_power picks square for 2, reciprocal for -1
    if n == 2:
        return _csquare_parts(a)
    if n == -1:
        return _crecip_parts(a)
    return _cpow_parts(a, complex(n))


_EXP_T = 709.0  # (int)((DBL_MAX_EXP - 1) * ln 2): glibc's threshold for scaling exp's argument
_DBL_MIN = 2.2250738585072014e-308
_DBL_MAX = 1.7976931348623157e308


def _cexp_scalar(z: complex) -> complex:
    # glibc's cexp (math/s_cexp_template.c), which NumPy's complex exp calls (npy_cexp): exp(x) times
    # cos(y), sin(y), with exp's argument scaled by exp(709) up to twice so a finite result does not
    # overflow early, an exact zero imaginary part for a zero y, and Annex G's special values
    x, y = z.real, z.imag
    if math.isfinite(x):
        if math.isfinite(y):
            if abs(y) > _DBL_MIN:
                sinix, cosix = math.sin(y), math.cos(y)
            else:
                sinix, cosix = y, 1.0
            if x > _EXP_T:
                exp_t = math.exp(_EXP_T)
                x -= _EXP_T
                sinix *= exp_t
                cosix *= exp_t
                if x > _EXP_T:
                    x -= _EXP_T
                    sinix *= exp_t
                    cosix *= exp_t
            if x > _EXP_T:
                return complex(_DBL_MAX * cosix, _DBL_MAX * sinix)
            ev = math.exp(x)
            return complex(ev * cosix, ev * sinix)
        return complex(math.nan, math.nan)
    if math.isinf(x):
        if math.isfinite(y):
            value = 0.0 if x < 0 else math.inf
            if y == 0.0:
                return complex(value, y)
            if abs(y) > _DBL_MIN:
                sinix, cosix = math.sin(y), math.cos(y)
            else:
                sinix, cosix = y, 1.0
            return complex(math.copysign(value, cosix), math.copysign(value, sinix))
        if x > 0:
            return complex(math.inf, y - y)
        return complex(0.0, math.copysign(0.0, y))
    if y == 0.0:
        return complex(math.nan, y)
    return complex(math.nan, math.nan)


_cexp_parts = njit(inline="always")(_cexp_scalar)


def _csqrt_scalar(z: complex) -> complex:
    # glibc's csqrt (math/s_csqrt_template.c), which np.sqrt of a complex array calls (npy_csqrt):
    # Annex G's special values, scaling by 4 near overflow and by 2**54 near underflow, and the
    # identity 2 Re(res) Im(res) = Im(z) against cancellation in hypot(x, y) -/+ x
    x, y = z.real, z.imag
    if not math.isfinite(x) or not math.isfinite(y):
        if math.isinf(y):
            return complex(math.inf, y)
        if math.isinf(x):
            if x < 0:
                return complex(math.nan if math.isnan(y) else 0.0, math.copysign(math.inf, y))
            return complex(x, math.nan if math.isnan(y) else math.copysign(0.0, y))
        return complex(math.nan, math.nan)
    if y == 0.0:
        if x < 0:
            return complex(0.0, math.copysign(math.sqrt(-x), y))
        return complex(abs(math.sqrt(x)), math.copysign(0.0, y))
    if x == 0.0:
        if abs(y) >= 2.0 * _DBL_MIN:
            r = math.sqrt(0.5 * abs(y))
        else:
            r = 0.5 * math.sqrt(2.0 * abs(y))
        return complex(r, math.copysign(r, y))
    scale = 0
    if abs(x) > _DBL_MAX / 4.0:
        scale = 1
        x = math.ldexp(x, -2)
        y = math.ldexp(y, -2)
    if abs(y) > _DBL_MAX / 4.0:
        scale = 1
        x = math.ldexp(x, -2) if abs(x) >= 4.0 * _DBL_MIN else 0.0
        y = math.ldexp(y, -2)
    elif abs(x) < 2.0 * _DBL_MIN and abs(y) < 2.0 * _DBL_MIN:
        scale = -((53 + 1) // 2)
        x = math.ldexp(x, -2 * scale)
        y = math.ldexp(y, -2 * scale)
    d = math.hypot(x, y)
    if x > 0:
        r = math.sqrt(0.5 * (d + x))
        if scale == 1 and abs(y) < 1.0:
            s = y / r
            r = math.ldexp(r, scale)
            scale = 0
        else:
            s = 0.5 * (y / r)
    else:
        s = math.sqrt(0.5 * (d - x))
        if scale == 1 and abs(y) < 1.0:
            r = abs(y / s)
            s = math.ldexp(s, scale)
            scale = 0
        else:
            r = abs(0.5 * (y / s))
    if scale:
        r = math.ldexp(r, scale)
        s = math.ldexp(s, scale)
    return complex(r, math.copysign(s, y))


_csqrt_parts = njit(inline="always")(_csqrt_scalar)


_C2 = ["complex128(complex128, complex128)"]


def _cabs_form() -> int:
    """Which form NumPy's complex128 absolute loop computes on this machine (asked of NumPy, once):
    0 the SIMD loop with fused multiply-add, 1 the same without fusing, 2 the C library's hypot."""
    rng = np.random.default_rng(20261206)
    z = rng.standard_normal(64) * 4.0 + 1j * rng.standard_normal(64) * 4.0
    want = [np.abs(z), np.abs(z[::3]), np.abs(z.reshape(8, 8).T)]

    def simd(v: complex, fused: bool) -> float:
        big, small = max(abs(v.real), abs(v.imag)), min(abs(v.real), abs(v.imag))
        r = small / big
        inner = float(Fraction(r) * Fraction(r) + 1) if fused else r * r + 1.0  # Fraction: fma's one rounding
        return math.sqrt(inner) * big

    forms = (lambda v: simd(v, True), lambda v: simd(v, False), lambda v: math.hypot(v.real, v.imag))
    for k, form in enumerate(forms):
        if all(np.array_equal(w, np.array([form(complex(v)) for v in x.ravel()]).reshape(x.shape)) for w, x in zip(want, (z, z[::3], z.reshape(8, 8).T))):
            return k
    raise RuntimeError("NumPy's complex absolute value is none of the forms complex_helpers.cabs knows")


_CABS_FORM = _cabs_form()


def _cabs_scalar(z: complex) -> float:
    re, im = abs(z.real), abs(z.imag)
    if _CABS_FORM == 2:
        return math.hypot(re, im)
    # simd_cabsolute: an infinite part makes both infinite (inf + nan*j is inf), then a NaN part both NaN
    if re == math.inf or im == math.inf:
        re = im = math.inf
    if math.isnan(re) or math.isnan(im):
        return math.nan
    larger, smaller = (re, im) if re >= im else (im, re)
    ratio = 0.0 if larger == 0.0 or smaller == math.inf else smaller / larger
    if _CABS_FORM == 0:
        return math.sqrt(_fma(ratio, ratio, 1.0)) * larger
    return math.sqrt(ratio * ratio + 1.0) * larger


#: Each ufunc (its signatures, its scalar function) is compiled on first use (module __getattr__): a
#: variant's helpers are fetched by name when it compiles (cpu.py), so a process compiles only those its
#: variants call. Compiled at import, all seven cost every process's first CPU variant 8 s of its
#: background JIT under load 15 here (issue 19), complex numbers used or not.
_UFUNCS: dict[str, tuple[list[str], Any]] = {
    "cmul": (_C2, _cmul_scalar),
    "csquare": (["complex128(complex128)"], lambda a: _csquare_parts(a)),
    # np.square of one complex number (a NumPy scalar, a Python complex): NumPy's scalar path does not
    # fuse, where its array loop does (np.multiply of two scalars does): the plain product
    "csquare_scalar": (["complex128(complex128)"], _csquare_plain_scalar),
    "creciprocal": (["complex128(complex128)"], lambda a: _crecip_parts(a)),
    "cpow": (_C2, _cpow_scalar),
    "cpow_op": (["complex128(complex128, int64)"], _cpow_op_scalar),
    "cpow_fop": (["complex128(complex128, float64)"], _cpow_fop_scalar),
    "csqrt": (["complex128(complex128)"], lambda a: _csqrt_parts(a)),
    "cexp": (["complex128(complex128)"], _cexp_scalar),
    "cabs": (["float64(complex128)"], _cabs_scalar),
}
_build_lock = threading.Lock()


def __getattr__(name: str) -> Any:
    """``cmul`` and the other ufuncs of __all__, compiled the first time one is asked for (once per process)."""
    spec = _UFUNCS.get(name)
    if spec is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _build_lock:
        built = globals().get(name)
        if built is None:
            built = globals()[name] = vectorize(spec[0], nopython=True)(spec[1])
    return built
