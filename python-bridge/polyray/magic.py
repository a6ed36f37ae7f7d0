"""``%%parallelize`` and ``%polyray``: Polyray in any Jupyter front end.

How a ``%%parallelize`` cell runs
---------------------------------
1. The cell body goes through IPython's input transformers (so ``!cmd`` and
   line magics keep working) and is parsed. If it does not parse, the
   compiler's diagnostic is shown (``cell:LINE:COL: error: ...``) and the cell
   runs as plain Python, which raises the usual SyntaxError.
2. The *kernel source* is compiled: the body with every top-level statement
   other than ``import``, ``from ... import`` and ``def`` replaced by empty
   lines, and one empty line in front standing for the ``%%parallelize``
   line (so line numbers in reports are those of the cell as shown). Top-level
   statements therefore never run twice. The module comes from a module the
   frontend handed over (execute-request metadata ``polyray`` or a comm
   ``module`` message, used only when its hash matches, see
   :func:`handover_hash`), else the cache, else the compile service.
3. The module is written to ``$POLYRAY_CACHE_DIR/modules/<hash>.py`` (default
   ``~/.cache/polyray``) and imported from that file, so Numba's
   ``cache=True`` works.
4. The cell runs in the user namespace exactly as without the magic (its last
   expression is displayed), except that right after each top-level ``def`` of
   an accelerated function its name is rebound to the module's wrapper (the
   dispatcher), and the dispatcher's fallback is the function the cell just
   defined (so the original sees the notebook's globals). Functions without
   hints are wrapped for profiling (:mod:`polyray.profiling`).
5. ``--target`` sets ``POLYRAY_TARGET`` while the cell runs (calls made later,
   from other cells, use the environment as it is then).
6. ``--numerics exact|close`` picks the numerics mode the cell is compiled for
   (then ``POLYRAY_NUMERICS``, then the extension's setting, then ``close``:
   polyray/numerics.py); a module the frontend compiled for another mode is
   not used.

Accelerated functions may only use their parameters, locals and imported
modules: the compiler refuses names from earlier cells, and such a function
keeps only its original (the report says why). Compile problems never block a
cell: it then runs as plain Python and the output says why.
"""

from __future__ import annotations

import ast
import importlib
import hashlib
import os
import sys
import threading
import time
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from . import cache
from . import cell_compiles
from . import numerics
from .compile_service import CompileServiceError, get_service
from .profiling import ProfilingWrapper, hinted_source, profilable
from .profiling import adopt_original as _adopt_original
from .report_display import aggregator

TARGET_CHOICES = ("auto", "cpu", "gpu", "ray", "original")
BIND_NAME = "__polyray_bind__"


def handover_hash(body: str, version: str | None = None) -> str:
    """sha256 of ``COMPILER_VERSION + "\\n" + body`` (body: the cell text after the %%parallelize line)."""
    v = cache.compiler_version() if version is None else version
    return hashlib.sha256(f"{v}\n{body}".encode("utf-8")).hexdigest()


def kernel_source(tree: ast.Module, text: str) -> str:
    """The text the compiler sees: imports and defs only, other lines empty, line 1 free."""
    lines = text.split("\n")
    keep = [False] * len(lines)
    drop = [False] * len(lines)
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        mark = keep if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef)) else drop
        for k in range(first - 1, min(last, len(lines))):
            mark[k] = True
    out = [line if keep[k] and not drop[k] else "" for k, line in enumerate(lines)]
    return "\n".join(["", *out])


