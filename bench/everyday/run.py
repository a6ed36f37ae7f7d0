#!/usr/bin/env python3
"""Everyday kernels nobody here tuned to, through Polyray's first-call path: a benchmark and an outside check.

    .venv/bin/python bench/everyday/run.py [--only a,b] [--numerics exact|close] [--json OUT] [--no-time]

The kernels (bench/everyday/{physics,imaging,stats,numerical}.py) are written as scientists write them, some
with hints and some without; cases.py gives their inputs. Each kernel runs in its own child process (a crash or
a hang costs one row) which:

1. calls the original (a fresh import of the module) on copies of the arguments;
2. imports the module again, replaces each of its functions by ``polyray.parallelize(function)`` in the
   module's globals (the helpers it calls too, as NPBench's harness does: bench/npbench/one.py), and calls
   it on fresh copies (POLYRAY_JIT_WAIT=1: the call waits for its variant); the result and every array
   argument must match the original's: dtypes, shapes, integers, booleans and NaN positions exactly,
   floats bit for bit in ``exact`` mode and within a relative 1e-8 of the largest magnitude in ``close``
   mode (every close-mode bound of docs/reliability.md is far below that at these sizes);
3. says whether the function was accelerated (else the compiler's first reason) and which variant ran;
4. times the original, Polyray under ``auto`` (as a user runs it: it may keep the original where it is
   faster) and plain ``numba.njit`` of the module's functions (where Numba compiles them): medians of
   calls after the first ones on fresh copies.

Prints a table and the totals (accelerated, wrong, geomean speed-up vs the original and vs njit over the
kernels that both ran); exits 1 when any result is wrong or a child failed.
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "inf")  # auto times the original on copies (bench/npbench/one.py)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
if str(ROOT / "python-bridge") not in sys.path and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT / "python-bridge"))

import numpy as np  # noqa: E402

from cases import CASES, Case  # noqa: E402

RTOL = 1e-8


def load(module: str, alias: str) -> Any:
    spec = importlib.util.spec_from_file_location(alias, HERE / f"{module}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[alias] = mod
    spec.loader.exec_module(mod)
    return mod


def own_functions(mod: Any) -> dict[str, Any]:
    return {n: f for n, f in vars(mod).items() if inspect.isfunction(f) and f.__module__ == mod.__name__}


def copies(args: tuple[Any, ...]) -> list[Any]:
    return [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]


def call(fn: Any, args: tuple[Any, ...]) -> tuple[Any, list[Any], float]:
    """(result, the arguments afterwards, seconds) of one call on fresh copies."""
    mine = copies(args)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        start = time.perf_counter()
        out = fn(*mine)
        seconds = time.perf_counter() - start
    return out, mine, seconds


def compare(want: Any, got: Any, exact: bool, where: str) -> tuple[bool, bool, str]:
    """(within the bound, bit for bit, why not) for one output."""
    if isinstance(want, tuple) or isinstance(got, tuple):
        if not (isinstance(want, tuple) and isinstance(got, tuple) and len(want) == len(got)):
            return False, False, f"{where}: tuple {type(want).__name__} vs {type(got).__name__}"
        ok, bits, why = True, True, ""
        for k, (w, g) in enumerate(zip(want, got)):
            o, b, y = compare(w, g, exact, f"{where}[{k}]")
            ok, bits, why = ok and o, bits and b, why or y
        return ok, bits, why
    if isinstance(want, (int, float, complex, bool, np.generic)) and not isinstance(want, np.ndarray):
        if not isinstance(got, (int, float, complex, bool, np.generic)):
            return False, False, f"{where}: scalar vs {type(got).__name__}"
        kind = lambda v: np.asarray(v).dtype.kind  # noqa: E731
        if kind(want) != kind(got):
            return False, False, f"{where}: {type(want).__name__} vs {type(got).__name__}"
        want, got = np.asarray(want), np.asarray(got)
    if not isinstance(got, np.ndarray) or not isinstance(want, np.ndarray):
        return (want == got), (want == got), f"{where}: {want!r} vs {got!r}"
    if want.shape != got.shape or want.dtype != got.dtype:
        return False, False, f"{where}: {want.dtype}{want.shape} vs {got.dtype}{got.shape}"
    if want.tobytes() == got.tobytes():
        return True, True, ""
    if exact or want.dtype.kind not in "fc":
        return False, False, f"{where}: values differ (max |diff| {np.max(np.abs(want.astype(float) - got.astype(float)))})"
    if not np.array_equal(np.isnan(want), np.isnan(got)) or not np.array_equal(np.isinf(want), np.isinf(got)):
        return False, False, f"{where}: NaN or inf positions differ"
    finite = np.isfinite(want)
    scale = float(np.max(np.abs(want[finite]))) if finite.any() else 0.0
    err = float(np.max(np.abs(want[finite] - got[finite]))) if finite.any() else 0.0
    if err <= RTOL * scale:
        return True, False, ""
    return False, False, f"{where}: max |diff| {err:.3g} > {RTOL} * {scale:.3g}"


def median_time(fn: Any, args: tuple[Any, ...]) -> float:
    times: list[float] = []
    budget = time.perf_counter() + 1.0
    while len(times) < 3 or (len(times) < 15 and time.perf_counter() < budget):
        times.append(call(fn, args)[2])
    return statistics.median(times)


def child(case: Case, numerics: str, timing: bool) -> dict[str, Any]:
    from polyray import parallelize
    from polyray.runtime import clear_history, history

    row: dict[str, Any] = {"kernel": case.function, "module": case.module, "what": case.what, "numerics": numerics}
    args = case.make(np.random.default_rng(1234))
    reference = load(case.module, f"everyday_ref_{case.module}")
    original = getattr(reference, case.function)
    row["hinted"] = any(p.annotation is not inspect.Parameter.empty for p in inspect.signature(original).parameters.values())
    want, want_args, first_original = call(original, args)

    subject = load(case.module, f"everyday_polyray_{case.module}")
    wrapped = {}
    for name, fn in own_functions(subject).items():
        wrapped[name] = parallelize(fn, numerics=numerics)
        setattr(subject, name, wrapped[name])
    clear_history()
    try:
        got, got_args, first = call(getattr(subject, case.function), args)
    except Exception as exc:  # noqa: BLE001 - the original ran: an exception here is a defect
        row.update(status="error", why=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=8))
        return row
    records = [r for r in history() if r.get("function") == case.function]
    row["variant"] = records[0].get("variant") if records else None
    row["run_reason"] = (records[0].get("reason") or "")[:300] if records else ""
    w = wrapped[case.function]
    row["accelerated"] = any(t is not None for t, _ in w.compiled.values())
    row["note"] = "; ".join(note for _, note in w.compiled.values())[:400]
    row["first_call_s"] = first
    exact = numerics == "exact"
    ok, bits, why = compare(want, got, exact, "result")
    for k, (a, b) in enumerate(zip(want_args, got_args)):
        if isinstance(a, np.ndarray):
            o, bb, y = compare(a, b, exact, f"argument {k}")
            ok, bits, why = ok and o, bits and bb, why or y
    row.update(status="ok" if ok else "wrong", bitwise=bits, why=why)
    if not (timing and ok):
        return row
    times = {"original": median_time(original, args)}
    fn = getattr(subject, case.function)
    call(fn, args)  # auto's second call of the class may time both forms
    clear_history()
    times["polyray"] = median_time(fn, args)
    timed = [r for r in history() if r.get("function") == case.function]
    row["timed_variant"] = timed[-1].get("variant") if timed else None
    try:
        import numba

        jitted = load(case.module, f"everyday_njit_{case.module}")
        for name, f in own_functions(jitted).items():
            setattr(jitted, name, numba.njit(f))
        start = time.perf_counter()
        call(getattr(jitted, case.function), args)
        row["njit_compile_s"] = time.perf_counter() - start
        times["njit"] = median_time(getattr(jitted, case.function), args)
    except Exception as exc:  # noqa: BLE001 - what Numba refuses is a column, not a failure
        row["njit_error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}"
    row["times"] = times
    return row


def short_reason(row: dict[str, Any]) -> str:
    if row.get("status") != "ok":
        return row.get("why", "")[:90]
    if not row.get("accelerated"):
        note = row.get("note", "")
        if "(" in note:
            note = note[note.index("(") + 1:]
        return note.split("; signature")[0].rstrip(")")[:90]
    if row.get("variant") in (None, "original"):
        return ("ran original: " + row.get("run_reason", ""))[:90]
    if row.get("timed_variant") == "original":
        return "auto kept the original (faster)"
    return ""


def geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| kernel | hints | result | accelerated | variant | original ms | polyray ms | njit ms | x orig | x njit | first reason |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        t = r.get("times") or {}
        o, p, j = t.get("original"), t.get("polyray"), t.get("njit")
        ms = lambda v: f"{v * 1e3:.3f}" if v else "-"  # noqa: E731
        lines.append(" | ".join([
            f"| {r['kernel']}", "yes" if r.get("hinted") else "no",
            r.get("status", "?") + (" (bits)" if r.get("bitwise") else ""),
            "yes" if r.get("accelerated") else "no", str(r.get("timed_variant") or r.get("variant") or "-"),
            ms(o), ms(p), ms(j) if j else ("fails" if r.get("njit_error") else "-"),
            f"{o / p:.2f}" if o and p else "-", f"{j / p:.2f}" if j and p else "-", short_reason(r).replace("|", "/")]) + " |")
    return "\n".join(lines)


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    timed = [r["times"] for r in rows if r.get("times")]
    return {
        "kernels": len(rows),
        "accelerated": sum(1 for r in rows if r.get("accelerated")),
        "ran_compiled": sum(1 for r in rows if r.get("variant") not in (None, "original")),
        "wrong": sum(1 for r in rows if r.get("status") == "wrong"),
        "errors": sum(1 for r in rows if r.get("status") not in ("ok", "wrong")),
        "bitwise": sum(1 for r in rows if r.get("bitwise")),
        "njit_compiles": sum(1 for t in timed if t.get("njit")),
        "geomean_vs_original": geomean([t["original"] / t["polyray"] for t in timed]),
        "geomean_vs_njit": geomean([t["njit"] / t["polyray"] for t in timed if t.get("njit")]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated kernel names")
    ap.add_argument("--numerics", choices=("exact", "close"), default="close")
    ap.add_argument("--json", help="write the rows and totals here")
    ap.add_argument("--no-time", action="store_true", help="check results only")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per kernel")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    by_name = {c.function: c for c in CASES}
    if opts.child:
        row = child(by_name[opts.child], opts.numerics, not opts.no_time)
        print("RESULT " + json.dumps(row, default=str), flush=True)
        return 0
    names = opts.only.split(",") if opts.only else list(by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        ap.error(f"unknown kernels: {', '.join(unknown)}")
    rows = []
    for name in names:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--numerics", opts.numerics]
        if opts.no_time:
            cmd.append("--no-time")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.timeout)
            found = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            row = json.loads(found[-1][7:]) if found else {
                "kernel": name, "status": "crash", "why": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
        except subprocess.TimeoutExpired:
            row = {"kernel": name, "status": "timeout", "why": f"over {opts.timeout:.0f} s"}
        rows.append(row)
        print(f"{name}: {row.get('status')} accelerated={row.get('accelerated')} variant={row.get('timed_variant') or row.get('variant')} "
              f"{short_reason(row)}", file=sys.stderr, flush=True)
    print(table(rows))
    summary = totals(rows)
    print("\n" + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()))
    if opts.json:
        Path(opts.json).write_text(json.dumps({"numerics": opts.numerics, "rows": rows, "totals": summary}, indent=1, default=str))
    return 1 if summary["wrong"] or summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
