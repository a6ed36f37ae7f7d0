"""The speedup over the original, measured per size class (issue 19).

``auto`` never runs the original once a variant exists, so the speedup people
came for was never known. Per dispatcher, a :class:`SpeedupMeter` keeps the
original's fastest time per size class (cost.py's classes) from the calls that
ran it anyway (while a variant compiled, a guard refused, ``POLYRAY_TARGET=original``)
and, where none is known, times the original once on a COPY of the arguments:

* only when the function is called again at that size class with a variant (a
  one-off call pays nothing), and never twice for the same class;
* only when predicted cheap: under :func:`original_timing_bound` seconds (the
  setting, ``POLYRAY_TIME_ORIGINAL_BELOW`` in the environment wins; 1 s by
  default). The prediction scales an original time known at another size class
  by the bytes (to the power 1.5: a matrix product's work grows that way with its
  operands), else multiplies the variant's time by the most compiled code was
  measured to gain over a function of the original's kind: LOOP_SPEEDUP where it
  runs Python loops (:func:`interpreted_loops`), ARRAY_SPEEDUP_PER_CORE times the
  cores where its work is whole-array NumPy calls, already compiled code. (One
  factor of 1000 for every function had predicted 58.8 s for a 0.6 s original.)
  The note says which basis it used;
* never on the caller's arrays: the copies are thrown away, and a copy that
  raises only leaves the speedup unknown, with the reason; copies of the
  values the caller passed, not of what the variant wrote (a function that
  writes its arrays has them copied before the variant runs: copies_due);
* an original under SHORT_SECONDS runs up to SHORT_RUNS times within that one
  timing (fresh copies each time) and its fastest run counts: auto compares it
  with the variant's (cost.py, "never slower"), and one run of a few
  microseconds is mostly noise;
* settled figures (issue 18): the timing on copies runs the original at least
  MIN_ORIGINAL_RUNS times (the first is cold: fresh copies, evicted caches,
  BLAS threads asleep), unless its first run took longer than the bound (the
  record says it rests on one run) or DECISIVE_FACTOR times the variant's
  (a warm run could not change auto's decision); where a background compile ran
  beside those runs (background.compiled_since: on two cores the compiler takes
  one) the speedup is reported and the copies are timed again on the first
  later call with no compile running (MAX_DEFERRED calls at most), auto's
  choice not settled until then; and calls that ran the original anyway count
  for auto only when no compile ran beside them and there are MIN_ORIGINAL_RUNS
  of them (else the copies are timed). :meth:`SpeedupMeter.original_basis`
  says what the figure auto compares rests on;
* fewer calls before auto settles (issue 18): a call that ran the original
  (while the variant compiled, say) and took RAN_DECISIVE_FACTOR times the
  variant's fastest in its thread's CPU seconds decides alone, at the variant's
  first call (its copies are not timed); a timing on copies that finds a tie
  (TIE_MARGIN) runs the original up to TIE_SAMPLES times at once, and a tie
  timed again later runs only the runs it lacks;
* copies only of what the original may write (issue 18): an array argument the
  variant does not write (its Param's ``written``: the compiler's analysis of the
  function) is given to the original's timed runs as a read-only view of the
  caller's array, not a copy (NumPy refuses a write to it before writing
  anything); should a run on such views raise, the analysis missed a write:
  the timing is made again on copies of every array, as are the meter's later
  ones. The record's ``original_copied_bytes`` counts the bytes copied.

Each variant run's record then carries ``speedup`` (original / fastest variant
time in that class), or ``speedup_note`` saying why there is none
("original not timed: predicted 40 s").
"""

from __future__ import annotations

import dis
import math
import types
from collections.abc import Callable
from time import perf_counter
from typing import Any, Final

import numpy as np

from . import environ
from .background import compile_mark, compiled_since
from .background import compiling as compiling_now
from .cost import cpu_count
from .variants import short_error

