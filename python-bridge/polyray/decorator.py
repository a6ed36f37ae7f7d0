"""``@parallelize``: Polyray for functions in scripts, modules, notebooks and tests.

``from polyray import parallelize``, then ``@parallelize`` or
``@parallelize(target=..., numerics=...)`` on a plain top-level function.
Nothing happens when the module is imported (this file imports neither numba
nor ray). The first call with a given *signature* (for every parameter
without a hint, or hinted as an array without dtype or rank (``x: np.ndarray``,
``x: npt.NDArray``), the type of its argument, as :func:`polyray.profiling.hint_for`
writes it; other hinted parameters keep their hints) compiles the function:

1. its source is read where Python reads it (``linecache``, which also holds
   the cells of IPython and Jupyter): the function's file with every
   top-level statement other than ``import`` / ``from ... import`` blanked and
   the decorator lines removed, so the report's line numbers are the file's;
   the top-level functions of the file it calls by name (directly or through
   each other, while its globals bind the name to that def) are kept too,
   without their decorators: the compiler compiles them for the types of each
   call and the compiled function calls them directly (issue 17);
   a nested function is compiled from its own dedented source;
2. the observed types are inserted as hints (:func:`polyray.profiling.hinted_source`);
3. the module comes from the module cache (:mod:`polyray.cache`) or from the
   compile service (:mod:`polyray.compile_service`), exactly as for
   ``%%parallelize``, and its dispatcher runs this call and every later call
   with the same signature; its fallback is the function as written, so the
   original always sees the module's globals.

A call with a new signature compiles again. Nothing ever blocks a call: when
the source is unavailable (``exec``-made functions, a deleted file), when an
argument's type has no hint, when the compile service is missing or the
compiler keeps only the original, the function as written runs and its run
record (``polyray.runtime.history()``) says why.

``target`` ("auto", "cpu", "gpu", "ray", "original") is put into
``POLYRAY_TARGET`` for the duration of each call, as the magic's ``--target``
does for a cell (it is the process environment, so concurrent calls of other
functions see it too). ``numerics`` ("exact" or "close", kept on the wrapper as
``.numerics``; None when not given) is the mode compiles ask for; without it
``POLYRAY_NUMERICS`` decides, else ``close`` (polyray/numerics.py). Each mode
has its own compiled signatures, so changing the environment between calls
compiles again rather than reusing the other mode's module.
"""

from __future__ import annotations

import ast
import builtins
import dis
import functools
import importlib
import inspect
import linecache
import os
import textwrap
import threading
import time
import weakref
from collections.abc import Callable
from time import perf_counter
from typing import Any

from . import cache
from . import numerics as _numerics
from .compile_service import CompileServiceError, get_service
from .profiling import adopt_original, hint_for, hinted_source, open_array_hint
from .rankless import rankless_array_hint, uses_rank

_history = importlib.import_module("polyray.runtime.history")
_background = importlib.import_module("polyray.runtime.background")
_hot = importlib.import_module("polyray.runtime.hot")
_environ = importlib.import_module("polyray.runtime.environ")

TARGETS = ("auto", "cpu", "gpu", "ray", "original")
NUMERICS = _numerics.MODES


class SourceUnavailable(Exception):
    """The function's source cannot be read, so it cannot be compiled."""


def _blank(lines: list[str], first: int, last: int) -> None:
    """Blank file lines ``first``..``last`` (1-based, inclusive) of ``lines`` (0-based)."""
    for k in range(first - 1, min(last, len(lines))):
        lines[k] = ""


