"""Each public module imports on its own, first in a fresh process: polyray.cluster imports the runtime,
whose dispatcher module registers with the cluster's listeners while cluster is still loading (the
fuzzer's workers import polyray.cluster first)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BRIDGE = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["polyray.cluster", "polyray.runtime", "polyray.decorator"])
def test_module_imports_first_in_a_fresh_process(module):
    env = {**os.environ, "PYTHONPATH": str(BRIDGE)}
    done = subprocess.run([sys.executable, "-c", f"import {module}"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