BOUND_ENV: Final = "POLYRAY_TIME_ORIGINAL_BELOW"
DEFAULT_BOUND_SECONDS: Final = 1.0
#: With no original time known at any size, the original's time is predicted as the variant's times the most
#: compiled code was measured to gain over a function of its kind, rounded up so that the prediction errs on
#: the slow side (the first-call tables of docs/benchmarks.md, 6 Dec, two cores, original / variant call):
#: - the original runs Python loops (interpreted_loops): up to 1,670x (PolyBench lu at SMALL; cholesky 1,300x,
#:   NPBench seidel_2d 328x), hence LOOP_SPEEDUP;
#: - its work is whole-array NumPy calls (no loop): up to 3.7x on two cores (NPBench compute; gemm, atax,
#:   arc_distance about 1x), hence ARRAY_SPEEDUP_PER_CORE times the cores a parallel variant may use (at least 2).
LOOP_SPEEDUP: Final = 2000.0
ARRAY_SPEEDUP_PER_CORE: Final = 2.0
#: Functions followed from the original through the names it calls (its helpers), at most.
MAX_FOLLOWED: Final = 32


def _is_loop_op(opname: str) -> bool:
    """A loop in CPython 3.11+ bytecode: FOR_ITER (for, comprehensions), or any jump backward (JUMP_BACKWARD;
    3.11's POP_JUMP_BACKWARD_IF_TRUE and the like close a while loop)."""
    return opname == "FOR_ITER" or "BACKWARD" in opname
#: How an original's time grows with its arguments' bytes when scaled from another size class.
SCALING_EXPONENT: Final = 1.5
#: Arguments bigger than this are not copied to time the original.
MAX_COPY_BYTES: Final = 1 << 30
#: An original that takes less than SHORT_SECONDS is timed up to SHORT_RUNS times (fresh copies each
#: time) and the fastest run kept: ``auto`` compares it with the variant's fastest (cost.py) to keep the
#: original where compiled code does not win, and one run of a microsecond is mostly noise.
SHORT_RUNS: Final = 5
SHORT_SECONDS: Final = 1e-3
#: The timing on copies stops after this many seconds of runs (at least one run). Its first run is cold (the
#: original's temporaries fault in fresh pages, the copies evict the caches) where the variant's time is the
#: fastest of many warm calls: stopping after 1 ms of runs, a 0.4 ms original was timed once, cold, at 1.5 ms,
#: and auto kept a variant that ran at 0.57x the original (bench/everyday's normalize_image).
TIMING_BUDGET_SECONDS: Final = 0.05
#: A tie, within TIE_MARGIN of the original's time, is settled on more than one run of the original: auto keeps
#: a variant whose fastest of many warm runs beats the original's (cost.py), and an original over
#: TIMING_BUDGET_SECONDS had one run, often cold, so a variant at 0.93x could beat it by noise alone (issue 18
#: asks for 0.95x at least; cholesky kept its variant at 57 ms against one 58 ms run). While the two are within
#: the margin and the original has fewer than TIE_SAMPLES runs at that size class, each later call of the
#: variant (the full path: the hot path's one call in 256) times it once more on copies; the fastest counts. A
#: timing on copies that finds a tie runs the original up to TIE_SAMPLES times at once (the copies at hand).
TIE_MARGIN: Final = 0.10
TIE_SAMPLES: Final = 3
#: The original's runs auto's "never slower" compares at least (issue 18): NPBench gesummv kept compiled loops at
#: 1.5-2.0 s against NumPy's 0.67 s because the original's one timed run, cold, was slower than they were.
MIN_ORIGINAL_RUNS: Final = 2
#: A first run of the original on copies over DECISIVE_FACTOR times the variant's fastest is not run again: a warm
#: run could not make it the faster (its cold first runs measured up to 3-4x a warm one: gesummv above).
DECISIVE_FACTOR: Final = 10.0
#: A call that ran the original on the caller's arguments (while the variant compiled, by default: issue 19) and took
#: RAN_DECISIVE_FACTOR times the variant's fastest time or more, counted in the CPU seconds of the thread that ran
#: it, decides "never slower" alone: its copies are not timed. CPU seconds, not wall ones: the machine's load (a
#: compile beside it, other processes) takes the cores away from a run but adds little to its own CPU time, so the
#: figure is not inflated by what slowed the call; a multi-threaded original (BLAS) counts its calling thread only,
#: which errs on the side of timing its copies. The margin covers what such a run has against a warm one: measured
#: at NPBench M (bench/npbench/settle_calls.py, 7 Dec, load 3-9), the CPU seconds of calls that ran the original
#: beside the compile were 0.94-1.51x those of warm calls with nothing beside them (cholesky 60-93 ms against 61,
#: syr2k 58-68 against 58-69, trmm 59-77 against 62, gesummv 42-54 against 44); cold first runs on copies took
#: up to 3-4x a warm one in wall time (gesummv, DECISIVE_FACTOR). 20x leaves 5x over the worst of these.
RAN_DECISIVE_FACTOR: Final = 20.0
#: Calls of the variant at a size class that wait for a background compile to end to time the original's copies
#: again, where their timing ran beside one (then its figure stands, and the record says so).
MAX_DEFERRED: Final = 8

