#!/usr/bin/env python3
"""PolyBench on a GPU host: GPU variant vs CPU variant at LARGE size, and what auto picks.

For a host with Python 3.12, numpy, numba, numba-cuda and CuPy; no network, no
Ray, maybe no Node. Prepare elsewhere (from the repository root)::

    mkdir -p gpu-bundle/modules
    for f in test/kernels/polybench/*.py; do
      n=$(basename "$f" .py); [ "$n" = specs ] && continue
      node bin/polyray.mjs compile "$f" -o "gpu-bundle/modules/${n}.py" --targets cpu,gpu
    done
    cp test/kernels/polybench/specs.py gpu-bundle/
    cp -r python-bridge scripts/gpu-host/run_gpu_bench.py gpu-bundle/

On the GPU host::

    cd gpu-bundle
    PYTHONPATH=python-bridge python3 run_gpu_bench.py --modules modules --specs specs.py

Per kernel (each in its own process, time-boxed; the whole run stays under
--budget seconds, 450 by default): compile both variants on the MINI inputs
(same argument types as LARGE, so nothing compiles during the timed runs),
then at LARGE: the GPU variant (POLYRAY_TARGET=gpu; its run record gives the
time with host<->device copies and the kernels' time without), the CPU
variant (POLYRAY_TARGET=cpu), the written arrays compared (rtol 1e-6), and
one call with auto (which has both timings for the size class by then) and
the variant it ran. Prints one line per kernel and, with --json, writes all
results to a file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls

HERE = Path(__file__).resolve().parent


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _emit(**fields: Any) -> None:
    print("@@" + json.dumps(fields), flush=True)


def child(kernel: str, module_path: Path, specs_path: Path, dataset: str) -> None:
    """One kernel, in its own process; prints @@{json} lines as results arrive."""
    import numpy as np

    import polyray.runtime as rt

    specs = _load(specs_path, "polybench_specs")
    mod = _load(module_path, f"polybench_{kernel}")
    fn = getattr(mod, f"kernel_{kernel}")
    outputs = specs.OUTPUTS[kernel]

    def run(target: str | None, args: tuple[Any, ...]) -> dict[str, Any]:
        if target is None:
            os.environ.pop("POLYRAY_TARGET", None)
        else:
            os.environ["POLYRAY_TARGET"] = target
        fn(*args)
        recs = [r for r in rt.history() if r["function"] == f"kernel_{kernel}"]
        return recs[-1] if recs else {"variant": "?", "reason": "no run record", "seconds": float("nan")}

    rng = np.random.default_rng(42)
    mini = specs.build_args(kernel, specs.SIZES[kernel]["MINI"], rng)
    t = time.perf_counter()
    warm_gpu = run("gpu", specs.copy_args(mini))
    warm_cpu = run("cpu", specs.copy_args(mini))
    _emit(stage="compiled", seconds=time.perf_counter() - t,
          gpu_variant=warm_gpu.get("variant"), gpu_reason=warm_gpu.get("reason"),
          cpu_variant=warm_cpu.get("variant"), device=warm_gpu.get("device"))

    sizes = specs.SIZES[kernel][dataset]
    base = specs.build_args(kernel, sizes, np.random.default_rng(7))
    gargs = specs.copy_args(base)
    g = run("gpu", gargs)
    _emit(stage="gpu", variant=g.get("variant"), reason=g.get("reason"), seconds=g.get("seconds"),
          kernels=g.get("gpu_seconds_kernels"), copies=g.get("gpu_seconds_copies"), device=g.get("device"))
    cargs = specs.copy_args(base)
    c = run("cpu", cargs)
    _emit(stage="cpu", variant=c.get("variant"), seconds=c.get("seconds"))
    worst = 0.0
    equal = True
    for i in outputs:
        a = specs.compare_view(kernel, sizes, i, np.asarray(gargs[i]))
        b = specs.compare_view(kernel, sizes, i, np.asarray(cargs[i]))
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True):
            equal = False
        with np.errstate(all="ignore"):
            diff = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
        finite = diff[np.isfinite(diff)]
        if finite.size:
            worst = max(worst, float(finite.max()))
    _emit(stage="compare", equal=equal, max_rel_diff=worst)
    a = run(None, specs.copy_args(base))
    _emit(stage="auto", variant=a.get("variant"), reason=a.get("reason"), seconds=a.get("seconds"),
          timings=a.get("timings"))


def _fmt(x: Any) -> str:
    if not isinstance(x, (int, float)) or x != x:
        return "-"
    return f"{x:.4f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modules", type=Path, required=True, help="folder of compiled modules NAME.py (or NAME_compiled.py)")
    ap.add_argument("--specs", type=Path, default=None, help="PolyBench specs.py (default: next to the modules)")
    ap.add_argument("--dataset", default="LARGE")
    ap.add_argument("--budget", type=float, default=450.0, help="seconds for the whole run")
    ap.add_argument("--kernel-limit", type=float, default=60.0, help="most seconds one kernel may take")
    ap.add_argument("--only", default="", help="comma-separated kernel names")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--simulator", action="store_true",
                    help="smoke test without a GPU: NUMBA_ENABLE_CUDASIM=1 (use a small --dataset such as MINI)")
    ap.add_argument("--child", nargs=3, metavar=("KERNEL", "MODULE", "SPECS"), help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        child(ns.child[0], Path(ns.child[1]), Path(ns.child[2]), ns.dataset)
        return 0

    specs_path = ns.specs or next(
        (p for p in (ns.modules / "specs.py", ns.modules.parent / "specs.py", HERE / "specs.py") if p.exists()), None)
    if specs_path is None or not specs_path.exists():
        print("specs.py not found: pass --specs", file=sys.stderr)
        return 1
    specs = _load(specs_path, "polybench_specs")
    kernels = [k for k in specs.KERNELS if not ns.only or k in ns.only.split(",")]
    start = time.monotonic()
    results: list[dict[str, Any]] = []
    env = dict(os.environ)
    if ns.simulator:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    else:
        env.pop("NUMBA_ENABLE_CUDASIM", None)
    print(f"{'kernel':16} {'equal':6} {'maxrel':>9} {'gpu+copy s':>11} {'gpu kern s':>11} {'cpu s':>9} {'auto':6} note",
          flush=True)
    for n, kernel in enumerate(kernels):
        module = next((p for p in (ns.modules / f"{kernel}.py", ns.modules / f"{kernel}_compiled.py") if p.exists()), None)
        row: dict[str, Any] = {"kernel": kernel}
        if module is None:
            row["note"] = "no compiled module"
            results.append(row)
            print(f"{kernel:16} {'-':6} {'-':>9} {'-':>11} {'-':>11} {'-':>9} {'-':6} no compiled module", flush=True)
            continue
        left = ns.budget - (time.monotonic() - start)
        share = min(ns.kernel_limit, max(5.0, left / max(1, len(kernels) - n) * 1.8), left)
        if share < 3.0:
            row["note"] = "budget spent"
            results.append(row)
            print(f"{kernel:16} skipped: budget spent", flush=True)
            continue
        cmd = [sys.executable, str(Path(__file__).resolve()), "--modules", str(ns.modules), "--dataset", ns.dataset,
               "--child", kernel, str(module), str(specs_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=share, env=env)
            out, err, note = proc.stdout, proc.stderr, "" if proc.returncode == 0 else f"exit {proc.returncode}"
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err = ""
            note = f"time-boxed at {share:.0f} s"
        for line in out.splitlines():
            if line.startswith("@@"):
                rec = json.loads(line[2:])
                row[rec.pop("stage")] = rec
        if note and err:
            note += ": " + err.strip().splitlines()[-1][:160]
        gpu = row.get("gpu", {})
        if gpu and gpu.get("variant") != "gpu":
            note = (note + "; " if note else "") + f"gpu fell back: {gpu.get('reason')}"
        row["note"] = note
        row["device"] = gpu.get("device") or row.get("compiled", {}).get("device")
        results.append(row)
        cmp_ = row.get("compare", {})
        eq = "-" if not cmp_ else ("yes" if cmp_.get("equal") else "NO")
        print(f"{kernel:16} {eq:6} {cmp_.get('max_rel_diff', float('nan')):9.2e} {_fmt(gpu.get('seconds')):>11} "
              f"{_fmt(gpu.get('kernels')):>11} {_fmt(row.get('cpu', {}).get('seconds')):>9} "
              f"{row.get('auto', {}).get('variant', '-'):6} {note}", flush=True)
    devices = sorted({r["device"] for r in results if r.get("device")})
    print(f"device: {', '.join(devices) or 'unknown'}; dataset {ns.dataset}; total {time.monotonic() - start:.0f} s")
    if ns.json:
        ns.json.write_text(json.dumps({"dataset": ns.dataset, "devices": devices, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
