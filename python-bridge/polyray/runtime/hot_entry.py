"""The hot path's argument checks compiled into the call itself (issue 18: dispatch for 3 to 8 arrays).

On the Python hot path (hot.py) each array argument costs CPython attribute reads:
its OWNDATA flag (the aliasing proof) and, in the generated bounds guard, its
shape: about 110 ns per array, the 3-8 array gap of docs/benchmarks.md. Here the
same two checks run inside nopython code, in the Numba call that runs the
variant anyway (its unboxing of the arrays is paid once): a *fused entry*

    def entry(a, b, out, n):
        if <a dimension of an array is 2**31 or more>: raise CheckMiss()   (only with the guard)
        if overlap(out, a) or overlap(out, b): raise CheckMiss()
        if guard(a, b, out, n): raise CheckMiss()
        return form(a, b, out, n)

per compiled form (serial or parallel) of a dispatcher, compiled for the argument
types of a settled call, in the background (also under POLYRAY_JIT_WAIT: no call's
time includes it; background.wait_idle() waits for it). A refused
call raises :class:`CheckMiss` before anything of the form ran, and the hot path
sends it to the full path, which finds the reason (and runs the original), exactly
as when the Python checks refuse it. Until the entry is compiled, and for every
dispatcher whose checks cannot be compiled, the Python checks run as before.

What keeps each check's meaning:

* aliasing: ``overlap`` compares the memory extents of the two arrays (from data
  pointer, shape and strides), which is what ``np.may_share_memory`` (the full
  check) does by default; empty arrays overlap nothing, as there;
* the guard: the generated guard's own code, its ``return "reason"`` turned into
  ``return True``, compiled only when :func:`numba_guard_source` proves that its
  integer arithmetic gives Python's answer in int64: every leaf is a shape
  dimension, an int or bool argument or a constant; operations are ``+ - *``,
  ``//`` and ``%`` by a nonzero constant, comparisons, ``and/or/not``, min, max and
  abs; and the largest magnitude any node can take, with every leaf below 2**31,
  stays below 2**62. The hot path checks int arguments against
  ``params.INT_LIMIT`` (2**31) before the call, the entry checks the dimensions.
  Anything else (floats, powers, calls, module names) keeps the Python guard;
* everything else (types, size class, environment, int bounds, NumPy scalar and
  exact-kind checks, module constants) stays in the generated Python (hot.py).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final

from . import background, environ
from .params import INT_LIMIT, Param

#: POLYRAY_FUSED_CHECKS=0: the hot path checks aliasing and the guard in Python (benchmarks, diagnosis).
FUSED_ENV: Final = "POLYRAY_FUSED_CHECKS"


def enabled() -> bool:
    """Whether dispatchers built from now on compile their hot checks into fused entries."""
    return (environ.get(FUSED_ENV) or "").strip().lower() not in ("0", "false", "no", "off")


#: The largest magnitude a node of a compiled guard may take: int64's.
GUARD_CAP: Final = 2**63 - 1

#: The largest magnitude of a leaf: int arguments lie in (-INT_LIMIT, INT_LIMIT) (the hot path checks it),
#: and the fused entry refuses a call with a dimension of INT_LIMIT or more.
LEAF: Final = INT_LIMIT - 1


class CheckMiss(Exception):
    """A fused entry refused the call's arguments (aliasing, guard, a huge dimension); nothing ran."""


class _Reject(Exception):
    """The guard is not provably the same in int64: it stays Python."""


def _is_boolean(node: ast.expr) -> bool:
    return (isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))
            or (isinstance(node, ast.Constant) and isinstance(node.value, bool)))