def explain_text(report: dict[str, Any]) -> str:
    """The compile report for people (``--explain``)."""
    out = []
    for fn in report.get("functions", []):
        head = f"{fn['name']} (line {fn.get('line')}): "
        head += "accelerated, variants " + ", ".join(fn.get("variants", [])) if fn.get("accelerated") else "original only"
        out.append(head)
        if fn.get("numerics"):
            out.append(f"  numerics: {fn['numerics']}")
        for n in fn.get("closeNotes", []):
            out.append(f"  line {n.get('line')}: {n.get('operation')}: {n.get('bound')}")
        for loop in fn.get("loops", []):
            verdict = "parallel" if loop.get("parallel") else "not parallel"
            out.append(f"  line {loop.get('line')}: for {loop.get('var')}: {verdict}: {loop.get('reason', '')}")
        for d in fn.get("diagnostics", []):
            out.append(f"  cell:{d.get('line')}:{d.get('col')}: {d.get('severity')}: {d.get('message')}")
    return "\n".join(out) or "no functions"


class CellCompile:
    """The outcome of compiling one cell: a module (or None) and why."""

    def __init__(self) -> None:
        self.module: Any = None
        self.report: dict[str, Any] | None = None
        self.source = ""
        self.note = ""
        self.origin = ""  # frontend | cache | service
        self.compiled_by = ""  # where: "browser-worker" (JupyterLab extension), "compile-service", "cache"
        self.ms = 0.0
        #: set when the compile was not ready within the budget (cell_compiles.py): the cell runs as written
        self.not_ready = ""
        self.pending: Any = None  # (then) the compile under way, cell_compiles.Pending


def _print_err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _diag_lines(diags: list[dict[str, Any]]) -> str:
    return "\n".join(f"cell:{d.get('line')}:{d.get('col')}: {d.get('severity', 'error')}: {d.get('message')}" for d in diags)


