"""Device forms of NumPy's exact complex operations (runtime/gpu_complex.py): products, squares,
reciprocals, divisions and absolute values of complex128 elements inside GPU kernels (parallel
loops, and whole-array products run as kernels), written as
scientists write them (a field's magnitude, a transfer function's product and gain, an impedance's
reciprocal), compiled in both numerics modes. numba.cuda types each device form and libNVVM
compiles it without a GPU to correctly rounded operations only (fma where NumPy's loop fuses,
no contraction, no approximate division or square root); under the CUDA simulator the gpu variant
gives the original's bits, NaN, infinities and zeros included. cexp and the general power keep
their functions off the GPU (libdevice's exp, sin, cos and log), with the reason in the report."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from compiled import ROOT
from test_gpu_ptx import cuda_home

C1 = "np.ndarray[tuple[int], np.dtype[np.complex128]]"
F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"

SOURCE = textwrap.dedent(f"""\
    import numpy as np


    def field_magnitude(E: {C1}, amp: {F1}):
        for i in range(E.shape[0]):
            amp[i] = np.abs(E[i])


    def transfer(num: {C1}, den: {C1}, H: {C1}, gain: {F1}):
        n = H.shape[0]
        for i in range(n):
            H[i] = np.multiply(num[i], den[i])
            gain[i] = np.abs(H[i])


    def admittance(Z: {C1}, Y: {C1}, P: {C1}, S: {C1}):
        for i in range(len(Z)):
            Y[i] = np.reciprocal(Z[i])
            S[i] = np.square(Z[i])
        P[:] = Z * Y


    def phasor(z: {C1}, out: {C1}):
        for i in range(len(z)):
            out[i] = np.exp(z[i])
""")

ON_GPU = ("field_magnitude", "transfer", "admittance")

SIM_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
from pathlib import Path
from compiled import compile_and_import, compare_with_original
numerics = {numerics!r}
source = Path({out!r}) / "gpu_complex.py"
mod = compile_and_import(source, Path({out!r}), f"gpu_complex_{{numerics}}", "--targets", "cpu,gpu", "--numerics", numerics)
plain = {{}}
exec(compile(source.read_text(), str(source), "exec"), plain)
rng = np.random.default_rng(11)
special = np.array([complex(x, y) for x in (0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e300) for y in (0.0, -0.0, -2.0, np.inf, np.nan)])
out = {{}}
for n in (len(special) + 40, 1, 0):
    z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-20, 20, n))
    w = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-20, 20, n))
    if n > len(special):
        z[:len(special)] = special
        w[5:5 + len(special)] = special
    c, f = np.zeros(n, dtype=np.complex128), np.zeros(n)
    calls = {{"field_magnitude": (z, f), "transfer": (z, w, c, f.copy()), "admittance": (z, c, c.copy(), c.copy()), "phasor": (z, c)}}
    for name, args in calls.items():
        with np.errstate(all="ignore"):
            ran = compare_with_original(getattr(mod, name), plain[name], *args)
        out.setdefault(name, []).append(ran.variant)
print(json.dumps(out))
"""


@pytest.mark.parametrize("numerics", ["exact", "close"])
def test_complex_kernels_under_the_simulator(tmp_path, numerics):
    (tmp_path / "gpu_complex.py").write_text(SOURCE)
    report = tmp_path / "report.json"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(tmp_path / "gpu_complex.py"), "-o", str(tmp_path / "unused.py"),
                    "--targets", "cpu,gpu", "--numerics", numerics, "--report", str(report)], check=True, cwd=ROOT)
    fns = {f["name"]: f for f in json.loads(report.read_text())["functions"]}
    for name in ON_GPU:
        assert "gpu" in fns[name]["variants"], (name, fns[name]["transformations"])
    assert "gpu" not in fns["phasor"]["variants"] and "cpu" in fns["phasor"]["variants"]
    assert any("no GPU variant" in t and "exp" in t for t in fns["phasor"]["transformations"]), fns["phasor"]["transformations"]
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = SIM_SCRIPT.format(test_dir=str(ROOT / "test/python"), out=str(tmp_path), numerics=numerics)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[:1500] + proc.stderr[-1500:]
    ran = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, variants in ran.items():
        # bit for bit (compare_with_original checked); the gpu variant ran where there is one
        assert all(v == ("gpu" if name in ON_GPU else "cpu") for v in variants), (name, variants)


PTX_CHILD = textwrap.dedent("""
    import json, re
    from numba import cuda
    from polyray.runtime import cuda_fma, gpu_complex
    cuda_fma.install()
    sigs = {"cmul": "complex128(complex128, complex128)", "csquare": "complex128(complex128)", "csquare_scalar": "complex128(complex128)",
            "creciprocal": "complex128(complex128)", "cdiv": "complex128(complex128, complex128)",
            "cabs": "float64(complex128)"}
    out = {}
    for name, fn in gpu_complex.DEVICE_COMPLEX.items():
        with cuda_fma.exact_products():
            ptx = cuda.compile_ptx(fn, sigs[name], device=True, cc=(7, 0))[0]
        ops = re.findall(r"\\b(fma|mul|add|sub|div|rcp|sqrt|neg|abs)\\.([a-z]+)\\.f64", ptx)
        out[name] = sorted({f"{op}.{mode}" for op, mode in ops})
    print(json.dumps({"forms": out, "fuses": gpu_complex._NUMPY_FUSES, "cabs_form": gpu_complex._CABS_FORM}))
""")


def test_device_forms_type_and_compile_to_correctly_rounded_ptx(tmp_path):
    """numba.cuda's typing accepts each device form, and libNVVM (no GPU needed) compiles it to
    round-to-nearest operations only: fma only where NumPy's loop fuses (cmul, csquare, cabs)."""
    home = cuda_home(tmp_path)
    if home is None:
        pytest.skip("the nvidia-cuda-nvcc-cu12 and nvidia-cuda-runtime-cu12 wheels are not installed (requirements.txt)")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_HOME"] = str(home)
    run = subprocess.run([sys.executable, "-c", PTX_CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    for name, ops in got["forms"].items():
        assert ops and all(re.fullmatch(r"(fma|mul|add|sub|div|rcp|sqrt)\.rn|(neg|abs)\.f64|(neg|abs)\.[a-z]+", op) or op.endswith(".rn") or op.split(".")[0] in ("neg", "abs") for op in ops), (name, ops)
        assert not any("approx" in op or op.endswith((".rz", ".rm", ".rp")) for op in ops), (name, ops)
        fused = any(op.startswith("fma.") for op in ops)
        if name in ("cmul", "csquare"):
            assert fused == got["fuses"], (name, ops)
        elif name == "cabs":
            assert fused == (got["cabs_form"] == 0) and "sqrt.rn" in ops and "div.rn" in ops, (name, ops)
        else:
            assert not fused, (name, ops)
