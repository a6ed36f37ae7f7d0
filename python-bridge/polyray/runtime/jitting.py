"""Numba jitting for the CPU and Ray variants: an on-disk cache that is safe
under any module name, and compilation failures told apart from the user's
exceptions.

The cache. Why not plain ``numba.njit(cache=True)`` (numba issue 7075, issue 15 item 3):
Numba stores, inside every cached compilation, the *import name* of the
function's module (``Environment.__reduce__`` pickles ``globals['__name__']``)
and, when it loads the entry in another process, imports the module again by
that name (``importlib.import_module``). Its index, though, is keyed only by
the source file (the entries sit next to it), the file's mtime and size, the
signature and the bytecode, not by that name. So a generated module compiled
once as ``a`` and later imported (``importlib``, ``spec_from_file_location``)
as ``b``, or as ``a`` without registering it in ``sys.modules``, finds ``a``'s
entry and fails with ``ModuleNotFoundError`` inside the user's call, or,
worse, imports an unrelated module that happens to be called ``a``.

The choice here: every entry is keyed by the module's import name as well
(one entry per name, all in Numba's usual index file), and an entry is
loaded or written only while ``sys.modules[name]`` *is* this module, so that
Numba's re-import returns it without importing anything. Keying by the
source's hash alone would not do: the name is inside the compiled entry, and
reusing an entry under another name would mean rewriting Numba's pickles.
A module that is not importable under its own name compiles uncached.

Besides, nothing that goes wrong in the cache reaches the caller: an entry
that cannot be loaded (truncated, corrupt, written by another Numba, its
module gone) is a miss (compiled again, then overwritten), and an entry that
cannot be written is skipped. Each such event is kept as a note that the
variant puts in its next run record (``cache``).

The key holds the runtime's source too (:func:`runtime_fingerprint`). Numba
keys an entry by the variant's own bytecode and its file's stamp only, yet the
compiled entry holds the helpers the variant calls (runtime/*.py, inlined or
linked in): after a helper's source changed, the variant's old entry, with the
old helper inside, kept loading (found in the twelfth session). The whole
package counts, not only the helpers a variant names: helpers call helpers of
other files, and their ``@overload`` registrations are global to Numba's typing.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .hot import hot_thread as _hot_thread
from .variants import short_error as _short  # one wording of errors in run records


#: polyray.cache.NO_DISK_CACHE (not imported: polyray.cache imports the compile service)
NO_DISK_CACHE = "_polyray_no_disk_cache"


def module_problem(py_func: Callable[..., Any]) -> str | None:
    """None when ``py_func``'s module is ``sys.modules[its __name__]``, else why a cache entry would not load
    (or why it must not be written: a module imported under a name used once)."""
    g = py_func.__globals__
    if g.get(NO_DISK_CACHE):
        return str(g[NO_DISK_CACHE])
    name = g.get("__name__")
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is None or getattr(module, "__dict__", None) is not g:
        return f"module {name!r} of {py_func.__name__} is not importable under its own name (not in sys.modules)"
    return None


#: sha256 of this package's sources, read once per process (the helpers compiled in are the ones imported then)
_runtime_fingerprint: str | None = None


def runtime_fingerprint() -> str:
    """A hash of every ``.py`` file of polyray/runtime (names and contents), for the on-disk cache's key:
    a changed helper recompiles the variants that may call it instead of loading entries that hold the old
    one. Contents, not mtimes: a fresh checkout or an unchanged reinstall keeps the entries."""
    global _runtime_fingerprint
    if _runtime_fingerprint is None:
        root = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"unreadable")
        _runtime_fingerprint = h.hexdigest()
    return _runtime_fingerprint


_cache_class: type | None = None


def _name_keyed_cache() -> type:
    """The cache class (numba imported on first use only)."""
    global _cache_class
    if _cache_class is not None:
        return _cache_class
    from numba.core.caching import FunctionCache

    class NameKeyedCache(FunctionCache):  # type: ignore[misc,valid-type]
        """Numba's FunctionCache with the module name in the index key, guarded loads and saves."""

        def __init__(self, py_func: Callable[..., Any], notes: list[str]) -> None:
            super().__init__(py_func)
            self._module_name = py_func.__globals__.get("__name__")
            self._notes = notes

        def _note(self, text: str) -> None:
            if text not in self._notes:
                self._notes.append(text)

        def _index_key(self, sig: Any, codegen: Any) -> Any:
            return (*super()._index_key(sig, codegen), self._module_name, runtime_fingerprint())

        def load_overload(self, sig: Any, target_context: Any) -> Any:
            problem = module_problem(self._py_func)
            if problem is not None:
                self._note(f"not cached: {problem}")
                return None
            try:
                return super().load_overload(sig, target_context)
            except Exception as exc:  # noqa: BLE001 - any unreadable entry is a miss
                self._note(f"cache entry unreadable ({_short(exc)}); compiled again")
                return None

        def save_overload(self, sig: Any, data: Any) -> None:
            if module_problem(self._py_func) is not None:
                return  # noted by load_overload, which Numba always calls first
            try:
                super().save_overload(sig, data)
            except Exception as exc:  # noqa: BLE001 - a cache that cannot be written is no cache
                self._note(f"cache entry not written ({_short(exc)})")

    _cache_class = NameKeyedCache
    return _cache_class


