"""The first call, measured in fresh processes (issue 19): not part of npm test; it prints figures.

For each PolyBench kernel (test/kernels/polybench, hinted) and each NPBench benchmark
(``--npbench DIR``, through ``@parallelize`` as bench/npbench/one.py runs them), every
measurement runs in a process of its own, so that nothing is imported or compiled yet:

* ``original``: import the kernel's module, call it once: the original's first call;
* ``polyray``: import the generated module (PolyBench: ``polyray compile``; NPBench: the module
  with its functions wrapped by ``@parallelize``, hints from the first call, compiled by the
  compile service within that call, with an empty Polyray cache) and call it once: the first
  call's time; then wait for the background compile (no calls meanwhile, so the JIT time its
  run records report is the compile's own) and call until the variant ran and was timed again:
  the variant's time (``later_calls``; ``--loop``: calls one after another from the first on, as a
  user's loop, the behaviour before; ``--settle``: calls on until auto compared the variant with
  the original);
* ``precompiled`` (PolyBench): the same after ``polyray compile --precompile`` wrote the
  machine code into Numba's cache beside the module.

Issue 19's target: the first call takes at most 1.1 x the original's first call plus the
module's import. On a shared machine one process's first call may get a core to itself and the
next share it (stockham_fft's bare original: 17 ms to 450 ms between processes), so ``--repeat N``
measures N processes of each kind, interleaved, and takes the medians; each row also keeps
Polyray's own part of its first call (the call less the original's run inside it, from the run
record: hints, the background compile's job, the record), which the load does not blur. ``--doc`` writes the table between the ``first-call`` markers of
docs/benchmarks.md.

The whole table in pieces: ``--json rows.json --resume --chunk K/N`` measures the K-th of N parts and
adds its rows to the file (written after each row; rows already there are skipped, failed ones measured
again), so a run cut short loses one row; ``--render rows.json --doc`` writes the tables. Where the time
goes: per row, the Numba compile (waited for, alone) dominates; the original's process and the first call
are seconds at most; PolyBench compiles each kernel once and precompiles a copy for its second row.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from child_result import print_result, run_child  # noqa: E402
KERNELS = os.path.join(REPO, "test", "kernels", "polybench")
#: calls of the variant in a size class before auto compares it with the original (cost.MIN_RUNS)
MIN_RUNS = 3
#: calls made after that, to see what auto settled on (the variant, or the original kept: it compares once the
#: CPU variant's form trials are over, a few calls more) and to time the variant warm
SETTLE_CALLS = 10
#: by default the loop ends once the variant ran this many times after its first run, or once those runs took
#: VARIANT_SECONDS (the variant's column is their median)
VARIANT_CALLS = 5
VARIANT_SECONDS = 1.0
BEGIN = "<!-- first-call:begin (written by bench/first_call.py) -->"
END = "<!-- first-call:end -->"


# -- the children: one measurement each, in a fresh process -------------------------------------------------


def _polybench_args(name: str, preset: str) -> Any:
    import numpy as np

    sys.path.insert(0, KERNELS)
    import specs

    return lambda: specs.build_args(name, specs.SIZES[name][preset], np.random.default_rng(1))


def _npbench_setup(root: str, name: str, preset: str) -> tuple[dict[str, Any], str, Any]:
    sys.path.insert(0, os.path.join(HERE, "npbench"))
    saved = {k: os.environ.get(k) for k in ("POLYRAY_JIT_WAIT", "POLYRAY_TIME_ORIGINAL_BELOW")}
    import one  # (it makes calls wait for the JIT, for its timings: not here)

    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

    with open(os.path.join(root, "bench_info", name + ".json")) as f:
        info = json.load(f)["benchmark"]
    folder = os.path.join(root, "npbench", "benchmarks", info["relative_path"])
    data = one.make_data(info, folder, preset)
    return info, folder, data


def later_calls(main: str, one_call: Any, first_s: float, calls: int, budget: float, settle: bool,
                loop: bool) -> dict[str, Any]:
    """The calls after the first, in a Polyray process: what the row's later columns say.

    By default the process waits for the background compile (no call meanwhile: the JIT is timed on its
    own, not slowed by calls of the original competing for the GIL and the two cores), then calls until the
    variant ran once and was timed again (up to VARIANT_CALLS runs while they take under VARIANT_SECONDS: a
    median of a few). ``loop`` is a user's loop instead: calls one after another from the first on. ``settle``
    goes on until the variant ran MIN_RUNS times and SETTLE_CALLS more calls were made (what auto runs once
    it compared the variant with the original: the "later calls run" column). None of this changes the
    verdict, which is the first call's alone. ``budget``: seconds for all of it (a variant not ready by then:
    "none in N calls")."""
    from polyray.runtime import background, history

    def last() -> dict[str, Any]:
        records = [r for r in history() if r.get("function") == main]
        return records[-1] if records else {}

    out: dict[str, Any] = {}
    times, variants = [first_s], [last().get("variant", "none")]
    out["pending_after_first"] = background.pending()
    deadline = time.perf_counter() + budget
    settled, waited, idle_originals = 0, 0.0, 0
    while len(times) < calls and time.perf_counter() < deadline:
        if not loop:  # wait for what the calls queued (gated jobs open: their calls have returned)
            t = time.perf_counter()
            background.wait_idle(max(0.0, deadline - time.perf_counter()))
            waited += time.perf_counter() - t
        times.append(one_call())
        variants.append(last().get("variant", "none"))
        ran = [k for k, v in enumerate(variants) if v not in ("original", "none")]
        if settle:
            if variants[:-1].count("cpu") >= MIN_RUNS:
                settled += 1
            if settled >= SETTLE_CALLS:
                break
        elif len(ran) >= 2 and (len(ran) > VARIANT_CALLS or sum(times[k] for k in ran[1:]) > VARIANT_SECONDS):
            break
        if not loop and not ran and background.pending() == 0:
            idle_originals += 1  # the original ran with nothing compiling: auto's choice, or not accelerated
            if idle_originals >= 2:
                break
    if settled:
        out["later_variant"] = variants[-1]
        out["later_reason"] = last().get("reason", "")
    jit = sum(float(r.get("jit_seconds", 0.0) or 0.0) for r in history())
    ran = [k for k, v in enumerate(variants) if v not in ("original", "none")]
    out.update(calls=len(times), variants=variants, jit_s=jit, waited_s=waited, loop=loop)
    if ran:
        first = ran[0]
        # the variant's time: the median of its runs after the first (that one starts Numba's threads and
        # its form trials; atax at load 17: 10 ms, then 0.01 to 0.3 ms)
        warm = [times[k] for k in ran[1:]] or [times[first]]
        out.update(first_variant_call=first + 1, until_variant_s=sum(times[:first]) + waited,
                   variant_s=statistics.median(warm))
    records = [r for r in history() if r.get("function") == main]
    first_record = records[0] if records else {}
    out["first_reason"] = first_record.get("reason", "")
    # accelerated: a variant ran, or the first call queued one (a compile still under way when the budget ended)
    out["accelerated"] = bool(ran) or "compiling" in out["first_reason"] or out["pending_after_first"] > 0
    if first_record.get("variant") == "original" and "seconds" in first_record:
        # Polyray's own part of the first call (hints, the background compile's job, the run record):
        # the call's time less the original's inside it, apart from what the machine's load does to both
        out["polyray_part_s"] = first_s - float(first_record["seconds"])
    return out


def child(argv: list[str]) -> int:
    """``--child KIND SUITE NAME PATH PRESET CALLS BUDGET SETTLE LOOP`` prints one JSON line."""
    kind, suite, name, path, preset, calls = argv[0], argv[1], argv[2], argv[3], argv[4], int(argv[5])
    budget, settle, loop = float(argv[6]), argv[7] == "1", argv[8] == "1"
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if suite == "polybench":
        args = _polybench_args(name, preset)
        sys.path.insert(0, os.path.dirname(path))
        t = time.perf_counter()
        module = __import__(os.path.basename(path)[:-3])
        out["import_s"] = time.perf_counter() - t
        fn = getattr(module, "kernel_" + name)

        def one_call() -> float:
            a = args()
            start = time.perf_counter()
            fn(*a)
            return time.perf_counter() - start
    else:
        info, folder, data = _npbench_setup(path, name, preset)
        import one

        t = time.perf_counter()
        module = one.load_module(os.path.join(folder, info["module_name"] + "_numpy.py"), "npb_" + info["module_name"])
        if kind != "original":
            one.wrap_module(module)
        out["import_s"] = time.perf_counter() - t
        fn = getattr(module, info["func_name"])

        def one_call() -> float:
            return one.call(fn, info, data)[1]

    out["first_s"] = one_call()
    if kind != "original":
        main = "kernel_" + name if suite == "polybench" else info["func_name"]
        out.update(later_calls(main, one_call, out["first_s"], calls, budget, settle, loop))
    out["process_s"] = time.perf_counter() - t0
    print_result(out)
    return 0


# -- the parent: compile, spawn, tabulate ------------------------------------------------------------------


class Loop(NamedTuple):
    """How a Polyray process goes on after its first call (later_calls)."""

    calls: int = 100000
    budget: float = 90.0
    settle: bool = False
    loop: bool = False

    def argv(self, whole: bool) -> list[str]:
        return [str(self.calls if whole else 1), str(self.budget), "1" if self.settle else "0", "1" if self.loop else "0"]


def spawn(kind: str, suite: str, name: str, path: str, preset: str, loop: Loop, whole: bool, timeout: float,
          cache: str | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYRAY_") or k == "POLYRAY_CACHE_DIR"}
    if cache is not None:  # Polyray's module cache (and Numba's beside its modules) empty: nothing compiled yet
        env["POLYRAY_CACHE_DIR"] = cache
    env["PYTHONPATH"] = os.path.join(REPO, "python-bridge") + os.pathsep + env.get("PYTHONPATH", "")
    # POLYRAY_TIME_ORIGINAL_BELOW is left at its default, as a user has it: set to 0 it also turns off auto's
    # comparison with the original ("never slower", cost.py), and a variant slower than the original kept
    # running in this loop (stockham_fft's 115 ms variant against a 27 ms original, 6 Dec). The original's
    # first call ran (and was timed) anyway, so the speedup's timing on copies only follows an original
    # under 1 ms, in a later call, never the first
    return run_child([sys.executable, __file__, "--child", kind, suite, name, path, preset, *loop.argv(whole)], env, REPO, timeout)


def sampled(spawn_original: Any, spawn_polyray: Any, repeat: int,
            recheck: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """The original's and Polyray's first calls, ``repeat`` fresh processes each, interleaved: the
    first Polyray process runs its whole loop (``spawn_polyray(True)``), the others the first call only.
    first_s becomes the median of the samples (kept as first_samples): on a shared machine one process's
    first call may get a core to itself and the next share it (measured here: 17 ms to 450 ms for
    stockham_fft's original), so one sample of each decides nothing. ``recheck``: a first call over the
    limit is measured again, up to ``recheck`` processes of each kind in all, and the medians decide (the
    rule is the same; a row is only not left to one unlucky sample, while the rows within it cost no more)."""
    origs: list[dict[str, Any]] = []
    pols: list[dict[str, Any]] = []

    def take(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
        for _ in range(n):
            origs.append(spawn_original())
            pols.append(spawn_polyray(not pols))
        orig, pol = dict(origs[0]), dict(pols[0])
        for out, samples in ((orig, origs), (pol, pols)):
            firsts = [x["first_s"] for x in samples if "first_s" in x]
            if len(samples) > 1 and "error" not in out and firsts:
                out["first_samples"] = firsts
                out["first_s"] = statistics.median(firsts)
                parts = [x["polyray_part_s"] for x in samples if "polyray_part_s" in x]
                if parts:
                    out["polyray_part_s"] = statistics.median(parts)
        return orig, pol

    orig, pol = take(max(1, repeat))
    if recheck > len(origs) and "error" not in orig and "error" not in pol and not within_limit(orig, pol):
        orig, pol = take(recheck - len(origs))
        pol["rechecked"] = True
    return orig, pol


def limit_of(orig: dict[str, Any], pol: dict[str, Any]) -> float:
    """Issue 19's limit: 1.1 x the original's first call plus the generated module's import."""
    return 1.1 * orig["first_s"] + pol["import_s"]


def within_limit(orig: dict[str, Any], pol: dict[str, Any]) -> bool:
    return pol["first_s"] <= limit_of(orig, pol)


def compile_kernel(name: str, folder: str) -> tuple[str | None, str]:
    """``polyray compile`` of a PolyBench kernel into ``folder``: (the module's path or None, a note)."""
    src = os.path.join(KERNELS, name + ".py")
    out = os.path.join(folder, f"pr_{name}.py")
    cmd = ["node", os.path.join(REPO, "bin", "polyray.mjs"), "compile", src, "-o", out]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env())
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1:][0] if proc.stderr.strip() else "compile failed"
    return out, f"{time.perf_counter() - start:.1f} s"


