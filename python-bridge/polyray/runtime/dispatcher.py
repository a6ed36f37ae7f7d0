"""The dispatcher behind each accelerated function of a generated module."""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from time import perf_counter, thread_time
from typing import Any, Final

import numpy as np

from .. import cluster as _cluster
from . import history as _history
from . import environ as _environ
from . import hot as _hot
from . import hot_entry as _hot_entry
from .background import compile_mark as _compile_mark
from .background import compiled_since as _compiled_since
from .background import open_gates as _open_gates
from .background import register_call as _register_call
from .choice import TARGETS, Choice, choose
from .cost import CostModel, Decision, size_class
from .cpu import CpuVariant
from .gpu import device_stand_ins
from .guards import ArgumentGuard, GeneratedGuard
from .jitting import HotMiss
from .params import Param
from .speedup import SpeedupMeter
from .variants import VARIANT_NAMES, Variant, VariantCompiling, VariantFailed, VariantRolledBack, call_signature
from .variants import short_error as _short  # one wording of errors in run records

RETURN_KINDS: Final = ("none", "float", "int", "complex", "bool", "array", "any")

TARGET_ENV: Final = "POLYRAY_TARGET"



_MISSING = object()

class Dispatcher:
    """Runs one accelerated function: picks a variant, checks, runs, records.

    Called positionally with the function's arguments, it

    1. reads POLYRAY_TARGET (auto|original|cpu|gpu|ray) and picks a variant
       (:func:`polyray.runtime.choice.choose`);
    2. for a compiled variant, checks the arguments (types, dtypes, ranks,
       writeability, aliasing of written arrays, the generated guard) and runs
       the original instead when one fails;
    3. runs it; a compiled variant that cannot run these arguments (it
       raises :class:`VariantFailed`: a Numba typing or compile failure, an
       unreadable cache entry, a missing or broken backend package, a failed
       CUDA launch, a Ray failure before any write) falls back to the
       original, and is not tried again for arguments of the same types
       (:func:`polyray.runtime.variants.call_signature`); a forced target
       whose Ray cluster is unreachable also runs the original, with a
       RuntimeWarning naming the address. What the variant's code raises while running is the user's
       exception (the original raises it too) and propagates unchanged. A
       failure inside the dispatcher itself (choosing, checking) runs the
       original;
    4. appends a run record to :func:`polyray.runtime.history`.

    A call like a recent one (the same size class, argument kinds and
    environment, where auto's choice has settled) takes the hot path instead
    (:mod:`polyray.runtime.hot`): the same checks but for what Numba's own
    dispatcher checks, no cost model, one shared record (``hot: True``).

    With ``auto`` (and an unknown POLYRAY_TARGET) the choice is the cost
    model's (:class:`polyray.runtime.cost.CostModel`), per size class of the
    arguments, refined by the times of earlier calls; its records carry
    ``size_class``, ``measuring``, ``timings`` and ``predicted``.

    Variants may have ``bind(function, params)`` (called here, at
    construction, so they can map parameter names to positions) and
    ``take_extra()`` (extra run-record keys of their last run, e.g. ``nodes``
    for ray, ``gpu_seconds_kernels`` for gpu). For the gpu variant, arguments
    already on a device (``__cuda_array_interface__``) pass the argument
    checks when their dtype and ndim fit (:func:`polyray.runtime.gpu.device_stand_ins`).
    """

    __slots__ = ("name", "original", "params", "_written", "variants", "returns", "_guard", "_record", "_choices", "_cost",
                 "_cluster_state", "_failed", "_speed", "constants", "_result", "_hot", "_fast", "_count", "_check",
                 "_check_cost", "_fusion", "keep", "_enter", "_miss", "_strict", "_body", "__weakref__")

    def __init__(
        self,
        name: str,
        original: Callable[..., Any],
        params: Sequence[Param],
        variants: Mapping[str, Variant] | None = None,
        guard: GeneratedGuard | None = None,
        returns: str = "any",
        constants: Mapping[str, object] | None = None,
        result: Callable[[Any], Any] | None = None,
        enter: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Dispatcher: name must be a non-empty string, got {name!r}")
        if not callable(original):
            raise TypeError(f"Dispatcher {name!r}: original must be callable, got {type(original).__name__}")
        params = tuple(params)
        for p in params:
            if not isinstance(p, Param):
                raise TypeError(f"Dispatcher {name!r}: params must be Param objects, got {type(p).__name__}")
        names = [p.name for p in params]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"Dispatcher {name!r}: duplicate parameter names {duplicates}")
        variants = dict(variants or {})
        for key, variant in variants.items():
            if key not in VARIANT_NAMES:
                raise ValueError(
                    f"Dispatcher {name!r}: variant names must be among {', '.join(VARIANT_NAMES)}, got {key!r}"
                )
            if not isinstance(variant, Variant):
                raise TypeError(
                    f"Dispatcher {name!r}: variant {key!r} must have run() and unavailable_reason(), "
                    f"got {type(variant).__name__}"
                )
        if returns not in RETURN_KINDS:
            raise ValueError(
                f"Dispatcher {name!r}: returns must be one of {', '.join(RETURN_KINDS)}, got {returns!r}"
            )
        self.name = name
        self.original = original
        self.params: tuple[Param, ...] = params
        #: per parameter, whether the variants may write it: the original's timed runs copy only those (speedup.py)
        self._written: tuple[bool, ...] = tuple(p.written for p in params)
        self.variants: dict[str, Variant] = variants
        self.returns = returns
        # module-level constants frozen into the variants (name -> value when compiled): a call runs a
        # variant only while the original's module binds each name to that value, of that type
        self.constants: tuple[tuple[str, object], ...] = tuple((constants or {}).items())
        # gives a variant's result the original's types (Numba returns Python numbers where the
        # original returns NumPy scalars); never applied to the original's own result, which may
        # come from other argument types than the variants were compiled for
        if result is not None and not callable(result):
            raise TypeError(f"Dispatcher {name!r}: result must be callable, got {type(result).__name__}")
        self._result = result
        self._guard = ArgumentGuard(name, params, guard)
        self._record = _history.record
        # requested target -> Choice; cleared whenever a variant reports a failure
        # (the only event that changes a variant's availability)
        self._choices: dict[str, Choice] = {}
        # the speedup over the original per size class, the original timed on copies (speedup.py)
        self._speed = SpeedupMeter()
        # auto: per size class, the compiled candidates' times, and the original's (never slower, issue 18)
        self._cost = CostModel(name, self._speed.original_seconds, self._speed.original_basis)
        # the hot path (hot.py): size class -> the decision a recent call there settled on
        self._hot: dict[int, _hot.Entry] = {}
        self._count = len(params)
        # the generated hot path and its argument check, built when the first call settles (_settle)
        self._fast: Callable[..., Any] | None = None
        self._check: Callable[..., bool] | None = None
        self._check_cost: float | None = None
        # the hot path's checks compiled into the call (hot_entry.py), built with the generated hot path
        self._fusion: _hot_entry.Fusion | None = None
        # where the generated wrapper runs the original's body itself (hot.Kept; codegen/dispatcher.ts)
        self.keep = _hot.Kept(original, name)
        # the original whose body the generated wrapper holds: the wrapper may run that copy only while it is
        # still the original. The decorator and the magic replace the original with the user's own function
        # (profiling.adopt_original), whose globals are the user's module or notebook, not the generated
        # module's: a constant rebound there, or a helper, must be seen, so those calls go through the dispatcher.
        # (The copy stays, not a call of the original from the wrapper: that call adds a frame, 16-17 ns per kept
        # call, 1.19x on a 0.09 us function: bench/kept_body.py; codegen/dispatcher.ts emitWrapper)
        self._body = original
        # the module global the generated wrapper calls (bound to this dispatcher): rebound to the generated
        # hot path once there is one, so that a call enters it without this object's __call__ slot
        self._enter = enter if isinstance(enter, str) and enter else None
        # where a caller compiled this dispatcher for one signature of its own (miss_for): its test that a
        # call's arguments belong to another one, and the params it keys on
        self._miss: tuple[Callable[[tuple[Any, ...]], bool], Callable[..., Any]] | None = None
        self._strict: frozenset[str] = frozenset()
        _LIVE.add(self)
        # variant -> call_signature(args) -> why it failed to prepare or launch for those types
        self._failed: dict[str, dict[tuple[Any, ...], str]] = {}
        # with a ray variant: the cluster state auto's candidates were computed for (see __call__)
        self._cluster_state: tuple[Any, ...] | None = () if "ray" in variants else None
        for variant in variants.values():
            bind = getattr(variant, "bind", None)
            if bind is not None:
                bind(name, params)

    def miss_for(self, names: Sequence[str], foreign: Callable[[tuple[Any, ...]], bool],
                 passed: Callable[..., Any]) -> None:
        """For a caller that compiled this dispatcher for one signature of its own (``@parallelize``: the types
        of ``names``' arguments) and sends it calls without testing their arguments (issue 18): from now on a
        call that ``foreign(args)`` says belongs to another signature is passed on, ``passed(*args)``, before
        anything runs here (the caller finds or compiles that signature). The hot path then tests those
        params' scalar types exactly and their arrays' dtype and rank where it runs the original (Numba tests
        the compiled form's), and the wrapper never runs the original's body itself (its test reads no dtype:
        hot.Kept)."""
        self._miss = (foreign, passed)
        self._strict = frozenset(names)
        self._forget_hot()
        if self._fast is not None:  # (built without these tests: built again by the next call that settles)
            module = getattr(self.original, "__globals__", None)
            if self._enter is not None and module is not None and module.get(self._enter) is self._fast:
                module[self._enter] = self
            self.__class__ = Dispatcher
            self._fast = self._check = None
            self._fusion = None

    def forget_measurements(self) -> None:
        """Forget what auto measured (variant and original times per size class) and the hot path's
        decisions: the next calls measure again (after the machine's load changed, in tests)."""
        self._forget_hot()
        self._speed = SpeedupMeter()
        self._cost = CostModel(self.name, self._speed.original_seconds, self._speed.original_basis)
        if self._check_cost is not None:  # (what a hot call costs is this process's, not a measurement to forget)
            self._cost.check_seconds = self._check_cost

    def _forget_hot(self) -> None:
        """Drop the hot path's decisions (and the wrapper's kept original): the next call takes the full path."""
        self.keep.off()
        self._hot.clear()

    def __repr__(self) -> str:
        return f"<polyray Dispatcher {self.name} variants={['original', *self.variants]}>"

    def _choose(self, target: str, args: tuple[Any, ...]) -> tuple[str, str, Decision | None, dict[str, Any],
                                                                 tuple[int, int] | None]:
        """(variant, reason, auto's decision, its record keys, size class of args) for one call."""
        decision: Decision | None = None
        # once per call: the cost model, the cpu variant's choice of form and the timing share it
        sizes = size_class(args) if self.variants else None
        if target == "auto" or target not in TARGETS:
            note = "auto" if target == "auto" else (
                f"unknown POLYRAY_TARGET {target!r} (expected one of {', '.join(TARGETS)}); behaving as auto")
            if self._cluster_state is not None:
                state = _cluster.state()
                if state != self._cluster_state:
                    # auto leaves out a Ray cluster that does not answer (RayVariant.auto_exclusion);
                    # when the cluster changes (connected, lost, answering again) it is reconsidered
                    self._cluster_state = state
                    self._cost.reset()
                    self._forget_hot()
            decision = self._cost.decide(args, self.variants, note, sizes)
            return decision.variant, decision.reason, decision, decision.record_keys(), sizes
        choice = self._choices.get(target)
        if choice is None:
            choice = choose(target, self.name, self.variants)
            if len(self._choices) < 16:  # arbitrary POLYRAY_TARGET values must not grow it
                self._choices[target] = choice
        return choice.variant, choice.reason, None, {}, sizes

    def _problem(self, chosen: str, args: tuple[Any, ...]) -> str | None:
        """Why ``chosen`` must not run ``args`` (argument checks, guard, an earlier failure), or None."""
        if self.constants:
            problem = self._constants_changed()
            if problem is not None:
                return problem
        if chosen == "gpu":
            checked, problem = device_stand_ins(self.name, self.params, args)
            if problem is None:
                problem = self._guard(checked)
        else:
            problem = self._guard(args)
        if problem is None:
            failed = self._failed.get(chosen)
            if failed:
                problem = failed.get(call_signature(args))  # the same record as the failed call's
        return problem

    def _constants_changed(self) -> str | None:
        """Why the module constants frozen into the variants no longer hold, or None."""
        module = getattr(self.original, "__globals__", None)
        if module is None:
            return f"{self.name}: the original's module globals are unavailable to check its constants"
        for name, value in self.constants:
            now = module.get(name, _MISSING)
            if type(now) is not type(value) or now != value:
                shown = "unbound" if now is _MISSING else f"{now!r}"
                return f"module constant {name} is {shown}, the variants were compiled with {value!r}"
        return None

    def _remember_failure(self, chosen: str, failed: VariantFailed, args: tuple[Any, ...]) -> None:
        """The variant is not tried again for these argument types (bounded: the newest 64 per variant)."""
        if not failed.per_signature:
            return
        try:
            key = call_signature(args)
        except Exception:  # noqa: BLE001 - nothing to key on: the cost model's size class still excludes it
            return
        failed_for = self._failed.setdefault(chosen, {})
        if len(failed_for) >= 64:
            failed_for.pop(next(iter(failed_for)))
        failed_for[key] = failed.reason

    def __call__(self, *args: Any) -> Any:
        fast = self._fast
        if fast is not None and len(args) == self._count:
            return fast(*args)  # the hot path (hot.py), which calls _full itself when the call is not hot
        return self._full(args)

    def _full(self, args: tuple[Any, ...]) -> Any:
        miss = self._miss
        if miss is not None and miss[0](args):
            return miss[1](*args)  # (another signature of the caller's: miss_for)
        try:
            return self._call(args)
        finally:
            # background compiles this call asked for start now, not while it ran (background.py)
            _open_gates()

    def _pristine(self, chosen: str, sizes: tuple[int, int] | None,
                  args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The arguments as the caller passed them, for timing the original on copies after ``chosen`` ran
        (speedup.SpeedupMeter.variant_ran): ``args`` where the function writes none of its arrays; where it
        does, and that timing is due after this call (copies_due), ``args`` with its written arrays copied now,
        before the variant writes them; else None (nothing is timed on the variant's outputs)."""
        written = [i for i, p in enumerate(self.params) if p.kind == "array" and p.written]
        if not written:
            return args
        try:
            if not self._speed.copies_due(chosen, sizes):
                return None
            return tuple(a.copy(order="K") if i in written and isinstance(a, np.ndarray) else a
                         for i, a in enumerate(args))
        except Exception:  # noqa: BLE001 - no memory for the copies, say: the original is not timed on this call
            return None

    def _call(self, args: tuple[Any, ...]) -> Any:
        raw_target = _hot.env_get(_hot.TARGET_KEY)  # (what the hot path compares, as os.environ keeps it)
        writes = _EVENTS[0]  # (an environment written or a cluster (dis)connected during the call: nothing settles)
        target = _environ.get(TARGET_ENV, "auto")
        # Nothing that goes wrong inside Polyray reaches the caller (issue 15): a failure to
        # choose, check or prepare a variant runs the original, and the record says why. Only
        # what the variant's code raises while running (the user's exception) propagates.
        try:
            chosen, reason, decision, keys, sizes = self._choose(target, args)
        except Exception as exc:  # noqa: BLE001 - a Polyray bug must not fail the call
            chosen, reason, decision, keys, sizes = "original", f"choosing a variant failed ({_short(exc)})", None, {}, None
        compiling: dict[str, Any] = {}
        if chosen != "original":
            try:
                problem = self._problem(chosen, args)
            except Exception as exc:  # noqa: BLE001 - as above
                problem = f"checking the arguments failed ({_short(exc)})"
            if problem is None:
                variant = self.variants[chosen]
                pristine = self._pristine(chosen, sizes, args) if decision is not None else args
                mark = _compile_mark()  # (a time measured beside a background compile is not a settled one)
                start = perf_counter()
                try:
                    # (the Variant protocol is run(args); CpuVariant also takes the sizes computed above)
                    # (a forced target waits for its compile; auto runs the original meanwhile: background.py)
                    if isinstance(variant, CpuVariant):
                        result = variant.run(args, sizes, decision is None)
                    elif getattr(variant, "compiles_in_background", False):  # gpu, ray (prepare.py)
                        result = variant.run(args, wait=decision is None)
                    else:
                        result = variant.run(args)
                    if self._result is not None and result is not None:
                        result = self._result(result)
                except VariantFailed as failed:
                    forced_error = getattr(failed, "forced_error", None)
                    if forced_error is not None and decision is None and target == chosen:
                        # The user forced this target and its cluster is unreachable (RayVariant).
                        # Nothing was written; the original runs (issue 15: nothing that goes wrong
                        # on Polyray's side fails the call), and a RuntimeWarning names the address
                        # so that a dead cluster the user chose is not hidden either.
                        warnings.warn(f"polyray: {forced_error}; {self.name} ran its original instead",
                                      RuntimeWarning, stacklevel=3)
                    if isinstance(failed, VariantCompiling):
                        compiling = {"jit_compiling": {chosen: failed.seconds}}
                    if not isinstance(failed, (VariantRolledBack, VariantCompiling)):
                        self._choices.clear()
                        self._cost.reset()
                        self._forget_hot()
                        self._cost.failed(decision, chosen, failed.reason)
                        self._remember_failure(chosen, failed, args)
                    reason = (f"{failed.reason}; ran original" if isinstance(failed, VariantCompiling)
                              else f"{failed.reason}; ran original instead of {chosen} ({reason})")
                except BaseException as exc:
                    seconds = perf_counter() - start
                    self._record(
                        {
                            "function": self.name, "variant": chosen, "seconds": seconds, "nodes": [],
                            "reason": reason, "target": target, "error": type(exc).__name__, **keys,
                        }
                    )
                    raise
                else:
                    seconds = perf_counter() - start
                    extra: dict[str, Any] = {}
                    try:  # bookkeeping after a successful run: its failure must not lose the result
                        take = getattr(variant, "take_extra", None)
                        extra = take() if take is not None else {}
                        ran = getattr(variant, "last_seconds", None)
                        if ran is not None:  # the compiled code's own time (CpuVariant): what the hot path pays
                            seconds = ran
                        else:  # a call that waited for the JIT: its time is the run's alone (JIT time apart, issue 19)
                            seconds -= extra.get("jit_waited_seconds", 0.0)
                        # (CpuVariant marks its compiled code's run alone: not the wait for its compile)
                        beside = getattr(variant, "last_beside", False) if ran is not None else _compiled_since(mark)
                        self._cost.observe(decision, chosen, seconds, args, sizes, beside)
                        if decision is not None:  # auto: forced targets (tests, benchmarks) pay no extra runs
                            extra.update(self._speed.variant_ran(chosen, sizes, seconds, self.original, pristine,
                                                                 self._written))
                        else:  # the speedup from the original's own calls, or why none (the sidebar says it)
                            extra.update(self._speed.forced_ran(chosen, sizes, seconds))
                    except Exception as exc:  # noqa: BLE001
                        extra = {**extra, "bookkeeping_error": _short(exc)}
                    record = {
                        "function": self.name, "variant": chosen, "seconds": seconds, "nodes": [],
                        "reason": reason, "target": target, **keys, **extra,
                    }
                    self._record(record)
                    if isinstance(variant, CpuVariant):
                        try:
                            self._settle(raw_target, target, decision, sizes, args, record, variant, writes)
                        except Exception:  # noqa: BLE001 - the hot path is an optimization: the next call is checked in full
                            self._forget_hot()
                    return result
            else:
                reason = f"{problem}; ran original instead of {chosen} ({reason})"
        mark = _compile_mark()
        cpu_start = thread_time()  # (the run's CPU seconds: a figure the machine's load does not inflate, speedup.py)
        start = perf_counter()
        try:
            result = self.original(*args)
        except BaseException as exc:
            seconds = perf_counter() - start
            self._record(
                {
                    "function": self.name, "variant": "original", "seconds": seconds, "nodes": [],
                    "reason": reason, "target": target, "error": type(exc).__name__, **compiling,
                }
            )
            raise
        seconds = perf_counter() - start
        cpu_seconds = thread_time() - cpu_start
        try:
            self._speed.original_ran(sizes, seconds, _compiled_since(mark), cpu_seconds)
        except Exception:  # noqa: BLE001 - bookkeeping must not lose the result
            pass
        record = {
            "function": self.name, "variant": "original", "seconds": seconds, "nodes": [],
            "reason": reason, "target": target, "cpu_seconds": cpu_seconds, **compiling,
        }
        self._record(record)
        if chosen == "original" and not compiling:  # decided so (not refused, nor waiting for a compile)
            try:
                self._settle(raw_target, target, decision, sizes, args, record, None, writes)
            except Exception:  # noqa: BLE001 - as above
                self._forget_hot()
        return result

    def _settle(self, raw_target: Any, target: str, decision: Decision | None, sizes: tuple[int, int] | None,
                args: tuple[Any, ...], record: dict[str, Any], variant: CpuVariant | None, writes: int) -> None:
        """After a call that ran well: let calls like it take the hot path (hot.py), when what decided this
        one will decide the same for them: auto's choice is settled for the size class (nothing measuring,
        the original's time known or judged not worth taking, no candidate still being looked into) or the
        target is forced; a compiled form that the variant offers for more calls (CpuVariant.take_hot).
        An auto record whose choice has settled so says ``settled: True`` (the NPBench harness's settled-speed
        column takes the calls after one), and so do the hot calls after it (their shared record)."""
        if sizes is None:
            return
        cls, total = sizes
        if decision is not None:
            if not self._speed.settled(cls) or not self._cost.settled(decision, cls, self.variants):
                return
            record["settled"] = True
        if not _hot.enabled() or writes != _EVENTS[0]:
            return
        if decision is None and (target not in TARGETS or target == "auto" or target not in self._choices):
            return
        lo, hi = _hot.class_bounds(cls)
        if not lo <= total < hi:  # (cannot happen: size_class and class_bounds agree)
            return
        more: tuple[tuple[Any, Any], ...] = ()
        if variant is None:
            if self._hot_check() is None:
                return
            check = None
            run: Callable[..., Any] = self.original
            budget = _hot.HOT_CALLS
        else:
            plan = variant.take_hot(_hot.HOT_CALLS)
            if plan is None:
                return
            run, budget, plan_lo, plan_hi = plan
            lo, hi = max(lo, int(plan_lo)), int(min(hi, plan_hi))
            if not lo <= total < hi:
                return
            keys = tuple(map(_hot.env_key, variant.hot_environment()))
            if keys != self._hot_environment():  # (the generated hot path compares these, in this order)
                return
            more = tuple(_hot.env_get(k) for k in keys)
            check = self._hot_check()
            if check is None or not check(*args):
                return
            if self._check_cost is None:
                self._check_cost = self._dispatch_cost(args, cls, lo, hi, more)
                self._cost.check_seconds = self._check_cost
        hot_record = {k: v for k, v in record.items() if k not in _hot.PER_CALL_KEYS}
        hot_record["hot"] = True
        cluster = _cluster.generation() if "ray" in self.variants else None
        entry = _hot.Entry(raw_target, lo, hi, budget, check, run, variant is not None, hot_record,
                           self._result if variant is not None else None, cluster, more)
        if variant is not None:
            entry.timed = variant.hot_timer(entry)
        if len(self._hot) >= 64:
            self._forget_hot()
        self._hot[cls] = entry
        # (where writes are not watched the wrapper would miss them; and its test tells no signature from another)
        if variant is None and _environ.WATCHED and self._miss is None and self.original is self._body:
            # the wrapper runs the original itself for these totals (for any, where a forced target chose it)
            if decision is None:
                self.keep.keep_all()
            else:
                self.keep.add(lo, hi, self._array_bytes(args))
        elif self.keep.overlaps(lo, hi):
            self.keep.off()
        if variant is not None and self._fusion is not None:
            self._fusion.offer(run, args, entry)

    def _array_bytes(self, args: tuple[Any, ...]) -> int:
        """The bytes total of the array arguments, as the wrapper sums it (hot.Kept.n); -1 where one has none."""
        try:
            return sum(int(x.nbytes) for p, x in zip(self.params, args) if p.kind == "array")
        except Exception:  # noqa: BLE001 - (the wrapper then compares with the bounds only)
            return -1

    def _dispatch_cost(self, args: tuple[Any, ...], cls: int, lo: int, hi: int, more: tuple[Any, ...]) -> float:
        """What a hot call of a compiled form costs beyond the form's own call (what auto adds to the compiled
        time before it compares with the original's, which the wrapper runs at the cost of one test): the
        generated hot path timed on ``args`` with a form that does nothing, less that form's own call."""
        def nothing(*_: Any) -> None:
            return None

        module = getattr(self.original, "__globals__", None)
        bound = tuple((name, module[name]) for name, _ in self.constants) if module is not None else ()
        fused = self._fusion.guard if self._fusion is not None else None
        entries: dict[int, _hot.Entry] = {}
        dry = _hot.build_hot(self.name, self.params, self._guard.generated, bound, module, entries, nothing,
                             nothing, nothing, None, fused, self._hot_environment(), self._result is not None,
                             self._strict, self._hot_timed())
        entry = _hot.Entry(_hot.env_get(_hot.TARGET_KEY), lo, hi, 1 << 62, None, nothing, True, {}, None,
                           _cluster.generation() if "ray" in self.variants else None, more)
        entry.checked = fused is not None  # (the checks run inside the form once its fused entry is compiled)
        entries[cls] = entry
        return max(0.0, _hot.cost_of(dry, args) - _hot.cost_of(nothing, args))

    def _hot_environment(self) -> tuple[Any, ...]:
        """The raw keys of the environment variables the cpu variant's hot entries depend on."""
        cpu = self.variants.get("cpu")
        return tuple(map(_hot.env_key, cpu.hot_environment())) if isinstance(cpu, CpuVariant) else ()

    def _hot_timed(self) -> bool:
        """Whether the hot path times the compiled form's runs: the cpu variant has two forms to choose from."""
        cpu = self.variants.get("cpu")
        return isinstance(cpu, CpuVariant) and cpu.parallel

    def _hot_check(self) -> Callable[..., bool] | None:
        """The hot path's argument check; with it, the generated hot path (built once; None while the module
        constants do not hold: no call is hot then)."""
        if self._check is None:
            module = getattr(self.original, "__globals__", None)
            if self.constants and (module is None or self._constants_changed() is not None):
                return None
            bound = tuple((name, module[name]) for name, _ in self.constants) if module is not None else ()
            guard = self._guard.generated
            check = _hot.build_check(self.name, self.params, guard, bound, module, self._strict)
            # (no generation compared per call: every Ray (dis)connect drops the entries, _forget_all_hot)
            generation = None
            fusion = _hot_entry.Fusion(self.name, self.params, guard) if _hot_entry.enabled() else None
            if fusion is not None and fusion.source is None:
                fusion = None
            fast = _hot.build_hot(self.name, self.params, guard, bound, module, self._hot, self.original,
                                  self._full, self._record, generation,
                                  None if fusion is None else fusion.guard, self._hot_environment(),
                                  self._result is not None, self._strict, self._hot_timed())
            self._fusion = fusion
            # calls now enter the generated code directly (one Python frame less than __call__(*args)), and the
            # generated wrapper calls it without this object's __call__ slot (a C call into a Python function)
            self.__class__ = _hot.hot_class(Dispatcher, fast)
            if self._enter is not None and module is not None and module.get(self._enter) is self:
                module[self._enter] = fast
            self._fast, self._check = fast, check
        return self._check


#: every dispatcher alive: an environment write or a Ray (dis)connect drops their hot decisions
_LIVE: "weakref.WeakSet[Dispatcher]" = weakref.WeakSet()


#: [how many times _forget_all_hot ran]: a call that saw it run decides nothing for the hot path
_EVENTS = [0]


def _forget_all_hot() -> None:
    _EVENTS[0] += 1
    for dispatcher in tuple(_LIVE):
        dispatcher._forget_hot()


_environ.watch(_forget_all_hot)
_cluster.listeners.append(_forget_all_hot)
_register_call(Dispatcher._full)  # (a call made inside another leaves the gates to it: background.py)
