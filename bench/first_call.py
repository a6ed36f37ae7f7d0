"""The first call, measured in fresh processes (issue 19): not part of npm test; it prints figures.

For each PolyBench kernel (test/kernels/polybench, hinted) and each NPBench benchmark
(``--npbench DIR``, through ``@parallelize`` as bench/npbench/one.py runs them), every
measurement runs in a process of its own, so that nothing is imported or compiled yet:

* ``original``: import the kernel's module, call it once: the original's first call;
* ``polyray``: import the generated module (PolyBench: ``polyray compile``; NPBench: the module
  with its functions wrapped by ``@parallelize``, hints from the first call, compiled by the
  compile service within that call, with an empty Polyray cache), then call it
  again and again on fresh arguments (the calls a user's loop makes) until the compiled
  variant has run three times: the first call's time, the call at which a variant first
  ran, the JIT time its run record reports (compiled in the background, apart from the
  runs), and the variant's time;
* ``precompiled`` (PolyBench): the same after ``polyray compile --precompile`` wrote the
  machine code into Numba's cache beside the module.

Issue 19's target: the first call takes at most 1.1 x the original's first call plus the
module's import. On a shared machine one process's first call may get a core to itself and the
next share it (stockham_fft's bare original: 17 ms to 450 ms between processes), so ``--repeat N``
measures N processes of each kind, interleaved, and takes the medians; each row also keeps
Polyray's own part of its first call (the call less the original's run inside it, from the run
record: hints, the background compile's job, the record), which the load does not blur. ``--doc`` writes the table between the ``first-call`` markers of
docs/benchmarks.md.
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
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
KERNELS = os.path.join(REPO, "test", "kernels", "polybench")
#: calls of the variant in a size class before auto compares it with the original (cost.MIN_RUNS)
MIN_RUNS = 3
#: calls made after that, to see what auto settled on (the variant, or the original kept: it compares once the
#: CPU variant's form trials are over, a few calls more) and to time the variant warm
SETTLE_CALLS = 10
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


def child(argv: list[str]) -> int:
    """``--child KIND SUITE NAME PATH PRESET CALLS`` prints one JSON line."""
    kind, suite, name, path, preset, calls = argv[0], argv[1], argv[2], argv[3], argv[4], int(argv[5])
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
        from polyray.runtime import history

        main = "kernel_" + name if suite == "polybench" else info["func_name"]
        times, variants, jit = [out["first_s"]], [], 0.0
        records = [r for r in history() if r.get("function") == main]
        variants.append(records[-1]["variant"] if records else "none")
        deadline = time.perf_counter() + 90.0  # a user's loop: calls until the variant ran three times,
        settle = 0  # then SETTLE_CALLS more: what auto runs once it has compared the variant with the original
        while len(times) < calls and time.perf_counter() < deadline and settle < SETTLE_CALLS:
            times.append(one_call())
            records = [r for r in history() if r.get("function") == main]
            variants.append(records[-1]["variant"] if records else "none")
            if variants[:-1].count("cpu") >= MIN_RUNS:
                settle += 1
        if settle:
            out["later_variant"] = variants[-1]
            out["later_reason"] = records[-1].get("reason", "") if records else ""
        for r in history():
            jit += float(r.get("jit_seconds", 0.0) or 0.0)
        compiled = [k for k, v in enumerate(variants) if v not in ("original", "none")]
        out.update(calls=len(times), variants=variants, jit_s=jit)
        if compiled:
            first = compiled[0]
            # the variant's time: the median of its runs after the first (that one starts Numba's threads and
            # its form trials; atax at load 17: 10 ms, then 0.01 to 0.3 ms)
            warm = [times[k] for k in compiled[1:]] or [times[first]]
            out.update(first_variant_call=first + 1, until_variant_s=sum(times[:first]),
                       variant_s=statistics.median(warm))
        first_records = [r for r in history() if r.get("function") == main][:1]
        out["first_reason"] = first_records[0].get("reason", "") if first_records else ""
        if first_records and first_records[0].get("variant") == "original" and "seconds" in first_records[0]:
            # Polyray's own part of the first call (hints, the background compile's job, the run record):
            # the call's time less the original's inside it, apart from what the machine's load does to both
            out["polyray_part_s"] = out["first_s"] - float(first_records[0]["seconds"])
    out["process_s"] = time.perf_counter() - t0
    print("RESULT " + json.dumps(out), flush=True)
    return 0


# -- the parent: compile, spawn, tabulate ------------------------------------------------------------------


def spawn(kind: str, suite: str, name: str, path: str, preset: str, calls: int, timeout: float,
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
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", kind, suite, name, path, preset, str(calls)],
                              capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or [f"exit status {proc.returncode}"]
    return {"error": tail[0][:160]}


def sampled(spawn_original: Any, spawn_polyray: Any, repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The original's and Polyray's first calls, ``repeat`` fresh processes each, interleaved: the
    first Polyray process runs its whole loop (``spawn_polyray(True)``), the others the first call only.
    first_s becomes the median of the samples (kept as first_samples): on a shared machine one process's
    first call may get a core to itself and the next share it (measured here: 17 ms to 450 ms for
    stockham_fft's original), so one sample of each decides nothing."""
    origs, pols = [], []
    for k in range(max(1, repeat)):
        origs.append(spawn_original())
        pols.append(spawn_polyray(k == 0))
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


