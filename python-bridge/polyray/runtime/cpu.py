"""The Numba CPU variant: compiled lazily on first use.

Numba is imported only when a CpuVariant first runs, so that importing a
generated module (and :mod:`polyray.runtime`) stays cheap.
"""

from __future__ import annotations

import os
import threading
import types
from time import perf_counter
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from . import jitting
from .cost import size_class
from .variants import VariantFailed, VariantRolledBack, restore, snapshot
from .variants import short_error as _short, first_line as _first_line  # one wording of errors in run records

#: Helpers of :mod:`polyray.runtime.numba_helpers` a variant may request; each is
#: injected into the variant's module globals as ``_polyray_h_<name>``.
_SPECULABLE: Final = ("sqrt", "log", "log10", "log2", "acos", "asin", "exp", "mathpow")
HELPER_NAMES: Final[frozenset[str]] = frozenset(
    {"truediv", "floordiv", "mod", "pow", "mathpow", "sqrt", "log", "log10", "log2", "acos", "asin", "exp", "matmul", "dot",
     "pairwise_sum", "pairwise_mean"}
    | {f"spec_{name}" for name in _SPECULABLE}
)

HELPER_PREFIX: Final = "_polyray_h_"

#: ``numba.prange`` is injected into the variant's module globals under this
#: name (generated code writes ``for i in _polyray_prange(n):``), so that the
#: generated module never imports numba itself. Without parallel=True, Numba
#: treats it as ``range``.
PRANGE_NAME: Final = "_polyray_prange"

#: ``numba.int64``, injected under this name: generated code casts prange counters with it.
INT64_NAME: Final = "_polyray_int64"

#: numpy, injected under this name: generated code allocates temporaries with it
#: whatever name the user's module gives numpy.
NUMPY_NAME: Final = "_polyray_np"

#: Parallel options when parallel=True: prange only, every other transformation off.
PARALLEL_OPTIONS: Final[dict[str, bool]] = {
    "prange": True,
    "fusion": False,
    "comprehension": False,
    "reduction": False,
    "inplace_binop": False,
    "setitem": False,
    "numpy": False,
    "stencil": False,
}


#: A parallel variant runs its serial form (the same code compiled without
#: parallel=True, prange as range) when a call's array arguments hold fewer bytes
#: than this: starting a parallel region costs microseconds on idle cores and
#: milliseconds when another process holds one (docs/benchmarks.md), more than a
#: call on a few thousand elements computes. POLYRAY_SERIAL_BELOW_BYTES overrides it.
#: Above it, each form is timed FORM_TRIALS times per size class (log2 of the
#: bytes) on real calls and the faster one kept (the fastest of its trials, so
#: that one call delayed by another process does not decide): a prange loop under sequential loops starts one
#: region per iteration of them (doitgen: 4,000 per call), which can cost more
#: than the parallelism gains.
SERIAL_BELOW_BYTES: Final = 32 * 1024
FORM_TRIALS: Final = 2
#: After the trials, the slower form runs again, timed, on the RETEST_AFTER-th
#: call of its size class, then after twice as many calls, and so on: a trial
#: slowed by another process (OpenBLAS's threads keep spinning for about 0.1 s
#: after a NumPy matrix product, holding the cores a parallel region needs)
#: must not decide for good. The cost is one slower call in 16, 32, 64, ...
FORM_RETEST_AFTER: Final = 16
#: POLYRAY_CPU_FORM=parallel|serial runs that form of a parallel CPU variant on
#: every call (the fuzzer and tests exercise both forms on small inputs this way).
FORM_ENV: Final = "POLYRAY_CPU_FORM"


_get_num_threads: Callable[[], int] | None = None


def _num_threads() -> int:
    """numba.get_num_threads(), without an import statement per call (it is on every call's path)."""
    global _get_num_threads
    if _get_num_threads is None:
        import numba

        _get_num_threads = numba.get_num_threads
    return _get_num_threads()


def _serial_below_bytes() -> int:
    raw = os.environ.get("POLYRAY_SERIAL_BELOW_BYTES")
    if raw is None:
        return SERIAL_BELOW_BYTES
    try:
        return max(0, int(raw))
    except ValueError:
        return SERIAL_BELOW_BYTES


