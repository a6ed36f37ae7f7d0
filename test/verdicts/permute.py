"""An independent check of Polyray's "parallel" loop verdicts: run the loop's iterations in
another order, in plain Python, and require the same results.

    .venv/bin/python test/verdicts/permute.py FILE.py [--report R.json] [--sizes 0,1,2,3,5,8]

For every loop that the report (`polyray compile IN.py -o OUT.py --report R.json`:
functions[].loops[] with line, col, var, parallel, reason) calls parallel, a copy of the
ORIGINAL source is made in which that one `for` statement, found with Python's own `ast`
(the For node at that line whose target is that variable), iterates over
`_polyray_vc_order(<its iterable, verbatim>)`: the whole range of every execution of the
loop, reversed, or shuffled (seeded per execution). Only the loop's iterable is wrapped, by
the node's offsets, so every other character of the source stays as written. The copy
runs on the same inputs as the original, and the outcome must be the same: the return
value, every array argument after the call, and the exception type. Floats are compared
bit for bit (NaN equal to NaN, -0.0 different from 0.0), except for a loop the report calls
parallel *because* its carried dependence is a recognized reduction (`s += ...`): summing
in another order rounds differently, so there floats get a tight relative tolerance and
integers stay exact. (Today's compiler reports reductions as sequential, loop-verdicts.ts:
"this build runs reductions sequentially"; the tolerance only applies if that changes.)

What a verdict claims, and so what is compared. loop-verdicts.ts says "no dependence is
carried by v: its iterations are independent whenever every subscript is in bounds"; the
guard (and the speculative rollback) handle the rest. So:

* a call in which a computed subscript or slice bound inside the loop is negative (Python
  wraps it; the model does not, the guard refuses the call) is outside the claim and not
  compared. Negative constants (`A[-1]`, `B[1:-1]`, `1 - 3`) are inside it: they mean what
  NumPy means, and the model must say so (issue 15 item 2); so are computed integer subscripts
  in a loop whose reason says one "reads from the end where its index is negative" (`u[i - 1]`
  at i = 0 reads the last element, as the model then says: poly/negative-indices.ts). The
  probes are other wrappers, `_polyray_vc_ix(...)` around every non-constant slice bound (and
  subscript) and `_polyray_vc_el(...)` around every non-constant subscript of such a loop;
* a call whose exception was raised inside an execution of the loop ran a different set of
  iterations in another order (another iteration may raise first): the permuted run must
  raise too, in the same execution of the loop, but its type and the arrays may differ;
* any other call (it returns, or raises before or after the loop) must give the same
  return value or exception type and the same arrays.

The final values of names the loop assigns (its variable, private scalars) are those of its
last iteration: when the function reads such a name outside the loop, the permutation keeps
the last iteration last and reorders the others.

Each copy also runs once in the original order (identity), which must reproduce the
original exactly: a check of the rewrite itself.
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ORDER_HELPER = "_polyray_vc_order"
INDEX_HELPER = "_polyray_vc_ix"
#: around a subscript that names an element, in a loop whose reason says a negative one reads from the
#: end (poly/negative-indices.ts): only a negative value in an index array is outside the claim there
ELEMENT_HELPER = "_polyray_vc_el"
WRAPS_REASON = re.compile(r"reads from the end where its index is negative")
ORDERS = ("reversed", "shuffled", "concurrent")
#: a recognized reduction the report calls parallel: summing in another order rounds differently
REDUCTION_RTOL = 1e-10
REDUCTION_ATOL = 1e-12
REDUCTION_REASON = re.compile(r"\breduction\b", re.I)


class CheckError(Exception):
    """The checker could not do its job (no such loop, a rewrite that does not parse)."""


@dataclass
class Failure:
    """A permuted run that gave another result: the verdict is wrong (or the checker is)."""

    file: str
    function: str
    line: int
    var: str
    order: str
    call: int
    detail: str

    def __str__(self) -> str:
        how = {"reversed": "run in reverse order", "shuffled": "run in a shuffled order",
               "concurrent": "run as if at the same time (each from the arrays as they were when the loop started)"}
        return (f"{self.file}: {self.function}, loop `for {self.var}` at line {self.line} is reported parallel, "
                f"but its iterations {how.get(self.order, self.order)} give another result (call {self.call}): {self.detail}")


@dataclass
class LoopStats:
    function: str
    line: int
    var: str
    reduction: bool = False
    keep_last: bool = False
    compared: int = 0  # calls compared in full (no exception inside the loop)
    nontrivial: int = 0  # executions of the loop with 2 or more iterations in compared calls
    raised_inside: int = 0  # calls whose exception came from inside the loop
    outside_claim: int = 0  # calls with a negative computed subscript or slice bound in the loop
    concurrent_skipped: int = 0  # executions the concurrent order ran in the original order (over its budget)


@dataclass
class Result:
    failures: list[Failure] = field(default_factory=list)
    loops: list[LoopStats] = field(default_factory=list)

    def summary(self) -> str:
        return "; ".join(f"{s.function}:{s.line} {s.var}: {s.compared} compared ({s.nontrivial} executions of 2+ iterations), "
                         f"{s.raised_inside} raised inside, {s.outside_claim} outside the claim"
                         + (f", {s.concurrent_skipped} executions not run concurrently (budget)" if s.concurrent_skipped else "")
                         for s in self.loops)


# ------------------------------------------------------------------------------ the rewrite

def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for k, b in enumerate(data):
        if b == 0x0A:
            starts.append(k + 1)
    return starts


def _literal(node: ast.expr) -> bool:
    """A constant expression (`-1`, `1 - 3`): a negative one in `A[-1]` or `B[1:-1]` means
    NumPy's count from the end, as the model reads it too."""
    return all(isinstance(n, (ast.Constant, ast.UnaryOp, ast.BinOp, ast.operator, ast.unaryop)) for n in ast.walk(node))


