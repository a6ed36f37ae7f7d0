#!/usr/bin/env python3
"""Two thread pools on the same cores: OpenBLAS's (NumPy's products) and libgomp's (Numba's prange regions).

Measures the matrix behind python-bridge/polyray/idle_threads.py (issues 16 and 18), each cell in a fresh
process (both libraries read their settings when they load):
GOMP_SPINCOUNT {default, 0, 1e3, 1e4, 1e5; OMP_WAIT_POLICY=passive} x OPENBLAS_THREAD_TIMEOUT {default, 4, 8, 12}
x {prange alone, prange right after a product, product alone, product right after a prange region, empty
region back to back (run_bench's launch probe)}; then, with the libraries' defaults, what ``import polyray``
after NumPy does (restart) and openblas_set_num_threads(1) around each region (setnum1).

Each figure is "median µs / CPU µs": the median wall time of the timed call, and the process's CPU time (all
threads) per iteration of the loop. On a loaded machine the wall times mostly measure the scheduler; the CPU
time still shows the spinning (the work itself is a few hundred µs of CPU). Not part of npm test.

    .venv/bin/python bench/idle_threads.py            # the whole matrix (about 30 processes)
    .venv/bin/python bench/idle_threads.py --quick    # GOMP default/1000 x timeout default/4, restart, setnum1
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OURS = ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")
SCENARIOS = ("prange", "prange_after_blas", "blas", "blas_after_prange", "empty_region")


def cell(mode: str) -> dict[str, list[int]]:
    """One process's measurements (run with --cell): mode plain, restart (import polyray after NumPy) or setnum1."""
    import ctypes
    import glob

    import numpy as np

    lib = None
    for path in glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "libscipy_openblas*.so")):
        lib = ctypes.CDLL(path)
    if mode == "restart":
        sys.path.insert(0, os.path.join(ROOT, "python-bridge"))
        import polyray  # noqa: F401  (sets the defaults, restarts NumPy's pool)
    from numba import njit, prange

    @njit(parallel=True)
    def total(a):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i]
        return s

    @njit(parallel=True)
    def touch(a):
        for i in prange(a.shape[0]):
            a[i] += 1.0

    rng = np.random.default_rng(0)
    A, B, x, z = rng.random((200, 240)), rng.random((240, 220)), np.ones(100_000), np.zeros(1000)
    set_threads = get_threads = None
    if mode == "setnum1":
        if lib is None:
            raise SystemExit("setnum1: NumPy's OpenBLAS not found")
        set_threads = getattr(lib, "scipy_openblas_set_num_threads64_", None) or lib.openblas_set_num_threads
        get_threads = getattr(lib, "scipy_openblas_get_num_threads64_", None) or lib.openblas_get_num_threads

    def region() -> None:
        if set_threads is None:
            total(x)
            return
        previous = get_threads()
        set_threads(1)
        try:
            total(x)
        finally:
            set_threads(previous)

    def product() -> None:
        A @ B

    def measure(fn, before=None, n: int = 40) -> list[int]:
        ts = []
        c0 = time.process_time()
        for _ in range(n):
            if before is not None:
                before()
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        cpu = (time.process_time() - c0) / n
        ts.sort()
        return [round(ts[len(ts) // 2] * 1e6), round(cpu * 1e6)]

    region(), touch(z), product()
    return {"prange": measure(region), "prange_after_blas": measure(region, product), "blas": measure(product),
            "blas_after_prange": measure(product, region), "empty_region": measure(lambda: touch(z), n=300)}


def run_cell(env: dict[str, str], mode: str = "plain") -> dict[str, list[int]]:
    base = {k: v for k, v in os.environ.items() if k not in _OURS}
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--cell", mode], env={**base, **env},
                         capture_output=True, text=True, check=True, timeout=600).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cell", choices=["plain", "restart", "setnum1"], help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="a few cells only")
    args = ap.parse_args()
    if args.cell:
        print(json.dumps(cell(args.cell)))
        return
    gomps = ["default", "1000"] if args.quick else ["default", "0", "1000", "10000", "100000", "passive"]
    timeouts = ["default", "4"] if args.quick else ["default", "4", "8", "12"]
    rows = []
    for g in gomps:
        for t in timeouts:
            env = {}
            if g == "passive":
                env["OMP_WAIT_POLICY"] = "passive"
            elif g != "default":
                env["GOMP_SPINCOUNT"] = g
            if t != "default":
                env["OPENBLAS_THREAD_TIMEOUT"] = t
            rows.append((f"GOMP {g}, timeout {t}", run_cell(env), os.getloadavg()[0]))
    rows.append(("import polyray after NumPy (its settings, pool restarted)", run_cell({}, "restart"), os.getloadavg()[0]))
    rows.append(("library defaults, set_num_threads(1) around regions", run_cell({}, "setnum1"), os.getloadavg()[0]))
    print("| setting | load | " + " | ".join(SCENARIOS) + " |")
    print("|---|---|" + "---|" * len(SCENARIOS))
    for name, r, load in rows:
        print(f"| {name} | {load:.1f} | " + " | ".join(f"{r[s][0]} / {r[s][1]}" for s in SCENARIOS) + " |")


if __name__ == "__main__":
    main()
