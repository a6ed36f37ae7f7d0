"""The dispatcher's hot path (issue 18): a repeated call at a fraction of the full path's cost.

A call whose arguments are like a recent call's (the same size class, argument
kinds, aliasing) and whose environment is the same (POLYRAY_TARGET, the CPU
form settings) runs the variant that call settled on without the cost model,
the choice, the speedup meter or a fresh run record. What it still checks on
every call, because a call that the full checks would refuse must never take
the cached variant:

* every argument's kind: an exact ``ndarray`` for arrays (no subclass), the
  Python (or matching NumPy) scalar type for scalars, the int bounds (the
  :class:`~polyray.runtime.params.Param` check itself for exact and NumPy-typed
  scalars);
* aliasing (in Python, or in the fused entry: hot_entry.py): a written array and
  another array argument are disjoint when both own their data (``OWNDATA``: two allocations never overlap) and are not the
  same object; otherwise ``np.may_share_memory`` decides, as the full check does;
* the generated guard (shapes and scalar values), every call (in Python, or in the
  fused entry where its int64 arithmetic provably gives Python's answer);
* the module constants the variants froze: the same objects the full check
  accepted;
* dtype, rank, layout and writeability: Numba's own dispatcher compares them
  in C with the compiled signatures (only signatures that passed the full
  checks were ever compiled, and Numba converts no array to another dtype,
  rank or to a writeable one). A call whose types match none would make Numba
  compile: the thread id set here (``hot_thread``) makes that compile raise
  :class:`~polyray.runtime.jitting.HotMiss` before anything runs, and the full
  path takes the call (which compiles in the background, as usual).

Where the checks run: with the per-array dtype/rank/layout checks left to Numba's
C dispatcher, what is left in Python is each argument's type and bytes (the size
class), about 30 ns per array, and a fixed cost (the generated ``__call__``, the
environment, the entry, the record). The aliasing proof (an OWNDATA read per array)
and the generated guard (a shape read per array) cost another 110 ns per array in
Python: hot_entry.py compiles them into the Numba call that runs the variant (a
*fused entry*, ``Entry.checked``), which raises ``CheckMiss`` where they refuse the
call, before anything ran. Until that entry is compiled for the call's types (in
the background), and for a guard whose int64 arithmetic could differ from
Python's, the Python checks below run. bench/dispatch_overhead.py measures both
(docs/benchmarks.md, "Dispatch overhead").

The environment is not read per call where os.environ's writes are watched
(environ.watch: POSIX): every write, and every Ray (dis)connect, drops the
dispatchers' entries (Dispatcher._forget_hot), so an entry that exists was
decided under the environment of now. Where the original is kept (:class:`Kept`),
the generated wrapper runs the original's body itself after one test, and the
generated wrapper reaches this hot path through a module global the dispatcher
rebinds to it (``_polyray_enter_<f>``), without the Dispatcher's ``__call__`` slot.

The run record of a hot call is one shared dict (appended as is: no dict built
per call) carrying ``hot: True``; its ``seconds`` is the time of the last timed
call at that size class. Every HOT_CALLS calls the full path runs one call again
(timed, measured, a fresh record), so that times, the form trials of a parallel
variant and auto's choice keep being refreshed. A parallel CPU variant's hot runs are
timed too (two perf_counter calls, build_hot's ``timed``): two in a row slower than
the other form end the entry, so its choice of form follows the machine's stretches
without waiting for the full path (CpuVariant.hot_timer).
"""

from __future__ import annotations

import importlib
import math
import sys
import threading
import types
from time import perf_counter
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np

from . import environ
from .params import INT_LIMIT, Param
from .params import make_check as _param_check

#: Hot calls between two calls through the full path (a timed call, a fresh record, auto reconsidered).
HOT_CALLS: Final = 256

#: POLYRAY_HOT_PATH=0: every call takes the full path (benchmarks of it, diagnosis).
HOT_ENV: Final = "POLYRAY_HOT_PATH"


def enabled() -> bool:
    """Whether calls may take the hot path (read by the full path only, when it would let them)."""
    return (environ.get(HOT_ENV) or "").strip().lower() not in ("0", "false", "no", "off")

_TARGET_ENV: Final = "POLYRAY_TARGET"

# (environ.py: one dict lookup instead of os.environ.get's encoding and decoding)
env_get = environ.raw_get
env_key = environ.key
TARGET_KEY: Final = env_key(_TARGET_ENV)

