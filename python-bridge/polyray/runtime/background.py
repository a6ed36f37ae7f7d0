"""Compiling variants in the background, so that no call waits for the JIT (issue 19).

A call whose signature has no compiled variant yet runs the original while one
worker thread compiles the variant for that signature; a later call runs it.
One thread for the whole process, because Numba compiles under one global lock
anyway: two threads would only queue on it. Jobs are keyed (the variant and the
call's argument types), so that a signature is never compiled twice, however
many calls (or threads) ask for it meanwhile (the variants keep their jobs per
signature, created under a lock).

Two lanes. A job that a call asked for runs before every job compiled ahead of
any call (``submit(..., ahead=True)``: a cell's or a module's hinted functions,
ahead.py); a call that needs a signature still queued ahead moves it into the
first lane (:func:`promote`). Without that, a cell defining 400 functions queued
400 compiles, and the next cell's first call waited behind all of them (minutes)
for a function it had just defined.

Waiting is restored by ``POLYRAY_JIT_WAIT=1`` (benchmarks, tests that expect a
variant on the first call) or :func:`set_jit_wait` (the extension's setting);
the environment wins. A call that forces a compiled target
(``POLYRAY_TARGET=cpu``) waits too: it asked for that variant by name.

Interruption. The worker is a daemon thread: a KeyboardInterrupt reaches the
main thread only, and a kernel restart ends the process. Numba writes its cache
entries through a temporary file and ``os.replace`` (index first, then data), and
an entry whose data is missing or unreadable is a miss (``jitting.py``), so a
process that dies mid-compile leaves at worst an entry that is compiled again.
At interpreter exit the compile under way is let finish (LLVM must not be torn
down under it) and queued ones are dropped.
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections import deque
from collections.abc import Callable, Hashable
from time import perf_counter, thread_time
from typing import Any, Final

from . import environ, jit_meter

#: POLYRAY_JIT_WAIT=1: a call waits for its variant to compile (the behaviour before issue 19).
WAIT_ENV: Final = "POLYRAY_JIT_WAIT"

_wait_setting = False


def set_jit_wait(wait: bool) -> None:
    """The extension's / user's setting: wait for the JIT on a call (POLYRAY_JIT_WAIT wins)."""
    global _wait_setting
    _wait_setting = bool(wait)


def env_jit_wait() -> bool | None:
    """What POLYRAY_JIT_WAIT says (None: unset or empty, the setting decides)."""
    env = environ.get(WAIT_ENV)
    if env is not None and env.strip() != "":
        return env.strip().lower() not in ("0", "false", "no", "off")
    return None


def jit_wait() -> bool:
    """Whether a call waits for its variant to compile instead of running the original meanwhile."""
    env = env_jit_wait()
    return _wait_setting if env is None else env


class Job:
    """One compile: ``work(job)`` runs on the worker; ``done`` is set when it returns or raises."""

    __slots__ = ("key", "work", "created", "started", "finished", "error", "done", "results", "reported", "gate",
                 "ahead", "cpu", "compiles")

    def __init__(self, key: Hashable, work: Callable[["Job"], None], gated: bool = False, ahead: bool = False) -> None:
        self.key = key
        #: queued in the ahead-of-time lane (promote moves it to the first one)
        self.ahead = ahead
        self.work = work
        self.created = perf_counter()
        self.started: float | None = None
        self.finished: float | None = None
        #: the worker's CPU seconds for the work, and the Numba compiles it made (jit_meter.py); set when done
        self.cpu: float | None = None
        self.compiles: int | None = None
        #: why the job could not run at all (its work reports its own failures in ``results``)
        self.error: str | None = None
        self.done = threading.Event()
        #: what the work produced, by name (CpuVariant: form -> compiled dispatcher or reason)
        self.results: dict[str, object] = {}
        #: whether a run record has carried its JIT time already (the variant's business)
        self.reported = False
        #: set when the worker may start: a job submitted by a call waits until that call has returned
        #: (open_gates; GATE_SECONDS at most), so that the first call does not share the GIL with the compiler
        self.gate = threading.Event()
        if not gated:
            self.gate.set()

    def elapsed(self) -> float:
        """Seconds since the job was queued (its wait for the worker included)."""
        end = self.finished if self.finished is not None else perf_counter()
        return end - self.created

    def compile_seconds(self) -> float:
        """Seconds the worker spent on it (0 until it ran)."""
        if self.started is None:
            return 0.0
        end = self.finished if self.finished is not None else perf_counter()
        return end - self.started

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


_lock = threading.Lock()
_ready = threading.Condition(_lock)  # notified when a job is queued
_now: "deque[Job]" = deque()  # jobs calls asked for, first come first served
_later: "deque[Job]" = deque()  # jobs compiled ahead of any call (run when _now is empty)
_worker: threading.Thread | None = None
_running: Job | None = None
_stopping = False


#: The longest a job waits for its gate (an original that runs longer shares the CPU with the compile).
GATE_SECONDS: Final = 10.0


class _Gates(threading.local):
    """Per thread: ``gates``, the gates of the jobs this thread's current call submitted (opened when the
    call returns). The class default makes reading it in a thread that never set it a plain attribute
    read: a ``getattr(local, name, None)`` that misses raises and catches an AttributeError inside,
    about 0.33 us that every hot ``@parallelize`` call made in such a thread paid (issue 18)."""

    gates: "list[Any] | None" = None


_local = _Gates()


# code objects of the functions that run a Polyray call and open the gates when it returns
# (Dispatcher._full, Parallelized._call): register_call
_call_codes: set[object] = set()


def register_call(fn: Callable[..., object]) -> None:
    """``fn`` runs a whole Polyray call and calls :func:`open_gates` when it returns (open_gates leaves the
    gates shut while such a call is still running further up the thread's stack)."""
    _call_codes.add(fn.__code__)


def _inside_another_call(frames: int) -> bool:
    """Whether a registered call is running above the one that calls open_gates, whose own ``frames``
    frames (open_gates's caller and up) are skipped."""
    try:
        frame = sys._getframe(2 + frames)  # (0: this, 1: open_gates, 2...: the returning call's frames)
    except ValueError:  # a stack not that deep: no call above
        return False
    while frame is not None:
        if frame.f_code in _call_codes:
            return True
        frame = frame.f_back
    return False


def open_gates(frames: int = 1) -> None:
    """Let the worker start the jobs the calling thread submitted gated (the dispatcher calls it when
    a call returns: the compile it asked for then does not slow the original that call ran). A call made
    from inside another one (an accelerated function that the original of another calls, as NPBench's
    channel_flow calls pressure_poisson_periodic) leaves them shut: the outer call's original is still
    running, and opens them when it returns (GATE_SECONDS at most). ``frames``: how many frames, from the
    caller up, the returning call has (a registered function and what it called to end the call)."""
    gates = _local.gates
    if gates:
        if _call_codes and _inside_another_call(frames):
            return
        _local.gates = None
        for gate in gates:  # (nothing waits on a gate: the worker finds it open when it next looks, _run)
            gate.set()


_pending = 0  # jobs queued or running (wait_idle)
_started = 0  # jobs the worker has started (compile_mark)


def pending() -> int:
    """How many jobs are queued or running now (benchmarks: whether a timed call overlapped a compile)."""
    return _pending


def compile_mark() -> tuple[int, bool]:
    """A mark to pass to :func:`compiled_since` after a timed run: (jobs started so far, whether one runs now)."""
    return _started, _running is not None and _running.started is not None


def compiling() -> bool:
    """Whether the worker is compiling at this moment (a job started, not finished)."""
    running = _running
    return running is not None and running.started is not None


def compiled_since(mark: tuple[int, bool]) -> bool:
    """Whether a compile ran beside the run timed since ``mark`` (compile_mark): one was running then, one has
    started since, or one runs now. Auto's "never slower" does not decide on such a time alone (speedup.py,
    cost.py): on two cores the compiler takes one, and the original timed beside it looked slower than it is."""
    return mark[1] or _started != mark[0] or compiling()


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until no job is queued or running (tests, benchmarks); False if ``timeout`` passed first.
    Gated jobs are let start (their calls have returned, or this thread would not be here)."""
    open_gates()
    deadline = None if timeout is None else perf_counter() + timeout
    while _pending:
        if deadline is not None and perf_counter() > deadline:
            return False
        threading.Event().wait(0.01)
    return True


#: POLYRAY_AHEAD_LIMIT: how many compiles may wait in the ahead-of-time lane (0: none is compiled ahead).
AHEAD_LIMIT_ENV: Final = "POLYRAY_AHEAD_LIMIT"
#: The lane's bound by default. A count, not bytes: what a compile ahead costs is the worker's time (0.3 to 5 s
#: each, much of it holding the GIL, so the user's next cells run slower meanwhile) and the machine code it
#: leaves resident for a function that may never be called; both grow with the number of compiles, and a
#: queued job itself holds only stand-in arguments. 32 is under a minute of compiling for typical kernels:
#: a cell or module of a few dozen hinted functions is compiled whole, one of hundreds no longer queues
#: minutes of work nobody asked for.
AHEAD_LIMIT: Final = 32


class AheadLaneFull(Exception):
    """:func:`submit` with ``ahead=True`` while the ahead-of-time lane holds :func:`ahead_limit` jobs: nothing
    was queued (the function compiles when a call asks for it, in the background as without hints)."""


def ahead_limit() -> int:
    """The ahead-of-time lane's bound: POLYRAY_AHEAD_LIMIT (a count >= 0), else AHEAD_LIMIT."""
    raw = environ.get(AHEAD_LIMIT_ENV)
    try:
        value = int(raw.strip()) if raw is not None and raw.strip() else AHEAD_LIMIT
    except ValueError:
        return AHEAD_LIMIT
    return max(value, 0)


def submit(key: Hashable, work: Callable[[Job], None], gated: bool = False, ahead: bool = False) -> Job:
    """Queue ``work`` for the worker thread; the caller keeps the job (and so never submits a key twice:
    the variants hold their jobs per signature under their own lock). ``ahead``: compiled ahead of any
    call, so after every job a call asked for (until :func:`promote`); raises :class:`AheadLaneFull`,
    queuing nothing, where that lane already holds :func:`ahead_limit` jobs (a job a call asks for is
    never refused)."""
    global _pending
    limit = ahead_limit() if ahead else 0
    job = Job(key, work, gated, ahead)
    with _lock:
        if ahead and len(_later) >= limit:
            raise AheadLaneFull(f"the ahead-of-time lane holds {len(_later)} compiles ({AHEAD_LIMIT_ENV}={limit})")
        if gated:
            gates = _local.gates
            if gates is None:
                gates = _local.gates = []
            gates.append(job.gate)
        if _stopping:
            job.error = "the interpreter is exiting"
            job.done.set()
            return job
        _start_worker()
        _pending += 1
        (_later if ahead else _now).append(job)
        if not gated:
            # a gated job's call is still running its original: a woken worker would take the GIL from it
            # only to wait on the gate; the worker looks at the gates itself (GATE_POLL_SECONDS)
            _ready.notify()
    return job


def open_now(job: Job) -> None:
    """Open ``job``'s gate and wake the worker at once: a call that waits for that job (POLYRAY_JIT_WAIT=1,
    a forced target) has nothing to lose to the worker taking the GIL."""
    job.gate.set()
    with _ready:
        _ready.notify()


#: How long the worker sleeps between looks at the gates of the jobs it holds back, at first and at most: it
#: looks rather than being woken, because a wake at the end of the call that opened the gate took the GIL
#: from that call before it returned (crc16's first call, 2.6 ms: 17 to 52 ms in 3 processes of 6 at load 16,
#: never when the gate stayed shut); doubling, so that a long original is interrupted a few times a second
GATE_POLL_SECONDS: Final = (0.01, 0.5)


def _start_worker() -> None:
    """Start the worker thread unless it runs (under ``_lock``). ``Thread.start`` waits until the new thread
    has been scheduled: 31 ms at load 16, which was the whole of Polyray's own part of crc16's first call."""
    global _worker
    if _worker is None or not _worker.is_alive():  # (not alive: a forked child, whose parent started it)
        _worker = threading.Thread(target=_run, name="polyray-jit", daemon=True)
        _worker.start()


def prestart() -> None:
    """Start the worker now, where a variant that compiles on it is made (a generated module's import, a
    decorated function's definition), so that a first call's :func:`submit` only queues its job: the wait
    for the new thread is then the import's, not the call's."""
    with _lock:
        if not _stopping:
            _start_worker()


def promote(job: Job) -> None:
    """A call needs ``job``: if it still waits in the ahead-of-time lane, it runs next after the jobs
    other calls asked for (a job already taken by the worker, or in the first lane, is left alone)."""
    if not job.ahead:
        return
    with _lock:
        if job.ahead:
            job.ahead = False
            try:
                _later.remove(job)
            except ValueError:  # taken by the worker meanwhile
                return
            _now.append(job)


def _runnable() -> bool:
    """Whether the worker has a job to take (under ``_lock``): a queued job that is not a gated one whose
    call is still running, or one whose gate has waited GATE_SECONDS."""
    if _later or any(job.gate.is_set() for job in _now):
        return True
    return bool(_now) and perf_counter() >= _now[0].created + GATE_SECONDS


def _run() -> None:
    global _running, _pending, _started
    while True:
        with _ready:
            poll = GATE_POLL_SECONDS[0]
            while not _runnable():
                # nothing queued: sleep until a submit notifies, or GATE_POLL_SECONDS[1] (a gated submit does
                # not notify); only gated jobs whose calls may still be running: look at their gates again
                # after ``poll`` (doubling from GATE_POLL_SECONDS[0]), GATE_SECONDS at most
                if not _now:
                    _ready.wait(GATE_POLL_SECONDS[1])
                    poll = GATE_POLL_SECONDS[0]
                    continue
                _ready.wait(min(poll, max(0.0, _now[0].created + GATE_SECONDS - perf_counter())))
                poll = min(2 * poll, GATE_POLL_SECONDS[1])
            job = _now.popleft() if _now else _later.popleft()
            job.ahead = False
            if _stopping:
                job.error = "the interpreter is exiting"
                _pending -= 1
                job.done.set()
                continue
            _running = job
        job.gate.wait(max(0.0, job.created + GATE_SECONDS - perf_counter()))
        _started += 1
        job.started = perf_counter()  # (importing numba, the first time, is part of the JIT's time)
        cpu = thread_time()
        _exit_hook_after_numba()
        counted = jit_meter.install()
        compiles = jit_meter.compiles()
        try:
            job.work(job)
        except BaseException as exc:  # noqa: BLE001 - the worker must survive any job
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.cpu = thread_time() - cpu
            job.compiles = jit_meter.compiles() - compiles if counted else None
            job.finished = perf_counter()
            with _lock:
                _running = None
                _pending -= 1
            job.done.set()


def _at_exit() -> None:
    """Queued jobs are dropped; the one under way finishes (a bounded wait) before LLVM shuts down."""
    global _stopping
    with _lock:
        _stopping = True
        running = _running
    if running is not None:
        running.wait(60.0)


_hooked = False


def _exit_hook_after_numba() -> None:
    """Register :func:`_at_exit` after numba's and llvmlite's own exit hooks (atexit runs the last
    registered first), so that the compile under way ends before they shut LLVM down."""
    global _hooked
    if _hooked:
        return
    _hooked = True
    try:
        import numba  # noqa: F401 - registers its hooks; a job reports a numba that fails to import
    except Exception:  # noqa: BLE001
        pass
    atexit.register(_at_exit)