@magics_class
class PolyrayMagics(Magics):
    """``%%parallelize`` and ``%polyray``."""

    # -- compiling ----------------------------------------------------------------
    def _request_meta(self) -> dict[str, Any] | None:
        """The execute request's ``polyray`` metadata (the JupyterLab extension's hand-over), if any."""
        kernel = getattr(self.shell, "kernel", None)
        try:
            parent = kernel.get_parent() if kernel is not None else {}
        except Exception:  # noqa: BLE001
            parent = {}
        meta = (parent or {}).get("metadata", {}).get("polyray") if isinstance(parent, dict) else None
        return meta if isinstance(meta, dict) else None

    def _handed_meta(self, body: str) -> dict[str, Any] | None:
        """The hand-over when it was made for exactly this cell text and compiler (module or diagnostics)."""
        meta = self._request_meta()
        if meta is not None and meta.get("sha256") == handover_hash(body) and meta.get("compiler") == cache.compiler_version():
            return meta
        return None

    def _handed_module(self, body: str) -> dict[str, Any] | None:
        """A module the frontend compiled for exactly this cell text, if any."""
        from .comm import handed_modules

        sha = handover_hash(body)
        candidates = []
        meta = self._request_meta()
        if meta is not None:
            candidates.append(meta)
        if sha in handed_modules:
            candidates.append(handed_modules.pop(sha))
        for c in candidates:
            if c.get("sha256") == sha and c.get("compiler") == cache.compiler_version() and isinstance(c.get("module"), str):
                return c
        return None

    def _frontend_not_ready(self, body: str) -> str:
        """The extension's note when its compile of exactly this cell was not ready within its budget
        (hand-over metadata ``not_ready``, executor.ts), else ""."""
        meta = self._handed_meta(body) if body else None
        note = meta.get("not_ready") if meta is not None else None
        return note if isinstance(note, str) and note else ""

    #: The numerics mode of the cell being run (set by ``parallelize``; None: resolve from the environment).
    _numerics_mode: str | None = None

    def _compile(self, body: str, source: str, no_cache: bool, wait: float | None = None) -> CellCompile:
        """The cell's module: the frontend's, the cache's, or the compile service's, for which the cell waits
        ``wait`` seconds at most (None: as long as it takes); past that, ``not_ready`` says so and the compile
        finishes in the background (cell_compiles.py)."""
        result = CellCompile()
        result.source = source
        start = time.perf_counter()
        mode = self._numerics_mode or numerics.resolve()
        handed = None if no_cache else self._handed_module(body)
        # a frontend module made for the other mode is not this cell's module (older frontends compiled with the default)
        if handed is not None and handed.get("numerics", numerics.DEFAULT) != mode:
            handed = None
        key = cache.module_key(source, None, mode)
        if handed is not None:
            module_text, report, result.origin = handed["module"], handed.get("report") or {"functions": []}, "frontend"
            result.compiled_by = str(handed.get("compiled_by") or "frontend")
            key = "frontend_" + handed["sha256"]  # never poisons the compile cache's entries
        else:
            hit = None if no_cache else cache.lookup(key)
            if hit is not None:
                (module_text, report), result.origin = hit, "cache"
            elif wait is not None and (frontend_note := self._frontend_not_ready(body)):
                # the JupyterLab extension's Worker did not finish within its budget: it hands the module over
                # the comm when done (comm.handed_modules, used by the cell's next run); no Node here meanwhile
                result.not_ready = frontend_note
                return result
            else:
                outcome, pending = cell_compiles.compile_within(
                    key, lambda: _service_compile(key, source, mode), wait, _settle(key, self.shell))
                if outcome is None:
                    result.pending = pending
                    result.not_ready = cell_compiles.not_ready_note(pending)
                    result.ms = pending.seconds() * 1e3
                    return result
                if outcome.module is None:
                    result.note = outcome.note
                    return result
                module_text, report, result.origin = outcome.module, outcome.report or {}, "service"
        if not result.compiled_by:
            result.compiled_by = "compile-service" if result.origin == "service" else result.origin
        try:
            # (a service compile was stored by _service_compile, in its thread: not written or read back again)
            path = cache.cache_dir() / f"{key}.py" if result.origin == "service" else cache.store(key, module_text, report)
            with cell_compiles.import_lock:  # (a compile finished in the background may be importing it)
                result.module = cache.import_file(path, key, fresh=no_cache)
            result.report = report
        except Exception as exc:  # noqa: BLE001 - a module that cannot be imported means original only
            result.module = None
            result.note = f"polyray: the generated module could not be imported ({type(exc).__name__}: {exc}); the cell runs as plain Python"
        result.ms = (time.perf_counter() - start) * 1e3
        return result

    def _profile_builder(self, tree: ast.Module, text: str, node: ast.FunctionDef, fn: Any) -> Any:
        base = kernel_source(ast.Module(body=[n for n in tree.body if not isinstance(n, ast.FunctionDef) or n is node],
                                        type_ignores=[]), text)

        def build(hints: dict[str, str]) -> tuple[Any, str]:
            source = hinted_source(base, node, hints)
            compiled = self._compile("", source, no_cache=False)
            if compiled.module is None:
                return None, f"profiling: {compiled.note or 'not compiled'}"
            entry = next((f for f in (compiled.report or {}).get("functions", []) if f.get("name") == node.name), None)
            if entry is None or not entry.get("accelerated"):
                why = [d.get("message") for d in (entry or {}).get("diagnostics", [])]
                return None, "profiling: hints " + ", ".join(f"{k}: {v}" for k, v in hints.items()) + \
                    " were inserted but the function stays original" + (f" ({why[0]})" if why else "")
            wrapper = getattr(compiled.module, node.name, None)
            if wrapper is None:
                return None, "profiling: the generated module has no wrapper"
            _adopt_original(compiled.module, node.name, fn)
            owner = aggregator().owner.get(node.name)
            for f in owner.functions if owner is not None else []:
                if f.get("name") == node.name:
                    f.update({k: v for k, v in entry.items() if k != "name"})
                    f["profiled"] = True
            return wrapper, "profiling: specialized to " + ", ".join(f"{k}: {v}" for k, v in hints.items())

        return build

    # -- the cell magic ---------------------------------------------------------------
    @magic_arguments()
    @argument("--target", choices=TARGET_CHOICES, default=None, help="variant to run for calls made in this cell")
    @argument("--cluster", default=None, help="Ray cluster address to use")
    @argument("--explain", action="store_true", help="print the compile report")
    @argument("--no-cache", action="store_true", help="compile again, ignoring the module cache")
    @argument("--numerics", choices=numerics.MODES, default=None,
              help="close (results equal up to floating-point rounding, within documented bounds) or exact (bit for bit)")
    @cell_magic
    def parallelize(self, line: str, cell: str) -> Any:
        """Run the cell with its type-hinted functions replaced by Polyray dispatchers."""
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        args = parse_argstring(self.parallelize, line)
        shell = self.shell
        assert shell is not None
        meta = self._handed_meta(cell)
        if meta is not None:
            _apply_frontend_settings(args, meta)
        if args.cluster:
            from . import cluster

            try:
                cluster.connect(args.cluster)
            except cluster.ClusterUnreachable as exc:  # names the address already
                _print_err(f"polyray: {exc}")
            except Exception as exc:  # noqa: BLE001
                _print_err(f"polyray: cannot connect to the Ray cluster at {args.cluster}: {exc}")
        text = shell.transform_cell(cell)
        try:
            tree = ast.parse(text)
        except SyntaxError:
            self._report_syntax_error(text, meta)
            return self._run_plain(text)

        source = kernel_source(tree, text)
        self._numerics_mode = numerics.resolve(args.numerics)
        forced = (args.target or os.environ.get("POLYRAY_TARGET", "auto") or "auto") != "auto"
        compiled = self._compile(cell, source, args.no_cache, cell_compiles.budget(forced_target=forced))
        if compiled.note:
            _print_err(compiled.note)
        if compiled.not_ready:
            return self._run_as_written(tree, text, compiled)
        report = compiled.report or {"functions": []}
        if args.explain and compiled.report is not None:
            print(explain_text(report), flush=True)

        module = compiled.module
        by_name = {f["name"]: f for f in report.get("functions", [])}
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        accelerated = {n.name for n in defs if module is not None and by_name.get(n.name, {}).get("accelerated")
                       and callable(getattr(module, n.name, None))}
        profiled = {n.name: n for n in defs if n.name not in accelerated and profilable(n)}

        functions = []
        for n in defs:
            entry = dict(by_name.get(n.name) or {"name": n.name, "line": n.lineno + 1, "accelerated": False,
                                                   "variants": ["original"], "loops": [], "diagnostics": []})
            entry["profiled"] = n.name in profiled
            functions.append(entry)
        agg = aggregator()
        if functions:
            note = f"compiled by {compiled.origin} in {compiled.ms:.0f} ms" if compiled.origin else "not compiled"
            if compiled.compiled_by == "browser-worker":
                note = f"compiled in the browser (Worker) in {float(meta.get('compile_ms') or 0):.0f} ms" if meta else note
            if args.target:
                note += f"; --target {args.target}"
            note += f"; numerics {self._numerics_mode}"
            cell_report = agg.new_cell(functions, {"origin": compiled.origin, "ms": compiled.ms, "note": note,
                                                   "target": args.target, "compiled_by": compiled.compiled_by,
                                                   "numerics": self._numerics_mode})
            agg.show(cell_report)
        last_compile.clear()
        last_compile.update({"origin": compiled.origin, "compiled_by": compiled.compiled_by, "ms": compiled.ms,
                             "functions": [f["name"] for f in functions]})

        def bind(name: str, fn: Any) -> Any:
            if name in accelerated:
                _adopt_original(module, name, fn)
                return getattr(module, name)
            node = profiled.get(name)
            if node is not None and callable(fn):
                return ProfilingWrapper(fn, self._profile_builder(tree, text, node, fn))
            return fn

        old_target = os.environ.get("POLYRAY_TARGET")
        if args.target:
            os.environ["POLYRAY_TARGET"] = args.target
        shell.user_ns[BIND_NAME] = bind
        try:
            return self._run_tree(tree, text, set(accelerated) | set(profiled))
        finally:
            shell.user_ns.pop(BIND_NAME, None)
            if accelerated:
                skipped = _compile_ahead(module, accelerated)
                for entry in functions:  # (the cell's report says so: the lane was full, background.py)
                    if entry["name"] in skipped:
                        entry["ahead"] = skipped[entry["name"]]
            if args.target:
                if old_target is None:
                    os.environ.pop("POLYRAY_TARGET", None)
                else:
                    os.environ["POLYRAY_TARGET"] = old_target
            agg.flush()

    def _run_as_written(self, tree: ast.Module, text: str, compiled: CellCompile) -> Any:
        """The compile was not ready within the budget: the cell runs exactly as it does without the magic,
        its report saying so (each def's compile column too); its compile finishes in the background, and a
        later run of the same cell uses the module (cell_compiles.py)."""
        __tracebackhide__ = True  # noqa: F841
        functions = [{"name": n.name, "line": n.lineno + 1, "accelerated": False, "variants": ["original"],
                      "loops": [], "diagnostics": [], "not_ready": compiled.not_ready}
                     for n in tree.body if isinstance(n, ast.FunctionDef)]
        agg = aggregator()
        cell_report = None
        by = "browser-worker" if compiled.pending is None else ""
        if functions:
            info = {"origin": "pending", "ms": compiled.ms, "note": compiled.not_ready, "target": None,
                    "compiled_by": by, "numerics": self._numerics_mode}
            cell_report = agg.new_cell(functions, info)
            agg.show(cell_report)
        last_compile.clear()
        last_compile.update({"origin": "pending", "compiled_by": by, "ms": compiled.ms, "note": compiled.not_ready,
                             "functions": [f["name"] for f in functions]})
        try:
            return self._run_tree(tree, text, set())
        finally:
            # what settling needs (_settle): the functions the cell defined, to rebind while still the user's
            if compiled.pending is not None:  # (None: the extension compiles it, and hands it over when done)
                ns = self.shell.user_ns
                compiled.pending.cell = {"defined": {f["name"]: ns.get(f["name"]) for f in functions},
                                         "report": cell_report}
            agg.flush()

    def _report_syntax_error(self, text: str, meta: dict[str, Any] | None = None) -> None:
        handed = (meta or {}).get("diagnostics")
        if isinstance(handed, list) and handed:  # the browser compiled it already: no compile service
            _print_err(_diag_lines([d for d in handed if isinstance(d, dict) and d.get("severity") == "error"][:3]))
            return
        # the compiler's diagnostics within the compile budget (cell_compiles), else Python's own message: a cell
        # that does not parse raises at once, not after Node's start (issue 19)
        answer: dict[str, Any] = {}

        def ask() -> None:
            try:
                res = get_service().compile("\n" + text, "cell.py")
                answer["diags"] = res.diagnostics if not res.ok else []
            except CompileServiceError:
                pass

        asking = threading.Thread(target=ask, daemon=True, name="polyray-syntax-report")
        asking.start()
        asking.join(cell_compiles.budget())
        diags = answer.get("diags") or []
        if diags:
            _print_err(_diag_lines([d for d in diags if d.get("severity") == "error"][:3]))
        else:
            try:
                ast.parse(text)
            except SyntaxError as exc:
                _print_err(f"cell:{(exc.lineno or 0) + 1}:{exc.offset or 0}: error: {exc.msg}")

    def _run_plain(self, text: str) -> Any:
        __tracebackhide__ = True  # noqa: F841
        shell = self.shell
        filename = shell.compile.cache(text, shell.execution_count)
        code = shell.compile(text, filename, "exec")  # raises the SyntaxError as plain Python would
        exec(code, shell.user_global_ns, shell.user_ns)
        return None

    def _run_tree(self, tree: ast.Module, text: str, rebind: set[str]) -> Any:
        """Run the cell's statements like IPython does (last expression displayed), rebinding defs."""
        __tracebackhide__ = True  # noqa: F841
        shell = self.shell
        tree = shell.transform_ast(tree)
        body: list[ast.stmt] = []
        for node in tree.body:
            body.append(node)
            if isinstance(node, ast.FunctionDef) and node.name in rebind:
                call = ast.parse(f"{node.name} = {BIND_NAME}({node.name!r}, {node.name})").body[0]
                body.append(ast.copy_location(call, node))
        ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
        for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(stmt, (ast.expr, ast.stmt)) and not hasattr(stmt, "lineno"):
                ast.copy_location(stmt, body[0])
        filename = shell.compile.cache(text, shell.execution_count)
        last = body[-1] if body and isinstance(body[-1], ast.Expr) else None
        head = body[:-1] if last is not None else body
        if head:
            exec(shell.compile(ast.Module(body=head, type_ignores=[]), filename, "exec"),
                 shell.user_global_ns, shell.user_ns)
        if last is not None:
            exec(shell.compile(ast.Interactive(body=[last]), filename, "single"), shell.user_global_ns, shell.user_ns)
        return None

    # -- the line magic ---------------------------------------------------------------
    @line_magic
    def polyray(self, line: str) -> Any:
        """%polyray cluster | connect ADDRESS | disconnect | report | history [N] | clear | service | wait [SECONDS] | help"""
        from . import cluster

        words = line.split()
        cmd = words[0] if words else "help"
        if cmd == "cluster":
            print(cluster.status_text(cluster.status(start=True)))
        elif cmd == "connect":
            if len(words) != 2:
                print("usage: %polyray connect ADDRESS", file=sys.stderr)
                return None
            try:
                print(cluster.status_text(cluster.connect(words[1])))
            except cluster.ClusterUnreachable as exc:  # bounded and named (cluster.py): no traceback needed
                _print_err(f"polyray: {exc}")
        elif cmd == "disconnect":
            cluster.disconnect()
            print("Ray: disconnected")
        elif cmd == "report":
            agg = aggregator()
            agg.flush()
            print(agg.table_text())
        elif cmd == "history":
            from .runtime import history

            n = int(words[1]) if len(words) > 1 else 20
            for r in history()[-n:]:
                print(f"{r['function']}: {r['variant']} {r['seconds'] * 1e3:.3f} ms  {r.get('reason', '')}")
        elif cmd == "clear":
            from .runtime import clear_history

            clear_history()
            agg = aggregator()
            agg.stats.clear()
            print("polyray: run records cleared")
        elif cmd == "wait":
            try:
                limit = float(words[1]) if len(words) > 1 else WAIT_SECONDS
            except ValueError:
                print("usage: %polyray wait [SECONDS]", file=sys.stderr)
                return None
            print(wait_for_compiles(limit))
        elif cmd == "service":
            svc = get_service()
            info = svc.version()
            print(f"compile service pid {info.get('pid')}, compiler {info.get('version')}, isl {info.get('isl')}")
        else:
            print(self.polyray.__doc__)
        return None


