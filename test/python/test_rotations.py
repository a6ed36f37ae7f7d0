"""Buffers rotated between time steps (issue 17/18; scop/rotations.ts): the kernels of
test/kernels/numpy_style/rotations.py (`cur, nxt = nxt, cur`, a three-way leapfrog rotation, `cells = new` after a
fresh array each step) against the original in both numerics modes, on empty, one-element, small and larger
inputs. Their space loops run as prange, the time loop sequentially; the twins that really share an object between
two names (`cur = nxt` with nxt written again, a view of a buffer kept across the swap) keep their dependences and
run sequentially. Bad inputs: an index past the array (IndexError after the writes before it) and buffers of
different lengths (the guard's shape check) run the original. No GPU variant is made (the buffers live on the host)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from compiled import ROOT, cpu_body, run_both, same_in_both_modes, compile_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/rotations.py"

PARALLEL = ["life_torus", "jacobi_1d", "heat_2d", "wave_leapfrog", "rule90"]
SEQUENTIAL = ["shared_state", "kept_row"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("rotations")
    return compile_both_modes(SOURCE, d, "rotations")


def _args(name: str, rng, n: int):
    u = rng.standard_normal(n)
    g = rng.standard_normal((n, max(n // 2, 1)))
    return {
        "life_torus": (rng.integers(0, 2, (n, n + 1)), 3),
        "jacobi_1d": (u, 4, n // 2 if n else 0),
        "heat_2d": (g, 3, 0.2),
        "wave_leapfrog": (u, np.roll(u, 1), 0.25, 5),
        "rule90": ((rng.random(n) < 0.5).astype(np.uint8), 6),
        "shared_state": (u, 3),
        "kept_row": (g, 3),
    }[name]


def test_verdicts_in_the_report(modules):
    """The space loop (the second loop of each function) is parallel and runs as prange; the time loop is
    sequential, carrying the buffers from one step to the next; the twins' space loops run sequentially."""
    for mode, (mod, report) in modules.items():
        for fn in PARALLEL:
            time, space = report[fn]["loops"][:2]
            assert not time["parallel"], (mode, fn, time)
            assert space["parallel"] and "runs as prange" in space["reason"], (mode, fn, space)
            assert "_polyray_prange(" in cpu_body(mod, fn), (mode, fn)
        for fn in SEQUENTIAL:
            assert all("runs as prange" not in loop["reason"] for loop in report[fn]["loops"]), (mode, fn, report[fn]["loops"])
            assert "_polyray_prange(" not in cpu_body(mod, fn), (mode, fn)
        assert report["shared_state"]["loops"][1]["parallel"] is False, report["shared_state"]["loops"][1]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 33])
def test_against_the_original_in_both_modes(modules, n):
    """Bit for bit (every operation here is `exact`), the CPU variant running wherever the arrays are not empty."""
    rng = np.random.default_rng(n)
    both = not same_in_both_modes(modules["exact"][0], modules["close"][0])
    for mode, (mod, _) in modules.items():
        if mode == "close" and not both:
            continue
        for fn in PARALLEL + SEQUENTIAL:
            # (an empty rod's source index 0, an empty grid's first row: IndexError in both, Numba words it its own way)
            ran = run_both(mod, fn, *_args(fn, rng, n), loose_messages=("IndexError",))
            assert ran.status == ("IndexError" if n == 0 and fn in ("jacobi_1d", "kept_row") else "ok"), (mode, fn, n, ran)
            if n >= 2:
                assert ran.variant == "cpu", (mode, fn, n, ran.records)


def test_bad_inputs_run_the_original(modules):
    """A source index past the rod raises IndexError in the first step, after that step's space loop: the original
    runs, with its exception; a negative one counts from the end in both (the guard may leave it to the original). Leapfrog buffers of different lengths
    fail the guard's shape check: the original runs and gives what NumPy gives (here an IndexError)."""
    rng = np.random.default_rng(5)
    for mode, (mod, _) in modules.items():
        u = rng.standard_normal(12)
        for source, status, variant in ((12, "IndexError", "original"), (40, "IndexError", "original"), (-1, "ok", None), (11, "ok", "cpu")):
            ran = run_both(mod, "jacobi_1d", u, 3, source)
            assert ran.status == status and variant in (None, ran.variant), (mode, source, ran)
        ran = run_both(mod, "wave_leapfrog", u, rng.standard_normal(9), 0.25, 3)
        assert ran.status == "IndexError" and ran.variant == "original", (mode, ran)
        ran = run_both(mod, "wave_leapfrog", u[:9], u, 0.25, 3)
        assert ran.status == "ok" and ran.variant == "original", (mode, ran)


def test_the_parallel_form_with_two_threads(modules):
    """The prange form on two threads (the parallel form on every call) against the original."""
    d = os.path.dirname(modules["exact"][0].__file__)
    script = f'''
import json, sys
import numpy as np
sys.path.insert(0, {d!r})
sys.path.insert(0, {str(ROOT / "test/python")!r})
from compiled import run_both
from test_rotations import _args, PARALLEL
import rotations_exact
rng = np.random.default_rng(11)
ran = 0
for fn in PARALLEL:
    for n in (1, 2, 301):
        r = run_both(rotations_exact, fn, *_args(fn, rng, n))
        assert r.status == "ok" and r.variant == "cpu", (fn, n, r.records)
        ran += 1
print(json.dumps(ran))
'''
    env = {**os.environ, "NUMBA_NUM_THREADS": "2", "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1", "POLYRAY_CPU_FORM": "parallel",
           "POLYRAY_TIME_ORIGINAL_BELOW": "0"}
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == 3 * len(PARALLEL)


def test_the_fuzzer_generates_every_rotation_form(monkeypatch):
    """test/fuzz/families.RotationFn writes each rotation, each read of the state and each twin (its programs are
    compared with the original in both modes by test/fuzz/run.py --rotation-family)."""
    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import families
    import generate

    monkeypatch.setenv("POLYRAY_FUZZ_ROTATION", "1")
    seen: set[str] = set()
    for seed in range(60):
        for spec in generate.generate(seed).functions:
            if "rotation_family" in spec.features:
                seen |= spec.features
    want = ({f"rotation_{f}" for f in families.RotationFn.FORMS} | {f"rotation_read_{r}" for r in families.RotationFn.READS}
            | {f"rotation_twin_{t}" for t in families.RotationFn.TWINS})
    assert want <= seen, want - seen
