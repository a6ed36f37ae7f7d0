"""The Numba CPU variant: compiled lazily on first use.

Numba is imported only when a CpuVariant first runs, so that importing a
generated module (and :mod:`polyray.runtime`) stays cheap.
"""

from __future__ import annotations

import math
import sys
import threading
import types
from time import perf_counter
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from . import background, environ, jitting
from .cost import size_class
from .variants import LeftToOriginal, VariantCompiling, VariantFailed, VariantRolledBack, call_signature, restore, snapshot
from .variants import short_error as _short, first_line as _first_line  # one wording of errors in run records

#: Helpers of :mod:`polyray.runtime.numba_helpers` a variant may request; each is
#: injected into the variant's module globals as ``_polyray_h_<name>``.
_SPECULABLE: Final = ("sqrt", "log", "log10", "log2", "acos", "asin", "exp", "mathpow")
HELPER_NAMES: Final[frozenset[str]] = frozenset(
    {"truediv", "floordiv", "mod", "pow", "ipow", "mathpow", "sqrt", "log", "log10", "log2", "acos", "asin", "exp", "matmul", "dot", "cov",
     "pairwise_sum", "pairwise_mean", "cdiv"}
    | {f"{form}_{name}" for form in ("axis", "whole") for name in ("sum", "mean", "var", "std")}  # close mode's reductions
    | {"axis_average"}  # np.average along an axis: the mean, then NumPy's ZeroDivisionError for an empty result
    | {f"spec_{name}" for name in _SPECULABLE}
    | {"sin", "cos", "tan", "sinh", "cosh", "expm1", "log1p"}  # math's checks (runtime/math_helpers.py)
    | {"axis_max", "axis_min"}  # np.max/np.min along axes (runtime/axis_extrema.py)
    # exact mode's float max/min, which leave to the original what NumPy's lanes decide (runtime/axis_extrema.py)
    | {"checked_max", "checked_min", "checked_axis_max", "checked_axis_min"}
    | {"py_int", "astype_int"}  # int() and .astype(<int>) of floats, left to the original outside the integer's range (runtime/int_helpers.py)
    | {"check_index", "spec_index"}  # an index read from data: IndexError, or the flag in a prange loop (runtime/index_checks.py)
    | {"fit_int", "spec_fit_int"}  # a computed Python int meeting an integer dtype, left to the original out of its range (runtime/int_helpers.py)
    | {"np_rshift", "np_lshift"}  # NumPy's shift of integer scalars by any count (runtime/int_helpers.py)
    | {"norm", "norm_keepdims"}  # np.linalg.norm by NumPy's formulas (runtime/norms.py)
    | {"column_products", "column_product"}  # a loop's per-column products as one product (runtime/column_products.py)
    | {"column_dots", "column_dots_none", "column_dot"}  # a loop's dots with a row block's columns as one product (runtime/column_dots.py)
    | {"blas_dot", "blas_dot_rows"}  # product loops' BLAS products, one Numba function cached on disk (runtime/blas_products.py)
    | {"blas_threads_match", "blas_threads_one", "blas_threads_restore"}  # BLAS threads matched to Numba's around products (runtime/blas_threads.py)
    | {"mask_get", "mask_rows", "mask_set", "take", "put", "take_nd", "put_nd"}  # masks and index arrays (runtime/index_helpers.py)
    | {"gather_dot", "gather_dot_np"}  # close mode's `v @ x[idx]` without the gathered temporary (runtime/gather_dots.py)
    | {"cmul", "csquare", "creciprocal", "cpow", "cpow_op", "cpow_fop", "csqrt", "cexp", "cabs", "csquare_scalar"}  # NumPy's complex products and powers (runtime/complex_helpers.py)
    | {"pow_fop"}  # `float64 array ** Python float`: np.sqrt for 0.5, as NumPy's fast_scalar_power (runtime/numba_helpers.py)
    | {"sort", "sort_inplace", "argsort", "unique"}  # sorting with NumPy's results (runtime/sort_helpers.py)
    | {"round_decimals", "clip_scalar_bounds"}  # np.round with decimals, np.clip as NumPy computes them (runtime/round_helpers.py)
    | {"arange", "arange_float64", "any_axis", "all_axis", "argmax_axis", "argmin_axis", "diag_view", "trace_pairwise", "ravel", "cumsum_flat",
       "sign_real", "cumsum_axis", "cumprod_axis", "cumsum_dtype", "cumprod_dtype"}  # NumPy's results (runtime/row_helpers.py)
    # the NumPy table's array helpers (runtime/array_helpers.py)
    | {f"{form}_{f}" for form in ("np", "rf") for f in ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn")} | {"fftfreq"}  # np.fft (runtime/fft_helpers.py)
    | {"reshape", "linspace", "ndarray", "abs_array", "histogram", "histogram_edges", "histogram_density", "bincount", "solve", "mgrid", "repeat", "roll", "tile", "swapaxes", "average_weighted", "average_weighted_returned", "average_weighted_axis", "average_weighted_axis_returned", "average_returned", "reshape_value", *(f"outer_{u}" for u in ("add", "subtract", "multiply", "divide", "maximum", "minimum"))}
)

HELPER_PREFIX: Final = "_polyray_h_"

#: ``numba.prange`` is injected into the variant's module globals under this
#: name (generated code writes ``for i in _polyray_prange(n):``), so that the
#: generated module never imports numba itself. Without parallel=True, Numba
#: treats it as ``range``.
PRANGE_NAME: Final = "_polyray_prange"

#: ``numba.int64``, injected under this name: generated code casts prange counters with it.
INT64_NAME: Final = "_polyray_int64"

#: numpy (as large_allocations: NumPy's names, allocations advised to huge pages), injected under
#: this name: generated code allocates temporaries with it whatever name the user's module gives numpy.
NUMPY_NAME: Final = "_polyray_np"

#: The fast-math flags of the SIMD sums (close mode): LLVM may reassociate their additions and
#: multiplications and contract a multiply-add into an FMA; never nnan, ninf, nsz, arcp or afn, so NaN,
#: infinities, signed zeros, divisions and math functions keep IEEE semantics (docs/reliability.md).
FASTMATH: Final = frozenset({"reassoc", "contract"})

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
#: bytes) on real calls (its first run too where that run compiled nothing) and the faster one kept: a prange
#: loop under sequential loops starts one region per iteration of them (doitgen: 4,000 per call), which can
#: cost more than the parallelism gains.
SERIAL_BELOW_BYTES: Final = 32 * 1024
FORM_TRIALS: Final = 2
#: The order of the form trials (_use_serial).
FORM_ORDER: Final = ("serial", "parallel")
#: What a form's time is, for the choice: the lower median of its last FORM_WINDOW timed runs (the faster of two,
#: the middle of three). One call delayed by another process does not decide (it is the slower of two, or the
#: outlier of three), nor does one lucky call (it must be two of three), and older runs age out: a parallel
#: form's time moves with the machine (doitgen's planes in parallel took 180 or 380 µs by stretches of a quiet
#: run, as the expert prange did, when the second core was elsewhere; its serial form 320 to 350 µs throughout).
#: Until the twelfth session the choice kept each form's fastest run ever: one fast parallel run in a good
#: stretch held the choice through the slow stretches after it (docs/benchmarks.md, doitgen).
FORM_WINDOW: Final = 3
#: After the trials, the slower form runs again, timed, on the RETEST_AFTER-th
#: call of its size class, then after twice as many calls, up to FORM_RETEST_MAX calls apart: a trial
#: slowed by another process (OpenBLAS's threads keep spinning for about 0.1 s
#: after a NumPy matrix product, holding the cores a parallel region needs)
#: must not decide for good, and a machine whose spare core comes and goes is followed. The cost is one
#: slower call in 16, 32, then 64; a retest faster than the chosen form's time runs once more on the next call
#: (the choice moves on two of three runs: FORM_WINDOW).
FORM_RETEST_AFTER: Final = 16
FORM_RETEST_MAX: Final = 64
#: A form's run beside a background compile (background.compiled_since: this process's JIT worker holds a core)
#: is not one of its timed runs: neither a trial (the form runs again on the next call), nor a retest (due again
#: on the next call), nor a hot run that would leave the chosen form (hot_timer). On two cores the compile
#: takes one, and a parallel form then runs at its serial speed or slower: NPBench M's stencils chose their
#: forms while a fused hot entry (hot_entry.py) or another form compiled beside the trials and the hot runs
#: after them (jacobi_2d: the parallel form timed at 6.4 and 16.1 ms, serial kept at 6.1, where the
#: twelfth session's run had kept the parallel form at 3.2 ms). The rule auto's variant choice keeps already
#: (cost.py, speedup.py: a time beside a compile is not a settled one). At most FORM_BESIDE_SKIPS such runs per
#: size class are set aside: a process that compiles without pause still chooses.
FORM_BESIDE_SKIPS: Final = 4
#: POLYRAY_CPU_FORM=parallel|serial runs that form of a parallel CPU variant on
#: every call (the fuzzer and tests exercise both forms on small inputs this way).
FORM_ENV: Final = "POLYRAY_CPU_FORM"
#: A parallel CPU variant compiles only the form a call runs (a job per form), and the other form when a call
#: first wants that one (the form trials: the form compiled runs meanwhile); POLYRAY_JIT_FORMS=all makes one job
#: compile both forms, the one the call runs first. Each form is a Numba compile of its own (the parallel one
#: the larger: Numba's parfor passes and its outlined region), and a function's first variant waited for both
#: (issue 18's first-call line, bench/jit_cost.py: PolyBench's gemm 2.5 CPU s where njit of its loops takes 0.2).
FORMS_ENV: Final = "POLYRAY_JIT_FORMS"


def _compiled_count(jitted: Any) -> int | None:
    """How many signatures a Numba dispatcher has compiled (None where it says not): a run that changed it compiled."""
    overloads = getattr(jitted, "overloads", None)
    try:
        return len(overloads) if overloads is not None else None
    except TypeError:
        return None


def form_time(recent: list[float]) -> float:
    """A form's time for the choice from its recent timed runs: their lower median (FORM_WINDOW)."""
    return sorted(recent)[(len(recent) - 1) // 2]


def _needed_forms_only() -> bool:
    return environ.get(FORMS_ENV) != "all"


_get_num_threads: Callable[[], int] | None = None


def _num_threads() -> int:
    """numba.get_num_threads(), without an import statement per call (it is on every call's path)."""
    global _get_num_threads
    if _get_num_threads is None:
        import numba

        _get_num_threads = numba.get_num_threads
    return _get_num_threads()


def _serial_below_bytes() -> int:
    raw = environ.get("POLYRAY_SERIAL_BELOW_BYTES")
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
    undo: positions of the written array arguments of a variant whose helpers may
        find that NumPy's answer depends on its SIMD lanes (exact mode's float
        max/min, runtime/axis_extrema.py: they raise AmbiguousExtreme; int() of a float,
        runtime/int_helpers.py: LeftToOriginal): those arrays
        are copied before each run and restored when one does, and the run counts
        as not having happened (VariantRolledBack): the original gives NumPy's bits.
    serial: the function the serial form compiles (default: py_func without
        parallel=True); a rescheduled variant passes its loops in the original order.
    serial_raises: the serial form of a speculative variant raises where Python
        raises (its loops run in Python's order, codegen's ``raising`` form): it
        takes no flag, and its runs copy nothing (``undo`` still applies to it).
    callees: global name -> Python function, for the other functions of the
        module the variant calls (the compiler's specializations, types/calls.ts):
        each is compiled with ``numba.njit`` (sequential, Numba's bounds checks on)
        and bound to its name in the module's globals before the variant compiles,
        so that compiled code calls compiled code without a Python dispatcher.
    fastmath: names among ``callees`` that are the compiler's SIMD sums (close mode,
        codegen/local-accumulators.ts): a loop that only adds terms into locals,
        outlined into a function of its own so that its flags touch nothing else;
        compiled with FASTMATH (reassociation and contraction only) and without bounds
        checks (the variant that calls them runs behind the bounds guard).
    """

    __slots__ = ("py_func", "serial_func", "serial_raises", "helpers", "callees", "fastmath", "parallel", "boundscheck", "rollback", "undo", "_jitted", "_serial", "_form", "_form_times",
                 "_form_calls", "_form_recent", "_form_confirm", "_retesting", "_warm_forms", "_broken",
                 "_failed", "_numba_error", "_lock", "_notes", "cached", "_jobs", "_jobs_lock", "_skipped_ahead",
                 "_jit_report", "_stable", "_plan", "_hot_timing", "last_seconds", "_trials", "last_beside", "_beside_skips",
                 "_forms_run")

    def __init__(
        self,
        py_func: Callable[..., Any],
        helpers: tuple[str, ...] | list[str] = (),
        parallel: bool = False,
        boundscheck: bool = True,
        rollback: tuple[int, ...] | None = None,
        serial: Callable[..., Any] | None = None,
        callees: dict[str, Callable[..., Any]] | None = None,
        undo: tuple[int, ...] | None = None,
        fastmath: tuple[str, ...] = (),
        serial_raises: bool = False,
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
        if undo is not None and not (isinstance(undo, tuple) and all(type(k) is int and k >= 0 for k in undo)):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: undo must be a tuple of argument positions, got {undo!r}")
        if serial is not None and (not callable(serial) or not hasattr(serial, "__globals__")):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: serial must be a Python function, got {type(serial).__name__}")
        if type(serial_raises) is not bool:
            raise TypeError(f"CpuVariant {py_func.__name__!r}: serial_raises must be a bool, got {serial_raises!r}")
        if serial_raises and (rollback is None or serial is None):
            raise ValueError(f"CpuVariant {py_func.__name__!r}: serial_raises needs rollback= (a speculative variant) and serial= (its raising form)")
        if callees is not None and not (isinstance(callees, dict) and all(
                isinstance(k, str) and k.isidentifier() and callable(f) and hasattr(f, "__globals__") for k, f in callees.items())):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: callees must map global names to Python functions, got {callees!r}")
        self.callees: dict[str, Callable[..., Any]] = dict(callees or {})
        if not (isinstance(fastmath, tuple) and all(isinstance(k, str) and k in self.callees for k in fastmath)):
            raise TypeError(f"CpuVariant {py_func.__name__!r}: fastmath must be a tuple of names in callees, got {fastmath!r}")
        self.fastmath: frozenset[str] = frozenset(fastmath)
        self.rollback = rollback
        self.undo = undo
        self.serial_func = serial
        self.serial_raises = serial_raises
        self.py_func = py_func
        self.helpers: tuple[str, ...] = tuple(helpers)
        self.parallel = parallel
        self.boundscheck = boundscheck
        self._jitted: Callable[..., Any] | None = None
        # the serial form of a parallel variant, compiled on its first small call
        self._serial: Callable[..., Any] | None = None
        # which form the last run used (reported in the run record)
        self._form: str | None = None
        # size class -> form -> (its time for the choice: form_time of its recent runs, timed runs)
        self._form_times: dict[int, dict[str, tuple[float, int]]] = {}
        # size class -> form -> its last FORM_WINDOW timed runs (seconds, oldest first)
        self._form_recent: dict[int, dict[str, list[float]]] = {}
        # size class -> (calls since the trials ended, call count of the next retest)
        self._form_calls: dict[int, tuple[int, int]] = {}
        # size classes whose next call runs the slower form again (a retest faster than the chosen form's time)
        self._form_confirm: set[int] = set()
        # the size class whose slower form the current run retests (run: a faster retest is confirmed)
        self._retesting: int | None = None
        self._warm_forms: set[str] = set()
        self._broken: str | None = None
        # call_signature(args) -> reason, for argument types Numba failed to compile
        self._failed: dict[tuple[Any, ...], str] = {}
        self._numba_error: type[BaseException] | None = None
        self._lock = threading.Lock()
        # cache events for the next run record (jitting.py): uncached and why, an unreadable entry
        self._notes: list[str] = []
        #: whether Numba's on-disk cache is in use (None until compiled)
        self.cached: bool | None = None
        # call_signature(args) -> the background compile of both forms for those types (background.py);
        # created under _jobs_lock, so that concurrent calls never start two compiles of one signature
        self._jobs: dict[tuple[Any, ...], background.Job] = {}
        self._jobs_lock = threading.Lock()
        # call_signature -> why it was not compiled ahead (precompile: the lane was full): the records of the
        # calls that wait for its compile then say so
        self._skipped_ahead: dict[tuple[Any, ...], str] = {}
        # keys for the next run record: the JIT time of a compile that finished (reported once), waited or not
        self._jit_report: dict[str, Any] = {}
        # what _use_serial found about the forms' stability, and what the last run offers the hot path (take_hot)
        self._stable: tuple[float, float, float, int | None] = (0, 0, math.inf, None)
        # size classes whose form trials are under way (forms_settled)
        self._trials: set[int] = set()
        self._plan: tuple[Callable[..., Any], tuple[float, float, float, int | None], str] | None = None
        # (size class, form) of the plan take_hot last granted after the form trials, for hot_timer
        self._hot_timing: tuple[int, str] | None = None
        #: seconds the compiled code of the last successful run took (its preparation not included)
        self.last_seconds: float | None = None
        #: whether a background compile ran beside the last run's compiled code (background.compiled_since)
        self.last_beside = False
        #: size class -> form runs set aside there because a compile ran beside them (FORM_BESIDE_SKIPS)
        self._beside_skips: dict[int, int] = {}
        #: size class -> the forms that have run there (forms_tried)
        self._forms_run: dict[int, set[str]] = {}
        background.prestart()  # (the first call's compile then only queues: background.prestart)

    #: compiled apart from the calls (background.py): a run's time is never a compile's (cost.py)
    compiles_apart = True

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

                from . import large_allocations, numba_helpers
            except Exception as exc:  # numba missing or broken: cpu variant unusable
                self._broken = f"numba could not be imported ({type(exc).__name__}: {_first_line(str(exc))})"
                raise VariantFailed(self._broken) from None
            module_globals = self.py_func.__globals__
            module_globals[PRANGE_NAME] = numba.prange
            # prange's counter is unsigned: generated code casts it (`-i` would wrap otherwise)
            module_globals[INT64_NAME] = numba.int64
            # NumPy's names, with allocations advised to huge pages as NumPy's are (large_allocations.py)
            module_globals[NUMPY_NAME] = large_allocations
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
            # plain sequential code: Numba's bounds checks reproduce Python's IndexError (no guard covers a callee);
            # a SIMD sum runs behind the caller's bounds guard, with reassociation and contraction only
            options = {"error_model": "numpy", "boundscheck": False, "fastmath": set(FASTMATH)} if global_name in self.fastmath \
                else {"error_model": "numpy", "boundscheck": True}
            jitted, uncached = jitting.njit(func, options, self._notes)
            if uncached is not None and uncached not in self._notes:
                self._notes.append(f"not cached: {uncached}")
            module_globals[global_name] = jitted

    def _use_serial(self, args: tuple[Any, ...], sizes: tuple[int, int] | None = None) -> tuple[bool, int | None]:
        """(serial?, size class to time the call in, or None): which form of a parallel variant runs.

        Also sets ``_stable``: (calls after this one that take the same form, the bytes range they hold for,
        the size class whose call count the hot path's calls advance or None), for :meth:`take_hot`."""
        inf = math.inf
        if not self.parallel:
            self._stable = (inf, 0, inf, None)
            return False, None
        forced = environ.get(FORM_ENV)
        if forced in ("parallel", "serial"):
            self._stable = (inf, 0, inf, None)  # (the hot path re-reads FORM_ENV: hot_environment)
            return forced == "serial", None
        cls, total = sizes if sizes is not None else size_class(args)  # the dispatcher's size classes (cost.py)
        below = _serial_below_bytes()
        if total < below:  # first: a small call is over in microseconds
            self._stable = (inf, 0, below, None)
            return True, None
        self._stable = (0, 0, inf, None)
        if _get_num_threads is None and "numba" not in sys.modules:
            # nothing compiled in this process yet (the call runs the original while the background
            # compiles): importing numba here would make this first call wait 0.5 s for nothing; the serial
            # form, the first of the trials below
            return True, None
        try:
            if _num_threads() <= 1:
                self._stable = (inf, below, inf, None)
                return True, None
        except Exception:  # noqa: BLE001 - no threading layer: the parallel form reports it
            return False, None
        times = self._form_times.get(cls, {})
        # each timed FORM_TRIALS times (after its compiling run), then the faster; the serial form first: it
        # compiles in a fraction of the parallel one's time (no parfor passes), so a variant runs sooner, and the
        # parallel form compiles when its trials want it (_needed_forms_only), the serial one running meanwhile
        for form in FORM_ORDER:
            if times.get(form, (0.0, 0))[1] < FORM_TRIALS:
                self._trials.add(cls)
                return form == "serial", cls
        self._trials.discard(cls)
        faster = "serial" if times["serial"][0] < times["parallel"][0] else "parallel"
        calls, retest = self._form_calls.get(cls, (0, FORM_RETEST_AFTER))
        calls += 1
        if cls in self._form_confirm:  # a retest ran faster than the chosen form: once more, to confirm
            self._form_confirm.discard(cls)
            self._form_calls[cls] = (calls, retest)
            self._retesting = cls
            return faster != "serial", cls
        if calls >= retest:
            self._form_calls[cls] = (calls, min(2 * retest, retest + FORM_RETEST_MAX))
            self._retesting = cls
            return faster != "serial", cls
        self._form_calls[cls] = (calls, retest)
        self._stable = (retest - calls - 1, below, inf, cls)
        return faster == "serial", cls

    def forms_settled(self, cls: int) -> bool:
        """Whether this variant's times at size class ``cls`` are its chosen form's (no form trial under way
        there): auto compares it with the original only then (cost.py), not on a parallel trial's time."""
        return cls not in self._trials

    def forms_tried(self, cls: int) -> bool:
        """Whether each form that may run at size class ``cls`` has run there once at least (its first run
        too), though the trials may not be over: auto may then keep the original on a clear loss (cost.py)."""
        return cls not in self._trials or len(self._forms_run.get(cls, ())) == 2

    def hot_environment(self) -> tuple[str, ...]:
        """The environment variables the form of a run depends on (the hot path re-reads them)."""
        return (FORM_ENV, "POLYRAY_SERIAL_BELOW_BYTES") if self.parallel else ()

    def take_hot(self, limit: int) -> tuple[Callable[..., Any], int, float, float] | None:
        """After a successful run: (the compiled form it ran, how many further calls with arguments of the
        same types and size class may run it directly, the bytes range that holds for), or None when the next
        call must come through :meth:`run` (form trials, a retest due, a form still compiling, rollback).
        The calls granted count as calls of their size class now (the form retests stay on schedule)."""
        plan, self._plan = self._plan, None
        self._hot_timing = None
        if plan is None:
            return None
        jitted, (stable, lo, hi, cls), form = plan
        budget = int(min(limit, stable))
        if budget <= 0:
            return None
        if cls is not None:
            self._hot_timing = (cls, form)
        if cls is not None:
            calls, retest = self._form_calls[cls]
            self._form_calls[cls] = (calls + budget, retest)
        return jitted, budget, lo, hi

    def _ready(self, args: tuple[Any, ...], form: str, wait: bool) -> tuple[Callable[..., Any], str]:
        """(compiled dispatcher, its form) for ``args``' types: ``form`` when compiled, else the other form
        of a parallel variant when that one is. Compiling is the background worker's (background.py):
        until it is done this raises :class:`VariantCompiling` (the original runs), unless the call waits
        (``wait``: a forced target; or ``background.jit_wait()``)."""
        key = call_signature(args)
        job = self._jobs.get(self._job_key(key, form))
        waits = wait or background.jit_wait()
        if job is None:
            job = self._submit(key, args, form, gated=not waits)
        elif job.ahead:  # compiled ahead (ahead.py) and still queued: this call needs it now
            background.promote(job)
        if not job.done.is_set() and waits:
            background.open_now(job)
            start = perf_counter()
            job.wait()
            self._jit_report["jit_waited_seconds"] = perf_counter() - start
        results = job.results
        got = results.get(form)
        if not callable(got) and self.parallel:
            other = "serial" if form == "parallel" else "parallel"
            alt = results.get(other)
            if alt is None and _needed_forms_only():  # the other form's own job, where a call compiled it
                done = self._jobs.get(self._job_key(key, other))
                alt = done.results.get(other) if done is not None and done.done.is_set() else None
            if callable(alt):
                got, form = alt, other
        if callable(got):
            if not job.reported:  # its JIT time goes into this call's record, once
                job.reported = True
                self._jit_report["jit_seconds"] = job.compile_seconds()
                self._jit_report.setdefault("jit_waited_seconds", 0.0)
                if job.cpu is not None:  # (the job is done when its first form is: _compile_forms' last step)
                    self._jit_report["jit_cpu_seconds"] = job.cpu
                if job.compiles is not None:
                    self._jit_report["jit_compiles"] = job.compiles
            return got, form
        if not job.done.is_set():
            skipped = self._skipped_ahead.get(key)
            raise VariantCompiling(f"cpu variant compiling: {job.elapsed():.1f} s so far"
                                   + (f" (not compiled ahead: {skipped})" if skipped else ""), job.elapsed())
        reason = next((r for r in (got, *results.values()) if isinstance(r, str)), None) or job.error or (
            f"the cpu variant of {self.py_func.__name__} did not compile")
        if self._broken is not None:
            reason = self._broken
        self._failed[key] = reason
        raise VariantFailed(reason)

    def _submit(self, key: tuple[Any, ...], args: tuple[Any, ...] | None, form: str,
                gated: bool = False, ahead: bool = False) -> background.Job:
        """The background compile for ``key`` (started now unless another call started it): both forms of a
        parallel variant, ``form`` first, or ``form`` alone under POLYRAY_JIT_FORMS=needed (_job_key)."""
        one = self.parallel and _needed_forms_only()
        signature, key = key, self._job_key(key, form)
        with self._jobs_lock:
            job = self._jobs.get(key)
            if job is not None:
                return job
            if len(self._jobs) >= 64:  # a bounded table: the oldest finished signature is forgotten
                old = next((k for k, j in self._jobs.items() if j.done.is_set()), None)
                if old is not None:
                    del self._jobs[old]
            stand_ins = _stand_ins(signature, args)
            order = ((form,) if one else (form, "serial" if form == "parallel" else "parallel")) if self.parallel else ("parallel",)

            def work(job: background.Job) -> None:
                self._compile_forms(job, stand_ins, order)

            job = background.submit(key, work, gated, ahead)
            self._jobs[key] = job
            return job

    def _job_key(self, signature: tuple[Any, ...], form: str) -> tuple[Any, ...]:
        """The key of the compile job that makes ``form`` for ``signature``: the signature (the serial form's job,
        or under POLYRAY_JIT_FORMS=all the one job of both forms); a parallel variant's parallel form compiled
        alone (the default) has a job of its own."""
        return (*signature, ("form", form)) if self.parallel and form == "parallel" and _needed_forms_only() else signature

    def precompile(self, args: tuple[Any, ...], ahead: bool = True, all_forms: bool = False) -> list[background.Job]:
        """Start compiling for arguments of ``args``' types (examples: only their types are read), e.g.
        when hints give the signature before any call (the magic, the decorator, ``polyray compile``): the
        form a first call runs (the serial one of a parallel variant, FORM_ORDER), or every form (``all_forms``:
        ``polyray compile --precompile``, which fills Numba's on-disk cache for later processes). Returns the jobs.
        ``ahead``: in the ahead-of-time lane; raises background.AheadLaneFull where that lane is full:
        nothing is queued, and the run records of the calls that then wait for its compile say so (_ready)."""
        key = call_signature(args)
        forms = (FORM_ORDER if all_forms and _needed_forms_only() else FORM_ORDER[:1]) if self.parallel else ("parallel",)
        jobs = []
        try:
            for form in forms:
                jobs.append(self._jobs.get(self._job_key(key, form)) or self._submit(key, args, form, ahead=ahead))
        except background.AheadLaneFull as full:
            self._skipped_ahead[key] = str(full)
            raise
        return jobs

    def _compile_forms(self, job: background.Job, stand_ins: tuple[Any, ...], order: tuple[str, ...]) -> None:
        """On the worker: compile each form for the stand-ins' types (a cache hit loads machine code); the
        second form (the other one of a parallel variant) only when the first compiled: what fails to compile
        in one fails in the other as a rule, and a failure must cost one compile, not two."""
        for form in order:
            try:
                jitted = self._compile(form == "serial")
            except VariantFailed as failed:
                job.results[form] = failed.reason
                return
            try:
                import numba

                extra = (np.zeros(1, dtype=np.int8),) if self.takes_flag(form) else ()
                signature = tuple(numba.typeof(a) for a in (*stand_ins, *extra))
                jitted.compile(signature)
            except Exception as exc:  # noqa: BLE001 - typing, lowering, LLVM: the variant cannot run these types
                cause = getattr(exc, "cause", exc)
                numba_error = self._numba_error
                detail = _first_line(str(cause)) if numba_error is not None and isinstance(cause, numba_error) else _short(cause)
                job.results[form] = f"numba could not compile {self.py_func.__name__} for these argument types: {detail}"
                return
            else:
                job.results[form] = jitted

    def take_extra(self) -> dict[str, Any]:
        """Keys for the run record of the last run: which form of a parallel variant ran, and
        ``cache``: what happened with Numba's on-disk cache since the last record, if anything
        worth saying (not cached and why, an unreadable entry compiled again)."""
        form, self._form = self._form, None
        extra: dict[str, Any] = {"form": form} if form else {}
        if self._jit_report:
            extra.update(self._jit_report)
            self._jit_report.clear()
        if self._notes:  # (the caches append to this very list: emptied in place)
            notes = self._notes[:]
            del self._notes[: len(notes)]
            extra["cache"] = "; ".join(dict.fromkeys(notes))
        return extra

    def run(self, args: tuple[Any, ...], sizes: tuple[int, int] | None = None, wait: bool = False) -> Any:
        """Run on ``args``; ``sizes``: ``size_class(args)`` when the dispatcher has it already; ``wait``: wait
        for the variant to compile for ``args``' types (a forced target) instead of raising VariantCompiling."""
        self._plan = None
        self.last_seconds = None
        self._retesting = None
        serial, cls = self._use_serial(args, sizes)
        if self._broken is not None:
            raise VariantFailed(self._broken)
        if self._failed:
            reason = self._failed.get(call_signature(args))
            if reason is not None:
                raise VariantFailed(reason)
        form = "serial" if serial else "parallel"
        jitted, ready_form = self._ready(args, form, wait)
        stable = self._stable
        if ready_form != form:  # the other form is compiled, this one not yet: not one of the form trials
            form, cls = ready_form, None
            stable = (0, 0, math.inf, None)  # nor on the hot path: the next call looks for this form again
        if self.parallel:
            self._form = form
        mark = background.compile_mark()
        flags = self.takes_flag(form)
        compiled = _compiled_count(jitted) if form not in self._warm_forms else None
        start = perf_counter()
        if flags:
            result = self._run_speculative(jitted, args)
        elif self.undo is not None:
            result = self._run_undoable(jitted, args)
        else:
            result = self._call(jitted, args)
        elapsed = perf_counter() - start
        self.last_seconds = elapsed
        self.last_beside = background.compiled_since(mark)
        if not flags and self.undo is None:  # (a speculative or undoable run copies its arrays: never on the hot path)
            self._plan = (jitted, stable, form)
        if cls is not None:
            self._forms_run.setdefault(cls, set()).add(form)
            # a form's first run is a trial too where it compiled nothing (the background compiled it for these
            # types: issue 18, a parallel variant's trials took two calls more); one that compiled is not
            if form in self._warm_forms or (compiled is not None and _compiled_count(jitted) == compiled):
                if self.last_beside and self._set_aside(cls):
                    if self._retesting == cls:
                        self._form_confirm.add(cls)  # (the retest runs again on the next call)
                else:
                    self._timed(cls, form, elapsed, self._retesting == cls)
            self._warm_forms.add(form)
        return result

    def _set_aside(self, cls: int) -> bool:
        """Whether a run at size class ``cls`` beside a background compile is set aside, not timed
        (FORM_BESIDE_SKIPS at most per size class)."""
        skips = self._beside_skips.get(cls, 0)
        if skips >= FORM_BESIDE_SKIPS:
            return False
        self._beside_skips[cls] = skips + 1
        return True

    def _timed(self, cls: int, form: str, elapsed: float, retest: bool = False) -> None:
        """A timed run of ``form`` at size class ``cls``: its window and time (FORM_WINDOW); a ``retest`` of the
        slower form that ran faster than the chosen form's time is run again on the next call."""
        recent = self._form_recent.setdefault(cls, {}).setdefault(form, [])
        recent.append(elapsed)
        del recent[:-FORM_WINDOW]
        times = self._form_times.setdefault(cls, {})
        times[form] = (form_time(recent), times.get(form, (0.0, 0))[1] + 1)
        if retest:
            other = times.get("parallel" if form == "serial" else "serial")
            if other is not None and elapsed < other[0] and not times[form][0] < other[0]:
                self._form_confirm.add(cls)

    def hot_timer(self, entry: Any) -> Callable[[float], None] | None:
        """For the hot entry (hot.Entry) just made from :meth:`take_hot`'s plan: what its timed runs report to
        (build_hot's ``timed``), where that plan is the form chosen after the trials; else None. A hot run no
        slower than the other form's time costs one comparison; two in a row slower than it join the form's
        window (FORM_WINDOW), which then says the other form is faster, and end the entry's budget after this
        run, so that the next call comes through :meth:`run`, which switches: a slow stretch of the machine is
        left in two calls, not at the next retest. (Timing every hot run into the window cost 0.7 µs a call.)"""
        timing, self._hot_timing = self._hot_timing, None
        if timing is None:
            return None
        cls, form = timing
        other = self._form_times.get(cls, {}).get("serial" if form == "parallel" else "parallel")
        if other is None:
            return None
        bound = other[0]
        slow: list[float] = []

        def timed(seconds: float) -> None:
            if seconds <= bound:
                if slow:
                    slow.clear()
                return
            if background.compiling() and self._set_aside(cls):  # (FORM_BESIDE_SKIPS; read on slow runs only)
                return
            slow.append(seconds)
            if len(slow) < 2 or entry.budget <= 1:
                return
            for t in slow:
                self._timed(cls, form, t)
            slow.clear()
            # (the hot path takes this call off the budget after this: the next call comes through run(); the
            # calls granted but not run do not count towards the next retest)
            calls, retest = self._form_calls.get(cls, (0, FORM_RETEST_AFTER))
            self._form_calls[cls] = (calls - (entry.budget - 1), retest)
            entry.budget = 1

        return timed

    def takes_flag(self, form: str) -> bool:
        """Whether ``form`` takes the trailing flag (and its runs copy the written arrays to restore them)."""
        return self.rollback is not None and not (form == "serial" and self.serial_raises)

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
            self._failed[call_signature(args)] = reason
            raise VariantFailed(reason) from None

    def _run_speculative(self, jitted: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        import numpy as np

        fail = np.zeros(1, dtype=np.int8)
        saved = self._snapshot(args, self.rollback, "a speculative run")
        try:
            result = self._call(jitted, args, (fail,))
        except LeftToOriginal as left:
            self._restore(saved, left.reason)
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

    def _run_undoable(self, jitted: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """A run whose helpers may leave the answer to the original (AmbiguousExtreme): the written arrays saved first."""
        saved = self._snapshot(args, self.undo, "the run")
        try:
            return self._call(jitted, args)
        except LeftToOriginal as left:
            self._restore(saved, left.reason)

    @staticmethod
    def _snapshot(args: tuple[Any, ...], names: Any, before: str) -> list[tuple[Any, Any]]:
        """Copies of the written arrays ``names`` before a run that may be undone; where there is no memory
        for them, VariantFailed (nothing ran: the original runs, and later calls of these types may try again)."""
        try:
            return snapshot(args, names or ())
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: nothing ran
            raise VariantFailed(f"the written arrays could not be copied before {before} ({type(exc).__name__})",
                                per_signature=False) from None

    def _restore(self, saved: list[tuple[Any, Any]], why: str | None = None) -> None:
        restore(saved)
        raise VariantRolledBack(
            f"{why} in {self.py_func.__name__}: its written arrays were restored" if why else
            f"a math call or an index read from data in a parallel loop of {self.py_func.__name__} would raise: "
            "its written arrays were restored"
        )


def _stand_in(entry: Any, arg: Any) -> Any:
    """A small value that Numba types as ``arg`` (described by its call_signature ``entry``), so that the
    background compile holds no reference to the caller's arrays; ``arg`` itself where none is known."""
    if isinstance(entry, tuple) and len(entry) == 5 and entry[0] is np.ndarray:
        _, dtype, ndim, layout, writeable = entry
        if ndim == 0:
            value = np.zeros((), dtype=dtype)
        elif layout == "A":  # neither C nor F contiguous: every other element of the last dimension
            value = np.zeros((2,) * (ndim - 1) + (4,), dtype=dtype)[..., ::2]
        else:
            value = np.zeros((2,) * ndim, dtype=dtype, order="F" if layout == "F" else "C")
        value.flags.writeable = bool(writeable)
        return value
    if entry in (int, float, complex, bool):
        return entry(0)
    if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], type) and issubclass(entry[0], np.generic):
        return entry[0](0)
    return arg


def _stand_ins(key: tuple[Any, ...], args: tuple[Any, ...] | None) -> tuple[Any, ...]:
    return tuple(_stand_in(entry, None if args is None else args[k]) for k, entry in enumerate(key))


def _renamed(fn: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    """A copy of fn under another name, so that Numba's on-disk cache keeps its compilations apart."""
    copy = types.FunctionType(fn.__code__.replace(co_name=fn.__name__ + suffix), fn.__globals__,
                              fn.__name__ + suffix, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__module__ = fn.__module__
    return copy
