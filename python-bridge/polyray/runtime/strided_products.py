"""Products of strided views through BLAS with their leading dimension, as NumPy multiplies them (issue 18).

Numba's ``@`` and ``np.dot`` copy every operand of layout 'A' (a slice such as ``data[:, i + 1:m]``, a
column ``data[:, i]``) into a new C-contiguous array before calling BLAS (numba/np/linalg.py,
``make_contiguous``). NumPy's matmul copies nothing where each row (or each column) of a matrix is
contiguous: it hands BLAS the matrix with its leading dimension (numpy/_core/src/umath/matmul.c.src,
``is_blasable2d``) and the vector with its stride. In correlation's ``data[:, i] @ data[:, i + 1:m]``
(a loop over i) the copies were the whole matrix's worth per iteration, as much memory traffic as the
product: 0.27x NumPy at preset S.

``strided_matmul(a, b)`` (1-d or 2-d operands of one BLAS dtype, at least one of layout 'A') passes a
matrix whose rows or columns are contiguous to gemm/gemv as it lies, transposed where its columns are the
contiguous ones; a matrix that is neither (a step in both dimensions, a negative stride) is copied, as
Numba does; a vector operand is copied into a contiguous one (O(k) against the product's O(k n): Numba's
gemv wrapper has no increment). Results are new C-contiguous arrays, as Numba's. Close mode only, as every
BLAS product of the variants (exact mode keeps the original for ``@`` of floats: types/numpy-table.ts).

The BLAS is the one Numba's products call (SciPy's, through Numba's ``numba_xxgemm``/``numba_xxgemv``
symbols, which take the leading dimension), with alpha 1 and beta 0 as Numba passes them.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload, register_jitable
from numba.np.linalg import check_blas_return, ensure_blas, get_blas_kind, make_constant_slot

__all__ = ["strided_matmul"]

_BLAS_DTYPES = (types.float32, types.float64, types.complex64, types.complex128)
_MAX_INT = 2**31 - 1  # the BLAS takes sizes and leading dimensions as C ints (numba/_lapack.c, F_INT)

_char = ir.IntType(8)
_intp = ir.IntType(64)
_void_p = ir.IntType(8).as_pointer()


def _data(context: Any, builder: Any, ty: types.Array, value: Any) -> Any:
    return builder.bitcast(context.make_array(ty)(context, builder, value).data, _void_p)


def _unit_scalars(context: Any, builder: Any, dtype: Any) -> tuple[Any, Any, Any, Any]:
    """What both BLAS calls below pass: alpha 1 and beta 0 in the dtype (as pointers' slots), 't' and 'n'."""
    return (make_constant_slot(context, builder, dtype, 1.0), make_constant_slot(context, builder, dtype, 0.0),
            ir.Constant(_char, ord('t')), ir.Constant(_char, ord('n')))


@intrinsic
def _gemm(typingctx, transa, transb, m, n, k, a, lda, b, ldb, c, ldc):  # type: ignore[no-untyped-def]
    """Column-major ``c = op(a) @ op(b)`` (BLAS's gemm, alpha 1, beta 0): op is a transpose where trans* is true;
    a, b and c are arrays whose data pointers are passed, the sizes and leading dimensions as given."""
    sig = types.int32(transa, transb, m, n, k, a, lda, b, ldb, c, ldc)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        ta, tb, m_, n_, k_, a_, lda_, b_, ldb_, c_, ldc_ = args
        aty, bty, cty = signature.args[5], signature.args[7], signature.args[9]
        fnty = ir.FunctionType(ir.IntType(32), [_char, _char, _char, _intp, _intp, _intp, _void_p, _void_p, _intp,
                                                _void_p, _intp, _void_p, _void_p, _intp])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "numba_xxgemm")
        dtype = cty.dtype
        alpha, beta, t, nt = _unit_scalars(context, builder, dtype)
        res = builder.call(fn, (ir.Constant(_char, ord(get_blas_kind(dtype))),
                                builder.select(cgutils.as_bool_bit(builder, ta), t, nt),
                                builder.select(cgutils.as_bool_bit(builder, tb), t, nt),
                                m_, n_, k_, builder.bitcast(alpha, _void_p), _data(context, builder, aty, a_), lda_,
                                _data(context, builder, bty, b_), ldb_, builder.bitcast(beta, _void_p),
                                _data(context, builder, cty, c_), ldc_))
        check_blas_return(context, builder, res)
        return res
    return sig, codegen