#: ``[thread id]`` while that thread's hot call runs compiled code, else ``[0]`` (jitting.guard_compilation
#: reads it: a compile there raises HotMiss). One slot, not a threading.local: setting an attribute of one
#: costs about 70 ns, a list item 10. Two threads on the hot path at once may overwrite each other's id;
#: then a compile in the other one is not turned into a HotMiss but happens there, as it would on the full path
#: with POLYRAY_JIT_WAIT, and its failure (PreparationFailed) sends the call to the full path all the same.
hot_thread = [0]


def class_bounds(cls: int) -> tuple[int, int]:
    """[lo, hi): the totals of array bytes whose size class (cost.size_class) is ``cls``."""
    def of(total: int) -> int:
        return int(round(math.log2(total + 1)))

    lo = max(0, int(2.0 ** (cls - 0.5)) - 2)
    while of(lo) < cls:
        lo += 1
    while lo > 0 and of(lo - 1) >= cls:
        lo -= 1
    hi = max(lo + 1, int(2.0 ** (cls + 0.5)) - 2)
    while of(hi) <= cls:
        hi += 1
    while hi > lo + 1 and of(hi - 1) > cls:
        hi -= 1
    return lo, hi


def _check_lines(function: str, params: Sequence[Param], guard: Callable[..., Any] | None,
                 constants: Sequence[tuple[str, object]], scope: dict[str, Any]) -> list[str]:
    """The hot path's argument checks as lines of Python, each ending in ``{MISS}`` where a call fails them.
    The plain kinds' types are the first line's business (``_fast_types``); here: the int bounds, the exact
    and NumPy-typed scalars (their Param check itself), aliasing, the module constants and the guard."""
    return [*_scalar_lines(function, params, scope), *_alias_lines(params), *_constant_lines(constants, scope),
            *_guard_lines(params, guard)]


