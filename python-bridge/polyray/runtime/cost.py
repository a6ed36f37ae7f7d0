"""The cost model behind ``POLYRAY_TARGET=auto``: size classes, predictions, measurements.

One :class:`CostModel` per dispatcher. A call's *size class* is
``round(log2(total bytes of its array arguments + 1))``. Candidates are the
compiled variants that are available and that ``auto`` may pick (a GPU variant
on Numba's CUDA simulator is excluded). The original is the fallback, not a
candidate: it runs when no compiled variant can (see "original" below).

Per size class the model keeps, for each candidate, the fastest time measured
in a real call (one variant per call, on the caller's arguments: nothing ever
runs twice on the same arrays). A variant's first run in this dispatcher
compiles it (Numba, numba.cuda, Ray workers) and is not taken as a measurement.

Decision, for candidates in the order cpu, gpu, ray:

* one candidate: it runs ("auto: cpu variant");
* arguments already on a GPU (CuPy, device arrays) and gpu a candidate: gpu;
* otherwise the first candidate not yet measured in this size class and worth
  measuring runs (``measuring`` in the record). cpu is always worth it; gpu is
  when its prediction (copies + launch latency) beats the best time measured;
  ray only once a local time is known and its prediction (fixed overhead + the
  local time divided by the cluster's extra parallelism + bytes shipped) beats
  it; so tiny inputs never go to Ray;
* once every candidate worth measuring is measured: the fastest measured.

Never slower than the original (issue 18): where the original was timed on
copies of the arguments at that size class (speedup.py: its fastest of up to 5
runs), or ran anyway there for at least a millisecond (while the variant
compiled; ``POLYRAY_TIME_ORIGINAL_BELOW=0`` times nothing, and then nothing is
compared) and the chosen variant has run MIN_RUNS times there, the variant's
fastest time plus what a hot call of it costs beyond the form's own call (``check_seconds``:
the generated hot path's checks, lookups and record, timed with a form that does nothing)
must beat the original's, else the original runs for that size class ("auto:
original kept for size class 2^k bytes, the compiled code does not beat it
(original 0.3 us; cpu 0.2 us + 0.4 us of dispatch)"); the generated wrapper then runs
the original's body itself (hot.Kept), at the cost of one test. Tiny functions,
where the dispatch costs more than the work, go back to their original so.
Like with like (issue 18): the variant's runs that a background compile ran
beside are set aside (up to speedup.MAX_DEFERRED of them per size class: on two
cores the compiler takes one), as the original's are (speedup.py: at least two
runs, the first cold); the reason says what the original's figure rests on.
A clear loss (the variant's fastest of 2 runs, each of its forms run, at
CLEAR_LOSS times the original's or more) keeps the original at once, without
waiting for MIN_RUNS and the form trials; a clear win (the original's figure
at CLEAR_WIN times the variant's or more) settles on the variant without
waiting for MIN_RUNS (the form trials still run).

Each decision carries the timings and predictions it was based on, and why.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from . import environ
from .variants import Variant

#: Order in which auto measures candidates.
CANDIDATE_ORDER: Final = ("cpu", "gpu", "ray")

#: Runs of a variant in a size class before its fastest time is compared with the original's there.
MIN_RUNS: Final = 3
#: A variant's runs per size class set aside because a background compile ran beside them (observe).
MAX_BESIDE: Final = 8
#: A clear loss: where the variant's fastest of CLEAR_LOSS_RUNS runs or more (each of its forms run once at
#: least: CpuVariant.forms_tried) takes CLEAR_LOSS times the original's time or longer, auto keeps the original
#: without waiting for MIN_RUNS runs and the form trials (issue 18: NPBench M's correlation ran 72.8 s compiled
#: against 23 s three times more, covariance 15.5 s against 8.3 s; np.cov, floyd_warshall 1.6-1.8x). Warm
#: figures on both sides (speedup.py), so noise of 1.5x is unlikely; a closer call waits for the trials.
CLEAR_LOSS: Final = 1.5
CLEAR_LOSS_RUNS: Final = 2
#: A clear win: where the original's figure takes CLEAR_WIN times the variant's fastest (its dispatch included)
#: or longer, auto's choice settles without waiting for MIN_RUNS runs of the variant (issue 18: NPBench M's
#: cholesky, syr2k, syrk, symm and trmm ran their third call through the full path only to count a third run of
#: code 50-100x faster than the original). The same factor as speedup.DECISIVE_FACTOR, after which the original
#: is not timed again: the cold-vs-warm effect measured on the original is 3-4x at most (gesummv), and a
#: variant's fastest run is a warm one, so a warm original or more runs of the variant could not change it.
CLEAR_WIN: Final = 10.0

#: Ray: fixed cost of a call (scheduling, put/get round trips), seconds.
RAY_FIXED_SECONDS: Final = 0.02
#: Ray: cost per task, seconds.
RAY_TASK_SECONDS: Final = 0.003
#: Ray: seconds to start the embedded cluster or connect (added while not connected).
RAY_START_SECONDS: Final = 5.0
#: Bytes per second for the object store / network (ray) and host<->device copies (gpu).
RAY_BYTES_PER_SECOND: Final = 1.0e9
GPU_BYTES_PER_SECOND: Final = 1.0e10
#: GPU: fixed latency of a call (launches, synchronisation), seconds.
GPU_FIXED_SECONDS: Final = 5.0e-5


_cpus: int | None = None


def cpu_count() -> int:
    """``os.cpu_count() or 1``, asked once: a system call of about 2 us that auto's predictions made twice
    per call of a function with a Ray variant."""
    global _cpus
    if _cpus is None:
        _cpus = os.cpu_count() or 1
    return _cpus


def size_class(args: tuple[Any, ...]) -> tuple[int, int]:
    """(log2 class of the total array bytes, total bytes) of one call's arguments.

    Computed once per call by the dispatcher (a few hundred ns of its overhead)."""
    total = 0
    for a in args:
        t = type(a)
        if t is np.ndarray:  # the common case, without the getattr
            total += a.nbytes
            continue
        if t is int or t is float:
            continue
        nbytes = getattr(a, "nbytes", None)
        if nbytes is not None and not isinstance(a, (int, float, complex, bool)):
            try:
                total += int(nbytes)
            except (TypeError, ValueError):
                pass
    return int(round(math.log2(total + 1))), total


@dataclass
class Decision:
    """What auto runs for one call, and on what basis."""

    variant: str
    reason: str
    size_class: int | None = None
    measuring: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    predicted: dict[str, float] = field(default_factory=dict)

    def record_keys(self) -> dict[str, Any]:
        if self.size_class is None:
            return {}
        return {
            "size_class": self.size_class,
            "measuring": self.measuring,
            "timings": dict(self.timings),
            "predicted": {k: v for k, v in self.predicted.items() if math.isfinite(v)},
        }


def _fmt(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "inf"
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


_timing_allowed_setting = True


def set_timing_allowed(allowed: bool) -> None:
    """The extension's autoMayTime setting (POLYRAY_AUTO_TIMING in the environment wins)."""
    global _timing_allowed_setting
    _timing_allowed_setting = bool(allowed)