@intrinsic
def _gemv(typingctx, trans, m, n, a, lda, x, y):  # type: ignore[no-untyped-def]
    """Column-major ``y = op(a) @ x`` (BLAS's gemv, alpha 1, beta 0, unit increments): a is m x n as stored."""
    sig = types.int32(trans, m, n, a, lda, x, y)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        tr, m_, n_, a_, lda_, x_, y_ = args
        aty, xty, yty = signature.args[3], signature.args[5], signature.args[6]
        fnty = ir.FunctionType(ir.IntType(32), [_char, _char, _intp, _intp, _void_p, _void_p, _intp,
                                                _void_p, _void_p, _void_p])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "numba_xxgemv")
        dtype = yty.dtype
        alpha, beta, t, nt = _unit_scalars(context, builder, dtype)
        res = builder.call(fn, (ir.Constant(_char, ord(get_blas_kind(dtype))),
                                builder.select(cgutils.as_bool_bit(builder, tr), t, nt), m_, n_,
                                builder.bitcast(alpha, _void_p), _data(context, builder, aty, a_), lda_,
                                _data(context, builder, xty, x_), builder.bitcast(beta, _void_p),
                                _data(context, builder, yty, y_)))
        check_blas_return(context, builder, res)
        return res
    return sig, codegen


@register_jitable
def _lay_out(a):  # type: ignore[no-untyped-def]
    """How a matrix lies for the BLAS: (array, columns_contiguous, leading dimension). Rows contiguous (a row
    of a C array, a slice of its columns): (a, False, row stride); columns contiguous (a slice of an F array,
    a transposed slice): (a, True, column stride); otherwise a C-contiguous copy (Numba's own way)."""
    rows, cols = a.shape
    size = a.itemsize
    s0, s1 = a.strides
    if s1 == size and s0 % size == 0 and max(cols, 1) <= s0 // size <= _MAX_INT:
        return a, False, s0 // size
    if s0 == size and s1 % size == 0 and max(rows, 1) <= s1 // size <= _MAX_INT:
        return a, True, s1 // size
    return np.ascontiguousarray(a), False, max(cols, 1)


@register_jitable
def _matrix_vector(a, x):  # type: ignore[no-untyped-def]
    """a (m x k, any layout) @ x (k): a new vector."""
    m, k = a.shape
    if k == 0 or m == 0:
        return np.zeros(m, a.dtype)
    if max(m, k) > _MAX_INT:  # (Numba's product raises its OverflowError)
        return np.ascontiguousarray(a) @ np.ascontiguousarray(x)
    stored, columns, ld = _lay_out(a)
    xc = np.ascontiguousarray(x)
    y = np.empty(m, a.dtype)
    if columns:  # stored column-major as it is: m x k
        _gemv(False, m, k, stored, ld, xc, y)
    else:  # stored column-major as its transpose, k x m
        _gemv(True, k, m, stored, ld, xc, y)
    return y


@register_jitable
def _matrix_matrix(a, b):  # type: ignore[no-untyped-def]
    """a (m x k) @ b (k x n), any layouts: a new C array, computed as its column-major transpose b.T @ a.T."""
    m, k = a.shape
    n = b.shape[1]
    if k == 0 or m == 0 or n == 0:
        return np.zeros((m, n), a.dtype)
    if max(m, n, k) > _MAX_INT:  # (Numba's product raises its OverflowError)
        return np.ascontiguousarray(a) @ np.ascontiguousarray(b)
    sa, a_columns, lda = _lay_out(a)
    sb, b_columns, ldb = _lay_out(b)
    c = np.empty((m, n), a.dtype)
    # row-major c is column-major c.T (n x m) = b.T @ a.T; a matrix lying column-major is transposed for it
    _gemm(b_columns, a_columns, n, m, k, sb, ldb, sa, lda, c, n)
    return c


def strided_matmul(a: Any, b: Any) -> Any:
    """``a @ b`` of 1-d or 2-d operands, the summed dimensions already checked."""
    return a @ b


def fits(a: types.Type, b: types.Type) -> bool:
    """Whether strided_matmul takes these operand types: 1-d or 2-d arrays of one BLAS dtype, one of them of
    layout 'A' (C and F operands keep Numba's product, which copies nothing), not a vector with a vector."""
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)):
        return False
    if a.dtype != b.dtype or a.dtype not in _BLAS_DTYPES or (a.ndim, b.ndim) not in ((1, 2), (2, 1), (2, 2)):
        return False
    return a.layout == 'A' or b.layout == 'A'


@overload(strided_matmul)
def _ol_strided_matmul(a, b):  # type: ignore[no-untyped-def]
    if not fits(a, b):
        return None
    ensure_blas()
    if a.ndim == 2 and b.ndim == 2:
        return lambda a, b: _matrix_matrix(a, b)
    if a.ndim == 2:
        return lambda a, b: _matrix_vector(a, b)
    return lambda a, b: _matrix_vector(b.T, a)  # x @ B = B.T @ x