def _probed(loop: ast.For, wraps: bool = False) -> list[tuple[ast.expr, str]]:
    """Every non-literal subscript (ELEMENT_HELPER where the model wraps negative ones, else INDEX_HELPER) and
    slice bound (INDEX_HELPER) inside the loop (its body and iterable)."""
    out: list[tuple[ast.expr, str]] = []
    for node in ast.walk(loop):
        if not isinstance(node, ast.Subscript):
            continue
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for p in parts:
            if isinstance(p, ast.Slice):
                out += [(b, INDEX_HELPER) for b in (p.lower, p.upper, p.step) if b is not None and not _literal(b)]
            elif not _literal(p) and not isinstance(p, ast.Starred):
                out.append((p, ELEMENT_HELPER if wraps else INDEX_HELPER))
    return out


def find_loop(tree: ast.AST, line: int, var: str, col: int | None = None) -> ast.For:
    found = [n for n in ast.walk(tree) if isinstance(n, ast.For) and n.lineno == line
             and isinstance(n.target, ast.Name) and n.target.id == var]
    if col is not None and len(found) > 1:
        found = [n for n in found if n.col_offset == col - 1] or found
    if len(found) != 1:
        raise CheckError(f"no single `for {var} in ...` statement at line {line} ({len(found)} found)")
    return found[0]


def _enclosing_function(tree: ast.AST, loop: ast.For) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(n is loop for n in ast.walk(fn)):
            inner = [f for f in ast.walk(fn) if f is not fn and isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and any(n is loop for n in ast.walk(f))]
            if not inner:
                return fn
    return None


def live_after(tree: ast.AST, loop: ast.For) -> set[str]:
    """Names the loop assigns that the function reads outside the loop (its variable, private
    scalars): their final values come from the last iteration, so that one must stay last."""
    inside = {id(n) for n in ast.walk(loop)}
    assigned = {n.id for n in ast.walk(loop) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    fn = _enclosing_function(tree, loop) or tree
    read: set[str] = set()
    for n in ast.walk(fn):
        if id(n) in inside:
            continue
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            read.add(n.id)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):  # `s += 1` reads s
            read.add(n.target.id)
    return assigned & read