def precompiled_copy(path: str, folder: str) -> tuple[str | None, str]:
    """The module at ``path`` copied into ``folder`` with its machine code in Numba's cache beside it: what
    ``polyray compile --precompile`` writes (the same module text, then ``python -m polyray.precompile``),
    without compiling the module a second time."""
    out = os.path.join(folder, os.path.basename(path))
    shutil.copyfile(path, out)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "polyray.precompile", out], capture_output=True, text=True,
                          env=_child_env())
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1:][0] if proc.stderr.strip() else "precompile failed"
    return out, f"{time.perf_counter() - start:.1f} s"


def _child_env() -> dict[str, str]:
    return {**os.environ, "POLYRAY_PYTHON": sys.executable,
            "PYTHONPATH": os.path.join(REPO, "python-bridge") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def fmt(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()


def row_for(name: str, orig: dict[str, Any], pol: dict[str, Any]) -> dict[str, Any]:
    row = {"name": name, "original": orig, "polyray": pol, "commit": _commit()}
    if "error" in orig or "error" in pol:
        row["verdict"] = "error: " + str(orig.get("error") or pol.get("error"))
        return row
    row["limit_s"] = limit_of(orig, pol)
    row["verdict"] = "ok" if within_limit(orig, pol) else "slower"
    return row


def later(p: dict[str, Any]) -> str:
    """What auto ran once the variant had run MIN_RUNS times (the loop's last calls)."""
    variant = p.get("later_variant")
    if variant is None:
        return "-"
    if variant == "original" and "original kept" in p.get("later_reason", ""):
        return "original (the variant does not beat it)"
    return variant


def markdown(rows: list[dict[str, Any]], header: str) -> list[str]:
    lines = [header, "",
             "| benchmark | original: first call | Polyray: import | first call | limit (1.1 x original + import) | "
             "first call with a variant | JIT (background) | variant call | later calls run | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        o, p = r["original"], r["polyray"]
        if "error" in o or "error" in p:
            lines.append(f"| {r['name']} | | | | | | | | | {r['verdict']} |")
            continue
        samples = f" ({len(p['first_samples'])} samples)" if p.get("rechecked") else ""
        after = "after waiting" if p.get("loop") is False else "after"
        when = f"call {p['first_variant_call']} ({after} {fmt(p['until_variant_s'])})" if p.get("first_variant_call") \
            else f"none in {p['calls']} calls"
        lines.append(f"| {r['name']} | {fmt(o['first_s'])} | {fmt(p['import_s'])} | {fmt(p['first_s'])} | "
                     f"{fmt(r['limit_s'])} | {when} | {fmt(p.get('jit_s') or None)} | {fmt(p.get('variant_s'))} | "
                     f"{later(p)} | {r['verdict']}{samples} |")
    return lines


def _sections(block: str) -> dict[str, list[str]]:
    """The per-suite sections (``### suite ...`` up to the next) of an earlier first-call block; one without
    its own ``Run:`` line gets the run the earlier block's header named."""
    header = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d UTC), commit (\w+)", block.split("### ")[0])
    out: dict[str, list[str]] = {}
    for part in block.split("\n### ")[1:]:
        lines = ("### " + part).rstrip().splitlines()
        if not any(line.startswith("Run: ") for line in lines) and header:
            lines[1:1] = ["", f"Run: {header.group(1)}, commit {header.group(2)} (an earlier run, kept)."]
        out[lines[0].split()[1]] = lines
    return out


def unmeasured(lines: list[str], names: set[str]) -> list[str]:
    """The rows of an earlier section (``lines``) whose benchmark is not in ``names``, in tables of their own
    under the run they came from: a run with --only replaces the rows it measured, not the others."""
    out: list[str] = []
    run = "Run: not recorded."
    header: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        if rows and len(header) == 2:
            out.extend(["", f"Not measured in this run: {len(rows)} rows of an earlier table. Earlier r" + run[1:], ""]
                       + header + rows)
        header.clear()
        rows.clear()

    for line in lines:
        if line.startswith("|---"):
            header.append(line)
        elif line.startswith("| "):
            if not header:
                header.append(line)
            elif line.split("|")[1].strip() not in names:
                rows.append(line)
        else:
            if header:
                flush()
            if line.startswith("Run: ") or line.startswith("Not measured in this run"):
                run = "Run: " + line.split("Earlier run: ", 1)[-1].split("Run: ", 1)[-1]
    flush()
    return out


def selected(names: list[str], only: set[str], chunk: str) -> list[str]:
    """``names`` less those not in ``only`` (when given), then the K-th of N interleaved parts (``chunk`` "K/N",
    1-based: every N-th name from the K-th, so that each part mixes quick and slow rows)."""
    names = [n for n in names if not only or n in only]
    if not chunk:
        return names
    k, n = (int(x) for x in chunk.split("/"))
    if not 1 <= k <= n:
        raise SystemExit(f"--chunk {chunk}: K must be 1 to N")
    return names[k - 1::n]


def save(path: str, result: dict[str, list[dict[str, Any]]]) -> None:
    """Write the rows (a temporary file and a rename: a run killed meanwhile leaves the last whole file)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, path)


def load_rows(paths: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of earlier --json files; a later file's row of a benchmark replaces an earlier file's."""
    result: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        with open(path) as f:
            for suite, rows in json.load(f).items():
                by_name = {r["name"]: r for r in result.get(suite, [])}
                by_name.update((r["name"], r) for r in rows)
                result[suite] = sorted(by_name.values(), key=lambda r: r["name"])
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        # no wait at exit for a background compile still under way (background._at_exit lets it finish, up to
        # 60 s): the figures are printed, and a compile cut short leaves at worst a cache entry compiled again
        os._exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default="polybench,npbench", help="polybench, npbench or both (comma-separated)")
    ap.add_argument("--only", default="", help="comma-separated names")
    ap.add_argument("--chunk", default="", help="K/N: the K-th of N parts of the benchmarks (with --resume: a table in pieces)")
    ap.add_argument("--polybench-preset", default="SMALL", help="PolyBench size (MEDIUM's originals take 10 s a call)")
    ap.add_argument("--npbench-preset", default="S", help="NPBench preset")
    ap.add_argument("--npbench", default=os.path.join(os.path.dirname(REPO), "shared", "npbench"))
    ap.add_argument("--calls", type=int, default=100000, help="calls per process at most (and --budget)")
    ap.add_argument("--budget", type=float, default=90.0, help="seconds a Polyray process has after its first call")
    ap.add_argument("--loop", action="store_true",
                    help="call again and again from the first call on (a user's loop) instead of waiting for the compile")
    ap.add_argument("--settle", action="store_true",
                    help="after the variant's third run, 10 calls more: what auto settled on (the later-calls column)")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--repeat", type=int, default=1,
                    help="fresh processes per first call measured (original and Polyray, interleaved); the median counts")
    ap.add_argument("--recheck", type=int, default=3,
                    help="a first call over the limit is measured again: N processes of each kind in all, medians (0: never)")
    ap.add_argument("--json", default="", help="write the rows here (after each row)")
    ap.add_argument("--resume", action="store_true",
                    help="with --json: keep that file's rows and measure only the benchmarks it lacks (or whose row failed)")
    ap.add_argument("--doc", action="store_true", help="write the tables into docs/benchmarks.md")
    ap.add_argument("--render", default="", help="comma-separated --json files of earlier runs: tabulate their rows, run nothing")
    args = ap.parse_args(argv)
    if args.resume and not args.json:
        ap.error("--resume needs --json FILE")
    only = {n for n in args.only.split(",") if n}
    suites = [s for s in args.suite.split(",") if s]
    loop = Loop(calls=args.calls, budget=args.budget, settle=args.settle, loop=args.loop)
    started = time.time()
    result: dict[str, list[dict[str, Any]]] = {}
    if args.render:
        suites = []
        result = load_rows(args.render.split(","))
    elif args.resume and os.path.exists(args.json):
        result = load_rows([args.json])
    done = {(suite, r["name"]) for suite, rows in result.items() for r in rows if not r["verdict"].startswith("error")}

    def add(suite: str, row: dict[str, Any]) -> None:
        rows = [r for r in result.get(suite, []) if r["name"] != row["name"]] + [row]
        result[suite] = sorted(rows, key=lambda r: r["name"])
        if args.json:
            save(args.json, result)
        p = row["polyray"]
        print(json.dumps({k: row[k] for k in ("name", "verdict")}), fmt(row["original"].get("first_s")),
              fmt(p.get("first_s")), "polyray's part", fmt(p.get("polyray_part_s")), p.get("first_variant_call"),
              fmt(p.get("jit_s")), f"row {row.get('row_s', 0):.0f} s", flush=True)

    if "polybench" in suites:
        sys.path.insert(0, KERNELS)
        import specs

        preset = args.polybench_preset
        for name in selected(list(specs.KERNELS), only, args.chunk):
            modes = [m for m in ("jit", "precompiled") if ("polybench", f"{name} ({m})") not in done]
            if not modes:
                continue
            t0 = time.perf_counter()
            folder = tempfile.mkdtemp(prefix="polyray-first-")
            try:
                path, note = compile_kernel(name, folder)
                for mode in modes:
                    if path is not None and mode == "precompiled":
                        os.mkdir(os.path.join(folder, "pre"))
                        path, note = precompiled_copy(path, os.path.join(folder, "pre"))
                    if path is None:
                        print(f"{name} ({mode}): {note}", file=sys.stderr)
                        break
                    module = path
                    orig, pol = sampled(
                        lambda: spawn("original", "polybench", name, os.path.join(KERNELS, name + ".py"), preset, loop, False,
                                      args.timeout),
                        lambda whole: spawn("polyray", "polybench", name, module, preset, loop, whole, args.timeout),
                        args.repeat, args.recheck)
                    row = row_for(f"{name} ({mode})", orig, pol)
                    row["row_s"], t0 = time.perf_counter() - t0, time.perf_counter()
                    add("polybench", row)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    if "npbench" in suites:
        preset = args.npbench_preset
        names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(args.npbench, "bench_info", "*.json")))
        for name in selected(names, only, args.chunk):
            if ("npbench", name) in done:
                continue
            t0 = time.perf_counter()

            def polyray(whole: bool) -> dict[str, Any]:
                cache = tempfile.mkdtemp(prefix="polyray-first-cache-")  # empty each time: nothing compiled yet
                try:
                    return spawn("polyray", "npbench", name, args.npbench, preset, loop, whole, args.timeout, cache)
                finally:
                    shutil.rmtree(cache, ignore_errors=True)

            orig, pol = sampled(lambda: spawn("original", "npbench", name, args.npbench, preset, loop, False, args.timeout),
                                polyray, args.repeat, args.recheck)
            # not accelerated (no variant ran, none was queued): nothing to measure; a variant still compiling
            # when the budget ended is a row ("none in N calls"), so that a slow compile is never left out
            if "error" not in pol and not pol.get("accelerated", pol.get("first_variant_call")) and not only:
                print(f"{name}: not accelerated ({pol.get('first_reason', '')[:80]})", flush=True)
                continue
            row = row_for(name, orig, pol)
            row["row_s"] = time.perf_counter() - t0
            add("npbench", row)
    if not args.render:
        spent = sum(r.get("row_s", 0.0) for rows in result.values() for r in rows)
        print(f"this run: {(time.time() - started) / 60:.1f} min; the rows' own times add up to {spent / 60:.1f} min",
              flush=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    commit = _commit()
    spent = sum(r.get("row_s", 0.0) for rows in result.values() for r in rows)
    took = "rows of earlier runs (--render)" if args.render else f"took {(time.time() - started) / 60:.1f} min"
    if spent and not args.render:
        took += f", its rows' own times {spent / 60:.1f} min in all"
    def run(rows: list[dict[str, Any]]) -> str:
        commits = {r.get("commit") or commit: 0 for r in rows}
        for r in rows:
            commits[r.get("commit") or commit] += 1
        measured = ", ".join(f"{c} ({n} rows)" for c, n in commits.items()) if len(commits) > 1 else next(iter(commits), commit)
        return (f"{stamp}, measured on commit {measured}, {took}; {platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} cores, load average {load:.2f} at the end (the machine is shared: figures are noisy).")
    text = ["## The first call (issue 19)", "",
            "`.venv/bin/python bench/first_call.py` (PolyBench at SMALL: MEDIUM's originals take 10 s a call; NPBench "
            "at preset S; `--chunk K/N --json F --resume` measures it in pieces, `--render F --doc` writes the tables). "
            "Every figure is from a fresh process (nothing imported or compiled; with `--repeat N` a first call is "
            "the median of N processes of each kind, interleaved); the first call runs the original while the "
            "variant compiles in the background. Then the process waits for that compile without calling (so the "
            "JIT column, the background compile's own time, is not slowed by calls competing with it), and calls "
            "until the variant ran and was timed again: \"call 2 (after waiting N s)\"; rows measured with `--loop` "
            "(and older rows) called again and again from the first call on, as a user's loop, for 90 s at most: "
            "\"call N (after N s)\", or \"none in N calls\" when no variant was ready by then. A first call over the "
            "limit in one process is measured again (`--recheck 3`: medians of three fresh processes of each kind, "
            "marked \"(3 samples)\"). \"later calls run\" "
            "(`--settle`): what auto ran ten calls after the variant's third run. "
            "Limit: 1.1 x the original's first call plus the generated module's import.", ""]
    sections = {}
    for suite, rows in result.items():
        ok = sum(r["verdict"] == "ok" for r in rows)
        sections[suite] = markdown(rows, f"### {suite} ({ok} of {len(rows)} within the limit)")
        sections[suite][1:1] = ["", f"Run: {run(rows)}"]
    print("\n".join(text + [line for lines in sections.values() for line in lines + [""]]))
    if args.doc:
        path = os.path.join(REPO, "docs", "benchmarks.md")
        with open(path) as f:
            doc = f.read()
        old = doc[doc.index(BEGIN):doc.index(END)] if BEGIN in doc and END in doc else ""
        for suite, lines in _sections(old).items():  # the suites this run did not measure keep their tables
            if suite in sections:  # and the rows it did not measure (--only) stay, apart, with their run
                sections[suite] += unmeasured(lines, {r["name"] for r in result[suite]})
            sections.setdefault(suite, lines)
        for suite in sorted(sections):
            text += sections[suite] + [""]
        block = BEGIN + "\n\n" + "\n".join(text).rstrip() + "\n\n" + END
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc = doc.rstrip() + "\n\n" + block + "\n"
        with open(path, "w") as f:
            f.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