def _scalar_lines(function: str, params: Sequence[Param], scope: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for k, p in enumerate(params):
        x = p.name
        if p.kind == "array":
            continue
        if p.scalar_dtype is not None or p.exact:
            scope[f"_c{k}"] = _param_check(p, function)
            lines.append(f"if _c{k}({x}) is not None: {{MISS}}")
        elif p.kind == "int":
            lines.append(f"if not -_L < {x} < _L: {{MISS}}")
    return lines


def _alias_lines(params: Sequence[Param]) -> list[str]:
    names = [p.name for p in params]
    arrays = [p.name for p in params if p.kind == "array"]
    unique: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for w in (p.name for p in params if p.kind == "array" and p.written):
        for a in arrays:
            if a != w and frozenset((w, a)) not in seen:
                seen.add(frozenset((w, a)))
                unique.append((w, a))
    involved = sorted({n for pair in unique for n in pair}, key=names.index)
    lines: list[str] = []
    if unique:
        # Two distinct arrays that own their data (OWNDATA: each frees its own allocation) never overlap: the
        # common case in one test; otherwise each pair as the full check does, np.may_share_memory
        owning = " and ".join(f"{x}.flags.owndata" for x in involved)
        distinct = " and ".join(f"{w} is not {a}" for w, a in unique)
        lines.append(f"if not ({owning} and {distinct}):")
        for w, a in unique:
            lines.append(f"    if {w} is {a} or _share({w}, {a}): {{MISS}}")
    return lines


def _constant_lines(constants: Sequence[tuple[str, object]], scope: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for j, (name, value) in enumerate(constants):
        scope[f"_k{j}"] = value
        lines.append(f"if _g.get({name!r}, _M) is not _k{j}: {{MISS}}")
    return lines


def _guard_lines(params: Sequence[Param], guard: Callable[..., Any] | None) -> list[str]:
    if guard is None:
        return []
    return ["try:", f"    _bad = _guard({', '.join(p.name for p in params)}) is not None",
            "except Exception:", "    _bad = True", "if _bad: {MISS}"]


def _fast_types(params: Sequence[Param], scope: dict[str, Any], strict: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(the test that every argument has its param's plain type, the sum of the bytes cost.size_class counts
    for arguments of those types). ``strict``: the params whose scalar type is their caller's signature
    (Dispatcher.miss_for): a float there is a ``float`` exactly, not also an np.float64."""
    tests: list[str] = []
    nbytes: list[str] = []
    for k, p in enumerate(params):
        x = p.name
        if p.kind == "array":
            tests.append(f"type({x}) is _nd")
            nbytes.append(f"{x}.nbytes")
        elif p.scalar_dtype is not None:
            scalar = np.dtype(p.scalar_dtype).type
            scope[f"_t{k}"] = scalar
            tests.append(f"type({x}) is _t{k}")
            if not issubclass(scalar, (int, float, complex, bool)):  # size_class counts these (np.int64...)
                nbytes.append(str(np.dtype(p.scalar_dtype).itemsize))
        elif p.exact:
            tests.append(f"type({x}) is {p.kind}")
        elif x in strict:
            tests.append(f"type({x}) is {p.kind}")
        else:  # (np.float64 and np.complex128 are float and complex: size_class counts no bytes for them)
            extra = {"int": "", "float": " or type({x}) is _f64", "complex": " or type({x}) is _c128",
                     "bool": ""}[p.kind].format(x=x)
            tests.append(f"(type({x}) is {p.kind}{extra})" if extra else f"type({x}) is {p.kind}")
    return " and ".join(tests) or "True", " + ".join(nbytes) or "0"


def _array_types(params: Sequence[Param], scope: dict[str, Any], strict: frozenset[str]) -> str:
    """The test that the ``strict`` arrays have their param's dtype and rank ("" when there is none to make):
    where the hot path runs the original, which Numba's dispatcher does not check. ``is`` on the dtype:
    NumPy's builtin dtypes are one object each; an equal copy (rare) misses and the full path decides."""
    tests: list[str] = []
    for k, p in enumerate(params):
        if p.kind != "array" or p.name not in strict or p.dtype is None:
            continue
        scope[f"_D{k}"] = np.dtype(p.dtype)
        tests.append(f"{p.name}.dtype is _D{k}" + ("" if p.ndim is None else f" and {p.name}.ndim == {int(p.ndim)}"))
    return " and ".join(tests)


#: The default of the generated ``__call__``'s parameters: no caller has it, so a missing argument shows.
_MARKER = object()


def _scope(guard: Callable[..., Any] | None, module: dict[str, Any] | None) -> dict[str, Any]:
    return {"_nd": np.ndarray, "_f64": np.float64, "_c128": np.complex128, "_L": INT_LIMIT,
            "_share": np.may_share_memory, "_guard": guard, "_g": module, "_M": _MARKER}


def build_check(function: str, params: Sequence[Param], guard: Callable[..., Any] | None,
                constants: Sequence[tuple[str, object]], module: dict[str, Any] | None,
                strict: frozenset[str] = frozenset()) -> Callable[..., bool]:
    """``check(*args)``: True when a compiled variant may take the call on the hot path (see the module
    docstring for what it checks and what it leaves to Numba); False sends the call to the full checks.
    ``constants``: (name, the object the module bound when the full check accepted it). The same checks
    as :func:`build_hot`'s, apart: the dispatcher runs it before it lets calls be hot, and times it."""
    scope = _scope(guard, module)
    types, _ = _fast_types(params, scope, strict)
    body = [f"if not ({types}): return False"]
    body += [line.replace("{MISS}", "return False") for line in _check_lines(function, params, guard, constants, scope)]
    body.append("return True")
    names = ", ".join(p.name for p in params)
    src = f"def _polyray_hot_check({names}):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(src, f"<polyray hot check of {function}>", "exec"), scope)  # noqa: S102 - generated from Param names
    return scope["_polyray_hot_check"]


def build_hot(function: str, params: Sequence[Param], guard: Callable[..., Any] | None,
              constants: Sequence[tuple[str, object]], module: dict[str, Any] | None,
              entries: dict[int, "Entry"], original: Callable[..., Any], slow: Callable[[tuple[Any, ...]], Any],
              record: Callable[[dict[str, Any]], None], generation: Callable[[], int] | None,
              fused_guard: bool | None = None, environment: tuple[Any, ...] = (), converts: bool = True,
              strict: frozenset[str] = frozenset(), timed: bool = False) -> Callable[..., Any]:
    """The dispatcher's whole call on the hot path, generated for its parameters (no ``*args`` tuple,
    no loop over the arguments, no call per check): the types, the bytes total and its entry in
    ``entries`` (size class -> :class:`Entry`), the environment, then the original or the
    checks and the compiled form, the shared record; anything else calls ``slow(args)``, the full path.
    ``fused_guard``: None when the dispatcher has no fused entries (hot_entry.py), else whether they check
    the guard: an entry whose ``checked`` is set runs one, and the Python aliasing (and guard) checks not.
    ``environment``: the raw keys of the other environment variables a compiled entry's decision depends on
    (CpuVariant.hot_environment), whose values then are the entry's ``more``. ``converts``: whether an entry
    may carry a ``result`` converter (the dispatcher's ``result=``); without one no line tests for it.
    ``strict``: the params whose types are the caller's signature (Dispatcher.miss_for): their scalars' types
    are tested exactly, and their arrays' dtype and rank before the original runs (the compiled form's
    are Numba's to test); a call that fails goes to ``slow``, which passes one of another signature on.
    ``timed``: the compiled form's run is timed and the seconds passed to the entry's ``timed`` where it has
    one (a parallel CPU variant's chosen form: CpuVariant.hot_timer); without it no line times anything."""
    from .hot_entry import CheckMiss
    from .jitting import HotMiss, PreparationFailed

    history = importlib.import_module(f"{__package__}.history")  # (the package's `history` is the function)

    scope = _scope(guard, module)
    scope.update({"_entries": entries, "_env": env_get, "_TK": TARGET_KEY, "_hot_thread": hot_thread,
                  "_ident": threading.get_ident, "_record": record, "_HotMiss": HotMiss, "_Prepared": PreparationFailed,
                  "_slow": slow, "_original": original, "_generation": generation, "_history": history,
                  "_append": history.append, "_notify": history.notify, "_CheckMiss": CheckMiss, "_pc": perf_counter})
    names = ", ".join(p.name for p in params)
    packed = f"({names}{',' if len(params) == 1 else ''})"
    miss = f"return _slow({packed})"
    # (the history's own record(), inlined: the listeners only while there are any)
    if record is history.record:
        done = ["_append(_e.record)", "if _history._listeners:", "    _notify(_e.record)"]
    else:  # pragma: no cover - a dispatcher given another recorder
        done = ["_record(_e.record)"]
    types, nbytes = _fast_types(params, scope, strict)
    arrays = _array_types(params, scope, strict)
    cluster = "" if generation is None else " and _e.cluster == _generation()"
    owner = sys.modules.get(getattr(generation, "__module__", ""))
    if generation is not None and getattr(owner, "generation", None) is generation and hasattr(owner, "_generation"):
        scope["_cl"] = owner  # (cluster.generation() reads this global: read here without the call)
        cluster = " and _e.cluster == _cl._generation"
    more = ""
    target = " and _env(_TK) == _e.target"
    if environ.WATCHED:
        # every write through os.environ clears the entries (environ.watch, Dispatcher._forget_hot): an entry
        # that exists was decided under the environment of now, and the call reads none of it
        target, environment = "", ()
    if environment:
        for i, key in enumerate(environment):
            scope[f"_X{i}"] = key
        more = f" or (_e.more and ({''.join(f'_env(_X{i}), ' for i in range(len(environment)))}) != _e.more)"
    if fused_guard is None:
        lines = _check_lines(function, params, guard, constants, scope)
    else:  # (the checks a fused entry makes itself only while the entry in use is not one)
        inside = [*_alias_lines(params), *(_guard_lines(params, guard) if fused_guard else [])]
        lines = [*_scalar_lines(function, params, scope), *_constant_lines(constants, scope),
                 *(["if not _e.checked:", *("    " + line for line in inside)] if inside else []),
                 *([] if fused_guard else _guard_lines(params, guard))]
    checks = [line.replace("{MISS}", miss) for line in lines]
    run = [
        "_hot_thread[0] = _ident()",
        "try:",
        f"    _r = _e.run({names})",
        "except BaseException as _x:",
        "    _hot_thread[0] = 0",
        "    if type(_x) is not _HotMiss and type(_x) is not _Prepared:  # (nothing of the variant ran)",
        '        _record({**_e.record, "error": type(_x).__name__})',
        "        raise",
        "    _entries.pop(_k, None)  # types no compiled signature takes",
        f"    {miss}",
        "_hot_thread[0] = 0",
    ]
    if fused_guard is not None:
        # a fused entry never compiles on a call (hot_entry.refuse_compiling raises HotMiss): no thread mark
        fused = [
            "try:",
            f"    _r = _e.run({names})",
            "except BaseException as _x:",
            "    if type(_x) is _CheckMiss:  # (its checks refused the call: the full path says why)",
            f"        {miss}",
            "    if type(_x) is not _HotMiss:",
            '        _record({**_e.record, "error": type(_x).__name__})',
            "        raise",
            "    _entries.pop(_k, None)  # types it was not compiled for",
            f"    {miss}",
        ]
        run = ["if _e.checked:", *("    " + line for line in fused), "else:", *("    " + line for line in run)]
    body = [
        f"if not ({types}): {miss}",
        f"_t = {nbytes}",
        # the size class, round(log2(_t + 1)), in integers: floor(log2(2 (_t + 1)^2)) // 2
        "_k = ((((_t + 1) * (_t + 1)) << 1).bit_length() - 1) >> 1",
        "_e = _entries.get(_k)",
        f"if _e is None or not (_e.lo <= _t < _e.hi and _e.budget > 0{target}{cluster}){more}: {miss}",
        "if not _e.compiled:",
        *([f"    if not ({arrays}): {miss}"] if arrays else []),
        "    _e.budget -= 1",
        "    try:",
        f"        _r = _original({names})",
        "    except BaseException as _x:",
        '        _record({**_e.record, "error": type(_x).__name__})',
        "        raise",
        *("    " + line for line in done),
        "    return _r",
        *checks,
        *(["_tick = _pc()"] if timed else []),  # (not _t0: the scalar parameters' types are _t0, _t1, ... in scope)
        *run,
        *(["if _e.timed is not None:", "    _e.timed(_pc() - _tick)"] if timed else []),
        "_e.budget -= 1",
        *(["if _e.result is not None and _r is not None:", "    _r = _e.result(_r)"] if converts else []),
        *done,
        "return _r",
    ]
    # The dispatcher's __call__ itself (hot_class): positional parameters with a default that no caller can
    # pass, so that a call with another number of arguments reaches the full path, which says so.
    if params:
        last = params[-1].name
        head = [f"if _rest or {last} is _M: return _slow(_given({packed}, _rest))"]
        signature = ", ".join(f"{p.name}=_M" for p in params) + ", *_rest"
        scope["_given"] = _given
    else:
        head = ["if _rest: return _slow(_rest)"]
        signature = "*_rest"
    body = head + body
    src = f"def _polyray_hot({signature}):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(src, f"<polyray hot path of {function}>", "exec"), scope)  # noqa: S102 - generated from Param names
    fn = scope["_polyray_hot"]
    fn.source = src  # (what it checks, for reading: Dispatcher._fast.source)
    return fn


#: Keys of a run record that say something about that one call only: not in the hot calls' shared record.
PER_CALL_KEYS: Final = frozenset({"jit_seconds", "jit_waited_seconds", "jit_cpu_seconds", "jit_compiles", "jit_compiling", "cache", "original_timed_seconds",
                                  "cpu_seconds",
                                  "bookkeeping_error", "listener_error"})


def cost_of(check: Callable[..., bool], args: tuple[Any, ...], runs: int = 16) -> float:
    """Seconds one ``check(*args)`` takes (the fastest of ``runs``): what a compiled call pays on the hot path
    beyond an original's call, which auto's comparison with the original adds to the compiled time (cost.py)."""
    best = math.inf
    for _ in range(runs):
        start = perf_counter()
        check(*args)
        best = min(best, perf_counter() - start)
    return best


def _given(named: tuple[Any, ...], rest: tuple[Any, ...]) -> tuple[Any, ...]:
    """The positional arguments a call of the generated ``__call__`` was given (its defaults left out)."""
    return tuple(x for x in named if x is not _MARKER) + rest


def hot_class(base: type, call: Callable[..., Any]) -> type:
    """A subclass of ``base`` (the Dispatcher, no new slots) whose ``__call__`` is ``call``: an instance whose
    class becomes it is called straight into its generated hot path, without a ``*args`` frame first."""
    return type(base.__name__, (base,), {"__slots__": (), "__call__": staticmethod(call),
                                         "__module__": base.__module__, "__qualname__": base.__qualname__})


class Kept:
    """Where the dispatcher keeps the original (auto decided so for a size class, or the target is
    ``original``): the generated wrapper (codegen/dispatcher.ts, emitWrapper) runs the original's own body
    in its own frame when ``on`` (no array argument), ``all``, or its array arguments' bytes total is ``n``
    (the total of the call that decided: one comparison) or lies in [lo, hi), before it calls anything:
    such a call costs the original's time plus that one test (issue 18: about 40 ns with one array, where
    the exact-ndarray tests and the bounds first cost 60; with nothing kept, one flag).
    No run record, no call count: the dispatcher turns it off on every event that could change what
    it decided (a write through os.environ, a Ray (dis)connect, a failure, forget_measurements,
    a compiled decision for an overlapping size class); nothing else can change it, since the
    original's measured time only falls and the compiled candidates are not run meanwhile."""

    __slots__ = ("on", "lo", "hi", "all", "n", "_body", "_name", "_wrapper", "_generic")

    def __init__(self, body: Callable[..., Any] | None = None, name: str | None = None) -> None:
        #: for the arguments whose arrays' bytes total lies in [lo, hi) (lo == hi while off: none does)
        self.on = False
        self.lo = 0
        self.hi = 0
        #: for any arguments (a forced target chose the original: no size test in the wrapper)
        self.all = False
        #: the arrays' bytes total of the call that decided (-1: none), within [lo, hi)
        self.n = -1
        # the generated module's original and its wrapper's name: while something is kept, the wrapper's code
        # is one whose test reads these numbers as constants (kept_code.py); its generated code, else
        self._body = body
        self._name = name
        self._wrapper: Any = None
        self._generic: Any = None

    def off(self) -> None:
        self.all = self.on = False
        self.lo = self.hi = 0
        self.n = -1
        self._set_code()

    def keep_all(self) -> None:
        self.lo, self.hi = 0, 1 << 62
        self.on = self.all = True
        self._set_code()

    def _set_code(self) -> None:
        """The wrapper's code for what is kept now (kept_code.py): generated where nothing is."""
        wrapper = self._wrapper
        if wrapper is None:
            if not self.on or self._body is None:
                return
            found = getattr(self._body, "__globals__", {}).get(self._name)
            if not isinstance(found, types.FunctionType) or getattr(found, "__wrapped__", None) is not self._body:
                return
            self._wrapper = wrapper = found
            self._generic = found.__code__
        code = self._generic
        if self.on:
            from .kept_code import specialized

            try:
                code = specialized(self._generic, f"_polyray_keep_{self._name}", self.all, self.n, self.lo,
                                   self.hi) or self._generic
            except Exception:  # noqa: BLE001 - the generated test serves
                code = self._generic
        if wrapper.__code__ is not code:
            wrapper.__code__ = code

    def add(self, lo: int, hi: int, n: int = -1) -> None:
        """Keep the original for totals in [lo, hi) too (joined to the range kept now where they touch);
        ``n``: the arrays' bytes total of the call that decided, tested first (-1, or outside: none)."""
        if self.on and (self.hi == lo or hi == self.lo or (lo < self.hi and self.lo < hi)):
            lo, hi = min(lo, self.lo), max(hi, self.hi)
        else:
            self.n = -1  # (the range kept before is dropped: its total with it)
        self.lo, self.hi = lo, hi
        if lo <= n < hi:
            self.n = n
        self.on = True
        self._set_code()

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.on and lo < self.hi and self.lo < hi


class Entry:
    """One hot decision: for calls whose array bytes lie in [lo, hi) and whose POLYRAY_TARGET is ``target``
    (the raw environment value), run ``run`` (a compiled form, or the original) after ``check``."""

    __slots__ = ("target", "lo", "hi", "budget", "check", "run", "compiled", "record", "result", "cluster",
                 "more", "checked", "timed")

    def __init__(self, target: Any, lo: int, hi: int, budget: int, check: Callable[..., bool] | None,
                 run: Callable[..., Any], compiled: bool, record: dict[str, Any],
                 result: Callable[[Any], Any] | None, cluster: Any, more: tuple[Any, ...]) -> None:
        self.target = target
        self.lo = lo
        self.hi = hi
        self.budget = budget
        self.check = check
        self.run = run
        self.compiled = compiled
        self.record = record
        self.result = result
        #: the cluster generation auto decided with (None: no ray variant)
        self.cluster = cluster
        #: the raw values of the other environment variables the decision depends on (build_hot's
        #: ``environment``, in that order), or () when it depends on none
        self.more = more
        #: whether ``run`` is a fused entry (hot_entry.py), which checks aliasing (and the guard) itself
        self.checked = False
        #: called with the seconds of each hot run where the hot path is built ``timed`` (build_hot), or None
        self.timed: Callable[[float], None] | None = None
