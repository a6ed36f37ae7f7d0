#!/usr/bin/env python3
"""PolyBench suite: CPython vs NumPy vs Numba (naive @njit, expert prange) vs Polyray.

`npm run bench` (not part of `npm test`). For each of the 30 kernels:

1. validation at MINI and SMALL: every variant against the CPython original
   (fresh copies of the same inputs); the CPython time at SMALL is kept;
2. at the benchmark size (MEDIUM by default): one warm-up call per variant
   (for Polyray, also the calls that time each form of a parallel CPU variant)
   (excluded), then RUNS timed calls on fresh copies of the inputs, the median
   quoted; the variants take turns call by call, in two passes with
   POLYRAY_TARGET held at cpu, then auto (a user's loop calls one target; a
   switch costs the next call the dispatcher's full path); every result
   compared with the reference (Polyray's every call, others' first);
3. CPython at the benchmark size runs once when its predicted time
   (CPython SMALL x njit size ratio) is under --cpython-budget seconds;
   otherwise its time is that prediction, marked "~" (extrapolated) in the
   table, and the reference becomes the naive @njit result (same operation
   order as the original, checked against CPython at MINI and SMALL).

Any wrong result makes the run exit 1 (after writing what it measured).
JIT compile time is reported separately: the first call at MINI, which is
almost only Numba compiling. Then the TypeScript compile time
(bench/compile-polybench.ts --json), the machine, geometric means, the
targets of issue 8, a markdown table and a PNG chart, written between the
markers of docs/benchmarks.md and to docs/benchmarks.png.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset together for this process
only (it re-executes itself), so NumPy's OpenBLAS picks its own kernel for
the host; NUMBA_NUM_THREADS defaults to the number of usable cores;
GOMP_SPINCOUNT=1000 and OPENBLAS_THREAD_TIMEOUT=4 unless set (the values
`import polyray` sets, python-bridge/polyray/idle_threads.py: the idle
threads of OpenBLAS and of Numba's OpenMP layer stop spinning on the cores
the other pool needs).
"""
from __future__ import annotations

import os
import sys
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls

if os.environ.get("POLYBENCH_CHILD") != "1":
    env = dict(os.environ)
    removed = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in env]
    for k in removed:
        del env[k]
    env.setdefault("NUMBA_NUM_THREADS", str(len(os.sched_getaffinity(0))))
    # OpenBLAS's idle threads spin for about 0.1 s after each call (2**28 cycles)
    # before they sleep, libgomp's (Numba's prange) 300,000 iterations; on two
    # cores each pool took the cores from the other's next call (measured:
    # k2mm's expert prange 0.55 ms with a p100 of 11.7 ms after the NumPy
    # column). The same settings as `import polyray` makes for any user
    # (python-bridge/polyray/idle_threads.py), set before anything loads
    # OpenBLAS or libgomp, so every column runs with them; a value set by the
    # caller is kept.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python-bridge"))
    from polyray import idle_threads
    idle_threads.set_defaults(env)
    env["POLYBENCH_CHILD"] = "1"
    env["POLYBENCH_UNSET"] = ",".join(f"{k}={os.environ[k]}" for k in removed)
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import argparse
import importlib.util
import json
import math
import platform
import re
import statistics
import subprocess
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "test" / "kernels" / "polybench"))
sys.path.insert(0, str(ROOT / "python-bridge"))

import numba  # noqa: E402
import specs  # noqa: E402
from polybench import numpy_versions, prange_versions  # noqa: E402

KDIR = ROOT / "test" / "kernels" / "polybench"
DOC = ROOT / "docs" / "benchmarks.md"
PNG = ROOT / "docs" / "benchmarks.png"
BEGIN, END = "<!-- polybench:begin (written by bench/run_bench.py) -->", "<!-- polybench:end -->"
COLS = ["cpython", "numpy", "njit", "prange", "polyray_auto", "polyray_cpu"]
LABEL = {"cpython": "CPython", "numpy": "NumPy", "njit": "@njit", "prange": "prange (expert)",
         "polyray_auto": "Polyray auto", "polyray_cpu": "Polyray cpu"}
BLAS_KERNELS = ["gemm", "k2mm", "k3mm", "syrk", "syr2k", "symm", "trmm"]
# Tolerances: variants that keep the original operation order must agree to
# rounding noise (as test_polybench_differential.py); reassociating ones
# (BLAS, reordered sums) to 1e-7 relative.
TOL = {"njit": (1e-9, 1e-12), "polyray_auto": (1e-9, 1e-12), "polyray_cpu": (1e-9, 1e-12),
       "numpy": (1e-7, 1e-9), "prange": (1e-7, 1e-9)}


def log(*a):
    print(*a, flush=True)


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compile_polyray(kernel: str, out_dir: Path):
    out = out_dir / f"polyray_{kernel}.py"
    rep = out_dir / f"polyray_{kernel}.json"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(KDIR / f"{kernel}.py"),
                    "-o", str(out), "--report", str(rep), "--targets", "cpu"], check=True, cwd=ROOT)
    return load_module(out, f"polyray_{kernel}"), json.loads(rep.read_text())


def outputs(kernel, sizes, args):
    return [np.array(specs.compare_view(kernel, sizes, i, args[i])) for i in specs.OUTPUTS[kernel]]


