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
  operands), else assumes the variant is at most ASSUMED_SPEEDUP times faster;
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

import math
from collections.abc import Callable
from time import perf_counter
from typing import Any, Final

import numpy as np

from . import environ
from .variants import short_error

BOUND_ENV: Final = "POLYRAY_TIME_ORIGINAL_BELOW"
DEFAULT_BOUND_SECONDS: Final = 1.0
#: With no original time known at any size: the most a variant is assumed to beat the original by
#: (compiled, parallel loops against CPython's bytecode), so that the prediction errs on the slow side.
ASSUMED_SPEEDUP: Final = 1000.0
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


def _fmt(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


class SpeedupMeter:
    """Original and variant times per size class of one dispatcher, and the timing on copies."""

    __slots__ = ("_original", "_variant", "_calls", "_tried", "_notes", "_on_copies")

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

    def original_ran(self, sizes: tuple[int, int] | None, seconds: float) -> None:
        """A call ran the original (anyway) and returned: its time counts."""
        if sizes is None:
            return
        cls, nbytes = sizes
        old = self._original.get(cls)
        if old is None or seconds < old[0]:
            self._original[cls] = (seconds, nbytes)

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

    def predict(self, nbytes: int, variant_seconds: float) -> float:
        """The original's predicted time for arguments of ``nbytes`` bytes."""
        known = [(abs(math.log2(b + 1) - math.log2(nbytes + 1)), t, b) for t, b in self._original.values()]
        if known:
            _, t, b = min(known)
            return t * ((nbytes + 1) / (b + 1)) ** SCALING_EXPONENT
        return variant_seconds * ASSUMED_SPEEDUP

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
        measured = self._original.get(cls)
        if measured is not None and best > 0.0:
            extra["speedup"] = measured[0] / best
        else:
            extra["speedup_note"] = self._notes.get(cls, "original not timed yet at this size (on the next call)")
        return extra

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
        predicted = self.predict(nbytes, variant_seconds)
        if predicted > bound:
            self._notes[cls] = f"original not timed: predicted {_fmt(predicted)} (bound {_fmt(bound)})"
            return {}
        if nbytes > MAX_COPY_BYTES:
            self._notes[cls] = f"original not timed: its arguments ({nbytes / 2**20:.0f} MiB) are too big to copy"
            return {}
        try:
            copies = tuple(a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args)
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: no timing
            self._notes[cls] = f"original not timed: the arguments could not be copied ({short_error(exc)})"
            return {}
        elapsed = math.inf
        spent = 0.0
        for run in range(SHORT_RUNS):
            if run:  # again on fresh copies: one short run is mostly noise (a cold cache, an interruption)
                copies = tuple(a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args)
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
        self._original[cls] = (elapsed, nbytes)
        self._on_copies[cls] = elapsed
        return {"original_timed_seconds": elapsed}