def kernel_source(fn: Callable[..., Any]) -> tuple[str, ast.FunctionDef]:
    """(base source with line 1 free, the function's def node) for ``fn``; raises SourceUnavailable.

    The node's line numbers count from the base's line 2, as
    :func:`polyray.profiling.hinted_source` expects.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        raise SourceUnavailable(f"{type(fn).__name__} is not a Python function")
    lines = linecache.getlines(code.co_filename, getattr(fn, "__globals__", None))
    if not lines:
        raise SourceUnavailable(f"no source for {code.co_filename}")
    text = "".join(lines)
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise SourceUnavailable(f"{code.co_filename} does not parse ({exc.msg})") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == fn.__name__:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if first == code.co_firstlineno or node.lineno == code.co_firstlineno:
                break
    else:
        return _nested_source(fn)
    out = [line.rstrip("\n") for line in text.split("\n")]
    keep = [False] * len(out)
    callees = called_functions(fn, node, tree)
    aliases = hint_aliases(tree, [node, *callees])
    for stmt in tree.body:
        # (``from __future__`` must open a module; the generated module opens with its own header)
        if stmt is node or stmt in callees or stmt in aliases or isinstance(stmt, ast.Import) or (isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__") \
                or _literal_constant(stmt):
            for k in range(stmt.lineno - 1, min(stmt.end_lineno or stmt.lineno, len(out))):
                keep[k] = True
    out = [line if keep[k] else "" for k, line in enumerate(out)]
    for d in [node, *callees]:
        if d.decorator_list:
            _blank(out, min(x.lineno for x in d.decorator_list), d.lineno - 1)
    clean = ast.parse("\n".join(out))  # the def without its decorators, same line numbers
    fdef = next(n for n in clean.body if isinstance(n, ast.FunctionDef) and n.name == fn.__name__)
    return "\n".join(["", *out]), fdef


def _defined_here(value: Any, filename: str, node: ast.FunctionDef) -> bool:
    """Whether a global (a function, or one wrapped by a decorator such as ``@parallelize``) is that def of that file."""
    seen = 0
    while not inspect.isfunction(value) and seen < 8:  # unwrap Parallelized, functools.wraps-style wrappers
        value = getattr(value, "__wrapped__", None) or getattr(value, "fn", None)
        seen += 1
    if not inspect.isfunction(value):
        return False
    code = value.__code__
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return value.__name__ == node.name and code.co_filename == filename and code.co_firstlineno in (first, node.lineno)


def called_functions(fn: Callable[..., Any], node: ast.FunctionDef, tree: ast.Module) -> list[ast.FunctionDef]:
    """The top-level defs of ``fn``'s file that ``node`` calls by name, directly or through each other.

    The compiler compiles them with the argument types of each call (issue 17),
    so their source goes with the function's. A name is followed only while
    ``fn``'s globals bind it to that very def (a module that rebinds it calls
    something else): otherwise the compiler sees no such function and keeps the
    caller in Python, saying so.
    """
    defs = {d.name: d for d in tree.body if isinstance(d, ast.FunctionDef)}
    glob = getattr(fn, "__globals__", {})
    filename = fn.__code__.co_filename
    found: dict[str, ast.FunctionDef] = {}
    todo = [node]
    while todo:
        for x in ast.walk(todo.pop()):
            if not (isinstance(x, ast.Call) and isinstance(x.func, ast.Name)):
                continue
            name = x.func.id
            d = defs.get(name)
            if d is None or d is node or name in found or not _defined_here(glob.get(name), filename, d):
                continue
            found[name] = d
            todo.append(d)
    return list(found.values())


def _alias_of(stmt: ast.stmt) -> tuple[str, ast.expr] | None:
    """``F64 = npt.NDArray[np.float64]`` (or ``F64: TypeAlias = ...``): (name, value) of a module-level type alias.

    The value is a chain of names, attributes and subscripts: evaluating it again has no effect
    (src/compiler/parse/type-aliases.ts reads the same statements).
    """
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name, value = stmt.targets[0].id, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None \
            and ast.unparse(stmt.annotation).split(".")[-1] == "TypeAlias":
        name, value = stmt.target.id, stmt.value
    else:
        return None
    parts = (ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.Load, ast.Constant)
    if not isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)) or not all(isinstance(n, parts) for n in ast.walk(value)):
        return None
    if any(isinstance(n, ast.Constant) and n.value not in (Ellipsis, None) for n in ast.walk(value)):
        return None
    return name, value


def hint_aliases(tree: ast.Module, defs: list[ast.FunctionDef]) -> list[ast.stmt]:
    """The module-level type aliases that the hints of ``defs`` name, directly or through each other.

    Kept in the compiled source so that the generated module's annotations evaluate
    (``def kernel(A: F64)``); only aliases bound once at module level.
    """
    bound: dict[str, int] = {}
    for stmt in tree.body:
        for t in (stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]):
            for n in ast.walk(t) if t is not None else ():
                if isinstance(n, ast.Name):
                    bound[n.id] = bound.get(n.id, 0) + 1
    aliases = {a[0]: (stmt, a[1]) for stmt in tree.body if (a := _alias_of(stmt)) and bound.get(a[0]) == 1}
    names = [n.id for d in defs for ann in [*(a.annotation for a in d.args.args + d.args.kwonlyargs + d.args.posonlyargs), d.returns]
             if ann is not None for n in ast.walk(ann) if isinstance(n, ast.Name)]
    kept: dict[str, ast.stmt] = {}
    while names:
        name = names.pop()
        if name in aliases and name not in kept:
            stmt, value = aliases[name]
            kept[name] = stmt
            names += [n.id for n in ast.walk(value) if isinstance(n, ast.Name)]
    return list(kept.values())


def _literal_constant(stmt: ast.stmt) -> bool:
    """``N = 100``, ``EPS = -1e-9``, ``DEBUG = False``: a module-level constant the compiler may freeze.

    Kept in the compiled source (executing it again has no effect beyond the
    binding); the dispatcher checks before each call that the function's own
    module still binds the same value (src/compiler/parse/constants.ts).
    """
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        return False
    v = stmt.value
    if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
        v = v.operand
        return isinstance(v, ast.Constant) and type(v.value) in (int, float)
    return isinstance(v, ast.Constant) and type(v.value) in (int, float, complex, bool)


def _nested_source(fn: Callable[..., Any]) -> tuple[str, ast.FunctionDef]:
    """A function defined inside another one: its own source, dedented, without decorators."""
    try:
        text = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as exc:
        raise SourceUnavailable(str(exc)) from None
    tree = ast.parse(text)
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef):
        raise SourceUnavailable(f"the source of {fn.__name__} is not a def statement")
    out = text.split("\n")
    if node.decorator_list:
        _blank(out, min(d.lineno for d in node.decorator_list), node.lineno - 1)
    clean = ast.parse("\n".join(out))
    return "\n".join(["", *out]), next(n for n in clean.body if isinstance(n, ast.FunctionDef))


def compile_function(source: str, name: str, file_name: str, numerics: str = _numerics.DEFAULT) -> tuple[Callable[..., Any] | None, str, Any, list[str]]:
    """(wrapper or None, why, module, the module functions it calls as compiled code) for function
    ``name`` of a kernel source (cache, else service)."""
    key = cache.module_key(source, None, numerics)
    hit = cache.lookup(key)
    if hit is None:
        try:
            res = get_service().compile(source, file_name, numerics=numerics)
        except CompileServiceError as exc:
            return None, f"compile service unavailable ({exc})", None, []
        if not res.ok:
            first = res.diagnostics[0] if res.diagnostics else {}
            return None, f"not compiled ({file_name}:{first.get('line')}: {first.get('message')})", None, []
        module_text, report = res.module or "", res.report or {}
    else:
        module_text, report = hit
    try:
        module = cache.import_file(cache.store(key, module_text, report), key)
    except Exception as exc:  # noqa: BLE001 - a module that cannot be imported means original only
        return None, f"the generated module could not be imported ({type(exc).__name__}: {exc})", None, []
    entry = next((f for f in report.get("functions", []) if f.get("name") == name), None)
    if entry is None or not entry.get("accelerated"):
        why = [d.get("message") for d in (entry or {}).get("diagnostics", []) if d.get("message")]
        return None, "the compiler keeps only the original" + (f" ({why[0]})" if why else ""), module, []
    wrapper = getattr(module, name, None)
    if not callable(wrapper):
        return None, "the generated module has no wrapper", module, []
    calls = entry.get("calls") or []
    return wrapper, "compiled, variants " + ", ".join(entry.get("variants", [])) + (f"; calls {', '.join(calls)} as compiled code" if calls else ""), module, calls


_NUMERICS_KEY = _hot.env_key(_numerics.ENV)


def _quick_key_function(names: list[str], hinted: set[str], args: tuple[Any, ...]) -> Callable[..., Any]:
    """``key(*args)`` for calls whose unhinted arguments have the types of ``args``' (an array: an ndarray
    exactly; a scalar: its exact type): their arrays' (dtype, ndim), all the hints depend on
    (profiling.hint_for); None for other types. Generated for these names: no loop, no getattr."""
    import numpy as np

    tests: list[str] = []
    parts: list[str] = []
    scope: dict[str, Any] = {"_nd": np.ndarray}
    for k, (name, value) in enumerate(zip(names, args)):
        if name in hinted:
            continue
        arg = f"_a{k}"
        if type(value) is np.ndarray:
            tests.append(f"type({arg}) is _nd")
            parts += [f"{arg}.dtype", f"{arg}.ndim"]
        else:
            scope[f"_t{k}"] = type(value)
            tests.append(f"type({arg}) is _t{k}")
    params = ", ".join(f"_a{k}" for k in range(len(names)))
    src = (f"def _polyray_quick_key({params}):\n"
           f"    if {' and '.join(tests) or 'True'}:\n"
           f"        return ({', '.join(parts)}{',' if len(parts) == 1 else ''})\n"
           f"    return None\n")
    exec(compile(src, "<polyray quick key>", "exec"), scope)  # noqa: S102 - generated from parameter positions
    return scope["_polyray_quick_key"]


def _expected(hint: str) -> tuple[type, Any, int] | None:
    """(type, dtype or None, ndim) of the arguments :func:`polyray.profiling.hint_for` writes ``hint`` for,
    when a value of exactly that type (dtype, rank) gets that hint back; None otherwise."""
    import re

    import numpy as np

    plain = {"bool": bool, "int": int, "float": float, "complex": complex}
    got: tuple[type, Any, int] | None = None
    sample: Any = None
    if hint in plain:
        got, sample = (plain[hint], None, 0), plain[hint]()
    elif (m := re.fullmatch(r"np\.(\w+)", hint)) and isinstance(getattr(np, m[1], None), type):
        scalar = getattr(np, m[1])
        if issubclass(scalar, np.generic):
            got, sample = (scalar, None, 0), scalar(0)
    elif (m := re.fullmatch(r"npt\.NDArray\[np\.(\w+)\]", hint) or re.fullmatch(
            r"np\.ndarray\[tuple\[([int, ]*)\], np\.dtype\[np\.(\w+)\]\]", hint)):
        name, rank = m[m.lastindex], (m[1].count("int") if m.lastindex == 2 else 0)
        if isinstance(getattr(np, name, None), type):
            dtype = np.dtype(getattr(np, name))
            got, sample = (np.ndarray, dtype, rank), np.zeros((1,) * rank, dtype)
    # (the round trip proves the test: hint_for reads nothing of a value but these)
    return got if got is not None and hint_for(sample) == hint else None


def foreign_test(names: list[str], key: tuple[tuple[str, str], ...]) -> Callable[[tuple[Any, ...]], bool]:
    """``foreign(args)``: whether a positional call's arguments belong to another signature than ``key``
    (:meth:`Parallelized._signature_of`'s, for parameters ``names``): each keyed argument tested as generated
    code for the type (dtype, rank) its hint stands for, then by :func:`hint_for` itself where that fails."""
    import numpy as np

    hints = dict(key)
    scope: dict[str, Any] = {"_hint_for": hint_for, "_nd": np.ndarray}
    fast: list[str] = []
    exact: list[str] = []
    for k, name in enumerate(names):
        if name not in hints:
            continue
        arg = f"_a{k}"
        scope[f"_h{k}"] = hints[name]
        exact.append(f"_hint_for({arg}) != _h{k}")
        expected = _expected(hints[name])
        if expected is None:
            fast.append("False")
            continue
        scope[f"_t{k}"], dtype, rank = expected
        fast.append(f"type({arg}) is _t{k}" + ("" if dtype is None else f" and {arg}.dtype is _d{k} and {arg}.ndim == {rank}"))
        if dtype is not None:
            scope[f"_d{k}"] = dtype
    params = ", ".join(f"_a{k}" for k in range(len(names)))
    src = (f"def _polyray_foreign(_args):\n"
           f"    if len(_args) != {len(names)}:\n"
           f"        return False  # (a call with another number of arguments raises as it would)\n"
           + (f"    {params}{',' if len(names) == 1 else ''} = _args\n" if names else "")
           + f"    if {' and '.join(fast) or 'True'}:\n"
           f"        return False\n"
           f"    return {' or '.join(exact) or 'False'}\n")
    exec(compile(src, "<polyray foreign signature>", "exec"), scope)  # noqa: S102 - generated from parameter positions
    return scope["_polyray_foreign"]


#: How many compiled signatures of one decorated function calls reach in one step (Parallelized._switch): the
#: switch tests them in turn, so a few signatures called in turn (float64 and float32 arrays, 1-d and 2-d) cost one
#: failed test each; more than that is rare, and their calls take the quick key (about 0.5 us more)
SWITCH_SIGNATURES = 4

#: Decorated functions whose calls go straight into one wrapper (Parallelized._take_fast): an environment write
#: (POLYRAY_NUMERICS may have changed, and so the signature a call compiles for) sends them back to _call
#: until a call finds one again.
_FAST: "weakref.WeakSet[Parallelized]" = weakref.WeakSet()


def _drop_fast() -> None:
    for f in tuple(_FAST):
        f._leave_fast()


class Parallelized(functools.partial):
    """The decorated function: compiles per signature on first call, then dispatches.

    A functools.partial of no arguments (issue 18): calling it is partial's C call into what ``_route`` set,
    no Python frame of the decorator's. That is :meth:`_call` (the quick key of the argument types, else
    the signature bound and compiled where new) until a positional call ran a compiled signature; while that
    is the only one met, the signature's wrapper itself, and the decorator tests nothing: the wrapper's
    dispatcher, told the signature (Dispatcher.miss_for), passes a call of other argument types back
    (``_missed``) before it runs anything; with two to SWITCH_SIGNATURES compiled signatures, a generated
    switch of their argument types (``_switch``) that calls each one's wrapper. No ``__call__`` here:
    defining one would replace partial's."""

    def __new__(cls, fn: Callable[..., Any], target: str | None = None, numerics: str | None = None) -> "Parallelized":
        return super().__new__(cls, fn)

    def __init__(self, fn: Callable[..., Any], target: str | None = None, numerics: str | None = None) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = fn.__name__
        self.target = target
        self.numerics = numerics
        # numerics mode -> signature (tuple of hints) -> (dispatcher wrapper or None, note)
        self._by_mode: dict[str, dict[tuple[tuple[str, str], ...], tuple[Callable[..., Any] | None, str]]] = {}
        # (numerics mode, signature) -> the generated module (its dispatchers compile ahead: _compile_ahead)
        self._modules: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
        self._signature = inspect.signature(fn)
        # parameters whose hint decides their type; an open array hint (``x: np.ndarray``) does not: its
        # argument's dtype and rank are part of the signature, as for an unhinted parameter; so are a rankless
        # hint's (``npt.NDArray[np.float64]``) where the function uses a form that needs the rank (rankless.py)
        by_rank = uses_rank(fn.__code__) if hasattr(fn, "__code__") else False
        self._hinted = {n for n, p in self._signature.parameters.items()
                        if p.annotation is not inspect.Parameter.empty and not open_array_hint(p.annotation)
                        and not (by_rank and rankless_array_hint(p.annotation))}
        self._lock = threading.Lock()
        #: the module's functions some compiled signature calls as compiled code (issue 17): their own
        #: wrappers are not entered from there
        self.compiled_callees: set[str] = set()
        self._source: tuple[str, ast.FunctionDef] | None = None
        self._source_problem: str | None = None
        # (numerics mode, signature) -> its background compile (one per signature: _submit_build)
        self._jobs: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
        self._jobs_lock = threading.Lock()
        self._ahead: Any = None
        # the quick way to a compiled signature for a positional call (issue 18): _remember_quick
        params = list(self._signature.parameters.values())
        self._positional = len(params) if all(p.kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params) else -1
        _background.prestart()  # the first call's background build then only queues (background.prestart)
        self._quick_key: Callable[..., Any] | None = None
        self._quick: dict[tuple[Any, Any], Callable[..., Any]] = {}
        # the compiled signatures calls go straight to (_take_fast, issue 18): possible for positional
        # parameters where environment writes are watched and no target is written per call. One: its wrapper
        # itself; two to SWITCH_SIGNATURES: a generated switch of their argument types (_switch). Refused: those
        # that could not join (one too many, or a hint with no cheap test): their calls take _call
        self._fast_ok = self._positional >= 0 and target is None and _environ.WATCHED
        self._fast_sigs: dict[tuple[str, tuple[tuple[str, str], ...]], Callable[..., Any]] = {}
        self._fast_refused: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self._route(self._call)
        #: why the hinted signature was not compiled at definition (the ahead-of-time lane was full): the
        #: first call's record says so, and that call compiles it in the background (_bound)
        self._ahead_skipped: str | None = None
        if self._fully_hinted():
            try:
                self._ahead = _background.submit(("parallelize", id(self)), lambda job: self._compile_ahead(),
                                                 ahead=True)
            except _background.AheadLaneFull as full:
                self._ahead_skipped = str(full)
            else:
                self._jobs[(_numerics.resolve(self.numerics), ())] = self._ahead

    def _fully_hinted(self) -> bool:
        params = self._signature.parameters.values()
        return all(p.name in self._hinted and p.kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params)

    def _globals_bound(self, seconds: float = 10.0) -> bool:
        """Whether every global the function reads is bound, waiting for the module's import to bind the
        defs that come after this one (a helper it calls is compiled with it, or it keeps its original):
        compiling before that would give a different, worse module than the first call's."""
        names = {ins.argval for ins in dis.get_instructions(self.fn) if ins.opname == "LOAD_GLOBAL"}
        glob = self.fn.__globals__
        deadline = perf_counter() + seconds
        while True:
            if all(n in glob or hasattr(builtins, n) for n in names):
                return True
            if perf_counter() > deadline:
                return False
            time.sleep(0.05)

    def _compile_ahead(self) -> None:
        """On the background worker (issue 19): every parameter is hinted, so the signature is known at
        definition: compile the module, then its CPU variant for the hinted types. A call meanwhile runs
        the original (unless it waits for the JIT, POLYRAY_JIT_WAIT)."""
        if not self._globals_bound():
            return  # the first call compiles, as without hints
        self._compile_signature((), _numerics.resolve(self.numerics))

    def _compile_signature(self, key: tuple[tuple[str, str], ...], mode: str) -> None:
        """Compile the module for one signature (the compile service), then start its CPU variant's
        compile for those types (runtime/ahead.py)."""
        compiled = self._by_mode.setdefault(mode, {})
        with self._lock:
            if key not in compiled:
                compiled[key] = self._build(key, mode)
        module = self._modules.get((mode, key))
        if module is not None:
            from .runtime import ahead

            ahead.start(module, {self.name})

    def _submit_build(self, key: tuple[tuple[str, str], ...], mode: str) -> None:
        """The background compile of a signature a call met first (once; it starts when that call returns)."""
        with self._jobs_lock:
            job = self._jobs.get((mode, key))
            if job is not None:
                _background.promote(job)  # (queued ahead at definition: this call needs it now)
                return
            self._jobs[(mode, key)] = _background.submit(("parallelize", id(self), mode, key),
                                                         lambda job: self._compile_signature(key, mode), gated=True)

    @property
    def compiled(self) -> dict[tuple[tuple[str, str], ...], tuple[Callable[..., Any] | None, str]]:
        """The signatures compiled for the mode calls use now (flag, else POLYRAY_NUMERICS, else close)."""
        return self._by_mode.setdefault(_numerics.resolve(self.numerics), {})

    def __repr__(self) -> str:
        return f"<polyray.parallelize {self.name}: {len(self.compiled)} signature(s)>"

    def __get__(self, obj: Any, owner: Any = None) -> Any:  # a method: bind like a function would
        return self if obj is None else functools.partial(self, obj)

    # -- what one call needs --------------------------------------------------------
    def _signature_of(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, str | None]:
        """(signature key or None, why there is none)."""
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:
            return None, None  # the call itself raises the usual TypeError
        bound.apply_defaults()
        key = []
        for name, value in bound.arguments.items():
            if name in self._hinted:
                continue
            hint = hint_for(value)
            if hint is None:
                return None, f"no hint for parameter {name} ({type(value).__name__})"
            key.append((name, hint))
        return tuple(key), None

    def _build(self, key: tuple[tuple[str, str], ...], mode: str) -> tuple[Callable[..., Any] | None, str]:
        if self._source is None and self._source_problem is None:
            try:
                self._source = kernel_source(self.fn)
            except SourceUnavailable as exc:
                self._source_problem = f"source unavailable ({exc})"
            except Exception as exc:  # noqa: BLE001 - e.g. a def inside an expression: never blocks a call
                self._source_problem = f"source unavailable ({type(exc).__name__}: {exc})"
        if self._source is None:
            return None, str(self._source_problem)
        base, node = self._source
        file_name = os.path.basename(self.fn.__code__.co_filename) or "function.py"
        try:
            source = hinted_source(base, node, dict(key))
            wrapper, note, module, calls = compile_function(source, self.name, file_name, mode)
        except Exception as exc:  # noqa: BLE001 - compiling never blocks a call
            return None, f"compile failed ({type(exc).__name__}: {exc})"
        if wrapper is not None:
            adopt_original(module, self.name, self.fn)
            self.compiled_callees.update(calls)
            self._modules[(mode, key)] = module
            dispatcher = getattr(module, f"_polyray_dispatch_{self.name}", None)
            if key and hasattr(dispatcher, "miss_for"):
                # (calls reach this wrapper whatever their types, _take_fast: its dispatcher tells them apart)
                dispatcher.miss_for([name for name, _ in key], foreign_test(list(self._signature.parameters), key),
                                    functools.partial(self._missed, mode, key))
        spec = ", ".join(f"{k}: {v}" for k, v in key) or "as hinted"
        return wrapper, f"{note}; signature {spec}; numerics {mode}"

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        """A call that its compiled wrapper does not take directly (see the class doc): the quick key of the
        argument types, else the signature bound, compiled where it is new."""
        quick = self._quick_key
        if quick is not None and not kwargs and len(args) == self._positional:
            # a call like an earlier one (the same argument types, numerics setting): its compiled wrapper,
            # without binding the signature or writing hints (about 10 us); the wrapper's own dispatcher
            # checks the arguments as on any call
            found = quick(*args)
            if found is not None:
                hit = self._quick.get((_hot.env_get(_NUMERICS_KEY) if self.numerics is None else None, found))
                if hit is not None:
                    target, sig = hit
                    if sig is not None and self._fast_ok and sig not in self._fast_sigs and sig not in self._fast_refused:
                        self._take_fast(*sig, target)
                    try:
                        return target(*args) if self.target is None else self._with_target(target, args, kwargs)
                    finally:
                        # (the dispatcher inside left its compiles' gates to this call: background.open_gates)
                        _background.open_gates()
        try:
            return self._bound(args, kwargs)
        finally:
            _background.open_gates()  # (as above)

    def _missed(self, mode: str, key: tuple[tuple[str, str], ...], *args: Any) -> Any:
        """The dispatcher of signature ``key`` took a call whose arguments belong to another signature
        (Dispatcher.miss_for: it ran nothing): that one runs, found or compiled as for any new call."""
        return self._bound(args, {}, (mode, key))

    def _bound(self, args: tuple[Any, ...], kwargs: dict[str, Any], missed: tuple[str, Any] | None = None) -> Any:
        """The call with its signature bound: that signature's wrapper, compiled first where it is new (in
        the background while the original runs, unless the call waits). ``missed``: the (mode, signature)
        whose dispatcher passed the call on (never run again for it)."""
        key, problem = self._signature_of(args, kwargs)
        target: Callable[..., Any] | None = None
        if key is not None:
            mode = _numerics.resolve(self.numerics)
            compiled = self._by_mode.setdefault(mode, {})
            entry = compiled.get(key)
            if entry is None:
                # not compiled for these types yet: the module compiles in the background and the original
                # runs meanwhile (issue 19), unless the call waits (a forced target, POLYRAY_JIT_WAIT)
                forced = (self.target or os.environ.get("POLYRAY_TARGET") or "auto") != "auto"
                if not (forced or _background.jit_wait()):
                    self._submit_build(key, mode)
                    if self.target is None and not kwargs and len(args) == self._positional:
                        # the calls until it is compiled (an accelerated helper that the original of another
                        # calls thousands of times) find this without binding the signature again
                        self._remember_quick(args, self._pending(mode, key))
                    skipped = f" (not compiled ahead: {self._ahead_skipped})" if self._ahead_skipped and not key else ""
                    return self._original(args, kwargs, "compiling in the background for these argument types"
                                                        f"{skipped}; ran original")
                self._lock.acquire()
                try:
                    entry = compiled.get(key)
                    if entry is None:
                        entry = self._build(key, mode)
                        compiled[key] = entry
                finally:
                    self._lock.release()
            target, problem = entry
            if target is not None and missed == (mode, key):  # (cannot happen: foreign_test is hint_for's)
                target, problem = None, "the compiled signature's dispatcher passed the call on"
        if target is not None:
            if not kwargs and len(args) == self._positional:
                self._remember_quick(args, target, (mode, key))
                self._take_fast(mode, key, target)
            return self._with_target(target, args, kwargs)
        return self._original(args, kwargs, problem or "the call's arguments do not bind")

    def _take_fast(self, mode: str, key: tuple[tuple[str, str], ...], target: Callable[..., Any]) -> None:
        """After a positional call that ran compiled signature ``key``: calls go straight to it. While it is the
        only one the calls met, into its wrapper (_route) and the decorator tests nothing; with two to
        SWITCH_SIGNATURES, through a generated switch that tests each one's argument types (_switch), so that
        signatures called in turn each reach their own wrapper in one step (each wrapper's dispatcher keeps its
        hot decision: it never sees the other's calls); one more takes _call (the quick key)."""
        sig = (mode, key)
        if not self._fast_ok or sig in self._fast_sigs or sig in self._fast_refused:
            return
        module = self._modules.get(sig)
        dispatcher = getattr(module, f"_polyray_dispatch_{self.name}", None)
        if key and getattr(dispatcher, "_miss", None) is None:
            return  # (nothing would tell another signature's arguments apart)
        raw = _hot.env_get(_NUMERICS_KEY) if self.numerics is None else None
        if raw is not None and raw.strip() not in (b"exact", b"close", "exact", "close"):
            return  # (an unknown mode warns on each call: the full path)
        # (one numerics mode at a time: a change of mode is an environment write, which empties them anyway)
        sigs = {s: t for s, t in self._fast_sigs.items() if s[0] == mode}
        switch = None  # (the switch generated to test whether sig can join serves the calls too)
        if len(sigs) < SWITCH_SIGNATURES and (not sigs or (switch := self._switch({**sigs, sig: target})) is not None):
            sigs[sig] = target
        else:
            self._fast_refused.add(sig)
            switch = None
        self._fast_sigs = sigs
        if not sigs:
            return
        if len(sigs) == 1 and not self._fast_refused:
            self._route(target)
        else:
            if switch is None:
                switch = self._switch(sigs)
            if switch is None:  # (the first one, joined alone, has no cheap test: _call for good)
                self._fast_ok = False
                self._leave_fast()
                return
            self._route(switch)
        _FAST.add(self)

    def _switch(self, sigs: dict[tuple[str, tuple[tuple[str, str], ...]], Callable[..., Any]]) -> Callable[..., Any] | None:
        """What calls of several compiled signatures run (issue 18): generated code with the function's parameter
        names and defaults that tests each signature's keyed arguments as :func:`foreign_test`'s fast part does
        (an exact type; an array's dtype by identity and its rank), in the order they joined, and calls the
        first match's wrapper; any other call takes _call. None where a hint has no such test.

        The test is as strict as the signature: a call it sends to a wrapper has that signature's types (and
        that wrapper's dispatcher, told the signature, tests them again: Dispatcher.miss_for)."""
        names = list(self._signature.parameters)
        if any(n.startswith("_polyray") for n in names):
            return None  # (a parameter would shadow the generated code's own names)
        scope: dict[str, Any] = {"_polyray_type": type, "_polyray_call": self._call}
        branches: list[str] = []
        for j, ((_, key), target) in enumerate(sigs.items()):
            tests: list[str] = []
            for name, hint in key:
                expected = _expected(hint)
                if expected is None:
                    return None
                scope[f"_polyray_t{j}_{name}"], dtype, rank = expected
                tests.append(f"_polyray_type({name}) is _polyray_t{j}_{name}")
                if dtype is not None:
                    scope[f"_polyray_d{j}_{name}"] = dtype
                    tests.append(f"{name}.dtype is _polyray_d{j}_{name} and {name}.ndim == {rank}")
            scope[f"_polyray_w{j}"] = target
            branches.append(f"    if {' and '.join(tests) or 'True'}:\n        return _polyray_w{j}({', '.join(names)})\n")
        params = ", ".join(names)
        src = f"def _polyray_switch({params}):\n" + "".join(branches) + f"    return _polyray_call({params})\n"
        exec(compile(src, f"<polyray switch of {self.name}>", "exec"), scope)  # noqa: S102 - generated from hints
        switch = scope["_polyray_switch"]
        switch.__defaults__ = self.fn.__defaults__
        switch.__name__, switch.__qualname__ = self.name, self.fn.__qualname__
        return switch

    def _leave_fast(self) -> None:
        """Calls take _call again (an environment write: the numerics mode, and so the signatures, may change)."""
        self._fast_sigs = {}
        self._fast_refused = set()
        self._route(self._call)
        _FAST.discard(self)

    def _route(self, fn: Callable[..., Any]) -> None:
        """What a call of this object runs: functools.partial's own state (its ``__setstate__``, the pickle
        protocol's), so that the call is partial's C call into ``fn`` without a Python frame of ours."""
        self.__setstate__((fn, (), None, self.__dict__))

    def _pending(self, mode: str, key: tuple[tuple[str, str], ...]) -> Callable[..., Any]:
        """What a quick call (_remember_quick) of a signature still compiling in the background runs: the
        original, as the full path would, until the compile is done or the call must wait for it (a forced
        target, POLYRAY_JIT_WAIT); then it forgets itself and the call takes the full path."""

        def pending(*args: Any) -> Any:
            job = self._jobs.get((mode, key))
            forced = (os.environ.get("POLYRAY_TARGET") or "auto") != "auto"
            if job is None or job.done.is_set() or forced or _background.jit_wait():
                for k in [k for k, v in self._quick.items() if v[0] is pending]:
                    self._quick.pop(k, None)
                return self(*args)
            try:
                return self._original(args, {}, "compiling in the background for these argument types; ran original")
            finally:
                _background.open_gates(frames=2)  # (this frame and the _call that found it)

        return pending

    def _remember_quick(self, args: tuple[Any, ...], target: Callable[..., Any],
                        sig: tuple[str, tuple[tuple[str, str], ...]] | None = None) -> None:
        """Let calls with arguments of these types (and the numerics setting of now) find ``target`` without
        binding the signature: the key of the first such call's types is generated code (no loop)."""
        raw = _hot.env_get(_NUMERICS_KEY) if self.numerics is None else None
        if raw is not None and raw.strip() not in (b"exact", b"close", "exact", "close"):
            return  # (an unknown mode warns on each call: the full path)
        if self._quick_key is None:
            self._quick_key = _quick_key_function(list(self._signature.parameters), self._hinted, args)
        found = self._quick_key(*args)
        if found is not None and len(self._quick) < 64:
            self._quick[(raw, found)] = (target, sig)

    def _with_target(self, target: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.target is None:
            return target(*args, **kwargs)
        old = os.environ.get("POLYRAY_TARGET")
        os.environ["POLYRAY_TARGET"] = self.target
        try:
            return target(*args, **kwargs)
        finally:
            if old is None:
                os.environ.pop("POLYRAY_TARGET", None)
            else:
                os.environ["POLYRAY_TARGET"] = old

    def _original(self, args: tuple[Any, ...], kwargs: dict[str, Any], reason: str) -> Any:
        start = perf_counter()
        record = {"function": self.name, "variant": "original", "nodes": [], "reason": f"parallelize: {reason}",
                  "target": self.target or os.environ.get("POLYRAY_TARGET", "auto")}
        try:
            result = self.fn(*args, **kwargs)
        except BaseException as exc:
            _history.record({**record, "seconds": perf_counter() - start, "error": type(exc).__name__})
            raise
        _history.record({**record, "seconds": perf_counter() - start})
        return result


_background.register_call(Parallelized._call)  # (a call made inside another leaves the gates to it)
_environ.watch(_drop_fast)


def parallelize(fn: Callable[..., Any] | None = None, *, target: str | None = None,
                numerics: str | None = None) -> Any:
    """``@parallelize`` or ``@parallelize(target=..., numerics=...)`` (see the module's doc)."""
    if target is not None and target not in TARGETS:
        raise ValueError(f"parallelize: target must be one of {', '.join(TARGETS)}, got {target!r}")
    if numerics is not None and numerics not in NUMERICS:
        raise ValueError(f"parallelize: numerics must be one of {', '.join(NUMERICS)}, got {numerics!r}")

    def decorate(f: Callable[..., Any]) -> Parallelized:
        if isinstance(f, Parallelized):
            f = f.fn
        if not inspect.isfunction(f):
            raise TypeError(f"parallelize: expected a Python function, got {type(f).__name__}")
        return Parallelized(f, target, numerics)

    if fn is None:
        return decorate
    if isinstance(fn, str):
        raise TypeError("parallelize: use keywords, e.g. @parallelize(target='cpu')")
    return decorate(fn)