_quiet_files: set[str] = set()


def quiet_performance_advice(func: Callable[..., Any]) -> None:
    """Ignore Numba's performance advice about the generated module that defines ``func``.

    Numba warns, at compile time, about code it could run faster ("np.dot() is faster on
    contiguous arrays, called on ..." for a product of slices): advice on code the user did
    not write and cannot change (the generated module), printed into their notebook or
    terminal. The filter is narrow: NumbaPerformanceWarning only, and only for warnings that
    Numba attributes to that file (it fixes each warning's filename to the compiled source,
    so the module a filter matches is the file's path less ".py"); the user's own @njit code
    keeps its warnings. One filter per generated file, added once.
    """
    filename = getattr(getattr(func, "__code__", None), "co_filename", "")
    if not filename.endswith(".py") or filename in _quiet_files:
        return
    from numba.core.errors import NumbaPerformanceWarning

    _quiet_files.add(filename)
    warnings.filterwarnings("ignore", category=NumbaPerformanceWarning, module=re.escape(filename[:-3]) + r"\Z")


def njit(func: Callable[..., Any], options: dict[str, Any], notes: list[str] | None = None) -> tuple[Any, str | None]:
    """``numba.njit(**options)(func)`` with the name-keyed on-disk cache and :func:`guard_compilation`.

    Returns (dispatcher, None) when cached, (dispatcher, why not) when not:
    Numba has no place to cache for the function (no source file, e.g. code
    exec'd in a notebook) or its module is not importable under its own name.
    ``notes``: the list the cache appends its events to (see the module
    docstring), for the caller's run records. A NumbaError at decoration propagates.
    """
    import numba

    quiet_performance_advice(func)
    jitted = numba.njit(cache=False, **options)(func)
    guard_compilation(jitted)
    problem = module_problem(func)
    if problem is not None:
        return jitted, problem
    try:
        # what Dispatcher.enable_caching() does (numba.njit(cache=True)), with our class
        jitted._cache = _name_keyed_cache()(func, [] if notes is None else notes)
    except Exception as exc:  # noqa: BLE001 - RuntimeError: no locator for the file; anything else: no cache either
        return jitted, f"no on-disk cache for {func.__name__} ({_short(exc)})"
    return jitted, None


# --------------------------------------------------------------------------
# Compilation failures versus the user's exceptions
# --------------------------------------------------------------------------


class HotMiss(Exception):
    """A call on the dispatcher's hot path (hot.py) has argument types no compiled signature takes.

    Raised instead of compiling, before anything of the variant ran: the dispatcher then takes the
    call through its full checks (which refuse the types, or compile them in the background)."""


class PreparationFailed(Exception):
    """Numba failed to compile or load a variant for a call's argument types; nothing of it ran.

    ``cause`` is the exception Numba (or LLVM, or its cache, or a broken
    package under it) raised.
    """

    def __init__(self, cause: BaseException) -> None:
        super().__init__(_short(cause))
        self.cause = cause


def guard_compilation(jitted: Any) -> None:
    """Make every compilation ``jitted`` does for a call raise :class:`PreparationFailed`.

    Numba's C dispatcher calls ``self._compile_for_args(*args)`` when no
    compiled overload matches a call's argument types (attribute lookup on
    the instance, so an instance attribute takes its place), then runs the
    overload it returns. Wrapping it separates, at no cost per call, what
    went wrong while preparing the variant (typing, lowering, LLVM, a cache
    load, an import inside Numba: any exception) from what the compiled code
    raised while running (the user's IndexError, ZeroDivisionError, ...),
    which passes through untouched. Explicit ``compile(sig)`` before each run
    would do the same at the price of typing every argument on every call
    (about 4 us each).
    """
    compile_for_args = jitted._compile_for_args
    hot_thread = _hot_thread
    ident = threading.get_ident

    def _compile_for_args(*args: Any, **kws: Any) -> Any:
        if hot_thread[0] == ident():  # the hot path never compiles (nor waits for one): the full path takes the call
            raise HotMiss()
        try:
            return compile_for_args(*args, **kws)
        except PreparationFailed:
            raise  # from a nested re-entry (literal arguments)
        except Exception as exc:  # noqa: BLE001 - every failure to prepare, not the user's code
            raise PreparationFailed(exc) from exc

    jitted._compile_for_args = _compile_for_args
