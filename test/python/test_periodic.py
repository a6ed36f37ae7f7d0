"""Periodic boundaries and divided subscripts (issue 17/18; scop/wrapped-index.ts, poly/negative-indices.ts):
the kernels of test/kernels/numpy_style/periodic.py against the original in both numerics modes, on empty,
one-element, small and larger inputs; the parallel ones must run the CPU variant (the guard accepts them), the
in-place twins too (sequentially). Bad inputs: a zero period (`% 0`: ZeroDivisionError, also from an empty
array's length) and a period past the array (IndexError) run the original, with its writes and its exception;
a negative period (Python's negative remainder) too. The GPU forms run under Numba's CUDA simulator."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from compiled import ROOT, cpu_body, run_both, compile_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/periodic.py"

PARALLEL = ["periodic_diff", "periodic_laplacian", "heat_periodic", "heat_periodic_into", "life_step", "roll_right", "tile_into",
            "windowed", "three_phase", "upsample"]
SEQUENTIAL = ["shift_left_inplace", "wrap_write", "smooth_inplace", "fold_mod3", "roll_scatter", "wrap_only_dependence"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("periodic")
    return compile_both_modes(SOURCE, d, "periodic")


def _args(name: str, rng, n: int):
    u = rng.standard_normal(n)
    u[: min(n, 2)] = [-0.0, np.inf][: min(n, 2)]
    g = rng.standard_normal((n, max(n // 2, 1)))
    return {
        "periodic_diff": (u,),
        "periodic_laplacian": (u, 0.5),
        "heat_periodic": (g, 0.1),
        "heat_periodic_into": (g, np.full(g.shape, np.nan), 0.1),
        "life_step": (rng.integers(0, 2, (n, n + 1)),),
        "roll_right": (u, 3),
        "tile_into": (np.full(n, np.nan), rng.standard_normal(max(n // 3, 1))),
        "windowed": (u, rng.standard_normal(7), 5),
        "three_phase": (u, np.array([1.0, -2.0, 0.5])),
        "upsample": (rng.standard_normal(n // 2 + 1), np.full(n, np.nan)),
        "shift_left_inplace": (u,),
        "wrap_write": (u,),
        "smooth_inplace": (u, 2),
        "fold_mod3": (u, np.zeros(3)),
        "roll_scatter": (u, -2),
        "wrap_only_dependence": (rng.standard_normal(n + 3), u),
    }[name]


def test_verdicts_in_the_report(modules):
    """The periodic forms' outer loops are parallel and run as prange, their `%` printed as Numba's own; the twins'
    are sequential, naming the wrap-around access. Every operation here is `exact`: close mode compiles the same
    CPU code, with no close note (so the runs below compare close mode on a few kernels only)."""
    (exact, exact_report), (close, close_report) = modules["exact"], modules["close"]
    for fn in PARALLEL + SEQUENTIAL:
        assert cpu_body(exact, fn) == cpu_body(close, fn).replace("periodic_close", "periodic_exact"), fn
        assert not close_report[fn].get("closeNotes"), (fn, close_report[fn].get("closeNotes"))
    for mode, (mod, report) in modules.items():
        for fn in PARALLEL:
            outer = report[fn]["loops"][0]
            assert outer["parallel"] and "runs as prange" in outer["reason"], (mode, fn, outer)
            assert "_polyray_prange(" in cpu_body(mod, fn), (mode, fn)
            assert "_polyray_h_mod" not in cpu_body(mod, fn), (mode, fn)
        for fn in SEQUENTIAL:
            outer = report[fn]["loops"][0]
            assert not outer["parallel"] and ("%" in outer["reason"] or "u[i - n]" in outer["reason"]), (mode, fn, outer)


#: close mode's runs (the same code as exact mode's: test_verdicts_in_the_report)
CLOSE_RUNS = ["heat_periodic", "periodic_laplacian", "windowed", "wrap_write"]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 41])
def test_against_the_original_in_both_modes(modules, n):
    """Bit for bit (every operation is `exact`), the CPU variant running wherever the arrays are not empty (an
    empty one: the guard may keep the original, which returns the same)."""
    rng = np.random.default_rng(n)
    for mode, (mod, _) in modules.items():
        for fn in PARALLEL + SEQUENTIAL if mode == "exact" else CLOSE_RUNS:
            ran = run_both(mod, fn, *_args(fn, rng, n))
            assert ran.status == "ok", (mode, fn, n, ran)
            if n >= 2:
                assert ran.variant == "cpu", (mode, fn, n, ran.records)


def test_bad_periods_run_the_original(modules):
    """`w[i % m]` with w empty (m = 0) or a period of 0 raises ZeroDivisionError before any write; a period past
    the array raises IndexError after the writes before it; a negative period gives Python's negative remainder,
    which indexes from the end. The guard sends each to the original: same exception, same writes."""
    rng = np.random.default_rng(3)
    for mode, (mod, _) in modules.items():
        x = rng.standard_normal(9)
        for period, status in ((0, "ZeroDivisionError"), (12, "IndexError"), (-3, "ok"), (7, "ok"), (1, "ok")):
            ran = run_both(mod, "windowed", x, rng.standard_normal(7), period)
            assert ran.status == status, (mode, period, ran)
            assert ran.variant == ("cpu" if period in (7, 1) else "original"), (mode, period, ran.records)
        if mode == "close":
            continue  # (tile_into and roll_right: the same code in both modes, test_verdicts_in_the_report)
        ran = run_both(mod, "tile_into", np.full(6, np.nan), np.empty(0))
        assert ran.status == "ZeroDivisionError" and ran.variant == "original", (mode, ran)
        # a roll by any amount, negative or past the length, is Python's modulo
        for k in (-11, -1, 0, 4, 23):
            assert run_both(mod, "roll_right", x, k).variant == "cpu", (mode, k)


def test_the_parallel_form_with_two_threads(modules):
    """The prange form on two threads (the parallel form on every call) against the original."""
    d = os.path.dirname(modules["exact"][0].__file__)
    script = f'''
import json, sys
import numpy as np
sys.path.insert(0, {d!r})
sys.path.insert(0, {str(ROOT / "test/python")!r})
from compiled import run_both
from test_periodic import _args, PARALLEL
import periodic_exact
rng = np.random.default_rng(11)
ran = 0
for mod in (periodic_exact,):
    for fn in PARALLEL:
        for n in (1, 2, 777):
            r = run_both(mod, fn, *_args(fn, rng, n))
            assert r.status == "ok" and r.variant == "cpu", (fn, n, r.records)
            ran += 1
print(json.dumps(ran))
'''
    env = {**os.environ, "NUMBA_NUM_THREADS": "2", "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1", "POLYRAY_CPU_FORM": "parallel",
           "POLYRAY_TIME_ORIGINAL_BELOW": "0"}
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == 3 * len(PARALLEL)


def test_gpu_form_under_the_simulator(modules):
    """heat_periodic_into (2-d grid, `% n` and `i - 1` wrapping), tile_into (`% m`) and upsample (`// 2`) have
    GPU variants; under the simulator they give the original's bits."""
    for mode, (_, report) in modules.items():
        for fn in ("heat_periodic_into", "tile_into", "upsample"):
            assert "gpu" in report[fn]["variants"], (mode, fn, report[fn]["transformations"])
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, str(ROOT / "test/python/gpu_sim_periodic.py")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 12, proc.stdout
    for r in results:
        assert r["variant"] == "gpu" and r["equal"], r


def test_the_fuzzer_generates_every_periodic_form(monkeypatch):
    """test/fuzz/families.PeriodicFn writes each periodic read and each sequential twin (its programs are compared
    with the original in both modes by test/fuzz/run.py --periodic-family)."""
    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import families
    import generate

    monkeypatch.setenv("POLYRAY_FUZZ_PERIODIC", "1")
    seen: set[str] = set()
    for seed in range(60):
        for spec in generate.generate(seed).functions:
            if "periodic_family" in spec.features:
                seen |= spec.features
    want = {f"periodic_{r}" for r in families.PeriodicFn.READS} | {f"periodic_twin_{t}" for t in families.PeriodicFn.TWINS}
    assert want <= seen, want - seen
