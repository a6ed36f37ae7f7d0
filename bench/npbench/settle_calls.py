"""Per call of one NPBench benchmark under ``auto``: what auto did and what the call cost (issue 18).

``python bench/npbench/settle_calls.py NAME [--preset M] [--calls 8] [--wait]`` makes NAME's main function's
calls through ``@parallelize`` (bench/npbench/one.py's data and wrapping; each call on fresh copies, as NPBench
does) and prints one line per call: the process CPU seconds the call took (user+sys of every thread, the
background compile included: a count that does not depend on the machine's load as wall time does), its wall
seconds, and what its run records of the main function say (variant, form, the original timed on copies and
how many runs, measuring, settled or hot). ``--json`` prints the rows as JSON. With ``--wait``, calls wait for
the compile (POLYRAY_JIT_WAIT=1, bench/npbench/run.py's setting); without it, the first calls run the original
while the variant compiles (issue 19's default).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_seconds() -> float:
    """User+sys CPU seconds of this process so far (all its threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """The record's fields that say what auto did on the call."""
    keys = ("variant", "form", "cpu_seconds", "original_timed_seconds", "original_runs", "measuring", "settled", "hot",
            "jit_compiling", "seconds", "original_basis")
    out = {k: record[k] for k in keys if k in record}
    out["reason"] = str(record.get("reason", ""))[:160]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", help="NPBench short name or module name (bench_info/NAME.json)")
    ap.add_argument("--npbench", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "npbench"))
    ap.add_argument("--preset", default="M")
    ap.add_argument("--calls", type=int, default=8)
    ap.add_argument("--wait", action="store_true", help="calls wait for the compile (POLYRAY_JIT_WAIT=1)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.wait:
        os.environ["POLYRAY_JIT_WAIT"] = "1"
    else:
        os.environ.setdefault("POLYRAY_JIT_WAIT", "0")
    os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "inf")  # (as bench/npbench/one.py's timed calls)
    sys.path.insert(0, HERE)
    import one  # noqa: E402 - after the environment above (one.py sets POLYRAY_JIT_WAIT by default)
    from polyray.runtime import clear_history, history

    path = os.path.join(args.npbench, "bench_info", args.name + ".json")
    with open(path) as f:
        info = json.load(f)["benchmark"]
    folder = os.path.join(args.npbench, "npbench", "benchmarks", info["relative_path"])
    name, main_fn = info["module_name"], info["func_name"]
    data = one.make_data(info, folder, args.preset)
    subject = one.load_module(os.path.join(folder, name + "_numpy.py"), f"npb_{name}_numpy")
    one.wrap_module(subject, None)
    fn = getattr(subject, main_fn)
    clear_history()
    rows = []
    for i in range(args.calls):
        done = len(history())
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        one.call(fn, info, data)
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        records = [summary(r) for r in history()[done:] if r.get("function") == main_fn]
        rows.append({"call": i + 1, "cpu_s": round(cpu, 4), "wall_s": round(wall, 4), "records": records})
        if not args.json:
            line = "; ".join(
                f"{r.get('variant')}{'/' + r['form'] if r.get('form') else ''}"
                + (f" ({r['cpu_seconds'] * 1e3:.1f} ms CPU)" if "cpu_seconds" in r else "")
                + (f" orig x{r['original_runs']} {r['original_timed_seconds'] * 1e3:.1f}ms"
                   if "original_timed_seconds" in r else "")
                + (" measuring" if r.get("measuring") else "") + (" SETTLED" if r.get("settled") else "")
                + (" hot" if r.get("hot") else "") + (" compiling" if r.get("jit_compiling") else "")
                for r in records) or "(no record: the wrapper ran the original's body)"
            print(f"{args.name} call {i + 1}: cpu {cpu:.3f} s wall {wall:.3f} s: {line}", flush=True)
    if args.json:
        print(json.dumps({"benchmark": args.name, "preset": args.preset, "rows": rows}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
