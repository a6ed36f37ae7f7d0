"""NumPy's namespace for compiled variants, with allocations that ask for huge pages as NumPy's do.

NumPy advises the kernel to back every allocation of 4 MiB or more with huge
pages (``madvise(MADV_HUGEPAGE)``, numpy/_core/src/multiarray/alloc.c), so a
200 MB result costs a few hundred page faults. Numba's ``np.empty`` allocates
through plain ``malloc``: the same array costs about 49,000 faults of 4 KiB
pages, which made a fused elementwise loop over two 5000 x 5000 arrays no
faster than NumPy's four passes (NPBench ``compute``, issue 18; measured in
docs/benchmarks.md). Generated code allocates through the name ``_polyray_np``
(cpu.NUMPY_NAME); the CPU variant binds it to this module, whose ``empty``,
``zeros``, ``ones`` and ``full`` allocate as Numba does and then give the same
advice NumPy gives, under NumPy's own switch (``NUMPY_MADVISE_HUGEPAGE``,
``_get_madvise_hugepage``). Every other name is NumPy's own object, so Numba
types and lowers it exactly as it does ``np.<name>``.

Called from Python (a GPU variant's host code), each function is NumPy's,
which advises by itself.

A well-kept alternative would be an allocator for Numba's runtime; Numba has
no public hook for one (NRT_MemSys_set_allocator is C-only and process-wide),
hence this module and its one intrinsic. Compile cost: the advice is that
intrinsic and zeros uses Numba's own memset, so a first compile that allocates
with three of these pays about 0.1 CPU s more than with np.* (a ctypes call and
``fill`` had cost 0.6 s; inlining the overloads, 0.4 s).
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload
from numba.np.arrayobj import make_array

# every public name of NumPy, bound to NumPy's own objects (the allocations below replace four)
globals().update({k: v for k, v in vars(np).items() if not k.startswith("__")})

#: NumPy's threshold (alloc.c: NPY_HUGEPAGE... `nbytes >= (1u << 22u)`)
HUGE_PAGE_THRESHOLD = 1 << 22
#: Linux's MADV_HUGEPAGE
_MADV_HUGEPAGE = 14
_PAGE = 4096


def _numpy_advises() -> bool:
    """NumPy's own switch: on for Linux kernels >= 4.6 unless NUMPY_MADVISE_HUGEPAGE=0."""
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy 1.x
        from numpy.core import multiarray  # type: ignore[no-redef]
    getter = getattr(multiarray, "_get_madvise_hugepage", None)
    return bool(getter()) if getter is not None else False


#: whether compiled allocations give the advice: Linux, and NumPy's switch on
ADVISE = sys.platform.startswith("linux") and _numpy_advises()


@intrinsic
def _advise(typingctx, a):  # type: ignore[no-untyped-def]
    """madvise(MADV_HUGEPAGE) over the array's block when it is HUGE_PAGE_THRESHOLD bytes or more, from the first
    page boundary inside it (as alloc.c does: malloc's header page is left alone). libc's madvise is declared
    in the IR and linked from the process: not a ctypes function, whose pointer is a dynamic global that
    Numba's disk cache refuses; one intrinsic, not Python-level code, so that it costs next to no compile."""
    if not isinstance(a, types.Array):
        return None
    sig = types.none(a)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        if not ADVISE:
            return context.get_dummy_value()
        ary = make_array(signature.args[0])(context, builder, args[0])
        i64 = ir.IntType(64)
        nbytes = builder.mul(ary.itemsize, ary.nitems)
        big = builder.icmp_signed(">=", nbytes, ir.Constant(i64, HUGE_PAGE_THRESHOLD))
        with builder.if_then(big, likely=False):
            p = builder.ptrtoint(ary.data, i64)
            offset = builder.sub(ir.Constant(i64, _PAGE), builder.urem(p, ir.Constant(i64, _PAGE)))
            i8p = ir.IntType(8).as_pointer()
            fnty = ir.FunctionType(ir.IntType(32), [i8p, i64, ir.IntType(32)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "madvise")
            builder.call(fn, [builder.inttoptr(builder.add(p, offset), i8p), builder.sub(nbytes, offset),
                              ir.Constant(ir.IntType(32), _MADV_HUGEPAGE)])
        return context.get_dummy_value()
    return sig, codegen


# the Python-level functions (host code calls these; NumPy's already advise)
_np_empty, _np_zeros, _np_ones, _np_full = np.empty, np.zeros, np.ones, np.full


def empty(shape: Any, dtype: Any = float) -> np.ndarray:
    return _np_empty(shape, dtype)


def zeros(shape: Any, dtype: Any = float) -> np.ndarray:
    return _np_zeros(shape, dtype)


def ones(shape: Any, dtype: Any = float) -> np.ndarray:
    return _np_ones(shape, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
    return _np_full(shape, fill_value, dtype)


def _no_dtype(dtype: Any) -> bool:
    return dtype is None or isinstance(dtype, (types.Omitted, types.NoneType))


@overload(empty)
def _ol_empty(shape, dtype=float):  # type: ignore[no-untyped-def]
    def impl(shape, dtype=float):  # type: ignore[no-untyped-def]
        a = np.empty(shape, dtype=dtype)
        _advise(a)
        return a
    return impl


@overload(zeros)
def _ol_zeros(shape, dtype=float):  # type: ignore[no-untyped-def]
    # empty, advised, then zeroed by Numba's own memset (np.zeros' own way): its pages fault huge
    def impl(shape, dtype=float):  # type: ignore[no-untyped-def]
        a = np.empty(shape, dtype=dtype)
        _advise(a)
        a._zero_fill()
        return a
    return impl


@overload(ones)
def _ol_ones(shape, dtype=float):  # type: ignore[no-untyped-def]
    def impl(shape, dtype=float):  # type: ignore[no-untyped-def]
        a = np.empty(shape, dtype=dtype)
        _advise(a)
        a.fill(1)
        return a
    return impl


@overload(full)
def _ol_full(shape, fill_value, dtype=None):  # type: ignore[no-untyped-def]
    if _no_dtype(dtype):
        def plain(shape, fill_value, dtype=None):  # type: ignore[no-untyped-def]
            a = np.full(shape, fill_value)
            return a
        return plain

    def impl(shape, fill_value, dtype=None):  # type: ignore[no-untyped-def]
        a = np.empty(shape, dtype)
        _advise(a)
        a.fill(fill_value)
        return a
    return impl
