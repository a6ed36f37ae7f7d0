"""A ``%%parallelize`` cell's compile under a time budget (issue 19: the first call never waits).

The compile service's first compile after ``%load_ext`` costs Node's start and V8 compiling the
compiler (0.7 to 1.7 s under load). Rather than make the cell wait for it, the magic waits at most
the budget (:func:`budget`, 0.2 s by default); when the compile is not ready by then the cell runs as
written (exactly what it does without the magic) while the compile carries on here, in a thread of
its own. That thread writes the module into the cache (cache.store: temporary files and renames, so
a kernel interrupted or restarted meanwhile leaves either no entry or a whole one), imports it, and
queues its hinted functions' CPU variants in the background compiler's ahead-of-time lane
(runtime/ahead.py) once no cell is running, so that the next run of the same cell finds the module
in the cache and, usually, machine code.

One compile per cell text (its cache key): a run of the cell while its compile is still under way
waits on that compile (the same budget) instead of starting another.

``POLYRAY_JIT_WAIT=1`` (or the extension's "wait for the JIT" setting) and a forced target make the
cell wait for the compile, as before: benchmarks and tests that need the compiled path at once.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Final

from .runtime import background, environ

#: POLYRAY_COMPILE_BUDGET: seconds a %%parallelize cell waits for its compile before it runs as written.
BUDGET_ENV: Final = "POLYRAY_COMPILE_BUDGET"
#: The budget by default: about a warm service's compile of a typical cell (0.05 to 0.3 s under load),
#: and the margin issue 19 allows a cell's first run over the same cell without the magic.
DEFAULT_BUDGET: Final = 0.2

_budget_setting: float | None = None


def set_budget(seconds: float | None) -> None:
    """The extension's or the user's budget in seconds (None: the default); the environment wins."""
    global _budget_setting
    _budget_setting = None if seconds is None else max(0.0, float(seconds))


def budget(forced_target: bool = False) -> float | None:
    """Seconds a cell waits for its compile, or None: it waits for as long as the compile takes
    (POLYRAY_JIT_WAIT or its setting, a forced target, or a budget of ``inf``)."""
    if forced_target or background.jit_wait():
        return None
    raw = environ.get(BUDGET_ENV)
    value = _budget_setting if _budget_setting is not None else DEFAULT_BUDGET
    if raw is not None and raw.strip():
        try:
            value = max(0.0, float(raw.strip()))
        except ValueError:
            pass
    return None if math.isinf(value) else value


@dataclass
class Outcome:
    """What a compile produced: the module text and report, or a note saying why there is none."""

    module: str | None = None
    report: dict[str, Any] | None = None
    note: str = ""
    #: the service's diagnostics (the note's text) when the cell did not compile
    diagnostics: list[dict[str, Any]] = field(default_factory=list)


class Pending:
    """One cell text's compile, started in a thread; ``done`` when its outcome is known (and stored)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.started = perf_counter()
        self.done = threading.Event()
        self.outcome: Outcome | None = None
        #: set when the module was imported and its variants queued ahead (or there was nothing to do)
        self.settled = threading.Event()
        #: whether a cell ran as written because this compile was not ready
        self.ran_plain = False
        #: what the cell that ran as written left for settling (magic.py: its functions, its report)
        self.cell: dict[str, Any] = {}

    def seconds(self) -> float:
        return perf_counter() - self.started


_lock = threading.Lock()
_pending: dict[str, Pending] = {}
#: serializes importing a generated module between the settling thread and the cell's own import
import_lock = threading.RLock()
_cell_running = False
_after_cell: list[Callable[[], None]] = []