def written_names(loop: ast.For) -> set[str]:
    """Names whose arrays the loop may write: subscript and augmented-assignment targets (their
    root name: `A[i][j] = ...` writes A) and names it binds (`row = A[i]` then `row[j] = ...`)."""
    out: set[str] = set()
    for n in ast.walk(loop):
        targets: list[ast.expr] = []
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = list(n.targets) if isinstance(n, ast.Assign) else [n.target]
        while targets:
            node = targets.pop()
            if isinstance(node, (ast.Tuple, ast.List)):
                targets += node.elts
                continue
            while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
                node = node.value
            if isinstance(node, ast.Name):
                out.add(node.id)
    return out


def rewrite(source: str, line: int, var: str, col: int | None = None, wraps: bool = False) -> str:
    """The source with that one loop iterating over `_polyray_vc_order(...)` and its
    non-literal subscripts wrapped in `_polyray_vc_ix(...)`; every other character verbatim."""
    tree = ast.parse(source)
    loop = find_loop(tree, line, var, col)
    data = source.encode("utf-8")
    starts = _line_starts(data)

    def span(node: ast.expr) -> tuple[int, int]:
        # ast's col offsets count UTF-8 bytes
        return starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[operator]

    wraps = [(span(loop.iter), ORDER_HELPER)] + [(span(e), helper) for e, helper in _probed(loop, wraps)]
    # the concurrent order needs the arrays the loop writes: the names, and the frame's locals at its start
    names = sorted(written_names(loop))
    written = ", ".join(map(repr, names)) + ("," if len(names) == 1 else "")
    order_tail = f", locals(), ({written}))".encode()
    # insertions: at one position, closings before openings; inner closings first, outer openings first
    events: list[tuple[int, int, int, bytes]] = []
    for (a, b), helper in wraps:
        events.append((a, 1, -(b - a), f"{helper}(".encode()))
        events.append((b, 0, b - a, order_tail if helper == ORDER_HELPER else b")"))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out, pos = [], 0
    for at, _, _, text in events:
        out += [data[pos:at], text]
        pos = at
    out.append(data[pos:])
    new = b"".join(out).decode("utf-8")
    try:
        ast.parse(new)
    except SyntaxError as exc:  # pragma: no cover - a bug of the rewrite, not of the compiler
        raise CheckError(f"the rewrite of the loop at line {line} does not parse: {exc}") from exc
    return new


# ------------------------------------------------------------------------------ running

#: the concurrent order snapshots and diffs the written arrays after every iteration: at most
#: this many element copies per call (past it, executions run in the original order)
CONCURRENT_BUDGET = 4_000_000


