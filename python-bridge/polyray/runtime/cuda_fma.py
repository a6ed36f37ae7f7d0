"""GPU kernels round every multiply and add apart, as NumPy and the CPU variant do.

libNVVM contracts ``a * b + c`` into one fused multiply-add (``-fma=1`` is its
default) and numba.cuda (0.68) passes no option against it: ``cuda.jit`` only
offers ``fastmath``, which turns contraction *on* with flush-to-zero and
approximate division. A fused product rounds once where the original rounds
twice, so a stencil or an axpy on the GPU would differ from NumPy's bits in
the last place, in ``exact`` mode too. Polyray's kernels are therefore
compiled with ``-fma=0``.

There is no per-kernel hook for that in numba.cuda: its code library hands
its options to ``numba.cuda.cudadrv.nvvm.compile_ir`` when a kernel compiles
(at ``Dispatcher.compile`` or its first launch). :func:`install` wraps that
function once, adding ``fma=False`` only while :func:`exact_products` is
active on the compiling thread, which Polyray's own compile and launch paths
(runtime/gpu.py) enter. The user's own kernels, compiled outside it, keep
numba.cuda's defaults. A kernel asking for ``fastmath`` keeps its contraction.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
_MARK = "_polyray_fma_off"


def wrap_compile_ir(compile_ir: Callable[..., Any]) -> Callable[..., Any]:
    """compile_ir, adding ``fma=False`` to NVVM's options inside :func:`exact_products`."""
    if getattr(compile_ir, _MARK, False):
        return compile_ir

    def polyray_compile_ir(llvmir: Any, **opts: Any) -> Any:
        if getattr(_state, "depth", 0) > 0 and not opts.get("fastmath", False):
            opts.setdefault("fma", False)
        return compile_ir(llvmir, **opts)

    setattr(polyray_compile_ir, _MARK, True)
    polyray_compile_ir.__wrapped__ = compile_ir  # type: ignore[attr-defined]
    return polyray_compile_ir


def install() -> bool:
    """Wrap numba.cuda's NVVM entry point once; False where numba.cuda has none (another version)."""
    try:
        from numba.cuda.cudadrv import nvvm
    except Exception:  # noqa: BLE001 - no numba.cuda: no kernels either
        return False
    compile_ir = getattr(nvvm, "compile_ir", None)
    if compile_ir is None:
        return False
    nvvm.compile_ir = wrap_compile_ir(compile_ir)
    return True


@contextmanager
def exact_products() -> Iterator[None]:
    """Kernels compiled on this thread meanwhile get ``-fma=0`` (nests: the outermost exit ends it)."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


__all__ = ["exact_products", "install", "wrap_compile_ir"]
