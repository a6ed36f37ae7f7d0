"""Hints from profiling: functions without type hints are specialized on their first call.

The paper lets hints come from a profiler; Polyray takes them from the first
call. A function of a ``%%parallelize`` cell whose parameters are not all
hinted is wrapped in a :class:`ProfilingWrapper`. Its first call records the
argument types (``bool``, ``int``, ``float``, ``complex``, NumPy arrays by
dtype), inserts them as hints into a copy of the function's source
(``npt.NDArray[np.float64]`` for a float64 array), compiles that copy through
the compile service, and from then on calls the resulting dispatcher. The
dispatcher guards every call as usual, so a later call with other types (or
ranks) runs the original. When the types cannot be expressed as hints, or the
compiler keeps only the original, every call runs the original, with the
reason in its run record.
"""

from __future__ import annotations

import ast
import importlib
import functools
import inspect
import threading
from collections.abc import Callable
from time import perf_counter
from typing import Any

# the module, not the function polyray.runtime.history that shadows it
_history = importlib.import_module("polyray.runtime.history")

#: The first line of a kernel source is free (it stands for the %%parallelize line).
HINT_IMPORTS = "import numpy as np; import numpy.typing as npt"


def hint_for(value: Any) -> str | None:
    """The hint text for one argument value, or None when there is none.

    An array's hint carries its rank as well as its dtype, in NumPy's shaped
    form ``np.ndarray[tuple[int, int], np.dtype[np.float64]]``: code that reads
    the array whole (``x1 += A @ y``) shows no rank, and the variant is only
    for that rank anyway (the guard checks it; another rank is another
    signature). A 0-d array keeps ``npt.NDArray[...]``. A NumPy scalar
    (``np.int64(4)``, ``np.float32(0.5)``) is hinted with its own type, before
    the Python types that ``np.float64`` and ``np.complex128`` subclass: its
    arithmetic follows NumPy's rules, not CPython's.
    """
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None  # type: ignore[assignment]
    if np is not None and isinstance(value, np.generic):
        dtype = value.dtype
        if type(value) is dtype.type and dtype.kind in "biufc" and dtype.isnative:
            return f"np.{_numpy_name(dtype)}"
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, complex):
        return "complex"
    if np is not None and isinstance(value, np.ndarray) and type(value) is np.ndarray:
        dtype = value.dtype
        if dtype.kind in "biufc" and dtype.isnative:
            if value.ndim == 0:
                return f"npt.NDArray[np.{_numpy_name(dtype)}]"
            shape = ", ".join(["int"] * value.ndim)
            return f"np.ndarray[tuple[{shape}], np.dtype[np.{_numpy_name(dtype)}]]"
    return None


def _numpy_name(dtype: Any) -> str:
    """The attribute of numpy that names ``dtype``: ``bool_`` for bool (``np.bool`` is NumPy 2 only)."""
    return "bool_" if dtype.kind == "b" else dtype.name


#: Array hints that name no dtype and no rank (``x: np.ndarray``, ``x: npt.NDArray``): scientists write them to
#: say "an array"; the first call specializes them like unhinted parameters (issue 17: "parameters hinted
#: np.ndarray without a dtype specialize at call time"), the hint's text replaced by the argument's.
OPEN_ARRAY_HINTS = frozenset({"np.ndarray", "numpy.ndarray", "ndarray", "npt.NDArray", "NDArray", "numpy.typing.NDArray"})


def open_array_hint(annotation: Any) -> bool:
    """Whether a parameter's annotation (the object Python evaluated, or its text under
    ``from __future__ import annotations``) is an array hint without dtype or rank."""
    if isinstance(annotation, str):
        return annotation.strip() in OPEN_ARRAY_HINTS
    if isinstance(annotation, type):
        return annotation.__module__ == "numpy" and annotation.__name__ == "ndarray"
    import typing

    # npt.NDArray unsubscripted: ndarray[tuple[Any, ...], dtype[+_ScalarT]], its dtype a TypeVar
    if getattr(typing.get_origin(annotation), "__name__", None) != "ndarray":
        return False
    dtype_args = [typing.get_args(a) for a in typing.get_args(annotation)[1:]]
    return bool(dtype_args) and all(len(d) == 1 and isinstance(d[0], typing.TypeVar) for d in dtype_args)


def unhinted_params(node: ast.FunctionDef) -> list[str]:
    a = node.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs) if p.annotation is None]


