"""Run by test_periodic.py in a fresh process with NUMBA_ENABLE_CUDASIM=1: the GPU variants of heat_periodic_into
(a 2-d grid; `% n` and `i - 1` wrapping at the edges), tile_into (`% m`) and upsample (`// 2`) in both numerics
modes, compiled with --targets cpu,gpu and run with POLYRAY_TARGET=gpu against the original on copies of the same
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

from compiled import compile_and_import, outcome, same  # noqa: E402

import polyray.runtime as rt  # noqa: E402


def cases(rng, n):
    g = rng.standard_normal((n, n + 2))
    g[0, 0] = -0.0
    yield "heat_periodic_into", (g, np.full(g.shape, np.nan), 0.1), 1
    yield "tile_into", (np.full(3 * n + 1, np.nan), rng.standard_normal(n)), 0
    yield "upsample", (rng.standard_normal(n + 1), np.full(2 * n, np.nan)), 1


def main(out: Path) -> None:
    os.environ["POLYRAY_TARGET"] = "gpu"
    src = ROOT / "test/kernels/numpy_style/periodic.py"
    rng = np.random.default_rng(5)
    for mode in ("exact", "close"):
        mod = compile_and_import(src, out, f"periodic_gpu_{mode}", "--targets", "cpu,gpu", "--numerics", mode)
        for n in (3, 17):
            for fn, args, written in cases(rng, n):
                mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
                theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
                rt.clear_history()
                got = outcome(getattr(mod, fn), *mine)
                variant = rt.history()[-1]["variant"] if rt.history() else None
                want = outcome(getattr(mod, f"_polyray_original_{fn}"), *theirs)
                equal = got[0] == want[0] and same(mine[written], theirs[written])
                print(json.dumps({"fn": fn, "mode": mode, "n": n, "variant": variant, "equal": equal}))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-periodic-") as folder:  # the compiled modules, removed at the end
        main(Path(folder))
