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
hence this module and its one intrinsic.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

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
def _madvise_hugepage(typingctx, addr, length):  # type: ignore[no-untyped-def]
    """libc's madvise(addr, length, MADV_HUGEPAGE), declared in the IR and linked from the process.

    Not a ctypes function: a ctypes pointer is a dynamic global, which Numba's disk cache refuses."""
    sig = types.int32(types.uintp, types.uintp)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        i8p = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.IntType(32), [i8p, ir.IntType(64), ir.IntType(32)])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "madvise")
        return builder.call(fn, [builder.inttoptr(args[0], i8p), args[1], ir.Constant(ir.IntType(32), _MADV_HUGEPAGE)])
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


def _advise(a: Any) -> None:
    """Python stand-in of the compiled advice (never called: the overload below replaces it)."""


@overload(_advise, inline="always")
def _ol_advise(a):  # type: ignore[no-untyped-def]
    if not ADVISE:
        return lambda a: None

    def impl(a):  # type: ignore[no-untyped-def]
        nbytes = a.size * a.itemsize
        if nbytes >= HUGE_PAGE_THRESHOLD:
            # as alloc.c does: from the first page boundary inside the block (malloc's header page is left alone)
            p = a.ctypes.data
            offset = _PAGE - p % _PAGE
            _madvise_hugepage(p + offset, nbytes - offset)
    return impl


def _no_dtype(dtype: Any) -> bool:
    return dtype is None or isinstance(dtype, (types.Omitted, types.NoneType))


@overload(empty)
def _ol_empty(shape, dtype=float):  # type: ignore[no-untyped-def]
    if _no_dtype(dtype):
        def plain(shape, dtype=float):  # type: ignore[no-untyped-def]
            a = np.empty(shape)
            _advise(a)
            return a
        return plain

    def impl(shape, dtype=float):  # type: ignore[no-untyped-def]
        a = np.empty(shape, dtype)
        _advise(a)
        return a
    return impl


def _filled(fill: Any) -> Any:
    """The overload of an allocation filled with a constant: empty, advised, then written (so its pages fault huge)."""
    def ol(shape, dtype=float):  # type: ignore[no-untyped-def]
        if _no_dtype(dtype):
            def plain(shape, dtype=float):  # type: ignore[no-untyped-def]
                a = np.empty(shape)
                _advise(a)
                a.fill(fill)
                return a
            return plain

        def impl(shape, dtype=float):  # type: ignore[no-untyped-def]
            a = np.empty(shape, dtype)
            _advise(a)
            a.fill(fill)
            return a
        return impl
    return ol


overload(zeros)(_filled(0))
overload(ones)(_filled(1))


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