class _Bounds:
    """The largest magnitude each expression of a guard can take (raises _Reject past GUARD_CAP or on anything
    outside the accepted forms)."""

    def __init__(self, arrays: set[str], ints: set[str]) -> None:
        self.arrays = arrays
        self.ints = ints
        self.locals: dict[str, int] = {}

    def expr(self, node: ast.expr) -> int:
        bound = self._expr(node)
        if bound > GUARD_CAP:
            raise _Reject("a value may overflow int64")
        return bound

    def _expr(self, node: ast.expr) -> int:
        if isinstance(node, ast.Constant) and type(node.value) in (int, bool):
            return abs(int(node.value))
        if isinstance(node, ast.Name):
            if node.id in self.locals:
                return self.locals[node.id]
            if node.id in self.ints:
                return LEAF
            raise _Reject(f"name {node.id}")
        if isinstance(node, ast.Subscript):  # x.shape[k]
            value, index = node.value, node.slice
            if (isinstance(value, ast.Attribute) and value.attr == "shape" and isinstance(value.value, ast.Name)
                    and value.value.id in self.arrays and isinstance(index, ast.Constant)
                    and type(index.value) is int):
                return LEAF
            raise _Reject("subscript")
        if isinstance(node, ast.BinOp):
            left = self.expr(node.left)
            if isinstance(node.op, (ast.FloorDiv, ast.Mod)):
                right = node.right
                if not (isinstance(right, ast.Constant) and type(right.value) is int and right.value != 0):
                    raise _Reject("division by a non-constant")
                return left if isinstance(node.op, ast.FloorDiv) else abs(right.value)
            right_bound = self.expr(node.right)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return left + right_bound
            if isinstance(node.op, ast.Mult):
                return left * right_bound
            raise _Reject(type(node.op).__name__)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                return operand
            if isinstance(node.op, ast.Not):
                return 1
            raise _Reject(type(node.op).__name__)
        if isinstance(node, ast.Compare):
            self.expr(node.left)
            for c in node.comparators:
                self.expr(c)
            return 1
        if isinstance(node, ast.BoolOp):  # (Python's and/or give an operand: only booleans, as Numba types them)
            if not all(_is_boolean(v) for v in node.values):
                raise _Reject("and/or of non-booleans")
            for v in node.values:
                self.expr(v)
            return 1
        if isinstance(node, ast.IfExp):
            self.expr(node.test)
            return max(self.expr(node.body), self.expr(node.orelse))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
                and node.func.id not in self.locals and node.func.id not in self.ints and node.func.id not in self.arrays):
            if node.func.id in ("min", "max") and len(node.args) >= 2:
                return max(self.expr(a) for a in node.args)
            if node.func.id == "abs" and len(node.args) == 1:
                return self.expr(node.args[0])
        raise _Reject(type(node).__name__)

    def body(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        """The statements with each ``return "reason"`` as ``return True`` and ``return None`` as False."""
        out: list[ast.stmt] = []
        for s in statements:
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                name = s.targets[0].id
                if name in self.ints or name in self.arrays:
                    raise _Reject("a parameter rebound")
                self.locals[name] = max(self.locals.get(name, 0), self.expr(s.value))
                out.append(s)
            elif isinstance(s, ast.If):
                self.expr(s.test)
                out.append(ast.If(test=s.test, body=self.body(s.body), orelse=self.body(s.orelse)))
            elif isinstance(s, ast.Return):
                value = s.value
                if value is None or (isinstance(value, ast.Constant) and value.value is None):
                    out.append(ast.Return(value=ast.Constant(value=False)))
                elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out.append(ast.Return(value=ast.Constant(value=True)))
                else:
                    raise _Reject("a return of something else")
            elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):  # a docstring
                continue
            elif isinstance(s, ast.Pass):
                continue
            else:
                raise _Reject(type(s).__name__)
        return out


def numba_guard_source(guard: Callable[..., Any] | None, params: Sequence[Param], name: str) -> str | None:
    """The source of ``name(*params) -> bool``, True where ``guard`` returns a reason, when nopython int64
    arithmetic provably gives the guard's answer (see the module docstring); else None."""
    if guard is None:
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(guard)))
    except (OSError, TypeError, SyntaxError):  # no source (exec'd without a file): the Python guard
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    fn = tree.body[0]
    names = [p.name for p in params]
    a = fn.args
    if (fn.decorator_list or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg or a.defaults
            or [x.arg for x in a.args] != names):
        return None
    arrays = {p.name for p in params if p.kind == "array"}
    # ints the hot path bounds by INT_LIMIT itself (hot._check_lines): plain int kinds; bools are 0 or 1
    ints = {p.name for p in params if p.kind in ("int", "bool") and p.scalar_dtype is None and not p.exact}
    try:
        body = _Bounds(arrays, ints).body(fn.body)
    except _Reject:
        return None
    if not body or not isinstance(body[-1], ast.Return):
        body.append(ast.Return(value=ast.Constant(value=False)))
    fn.name, fn.body, fn.returns = name, body, None
    for arg in a.args:
        arg.annotation = None
    return ast.unparse(ast.fix_missing_locations(tree))


