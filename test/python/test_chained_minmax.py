"""Chained assignment and builtin max/min (test/kernels/everyday/chained_minmax.py, issue 17):
every function compiles in both numerics modes and gives the original's results bit for bit
under POLYRAY_TARGET=cpu (NaN, -0.0 and int32 wraparound included: CPython's max keeps the first
of equal or unordered arguments, and so does Numba's); clamp's GPU variant under Numba's CUDA
simulator."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/everyday/chained_minmax.py"


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("chained"), f"chained_minmax_{request.param}",
                              "--targets", "cpu", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def run_both(mod, name, *args):
    ran = compare(mod, name, *args)
    return ran.status, ran.variant


RNG = np.random.default_rng(29)
TABLE = RNG.integers(-5, 5, (7, 7)).astype(np.int32)
EDGES = np.array([np.nan, -0.0, 0.0, 1.5, -np.inf, np.nan, 3.0])
CASES = [
    ("recursive_filter", (0.8, RNG.standard_normal((4, 6)))),
    ("recursive_filter", (0.8, np.zeros((3, 1)))),
    ("shared_buffer", (9,)),
    ("shared_buffer", (1,)),
    ("element_and_name", (RNG.standard_normal(11) * 1e39,)),
    ("best_pairing", (TABLE,)),
    # int32 sums that wrap around: NumPy's int32 arithmetic, compared after wrapping
    ("best_pairing", (np.full((5, 5), 2**30 + 7, dtype=np.int32),)),
    ("clamp", (EDGES, -0.0, 2.0)),
    ("clamp", (EDGES[::-1].copy(), 0.0, np.nan)),
    ("spread", (EDGES,)),
    ("spread", (RNG.standard_normal(10),)),
]


@pytest.mark.parametrize("name,args", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_compiled_like_the_original(mod, name, args):
    status, variant = run_both(mod, name, *args)
    assert status == "ok" and variant == "cpu"


def test_bad_inputs(mod):
    # an empty array: x[0] raises IndexError in both
    status, _ = run_both(mod, "spread", np.zeros(0))
    assert status == "IndexError"
    # another dtype: the guard runs the original
    status, variant = run_both(mod, "best_pairing", TABLE.astype(np.int64))
    assert status == "ok" and variant == "original"


def test_the_chain_binds_left_to_right_from_one_value(mod):
    text = open(mod.__file__).read()
    cpu = text.split("def _polyray_cpu_element_and_name")[1].split("_polyray_dispatch_element_and_name")[0]
    # out[i] = v = x[i] * 3.0: the float64 value, not out[i] read back as float32, goes to v
    assert "out[i] = __unpacked0" in cpu and "v = __unpacked0" in cpu


GPU_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
from compiled import compile_and_import
import polyray.runtime as rt
from pathlib import Path
mod = compile_and_import(Path({source!r}), Path({out!r}), "chained_minmax_gpu", "--targets", "cpu,gpu")
x = np.array([np.nan, -0.0, 0.0, 1.5, -np.inf, np.nan, 3.0, 7.0])
want = x.copy(); mod._polyray_original_clamp(want, -0.0, 2.0)
mod.clamp(x, -0.0, 2.0)
print(json.dumps({{"variant": rt.history()[-1]["variant"], "same": x.tobytes() == want.tobytes()}}))
"""


def test_clamp_under_the_cuda_simulator(tmp_path):
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = GPU_SCRIPT.format(test_dir=str(ROOT / "test/python"), source=str(SOURCE), out=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"variant": "gpu", "same": True}, (result, proc.stderr[-2000:])
