"""Numba's compile cost per function (issue 18's first-call line): not part of npm test; it prints figures.

For each PolyBench kernel (test/kernels/polybench, compiled by ``polyray compile``) and each NPBench
benchmark (``--npbench DIR``, its functions wrapped by ``@parallelize`` as bench/npbench/one.py does), two
fresh processes, each of which first compiles a trivial function (``init``: what any process pays for its
first Numba compile: the typing context's registries, Numba's extension entry points) and then:

* ``njit``: ``numba.njit`` of the plain function (PolyBench: the kernel's loops; NPBench: every function of
  the NumPy module, as wrap_module replaces them; where Numba cannot type those, NPBench's own ``_numba_n``
  version), called once: its compile;
* ``polyray``: the generated module (Polyray's caches empty, Numba's on-disk cache beside it empty),
  called with ``POLYRAY_JIT_WAIT=1`` so that the first call runs the variant: the Numba compiles that
  happened until that call returned (``first``), then after SETTLE_CALLS more calls and
  ``background.wait_idle()`` (``all``: the other form, the fused entry of the hot path).

Each child has a Numba cache folder of its own (``NUMBA_CACHE_DIR``), empty: Polyray's helpers cached on disk
(runtime/blas_products.py: the product loops' BLAS products) compile in the process too. With
``--warm-helpers``, a Polyray child of the same function, generated into another folder, runs first with
that cache folder: the measured child loads the helpers from Numba's cache, as any process after a
machine's first does, and still compiles its own variants.

Compiles are counted with Numba's own event API (``numba:compile``; only the outermost of nested events,
on any thread) and timed in CPU seconds of the compiling thread, which the machine's load blurs less than
wall time; ``ratio`` is Polyray's ``first`` over njit's compile. ``--doc`` writes the table between the
``jit-cost`` markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from child_result import print_result, run_child  # noqa: E402
KERNELS = os.path.join(REPO, "test", "kernels", "polybench")
#: calls after the first, so that the runtime wants what it compiles later (form trials, fused entry)
SETTLE_CALLS = 8
BEGIN = "<!-- jit-cost:begin (written by bench/jit_cost.py) -->"
END = "<!-- jit-cost:end -->"


# -- the children --------------------------------------------------------------------------------------------


class CompileLog:
    """Numba's ``numba:compile`` events: per outermost event its dispatcher's name and its thread's CPU seconds."""

    def __init__(self) -> None:
        from numba.core import event

        self.events: list[tuple[str, float]] = []
        self._local = threading.local()
        log = self

        class Listener(event.Listener):  # type: ignore[misc]
            def on_start(self, ev: Any) -> None:
                stack = log._stack()
                stack.append(time.thread_time())

            def on_end(self, ev: Any) -> None:
                stack = log._stack()
                start = stack.pop()
                if not stack:
                    disp = ev.data.get("dispatcher") if isinstance(ev.data, dict) else None
                    name = getattr(getattr(disp, "py_func", None), "__name__", None) or type(disp).__name__
                    log.events.append((name, time.thread_time() - start))

        event.register("numba:compile", Listener())

    def _stack(self) -> list[float]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def since(self, mark: int) -> dict[str, Any]:
        events = self.events[mark:]
        return {"count": len(events), "cpu_s": sum(s for _, s in events), "names": [n for n, _ in events]}


def numba_init() -> tuple[float, float]:
    """(wall, CPU) seconds of the process's first Numba compile, of a trivial function."""
    t, c = time.perf_counter(), time.process_time()
    import numba

    numba.njit(lambda x: x + 1)(1)
    return time.perf_counter() - t, time.process_time() - c


def _polybench_args(name: str, preset: str) -> Any:
    import numpy as np

    sys.path.insert(0, KERNELS)
    import specs

    return lambda: specs.build_args(name, specs.SIZES[name][preset], np.random.default_rng(1))


def _npbench(root: str, name: str, preset: str) -> tuple[Any, dict[str, Any], str, dict[str, Any]]:
    sys.path.insert(0, os.path.join(HERE, "npbench"))
    import one

    with open(os.path.join(root, "bench_info", name + ".json")) as f:
        info = json.load(f)["benchmark"]
    folder = os.path.join(root, "npbench", "benchmarks", info["relative_path"])
    return one, info, folder, one.make_data(info, folder, preset)