def _extent(a: Any) -> tuple[int, int]:
    """[lo, hi): the bytes an array's elements span (empty: (0, 0)), as np.may_share_memory bounds them."""
    lo = a.ctypes.data
    hi = lo
    for d in range(a.ndim):
        if a.shape[d] == 0:
            return 0, 0
        span = a.strides[d] * (a.shape[d] - 1)
        if span < 0:
            lo += span
        else:
            hi += span
    return lo, hi + a.itemsize


def _huge(a: Any) -> bool:
    for d in range(a.ndim):
        if a.shape[d] >= INT_LIMIT:
            return True
    return False


_helpers: dict[str, Any] = {}
_helpers_lock = threading.Lock()


def _numba_helpers() -> dict[str, Any]:
    """_extent and _huge as Numba functions (once per process)."""
    with _helpers_lock:
        if not _helpers:
            import numba

            # (plain calls, which LLVM inlines after linking: Numba's IR-level inline="always" re-typed the body
            # at every use and made an 8-array entry take 4 s to compile where this takes 1); cached on disk
            # (this module's name is fixed): each array type's compile cost a process's first fused entry 0.1 to
            # 0.2 CPU s (issue 18, bench/jit_cost.py), now a load
            _helpers.update({"_extent": numba.njit(_extent, cache=True), "_huge": numba.njit(_huge, cache=True)})
        return _helpers


#: The most array arguments a fused entry checks. Its code grows with the arrays (one extent each) and with the
#: written-array pairs (one comparison each), and Numba's compile memory with the code: a function of 40 written
#: arrays, its 1,600 pairs' overlap checks inlined, took over 5 GiB to compile (test_nep50's batched functions,
#: 150 outputs each, over 20 GiB). The hot path's target is 0 to 8 arrays; past this the Python checks serve.
MAX_FUSED_ARRAYS: Final = 16


def fused_plan(function: str, params: Sequence[Param], guard: Callable[..., Any] | None) -> tuple[str, bool] | None:
    """(the fused entry's source, with a form to call as ``_form`` and the guard as ``_guard``; whether it
    checks the guard), or None when it would check nothing the Python hot path does not (no written array
    besides another array, no compilable guard)."""
    names = [p.name for p in params]
    arrays = [p.name for p in params if p.kind == "array"]
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for w in (p.name for p in params if p.kind == "array" and p.written):
        for a in arrays:
            if a != w and frozenset((w, a)) not in seen:
                seen.add(frozenset((w, a)))
                pairs.append((w, a))
    guard_source = numba_guard_source(guard, params, "_polyray_guard")
    if not pairs and guard_source is None:
        return None
    if len(arrays) > MAX_FUSED_ARRAYS:
        return None
    ident = "".join(c if c.isalnum() else "_" for c in function)
    lines = [f"def _polyray_fused_{ident}({', '.join(names)}):"]
    if guard_source is not None and arrays:
        lines.append(f"    if {' or '.join(f'_huge({a})' for a in arrays)}:")
        lines.append("        raise _Miss()")
    if pairs:
        # each array's extent once (np.may_share_memory's bounds), then one comparison per pair: the code grows
        # with the arrays plus the pairs, not with the pairs times an inlined extent
        index = {a: k for k, a in enumerate(arrays)}
        for a in dict.fromkeys(x for pair in pairs for x in pair):
            lines.append(f"    _polyray_lo{index[a]}, _polyray_hi{index[a]} = _extent({a})")

        def overlap(w: str, a: str) -> str:
            lw, hw, la, ha = (f"_polyray_{e}{index[x]}" for x in (w, a) for e in ("lo", "hi"))
            # (empty arrays have the extent (0, 0) and overlap nothing)
            return f"({lw} < {hw}) & ({la} < {ha}) & ({lw} < {ha}) & ({la} < {hw})"

        # bitwise, not `or`: one basic block, where a short-circuit chain of 200 pairs gave Numba as many
        # blocks and took 13 s to compile (16 arrays, 14 written)
        lines.append(f"    if {' | '.join(f'({overlap(w, a)})' for w, a in pairs)}:")
        lines.append("        raise _Miss()")
    if guard_source is not None:
        lines.append(f"    if _guard({', '.join(names)}):")
        lines.append("        raise _Miss()")
    lines.append(f"    return _form({', '.join(names)})")
    return "\n".join([*([guard_source] if guard_source else []), "\n".join(lines)]) + "\n", guard_source is not None