_bound_setting = DEFAULT_BOUND_SECONDS


def set_original_timing_bound(seconds: float) -> None:
    """The setting: the original is timed on a copy only when predicted to take less (0: never)."""
    global _bound_setting
    _bound_setting = max(0.0, float(seconds))


def original_timing_bound() -> float:
    raw = environ.get(BOUND_ENV)
    if raw is not None and raw.strip():
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    return _bound_setting


def _unwrap(obj: Any) -> Any:
    """The Python function behind a dispatcher or a decorated function (its ``original``/``__wrapped__``)."""
    for _ in range(4):
        if isinstance(obj, types.FunctionType):
            return obj
        obj = getattr(obj, "original", None) or getattr(obj, "__wrapped__", None)
    return obj if isinstance(obj, types.FunctionType) else None


def interpreted_loops(fn: Any) -> bool:
    """Whether ``fn`` (or a nested function, a comprehension, or a function of its own module it calls by
    name, transitively: its helpers) has a loop in its bytecode: then its time is CPython interpreting each
    iteration, which compiled code beats by far more than it beats NumPy's own calls. A function whose code
    cannot be read counts as looping (the larger factor: the prediction errs on the slow side)."""
    first = _unwrap(fn)
    if first is None:
        return True
    module = first.__module__
    todo, seen = [first], {id(first)}
    while todo:
        f = todo.pop()
        codes = [f.__code__]
        while codes:
            code = codes.pop()
            if any(_is_loop_op(ins.opname) for ins in dis.get_instructions(code)):
                return True
            codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
            for name in code.co_names:
                callee = _unwrap(f.__globals__.get(name))
                if callee is not None and id(callee) not in seen and callee.__module__ == module \
                        and len(seen) < MAX_FOLLOWED:
                    seen.add(id(callee))
                    todo.append(callee)
    return False


