"""``npm run bench:npbench``: NPBench's NumPy versions through Polyray's first-call path.

For every benchmark of an NPBench checkout (``--npbench DIR``, default
../shared/npbench next to the repository; its ``bench_info/*.json`` name each
benchmark's module, function, parameters and init), bench/npbench/one.py runs
the unhinted NumPy version with every function of its module wrapped by
``polyray.parallelize``, in a subprocess with a time limit (a hang or a crash is
one row, not the end of the run), and checks every output against the NumPy
version (NPBench's relative-error test, plus a bit-for-bit column). The table
says which functions are accelerated, which variant the main function ran (its
run record) and, when it is not compiled code, the first reason; and, as issue 17
measures it, which of the module's functions NPBench's ``_numba_n`` version
compiles (nopython, one call at the preset) while Polyray does not
(``--no-numba-n`` skips that check). ``--time``
adds medians against NumPy and NPBench's Numba versions at ``--preset``: Polyray's median of all timed
calls and, beside it, of the calls after auto's choice settled (issue 18; one.py), with their geomeans.

The table replaces the section between the ``npbench`` markers of
docs/benchmarks.md (``--doc``, ``--no-doc``; ``--render JSON`` writes it again from
the rows an earlier ``--json`` kept). Exit status 1 when any benchmark
gives a wrong result, raises under Polyray, crashes or runs out of time.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import glob
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from typing import Any
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def markers(preset: str, timed: bool) -> tuple[str, str]:
    """The doc section of one kind of run (preset, timed or not), so a --time run keeps the table of a plain one."""
    tag = f"npbench-{preset}" + ("-time" if timed else "")
    return f"<!-- {tag}:begin (written by bench/npbench/run.py) -->", f"<!-- {tag}:end -->"
FAILED = ("wrong", "error", "crash", "timeout")


def run_one(path: str, args: argparse.Namespace) -> dict[str, Any]:
    """One benchmark in its own process; a row even when the process hangs or dies."""
    name = os.path.basename(path)[:-5]
    cmd = [sys.executable, os.path.join(HERE, "one.py"), path, "--npbench", args.npbench, "--preset", args.preset,
           "--repeat", str(args.repeat)] + (["--time"] if args.time else []) \
        + (["--numerics", args.numerics] if args.numerics else []) \
        + (["--no-numba-n"] if args.no_numba_n else [])
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=REPO)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        done = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
        phase = last_phase(err)
        if done and phase == "numba_n":
            # Polyray's part had finished: only NPBench's Numba version ran out of time
            row = json.loads(done[-1][len("RESULT "):])
            row["numba_n"] = {"error": f"TimeoutExpired: over {args.timeout} s compiling or running it", "compiled": {}}
            row["numba_n_not_polyray"] = []
            row["wall_s"] = time.perf_counter() - start
            return row
        if done and phase.startswith("time"):
            # the verdict stands; the version being timed says so in its cell, the ones after it are not run
            row = json.loads(done[-1][len("RESULT "):])
            timed = phase[len("time "):] or "numpy"  # phases: "time" (NumPy), "time polyray", "time numba_n", ...
            row.setdefault("times", {})[timed] = f"over {args.timeout:.0f} s"
            row["timed_out"] = timed
            row["wall_s"] = time.perf_counter() - start
            return row
        return {"benchmark": name, "status": "timeout", "why_wrong": f"over {args.timeout} s in {last_phase(err)}",
                "wall_s": time.perf_counter() - start}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            row = json.loads(line[len("RESULT "):])
            row["wall_s"] = time.perf_counter() - start
            return row
    tail = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or [f"exit status {proc.returncode}"]
    return {"benchmark": name, "status": "crash", "why_wrong": f"in {last_phase(proc.stderr)}: {tail[0][:200]}",
            "wall_s": time.perf_counter() - start}


def short_name(path: str) -> str:
    try:
        with open(path) as f:
            return str(json.load(f)["benchmark"].get("short_name", ""))
    except (OSError, ValueError, KeyError):
        return ""


def last_phase(stderr: str) -> str:
    phases = re.findall(r"^phase: (.*)$", stderr or "", re.M)
    return phases[-1] if phases else "start-up"


def main_row(row: dict[str, Any]) -> dict[str, Any]:
    return next((f for f in row.get("functions", []) if f.get("main")), {})


def why_not(row: dict[str, Any]) -> str:
    """The first reason the main function does not run compiled code ('' when it does)."""
    if row.get("status") in ("crash", "timeout"):
        return row.get("why_wrong", "")
    if row.get("variant") not in (None, "original"):
        return ""
    main = main_row(row)
    rec = (row.get("records") or [{}])[0]
    if main.get("accelerated"):
        return f"guard/dispatcher: {rec.get('reason') or 'original chosen'}"
    if main.get("notes"):
        return re.sub(r"; signature .*$", "", main["notes"][0])
    return rec.get("reason") or "not called"  # the decorator did not compile (e.g. an argument with no hint)


# The kinds of first reasons, in the words of issue 17's list (first match wins), so
# that the count says what to build next.
KINDS = (
    (r"is not a parameter, local or import", "module-level name"),
    (r"numpy\.\w+\(\) is not supported|attribute '[^']*' is not supported|\.\w+\(\) is not supported",
     "NumPy function or method not in the subset"),
    (r"dtype must be", "dtype= not written as np.<type> (A.dtype, float, ...)"),
    (r"pairwise|own \(vectorized\) implementation|last bits", "last-bits rules (numerics modes)"),
    (r"loops|range\(", "while and non-range loops"),
    (r"unpacking", "tuple unpacking"),
    (r"no hint for parameter", "argument type the decorator cannot hint"),
    (r"unknown rank|unknown-dtype|unknown|needs two arrays|any dtype", "a type the checker does not infer"),
    (r"chained assignment", "chained assignment (a = b = ...)"),
    (r"max\(\)|min\(\)", "builtin max/min on arrays"),
)


def reason_kind(reason: str, row: dict[str, Any]) -> str:
    """The kind of a first reason; a module-level name that is one of the module's functions is a call."""
    name = re.search(r"'([^']*)' is not a parameter", reason)
    if name and name.group(1) in {f.get("name") for f in row.get("functions", [])}:
        return "call to another function of the same module"
    if row.get("status") in ("crash", "timeout"):
        return row["status"]
    return next((kind for pattern, kind in KINDS if re.search(pattern, reason)), "other")