def _changed(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Elements whose bits differ (NaN equal to NaN, -0.0 unlike 0.0)."""
    if now.dtype.kind == "c":
        return _changed(now.real, before.real) | _changed(now.imag, before.imag)
    if now.dtype.kind != "f":
        return now != before
    both_nan = np.isnan(now) & np.isnan(before)
    return ~both_nan & ((now != before) | (np.signbit(now) != np.signbit(before)))


def _owner(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


class Probe:
    """State of one run of a rewritten copy: how the loop was iterated, what the subscripts were.

    Orders: "identity", "reversed", "shuffled" (seeded per execution), and "concurrent": the
    iterations in the original order, but each one on the arrays as they were when the
    execution started, their writes merged at its end, as if all ran at the same time. A
    permutation cannot see a dependence between iterations that all do the same thing (a time
    loop that never reads t: B = f(A); A = f(B) gives the same in any order); run
    concurrently, every step reads the first A, and two iterations that write one element (an
    output dependence) are reported as such."""

    def __init__(self, order: str, keep_last: bool, seed: int = 0) -> None:
        self.order, self.keep_last, self.seed = order, keep_last, seed
        self.executions = 0  # executions of the loop started
        self.active = False  # an execution is under way (not exhausted): an exception now comes from inside
        self.nontrivial = 0
        self.negative: str | None = None
        self.conflict: str | None = None
        self.budget = CONCURRENT_BUDGET
        self.over_budget = 0

    def order_of(self, iterable: Iterable[Any], frame: dict[str, Any] | None = None, written: Sequence[str] = ()) -> Iterable[Any]:
        items = list(iterable)
        self.executions += 1
        if len(items) >= 2:
            self.nontrivial += 1
        if self.order == "concurrent":
            arrays = {}
            for name in written:
                value = (frame or {}).get(name)
                if isinstance(value, np.ndarray) and _owner(value).flags.writeable:
                    arrays.setdefault(id(_owner(value)), (name, _owner(value)))
            cost = len(items) * sum(a.size for _, a in arrays.values())
            if cost <= self.budget:
                self.budget -= cost
                return self._concurrent(items, list(arrays.values()))
            self.over_budget += 1
            return self._run(items)
        head, tail = (items[:-1], items[-1:]) if self.keep_last else (items, [])
        if self.order == "reversed":
            head.reverse()
        elif self.order == "shuffled":
            random.Random(f"{self.seed}:{self.executions}:{len(items)}").shuffle(head)
        return self._run(head + tail)

    def _run(self, items: list[Any]) -> Iterable[Any]:
        self.active = True
        yield from items
        self.active = False

    def _concurrent(self, items: list[Any], arrays: list[tuple[str, np.ndarray]]) -> Iterable[Any]:
        self.active = True
        start = [a.copy() for _, a in arrays]
        merged = [a.copy() for _, a in arrays]
        writer = [np.full(a.shape, -1, dtype=np.int64) for _, a in arrays]
        for k, item in enumerate(items):
            yield item
            # iteration k is done: keep what it wrote, give the next one the arrays as they were
            for (name, a), s, m, w in zip(arrays, start, merged, writer):
                changed = _changed(a, s)
                if changed.any():
                    clash = changed & (w >= 0)
                    if clash.any() and self.conflict is None:
                        at = tuple(int(v) for v in np.argwhere(clash)[0])
                        self.conflict = (f"iterations {items[int(w[at])]!r} and {item!r} (execution {self.executions}) both write "
                                         f"{name}{list(at)}: an output dependence between iterations")
                    m[changed] = a[changed]
                    w[changed] = k
                    np.copyto(a, s)
        for (_, a), m in zip(arrays, merged):
            np.copyto(a, m)
        self.active = False

    def index(self, value: Any) -> Any:
        if self.negative is None:
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value < 0:
                self.negative = f"a subscript evaluated to {int(value)}"
            elif isinstance(value, np.ndarray) and value.dtype.kind == "i" and value.size and value.min() < 0:
                self.negative = "an index array holds a negative value"
        return value

    def element(self, value: Any) -> Any:
        if self.negative is None and isinstance(value, np.ndarray) and value.dtype.kind == "i" and value.size and value.min() < 0:
            self.negative = "an index array holds a negative value"
        return value


@dataclass
class Outcome:
    kind: str  # "ok" or the exception's type name
    value: Any  # the return value, or the exception message
    arrays: list[Any]
    inside: int | None = None  # the execution of the loop the exception came from, if any


def copy_args(args: Sequence[Any]) -> list[Any]:
    return [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]


def load(source: str, name: str, filename: str, probe: Probe | None = None) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": f"polyray_verdict_check_{abs(hash(filename)) % 10**8}", "__file__": filename}
    if probe is not None:
        namespace[ORDER_HELPER] = probe.order_of
        namespace[INDEX_HELPER] = probe.index
        namespace[ELEMENT_HELPER] = probe.element
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the kernel file under test
    return namespace[name]


def run(fn: Callable[..., Any], args: Sequence[Any], probe: Probe | None = None) -> Outcome:
    mine = copy_args(args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = fn(*mine)
            kind = "ok"
        except Exception as exc:  # noqa: BLE001 - the exception is the outcome compared
            kind, value = type(exc).__name__, str(exc)
    inside = probe.executions if probe is not None and kind != "ok" and probe.active else None
    return Outcome(kind, value, [a for a in mine if isinstance(a, np.ndarray)], inside)


# ------------------------------------------------------------------------------ comparing

def _same_floats(a: np.ndarray, b: np.ndarray) -> bool:
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    ok = ~nan_a
    return bool(np.array_equal(a[ok], b[ok]) and np.array_equal(np.signbit(a[ok]), np.signbit(b[ok])))


def same(a: Any, b: Any, tolerant: bool = False) -> bool:
    """Bit for bit (NaN equal to NaN, -0.0 unlike 0.0); with `tolerant`, floats within a tight
    relative tolerance (a reordered reduction) and integers still exact."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y, tolerant) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b) and not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return False
    try:
        x, y = np.asarray(a), np.asarray(b)
    except Exception:  # noqa: BLE001 - not array-like: plain equality
        return bool(a == b)
    if x.dtype == object or y.dtype == object:
        return bool(a == b)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind == "c":
        return same(x.real.copy(), y.real.copy(), tolerant) and same(x.imag.copy(), y.imag.copy(), tolerant)
    if x.dtype.kind != "f":
        return bool(np.array_equal(x, y))
    if tolerant:
        return bool(np.allclose(x, y, rtol=REDUCTION_RTOL, atol=REDUCTION_ATOL, equal_nan=True))
    return _same_floats(x, y)


def difference(want: Outcome, got: Outcome, tolerant: bool, names: Sequence[str]) -> str | None:
    """What differs between the original's outcome and a permuted run's, or None."""
    if want.inside is not None:
        # the original raised inside the loop: another order runs other iterations first, so
        # only "it raises too, in the same execution of the loop" is required
        if got.kind == "ok":
            return f"the original raised {want.kind} inside the loop; the permuted run returned"
        if got.inside != want.inside:
            return (f"the original raised {want.kind} in execution {want.inside} of the loop; the permuted run raised "
                    f"{got.kind} " + (f"in execution {got.inside}" if got.inside else "outside the loop"))
        return None
    if want.kind != got.kind:
        return f"outcome: original {want.kind}({str(want.value)[:120]!r}) vs permuted {got.kind}({str(got.value)[:120]!r})"
    if want.kind == "ok" and not same(want.value, got.value, tolerant):
        return f"return value: original {want.value!r:.200} vs permuted {got.value!r:.200}"
    for k, (x, y) in enumerate(zip(want.arrays, got.arrays)):
        if not same(x, y, tolerant):
            name = names[k] if k < len(names) else f"array argument {k}"
            where = ""
            if x.shape == y.shape and x.dtype == y.dtype:
                diff = np.argwhere(~((x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind in "fc" else (x == y)))
                if len(diff):
                    i = tuple(int(v) for v in diff[0])
                    where = f" (first at {list(i)}: {x[i]!r} vs {y[i]!r}; {len(diff)} elements differ)"
            return f"array {name} differs after the call{where}"
    return None


# ------------------------------------------------------------------------------ the check

def parallel_loops(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f["name"], lp) for f in report.get("functions", []) for lp in f.get("loops", []) if lp.get("parallel")]


def check_source(source: str, report: dict[str, Any], calls: dict[str, list[Sequence[Any]]], file: str = "<source>",
                 seed: int = 0) -> Result:
    """Every loop the report calls parallel, against its function's calls (positional arguments).
    A function with parallel loops but no calls is a CheckError: nothing would be checked."""
    result = Result()
    tree = ast.parse(source)
    array_names: dict[str, list[str]] = {}
    for name, lp in parallel_loops(report):
        if name not in calls:
            raise CheckError(f"{file}: {name} has parallel loops but no inputs to check them with")
        if name not in array_names:
            params = next((f.get("params") for f in report["functions"] if f["name"] == name), None) or []
            array_names[name] = [p["name"] for p in params if p.get("kind") == "array"]
        loop = find_loop(tree, lp["line"], lp["var"], lp.get("col"))
        stats = LoopStats(name, lp["line"], lp["var"], reduction=bool(REDUCTION_REASON.search(lp.get("reason", ""))),
                          keep_last=bool(live_after(tree, loop)))
        result.loops.append(stats)
        copy = rewrite(source, lp["line"], lp["var"], lp.get("col"), wraps=bool(WRAPS_REASON.search(lp.get("reason", ""))))
        original = load(source, name, file)
        for k, args in enumerate(calls[name]):
            want = run(original, args)
            ident = Probe("identity", stats.keep_last)
            got = run(load(copy, name, file, ident), args, ident)
            if ident.negative:
                stats.outside_claim += 1
                continue
            want.inside = got.inside
            # the rewrite itself must not change anything
            if (want.kind != got.kind or (want.kind == "ok" and not same(want.value, got.value))
                    or any(not same(x, y) for x, y in zip(want.arrays, got.arrays))):
                result.failures.append(Failure(file, name, lp["line"], lp["var"], "in the original order (the rewrite)", k,
                                               "the rewritten copy differs from the original: a bug of the checker"))
                continue
            if want.inside is not None:
                stats.raised_inside += 1
            else:
                stats.compared += 1
                stats.nontrivial += ident.nontrivial
            for order in ORDERS:
                probe = Probe(order, stats.keep_last, seed=seed * 7919 + k)
                permuted = run(load(copy, name, file, probe), args, probe)
                stats.concurrent_skipped += probe.over_budget
                if probe.negative:  # another order reached a wrapping subscript first: outside the claim too
                    continue
                diff = probe.conflict or difference(want, permuted, stats.reduction, array_names[name])
                if diff:
                    result.failures.append(Failure(file, name, lp["line"], lp["var"], order, k, diff))
                    break
            if result.failures and result.failures[-1].line == lp["line"] and result.failures[-1].function == name:
                break  # one failure per loop is enough to name it
    return result


# ------------------------------------------------------------------------------ compiling and inputs

def compile_report(path: Path) -> dict[str, Any]:
    """The report of `polyray compile path` (the CLI, as a user runs it)."""
    with tempfile.TemporaryDirectory(prefix="polyray-verdicts-") as tmp:
        out, rep = Path(tmp) / "out.py", Path(tmp) / "report.json"
        proc = subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(path), "-o", str(out), "--report", str(rep)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not rep.exists():
            raise CheckError(f"polyray compile {path} failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
        return json.loads(rep.read_text())


_DTYPES = {"float64": np.float64, "float32": np.float32, "int64": np.int64, "int32": np.int32, "complex128": np.complex128,
           "bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "uint32": np.uint32, "int16": np.int16, "uint16": np.uint16,
           "complex64": np.complex64, "uint64": np.uint64}


def generic_calls(fn_report: dict[str, Any], sizes: Sequence[int] = (0, 1, 2, 3, 5, 8), seed: int = 0) -> list[list[Any]]:
    """Arguments from the report's parameter list alone (kind, dtype, rank): every int the
    size, every array that size along each dimension, random values of its dtype. For files
    whose tests build no inputs of their own."""
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        args: list[Any] = []
        for p in fn_report.get("params", []):
            if p["kind"] == "array":
                dt = _DTYPES.get(p.get("dtype") or "float64", np.float64)
                shape = (n,) * (p.get("ndim") or 1)
                if np.dtype(dt).kind == "b":
                    a = rng.random(shape) < 0.5
                elif np.dtype(dt).kind in "iu":
                    a = rng.integers(0, 10, shape).astype(dt)
                else:
                    a = (rng.random(shape) + 0.5).astype(dt)
                    if np.dtype(dt).kind == "c":
                        a = a + 1j * (rng.random(shape)).astype(dt)
                args.append(a)
            elif p["kind"] == "int":
                args.append(n)
            elif p["kind"] == "complex":
                args.append(0.5 + 0.25j)
            elif p["kind"] == "bool":
                args.append(True)
            else:
                args.append(1.5)
        out.append(args)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--report", type=Path, help="a report already written by `polyray compile --report` (else the CLI runs)")
    ap.add_argument("--sizes", default=None, help="sizes for inputs built from the report's parameters (default: the "
                                                  "inputs the tests build for a known kernel file, else 0,1,2,3,5,8)")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import inputs  # noqa: PLC0415 - the tests' inputs per kernel family

    report = json.loads(a.report.read_text()) if a.report else compile_report(a.file)
    source = a.file.read_text()
    sizes = tuple(int(s) for s in a.sizes.split(",")) if a.sizes else None
    calls = inputs.calls_for(a.file.resolve(), report, sizes)
    result = check_source(source, report, calls, str(a.file))
    for f in result.failures:
        print("FAIL", f)
    print(result.summary() or "no loop is reported parallel")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
