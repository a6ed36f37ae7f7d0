"""np.linalg.norm computed with NumPy's own formulas (issue 17).

NumPy's norm (numpy/linalg/_linalg.py, `norm`) is not one algorithm but a
choice of formulas, and Numba's np.linalg.norm is another: for the 2-norm of
a vector it calls BLAS's nrm2, which scales as it goes, so entries of 1e200
give 3.2e200 where NumPy's sqrt(x.dot(x)) overflows to inf, and entries of
1e-200 give 3.2e-200 where NumPy's underflows to 0.0. Here each form is
NumPy's own:

- the 2-norm without axis= (a vector's default and ord=2, the default and
  'fro' of a matrix or of any rank): sqrt(dot(x, x)) of the flattened array, through Numba's BLAS dot
  (SciPy's OpenBLAS build, not NumPy's: last bits may differ, so close mode
  only; inf and 0.0 where NumPy overflows or underflows, as both square
  without scaling);
- the 2-norm along an axis: sqrt(add.reduce(x * x, axis)); of a vector,
  NumPy adds the fresh contiguous squares pairwise (pairwise.py), so the bits
  are NumPy's in both modes; of a matrix, close_reductions' blocked lines
  (close mode only);
- ord=1: add.reduce(abs(x)), the same two cases;
- a matrix's ord=1 and ord=inf: add.reduce(abs(x), axis=0 or 1).max(), the sums in
  close_reductions' blocks (close mode only), the largest NumPy's (NaN first, 0.0 of none);
- ord=inf and -inf: abs(x).max(initial=0) / abs(x).min() (axis_extrema's
  loop: exact; abs gives +0.0 for both zeros, so no sign question arises; a
  NaN is the result; an empty line gives 0.0 for inf and raises NumPy's
  ValueError for -inf).

complex128 input (issue 17): the same formulas on NumPy's own terms, computed
as NumPy's complex loops compute them (complex_helpers): (x.conj() * x).real
for the 2-norm (its array multiply, fused where NumPy's fuses), abs(x) its
SIMD absolute value; without axis= x.real.dot(x.real) + x.imag.dot(x.imag).

The compiler (src/compiler/types/norms.ts) writes the form as int literals:
`norm(x, ORD, axis)`, axis an int literal or None; keepdims=True as
`norm_keepdims(x, ORD, axis)`, the same values reshaped as NumPy's (every
dimension reduced kept as 1).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from .axis_extrema import _max_lines, _min_lines
from .complex_helpers import _cabs_scalar, _mul_array
from .axis_lines import lines_of, literal_axes, shape_of
from .close_reductions import SUM, _reduce_lines, _reduce_lines32
from .pairwise import pairwise_line, pairwise_line32

__all__ = ["norm", "norm_keepdims"]

#: the `ord` codes the compiler writes (types/norms.ts NORM_ORDS): DEFAULT is ord None or 'fro'
DEFAULT, ONE, INF, NINF, TWO, NTWO = 0, 1, 2, 3, 4, 5

_ORDS: dict[int, Any] = {DEFAULT: None, ONE: 1, INF: np.inf, NINF: -np.inf, TWO: 2, NTWO: -2}


_cabs = njit(inline="always")(_cabs_scalar)


@njit(inline="always")
def _real_squares(x):  # type: ignore[no-untyped-def]
    return x * x


@njit(inline="always")
def _real_abs(x):  # type: ignore[no-untyped-def]
    return np.abs(x)


@njit
def _complex_squares(x):  # type: ignore[no-untyped-def]
    """NumPy's (x.conj() * x).real of complex128 x: its array multiply (fused or not, complex_helpers), C order."""
    flat = np.ascontiguousarray(x).ravel()
    out = np.empty(flat.size, np.float64)
    for k in range(flat.size):
        z = flat[k]
        out[k] = _mul_array(z.real, -z.imag, z.real, z.imag)[0]
    return out.reshape(x.shape)


