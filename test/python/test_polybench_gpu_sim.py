"""The GPU variant of every PolyBench kernel that has one, run by Numba's CUDA
simulator at MINI size (a fresh process: the simulator must be selected before
numba.cuda is imported). On a machine without a GPU this is where the generated
kernels are checked; scripts/gpu-host/run_gpu_bench.py runs them on a real GPU."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def results():
    if not (HERE.parents[1] / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, str(HERE / "gpu_sim_polybench.py")], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def test_every_kernel_runs_and_matches_under_the_simulator(results):
    assert len(results) == 30, results
    for r in results:
        assert "error" not in r, r
        assert r["equal"], r
        if r["has_gpu"]:
            assert r["variant"] == "gpu", r
        else:
            # no GPU variant: POLYRAY_TARGET=gpu falls back to the best available one, and says so
            assert r["variant"] == "cpu" and "gpu" in r["reason"], r


def test_a_good_share_of_polybench_has_a_gpu_variant(results):
    with_gpu = [r["kernel"] for r in results if r.get("has_gpu")]
    assert len(with_gpu) >= 12, with_gpu