def compile_kernel(name: str, folder: str, precompile: bool) -> tuple[str | None, str]:
    src = os.path.join(KERNELS, name + ".py")
    out = os.path.join(folder, f"pr_{name}.py")
    cmd = ["node", os.path.join(REPO, "bin", "polyray.mjs"), "compile", src, "-o", out]
    env = {**os.environ, "POLYRAY_PYTHON": sys.executable,
           "PYTHONPATH": os.path.join(REPO, "python-bridge") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    proc = subprocess.run(cmd + (["--precompile"] if precompile else []), capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1:][0] if proc.stderr.strip() else "compile failed"
    return out, f"{time.perf_counter() - start:.1f} s"


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
    limit = 1.1 * orig["first_s"] + pol["import_s"]
    row["limit_s"] = limit
    row["verdict"] = "ok" if pol["first_s"] <= limit else "slower"
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
        when = f"call {p['first_variant_call']} (after {fmt(p['until_variant_s'])})" if p.get("first_variant_call") \
            else f"none in {p['calls']} calls"
        lines.append(f"| {r['name']} | {fmt(o['first_s'])} | {fmt(p['import_s'])} | {fmt(p['first_s'])} | "
                     f"{fmt(r['limit_s'])} | {when} | {fmt(p.get('jit_s') or None)} | {fmt(p.get('variant_s'))} | "
                     f"{later(p)} | {r['verdict']} |")
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
    ap.add_argument("--preset", default="", help="PolyBench size (default MEDIUM); NPBench preset (default S)")
    ap.add_argument("--npbench", default=os.path.join(os.path.dirname(REPO), "shared", "npbench"))
    ap.add_argument("--calls", type=int, default=100000, help="calls per process at most (and 90 s)")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--repeat", type=int, default=1,
                    help="fresh processes per first call measured (original and Polyray, interleaved); the median counts")
    ap.add_argument("--json", default="", help="write the rows here")
    ap.add_argument("--doc", action="store_true", help="write the tables into docs/benchmarks.md")
    ap.add_argument("--render", default="", help="comma-separated --json files of earlier runs: tabulate their rows, run nothing")
    args = ap.parse_args(argv)
    only = {n for n in args.only.split(",") if n}
    suites = [s for s in args.suite.split(",") if s]
    started = time.time()
    result: dict[str, list[dict[str, Any]]] = {}
    if args.render:
        suites = []
        for path in args.render.split(","):  # a later file's row of a benchmark replaces an earlier file's
            with open(path) as f:
                for suite, rows in json.load(f).items():
                    by_name = {r["name"]: r for r in result.get(suite, [])}
                    by_name.update((r["name"], r) for r in rows)
                    result[suite] = sorted(by_name.values(), key=lambda r: r["name"])
    if "polybench" in suites:
        sys.path.insert(0, KERNELS)
        import specs

        preset = args.preset or "MEDIUM"
        rows = []
        for name in specs.KERNELS:
            if only and name not in only:
                continue
            for mode in ("jit", "precompiled"):
                folder = tempfile.mkdtemp(prefix=f"polyray-first-{mode}-")
                try:
                    path, note = compile_kernel(name, folder, mode == "precompiled")
                    if path is None:
                        print(f"{name}: {note}", file=sys.stderr)
                        break
                    orig, pol = sampled(
                        lambda: spawn("original", "polybench", name, os.path.join(KERNELS, name + ".py"), preset, 1, args.timeout),
                        lambda whole: spawn("polyray", "polybench", name, path, preset, args.calls if whole else 1, args.timeout),
                        args.repeat)
                    row = row_for(f"{name} ({mode})", orig, pol)
                    rows.append(row)
                    print(json.dumps({k: row[k] for k in ("name", "verdict")}), fmt(orig.get("first_s")),
                          fmt(pol.get("first_s")), "polyray's part", fmt(pol.get("polyray_part_s")), pol.get("first_variant_call"),
                          fmt(pol.get("jit_s")), flush=True)
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
        result["polybench"] = rows
    if "npbench" in suites:
        preset = args.preset or "S"
        rows = []
        for info_path in sorted(glob.glob(os.path.join(args.npbench, "bench_info", "*.json"))):
            name = os.path.basename(info_path)[:-5]
            if only and name not in only:
                continue
            def polyray(whole: bool) -> dict[str, Any]:
                cache = tempfile.mkdtemp(prefix="polyray-first-cache-")  # empty each time: nothing compiled yet
                try:
                    return spawn("polyray", "npbench", name, args.npbench, preset, args.calls if whole else 1, args.timeout, cache)
                finally:
                    shutil.rmtree(cache, ignore_errors=True)

            orig, pol = sampled(lambda: spawn("original", "npbench", name, args.npbench, preset, 1, args.timeout), polyray, args.repeat)
            if "error" not in pol and not pol.get("first_variant_call") and not only:
                continue  # not accelerated: nothing to measure
            row = row_for(name, orig, pol)
            rows.append(row)
            print(json.dumps({k: row[k] for k in ("name", "verdict")}), fmt(orig.get("first_s")),
                  fmt(pol.get("first_s")), "polyray's part", fmt(pol.get("polyray_part_s")), pol.get("first_variant_call"),
                  fmt(pol.get("jit_s")), flush=True)
        result["npbench"] = rows
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    commit = _commit()
    took = "rows of earlier runs (--render)" if args.render else f"took {(time.time() - started) / 60:.1f} min"
    def run(rows: list[dict[str, Any]]) -> str:
        commits = {r.get("commit") or commit: 0 for r in rows}
        for r in rows:
            commits[r.get("commit") or commit] += 1
        measured = ", ".join(f"{c} ({n} rows)" for c, n in commits.items()) if len(commits) > 1 else next(iter(commits), commit)
        return (f"{stamp}, measured on commit {measured}, {took}; {platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} cores, load average {load:.2f} at the end (the machine is shared: figures are noisy).")
    text = ["## The first call (issue 19)", "",
            "`.venv/bin/python bench/first_call.py --preset SMALL` for PolyBench (MEDIUM's originals take 10 s a call), "
            "defaults (preset S) for NPBench. Every figure is from a fresh process (nothing imported or compiled; "
            "with `--repeat N` a first call is the median of N processes of each kind, interleaved); "
            "the first call runs the original while the variant compiles in the background; later calls run "
            "the variant once it is ready (a user's loop: calls until the variant ran three times, 90 s at most), "
            "and the JIT column is the background compile's own time, apart from every call's; \"none in N calls\": "
            "no variant was ready within those 90 s (the compile shares the machine with the calls and its load). "
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
