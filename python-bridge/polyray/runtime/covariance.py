"""``np.cov`` of a 2-d float64 array as the symmetric product it is (issue 18, close mode).

NumPy's np.cov centres a copy of the rows and calls ``dot(X, X.T.conj())``, which its BLAS layer recognises as
a product of a matrix with its own transpose and computes with syrk (one triangle, half the multiplications),
copying the other triangle (numpy/_core/src/common/cblasfuncs.c, ``syrk``). Numba's np.cov makes a copy of
``X.T`` (np.conj of a real array is a new array) and multiplies the whole square with gemm: twice the
multiplications and a transposing copy, 0.56x NumPy on NPBench's covariance2 at preset S.

``cov(m)`` does Numba's steps (the same means, divisor and NaNs for no observations) with the product through
SciPy's dsyrk (the BLAS Numba's products call), reading the centred copy in the layout it has (an F-ordered
``data.T`` stays F-ordered: no transposing copy), then copies the triangle over. The product's bits are
SciPy's BLAS's, as Numba's gemm's were: close mode only (types/numpy-table.ts `cov`, its bound there).
The dsyrk symbol is bound by address (llvmlite's add_symbol), so variants calling it stay cacheable.
"""
from __future__ import annotations

from typing import Any

import llvmlite.binding as ll
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic, overload, register_jitable

__all__ = ["cov"]

ll.add_symbol("polyray_dsyrk", get_cython_function_address("scipy.linalg.cython_blas", "dsyrk"))

_i8 = ir.IntType(8)
_i32 = ir.IntType(32)
_f64 = ir.DoubleType()


@intrinsic
def _dsyrk_upper(typingctx, transposed, n, k, a, lda, c):  # type: ignore[no-untyped-def]
    """Column-major ``c = op(a) @ op(a).T`` into c's upper triangle (n x n, leading dimension n): BLAS's dsyrk,
    alpha 1, beta 0, op a transpose where ``transposed`` (a is then k x n as stored, else n x k)."""
    sig = types.void(transposed, n, k, a, lda, c)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        tr, n_, k_, a_, lda_, c_ = args
        aty, cty = signature.args[3], signature.args[5]

        def slot(ty: ir.Type, value: Any) -> Any:
            p = cgutils.alloca_once(builder, ty)
            builder.store(value, p)
            return p

        uplo = slot(_i8, ir.Constant(_i8, ord('U')))
        trans = slot(_i8, builder.select(cgutils.as_bool_bit(builder, tr), ir.Constant(_i8, ord('T')), ir.Constant(_i8, ord('N'))))
        ints = [slot(_i32, builder.trunc(v, _i32)) for v in (n_, k_, lda_, n_)]
        alpha, beta = slot(_f64, ir.Constant(_f64, 1.0)), slot(_f64, ir.Constant(_f64, 0.0))
        a_data = context.make_array(aty)(context, builder, a_).data
        c_data = context.make_array(cty)(context, builder, c_).data
        ptr = [_i8.as_pointer(), _i8.as_pointer(), _i32.as_pointer(), _i32.as_pointer(), _f64.as_pointer(),
               _f64.as_pointer(), _i32.as_pointer(), _f64.as_pointer(), _f64.as_pointer(), _i32.as_pointer()]
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), ptr), "polyray_dsyrk")
        builder.call(fn, (uplo, trans, ints[0], ints[1], alpha, a_data, ints[2], beta, c_data, ints[3]))
        return context.get_dummy_value()
    return sig, codegen


_MAX_INT = 2**31 - 1


@register_jitable
def _cov_rows(x):  # type: ignore[no-untyped-def]
    """Numba's np.cov of a 2-d float64 array (rows the variables) with the product through dsyrk."""
    rows, cols = x.shape
    if rows == 0 or cols == 0:
        return np.full((rows, rows), np.nan)
    fact = max(cols - 1, 0.0)  # Numba's and NumPy's divisor (NumPy warns below 0 and floors at 0)
    copy = np.copy(x)  # C- or F-ordered as x is (Numba keeps an F array's order, a strided one becomes C)
    means = np.zeros(rows)
    for j in range(cols):
        for i in range(rows):
            means[i] += copy[i, j]
    means /= cols
    for i in range(rows):
        copy[i, :] -= means[i]
    out = np.empty((rows, rows))
    if max(rows, cols) > _MAX_INT:
        out[:, :] = np.dot(copy, copy.T)
    else:
        columns = copy.strides[0] == copy.itemsize and rows > 1  # F-ordered: stored as x (rows x cols, ld rows)
        if columns:
            _dsyrk_upper(False, rows, cols, copy, rows, out)
        else:  # C-ordered: stored as x.T (cols x rows, ld cols)
            _dsyrk_upper(True, rows, cols, copy, cols, out)
        # column-major upper triangle = row-major lower one (out[i, j], i >= j): copy it over
        for i in range(rows):
            for j in range(i + 1, rows):
                out[i, j] = out[j, i]
    out *= np.true_divide(1, fact)
    return out


def cov(m: Any) -> Any:
    """``np.cov(m)`` of a 2-d float64 array with more than one row (the guard leaves one row to the original)."""
    return np.cov(m)


@overload(cov)
def _ol_cov(m):  # type: ignore[no-untyped-def]
    if not (isinstance(m, types.Array) and m.ndim == 2 and m.dtype == types.float64):
        return None
    return lambda m: _cov_rows(m)