class CpuVariant:
    """A function compiled with ``numba.njit`` on first use.

    py_func: the numba-compatible Python function (defined in the generated module).
    helpers: names from HELPER_NAMES to inject as ``_polyray_h_<name>``
        (``_polyray_prange`` = numba.prange is always injected).
    parallel: compile with ``parallel={'prange': True, ...everything else off}``.
    boundscheck: compile with Numba's bounds checking (IndexError like Python).
    rollback: positions of the written array arguments of a *speculative*
        variant (one whose prange loops flag a would-be CPython exception in a
        trailing ``fail`` argument instead of raising, see numba_helpers'
        ``spec_*``). Those arrays are copied before each run and restored if the
        flag is set, and the run counts as not having happened
        (:class:`VariantRolledBack`): the original then runs and raises as Python does.
    serial: the function the serial form compiles (default: py_func without
        parallel=True); a rescheduled variant passes its loops in the original order.
    callees: global name -> Python function, for the other functions of the
        module the variant calls (the compiler's specializations, types/calls.ts):
        each is compiled with ``numba.njit`` (sequential, Numba's bounds checks on)
        and bound to its name in the module's globals before the variant compiles,
        so that compiled code calls compiled code without a Python dispatcher.
    """

    __slots__ = ("py_func", "serial_func", "helpers", "callees", "parallel", "boundscheck", "rollback", "_jitted", "_serial", "_form", "_form_times",
                 "_form_calls", "_warm_forms", "_broken",
                 "_failed", "_numba_error", "_typeof", "_lock", "_notes", "cached")

    def __init__(
        self,
        py_func: Callable[..., Any],
        helpers: tuple[str, ...] | list[str] = (),
        parallel: bool = False,
        boundscheck: bool = True,
        rollback: tuple[int, ...] | None = None,
        serial: Callable[..., Any] | None = None,
        callees: dict[str, Callable[..., Any]] | None = None,
    ) -> None:
        if not callable(py_func) or not hasattr(py_func, "__globals__"):
            raise TypeError(f"CpuVariant: py_func must be a Python function, got {type(py_func).__name__}")
        unknown = sorted(set(helpers) - HELPER_NAMES)
        if unknown:
            raise ValueError(
                f"CpuVariant {py_func.__name__!r}: unknown helpers {unknown}; "
                f"expected names from {sorted(HELPER_NAMES)}"
            )
        if type(parallel) is not bool:
            raise TypeError(f"CpuVariant {py_func.__name__!r}: parallel must be a bool, got {parallel!r}")
        if type(boundscheck) is not bool:
            raise TypeError(f"CpuVariant {py_func.__name__!r}: boundscheck must be a bool, got {boundscheck!r}")
        if rollback is not None and not (isinstance(rollback, tuple) and all(type(k) is int and k >= 0 for k in rollback)):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: rollback must be a tuple of argument positions, got {rollback!r}")
        if serial is not None and (not callable(serial) or not hasattr(serial, "__globals__")):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: serial must be a Python function, got {type(serial).__name__}")
        if callees is not None and not (isinstance(callees, dict) and all(
                isinstance(k, str) and k.isidentifier() and callable(f) and hasattr(f, "__globals__") for k, f in callees.items())):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: callees must map global names to Python functions, got {callees!r}")
        self.callees: dict[str, Callable[..., Any]] = dict(callees or {})
        self.rollback = rollback
        self.serial_func = serial
        self.py_func = py_func
        self.helpers: tuple[str, ...] = tuple(helpers)
        self.parallel = parallel
        self.boundscheck = boundscheck
        self._jitted: Callable[..., Any] | None = None
        # the serial form of a parallel variant, compiled on its first small call
        self._serial: Callable[..., Any] | None = None
        # which form the last run used (reported in the run record)
        self._form: str | None = None
        # size class -> form -> (fastest warm time, timed runs); forms that have run once (compiled)
        self._form_times: dict[int, dict[str, tuple[float, int]]] = {}
        # size class -> (calls since the trials ended, call count of the next retest)
        self._form_calls: dict[int, tuple[int, int]] = {}
        self._warm_forms: set[str] = set()
        self._broken: str | None = None
        # argument-type signature -> reason, for signatures Numba failed to compile
        self._failed: dict[tuple[Any, ...], str] = {}
        self._numba_error: type[BaseException] | None = None
        self._typeof: Callable[[Any], Any] | None = None
        self._lock = threading.Lock()
        # cache events for the next run record (jitting.py): uncached and why, an unreadable entry
        self._notes: list[str] = []
        #: whether Numba's on-disk cache is in use (None until compiled)
        self.cached: bool | None = None

    def unavailable_reason(self) -> str | None:
        return self._broken

    def _compile(self, serial: bool = False) -> Callable[..., Any]:
        with self._lock:
            if serial and self._serial is not None:
                return self._serial
            if not serial and self._jitted is not None:
                return self._jitted
            name = self.py_func.__name__
            try:
                import numba
                from numba.core.errors import NumbaError

                from . import numba_helpers
            except Exception as exc:  # numba missing or broken: cpu variant unusable
                self._broken = f"numba could not be imported ({type(exc).__name__}: {_first_line(str(exc))})"
                raise VariantFailed(self._broken) from None
            module_globals = self.py_func.__globals__
            module_globals[PRANGE_NAME] = numba.prange
            # prange's counter is unsigned: generated code casts it (`-i` would wrap otherwise)
            module_globals[INT64_NAME] = numba.int64
            module_globals[NUMPY_NAME] = np
            for helper in self.helpers:
                module_globals[HELPER_PREFIX + helper] = getattr(numba_helpers, helper)
            try:
                self._bind_callees(module_globals)
            except Exception as exc:  # noqa: BLE001 - NumbaError at decoration, or a broken numba
                self._broken = f"numba rejected a function {name} calls: {_first_line(str(exc)) if isinstance(exc, NumbaError) else _short(exc)}"
                raise VariantFailed(self._broken) from None
            parallel = self.parallel and not serial
            options: dict[str, Any] = {
                "error_model": "numpy",
                "boundscheck": self.boundscheck,
                # ParallelOptions consumes the dict it is given: pass a fresh copy
                "parallel": dict(PARALLEL_OPTIONS) if parallel else False,
            }
            func = self.py_func if not serial else self.serial_func or _renamed(self.py_func, "__serial")
            try:
                # cached on disk under this module's name (jitting.py says why not numba's cache=True);
                # compile failures come back as PreparationFailed (see _call)
                jitted, uncached = jitting.njit(func, options, self._notes)
            except Exception as exc:  # noqa: BLE001 - NumbaError, or a broken numba: the decoration does not depend on arguments
                self._broken = f"numba rejected {name}: {_first_line(str(exc)) if isinstance(exc, NumbaError) else _short(exc)}"
                raise VariantFailed(self._broken) from None
            self.cached = uncached is None
            if uncached is not None and uncached not in self._notes:
                self._notes.append(f"not cached: {uncached}")
            self._numba_error = NumbaError
            self._typeof = numba.typeof
            if serial:
                self._serial = jitted
            else:
                self._jitted = jitted
            return jitted

    def _bind_callees(self, module_globals: dict[str, Any]) -> None:
        """Bind each callee's jitted form to its global name (once per module: every caller shares it)."""
        for global_name, func in self.callees.items():
            bound = module_globals.get(global_name)
            if getattr(bound, "py_func", None) is func:
                continue
            # plain sequential code: Numba's bounds checks reproduce Python's IndexError (no guard covers a callee)
            jitted, uncached = jitting.njit(func, {"error_model": "numpy", "boundscheck": True}, self._notes)
            if uncached is not None and uncached not in self._notes:
                self._notes.append(f"not cached: {uncached}")
            module_globals[global_name] = jitted

    def _use_serial(self, args: tuple[Any, ...], sizes: tuple[int, int] | None = None) -> tuple[bool, int | None]:
        """(serial?, size class to time the call in, or None): which form of a parallel variant runs."""
        if not self.parallel:
            return False, None
        forced = os.environ.get(FORM_ENV)
        if forced in ("parallel", "serial"):
            return forced == "serial", None
        cls, total = sizes if sizes is not None else size_class(args)  # the dispatcher's size classes (cost.py)
        if total < _serial_below_bytes():  # first: a small call is over in microseconds
            return True, None
        try:
            if _num_threads() <= 1:
                return True, None
        except Exception:  # noqa: BLE001 - no threading layer: the parallel form reports it
            return False, None
        times = self._form_times.get(cls, {})
        for form in ("parallel", "serial"):  # each timed FORM_TRIALS times (after its compiling run), then the faster
            if times.get(form, (0.0, 0))[1] < FORM_TRIALS:
                return form == "serial", cls
        faster = "serial" if times["serial"][0] < times["parallel"][0] else "parallel"
        calls, retest = self._form_calls.get(cls, (0, FORM_RETEST_AFTER))
        calls += 1
        if calls >= retest:
            self._form_calls[cls] = (calls, 2 * retest)
            return faster != "serial", cls
        self._form_calls[cls] = (calls, retest)
        return faster == "serial", cls

    def take_extra(self) -> dict[str, Any]:
        """Keys for the run record of the last run: which form of a parallel variant ran, and
        ``cache``: what happened with Numba's on-disk cache since the last record, if anything
        worth saying (not cached and why, an unreadable entry compiled again)."""
        form, self._form = self._form, None
        extra: dict[str, Any] = {"form": form} if form else {}
        if self._notes:  # (the caches append to this very list: emptied in place)
            notes = self._notes[:]
            del self._notes[: len(notes)]
            extra["cache"] = "; ".join(dict.fromkeys(notes))
        return extra

    def run(self, args: tuple[Any, ...], sizes: tuple[int, int] | None = None) -> Any:
        """Run on ``args``; ``sizes``: ``size_class(args)`` when the dispatcher has it already."""
        serial, cls = self._use_serial(args, sizes)
        jitted = self._serial if serial else self._jitted
        if jitted is None:
            if self._broken is not None:
                raise VariantFailed(self._broken)
            jitted = self._compile(serial)
        form = "serial" if serial else "parallel"
        if self.parallel:
            self._form = form
        if self._failed:
            key = self._signature(args)
            reason = self._failed.get(key)
            if reason is not None:
                raise VariantFailed(reason)
        start = perf_counter()
        result = self._run_speculative(jitted, args) if self.rollback is not None else self._call(jitted, args)
        if cls is not None:
            if form in self._warm_forms:
                times = self._form_times.setdefault(cls, {})
                best, runs = times.get(form, (float("inf"), 0))
                times[form] = (min(best, perf_counter() - start), runs + 1)
            self._warm_forms.add(form)  # its first run compiled: not a measurement
        return result

    def _call(self, jitted: Callable[..., Any], args: tuple[Any, ...], extra: tuple[Any, ...] = ()) -> Any:
        """``jitted(*args, *extra)``; a typing failure is remembered for ``args``' types."""
        try:
            return jitted(*args, *extra)
        except (jitting.PreparationFailed, self._numba_error) as failed:  # type: ignore[misc]
            # typing, compilation or a cache load failed (jitting.guard_compilation; a bare NumbaError
            # too, as before that hook): nothing of the variant ran
            cause = getattr(failed, "cause", failed)
            detail = _first_line(str(cause)) if isinstance(cause, self._numba_error) else _short(cause)  # type: ignore[arg-type]
            reason = f"numba could not compile {self.py_func.__name__} for these argument types: {detail}"
            self._failed[self._signature(args)] = reason
            raise VariantFailed(reason) from None

    def _run_speculative(self, jitted: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        import numpy as np

        fail = np.zeros(1, dtype=np.int8)
        try:
            saved = snapshot(args, self.rollback or ())
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: nothing ran
            raise VariantFailed(f"the written arrays could not be copied before a speculative run ({type(exc).__name__})",
                                per_signature=False) from None
        try:
            result = self._call(jitted, args, (fail,))
        except VariantFailed:
            raise  # typing failed: nothing ran
        except BaseException:
            # an exception outside the speculative loops: the same as Python's,
            # unless a speculative loop before it flagged (then Python raised earlier)
            if fail[0]:
                self._restore(saved)
            else:
                raise
        if fail[0]:
            self._restore(saved)
        return result

    def _restore(self, saved: list[tuple[Any, Any]]) -> None:
        restore(saved)
        raise VariantRolledBack(
            f"a math call in a parallel loop of {self.py_func.__name__} would raise: "
            "its written arrays were restored"
        )

    def _signature(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        typeof = self._typeof
        assert typeof is not None
        key = []
        for a in args:
            try:
                key.append(typeof(a))
            except Exception:
                key.append(type(a))
        return tuple(key)


def _renamed(fn: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    """A copy of fn under another name, so that Numba's on-disk cache keeps its compilations apart."""
    copy = types.FunctionType(fn.__code__.replace(co_name=fn.__name__ + suffix), fn.__globals__,
                              fn.__name__ + suffix, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__module__ = fn.__module__
    return copy
