"""Run by test_returned_arrays.py in a fresh process with NUMBA_ENABLE_CUDASIM=1: the returned and
newly bound whole-array expressions of test/kernels/extra/returned.py compiled with --targets cpu,gpu
(exact mode), each with a GPU variant run with POLYRAY_TARGET=gpu (its element loop a kernel, one
thread per element, into a new device array) against the original on the same inputs, bit for bit
(NaN, inf and -0.0 included). Prints one JSON line per function."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from compiled import compile_and_import, same  # noqa: E402

import polyray.runtime as rt  # noqa: E402


def main(out: Path) -> None:
    assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    os.environ["POLYRAY_TARGET"] = "gpu"
    mod = compile_and_import(ROOT / "test/kernels/extra/returned.py", out, "gpusim_returned", "--targets", "cpu,gpu",
                             "--numerics", "exact", "--report", str(out / "r.json"))
    report = {f["name"]: f for f in json.loads((out / "r.json").read_text())["functions"]}
    f = np.random.default_rng(5).standard_normal
    x = f((4, 5))
    x.flat[:4] = [np.nan, np.inf, -0.0, 0.0]
    cases = {"magnitude": (x, f((4, 5))), "leaky": (x, 0.1), "above": (x, f((4, 5))), "band": (x[0], -1.0, 0.5),
             "filled": (x, f(5))}
    for name, args in cases.items():
        result = {"kernel": name, "has_gpu": "gpu" in report[name]["variants"]}
        try:
            with np.errstate(all="ignore"):
                want = getattr(mod, f"_polyray_original_{name}")(*args)
                rt.clear_history()
                got = getattr(mod, name)(*args)
            result["variant"] = rt.history()[-1]["variant"]
            result["equal"] = same(got, want)
        except Exception as exc:  # reported, not raised: one kernel must not hide the others
            result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-returned-") as folder:  # the compiled module, removed at the end
        main(Path(folder))