def profilable(node: ast.stmt) -> bool:
    """A plain top-level def with no *args/**kwargs/decorators and some unhinted parameter, or a parameter
    hinted as an array without rank (``npt.NDArray[np.float64]``) where it uses a rank-dependent form
    (rankless.py: the first call gives the rank)."""
    from .rankless import node_uses_rank, rankless_text

    if not (isinstance(node, ast.FunctionDef) and not node.decorator_list
            and node.args.vararg is None and node.args.kwarg is None):
        return False
    a = node.args
    params = (*a.posonlyargs, *a.args, *a.kwonlyargs)
    return bool(unhinted_params(node)) or (
        any(rankless_text(p.annotation) for p in params) and node_uses_rank(node))


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def hinted_source(base: str, node: ast.FunctionDef, hints: dict[str, str]) -> str:
    """``base`` (a kernel source, line 1 free) with ``hints`` inserted into ``node``'s parameters.

    ``node``'s line numbers count from the cell body, whose line 1 is the
    base's line 2. Lines keep their numbers, so the compile report points into the cell.
    A parameter that has a hint and is in ``hints`` (an open array hint, :func:`open_array_hint`)
    gets its hint's text replaced.
    """
    lines = base.split("\n")
    a = node.args
    edits = []  # (line, byte column, bytes replaced, text)
    for p in (*a.posonlyargs, *a.args, *a.kwonlyargs):
        if p.arg not in hints:
            continue
        if p.annotation is None:
            edits.append((p.end_lineno or p.lineno, p.end_col_offset or 0, 0, f": {hints[p.arg]}"))
        elif p.annotation.lineno == p.annotation.end_lineno and p.annotation.end_col_offset is not None:
            ann = p.annotation
            edits.append((ann.lineno, ann.col_offset, ann.end_col_offset - ann.col_offset, hints[p.arg]))
    for lineno, byte_col, width, text in sorted(edits, reverse=True):
        line = lines[lineno]
        col = _char_col(line, byte_col)
        end = _char_col(line, byte_col + width)
        lines[lineno] = line[:col] + text + line[end:]
    if lines and not lines[0].strip():
        lines[0] = HINT_IMPORTS
    return "\n".join(lines)


Builder = Callable[[dict[str, str]], "tuple[Callable[..., Any] | None, str]"]


class ProfilingWrapper:
    """Calls ``fn``; on the first call builds a specialized dispatcher from the argument types."""

    def __init__(self, fn: Callable[..., Any], build: Builder) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = fn.__name__
        self._build = build
        self._signature = inspect.signature(fn)
        self._lock = threading.Lock()
        self._state = "new"  # new -> built | original
        self.target: Callable[..., Any] | None = None
        self.hints: dict[str, str] = {}
        self.note = "profiling: waiting for the first call"

    def __repr__(self) -> str:
        return f"<polyray profiled function {self.name} ({self._state}: {self.note})>"

    def _specialize(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:
            return  # the call itself will raise the usual TypeError
        bound.apply_defaults()
        hints: dict[str, str] = {}
        for name, value in bound.arguments.items():
            hint = hint_for(value)
            if hint is None:
                self._state = "original"
                self.note = f"profiling: no hint for parameter {name} ({type(value).__name__})"
                return
            hints[name] = hint
        self.hints = hints
        try:
            target, note = self._build(hints)
        except Exception as exc:  # noqa: BLE001 - compiling never blocks a call
            target, note = None, f"profiling: compile failed ({exc})"
        self.target = target
        self.note = note
        self._state = "built" if target is not None else "original"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._state == "new":
            with self._lock:
                if self._state == "new":
                    self._specialize(args, kwargs)
        target = self.target
        if target is not None:
            return target(*args, **kwargs)
        start = perf_counter()
        try:
            result = self.fn(*args, **kwargs)
        except BaseException as exc:
            _history.record({"function": self.name, "variant": "original", "seconds": perf_counter() - start,
                             "nodes": [], "reason": self.note, "target": "auto", "error": type(exc).__name__})
            raise
        _history.record({"function": self.name, "variant": "original", "seconds": perf_counter() - start,
                         "nodes": [], "reason": self.note, "target": "auto"})
        return result


def adopt_original(module: Any, name: str, fn: Any) -> None:
    """Make the dispatcher fall back to the function the cell defined (notebook globals)."""
    dispatcher = getattr(module, f"_polyray_dispatch_{name}", None)
    if dispatcher is not None and callable(fn) and hasattr(dispatcher, "original"):
        dispatcher.original = fn
        keep = getattr(dispatcher, "keep", None)
        if keep is not None:
            keep.off()  # (the wrapper's copy of the body reads the generated module's globals: Dispatcher._body)
    wrapper = getattr(module, name, None)
    if wrapper is not None:
        try:
            wrapper.__wrapped__ = fn
        except (AttributeError, TypeError):
            pass