@njit
def _complex_abs(x):  # type: ignore[no-untyped-def]
    """NumPy's abs(x) of complex128 x: its SIMD absolute value (complex_helpers.cabs), C order."""
    flat = np.ascontiguousarray(x).ravel()
    out = np.empty(flat.size, np.float64)
    for k in range(flat.size):
        out[k] = _cabs(flat[k])
    return out.reshape(x.shape)


def norm(x: Any, ord_code: int, axis: Any) -> Any:
    """``np.linalg.norm(x, ord, axis)`` for the ord that ``ord_code`` names."""
    return np.linalg.norm(x, _ORDS[ord_code], axis)


@overload(norm, inline="always", prefer_literal=True)
def _ol_norm(x, ord_code, axis):  # type: ignore[no-untyped-def]
    if isinstance(x, types.Array) and isinstance(x.dtype, (types.Integer, types.Boolean)):
        # NumPy converts them to float64 first (x.astype(float)), then the same formulas
        return lambda x, ord_code, axis: norm(x.astype(np.float64), ord_code, axis)
    cx = isinstance(x, types.Array) and x.dtype == types.complex128
    if not (isinstance(x, types.Array) and (x.dtype in (types.float64, types.float32) or cx)):
        return None
    if not isinstance(ord_code, types.IntegerLiteral) or ord_code.literal_value not in _ORDS:
        return None
    code = ord_code.literal_value
    f32 = x.dtype == types.float32
    acc = np.float32 if f32 else np.float64
    # the terms NumPy reduces: (x.conj() * x).real and abs(x), each through NumPy's own complex loops
    squares, absolute = (_complex_squares, _complex_abs) if cx else (_real_squares, _real_abs)
    whole = axis is None or isinstance(axis, (types.NoneType, types.Omitted))
    if whole and cx and (code == DEFAULT or (code == TWO and x.ndim == 1)):
        # NumPy: x_real.dot(x_real) + x_imag.dot(x_imag) of x raveled
        def complex_dot_form(x, ord_code, axis):  # type: ignore[no-untyped-def]
            flat = np.ascontiguousarray(x).ravel()
            re = np.ascontiguousarray(flat.real)
            im = np.ascontiguousarray(flat.imag)
            return np.sqrt(np.dot(re, re) + np.dot(im, im))
        return complex_dot_form
    if whole and (code == DEFAULT or (code == TWO and x.ndim == 1)):
        # NumPy's fast path: sqrt(dot) of the whole array raveled (a vector, a matrix's Frobenius norm, any rank)
        def dot_form(x, ord_code, axis):  # type: ignore[no-untyped-def]
            flat = np.ascontiguousarray(x).ravel()
            return np.sqrt(np.dot(flat, flat))
        return dot_form
    if whole and x.ndim == 2 and code in (TWO, NTWO):
        # a matrix's largest or smallest singular value (NumPy: svd(x, compute_uv=False).max() / .min()) through
        # Numba's np.linalg.svd (LAPACK's gesdd, SciPy's build: close mode only, types/norms.ts NORM_SVD_BOUND);
        # NaN or inf entries raise LinAlgError in both (worded differently); no singular values: NumPy's 0.0 for
        # the max of an empty svd through its own norm path, its ValueError for the min (the original runs it)
        largest = code == TWO

        def singular_norm(x, ord_code, axis):  # type: ignore[no-untyped-def]
            if x.shape[0] == 0 or x.shape[1] == 0:
                if largest:
                    return acc(0.0)
                raise ValueError("zero-size array to reduction operation minimum which has no identity")
            s = np.linalg.svd(np.ascontiguousarray(x))[1]
            return s.max() if largest else s.min()
        return singular_norm
    if whole and x.ndim == 2 and code in (ONE, INF):
        # a matrix's 1-norm (largest column sum of |x|) and inf-norm (largest row sum): NumPy's
        # add.reduce(abs(x), axis=0 or 1).max(), the sums in close_reductions' blocks (close mode only,
        # types/norms.ts), the largest by axis_extrema's loop (NaN first); of no sums 0.0 (max(initial=0))
        reduce_matrix = _reduce_lines32 if f32 else _reduce_lines
        sums_axes = (0,) if code == ONE else (1,)
        sum_lines = lines_of(2, sums_axes)

        def matrix_norm(x, ord_code, axis):  # type: ignore[no-untyped-def]
            s = reduce_matrix(sum_lines(absolute(x)), SUM, 0)
            if s.size == 0:
                return acc(0.0)  # (NumPy's max(initial=0))
            return _max_lines(s.reshape((1, s.size, 1)))[0]
        return matrix_norm
    if x.ndim not in (1, 2) or (whole and x.ndim != 1):
        return None  # matrix norms other than Frobenius, 1 and inf, other ranks: not compiled (the original runs)
    axes = (0,) if whole else literal_axes(axis, x.ndim)
    if axes is None or len(axes) != 1:
        return None  # the original runs and raises NumPy's AxisError
    square = code in (DEFAULT, TWO)
    if code in (INF, NINF):
        # NumPy: abs(x).max(axis, initial=0) (an empty line gives 0.0), abs(x).min(axis) (ValueError)
        extremes = _max_lines if code == INF else _min_lines
        lines = lines_of(x.ndim, axes)
        k = axes[0]
        zero_if_empty = code == INF
        if x.ndim == 1:
            def vector_extreme(x, ord_code, axis):  # type: ignore[no-untyped-def]
                if zero_if_empty and x.shape[0] == 0:
                    return acc(0.0)
                return extremes(lines(absolute(x)))[0]
            return vector_extreme
        shape = shape_of(x.ndim, axes, False)

        def matrix_extremes(x, ord_code, axis):  # type: ignore[no-untyped-def]
            if zero_if_empty and x.shape[k] == 0:
                return np.zeros(shape(x), dtype=acc)
            return extremes(lines(absolute(x))).reshape(shape(x))
        return matrix_extremes
    if x.ndim == 1:
        # NumPy's add.reduce of a fresh contiguous vector: from 0, pairwise, in the dtype
        pairwise = pairwise_line32 if f32 else pairwise_line

        def vector(x, ord_code, axis):  # type: ignore[no-untyped-def]
            n = x.shape[0]
            t = squares(x) if square else absolute(x)
            s = acc(0.0) + pairwise(t.reshape((1, n, 1)), 0, 0, n, 0)
            return np.sqrt(s) if square else s
        return vector
    reduce_lines = _reduce_lines32 if f32 else _reduce_lines
    lines = lines_of(x.ndim, axes)
    shape = shape_of(x.ndim, axes, False)

    def along(x, ord_code, axis):  # type: ignore[no-untyped-def]
        t = squares(x) if square else absolute(x)
        s = reduce_lines(lines(t), SUM, 0).reshape(shape(x))
        return np.sqrt(s) if square else s
    return along


