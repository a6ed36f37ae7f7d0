"""The four kernels of docs/benchmarks.md "Helpers called in loops, inlined" (rbf, act, smooth, logs: one-expression
helpers called in a loop, inlined, the loop prange, speculative where an inlined math call may raise), compiled by
several compilers, timed in one process, interleaved (in a shuffled order per repetition): each compiler's CPU variant (POLYRAY_TARGET=cpu) in the form
the runtime chose (after its form trials) and in each form forced (POLYRAY_CPU_FORM), medians.

    .venv/bin/python bench/speculative_forms.py [--compiler NAME=path/to/bin/polyray.mjs ...] [--reps 9]

Without --compiler: this tree's compiler only. Every result is checked against the original, bit for bit (exact
mode). Prints one row per kernel and compiler: median ms per form, the form the runtime chose."""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"

#: as in test/python/test_inlined_calls.py
SOURCE = textwrap.dedent(f"""\
    import math

    import numpy as np


    def kernel(r):
        return math.exp(-r * r)


    def clamp(x, lo, hi):
        return min(max(x, lo), hi)


    def relu(x):
        return x if x > 0.0 else 0.0


    def gauss(x, s=2.0):
        z = x / s
        return math.exp(-0.5 * z * z)


    def safe_log(v):
        return math.log(v)


    def rbf(D: {F2}, K: {F2}):
        for i in range(D.shape[0]):
            for j in range(D.shape[1]):
                K[i, j] = kernel(D[i, j])


    def act(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = relu(x[i]) + clamp(x[i], -1.0, 1.0) * 0.5


    def smooth(x: {F1}, y: {F1}, s: float):
        for i in range(x.shape[0]):
            y[i] = gauss(x[i], s) + gauss(x[i])


    def logs(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = safe_log(x[i])
""")


def inputs(n1: int, n2: int) -> dict[str, tuple]:
    rng = np.random.default_rng(18)
    x = rng.standard_normal(n1) * 3.0
    return {
        "rbf": (rng.random((n2, n2)) * 3.0, np.zeros((n2, n2))),
        "act": (x, np.zeros(n1)),
        "smooth": (x, np.zeros(n1), 0.7),
        "logs": (np.abs(x) + 0.1, np.zeros(n1)),
    }


def compile_with(name: str, compiler: Path, out: Path):
    src = out / "kernels.py"
    src.write_text(SOURCE)
    target = out / f"kernels_{name}.py"
    subprocess.run(["node", str(compiler), "compile", str(src), "-o", str(target), "--targets", "cpu", "--numerics", "exact"],
                   check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location(target.stem, target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[target.stem] = module
    spec.loader.exec_module(module)
    return module


def timed(f, args) -> float:
    t0 = time.perf_counter()
    f(*args)
    return (time.perf_counter() - t0) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compiler", action="append", default=[], help="NAME=path to a bin/polyray.mjs")
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--n", type=int, default=4_000_000, help="elements of act, smooth, logs")
    parser.add_argument("--n2", type=int, default=1500, help="rows and columns of rbf")
    opts = parser.parse_args()
    compilers = dict(c.split("=", 1) for c in opts.compiler) or {"this": str(ROOT / "bin/polyray.mjs")}
    os.environ["POLYRAY_TARGET"] = "cpu"
    import polyray.runtime as rt

    data = inputs(opts.n, opts.n2)
    with tempfile.TemporaryDirectory() as tmp:
        modules = {name: compile_with(name, Path(path), Path(tmp)) for name, path in compilers.items()}
        kernels = list(data)
        # the reference: the original, once
        want = {}
        for k in kernels:
            args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in data[k])
            getattr(next(iter(modules.values())), f"_polyray_original_{k}")(*args)
            want[k] = args[1]
        forms = ("auto", "serial", "parallel")
        times: dict[tuple[str, str, str], list[float]] = {}
        chosen: dict[tuple[str, str], str] = {}

        def call(m: str, k: str, form: str, record: bool) -> None:
            if form == "auto":
                os.environ.pop("POLYRAY_CPU_FORM", None)
            else:
                os.environ["POLYRAY_CPU_FORM"] = form
            args = data[k]
            t = timed(getattr(modules[m], k), args)
            if not np.array_equal(args[1], want[k]) or args[1].tobytes() != want[k].tobytes():
                raise SystemExit(f"{m} {k} {form}: result differs from the original's")
            last = rt.history()[-1]
            if last["variant"] != "cpu":
                raise SystemExit(f"{m} {k} {form}: ran {last['variant']} ({last.get('reason')})")
            if record:
                times.setdefault((m, k, form), []).append(t)
                if form == "auto":
                    chosen[(m, k)] = last.get("form") or "sequential"

        for _ in range(opts.warmup):  # compiles, then the auto form trials settle
            for k in kernels:
                for m in modules:
                    for form in forms:
                        call(m, k, form, False)
        # each repetition in a shuffled order: a call right after a parallel one shares the cores with its
        # threads' spinning, so a fixed order would always hand that cost to the same configuration
        order = [(m, form) for m in modules for form in forms]
        shuffle = np.random.default_rng(0).shuffle
        for _ in range(opts.reps):
            for k in kernels:
                shuffle(order)
                for m, form in order:
                    call(m, k, form, True)
        os.environ.pop("POLYRAY_CPU_FORM", None)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {opts.reps} (ms); auto = the form the runtime chose")
    print("| kernel | compiler | auto (chosen) | serial | parallel |")
    print("|---|---|---|---|---|")
    for k in kernels:
        for m in modules:
            med = {f: statistics.median(times[(m, k, f)]) for f in forms}
            print(f"| {k} | {m} | {med['auto']:.1f} ({chosen[(m, k)]}) | {med['serial']:.1f} | {med['parallel']:.1f} |")


if __name__ == "__main__":
    main()