def reason_class(reason: str) -> str:
    """The reason without file, line and the names in it, so that alike reasons count together."""
    text = re.sub(r"^not compiled \([^:]*:[^:]*: ", "not compiled (", reason)
    text = re.sub(r"^the compiler keeps only the original \(", "kept original (", text)
    text = re.sub(r"'[^'\s]+'|`[^`]*`|\"[^\"]*\"", "X", text)  # quoted names (not the ' of "NumPy's")
    return text[:110]


def numba_n_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The header lines of issue 17's yardstick: the NumPy modules' functions that NPBench's
    ``_numba_n`` version compiles (nopython, same name), and those Polyray does not accelerate."""
    checked = [r for r in rows if "numba_n" in r]
    if not checked:
        return []
    both = [(r, f) for r in checked for f in r.get("functions", [])
            if r["numba_n"].get("compiled", {}).get(f["name"])]
    gaps = [f"{r['benchmark']}.{name}" for r in checked for name in r.get("numba_n_not_polyray", [])]
    failed = [r["benchmark"] for r in checked if r["numba_n"].get("error")]
    return [f"- functions of those modules that NPBench's `_numba_n` version compiles (nopython, checked on "
            f"{len(checked)} benchmarks): {len(both)}; Polyray accelerates "
            f"{sum(1 for _, f in both if f.get('accelerated'))} of them; **numba_n compiles, Polyray does not: "
            f"{len(gaps)}**" + (f" ({', '.join(gaps)})" if gaps else ""),
            f"- `_numba_n` main function fails to compile or run: {len(failed)}"
            + (f" ({', '.join(failed)})" if failed else "")]


def numba_n_cell(row: dict[str, Any]) -> str:
    """compiled/all of the ``_numba_n`` version's jit functions, or its error's type."""
    nn = row.get("numba_n")
    if nn is None:
        return ""
    compiled = nn.get("compiled", {})
    cell = f"{sum(compiled.values())}/{len(compiled)}"
    if nn.get("error"):
        cell += f" ({nn['error'].split(':')[0]})"
    elif nn.get("valid") is False:
        cell += " (wrong result)"
    return cell


def speed_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Issue 18's yardsticks from the timed rows: geomeans of NumPy's and the best NPBench Numba version's time
    over Polyray's, for the median of all timed calls and for the settled calls (auto's choice made), and the
    benchmarks below 0.9x NumPy."""
    def geomean(values: list[float]) -> str:
        return (f"{math.exp(sum(map(math.log, values)) / len(values)):.2f}x over {len(values)}"
                if values else "- (none timed)")

    def ratios(column: str, numba: bool) -> list[tuple[str, float]]:
        out = []
        for r in rows:
            t = r.get("times", {})
            mine = t.get(column)
            if numba:
                known = [v for k, v in t.items() if k.startswith("numba_") and isinstance(v, (int, float))]
                base = min(known) if known else None
            else:
                base = t.get("numpy")
            if isinstance(mine, (int, float)) and isinstance(base, (int, float)) and mine > 0 and base > 0:
                out.append((r["benchmark"], base / mine))
        return out

    lines = []
    for column, what in (("polyray", "median of all timed calls"), ("polyray_settled", "settled calls")):
        numpy, numba = ratios(column, False), ratios(column, True)
        slow = [f"{name} {x:.2f}x" for name, x in numpy if x < 0.9]
        lines.append(f"- Polyray, {what}: geomean of NumPy's time over Polyray's {geomean([x for _, x in numpy])}, "
                     f"of the best NPBench Numba version's {geomean([x for _, x in numba])}; "
                     f"below 0.9x NumPy: {', '.join(slow) or 'none'}")
    return lines


