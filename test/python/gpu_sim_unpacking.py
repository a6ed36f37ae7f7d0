"""Run by test_unpacking.py in a fresh process with NUMBA_ENABLE_CUDASIM=1: the functions of
test/kernels/numpy_style/unpacking.py that have a GPU variant (sizes from `n, m = A.shape`),
compiled with --targets cpu,gpu and run with POLYRAY_TARGET=gpu against the original on copies
of the same inputs. Prints one JSON line per case."""
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
    mod = compile_and_import(ROOT / "test/kernels/numpy_style/unpacking.py", out, "unpacking_gpu", "--targets", "cpu,gpu")
    rng = np.random.default_rng(5)
    cases = [("scale_rows", (rng.standard_normal((5, 6)), rng.standard_normal(5))),
             ("scale_rows", (rng.standard_normal((1, 3)), rng.standard_normal(1))),
             ("column_sums", (rng.standard_normal((4, 7)), np.full(7, np.nan)))]
    for name, args in cases:
        mine = [a.copy() for a in args]
        theirs = [a.copy() for a in args]
        got = outcome(getattr(mod, name), *mine)
        ran = rt.history()[-1]
        want = outcome(getattr(mod, f"_polyray_original_{name}"), *theirs)
        equal = got == want and all(a.tobytes() == b.tobytes() for a, b in zip(mine, theirs))
        print(json.dumps({"name": name, "has_gpu": hasattr(mod, f"_polyray_gpu_{name}"), "variant": ran["variant"], "equal": equal}))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-unpacking-") as folder:  # the compiled modules, removed at the end
        main(Path(folder))