#: %polyray wait's limit by default (seconds)
WAIT_SECONDS = 600.0


def wait_for_compiles(limit: float) -> str:
    """``%polyray wait``: wait (``limit`` seconds at most) for the compiles under way, the cells' that ran as
    written and the variants' in the background, and say how long it took. A visible, explicit wait: a cell's
    first run never waits for them (issue 19), and a notebook run straight through (the demo) reaches its next
    cell before they are done, where a user reading the output would have given them that time."""
    from .runtime import background

    start = time.perf_counter()
    busy = background.pending() + cell_compiles.under_way()
    done = cell_compiles.wait_settled(limit) and background.wait_idle(max(0.0, limit - (time.perf_counter() - start)))
    waited = time.perf_counter() - start
    if not done:
        return f"polyray: still compiling after {limit:g} s; calls run the original (or a variant ready) meanwhile"
    if not busy:
        return "polyray: nothing was compiling"
    return f"polyray: waited {waited:.1f} s for the compiles under way; calls now run the compiled variants"


#: How the last %%parallelize cell got its module (tests and the e2e suite read it):
#: {"origin": "frontend"|"cache"|"service"|"", "compiled_by": "browser-worker"|..., "ms", "functions"}
last_compile: dict[str, Any] = {}


def _apply_frontend_settings(args: Any, meta: dict[str, Any]) -> None:
    """The extension's settings, below the magic's flags and the environment (ARCHITECTURE: flag > env > settings).

    ``force_target`` ("Rerun on cluster") sits just below the cell's own ``--target``.
    """
    settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    forced = meta.get("force_target")
    if args.target is None and forced in TARGET_CHOICES:
        args.target = forced
    elif args.target is None and "POLYRAY_TARGET" not in os.environ:
        target = settings.get("target")
        if target in TARGET_CHOICES and target != "auto":
            args.target = target
    # "Let auto time candidate variants" (setting autoMayTime), below the environment.
    if isinstance(settings.get("auto_may_time"), bool) and "POLYRAY_AUTO_TIMING" not in os.environ:
        from .runtime import cost

        cost.set_timing_allowed(settings["auto_may_time"])
    # "Wait for the JIT" and the bound for timing the original (issue 19), below the environment
    if isinstance(settings.get("wait_for_jit"), bool):
        from .runtime import background

        background.set_jit_wait(settings["wait_for_jit"])
    budget = settings.get("compile_budget")
    if isinstance(budget, (int, float)) and not isinstance(budget, bool) and budget >= 0:
        cell_compiles.set_budget(float(budget))
    bound = settings.get("time_original_below")
    if isinstance(bound, (int, float)) and not isinstance(bound, bool) and bound >= 0:
        from .runtime import speedup

        speedup.set_original_timing_bound(float(bound))
    # the numerics mode (setting "numerics"), below the flag and POLYRAY_NUMERICS
    if getattr(args, "numerics", None) is None and not os.environ.get(numerics.ENV, "").strip() and settings.get("numerics") in numerics.MODES:
        args.numerics = settings["numerics"]
    address = settings.get("cluster")
    if args.cluster is None and not os.environ.get("POLYRAY_RAY_ADDRESS") and isinstance(address, str) and address:
        from . import cluster

        if cluster.preferred_address() != address:
            args.cluster = address


