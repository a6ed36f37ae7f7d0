"""Run by test_private_arrays.py in a fresh process with NUMBA_ENABLE_CUDASIM=1: the GPU variants of
shifted_rows (a per-iteration temporary computed element by element in the kernel) and inner_scratch
(a private `np.zeros(2)` per element, each thread's own cuda.local.array) in both numerics modes, compiled with --targets cpu,gpu and run with POLYRAY_TARGET=gpu against the original on
copies of the same inputs. Prints one JSON line per case."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from compiled import compile_and_import, outcome, same  # noqa: E402

import polyray.runtime as rt  # noqa: E402


def main(out: Path) -> None:
    os.environ["POLYRAY_TARGET"] = "gpu"
    src = ROOT / "test/kernels/numpy_style/private_arrays.py"
    rng = np.random.default_rng(5)
    for mode in ("exact", "close"):
        mod = compile_and_import(src, out, f"private_arrays_gpu_{mode}", "--targets", "cpu,gpu", "--numerics", mode)
        for fn in ("shifted_rows", "inner_scratch"):
            for n, m in ((7, 5), (40, 3)):
                A = rng.standard_normal((n, m))
                A[0, 0] = -0.0
                o1, o2 = np.full((n, m), np.nan), np.full((n, m), np.nan)
                rt.clear_history()
                got = outcome(getattr(mod, fn), A, o1)
                variant = rt.history()[-1]["variant"] if rt.history() else None
                want = outcome(getattr(mod, f"_polyray_original_{fn}"), A, o2)
                print(json.dumps({"fn": fn, "mode": mode, "shape": [n, m], "variant": variant, "equal": got[0] == want[0] and same(o1, o2)}))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-private-") as folder:  # the compiled modules, removed at the end
        main(Path(folder))