class Fusion:
    """A dispatcher's fused entries: per compiled form, one Numba function; per (form, argument types) its
    compile (background.py's worker) and the hot entries waiting for it."""

    def __init__(self, function: str, params: Sequence[Param], guard: Callable[..., Any] | None) -> None:
        self.function = function
        plan = fused_plan(function, params, guard)
        self.source = plan[0] if plan is not None else None
        #: whether the fused entries check the generated guard (else the Python hot path keeps it)
        self.guard = plan[1] if plan is not None else False
        # id(form) -> (form, its fused entry: a Numba dispatcher, nothing compiled until asked)
        self._entries: dict[int, tuple[Any, Any]] = {}
        # (id(form), argument types) -> the fused entry when compiled, a job while compiling, None: it failed
        self._state: dict[tuple[int, Any], Any] = {}
        # the same key -> hot entries to upgrade when its compile ends
        self._waiting: dict[tuple[int, Any], list[Any]] = {}
        self._lock = threading.Lock()

    def _entry_for(self, form: Any) -> Any:
        got = self._entries.get(id(form))
        if got is not None and got[0] is form:
            return got[1]
        scope: dict[str, Any] = {"_form": form, "_Miss": CheckMiss, **_numba_helpers()}
        assert self.source is not None
        exec(compile(self.source, f"<polyray fused entry of {self.function}>", "exec"), scope)  # noqa: S102 - from Param names
        if "_polyray_guard" in scope:
            import numba

            scope["_guard"] = numba.njit(scope["_polyray_guard"])
        fn = next(v for k, v in scope.items() if k.startswith("_polyray_fused_"))
        import numba

        jitted = numba.njit(error_model="numpy", boundscheck=False)(fn)  # (exec'd: no on-disk cache)
        refuse_compiling(jitted)
        if len(self._entries) >= 8:
            self._entries.clear()
        self._entries[id(form)] = (form, jitted)
        return jitted

    def offer(self, form: Any, args: tuple[Any, ...], hot_entry: Any) -> None:
        """Make ``hot_entry`` (hot.Entry, running ``form``) run the fused entry for ``args``' types: now when it
        is compiled, else when its compile (started here unless under way) ends; never when it fails."""
        if self.source is None:
            return
        from .variants import call_signature

        key = (id(form), call_signature(args))
        with self._lock:
            state = self._state.get(key, _MISSING)
            if state is None:  # it failed to compile: the Python checks
                return
            if state is not _MISSING and state is not _COMPILING:
                _upgrade(hot_entry, state)
                return
            self._waiting.setdefault(key, []).append(hot_entry)
            if state is _COMPILING:
                return
            if len(self._state) >= 64:
                self._state.clear()
                self._waiting = {key: self._waiting[key]}
            self._state[key] = _COMPILING
        try:
            import numba

            types = tuple(numba.typeof(a) for a in args)
            fused = self._entry_for(form)
        except Exception:  # noqa: BLE001 - an argument Numba cannot type, a broken numba: the Python checks
            self._finish(key, None)
            return

        def work(job: background.Job) -> None:
            try:
                fused.compile(types)
            except Exception:  # noqa: BLE001 - typing, lowering: the Python checks stay
                self._finish(key, None)
            else:
                self._finish(key, fused)

        # always on the worker, also under POLYRAY_JIT_WAIT (which makes a call wait for its variant, not for
        # this): the call that settled returns first (gated), so no call's time includes this compile
        background.submit(key, work, gated=True)

    def _finish(self, key: tuple[int, Any], fused: Any) -> None:
        with self._lock:
            self._state[key] = fused
            waiting = self._waiting.pop(key, [])
        if fused is not None:
            for e in waiting:
                _upgrade(e, fused)


def refuse_compiling(jitted: Any) -> None:
    """A call of ``jitted`` with argument types it was not compiled for raises HotMiss instead of compiling
    (Numba's C dispatcher calls the instance's ``_compile_for_args`` then): fused entries are compiled by
    :meth:`Fusion.offer` alone, and called by the hot path alone."""
    from .jitting import HotMiss

    def _compile_for_args(*args: Any, **kws: Any) -> Any:
        raise HotMiss()

    jitted._compile_for_args = _compile_for_args


_MISSING: Final = object()
_COMPILING: Final = object()


def _upgrade(hot_entry: Any, fused: Any) -> None:
    # (run first, checked second: a hot call between the two runs the fused entry after the Python checks)
    hot_entry.run = fused
    hot_entry.checked = True
