"""Run by test_lowered_slices.py in a fresh process with NUMBA_ENABLE_CUDASIM=1:
the NumPy-style kernels of test/kernels/extra/lowered.py compiled with
--targets cpu,gpu, each with a GPU variant run with POLYRAY_TARGET=gpu (its
implicit loops as kernels, one thread per element) against the original on
copies of the same inputs; a column sweep with slices in a loop (everyday/dtype_forms.py);
then a speculative kernel (extra/speculative.py)
on data where its math call is fine and where it would raise. Prints one
JSON line per case."""
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


def cases(rng: np.random.Generator) -> dict[str, tuple]:
    f = rng.standard_normal
    z = (f(6) + 1j * f(6)).astype(np.complex128)
    return {
        "scale_rows": (f((5, 6)), f((5, 6)), 5, -0.5),
        "between": (f(7), f(7), 7, 1.5),
        "complex_mix": (z, z[::-1].copy()),
        "chain": (f(9), f(9), f(9), f(9), f(9), 9),
        "scalar_between": (f(6), f(6)),
        "stencil_steps": (f(50), f(50), 4),
        "blend": (f((5, 7)), f((5, 7)), f((5, 7))),
        "temporaries": (f((5, 7)), f((5, 7)), f((5, 7)), -1.5),
        "broadcast_temporary": (f(8), f(8), f(8)),
        # D = A @ B.T and y = np.dot(A, x) on the device, then a 2-d grid reads them
        "after_matmul": (f((6, 4)), f((5, 4)), f((6, 5)), f(4)),
        # d made on the device by one kernel, read by the next, and returned
        "kept_temporary": (f(9), f(9), 9),
    }


def main(out: Path) -> None:
    assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    os.environ["POLYRAY_TARGET"] = "gpu"
    mod = compile_and_import(ROOT / "test/kernels/extra/lowered.py", out, "gpusim_lowered", "--targets", "cpu,gpu", "--report", str(out / "r.json"))
    report = {f["name"]: f for f in json.loads((out / "r.json").read_text())["functions"]}
    for name, args in cases(np.random.default_rng(3)).items():
        result = {"kernel": name, "has_gpu": "gpu" in report[name]["variants"]}
        try:
            if name == "complex_mix":
                args = (args[0], args[1], 6)
            ref = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
            got = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
            want = getattr(mod, f"_polyray_original_{name}")(*ref)
            rt.clear_history()
            returned = getattr(mod, name)(*got)
            record = rt.history()[-1]
            result["variant"], result["reason"] = record["variant"], record["reason"]
            result["products"] = record.get("gpu_products")
            result["equal"] = all(np.array_equal(g, r, equal_nan=True) for g, r in zip(got, ref) if isinstance(g, np.ndarray)) \
                and (want is None or (isinstance(returned, np.ndarray) and np.array_equal(returned, want)))
        except Exception as exc:  # reported, not raised: one kernel must not hide the others
            result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        print(json.dumps(result), flush=True)
    # a column sweep written with slices and an integer index in a loop (`p[:, j] = -c / (p[:, j - 1] + 2.0)`),
    # scratch arrays typed like the input (`dtype=u.dtype`): element loops since the slice temporaries of 59428fe,
    # so a GPU variant (scripts/coverage_17.json's dtype=A.dtype entry)
    forms = compile_and_import(ROOT / "test/kernels/everyday/dtype_forms.py", out, "gpusim_dtype_forms", "--targets", "cpu,gpu",
                               "--report", str(out / "forms.json"))
    forms_report = {f["name"]: f for f in json.loads((out / "forms.json").read_text())["functions"]}
    u = np.random.default_rng(5).standard_normal((6, 7))
    result = {"kernel": "sweep", "has_gpu": "gpu" in forms_report["sweep"]["variants"]}
    try:
        want = forms._polyray_original_sweep(u.copy(), 0.75)
        rt.clear_history()
        got = forms.sweep(u.copy(), 0.75)
        record = rt.history()[-1]
        result["variant"], result["reason"] = record["variant"], record["reason"]
        result["equal"] = bool(np.array_equal(got, want))
    except Exception as exc:  # noqa: BLE001
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    print(json.dumps(result), flush=True)
    # a math call that may raise: flagged in the kernel; then the device results are discarded
    # and the original runs (and raises)
    spec = compile_and_import(ROOT / "test/kernels/extra/speculative.py", out, "gpusim_speculative", "--targets", "cpu,gpu")
    for name, bad in (("roots", False), ("roots_raises", True)):
        x = np.linspace(0.0, 4.0, 9)
        if bad:
            x[5] = -1.0
        y, y_ref = np.full(9, 7.0), np.full(9, 7.0)
        result = {"kernel": name, "has_gpu": True}
        try:
            want = outcome(spec._polyray_original_roots, 9, x, y_ref)
            rt.clear_history()
            got = outcome(spec.roots, 9, x, y)
            record = rt.history()[-1]
            result.update(variant=record["variant"], reason=record["reason"], outcome=got[0],
                          equal=got == want and np.array_equal(y, y_ref))
        except Exception as exc:  # noqa: BLE001
            result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="polyray-gpusim-lowered-") as folder:  # the compiled modules, removed at the end
        main(Path(folder))
