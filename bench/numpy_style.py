#!/usr/bin/env python3
"""NumPy-style code (whole-array statements, slices, temporaries): a benchmark, not a test.

    .venv/bin/python bench/numpy_style.py [--runs 15]

The kernels of test/kernels/extra/lowered.py that are written as NumPy
statements, at sizes where memory traffic dominates. Columns: NumPy (the
original), Numba's @njit of the original (array expressions, serial),
@njit(parallel=True) of the original (Numba's own parallel array
expressions, what a Numba user would write next), and Polyray's CPU variant
in each form (implicit loops fused, temporaries contracted, prange), with
the dispatcher, and as it runs by itself (after the calls in which it times
both forms). Each result is compared bit for bit with NumPy's.
Prints a markdown table (median of RUNS calls on fresh copies, ms).
"""
from __future__ import annotations

import shutil
import atexit
import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python-bridge"))
sys.path.insert(0, str(ROOT / "test" / "python"))
SOURCE = ROOT / "test" / "kernels" / "extra" / "lowered.py"

import numba  # noqa: E402
import polyray.runtime as rt  # noqa: E402
from compiled import compile_and_import  # noqa: E402 - the tests' compile-then-import


def cases(rng):
    """(kernel, args factory, what it is) at benchmark size."""
    n2 = (2000, 2000)
    big = 4_000_000
    return [
        ("temporaries", lambda: (rng.standard_normal(n2), rng.standard_normal(n2), rng.standard_normal(n2), -1.5),
         "t = a*b; u = t*alpha - a; out[:, :] = sqrt(|u|) + t (2000x2000)"),
        ("chain", lambda: tuple(rng.standard_normal(big) for _ in range(5)) + (big,),
         "four slice statements, three fused (4M)"),
        ("blend", lambda: (rng.standard_normal(n2), rng.standard_normal(n2), rng.standard_normal(n2)),
         "out[:, :] = a*b; out += sqrt(|a|) (2000x2000)"),
        ("stencil_steps", lambda: (rng.standard_normal(1_000_000), rng.standard_normal(1_000_000), 20),
         "jacobi-1d in slices, 20 steps (1M)"),
    ]


def timed(fn, make, runs):
    times = []
    for _ in range(runs):
        args = make()
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def result(fn, args):
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    fn(*args)
    return [a for a in args if isinstance(a, np.ndarray)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="polyray-numpy-style-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)  # removed when the run ends
    mod = compile_and_import(SOURCE, out, "lowered_polyray", "--targets", "cpu")
    os.environ["POLYRAY_TARGET"] = "cpu"
    rng = np.random.default_rng(7)
    rows = []
    for kernel, make, what in cases(rng):
        original = getattr(mod, f"_polyray_original_{kernel}")
        fns = {
            "numpy": original,
            "njit": numba.njit(original),
            "njit_parallel": numba.njit(parallel=True)(original),
            "polyray_parallel": getattr(mod, kernel),
            "polyray_serial": getattr(mod, kernel),
            "polyray_auto": getattr(mod, kernel),
        }
        fixed = make()
        want = result(original, fixed)
        row = {"kernel": kernel, "what": what}
        for col, fn in fns.items():
            if col in ("polyray_parallel", "polyray_serial"):
                os.environ["POLYRAY_CPU_FORM"] = col.split("_")[1]
            else:
                os.environ.pop("POLYRAY_CPU_FORM", None)
            got = result(fn, fixed)  # also the warm-up (JIT compile)
            if col == "polyray_auto":
                for _ in range(6):  # the runtime times each form twice per size class, then keeps the faster
                    fn(*make())
            if col.startswith("polyray") and rt.history()[-1]["variant"] != "cpu":
                raise SystemExit(f"{kernel}: the cpu variant did not run ({rt.history()[-1]['reason']})")
            exact = all(np.array_equal(g, w) for g, w in zip(got, want))
            row[col] = (timed(fn, make, args.runs), exact)
        os.environ.pop("POLYRAY_CPU_FORM", None)
        rows.append(row)
        print(kernel, {k: f"{v[0] * 1e3:.2f} ms" for k, v in row.items() if isinstance(v, tuple)}, flush=True)
    cols = ["numpy", "njit", "njit_parallel", "polyray_serial", "polyray_parallel", "polyray_auto"]
    label = {"numpy": "NumPy", "njit": "@njit", "njit_parallel": "@njit(parallel=True)",
             "polyray_serial": "Polyray cpu, serial form", "polyray_parallel": "Polyray cpu, parallel form",
             "polyray_auto": "Polyray (form it chose)"}
    print()
    print(f"{platform.processor() or platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
          f"numpy {np.__version__}, numba {numba.__version__}; median of {args.runs} calls, ms "
          f"(* = not bit-identical to NumPy)")
    print()
    print("| kernel | " + " | ".join(label[c] for c in cols) + " | Polyray vs @njit |")
    print("|---|" + "---:|" * (len(cols) + 1))
    for r in rows:
        cells = [f"{r[c][0] * 1e3:.2f}{'' if r[c][1] else '*'}" for c in cols]
        print(f"| {r['kernel']}: {r['what']} | " + " | ".join(cells) + f" | {r['njit'][0] / r['polyray_auto'][0]:.2f}x |")
    return 0 if all(r[c][1] for r in rows for c in ("polyray_serial", "polyray_parallel", "polyray_auto")) else 1


if __name__ == "__main__":
    sys.exit(main())