def _service_compile(key: str, source: str, mode: str) -> "cell_compiles.Outcome":
    """The compile service's module for ``source``, stored in the cache under ``key`` (runs in the thread of
    cell_compiles.compile_within, so a cell that stopped waiting still gets its module cached)."""
    try:
        res = get_service().compile(source, "cell.py", numerics=mode)
    except CompileServiceError as exc:
        return cell_compiles.Outcome(note=f"polyray: {exc}; the cell runs as plain Python (original only)")
    if not res.ok:
        return cell_compiles.Outcome(note=_diag_lines(res.diagnostics), diagnostics=res.diagnostics)
    report = res.report or {}
    cache.store(key, res.module or "", report)
    return cell_compiles.Outcome(module=res.module or "", report=report)


def _settle(key: str, shell: Any) -> Any:
    """What a compile finished after its cell ran as written does next (cell_compiles, once no cell runs):
    import the module, rebind each accelerated function the cell defined to its dispatcher where the user's
    namespace still holds that very function (as the cell does right after each def: later calls from any
    cell use it), its report's row saying so, and queue the CPU variants ahead, so calls find machine code."""

    def settle(pending: "cell_compiles.Pending") -> None:
        outcome = pending.outcome
        assert outcome is not None
        path = cache.cache_dir() / f"{key}.py"
        with cell_compiles.import_lock:
            module = cache.import_file(path, key)
        entries = {f["name"]: f for f in (outcome.report or {}).get("functions", [])}
        names = {n for n, f in entries.items() if f.get("accelerated") and callable(getattr(module, n, None))}
        defined = pending.cell.get("defined", {})
        report = pending.cell.get("report")
        ns = getattr(shell, "user_ns", None)
        note = f"compiled in the background ({pending.seconds():.1f} s) after the cell ran as written"
        rebound = []
        for name in sorted(names):
            fn = defined.get(name)
            if ns is None or fn is None or ns.get(name) is not fn:  # redefined or deleted meanwhile: left alone
                continue
            _adopt_original(module, name, fn)
            ns[name] = getattr(module, name)
            rebound.append(name)
            for row in report.functions if report is not None else []:
                if row.get("name") == name:
                    row.update({k: v for k, v in entries[name].items() if k != "name"})
                    row["not_ready"] = ""
        if report is not None:
            report.compile_info["note"] = note + (f"; {', '.join(rebound)} now run through Polyray" if rebound else "")
        if names:
            _compile_ahead(module, names)

    return settle


