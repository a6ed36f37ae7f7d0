"""Run by test_polybench_gpu_sim.py in a fresh process with NUMBA_ENABLE_CUDASIM=1
(the simulator must be chosen before numba.cuda is imported): every PolyBench
kernel compiled with --targets cpu,gpu (by one compile service: a Node process
per kernel cost 30 Node starts), then at MINI size the original and the GPU
variant (POLYRAY_TARGET=gpu) on copies of the same inputs. Prints one JSON line
per kernel."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
KDIR = ROOT / "test/kernels/polybench"
sys.path.insert(0, str(KDIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import specs  # noqa: E402
from compiled import SERVICE_TIMEOUT, compile_and_import  # noqa: E402

import polyray.runtime as rt  # noqa: E402
from polyray.compile_service import CompileService  # noqa: E402


def main(out: Path, service: CompileService) -> None:
    assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    os.environ["POLYRAY_TARGET"] = "gpu"
    for name in specs.KERNELS:
        result = {"kernel": name}
        try:
            mod = compile_and_import(KDIR / f"{name}.py", out, f"gpusim_{name}", "--targets", "cpu,gpu", "--report", str(out / f"{name}.json"),
                                     service=service)
            report = json.loads((out / f"{name}.json").read_text())["functions"][0]
            result["has_gpu"] = "gpu" in report["variants"]
            orig = getattr(__import__(name), f"kernel_{name}")
            sizes = specs.SIZES[name]["MINI"]
            args = specs.build_args(name, sizes, np.random.default_rng(7))
            ref, got = specs.copy_args(args), specs.copy_args(args)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                orig(*ref)
            rt.clear_history()
            getattr(mod, f"kernel_{name}")(*got)
            record = rt.history()[-1]
            result["variant"] = record["variant"]
            result["reason"] = record["reason"]
            result["equal"] = all(
                np.allclose(specs.compare_view(name, sizes, i, got[i]), specs.compare_view(name, sizes, i, ref[i]), rtol=1e-9, atol=1e-12, equal_nan=True)
                for i in specs.OUTPUTS[name]
            )
        except Exception as exc:  # reported, not raised: one kernel must not hide the others
            result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    service = CompileService(cli=ROOT / "bin/polyray.mjs", timeout=SERVICE_TIMEOUT)
    try:
        with tempfile.TemporaryDirectory(prefix="polyray-gpusim-") as folder:  # the compiled modules, removed at the end
            main(Path(folder), service)
    finally:
        service.close()