def ms(value: Any) -> str:
    return f"{value * 1e3:.2f}" if isinstance(value, (int, float)) else (value or "")


def render(rows: list[dict[str, Any]], args: argparse.Namespace, wall: float) -> str:
    total = len(rows)
    acc = sum(1 for r in rows if main_row(r).get("accelerated"))
    ran = sum(1 for r in rows if r.get("variant") not in (None, "original"))
    bad = [r for r in rows if r.get("status") in FAILED]
    bit = sum(1 for r in rows if r.get("bitwise"))
    fn_all = sum(len(r.get("functions", [])) for r in rows)
    fn_acc = sum(1 for r in rows for f in r.get("functions", []) if f.get("accelerated"))
    reasons = collections.Counter(reason_class(why_not(r)) for r in rows if why_not(r))
    kinds: dict[str, list[str]] = collections.defaultdict(list)
    for r in rows:
        if why_not(r):
            kinds[reason_kind(why_not(r), r)].append(r["benchmark"])
    commit = getattr(args, "commit", None) or "unknown"
    modes = sorted({str(r["numerics"]) for r in rows if r.get("numerics")}) or ["?"]
    begin, end = markers(args.preset, args.time)
    title = f"## NPBench: the NumPy versions through `@parallelize` (preset {args.preset}{', timed' if args.time else ''})"
    lines = [begin, "", title, "",
             f"`npm run bench:npbench -- --preset {args.preset}{' --time' if args.time else ''}"
             f"{' --numerics ' + args.numerics if args.numerics else ''}` (bench/npbench/run.py), "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, run took "
             f"{wall / 60:.1f} min, numerics mode {'/'.join(modes)}. Machine: {machine()}. NPBench checkout: {npbench_source(args.npbench)}.", "",
             f"- main functions accelerated: **{acc} of {total}**; running compiled code on the first call "
             f"(run record's variant not `original`): **{ran} of {total}**",
             f"- all functions of those modules accelerated: {fn_acc} of {fn_all}",
             f"- results: {total - len(bad)} valid by NPBench's test, {bit} bit for bit equal to NumPy; "
             f"wrong, raised, crashed or timed out: {len(bad)}"
             + (" (" + ", ".join(f"{r['benchmark']}: {r['status']}" for r in bad) + ")" if bad else "")]
    lines += numba_n_lines(rows) + (speed_lines(rows) if args.time else []) + ["",
             "First reason the main function does not run compiled code, by kind:", ""]
    lines += [f"- {len(names)} × {kind} ({', '.join(names)})"
              for kind, names in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    lines += ["", "The same reasons as the compiler words them (names and places left out):", ""]
    lines += [f"- {n} × {text}" for text, n in reasons.most_common()]
    head = ["benchmark", "main", "accelerated", "variant", "result", "bitwise", "module's functions accelerated",
            "numba_n compiled", "numba_n compiles, Polyray does not"]
    if args.time:
        head += ["NumPy ms", "Polyray ms", "Polyray settled ms", "numba_n ms", "numba_np ms", "numba_npr ms"]
    head += ["why not compiled code"]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        fns = r.get("functions", [])
        cells = [r["benchmark"], f"`{r.get('function', '?')}`", "yes" if main_row(r).get("accelerated") else "no",
                 r.get("variant") or "", r.get("status", ""), "yes" if r.get("bitwise") else "no",
                 f"{sum(1 for f in fns if f.get('accelerated'))}/{len(fns)}"
                 + (" (" + ", ".join(f["name"] for f in fns if f.get("accelerated") and not f.get("main")) + ")"
                    if any(f.get("accelerated") and not f.get("main") for f in fns) else ""),
                 numba_n_cell(r), ", ".join(f"`{n}`" for n in r.get("numba_n_not_polyray", []))]
        if args.time:
            t = r.get("times", {})
            cells += [ms(t.get(k)) + (" (original kept)" if k == "polyray" and r.get("timed_variant") == "original"
                                      and r.get("variant") not in (None, "original") else "")
                      for k in ("numpy", "polyray", "polyray_settled", "numba_n", "numba_np", "numba_npr")]
        wrong = r.get("why_wrong") or r.get("error") or ""
        cells.append((why_not(r) + (f" — {wrong}" if wrong and wrong not in why_not(r) else "")).replace("|", "\\|")[:220])
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", end]
    return "\n".join(lines)


def head_commit() -> str:
    """The checkout's commit when the run starts (lib/ is what ran; '+changes' when the tree differs)."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], capture_output=True, text=True, cwd=REPO).stdout.strip()
    dirty = git("status", "--porcelain", "--untracked-files=no", "src", "python-bridge/polyray", "bench/npbench")
    return git("rev-parse", "--short", "HEAD") + (" +changes" if dirty else "")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.2f} at the end"


def npbench_source(root: str) -> str:
    try:
        with open(os.path.join(root, "SOURCE")) as f:
            commit = re.search(r"commit: (\w+)", f.read())
        return f"spcl/npbench {commit.group(1)[:10]}" if commit else root
    except OSError:
        return root


def write_doc(path: str, section: str) -> None:
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    begin, end = section.split("\n", 1)[0], section.rsplit("\n", 1)[-1]
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npbench", default=os.path.join(os.path.dirname(REPO), "shared", "npbench"),
                    help="an NPBench checkout (default ../shared/npbench)")
    ap.add_argument("--preset", default="S", help="NPBench preset (S, M, L, paper)")
    ap.add_argument("--time", action="store_true", help="time NumPy, Polyray and the Numba versions")
    ap.add_argument("--repeat", type=int, default=10, help="timed calls per version (median; NPBench also takes 10)")
    ap.add_argument("--numerics", choices=("exact", "close"), help="parallelize(numerics=...); default: the decorator's")
    ap.add_argument("--only", default="", help="comma-separated benchmarks: bench_info/NAME.json names or short names")
    ap.add_argument("--no-numba-n", action="store_true",
                    help="skip the check of which functions NPBench's _numba_n version compiles")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per benchmark")
    ap.add_argument("--doc", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--no-doc", action="store_true", help="print the table, do not write the doc")
    ap.add_argument("--json", help="also write the rows to this file")
    ap.add_argument("--render", metavar="JSON", help="write the doc again from the rows of an earlier --json "
                    "(give the same --preset/--time as that run)")
    args = ap.parse_args(argv)
    args.npbench = os.path.abspath(args.npbench)
    args.commit = head_commit()
    if args.render:
        with open(args.render) as f:
            rows = json.load(f)
        write_doc(args.doc, render(rows, args, sum(r.get("wall_s", 0) for r in rows)))
        print(f"wrote {args.doc}")
        return 1 if any(r.get("status") in FAILED for r in rows) else 0
    paths = sorted(glob.glob(os.path.join(args.npbench, "bench_info", "*.json")))
    if args.only:
        wanted = set(args.only.split(","))
        paths = [p for p in paths if os.path.basename(p)[:-5] in wanted or short_name(p) in wanted]
    if not paths:
        print(f"no benchmarks found in {args.npbench}/bench_info", file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = []
    for path in paths:
        row = run_one(path, args)
        rows.append(row)
        print(f"{row['benchmark']:>12}: {row.get('status'):8} variant={row.get('variant')} "
              f"{why_not(row)[:120]} ({row['wall_s']:.0f} s)"
              + (f" numba_n compiles, Polyray does not: {', '.join(row['numba_n_not_polyray'])}"
                 if row.get("numba_n_not_polyray") else ""), flush=True)
    section = render(rows, args, time.perf_counter() - start)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1, default=str)
    if args.no_doc:
        print(section)
    else:
        write_doc(args.doc, section)
        print(f"wrote {args.doc}")
    failed = [r["benchmark"] for r in rows if r.get("status") in FAILED]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