def _read_only(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` that no write goes through (a NumPy write to it raises before writing anything)."""
    view = a.view()
    view.flags.writeable = False
    return view


def _refill(copies: tuple[Any, ...], args: tuple[Any, ...], viewed: frozenset[int] = frozenset()) -> tuple[Any, ...]:
    """The arguments' values again in the copies a run of the original may have written: copied into the same
    buffers, whose pages are mapped already (NPBench M's gesummv: a fresh 128 MiB copy took 0.6 s under load,
    three of them 1.8 s, more than the original's run), else (a copy reshaped or retyped) a fresh copy."""
    out = []
    for k, (copy, arg) in enumerate(zip(copies, args)):
        if k in viewed:
            pass  # a read-only view of an argument the original does not write (``viewed``): nothing to write back
        elif isinstance(arg, np.ndarray):
            if isinstance(copy, np.ndarray) and copy is not arg and copy.shape == arg.shape \
                    and copy.dtype == arg.dtype and copy.flags.writeable:
                np.copyto(copy, arg)
            else:
                copy = arg.copy(order="K")
        out.append(copy)
    return tuple(out)


def _fmt(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


class SpeedupMeter:
    """Original and variant times per size class of one dispatcher, and the timing on copies."""

    __slots__ = ("_original", "_variant", "_calls", "_tried", "_notes", "_on_copies", "_loops", "_samples",
                 "_quiet", "_deferred", "_basis", "_ran_cpu", "_decisive", "_views_failed")

    def __init__(self) -> None:
        #: size class -> (fastest original seconds, bytes of that call)
        self._original: dict[int, tuple[float, int]] = {}
        #: (variant, size class) -> fastest seconds
        self._variant: dict[tuple[str, int], float] = {}
        #: (variant, size class) -> calls
        self._calls: dict[tuple[str, int], int] = {}
        #: size classes where the original was timed on a copy, or judged too slow to: never again
        self._tried: set[int] = set()
        #: size class -> why the original has no time there
        self._notes: dict[int, str] = {}
        #: size class -> the original's fastest time on copies there (what auto compares variants with)
        self._on_copies: dict[int, float] = {}
        #: whether the original runs Python loops (interpreted_loops), asked once at the first prediction
        self._loops: bool | None = None
        #: size class -> how many runs of the original its fastest time is the fastest of (TIE_SAMPLES)
        self._samples: dict[int, int] = {}
        #: size class -> (fastest, count) of the calls that ran the original with no compile beside them
        self._quiet: dict[int, tuple[float, int]] = {}
        #: size class -> calls that waited for a background compile to end to time the copies again, where
        #: their timing ran beside one (absent: nothing to time again)
        self._deferred: dict[int, int] = {}
        #: size class -> what the original's time on copies rests on (original_basis)
        self._basis: dict[int, str] = {}
        #: size class -> the fewest CPU seconds of a call that ran the original there (RAN_DECISIVE_FACTOR)
        self._ran_cpu: dict[int, float] = {}
        #: size class -> the original's figure where one such call decided alone (RAN_DECISIVE_FACTOR)
        self._decisive: dict[int, float] = {}
        #: why the original's timed runs copy every array (a run on read-only views raised), or None
        self._views_failed: str | None = None

    def original_ran(self, sizes: tuple[int, int] | None, seconds: float, beside_compile: bool = False,
                     cpu_seconds: float | None = None) -> None:
        """A call ran the original (anyway) and returned: its time counts for the speedup, and for auto's
        comparison where no compile ran beside it (``beside_compile``: background.compiled_since); its calling
        thread's CPU seconds (``cpu_seconds``), for auto's comparison where they are decisive (RAN_DECISIVE_FACTOR)."""
        if sizes is None:
            return
        cls, nbytes = sizes
        if cpu_seconds is not None and cpu_seconds >= 0.0:
            self._ran_cpu[cls] = min(cpu_seconds, self._ran_cpu.get(cls, math.inf))
        old = self._original.get(cls)
        if old is None or seconds < old[0]:
            self._original[cls] = (seconds, nbytes)
        self._samples[cls] = self._samples.get(cls, 0) + 1
        if not beside_compile:
            best, count = self._quiet.get(cls, (math.inf, 0))
            self._quiet[cls] = (min(best, seconds), count + 1)

    def original_seconds(self, cls: int) -> float | None:
        """What auto compares the variants with at size class ``cls`` ("never slower"): the original's
        fastest time on copies there (MIN_ORIGINAL_RUNS runs at least, up to SHORT_RUNS), else its fastest
        run of at least SHORT_SECONDS in MIN_ORIGINAL_RUNS calls that ran it anyway with no compile beside
        them, else, where its copies could not be timed (predicted over the bound), its fastest run in any
        call that ran it anyway (while the variant compiled, by default): without that, a function whose
        original ran first was never compared. None where none of these is known, or where the bound is 0
        (nothing is compared then). :meth:`original_basis` says which it is."""
        on_copies = self._on_copies.get(cls)
        if on_copies is not None:
            return on_copies
        decisive = self._decisive.get(cls)
        if decisive is not None:
            return decisive
        if original_timing_bound() <= 0.0:
            return None
        quiet = self._quiet.get(cls)
        if quiet is not None and quiet[1] >= MIN_ORIGINAL_RUNS and quiet[0] >= SHORT_SECONDS:
            return quiet[0]
        ran = self._original.get(cls)
        if ran is None or ran[0] < SHORT_SECONDS or cls not in self._tried:
            return None  # (one run that short is mostly noise; one cold run beside a compile too: copies are timed)
        return ran[0]

    def original_basis(self, cls: int) -> str:
        """What :meth:`original_seconds` at ``cls`` rests on, in words ('' where it is None): the run records
        and auto's reasons say so where a decision is made on fewer runs than MIN_ORIGINAL_RUNS or beside a
        compile."""
        if self.original_seconds(cls) is None:
            return ""
        basis = self._basis.get(cls)
        if basis is not None:
            return basis
        quiet = self._quiet.get(cls)
        if quiet is not None and quiet[1] >= MIN_ORIGINAL_RUNS and quiet[0] >= SHORT_SECONDS:
            return f"fastest of {quiet[1]} calls that ran it"
        note = self._notes.get(cls, "its copies were not timed")
        return f"few figures: the fastest of {self._samples.get(cls, 0)} calls that ran it, a compile beside some ({note})"

    def settled(self, cls: int) -> bool:
        """Whether nothing is left to measure about the original at ``cls`` (timed, judged not to be, or
        nothing is compared: the bound is 0); not while its copies wait to be timed again without a compile
        beside them."""
        if cls in self._deferred:
            return False
        return cls in self._tried or self.original_seconds(cls) is not None or original_timing_bound() <= 0.0

    def predict(self, nbytes: int, variant_seconds: float, loops: bool = True) -> float:
        """The original's predicted time for arguments of ``nbytes`` bytes (``loops``: whether it runs Python
        loops, :func:`interpreted_loops`)."""
        return self._predict(nbytes, variant_seconds, loops)[0]

    def _predict(self, nbytes: int, variant_seconds: float, loops: bool) -> tuple[float, str]:
        """The prediction and its basis, as the note says it."""
        known = [(abs(math.log2(b + 1) - math.log2(nbytes + 1)), t, b) for t, b in self._original.values()]
        if known:
            _, t, b = min(known)
            return (t * ((nbytes + 1) / (b + 1)) ** SCALING_EXPONENT,
                    f"its {_fmt(t)} at {b / 2**20:.3g} MiB scaled by the bytes to the power {SCALING_EXPONENT:g}")
        if loops:
            return (variant_seconds * LOOP_SPEEDUP,
                    f"the variant's {_fmt(variant_seconds)} x {LOOP_SPEEDUP:g}, the most compiled code was measured"
                    " to gain over Python loops")
        factor = ARRAY_SPEEDUP_PER_CORE * max(2, cpu_count())
        return (variant_seconds * factor,
                f"the variant's {_fmt(variant_seconds)} x {factor:g}, the most compiled code was measured to gain"
                f" over NumPy calls without a loop ({ARRAY_SPEEDUP_PER_CORE:g} per core)")

    def copies_due(self, variant: str, sizes: tuple[int, int] | None) -> bool:
        """Whether :meth:`variant_ran`, after this call of ``variant``, may time the original on copies of the
        call's arguments. A function that writes its arguments then has them copied before the variant runs
        (Dispatcher._pristine): the original is timed on the caller's inputs, not on the variant's outputs
        (issue 18: NPBench cholesky2's output is not positive definite, the original raised on it, was never
        timed, and auto kept compiled code at 0.70x NumPy). The same branches as variant_ran, on the state
        before the call; where this call's time brings a tie that was not one before, the next call times it."""
        if sizes is None:
            return False
        cls, nbytes = sizes
        best = self._variant.get((variant, cls))
        if self.original_seconds(cls) is None and cls not in self._tried:
            decided = best is not None and self._ran_cpu.get(cls, 0.0) >= RAN_DECISIVE_FACTOR * best > 0.0
            return (self._calls.get((variant, cls), 0) >= 1 and not decided and nbytes <= MAX_COPY_BYTES
                    and original_timing_bound() > 0.0)
        if cls in self._deferred:
            return not compiling_now()
        return best is not None and self._a_tie_to_settle(cls, best)

    def variant_ran(self, variant: str, sizes: tuple[int, int] | None, seconds: float,
                    original: Callable[..., Any], args: tuple[Any, ...] | None,
                    written: tuple[bool, ...] | None = None) -> dict[str, Any]:
        """A variant ran ``args`` in ``seconds``: the record keys (speedup or why not, and what the original's
        figure rests on), after timing the original on copies of ``args`` if this is the class's second call
        (or a later one, where a compile ran then), it is predicted cheap, and no compile runs now. ``args``:
        the arguments as the caller passed them (copied before the run where the function writes them:
        :meth:`copies_due`); None where they were written and not copied: no timing on copies then, a later
        call makes it. ``written``: per argument, whether the variant may write it (None: unknown, every array
        is copied)."""
        if sizes is None:
            return {}
        cls, nbytes = sizes
        key = (variant, cls)
        best = min(seconds, self._variant.get(key, math.inf))
        self._variant[key] = best
        calls = self._calls.get(key, 0) + 1
        self._calls[key] = calls
        extra: dict[str, Any] = {}
        deferred = self._deferred.get(cls)
        if self.original_seconds(cls) is None and cls not in self._tried and self._ran_decisive(cls, best):
            self._tried.add(cls)  # (its copies are not timed: a call that ran it decided)
        elif self.original_seconds(cls) is None and cls not in self._tried and calls >= 2:
            self._tried.add(cls)
            timed = self._time_original(cls, nbytes, best, original, args, written=written)
            if timed is None:  # (the arguments were written and not copied before the run: the next call)
                self._tried.discard(cls)
            extra = timed or {}
        elif deferred is not None:  # timed beside a compile: again once none runs
            if not compiling_now():
                del self._deferred[cls]
                timed = self._time_original(cls, nbytes, best, original, args, written=written)
                if timed is None:
                    self._deferred[cls] = deferred
                extra = timed or {}
            elif deferred + 1 >= MAX_DEFERRED:
                del self._deferred[cls]
                self._basis[cls] += f" (no call without one in {MAX_DEFERRED})"
            else:
                self._deferred[cls] = deferred + 1
        elif self._a_tie_to_settle(cls, best):
            extra = self._time_original(cls, nbytes, best, original, args, tie=True, written=written) or {}
        measured = self._original.get(cls)
        if measured is not None and best > 0.0:
            extra["speedup"] = measured[0] / best
            basis = self.original_basis(cls)
            if basis:
                extra["original_basis"] = basis
        else:
            extra["speedup_note"] = self._notes.get(cls, "original not timed yet at this size (on the next call)")
        return extra

    def _ran_decisive(self, cls: int, variant_seconds: float) -> bool:
        """Whether a call that ran the original at ``cls`` took RAN_DECISIVE_FACTOR times ``variant_seconds`` or
        more of its thread's CPU time: then that figure is the original's there (what auto compares), and the
        record says it rests on one such run. Not where the bound is 0 (nothing is compared then)."""
        ran = self._ran_cpu.get(cls)
        if ran is None or variant_seconds <= 0.0 or ran < RAN_DECISIVE_FACTOR * variant_seconds \
                or original_timing_bound() <= 0.0:
            return False
        self._decisive[cls] = ran
        self._basis[cls] = (f"one call that ran it ({_fmt(ran)} of CPU, over {RAN_DECISIVE_FACTOR:g}x the variant's:"
                            " its copies were not timed)")
        return True

    def _a_tie_to_settle(self, cls: int, variant_seconds: float) -> bool:
        """Whether the original's time at ``cls`` is within TIE_MARGIN of the variant's and rests on fewer
        than TIE_SAMPLES runs (see TIE_MARGIN), and the original is under the timing bound."""
        original = self.original_seconds(cls)
        return (original is not None and self._samples.get(cls, 0) < TIE_SAMPLES
                and abs(variant_seconds - original) <= TIE_MARGIN * original
                and original <= original_timing_bound())

    def _a_tie_to_time(self, cls: int, original: float, variant_seconds: float, bound: float) -> bool:
        """Whether a timing on copies that found the original's fastest run (``original``) within TIE_MARGIN of
        the variant's runs once more while the copies are at hand: the tie is settled on TIE_SAMPLES runs
        (_a_tie_to_settle) in this one call, not on a later call that copies the arguments again."""
        return (self._samples.get(cls, 0) < TIE_SAMPLES and original <= bound
                and abs(variant_seconds - original) <= TIE_MARGIN * original)

    def forced_ran(self, variant: str, sizes: tuple[int, int] | None, seconds: float) -> dict[str, Any]:
        """A forced target's variant ran (no extra run of the original for it): the speedup where calls that
        ran the original anyway timed it at this size class, else why there is none."""
        if sizes is None:
            return {}
        key = (variant, sizes[0])
        best = min(seconds, self._variant.get(key, math.inf))
        self._variant[key] = best
        measured = self._original.get(sizes[0])
        if measured is not None and best > 0.0:
            return {"speedup": measured[0] / best}
        return {"speedup_note": f"original not timed: {variant} is a forced target (only auto times the original)"}

    def _time_original(self, cls: int, nbytes: int, variant_seconds: float,
                       original: Callable[..., Any], args: tuple[Any, ...] | None,
                       tie: bool = False,
                       written: tuple[bool, ...] | None = None) -> dict[str, Any] | None:
        """Time the original on copies of ``args`` (``tie``: again, a tie to settle: _a_tie_to_settle); None
        where it would but ``args`` is None (the caller's arguments are gone: variant_ran); read-only views of
        the arrays ``written`` says it does not write (the module's docstring)."""
        bound = original_timing_bound()
        if self._loops is None and not self._original:
            self._loops = interpreted_loops(original)
        predicted, basis = self._predict(nbytes, variant_seconds, self._loops is not False)
        if predicted > bound:
            self._notes[cls] = f"original not timed: predicted {_fmt(predicted)} from {basis} (bound {_fmt(bound)})"
            return {}
        if nbytes > MAX_COPY_BYTES:
            self._notes[cls] = f"original not timed: its arguments ({nbytes / 2**20:.0f} MiB) are too big to copy"
            return {}
        if args is None:
            return None
        if written is not None and (len(written) != len(args) or self._views_failed is not None):
            written = None
        try:
            copies = tuple((_read_only(a) if written is not None and not written[k] else a.copy(order="K"))
                           if isinstance(a, np.ndarray) else a for k, a in enumerate(args))
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: no timing
            self._notes[cls] = f"original not timed: the arguments could not be copied ({short_error(exc)})"
            return {}
        viewed = frozenset(k for k, a in enumerate(args) if isinstance(a, np.ndarray) and written is not None
                           and not written[k])
        copied = sum(int(a.nbytes) for k, a in enumerate(args) if isinstance(a, np.ndarray) and k not in viewed)
        before = self.original_seconds(cls)  # what auto compared with so far (a tie timed again)
        # the runs this timing makes at least: MIN_ORIGINAL_RUNS the first time; a tie timed again only those that
        # bring the original's runs to TIE_SAMPLES (NPBench M's gemm ran 2 s originals twice more for one figure)
        least = max(1, TIE_SAMPLES - self._samples.get(cls, 0)) if tie else MIN_ORIGINAL_RUNS
        elapsed = math.inf
        spent = 0.0
        runs = 0
        why_one = ""
        mark = compile_mark()
        for run in range(SHORT_RUNS):
            if run:  # again on fresh copies (made before the timer): the first run is cold, a short one noise
                if run >= least and spent > TIMING_BUDGET_SECONDS and not self._a_tie_to_time(
                        cls, elapsed, variant_seconds, bound):
                    break
                if run == 1 and elapsed > bound:  # (what the bound allows is what the first run measured)
                    why_one = f"a second run is over the bound ({_fmt(elapsed)} > {_fmt(bound)})"
                    break
                if run == 1 and elapsed >= max(SHORT_SECONDS, DECISIVE_FACTOR * variant_seconds):
                    why_one = f"{_fmt(elapsed)}, over {DECISIVE_FACTOR:g}x the variant's: a warm run would not change auto's choice"
                    break
                copies = _refill(copies, args, viewed)
            self._samples[cls] = self._samples.get(cls, 0) + 1  # (before: a run that raises counts too)
            start = perf_counter()
            try:
                original(*copies)
            except Exception as exc:  # noqa: BLE001 - the copy is thrown away; the speedup stays unknown
                if viewed:  # a write the analysis missed (or the view itself): every array copied from now on
                    self._samples[cls] -= 1
                    self._views_failed = f"a run on read-only views raised ({short_error(exc)})"
                    return self._time_original(cls, nbytes, variant_seconds, original, args, tie)
                self._notes[cls] = f"original not timed: it raised on the copy ({short_error(exc)})"
                return {}
            seconds = perf_counter() - start
            runs += 1
            elapsed = min(elapsed, seconds)
            spent += seconds
        old = self._original.get(cls)  # (a tie timed again: the fastest of every run counts)
        if old is None or elapsed < old[0]:
            self._original[cls] = (elapsed, nbytes)
        self._on_copies[cls] = elapsed if before is None else min(elapsed, before)
        basis = f"fastest of {self._samples.get(cls, runs)} runs" if before is not None else f"fastest of {runs} runs on copies"
        if runs < MIN_ORIGINAL_RUNS:  # (a decisive first run is enough; one over the bound is few figures)
            basis = ("" if "a warm run would not" in why_one else "few figures: ") + f"one run on copies ({why_one})"
        if compiled_since(mark):
            basis = ("few figures: " if not basis.startswith("few") else "") + basis + ", a compile running beside"
            if cls not in self._basis:  # (the first timing: again once no compile runs; the second's figure stands)
                self._deferred[cls] = 0
        self._basis[cls] = basis
        return {"original_timed_seconds": elapsed, "original_runs": runs, "original_copied_bytes": copied}