def timing_allowed() -> bool:
    """Whether auto may time candidate variants on real calls."""
    env = environ.get("POLYRAY_AUTO_TIMING")
    if env is not None:
        return env.strip().lower() not in ("0", "false", "no", "off")
    return _timing_allowed_setting


class CostModel:
    """Per-dispatcher measurements and the auto decision."""

    __slots__ = ("function", "_measured", "_warm", "_candidates", "_excluded", "_failed", "original_seconds",
                 "check_seconds", "_runs", "original_basis", "_beside")

    def __init__(self, function: str, original_seconds: Callable[[int], float | None] | None = None,
                 original_basis: Callable[[int], str] | None = None) -> None:
        self.function = function
        #: size class -> what original_seconds rests on, in words (speedup.SpeedupMeter.original_basis)
        self.original_basis = original_basis
        #: size class -> the variants' runs set aside there because a compile ran beside them
        self._beside: dict[int, int] = {}
        #: size class -> the original's fastest time there, or None (speedup.py's measurements): a compiled
        #: variant that does not beat it there gives way to the original ("never slower", issue 18)
        self.original_seconds = original_seconds
        #: what a hot call of a compiled form costs beyond the form's own call (Dispatcher._dispatch_cost)
        self.check_seconds = 0.0
        #: size class -> variant -> fastest measured seconds
        self._measured: dict[int, dict[str, float]] = {}
        #: size class -> variant -> measured runs (the comparison with the original waits for MIN_RUNS)
        self._runs: dict[int, dict[str, int]] = {}
        #: variants that have run once in this dispatcher (compiled)
        self._warm: set[str] = set()
        self._candidates: tuple[str, ...] | None = None
        self._excluded: dict[str, str] = {}
        #: size class -> variant -> why it failed there (not tried again in that class)
        self._failed: dict[int, dict[str, str]] = {}

    def reset(self) -> None:
        """Forget which variants are candidates (a variant failed: availability may have changed)."""
        self._candidates = None

    def settled(self, decision: Decision, sc: int, variants: Mapping[str, Variant]) -> bool:
        """Whether calls like ``decision``'s (at size class ``sc``) will be decided the same until something
        is measured anew: the candidates are known (none is still being looked into, as the GPU probe may
        be), nothing is being measured, and the comparison with the original is made or cannot be."""
        if self._candidates is None or decision.measuring:
            return False
        if decision.variant == "original" or self.original_seconds is None:
            return True
        if self.original_seconds(sc) is None:
            return True
        if self._runs.get(sc, {}).get(decision.variant, 0) < MIN_RUNS and not self.clear_win(decision.variant, sc):
            return False
        forms_settled = getattr(variants.get(decision.variant), "forms_settled", None)
        if forms_settled is not None and not forms_settled(sc):
            return False
        return self._original_wins(decision.variant, sc, "", variants) is None  # (this call's time may have changed it)

    def clear_win(self, name: str, sc: int) -> bool:
        """Whether ``name``'s fastest time at size class ``sc``, its dispatch included, beats the original's
        figure there by CLEAR_WIN times or more (then further runs of it need not be awaited)."""
        compiled = self._measured.get(sc, {}).get(name)
        original = self.original_seconds(sc) if self.original_seconds is not None else None
        return compiled is not None and original is not None and (compiled + self.check_seconds) * CLEAR_WIN <= original

    def measurements(self) -> dict[int, dict[str, float]]:
        return {k: dict(v) for k, v in self._measured.items()}

    def _candidate_list(self, variants: Mapping[str, Variant]) -> tuple[str, ...]:
        if self._candidates is None:
            out = []
            excluded: dict[str, str] = {}
            pending = False
            for name in CANDIDATE_ORDER:
                v = variants.get(name)
                if v is None:
                    continue
                # a variant still being looked into in the background (gpu: the CUDA probe) is left out
                # for this call, without waiting, and the list is computed again on the next one
                waiting = getattr(v, "pending_reason", None)
                why = waiting() if waiting is not None else None
                if why is not None:
                    excluded[name] = why
                    pending = True
                    continue
                problem = v.unavailable_reason()
                if problem is None:
                    exclusion = getattr(v, "auto_exclusion", None)
                    problem = exclusion() if exclusion is not None else None
                if problem is None:
                    out.append(name)
                    if getattr(v, "compiles_apart", False):
                        # it never compiles inside a run (CpuVariant: background.py, the wait not timed),
                        # so its first run is a measurement too
                        self._warm.add(name)
                else:
                    excluded[name] = problem
            self._excluded = excluded
            if pending:
                return tuple(out)
            self._candidates = tuple(out)
        return self._candidates

    def decide(self, args: tuple[Any, ...], variants: Mapping[str, Variant], note: str = "auto",
               sizes: tuple[int, int] | None = None) -> Decision:
        """The variant for this call; ``sizes``: ``size_class(args)`` when the caller has it already."""
        candidates = self._candidate_list(variants)
        if len(candidates) > 1 and not timing_allowed():
            return Decision(candidates[0], f"{note}: {candidates[0]} variant (timing candidates is off: "
                                           f"POLYRAY_AUTO_TIMING=0 or the extension's autoMayTime setting)")
        if not candidates:
            if self._excluded:
                why = "; ".join(f"{k} variant not available: {v}" for k, v in self._excluded.items())
            else:
                why = f"{self.function} has no compiled variant"
            return Decision("original", f"{note}: {why}")
        if len(candidates) == 1:
            if sizes is not None:
                slower = self._original_wins(candidates[0], sizes[0], note, variants)
                if slower is not None:
                    return slower
            reason = f"{note}: {candidates[0]} variant"
            if self._excluded:
                reason += "; not considered: " + "; ".join(f"{k}: {v}" for k, v in self._excluded.items())
            return Decision(candidates[0], reason)
        if "gpu" in candidates and any(_on_device(a) for a in args):
            return Decision("gpu", f"{note}: arguments are already on the GPU")
        sc, nbytes = sizes if sizes is not None else size_class(args)
        measured = self._measured.get(sc, {})
        best_local = min((measured[v] for v in ("cpu", "gpu") if v in measured), default=math.inf)
        predicted: dict[str, float] = {}
        skipped: list[str] = []
        failed = self._failed.get(sc, {})
        for name in candidates:
            if name in measured or name in failed:
                continue
            pred = self._predict(name, variants, measured, nbytes)
            predicted[name] = pred
            best = min(measured.values(), default=math.inf)
            if name == "cpu":
                worth = True
            elif name == "gpu":
                worth = pred < best
            else:  # ray: only against a known local time, and only when predicted to beat it
                worth = math.isfinite(best_local) and pred < best
            if worth:
                warm = name in self._warm
                what = "measuring" if warm else "first run (compiles; not a measurement yet)"
                basis = f"predicted {_fmt(pred)}" if math.isfinite(pred) else "no measurement yet"
                timings = ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(measured.items(), key=lambda kv: kv[1]))
                more = f"; measured: {timings}" if timings else ""
                return Decision(
                    name, f"{note}: {what} {name} for size class 2^{sc} bytes ({basis}{more})",
                    sc, True, dict(measured), predicted,
                )
            skipped.append(f"{name} predicted {_fmt(pred)}")
        if not measured:  # every candidate failed in this size class
            why = "; ".join(f"{k} failed: {v}" for k, v in failed.items())
            return Decision("original", f"{note}: {why}", sc, False, {}, predicted)
        fastest = min(measured, key=lambda k: (measured[k], CANDIDATE_ORDER.index(k)))
        slower = self._original_wins(fastest, sc, note, variants)
        if slower is not None:
            return slower
        ranked = ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(measured.items(), key=lambda kv: kv[1]))
        reason = f"{note}: {fastest} measured fastest for size class 2^{sc} bytes ({ranked})"
        if skipped:
            reason += f"; not measured, predicted slower: {', '.join(skipped)}"
        if failed:
            reason += f"; failed here before: {', '.join(failed)}"
        return Decision(fastest, reason, sc, False, dict(measured), predicted)

    def _original_wins(self, name: str, sc: int, note: str, variants: Mapping[str, Variant]) -> Decision | None:
        """The original's decision when the original is known to be at least as fast as ``name`` (measured,
        its checks included, its forms tried: CpuVariant.forms_settled) at size class ``sc``; None otherwise."""
        if self.original_seconds is None:
            return None
        compiled = self._measured.get(sc, {}).get(name)
        if compiled is None:
            return None
        original = self.original_seconds(sc)
        if original is None or compiled + self.check_seconds < original:
            return None
        runs = self._runs.get(sc, {}).get(name, 0)
        forms_settled = getattr(variants.get(name), "forms_settled", None)
        early = ""
        if runs < MIN_RUNS or (forms_settled is not None and not forms_settled(sc)):
            forms_tried = getattr(variants.get(name), "forms_tried", None)
            if (runs < CLEAR_LOSS_RUNS or compiled < CLEAR_LOSS * original
                    or (forms_tried is not None and not forms_tried(sc))):
                return None
            early = f"; a clear loss (over {CLEAR_LOSS:g}x): decided before the variant's trials end"
        checks = f" + {_fmt(self.check_seconds)} of dispatch" if self.check_seconds else ""
        basis = self.original_basis(sc) if self.original_basis is not None else ""
        return Decision(
            "original",
            f"{note}: original kept for size class 2^{sc} bytes, the compiled code does not beat it "
            f"(original {_fmt(original)}; {name} {_fmt(compiled)}{checks})"
            + (f"; the original's time: {basis}, {name}'s: fastest of {runs} runs" if basis else "") + early,
            sc, False, {name: compiled, "original": original}, {})

    def _predict(self, name: str, variants: Mapping[str, Variant], measured: Mapping[str, float],
                 nbytes: int) -> float:
        if name == "cpu":
            return math.inf
        if name == "gpu":
            return GPU_FIXED_SECONDS + 2.0 * nbytes / GPU_BYTES_PER_SECOND
        if name == "ray":
            local = measured.get("cpu")
            if local is None:
                return math.inf
            variant = variants[name]
            workers = getattr(variant, "parallelism", cpu_count)()
            # a prange CPU variant already uses this machine's cores
            cpu = variants.get("cpu")
            local_threads = cpu_count() if getattr(cpu, "parallel", False) else 1
            start = 0.0 if getattr(variant, "started", lambda: True)() else RAY_START_SECONDS
            speedup = max(1.0, workers / local_threads)
            return (start + RAY_FIXED_SECONDS + RAY_TASK_SECONDS * max(2, workers)
                    + local / speedup + 2.0 * nbytes / RAY_BYTES_PER_SECOND)
        return math.inf

    def failed(self, decision: Decision | None, variant: str, reason: str) -> None:
        """``variant`` could not run a call of ``decision``'s size class: not tried there again."""
        if decision is not None and decision.size_class is not None:
            self._failed.setdefault(decision.size_class, {})[variant] = reason

    def observe(self, decision: Decision | None, variant: str, seconds: float,
                args: tuple[Any, ...] | None = None, sizes: tuple[int, int] | None = None,
                beside_compile: bool = False) -> None:
        """Take the time of a successful run of ``variant``.

        ``decision`` None: a forced target (POLYRAY_TARGET=cpu...); its time
        counts too (size class from ``args``), it is a real call like any other.
        ``beside_compile``: a background compile ran beside it (background.compiled_since): set aside, up to
        MAX_BESIDE runs per size class (then counted: compiles that never end must not stop the comparison).
        """
        if variant not in self._warm:
            self._warm.add(variant)
            return  # first run compiled: not a measurement
        if decision is not None and decision.size_class is not None:
            sc = decision.size_class
        elif sizes is not None:
            sc = sizes[0]
        elif args is not None:
            sc = size_class(args)[0]
        else:
            return
        if beside_compile:
            aside = self._beside.get(sc, 0)
            if aside < MAX_BESIDE:
                self._beside[sc] = aside + 1
                return
        per = self._measured.setdefault(sc, {})
        runs = self._runs.setdefault(sc, {})
        runs[variant] = runs.get(variant, 0) + 1
        old = per.get(variant)
        if old is None or seconds < old:
            per[variant] = seconds


def _on_device(x: object) -> bool:
    if isinstance(x, np.ndarray) or isinstance(x, (int, float, complex, bool)):
        return False
    t = type(x)
    return hasattr(t, "__cuda_array_interface__") or getattr(t, "__cuda_ndarray__", False) is True
