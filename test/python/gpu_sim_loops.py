"""Run by test_loops.py in a fresh process with NUMBA_ENABLE_CUDASIM=1: the GPU variants of
kernels with a while loop or divmod inside their parallel loop (newton_sqrt of
test/kernels/numpy_style/loops.py; to_hms, wrap and gcds of unpacking_calls.py), compiled with
--targets cpu,gpu and run with POLYRAY_TARGET=gpu against the original on copies of the same
inputs. Prints one JSON line per case."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from compiled import compile_and_import, outcome  # noqa: E402

import polyray.runtime as rt  # noqa: E402


def main(out: Path) -> None:
    os.environ["POLYRAY_TARGET"] = "gpu"
    loops = compile_and_import(ROOT / "test/kernels/numpy_style/loops.py", out, "loops_gpu", "--targets", "cpu,gpu")
    calls = compile_and_import(ROOT / "test/kernels/numpy_style/unpacking_calls.py", out, "unpacking_calls_gpu", "--targets", "cpu,gpu")
    rng = np.random.default_rng(9)
    a = np.abs(rng.standard_normal(40)) * 50.0
    a[0] = 0.0
    t = np.array([0, 59, 60, 3599, 3600, 86399, -1, -61], dtype=np.int64)
    x = np.array([0.0, -0.0, 2.75, -2.75, 1e300, np.inf, -np.inf, np.nan])
    g1, g2 = rng.integers(-1000, 1000, 30), rng.integers(-1000, 1000, 30)
    g2[:3] = 0
    cases = [(loops, "newton_sqrt", (a, np.zeros(40), 1e-12)),
             (calls, "to_hms", (t, np.zeros((8, 3), dtype=np.int64))),
             (calls, "wrap", (x, 0.75, np.zeros(8), np.zeros(8))),
             (calls, "wrap", (x, 0.0, np.zeros(8), np.zeros(8))),
             (calls, "gcds", (g1, g2, np.zeros(30, dtype=np.int64)))]
    for mod, name, args in cases:
        mine = [v.copy() if isinstance(v, np.ndarray) else v for v in args]
        theirs = [v.copy() if isinstance(v, np.ndarray) else v for v in args]
        with np.errstate(all="ignore"):
            got = outcome(getattr(mod, name), *mine)
            ran = rt.history()[-1]
            want = outcome(getattr(mod, f"_polyray_original_{name}"), *theirs)
        equal = got == want and all(p.tobytes() == q.tobytes() for p, q in zip(mine, theirs) if isinstance(p, np.ndarray))
        print(json.dumps({"name": name, "has_gpu": hasattr(mod, f"_polyray_gpu_{name}"), "variant": ran["variant"], "equal": equal,
                          "reason": ran.get("reason", "")}))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-loops-") as folder:  # the compiled modules, removed at the end
        main(Path(folder))