def check(kernel, sizes, variant, got, ref):
    rtol, atol = TOL[variant]
    for i, (g, r) in enumerate(zip(got, ref)):
        scale = max(1.0, float(np.nanmax(np.abs(r)))) if r.size else 1.0
        try:
            np.testing.assert_allclose(g, r, rtol=rtol, atol=atol * scale, equal_nan=True)
        except AssertionError as e:
            return f"{variant} output {specs.OUTPUTS[kernel][i]}: {str(e).strip().splitlines()[-3:]}"
    return None


class Runner:
    def __init__(self, kernel, fns, polyray_mod):
        self.kernel = kernel
        self.fns = fns
        self.mod = polyray_mod

    def call(self, variant, args):
        if variant.startswith("polyray"):
            target = "auto" if variant == "polyray_auto" else "cpu"
            if os.environ.get("POLYRAY_TARGET") != target:  # (a write switches the dispatcher to its full path)
                os.environ["POLYRAY_TARGET"] = target
        fn = self.fns[variant]
        t0 = time.perf_counter()
        fn(*args)
        return time.perf_counter() - t0

    def forms(self, calls):
        """Calls per form of the parallel cpu variant in the last ``calls`` run records ({} where the variant
        has one form), hot calls included (their record is their size class's last full-path one)."""
        import polyray.runtime
        h = [r.get("form") for r in polyray.runtime.history()[-calls:]] if calls else []
        return {f: h.count(f) for f in ("serial", "parallel") if f in h}

    def last_polyray_variant(self):
        import polyray.runtime
        h = polyray.runtime.history()
        return h[-1]["variant"] if h else None


SETTLE = True  # --no-settle: the timed rounds start with the background work still running (before 2026-12-07)


def settle(timeout=600.0):
    """Seconds spent waiting for the runtime's background worker to finish what the calls so far queued.

    The calls before the timed rounds leave work on it: the hot path's fused entry compiles after the call
    that settled a form (runtime/hot_entry.py), the auto target's GPU probe after its first call. A compile
    holds a core and, for much of its time, the GIL: the main thread then waits up to sys.getswitchinterval()
    (5 ms) each time it takes the GIL back, after every BLAS call or ufunc that released it. Timed rounds
    that overlapped a compile measured that wait, not the kernel (NumPy's syr2k 1.0 or 15.7 ms, symm 0.8 or
    6.6 ms in two quiet runs of one commit, docs/benchmarks.md), and the Polyray column switched paths
    mid-pass (the Python checks, then the fused entry)."""
    from polyray.runtime import background

    t0 = time.perf_counter()
    if not background.wait_idle(timeout):
        raise RuntimeError(f"the runtime's background work did not finish in {timeout:.0f} s")
    return time.perf_counter() - t0


def background_busy():
    """Whether the runtime's background worker has a job queued or running (a compile)."""
    from polyray.runtime import background

    return background.pending() > 0


def median_time(runner, variant, base, runs, max_seconds):
    times = []
    last = None
    for r in range(runs):
        args = specs.copy_args(base)
        times.append(runner.call(variant, args))
        last = args
        if sum(times) > max_seconds and len(times) >= 3:
            break
    return statistics.median(times), times, last