def _compile_ahead(module: Any, names: set[str]) -> dict[str, str]:
    """Once the cell has run, its hinted functions' CPU variants compile in the background (issue 19), so
    that the next cell finds machine code; a call in this cell started its own compile already. Returns the
    functions not compiled ahead because the ahead-of-time lane was full, with why (they compile on their
    first call)."""
    try:
        from .runtime import ahead

        notes = ahead.start(module, names)
    except Exception as exc:  # noqa: BLE001 - compiling ahead is an optimization: never fails the cell
        _print_err(f"polyray: compiling ahead failed ({type(exc).__name__}: {exc}); variants compile on first call")
        return {}
    return {name: note for name, note in notes.items() if "ahead-of-time lane" in note}


_loaded = False


def load(shell: Any) -> None:
    """Register the magics, the run-record listener, the comm target and the cell-end flush."""
    global _loaded
    from .comm import ReportChannel
    _history = importlib.import_module("polyray.runtime.history")

    shell.register_magics(PolyrayMagics)
    if _loaded:
        return
    _loaded = True
    agg = aggregator()
    _history.add_listener(agg.on_record)
    channel = ReportChannel(agg)
    try:
        channel.register(shell)
    except Exception:  # noqa: BLE001 - no kernel: reports still show in the output
        pass
    shell.events.register("post_run_cell", lambda *_: agg.flush())
    # a cell's compile that finished in the background settles once no cell is running (cell_compiles.py)
    shell.events.register("pre_run_cell", lambda *_: cell_compiles.cell_started())
    shell.events.register("post_run_cell", lambda *_: cell_compiles.cell_finished())
    if not _loaded_silently(shell):
        _warm_service()


def _loaded_silently(shell: Any) -> bool:
    """Whether ``%load_ext`` runs in a silent execute request: the JupyterLab extension's (kernel.ts), whose
    browser worker compiles the cells, so the kernel needs no Node service. IPython hands the running cell's
    ExecutionResult to its displayhook; outside a cell (IPython's startup extensions) there is none."""
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    return bool(getattr(getattr(result, "info", None), "silent", False))


def _warm_service() -> None:
    """Start the kernel's compile service at ``%load_ext`` and have it warm V8's JIT (CompileService.warm), so
    the first ``%%parallelize`` cell does not pay for Node starting (about 0.5 s under load) and for its first
    compile (0.35 to 0.65 s, against 20 to 60 ms warm). Nothing waits for it; a service that cannot start says
    so at the first cell that needs it, as before. Not where the JupyterLab extension loads the magic
    (_loaded_silently): it compiles in the browser."""
    try:
        get_service().warm()
    except CompileServiceError:
        pass
