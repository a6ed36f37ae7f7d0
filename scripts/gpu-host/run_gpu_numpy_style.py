#!/usr/bin/env python3
"""NumPy-style code on a GPU host: the GPU variant of test/kernels/extra/lowered.py's kernels
(implicit loops as kernels, temporaries on the device, `D = A @ B` through CuPy) against the
CPU variant, and what auto picks. The companion of run_gpu_bench.py (PolyBench), for the
same host (Python 3.12, numpy, numba, numba-cuda, CuPy; no Node, no Ray). Prepare elsewhere::

    node bin/polyray.mjs compile test/kernels/extra/lowered.py -o gpu-bundle/modules/lowered.py --targets cpu,gpu
    cp scripts/gpu-host/run_gpu_numpy_style.py gpu-bundle/

On the GPU host::

    cd gpu-bundle
    PYTHONPATH=python-bridge python3 run_gpu_numpy_style.py --module modules/lowered.py

Per kernel: one warm-up call per variant (JIT) on the same shapes, then the
GPU variant (POLYRAY_TARGET=gpu; its record gives the time with copies and
the kernels' alone), the CPU variant, the written arrays compared (rtol
1e-12: the CPU variant is bit for bit NumPy's, the device's sqrt and
products may round differently), and one call with auto. One line per
kernel; --json writes everything. --simulator with a small --scale smoke-tests
it without a GPU.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls


def cases(scale: float) -> dict[str, Callable[[np.random.Generator], tuple[Any, ...]]]:
    """Arguments per kernel; `scale` 1.0 is the benchmark size (memory-bound: tens of MB per array)."""
    n2 = max(2, int(4000 * scale))
    n1 = max(4, int(16_000_000 * scale))
    return {
        "temporaries": lambda r: (r.standard_normal((n2, n2)), r.standard_normal((n2, n2)), r.standard_normal((n2, n2)), -1.5),
        "blend": lambda r: (r.standard_normal((n2, n2)), r.standard_normal((n2, n2)), r.standard_normal((n2, n2))),
        "chain": lambda r: (*(r.standard_normal(n1) for _ in range(5)), n1),
        "stencil_steps": lambda r: (r.standard_normal(n1), r.standard_normal(n1), 20),
        "kept_temporary": lambda r: (r.standard_normal(n1), r.standard_normal(n1), n1),
        "after_matmul": lambda r: (r.standard_normal((n2, n2 // 2)), r.standard_normal((n2, n2 // 2)), r.standard_normal((n2, n2)), r.standard_normal(n2 // 2)),
    }


def copies(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", type=Path, required=True, help="lowered.py compiled with --targets cpu,gpu")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--simulator", action="store_true", help="NUMBA_ENABLE_CUDASIM=1 (with a small --scale)")
    ns = ap.parse_args()
    if ns.simulator:
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    import polyray.runtime as rt

    spec = importlib.util.spec_from_file_location("lowered_gpu", ns.module)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["lowered_gpu"] = mod
    spec.loader.exec_module(mod)

    def run(fn: Callable[..., Any], target: str | None, args: tuple[Any, ...]) -> dict[str, Any]:
        if target is None:
            os.environ.pop("POLYRAY_TARGET", None)
        else:
            os.environ["POLYRAY_TARGET"] = target
        fn(*args)
        return rt.history()[-1]

    results = []
    print(f"{'kernel':16} {'equal':6} {'gpu+copy s':>11} {'gpu kern s':>11} {'cpu s':>9} {'auto':6} note", flush=True)
    for name, build in cases(ns.scale).items():
        fn = getattr(mod, name)
        base = build(np.random.default_rng(7))
        row: dict[str, Any] = {"kernel": name}
        t0 = time.perf_counter()
        run(fn, "gpu", copies(base))  # JIT, same types and ranks
        run(fn, "cpu", copies(base))
        row["warmup_seconds"] = time.perf_counter() - t0
        g_args, c_args = copies(base), copies(base)
        g, c = run(fn, "gpu", g_args), run(fn, "cpu", c_args)
        row["gpu"] = {k: g.get(k) for k in ("variant", "reason", "seconds", "gpu_seconds_kernels", "gpu_seconds_copies", "gpu_products", "device")}
        row["cpu"] = {k: c.get(k) for k in ("variant", "seconds")}
        row["equal"] = all(np.allclose(x, y, rtol=1e-12, atol=0, equal_nan=True)
                           for x, y in zip(g_args, c_args) if isinstance(x, np.ndarray))
        row["auto"] = run(fn, None, copies(base)).get("variant")
        note = "" if g.get("variant") == "gpu" else f"gpu fell back: {g.get('reason')}"
        results.append(row)
        fmt = lambda x: "-" if not isinstance(x, (int, float)) else f"{x:.4f}"  # noqa: E731
        print(f"{name:16} {'yes' if row['equal'] else 'NO':6} {fmt(g.get('seconds')):>11} {fmt(g.get('gpu_seconds_kernels')):>11} "
              f"{fmt(c.get('seconds')):>9} {row['auto'] or '-':6} {note}", flush=True)
    devices = sorted({r["gpu"].get("device") for r in results if r["gpu"].get("device")})
    print(f"device: {', '.join(devices) or 'unknown'}; scale {ns.scale}")
    if ns.json:
        ns.json.write_text(json.dumps({"scale": ns.scale, "devices": devices, "results": results}, indent=1))
    return 0 if all(r["equal"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
