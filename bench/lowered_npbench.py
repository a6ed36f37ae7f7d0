#!/usr/bin/env python3
"""NPBench's floyd_warshall (a hinted copy in test/kernels/extra) against NumPy, in CPU seconds
(issue 18: statements that read their target elsewhere as element loops).

Each compiler given (``--compiler NAME=path/to/bin/polyray.mjs``; default: this checkout's) compiles the kernel
file into a temporary folder; its CPU variant (POLYRAY_TARGET=cpu, waiting for the compile) and NumPy's original
are called in turn on fresh copies of NPBench's inputs at the preset, ``--rounds`` times after two warm calls;
CPU seconds of the process per call (time.process_time: all threads), min / median ms. Run it niced with one
thread so the figure does not depend on the machine's load:

    NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 19 .venv/bin/python bench/lowered_npbench.py \\
        --compiler before=/path/to/main/bin/polyray.mjs --compiler after=bin/polyray.mjs --preset S
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import polyray.runtime as rt

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ["POLYRAY_TARGET"] = "cpu"


def floyd_input(n: int) -> tuple:
    """NPBench's initialize: small weights, 999 where there is no edge (int32)."""
    i, j = np.indices((n, n))
    path = (i * j % 7 + 1).astype(np.int32)
    path[((i + j) % 13 == 0) | ((i + j) % 7 == 0) | ((i + j) % 11 == 0)] = 999
    return (path,)


def softmax_input(n: int, h: int, sm: int) -> tuple:
    return (np.random.default_rng(42).random((n, h, sm, sm), dtype=np.float32),)


#: benchmark -> (kernel file, function, numerics mode, preset sizes -> inputs)
CASES = {
    "floyd_warshall": ("test/kernels/extra/target_reads.py", "floyd_warshall", "exact",
                       {"S": lambda: floyd_input(200), "M": lambda: floyd_input(400)}),
}


def compiled(cli: str, case: str, out: Path, tag: str):
    source, _, numerics, _ = CASES[case]
    target = out / f"{case}_{tag}.py"
    subprocess.run(["node", cli, "compile", str(ROOT / source), "-o", str(target), "--targets", "cpu", "--numerics", numerics],
                   check=True, cwd=ROOT)
    spec = importlib.util.spec_from_file_location(f"{case}_{tag}", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def cpu_ms(fn, args: tuple) -> float:
    copies = [a.copy() for a in args]
    t0 = time.process_time()
    fn(*copies)
    return (time.process_time() - t0) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compiler", action="append", default=[], help="NAME=path/to/bin/polyray.mjs")
    ap.add_argument("--preset", default="S", choices=["S", "M"])
    ap.add_argument("--only", default=",".join(CASES))
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    compilers = [c.split("=", 1) for c in args.compiler] or [["this", str(ROOT / "bin/polyray.mjs")]]
    out = Path(tempfile.mkdtemp(prefix="lowered_npbench_"))
    for case in args.only.split(","):
        _, name, _, presets = CASES[case]
        inputs = presets[args.preset]()
        fns = {}
        for tag, cli in compilers:
            module = compiled(cli, case, out, tag)
            fns["numpy"] = getattr(module, f"_polyray_original_{name}")
            fns[tag] = getattr(module, name)
        ran = {}
        for k, fn in fns.items():
            for _ in range(2):
                rt.clear_history()
                cpu_ms(fn, inputs)
            ran[k] = rt.history()[-1]["variant"] if k != "numpy" and rt.history() else "original"
        times: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(args.rounds):
            for k, fn in fns.items():
                times[k].append(cpu_ms(fn, inputs))
        row = " | ".join(f"{k} ({ran[k]}) {min(v):.2f} / {statistics.median(v):.2f}" for k, v in times.items())
        print(f"{case} {args.preset}: {row} (CPU ms, min / median of {args.rounds})", flush=True)


if __name__ == "__main__":
    main()