def machine_info():
    info = {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "threading_layer": None, "unset": os.environ.get("POLYBENCH_UNSET", ""), "blas": [],
            "blas_timeout": os.environ.get("OPENBLAS_THREAD_TIMEOUT", ""),
            "gomp_spincount": os.environ.get("GOMP_SPINCOUNT", ""), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "")}
    try:
        model = [ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")]
        info["cpu"] = model[0] if model else platform.processor()
        flags = [ln for ln in open("/proc/cpuinfo") if ln.startswith("flags")]
        fl = set(flags[0].split(":", 1)[1].split()) if flags else set()
        info["simd"] = " ".join(f for f in ("avx2", "fma", "avx512f") if f in fl) or "none of avx2/fma/avx512f"
    except OSError:
        info["cpu"] = platform.processor()
    try:
        mem = [ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")][0].split()[1]
        info["mem_gib"] = round(int(mem) / 2**20, 1)
    except (OSError, IndexError):
        pass
    try:
        from threadpoolctl import threadpool_info
        np.ones((64, 64)) @ np.ones((64, 64))
        info["blas"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                        for d in threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    info["load_before"] = os.getloadavg()
    info["date"] = time.strftime("%Y-%m-%d %H:%M")
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True).stdout.strip()
    except OSError:
        pass
    return info


def launch_cost(n=300):
    """Median and p90 (µs) of one empty parallel region over 1000 elements: the
    fork-join cost every prange loop pays, which is where a busy core shows."""
    from numba import njit, prange

    @njit(parallel=True)
    def touch(a):
        for i in prange(a.shape[0]):
            a[i] += 1.0

    a = np.zeros(1000)
    touch(a)
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        touch(a)
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return {"median_us": ts[len(ts) // 2] * 1e6, "p90_us": ts[int(len(ts) * 0.9)] * 1e6}


def dispatch_overhead(runner, kernel):
    """Microseconds per call spent outside the Numba body, at MINI sizes."""
    disp = getattr(runner.mod, f"_polyray_dispatch_kernel_{kernel}")
    cpu = disp.variants["cpu"]
    if getattr(cpu, "_jitted", None) is None and getattr(cpu, "_serial", None) is None:
        return None
    sizes = specs.SIZES[kernel]["MINI"]
    base = specs.build_args(kernel, sizes, np.random.default_rng(1))
    os.environ["POLYRAY_TARGET"] = "cpu"
    res = {}
    # one thread and the fastest of 200 calls: the guards' cost is deterministic,
    # a parallel region's wait for a busy core is not
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        def direct(*a):
            return jitted(*a, *extra)

        for what in ("dispatcher", "direct"):
            if what == "direct":
                # the form the dispatcher ran: on one thread (or small data) the serial one;
                # a speculative variant takes its flag array last
                jitted = cpu._serial if getattr(cpu, "_serial", None) is not None else cpu._jitted
                extra = (np.zeros(1, dtype=np.int8),) if getattr(cpu, "rollback", None) is not None else ()
            fn = runner.fns["polyray_cpu"] if what == "dispatcher" else direct
            ts = []
            for _ in range(200):
                a = specs.copy_args(base)
                t0 = time.perf_counter()
                fn(*a)
                ts.append(time.perf_counter() - t0)
            res[what] = min(ts) * 1e6
    finally:
        numba.set_num_threads(threads)
    res["guard_us"] = res["dispatcher"] - res["direct"]
    return res


class _Timeout(Exception):
    pass


def parallel_launches(runner, kernel, sizes, limit_s=5.0):
    """Parallel regions (prange loops entered) per call of the cpu variant at these sizes.

    Runs the variant's Python body in CPython with ``_polyray_prange`` counting
    and yielding nothing: the loops around each prange still run (their bounds
    are affine, so they do not depend on the skipped work). None when the
    count takes longer than limit_s or the skipped work changes control flow.
    """
    import signal
    import types
    disp = getattr(runner.mod, f"_polyray_dispatch_kernel_{kernel}")
    cpu = disp.variants.get("cpu")
    if cpu is None:
        return 0
    count = [0]

    def counting(*a):
        count[0] += 1
        return range(0)

    g = dict(cpu.py_func.__globals__)
    g["_polyray_prange"] = counting
    fn = types.FunctionType(cpu.py_func.__code__, g)
    args = specs.build_args(kernel, sizes, np.random.default_rng(0))

    def alarm(*_):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        fn(*args)
    except Exception:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return count[0]


def prange_loops(report):
    """The parallel plan of the cpu variant, from the compile report."""
    fn = report["functions"][0]
    par = [f"L{lp['line']} {lp['var']}" for lp in fn.get("loops", []) if "prange" in lp.get("reason", "")]
    trans = fn.get("transformations", [])
    local = [t for t in trans if "innermost walks contiguous memory" in t]
    isl = [t.split(":", 1)[0].split(" by isl")[0] for t in trans
           if "parallel schedule dimensions" in t and t not in local]
    if local:
        # poly/locality.ts: the same parallel loops, the loops inside them reordered
        moved = local[0].split("contiguous memory (", 1)[1].rsplit(");", 1)[0]
        par.append(f"reordered inside: {moved}")
    if isl:
        par.append("isl-rescheduled nest (" + "; ".join(isl) + ")")
    return ", ".join(par) if par else "none (sequential)"


def bench_kernel(kernel, size, runs, budget, out_dir, rng_seed=42):
    res = {"kernel": kernel, "size": size, "sizes": specs.SIZES[kernel][size], "errors": [], "t": {},
           "jit": {}, "notes": []}
    orig = getattr(load_module(KDIR / f"{kernel}.py", f"orig_{kernel}"), f"kernel_{kernel}")
    mod, report = compile_polyray(kernel, out_dir)
    res["plan"] = prange_loops(report)
    res["accelerated"] = report["functions"][0].get("accelerated")
    fns = {"cpython": orig, "njit": numba.njit(orig), "prange": prange_versions.VERSIONS[kernel],
           "polyray_auto": getattr(mod, f"kernel_{kernel}"), "polyray_cpu": getattr(mod, f"kernel_{kernel}")}
    if kernel in numpy_versions.VERSIONS:
        fns["numpy"] = numpy_versions.VERSIONS[kernel]
    runner = Runner(kernel, fns, mod)
    variants = [v for v in COLS if v in fns]
    # 1. validation at MINI and SMALL (first MINI call = JIT compile)
    small = {}
    for ds in ("MINI", "SMALL"):
        sizes = specs.SIZES[kernel][ds]
        base = specs.build_args(kernel, sizes, np.random.default_rng(rng_seed))
        ref_args = specs.copy_args(base)
        t_cpy = runner.call("cpython", ref_args)
        ref = outputs(kernel, sizes, ref_args)
        if t_cpy < 0.3:  # short: take the median of 3
            t_cpy = statistics.median([t_cpy] + [runner.call("cpython", specs.copy_args(base)) for _ in range(2)])
        small["cpython_" + ds] = t_cpy
        if ds == "SMALL":
            small["cpython"] = t_cpy
        for v in variants[1:]:
            a = specs.copy_args(base)
            t = runner.call(v, a)
            if ds == "MINI" and v in ("njit", "prange", "polyray_auto"):
                # polyray_auto runs first: its first call compiles the cpu variant both share
                res["jit"]["polyray" if v == "polyray_auto" else v] = t
            if v.startswith("polyray") and runner.last_polyray_variant() != "cpu":
                res["errors"].append(f"{v} at {ds} ran variant {runner.last_polyray_variant()!r}, not cpu")
            err = check(kernel, sizes, v, outputs(kernel, sizes, a), ref)
            if err:
                res["errors"].append(f"{ds}: {err}")
            if ds == "SMALL" and v == "njit":
                small["njit"], _, _ = median_time(runner, "njit", base, 5, 2.0)
    # 2. benchmark size
    sizes = specs.SIZES[kernel][size]
    base = specs.build_args(kernel, sizes, np.random.default_rng(rng_seed))
    # Interleaved rounds (every variant once per round), so that a stretch of
    # interference from other processes hits all variants alike. POLYRAY_TARGET
    # stays the same through a pass of rounds (cpu, then auto): a user's loop
    # calls one target, and a call after a switch takes the dispatcher's full
    # path (tens of µs: docs/benchmarks.md, issue 16's section), which is what
    # this column measured until the eighth session (its rounds set auto, then
    # cpu, on every call). Every timed call's outputs are checked against the
    # first call's (and that one against the reference, below).
    got = {}
    times = {v: [] for v in variants[1:]}
    for v in variants[1:]:
        # warm-up (excluded): the JIT, and for Polyray the timing of each form of a parallel
        # CPU variant (cpu.FORM_TRIALS runs each after compiling, runtime/cpu.py)
        from polyray.runtime.cpu import FORM_TRIALS

        for _ in range(1 + (2 * (1 + FORM_TRIALS) if v.startswith("polyray") else 0)):
            runner.call(v, specs.copy_args(base))
    spent = {v: 0.0 for v in variants[1:]}
    overlapped = {v: 0 for v in variants[1:]}  # timed calls during which the runtime's background worker had work
    others = [v for v in variants[1:] if not v.startswith("polyray")]
    passes = [[*others, v] for v in ("polyray_cpu", "polyray_auto") if v in variants]
    for pass_variants in passes:
        runner.call(pass_variants[-1], specs.copy_args(base))  # (untimed: the call that follows the switch)
        if SETTLE:
            # a call after the wait may queue more (a form settled by that call compiles its fused entry): call
            # and wait again until a call leaves nothing behind (a few rounds at most)
            waited = settle()
            for _ in range(4):
                runner.call(pass_variants[-1], specs.copy_args(base))
                if not background_busy():
                    break
                waited += settle()
            res.setdefault("background_wait_s", {})[pass_variants[-1]] = waited
        for rnd in range(runs):
            for v in pass_variants:
                if rnd >= 3 and spent[v] > 20.0:
                    continue
                a = specs.copy_args(base)
                busy = background_busy()
                t = runner.call(v, a)
                times[v].append(t)
                spent[v] += t
                overlapped[v] += busy or background_busy()
                out = outputs(kernel, sizes, a)
                if v not in got:
                    got[v] = out
                    if v.startswith("polyray"):
                        res.setdefault("polyray_variant", {})[v] = runner.last_polyray_variant()
                elif v.startswith("polyray"):
                    err = check(kernel, sizes, v, out, got[v])
                    if err:
                        res["errors"].append(f"{size} round {rnd}: {err} (against its first call)")
        res.setdefault("polyray_forms", {})[pass_variants[-1]] = runner.forms(len(times[pass_variants[-1]]))
    for v in variants[1:]:
        res["t"][v] = statistics.median(times[v])
        res.setdefault("spread", {})[v] = (min(times[v]), max(times[v]), len(times[v]))
        res.setdefault("times_us", {})[v] = [round(t * 1e6, 1) for t in times[v]]  # (in call order)
    res["overlapped"] = overlapped
    # 3. CPython at the benchmark size: once, or extrapolated
    # CPython's time ~ volume**p, volume = product of the size parameters, p
    # fitted on MINI and SMALL (the interpreter has no cache effects to speak of)
    vol = {ds: math.prod(max(1, v) for v in specs.SIZES[kernel][ds].values()) for ds in ("MINI", "SMALL", size)}
    p = math.log(small["cpython_SMALL"] / small["cpython_MINI"]) / math.log(vol["SMALL"] / vol["MINI"])
    predicted = small["cpython_SMALL"] * (vol[size] / vol["SMALL"]) ** p
    res["cpython_predicted"] = predicted
    res["cpython_exponent"] = p
    res["cpython_mini"] = small["cpython_MINI"]
    if predicted <= budget:
        a = specs.copy_args(base)
        res["t"]["cpython"] = runner.call("cpython", a)
        res["cpython_mode"] = "measured once"
        ref = outputs(kernel, sizes, a)
        res["reference"] = "CPython"
    else:
        res["t"]["cpython"] = predicted
        res["cpython_mode"] = "extrapolated"
        ref = got["njit"]
        res["reference"] = "@njit (checked against CPython at MINI and SMALL)"
    res["cpython_small"] = small["cpython"]
    for v in variants[1:]:
        if v == "njit" and res["reference"].startswith("@njit"):
            continue
        err = check(kernel, sizes, v, got[v], ref)
        if err:
            res["errors"].append(f"{size}: {err}")
    res["launches"] = 0 if res["plan"] == "none (sequential)" else parallel_launches(runner, kernel, sizes)
    try:
        res["dispatch"] = dispatch_overhead(runner, kernel)
    except Exception as e:  # the measurement is informative only
        res["dispatch"] = None
        res["notes"].append(f"dispatch overhead not measured: {e}")
    return res


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def fmt_t(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1e3:.3g} ms" if s >= 1e-3 else f"{s * 1e6:.3g} µs"


def fmt_x(x):
    if x is None or x != x:
        return "-"
    return f"{x:.0f}x" if x >= 100 else (f"{x:.1f}x" if x >= 10 else f"{x:.2f}x")


def compile_times():
    env = dict(os.environ, RUNS=os.environ.get("COMPILE_RUNS", "20"))
    out = subprocess.run(["node", "--import", "tsx", str(ROOT / "bench/compile-polybench.ts"), "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def extrap_note(results):
    errs = [r["cpython_predicted"] / r["t"]["cpython"] for r in results if r.get("cpython_mode") == "measured once"]
    if not errs:
        return ""
    return (f"On the {len(errs)} kernels where CPython did run at this size the extrapolation was off by a factor "
            f"{min(errs):.2f} to {max(errs):.2f} (median {statistics.median(errs):.2f}).")


def render(results, machine, comp, args, wall):
    L = []
    ok = all(not r["errors"] for r in results)
    L.append(BEGIN)
    L.append("")
    L.append(f"## PolyBench: CPython, NumPy, Numba and Polyray ({args.size})")
    L.append("")
    L.append(f"`npm run bench` (bench/run_bench.py), {machine.get('date') or time.strftime('%Y-%m-%d %H:%M')}, "
             f"{'run took %.1f min. ' % (wall / 60) if wall else ''}All {len(results)} kernels at {args.size}; median of up to {args.runs} runs "
             "after one warm-up call (Polyray: also the calls that time its serial and parallel forms), on fresh copies of the same inputs, "
             "the variants taking turns call by call, POLYRAY_TARGET held at cpu through one pass of the rounds and at auto "
             "through a second (a user's loop: no call pays the dispatcher's full path for a target switch). Every row's result was checked "
             + ("and all were correct." if ok else "and SOME WERE WRONG (see Errors)."))
    L.append("")
    L.append("**Timings are noisy**: a 2-core machine shared with other work "
             f"(load average {machine['load_before'][0]:.2f} at start, {os.getloadavg()[0]:.2f} at end).")
    L.append("")
    lb, la = machine.get("launch_before"), machine.get("launch_after")
    if lb and la:
        L.append(f"Cost of one empty parallel region (prange over 1000 elements, {machine['numba_threads']} threads): "
                 f"median {lb['median_us']:.1f} µs, p90 {lb['p90_us']:.0f} µs before the run; median {la['median_us']:.1f} µs, "
                 f"p90 {la['p90_us']:.0f} µs after. On a quiet machine it is about 1-2 µs; when another process holds "
                 "a core, the region waits for the scheduler (several ms).")
        L.append("")
    L.append("### Machine")
    L.append("")
    L.append(f"- CPU: {machine.get('cpu')} ({machine.get('simd')}); `nproc` {machine['nproc']}, "
             f"usable cores {machine['affinity']}; memory {machine.get('mem_gib')} GiB")
    if machine.get("commit"):
        L.append(f"- Polyray at commit {machine['commit']} (compiler in lib/ as built when each kernel was compiled)")
    L.append(f"- Python {machine['python']}, NumPy {machine['numpy']}, Numba {machine['numba']} "
             f"(NUMBA_NUM_THREADS={machine['numba_threads']}, threading layer {machine.get('threading_layer')})")
    blas = machine["blas"]
    if isinstance(blas, list):
        blas = "; ".join(f"{b['internal_api']} {b['version']} ({b['architecture']}, {b['num_threads']} threads)" for b in blas)
    L.append(f"- BLAS (threadpoolctl): {blas}")
    L.append(f"- Unset for this run only: {machine['unset'] or 'nothing (neither OPENBLAS_CORETYPE nor OPENBLAS_L2_SIZE was set)'}")
    if machine.get("blas_timeout"):
        L.append(f"- OPENBLAS_THREAD_TIMEOUT={machine['blas_timeout']}: OpenBLAS's idle threads sleep at once instead of spinning"
                 " for about 0.1 s after each call, which took the cores from the next variant's parallel region")
    if machine.get("gomp_spincount") or machine.get("omp_wait_policy"):
        L.append(f"- GOMP_SPINCOUNT={machine.get('gomp_spincount') or 'unset'}, OMP_WAIT_POLICY={machine.get('omp_wait_policy') or 'unset'}:"
                 " how long libgomp's idle workers (Numba's prange) spin before they sleep (its default, 300,000"
                 " iterations, took the cores from the next NumPy product)")
    L.append("- Polyray modules compiled with `--targets cpu` (no GPU or Ray here); `auto` = the dispatcher's "
             "cost model choosing among the compiled variants, `cpu` = POLYRAY_TARGET=cpu.")
    L.append("")
    L.append("### Times (median)")
    L.append("")
    L.append("CPython: measured once when predicted under "
             f"{args.cpython_budget:.0f} s, else **~extrapolated**: t = t(SMALL) x (V/V(SMALL))^p, V the product "
             "of the size parameters, p fitted on CPython's MINI and SMALL times. " + extrap_note(results) + " The reference for the correctness check is CPython's result where it ran, "
             "else the naive @njit result (same operation order, itself checked against CPython at MINI and SMALL).")
    L.append("")
    L.append("| kernel | CPython SMALL | CPython | NumPy | @njit | prange (expert) | Polyray auto | Polyray cpu | Polyray prange loops |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        t = r["t"]
        cpy = fmt_t(t.get("cpython"))
        if r.get("cpython_mode") == "extrapolated":
            cpy = "~" + cpy
        L.append(f"| {r['kernel']} | {fmt_t(r.get('cpython_small'))} | {cpy} | {fmt_t(t.get('numpy'))} | "
                 f"{fmt_t(t.get('njit'))} | {fmt_t(t.get('prange'))}"
                 f"{' (seq)' if r['kernel'] in prange_versions.SEQUENTIAL else ''} | {fmt_t(t.get('polyray_auto'))} | "
                 f"{fmt_t(t.get('polyray_cpu'))} | {r.get('plan')} |")
    L.append("")
    L.append("### Speedups")
    L.append("")
    L.append("Over CPython (higher is better), and Polyray cpu against each alternative "
             "(time of the alternative / time of Polyray cpu: above 1 Polyray is faster).")
    L.append("")
    L.append("| kernel | NumPy | @njit | prange | Polyray auto | Polyray cpu | vs @njit | vs prange | vs NumPy |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    sp = {v: [] for v in COLS[1:]}
    rel = {"njit": [], "prange": [], "numpy": []}
    for r in results:
        t = r["t"]
        c = t["cpython"]
        row = [r["kernel"]]
        for v in COLS[1:]:
            x = c / t[v] if v in t else None
            if x:
                sp[v].append(x)
            row.append(fmt_x(x))
        for v in ("njit", "prange", "numpy"):
            x = t[v] / t["polyray_cpu"] if v in t else None
            if x:
                rel[v].append(x)
            row.append(fmt_x(x))
        L.append("| " + " | ".join(row) + " |")
    g = {v: geomean(sp[v]) for v in sp}
    gr = {v: geomean(rel[v]) for v in rel}
    L.append(f"| **geomean** | {fmt_x(g['numpy'])} ({len(sp['numpy'])} kernels) | {fmt_x(g['njit'])} | {fmt_x(g['prange'])} | "
             f"{fmt_x(g['polyray_auto'])} | {fmt_x(g['polyray_cpu'])} | {fmt_x(gr['njit'])} | {fmt_x(gr['prange'])} | "
             f"{fmt_x(gr['numpy'])} |")
    gb = {v: geomean([r["t"]["cpython"] / r["spread"][v][0] for r in results if v in r["t"]]) for v in COLS[1:]}
    gbr = {v: geomean([r["spread"][v][0] / r["spread"]["polyray_cpu"][0] for r in results if v in r["t"]])
           for v in ("njit", "prange", "numpy")}
    L.append(f"| *geomean, best run* | {fmt_x(gb['numpy'])} | {fmt_x(gb['njit'])} | {fmt_x(gb['prange'])} | "
             f"{fmt_x(gb['polyray_auto'])} | {fmt_x(gb['polyray_cpu'])} | {fmt_x(gbr['njit'])} | {fmt_x(gbr['prange'])} | "
             f"{fmt_x(gbr['numpy'])} |")
    L.append("")
    L.append("*Best run*: the fastest of the runs instead of the median. On a loaded 2-core machine a parallel "
             "region waits for a core (about one scheduler slice, ~8 ms) whenever another process holds it, so "
             "the gap between median and best run measures the interference, mostly on the parallel columns.")
    L.append("")
    L.append("![speedups over CPython, log scale](benchmarks.png)")
    L.append("")
    # JIT and dispatch
    L.append("### Numba JIT compile time and Polyray dispatch overhead")
    L.append("")
    L.append("JIT: the first call at MINI (compilation plus a negligible run), excluded from the timings above. "
             "Dispatch: fastest of 200 calls at MINI on one thread through the Polyray dispatcher minus the same call straight "
             "into the compiled Numba function (argument checks, aliasing guard, isl bounds guard, cost model, run record).")
    L.append("")
    L.append("| kernel | @njit JIT | prange JIT | Polyray JIT | dispatcher call | direct call | guard overhead | "
             f"Polyray parallel regions per call ({args.size}) |")
    L.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        d = r.get("dispatch") or {}
        j = r["jit"]
        L.append(f"| {r['kernel']} | {fmt_t(j.get('njit'))} | {fmt_t(j.get('prange'))} | {fmt_t(j.get('polyray'))} | "
                 f"{d.get('dispatcher', float('nan')):.1f} µs | {d.get('direct', float('nan')):.1f} µs | "
                 f"{d.get('guard_us', float('nan')):.1f} µs | "
                 f"{r.get('launches') if r.get('launches') is not None else 'n/a'} |")
    gu = [r["dispatch"]["guard_us"] for r in results if r.get("dispatch")]
    if gu:
        L.append("")
        L.append(f"Guard overhead: median {statistics.median(gu):.1f} µs, max {max(gu):.1f} µs per call.")
    L.append("")
    # compile times
    if comp:
        s = comp["summary"]
        L.append("### TypeScript compile time per kernel")
        L.append("")
        L.append(f"`node --import tsx bench/compile-polybench.ts` (parse to generated module, isl included, all "
                 f"targets), {s['runsPerKernel']} runs per kernel after one warm-up, same machine and run.")
        L.append("")
        L.append("| kernel | median | p95 | max |")
        L.append("|---|---|---|---|")
        for k in comp["kernels"]:
            L.append(f"| {k['kernel']} | {k['median']:.1f} ms | {k['p95']:.1f} ms | {k['max']:.1f} ms |")
        L.append(f"| **over kernels** | {s['medianOfKernelMedians']:.1f} ms | {s['p95OfKernelMedians']:.1f} ms (p95 of medians) | "
                 f"{s['worstMedian']:.1f} ms (worst median) |")
        L.append(f"| **all runs** | {s['medianAllRuns']:.1f} ms | {s['p95AllRuns']:.1f} ms | |")
        L.append("")
    # targets
    L.append("### Targets of issue 8")
    L.append("")
    L.append("| target | measured | met |")
    L.append("|---|---|---|")
    gm = g["polyray_cpu"]
    L.append(f"| geomean over CPython >= 300x | {fmt_x(gm)} (auto {fmt_x(g['polyray_auto'])}) | {'yes' if gm >= 300 else 'no'} |")
    L.append(f"| geomean over @njit >= 1.8x | {fmt_x(gr['njit'])} | {'yes' if gr['njit'] >= 1.8 else 'no'} |")
    worst = min(results, key=lambda r: r["t"]["njit"] / r["t"]["polyray_cpu"])
    wx = worst["t"]["njit"] / worst["t"]["polyray_cpu"]
    slower = [r["kernel"] for r in results if r["t"]["njit"] / r["t"]["polyray_cpu"] < 0.9]
    L.append(f"| never > 10% slower than @njit | worst {worst['kernel']} {fmt_x(wx)}; below 0.90x: "
             f"{', '.join(slower) or 'none'} | {'yes' if not slower else 'no'} |")
    L.append(f"| geomean over expert prange >= 1.0x | {fmt_x(gr['prange'])} | {'yes' if gr['prange'] >= 1.0 else 'no'} |")
    blas_rows = []
    for k in BLAS_KERNELS:
        r = next((r for r in results if r["kernel"] == k), None)
        if r and "numpy" in r["t"]:
            blas_rows.append((k, r["t"]["numpy"] / r["t"]["polyray_cpu"]))
    if blas_rows:
        L.append("| gemm-like at >= 70% of NumPy BLAS | " + ", ".join(f"{k} {x * 100:.0f}%" for k, x in blas_rows)
                 + f" | {'yes' if all(x >= 0.7 for _, x in blas_rows) else 'no'} |")
    if comp:
        s = comp["summary"]
        L.append(f"| compile median < 300 ms, p95 < 1 s | median {s['medianOfKernelMedians']:.0f} ms, "
                 f"p95 of kernel medians {s['p95OfKernelMedians']:.0f} ms, p95 of all runs {s['p95AllRuns']:.0f} ms | "
                 f"{'yes' if s['medianOfKernelMedians'] < 300 and s['p95OfKernelMedians'] < 1000 else 'no'} |")
    L.append("")
    errs = [(r["kernel"], e) for r in results for e in r["errors"]]
    if errs:
        L.append("### Errors")
        L.append("")
        for k, e in errs:
            L.append(f"- {k}: {e}")
        L.append("")
    L.append(END)
    return "\n".join(L), g, gr


def chart(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [r["kernel"] for r in results]
    series = COLS[1:]
    colors = {"numpy": "#4c72b0", "njit": "#dd8452", "prange": "#55a868", "polyray_auto": "#c44e52", "polyray_cpu": "#8172b3"}
    fig, ax = plt.subplots(figsize=(max(10, len(names) * 0.55), 5.5))
    w = 0.8 / len(series)
    for s_i, v in enumerate(series):
        xs, ys = [], []
        for i, r in enumerate(results):
            if v in r["t"]:
                xs.append(i + (s_i - (len(series) - 1) / 2) * w)
                ys.append(r["t"]["cpython"] / r["t"][v])
        ax.bar(xs, ys, width=w, label=LABEL[v], color=colors[v])
    ax.set_yscale("log")
    ax.axhline(300, color="black", linestyle="--", linewidth=0.8, label="target 300x")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=60, ha="right")
    ax.set_ylabel("speedup over CPython (log scale)")
    ax.set_title(f"PolyBench {results[0]['size']}: speedup over CPython (median; see docs/benchmarks.md for the "
                 "machine's load and the extrapolated CPython rows)")
    ax.legend(ncol=3, fontsize=8)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(block):
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + block + post
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="MEDIUM", choices=specs.DATASETS)
    ap.add_argument("--kernels", default=",".join(specs.KERNELS))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cpython-budget", type=float, default=40.0,
                    help="run CPython at the benchmark size when predicted under this many seconds")
    ap.add_argument("--no-compile-bench", action="store_true")
    ap.add_argument("--no-doc", action="store_true", help="print, write neither docs/benchmarks.md nor the PNG")
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--render", metavar="JSON", help="write the doc and chart again from a --json file (plans recompiled)")
    ap.add_argument("--dispatch-from", metavar="JSON", help="with --render: dispatch overheads from this run")
    ap.add_argument("--no-settle", action="store_true",
                    help="start the timed rounds without waiting for the runtime's background work (A/B of settle())")
    args = ap.parse_args()
    global SETTLE
    SETTLE = not args.no_settle
    if args.render:
        data = json.loads(Path(args.render).read_text())
        with tempfile.TemporaryDirectory(prefix="polybench-") as tmp:
            for r in data["results"]:
                rep = Path(tmp) / "r.json"
                subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(KDIR / f"{r['kernel']}.py"),
                                "-o", str(Path(tmp) / "m.py"), "--report", str(rep), "--targets", "cpu"], check=True, cwd=ROOT)
                r["plan"] = prange_loops(json.loads(rep.read_text()))
                if r["plan"] != "none (sequential)" and not r.get("launches"):
                    mod = load_module(Path(tmp) / "m.py", f"render_{r['kernel']}")
                    os.environ["POLYRAY_TARGET"] = "cpu"
                    mini = specs.SIZES[r["kernel"]]["MINI"]
                    getattr(mod, f"kernel_{r['kernel']}")(*specs.build_args(r["kernel"], mini, np.random.default_rng(0)))
                    r["launches"] = parallel_launches(Runner(r["kernel"], {}, mod), r["kernel"], specs.SIZES[r["kernel"]][r["size"]])
                    (Path(tmp) / "m.py").unlink()
        if args.dispatch_from:
            other = {r["kernel"]: r for r in json.loads(Path(args.dispatch_from).read_text())["results"]}
            for r in data["results"]:
                r["dispatch"] = other.get(r["kernel"], {}).get("dispatch")
            data["machine"]["dispatch_note"] = args.dispatch_from
        args.size = data["results"][0]["size"]
        args.runs = data.get("runs", args.runs)
        args.cpython_budget = data.get("cpython_budget", args.cpython_budget)
        block, g, gr = render(data["results"], data["machine"], data["compile"], args, data.get("wall", 0.0))
        write_doc(block)
        chart(data["results"], PNG)
        log(f"wrote {DOC.relative_to(ROOT)} and {PNG.relative_to(ROOT)} from {args.render}")
        return
    t_start = time.time()
    machine = machine_info()
    machine["launch_before"] = launch_cost()
    log(f"machine: {machine}")
    kernels = [k for k in args.kernels.split(",") if k]
    results = []
    with tempfile.TemporaryDirectory(prefix="polybench-") as tmp:
        for k in kernels:
            t0 = time.time()
            try:
                r = bench_kernel(k, args.size, args.runs, args.cpython_budget, Path(tmp))
            except Exception:
                log(traceback.format_exc())
                sys.exit(f"{k}: the benchmark itself failed")
            results.append(r)
            t = r["t"]
            log(f"{k:15s} {time.time() - t0:6.1f}s  cpy={fmt_t(t['cpython'])}({r['cpython_mode'][:4]}) "
                + " ".join(f"{v}={fmt_t(t.get(v))}" for v in COLS[1:])
                + (f"  forms {r['polyray_forms']}" if any(r.get("polyray_forms", {}).values()) else "")
                + (f"  ERRORS: {r['errors']}" if r["errors"] else ""))
    try:
        from numba.np.ufunc.parallel import threading_layer
        machine["threading_layer"] = threading_layer()
    except Exception as e:
        machine["threading_layer"] = f"unknown ({e})"
    machine["launch_after"] = launch_cost()
    comp = None if args.no_compile_bench else compile_times()
    block, g, gr = render(results, machine, comp, args, time.time() - t_start)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "results": results, "compile": comp,
                                               "wall": time.time() - t_start, "runs": args.runs,
                                               "cpython_budget": args.cpython_budget}, indent=1, default=str))
    if args.no_doc:
        print(block)
    else:
        write_doc(block)
        chart(results, PNG)
        log(f"wrote {DOC.relative_to(ROOT)} and {PNG.relative_to(ROOT)}")
    log(f"geomean speedup over CPython: Polyray cpu {fmt_x(g['polyray_cpu'])}, auto {fmt_x(g['polyray_auto'])}, "
        f"@njit {fmt_x(g['njit'])}, prange {fmt_x(g['prange'])}, NumPy {fmt_x(g['numpy'])}; "
        f"Polyray cpu vs @njit {fmt_x(gr['njit'])}, vs prange {fmt_x(gr['prange'])}")
    errs = [(r["kernel"], e) for r in results for e in r["errors"]]
    if errs:
        for k, e in errs:
            log(f"WRONG RESULT {k}: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
