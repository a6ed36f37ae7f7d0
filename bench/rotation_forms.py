"""The serial and prange forms of the same CPU variant (POLYRAY_CPU_FORM) on rotated buffers and gathers
(test/kernels/numpy_style/rotations.py and gathers.py, issue 17/18), best of 7 calls each, alternating forms twice.

    NUMBA_NUM_THREADS=2 .venv/bin/python bench/rotation_forms.py

Prints one line per kernel: serial ms, prange ms, and the original (one call)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def compiled(stem: str, out: Path):
    target = out / f"{stem}_forms.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(ROOT / f"test/kernels/numpy_style/{stem}.py"), "-o", str(target)],
                   check=True, cwd=ROOT, capture_output=True)
    spec = importlib.util.spec_from_file_location(target.stem, target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[target.stem] = module
    spec.loader.exec_module(module)
    return module


def best(f, args, k: int = 7) -> float:
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def main() -> None:
    os.environ["POLYRAY_TARGET"] = "cpu"
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        rot, gat = compiled("rotations", Path(d)), compiled("gathers", Path(d))
        cases = [
            (rot, "life_torus", (rng.integers(0, 2, (256, 256)), 10)),
            (rot, "heat_2d", (rng.standard_normal((400, 400)), 20, 0.2)),
            (rot, "wave_leapfrog", (rng.standard_normal(10**5), rng.standard_normal(10**5), 0.25, 20)),
            (gat, "colour_map", (rng.integers(0, 64, (600, 600)).astype(np.int32), rng.random((64, 3)))),
            (gat, "gather_scaled", (rng.standard_normal(10**6), rng.integers(0, 10**6, 10**6), np.zeros(10**6), 1.5)),
        ]
        for mod, name, args in cases:
            f = getattr(mod, name)
            out: dict[str, list[float]] = {}
            for form in ("serial", "parallel", "serial", "parallel"):
                os.environ["POLYRAY_CPU_FORM"] = form
                f(*args)
                out.setdefault(form, []).append(best(f, args))
            original = best(getattr(mod, f"_polyray_original_{name}"), args, 1)
            print(f"{name}: serial {min(out['serial']):.2f} ms, prange {min(out['parallel']):.2f} ms, original {original:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