def compile_within(key: str, compile_fn: Callable[[], Outcome], wait: float | None,
                   settle: Callable[[Pending], None]) -> tuple[Outcome | None, Pending]:
    """Start (or join) the compile of ``key`` and wait ``wait`` seconds at most (None: until done).

    ``compile_fn`` runs in a thread of its own and returns the outcome (it stores a module in the cache
    itself). Returns (outcome, pending) when it is ready in time (the entry is then forgotten: the cache
    holds the module), else (None, pending): the compile carries on, and once it is done ``settle(outcome)``
    runs after the current cell (importing the module, queueing its variants ahead, rebinding the cell's
    functions: magic.py); ``pending.outcome`` is the outcome then."""
    with _lock:
        pending = _pending.get(key)
        fresh = pending is None
        if fresh:
            pending = _pending[key] = Pending(key)
            # a budget of 0 never waits, however quick the compile (decided before it starts)
            pending.ran_plain = wait == 0
    assert pending is not None
    if fresh:
        threading.Thread(target=_run, args=(pending, compile_fn, settle), daemon=True,
                         name="polyray-cell-compile").start()
        if pending.ran_plain:
            return None, pending
    if not pending.done.wait(wait):
        with _lock:
            if not pending.done.is_set():  # (under the lock: _run reads ran_plain when it finishes)
                pending.ran_plain = True
                return None, pending
    with _lock:
        if _pending.get(key) is pending:
            del _pending[key]
    return pending.outcome, pending


def _run(pending: Pending, compile_fn: Callable[[], Outcome], settle: Callable[[Pending], None]) -> None:
    try:
        outcome = compile_fn()
    except BaseException as exc:  # noqa: BLE001 - a compile's failure is an outcome, never a crash
        outcome = Outcome(note=f"polyray: the cell's compile failed ({type(exc).__name__}: {exc}); "
                               "the cell runs as plain Python")

    def settle_now() -> None:
        try:
            if outcome.module is not None:
                settle(pending)
        except Exception:  # noqa: BLE001 - settling ahead is an optimization: the next run imports the module
            pass
        finally:
            pending.settled.set()
            if outcome.module is not None:  # the cache holds it now; a failure stays, so it is not run again
                with _lock:
                    if _pending.get(pending.key) is pending:
                        del _pending[pending.key]

    with _lock:
        pending.outcome = outcome
        pending.done.set()
        if not pending.ran_plain:  # the cell waited for it and goes on with the module itself
            pending.settled.set()
            return
        if _cell_running:  # importing and compiling now would take the GIL from the cell's own code
            _after_cell.append(settle_now)
            return
    threading.Thread(target=settle_now, daemon=True, name="polyray-cell-settle").start()


def cell_started() -> None:
    """IPython's pre_run_cell: settling waits until the cell has run."""
    global _cell_running
    with _lock:
        _cell_running = True


def cell_finished() -> None:
    """IPython's post_run_cell: settle the compiles that finished while the cell ran."""
    global _cell_running
    with _lock:
        _cell_running = False
    _settle_deferred()


def _settle_deferred() -> None:
    with _lock:
        jobs, _after_cell[:] = list(_after_cell), []
    for job in jobs:
        threading.Thread(target=job, daemon=True, name="polyray-cell-settle").start()


def under_way() -> int:
    """How many compiles that a cell did not wait for are not yet settled (``%polyray wait`` says so)."""
    with _lock:
        return sum(1 for p in _pending.values() if p.ran_plain and not p.settled.is_set())


def wait_settled(timeout: float | None = None) -> bool:
    """Wait until every compile that a cell did not wait for is done and settled (tests, benchmarks);
    False when ``timeout`` passed first. Then ``background.wait_idle`` waits for the variants it queued."""
    deadline = None if timeout is None else perf_counter() + timeout
    with _lock:
        waiting = [p for p in _pending.values() if p.ran_plain]
    for p in waiting:
        left = None if deadline is None else max(0.0, deadline - perf_counter())
        if not p.done.wait(left):
            return False
    _settle_deferred()  # the cell that calls this is waiting: settling now takes nothing from it
    for p in waiting:
        left = None if deadline is None else max(0.0, deadline - perf_counter())
        if not p.settled.wait(left):
            return False
    return True


def not_ready_note(pending: Pending) -> str:
    """What the cell's report says when it ran as written."""
    return f"compile not ready: {pending.seconds():.1f} s so far; ran the cell as written"
