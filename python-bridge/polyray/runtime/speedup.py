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
  raises only leaves the speedup unknown, with the reason;
* an original under SHORT_SECONDS runs up to SHORT_RUNS times within that one
  timing (fresh copies each time) and its fastest run counts: auto compares it
  with the variant's (cost.py, "never slower"), and one run of a few
  microseconds is mostly noise.

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
#: variant (the full path: the hot path's one call in 256) times it once more on copies; the fastest counts.
TIE_MARGIN: Final = 0.10
TIE_SAMPLES: Final = 3

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


def _fmt(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


class SpeedupMeter:
    """Original and variant times per size class of one dispatcher, and the timing on copies."""

    __slots__ = ("_original", "_variant", "_calls", "_tried", "_notes", "_on_copies", "_loops", "_samples")

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

    def original_ran(self, sizes: tuple[int, int] | None, seconds: float) -> None:
        """A call ran the original (anyway) and returned: its time counts."""
        if sizes is None:
            return
        cls, nbytes = sizes
        old = self._original.get(cls)
        if old is None or seconds < old[0]:
            self._original[cls] = (seconds, nbytes)
        self._samples[cls] = self._samples.get(cls, 0) + 1

    def original_seconds(self, cls: int) -> float | None:
        """What auto compares the variants with at size class ``cls`` ("never slower"): the original's
        fastest time on copies there (up to SHORT_RUNS runs), else its fastest run of at least
        SHORT_SECONDS in calls that ran it anyway (while the variant compiled, by default): without the
        latter, a function whose original ran first was never compared, its copies never timed, and a
        variant predicted over the bound / ASSUMED_SPEEDUP never either. None where neither is known, or
        where the bound is 0 (nothing is compared then)."""
        on_copies = self._on_copies.get(cls)
        if on_copies is not None:
            return on_copies
        ran = self._original.get(cls)
        if ran is None or ran[0] < SHORT_SECONDS or original_timing_bound() <= 0.0:
            return None  # (one run that short is mostly noise: its copies are timed instead)
        return ran[0]

    def settled(self, cls: int) -> bool:
        """Whether nothing is left to measure about the original at ``cls`` (timed, or judged not to be)."""
        return cls in self._original or cls in self._tried

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

    def variant_ran(self, variant: str, sizes: tuple[int, int] | None, seconds: float,
                    original: Callable[..., Any], args: tuple[Any, ...]) -> dict[str, Any]:
        """A variant ran ``args`` in ``seconds``: the record keys (speedup or why not), after timing the
        original on copies of ``args`` if this is the class's second call and it is predicted cheap."""
        if sizes is None:
            return {}
        cls, nbytes = sizes
        key = (variant, cls)
        best = min(seconds, self._variant.get(key, math.inf))
        self._variant[key] = best
        calls = self._calls.get(key, 0) + 1
        self._calls[key] = calls
        extra: dict[str, Any] = {}
        if self.original_seconds(cls) is None and cls not in self._tried and calls >= 2:
            self._tried.add(cls)
            extra = self._time_original(cls, nbytes, best, original, args)
        elif self._a_tie_to_settle(cls, best):
            extra = self._time_original(cls, nbytes, best, original, args)
        measured = self._original.get(cls)
        if measured is not None and best > 0.0:
            extra["speedup"] = measured[0] / best
        else:
            extra["speedup_note"] = self._notes.get(cls, "original not timed yet at this size (on the next call)")
        return extra

    def _a_tie_to_settle(self, cls: int, variant_seconds: float) -> bool:
        """Whether the original's time at ``cls`` is within TIE_MARGIN of the variant's and rests on fewer
        than TIE_SAMPLES runs (see TIE_MARGIN), and the original is under the timing bound."""
        original = self.original_seconds(cls)
        return (original is not None and self._samples.get(cls, 0) < TIE_SAMPLES
                and abs(variant_seconds - original) <= TIE_MARGIN * original
                and original <= original_timing_bound())

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
                       original: Callable[..., Any], args: tuple[Any, ...]) -> dict[str, Any]:
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
        try:
            copies = tuple(a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args)
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: no timing
            self._notes[cls] = f"original not timed: the arguments could not be copied ({short_error(exc)})"
            return {}
        before = self.original_seconds(cls)  # what auto compared with so far (a tie timed again)
        elapsed = math.inf
        spent = 0.0
        for run in range(SHORT_RUNS):
            if run:  # again on fresh copies: one short run is mostly noise (a cold cache, an interruption)
                copies = tuple(a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args)
            self._samples[cls] = self._samples.get(cls, 0) + 1  # (before: a run that raises counts too)
            start = perf_counter()
            try:
                original(*copies)
            except Exception as exc:  # noqa: BLE001 - the copy is thrown away; the speedup stays unknown
                self._notes[cls] = f"original not timed: it raised on the copy ({short_error(exc)})"
                return {}
            seconds = perf_counter() - start
            elapsed = min(elapsed, seconds)
            spent += seconds
            if spent > TIMING_BUDGET_SECONDS:
                break
        old = self._original.get(cls)  # (a tie timed again: the fastest of every run counts)
        if old is None or elapsed < old[0]:
            self._original[cls] = (elapsed, nbytes)
        self._on_copies[cls] = elapsed if before is None else min(elapsed, before)
        return {"original_timed_seconds": elapsed}