def norm_keepdims(x: Any, ord_code: int, axis: Any) -> Any:
    """``np.linalg.norm(x, ord, axis, keepdims=True)``."""
    return np.linalg.norm(x, _ORDS[ord_code], axis, keepdims=True)


@overload(norm_keepdims, inline="always", prefer_literal=True)
def _ol_norm_keepdims(x, ord_code, axis):  # type: ignore[no-untyped-def]
    if not (isinstance(x, types.Array) and x.ndim in (1, 2)):
        return None
    whole = axis is None or isinstance(axis, (types.NoneType, types.Omitted))
    if whole or x.ndim == 1:
        # a scalar: an array of ones of x's rank (NumPy's ret.reshape(ndim*[1]), or add.reduce(..., keepdims=True))
        ones = (1,) * x.ndim

        def one(x, ord_code, axis):  # type: ignore[no-untyped-def]
            return np.full(ones, norm(x, ord_code, axis))
        return one
    axes = literal_axes(axis, x.ndim)
    if axes is None or len(axes) != 1:
        return None
    k = axes[0]

    def line(x, ord_code, axis):  # type: ignore[no-untyped-def]
        r = norm(x, ord_code, axis)
        return r.reshape((1, r.shape[0]) if k == 0 else (r.shape[0], 1))
    return line
