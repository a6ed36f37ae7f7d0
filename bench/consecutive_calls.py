#!/usr/bin/env python3
"""PolyBench kernels timed on consecutive calls of one variant (issue 16/18 measurements).

bench/run_bench.py interleaves its variants call by call and switches
POLYRAY_TARGET between `auto` and `cpu` on every Polyray call, so each of those
calls takes the dispatcher's full path (its hot path requires the environment
of the call before): for kernels of tens of microseconds that path, not the
compiled code, is most of the time it reports. Here each variant runs RUNS
consecutive calls on fresh copies of the inputs (as run_bench's copies) with
POLYRAY_TARGET=cpu throughout; the fastest and the median call are printed,
and every Polyray result is checked against the expert version's.

    NUMBA_NUM_THREADS=1 .venv/bin/python bench/consecutive_calls.py --kernels gesummv,bicg --runs 31 [--json out.json]

--compiler-root compiles and runs with another checkout's compiler and runtime
(a before/after comparison in one process environment).

--paths also times where a Polyray call's time goes: its two compiled forms
called directly (serial: the loops as range; parallel: the prange form, which
wakes libgomp's workers), and the wrapper with POLYRAY_TARGET written auto, cpu,
auto... before each call (each call then takes the dispatcher's full path, as
run_bench's rounds did until the eighth session).
"""
from __future__ import annotations

import shutil
import atexit
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def paths(mod, kernel, base, specs):
    """The --paths columns: the cpu variant's compiled forms called directly, and the wrapper through the
    dispatcher's full path (the target written alternately auto and cpu before each call)."""
    wrapper = getattr(mod, f"kernel_{kernel}")
    cpu = getattr(mod, f"_polyray_dispatch_kernel_{kernel}").variants["cpu"]
    wrapper(*specs.copy_args(base))  # (compiles the variant: its forms exist after this call)
    out = {}
    if getattr(cpu, "rollback", None) is None and getattr(cpu, "undo", None) is None:
        for form, name in (("_serial", "polyray_serial_direct"), ("_jitted", "polyray_parallel_direct")):
            if getattr(cpu, form, None) is not None:
                out[name] = getattr(cpu, form)
    turn = [0]

    def alternating(*a):
        os.environ["POLYRAY_TARGET"] = ("auto", "cpu")[turn[0] % 2]
        turn[0] += 1
        return wrapper(*a)

    out["polyray_alternating"] = alternating
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default="gesummv,bicg,atax,mvt,doitgen,covariance,correlation")
    ap.add_argument("--size", default="MEDIUM")
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--compiler-root", type=Path, default=ROOT)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--paths", action="store_true", help="also the compiled forms called directly, and the full path")
    args = ap.parse_args()
    root = args.compiler_root.resolve()
    sys.path.insert(0, str(root / "python-bridge"))
    sys.path.insert(0, str(ROOT / "bench" / "polybench"))
    sys.path.insert(0, str(ROOT / "test" / "kernels" / "polybench"))
    os.environ["POLYRAY_TARGET"] = "cpu"
    os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
    import numpy as np

    import numba
    import numpy_versions
    import prange_versions
    import specs

    out_dir = Path(tempfile.mkdtemp(prefix="consecutive_"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)  # removed when the run ends
    rows = []
    for kernel in args.kernels.split(","):
        target = out_dir / f"cc_{kernel}.py"
        subprocess.run(["node", str(root / "bin/polyray.mjs"), "compile", str(ROOT / "test/kernels/polybench" / f"{kernel}.py"), "-o", str(target)],
                       check=True, cwd=root, capture_output=True)
        spec = importlib.util.spec_from_file_location(f"cc_{kernel}", target)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        base = specs.build_args(kernel, specs.SIZES[kernel][args.size], np.random.default_rng(42))
        fns = {"numpy": numpy_versions.VERSIONS.get(kernel), "prange": prange_versions.VERSIONS[kernel], "polyray_cpu": getattr(mod, f"kernel_{kernel}")}
        if args.paths:
            fns.update(paths(mod, kernel, base, specs))
        row = {"kernel": kernel}
        results = {}
        for name, fn in fns.items():
            if fn is None:
                continue
            for _ in range(3):  # the JIT, and the Polyray forms' trials
                fn(*specs.copy_args(base))
            ts = []
            for _ in range(args.runs):
                a = specs.copy_args(base)
                t0 = time.perf_counter()
                fn(*a)
                ts.append(time.perf_counter() - t0)
            results[name] = a
            ts.sort()
            row[name] = {"min_us": ts[0] * 1e6, "median_us": ts[len(ts) // 2] * 1e6}
        # every float argument after the call (the outputs among them) against the expert version's
        want = [np.asarray(x) for x in results["prange"]]
        row["checked"] = all(np.allclose(g, w, rtol=1e-9, atol=1e-9 * max(1.0, float(np.max(np.abs(w))) if w.size else 1.0))
                             for name in results if name.startswith("polyray")
                             for g, w in zip((np.asarray(x) for x in results[name]), want) if g.dtype.kind == "f")
        os.environ["POLYRAY_TARGET"] = "cpu"
        rows.append(row)
        p, c = row["prange"]["median_us"], row["polyray_cpu"]["median_us"]
        print(f"{kernel:12s} " + " ".join(f"{n}={row[n]['median_us']:.0f}us(min {row[n]['min_us']:.0f})" for n in fns if n in row)
              + f"  polyray/prange {p / c:.2f}x  checked={row['checked']}", flush=True)
    info = {"threads": numba.config.NUMBA_NUM_THREADS, "load": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()}
    print(json.dumps(info))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=1))
    return 0 if all(r["checked"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
