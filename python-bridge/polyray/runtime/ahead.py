"""Compiling ahead of the first call, where the hints give the signature (issue 19).

When every parameter of an accelerated function has a known kind, dtype and
rank (its :class:`Param` s: hints, or the types a first call recorded), the CPU
variant's machine code for the usual layout (C-contiguous, writeable arrays;
float64 where a bare ``np.ndarray`` hint says no dtype)
can be compiled before any call: in the background when a notebook cell or a
decorated function is defined (:func:`start`), or by ``polyray compile
--precompile``, which writes it into Numba's cache next to the generated module
(:func:`precompile_file`), so that a fresh process loads machine code instead of
compiling. A call with other types (a Fortran-ordered array, say) compiles its
own signature as before.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from . import background
from .params import Param

#: a NumPy scalar parameter's example: the Param's scalar_dtype; a Python scalar's: its kind
_PYTHON_EXAMPLES: dict[str, Any] = {"int": 0, "float": 0.0, "complex": 0j, "bool": False}


def example_args(params: tuple[Param, ...] | list[Param]) -> tuple[tuple[Any, ...] | None, str | None]:
    """(small arguments of the types the hints give, None) or (None, why the signature is not known)."""
    out: list[Any] = []
    for p in params:
        if p.kind == "array":
            if p.ndim is None:
                return None, f"parameter {p.name} has no rank in its hint"
            # a bare np.ndarray hint: float64, the dtype scientists' arrays have unless they say otherwise
            # (a call with another dtype compiles its own signature)
            out.append(np.zeros((2,) * p.ndim, dtype=p.dtype or "float64"))
        elif p.scalar_dtype is not None:
            out.append(np.dtype(p.scalar_dtype).type(0))
        else:
            out.append(_PYTHON_EXAMPLES[p.kind])
    return tuple(out), None


def dispatchers(module: Any) -> dict[str, Any]:
    """The module's dispatchers by function name (generated code binds ``_polyray_dispatch_<name>``)."""
    from .dispatcher import Dispatcher

    found = {}
    for key, value in vars(module).items():
        if key.startswith("_polyray_dispatch_") and isinstance(value, Dispatcher):
            found[value.name] = value
    return found


def start(module: Any, names: set[str] | None = None, ahead: bool = True, all_forms: bool = False) -> dict[str, str]:
    """Start compiling the CPU variants of ``module``'s dispatchers (those in ``names``) in the background
    for the hinted signatures; returns, per function, what was started or why not. ``ahead``: in the
    ahead-of-time lane, which is bounded (background.ahead_limit: the functions past it compile on their
    first call); ``polyray compile --precompile`` asks for every one (False). ``all_forms``: both forms of a
    parallel variant (else the form a first call runs, the other compiled when a call wants it: cpu.FORMS_ENV)."""
    from .cpu import CpuVariant

    notes: dict[str, str] = {}
    for name, dispatcher in dispatchers(module).items():
        if names is not None and name not in names:
            continue
        variant = dispatcher.variants.get("cpu")
        if not isinstance(variant, CpuVariant):
            notes[name] = "no cpu variant"
            continue
        args, problem = example_args(dispatcher.params)
        if args is None:
            notes[name] = f"not compiled ahead: {problem}"
            continue
        try:
            variant.precompile(args, ahead, all_forms)
        except background.AheadLaneFull as full:  # (its first call compiles it, in the background)
            notes[name] = f"not compiled ahead: {full}"
            continue
        notes[name] = "cpu variant compiling ahead of the first call"
    return notes


def precompile_file(path: str | Path) -> dict[str, str]:
    """Import the generated module at ``path`` under its file's name (its folder first on sys.path, as a
    later ``import`` finds it) and compile its CPU variants for the hinted signatures now, both forms,
    so that Numba's on-disk cache beside it holds the machine code. Per function: what happened."""
    path = Path(path).resolve()
    name = path.stem
    if not name.isidentifier():
        return {"": f"{path.name}: not importable as a module (its name is not an identifier); nothing cached"}
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # the cache keys entries by this import name (jitting.py)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    notes = start(module, ahead=False, all_forms=True)  # (asked for by name: the whole file, the lane's bound aside)
    for fname, dispatcher in dispatchers(module).items():
        variant = dispatcher.variants.get("cpu")
        jobs = list(getattr(variant, "_jobs", {}).values())
        if not jobs:
            continue
        begin = perf_counter()
        for job in jobs:
            background.open_now(job)
            job.wait()
        results = [r for job in jobs for r in job.results.values()]
        failed = [r for r in results if isinstance(r, str)]
        if failed:
            notes[fname] = f"not cached: {failed[0]}"
        elif variant.cached is False:
            notes[fname] = "compiled, but Numba cannot cache it here (" + "; ".join(variant._notes) + ")"
        else:
            notes[fname] = f"cached ({len(results)} form(s), {perf_counter() - begin:.1f} s)"
    return notes