def child(argv: list[str]) -> None:
    """``--child KIND SUITE NAME PATH PRESET`` prints one JSON line."""
    kind, suite, name, path, preset = argv[:5]
    out: dict[str, Any] = {}
    if kind == "polyray":
        os.environ["POLYRAY_JIT_WAIT"] = "1"
        os.environ["POLYRAY_TIME_ORIGINAL_BELOW"] = "0"  # no original timed on copies: only the variant runs
    if suite == "polybench":
        args = _polybench_args(name, preset)
    else:
        one, info, folder, data = _npbench(path, name, preset)
    out["init_s"], out["init_cpu_s"] = numba_init()
    log = CompileLog()
    import numba

    if suite == "polybench":
        if kind == "njit":
            sys.path.insert(0, KERNELS)
            fn = numba.njit(getattr(__import__(name), "kernel_" + name))
        else:
            sys.path.insert(0, os.path.dirname(path))
            fn = getattr(__import__(os.path.basename(path)[:-3]), "kernel_" + name)

        def one_call() -> None:
            fn(*args())
    else:
        module = one.load_module(os.path.join(folder, info["module_name"] + "_numpy.py"), "npb_" + info["module_name"])
        if kind == "njit":
            for fname, f in one.own_functions(module).items():
                setattr(module, fname, numba.njit(f))
        else:
            one.wrap_module(module)
        fn = getattr(module, info["func_name"])

        def one_call() -> None:
            one.call(fn, info, data)

    start, cpu, mark = time.perf_counter(), time.process_time(), 0
    try:
        one_call()
    except Exception as exc:  # noqa: BLE001 - Numba cannot type the plain NumPy version: NPBench's own Numba one
        if kind != "njit" or suite != "npbench":
            raise
        out["njit_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        mark = len(log.events)  # (the failed attempt's typing is no compile of the baseline)
        numba_n = one.load_module(os.path.join(folder, info["module_name"] + "_numba_n.py"), "npb_n_" + info["module_name"])
        fn = getattr(numba_n, info["func_name"])
        start, cpu = time.perf_counter(), time.process_time()
        one_call()
        out["baseline"] = "numba_n"
    out["first_call_s"] = time.perf_counter() - start
    # the process's CPU over the first call, every thread: the compiles, what Polyray imports for them (its Numba
    # helpers), the run (and, for NPBench, the hints' Python side; the compile service is a process of its own)
    out["first_call_cpu_s"] = time.process_time() - cpu
    out["first"] = log.since(mark)
    if kind == "polyray":
        from polyray.runtime import background, history

        main = "kernel_" + name if suite == "polybench" else info["func_name"]
        records = [r for r in history() if r.get("function") == main]
        out["first_variant"] = records[0].get("variant") if records else "none"
        out["jit_seconds"] = sum(float(r.get("jit_seconds", 0.0) or 0.0) for r in history())
        for _ in range(SETTLE_CALLS):
            one_call()
        background.wait_idle(120.0)
        out["all"] = log.since(0)
        out["forms"] = sorted({str(r.get("form")) for r in history() if r.get("form")})
    print_result(out)


# -- the parent ----------------------------------------------------------------------------------------------


def spawn(kind: str, suite: str, name: str, path: str, preset: str, cache: str, timeout: float,
          numba_cache: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYRAY_")}
    env["POLYRAY_CACHE_DIR"] = cache
    env["NUMBA_CACHE_DIR"] = numba_cache  # every Numba cache of the child, Polyray's helpers' included
    env["PYTHONPATH"] = os.path.join(REPO, "python-bridge") + os.pathsep + env.get("PYTHONPATH", "")
    return run_child([sys.executable, __file__, "--child", kind, suite, name, path, preset], env, REPO, timeout)


def compile_kernel(name: str, folder: str) -> str | None:
    """``polyray compile`` of the kernel into ``folder`` (a folder of its own: Numba's cache beside it is empty)."""
    out = os.path.join(folder, f"pr_{name}.py")
    env = {**os.environ, "POLYRAY_PYTHON": sys.executable,
           "PYTHONPATH": os.path.join(REPO, "python-bridge") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(["node", os.path.join(REPO, "bin", "polyray.mjs"), "compile", os.path.join(KERNELS, name + ".py"),
                           "-o", out], capture_output=True, text=True, env=env)
    return out if proc.returncode == 0 else None


def fmt(s: float | None) -> str:
    return "-" if s is None else f"{s:.2f}"


def row_line(name: str, nj: dict[str, Any], pr: dict[str, Any]) -> str:
    if "error" in nj or "error" in pr:
        return f"| {name} | error: {(nj.get('error') or pr.get('error'))[:80]} | | | | | | | |"
    base = nj["first"]["cpu_s"]
    first, alls = pr["first"], pr.get("all", pr["first"])
    ratio = first["cpu_s"] / base if base > 0 else None
    label = " (numba_n)" if nj.get("baseline") == "numba_n" else ""
    return (f"| {name} | {fmt(nj['init_cpu_s'])} / {fmt(pr['init_cpu_s'])} | {fmt(base)} ({nj['first']['count']}){label} | "
            f"{fmt(first['cpu_s'])} ({first['count']}) | {'-' if ratio is None else f'{ratio:.1f}x'} | "
            f"{fmt(nj.get('first_call_cpu_s'))} / {fmt(pr.get('first_call_cpu_s'))} | {fmt(pr.get('jit_seconds'))} | "
            f"{fmt(alls['cpu_s'])} ({alls['count']}) | {pr.get('first_variant')} |")


HEADER = ["| benchmark | Numba init, CPU s (njit / Polyray process) | njit: compile CPU s (compiles) | Polyray until the "
          "first variant ran: CPU s (compiles) | ratio | first call, process CPU s (njit / Polyray) | jit_seconds "
          "(record, wall) | Polyray after settling: CPU s (compiles) | first call ran |",
          "|---|---|---|---|---|---|---|---|---|"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        os._exit(0)  # (no wait at exit for LLVM's teardown of a background compile: the figures are printed)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default="polybench,npbench")
    ap.add_argument("--only", default="", help="comma-separated names")
    ap.add_argument("--preset", default="", help="PolyBench size (default MEDIUM); NPBench preset (default S)")
    ap.add_argument("--npbench", default=os.path.join(os.path.dirname(REPO), "shared", "npbench"))
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--warm-helpers", action="store_true",
                    help="Polyray's helpers cached by an earlier process of the same function (its variants not)")
    ap.add_argument("--json", default="", help="also write the rows to this file")
    ap.add_argument("--doc", action="store_true", help="write the table into docs/benchmarks.md")
    opts = ap.parse_args(argv)
    only = {n for n in opts.only.split(",") if n}
    lines: list[str] = []
    rows: list[dict[str, Any]] = []
    scratch = tempfile.mkdtemp(prefix="polyray-jit-cost-")
    try:
        for suite in opts.suite.split(","):
            if suite == "polybench":
                sys.path.insert(0, KERNELS)
                import specs

                names, preset = specs.KERNELS, opts.preset or "MEDIUM"
            else:
                names = sorted(f[:-5] for f in os.listdir(os.path.join(opts.npbench, "bench_info")) if f.endswith(".json"))
                preset = opts.preset or "S"
            names = [n for n in names if not only or n in only]
            if not names:
                continue
            lines += ["", f"### {suite} ({preset})", ""] + HEADER
            for name in names:
                folder = tempfile.mkdtemp(dir=scratch)
                path = compile_kernel(name, folder) if suite == "polybench" else opts.npbench
                # cold: Numba's cache empty for every child (Polyray's helpers compile too); warm: a child of
                # the same function compiled into another folder ran first with the same Numba cache, which
                # then holds the helpers it compiled (runtime/blas_products.py) but not this module's variants
                numba_cache = os.path.join(folder, "numba")
                if path is None:
                    nj, pr = {"error": "polyray compile failed"}, {}
                else:
                    nj = spawn("njit", suite, name, path, preset, os.path.join(folder, "cache"), opts.timeout, numba_cache)
                    if opts.warm_helpers:
                        other = tempfile.mkdtemp(dir=scratch)
                        warm_path = compile_kernel(name, other) if suite == "polybench" else path
                        spawn("polyray", suite, name, warm_path or path, preset, os.path.join(other, "cache"), opts.timeout,
                              numba_cache)
                    pr = spawn("polyray", suite, name, path, preset, os.path.join(folder, "cache"), opts.timeout, numba_cache)
                rows.append({"suite": suite, "name": name, "njit": nj, "polyray": pr})
                lines.append(row_line(name, nj, pr))
                print(lines[-1], flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(rows, f, indent=1)
    if opts.doc:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
        load = os.getloadavg()[0]
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        block = [BEGIN, f"Run: {stamp}, commit {commit}, {platform.processor() or platform.machine()}, load {load:.1f} "
                 "at the end (bench/jit_cost.py).", *lines, END]
        doc = os.path.join(REPO, "docs", "benchmarks.md")
        text = open(doc).read()
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        text = pattern.sub("\n".join(block), text) if pattern.search(text) else text.rstrip() + "\n\n" + "\n".join(block) + "\n"
        with open(doc, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
