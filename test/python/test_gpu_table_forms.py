"""The GPU forms of the NumPy table (src/compiler/types/numpy-table.ts, the `gpu` column; printed by
codegen/gpu-forms.ts), each used as a scientist writes it inside a parallel loop: clamping with
np.maximum/np.minimum, NaN-skipping np.fmax/np.fmin, validity masks from np.isfinite and the logical
and comparison ufuncs, magnitudes with np.fabs/math.copysign, cells and snapping with np.floor/np.ceil/np.rint/
np.trunc, prices with np.round/np.around, saturation with np.clip, directions with np.sign, rectifiers with np.where (the last eight through the device functions of
runtime/gpu_elementwise.py, which run as written under the simulator). Every row with a GPU form appears in
SOURCE (checked against the table itself), numba.cuda's own typing accepts each form on scalars
(no GPU needed: the CUDA simulator runs kernels as Python with NumPy and would accept anything),
and under the simulator the gpu variant gives the original's results bit for bit in both numerics
modes, NaN, infinities and -0.0 included. Rows without a GPU form keep their function off the GPU,
and the report says why (numba.cuda has no scalar kernel form of the call, or libdevice's last bits differ)."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
B1 = "np.ndarray[tuple[int], np.dtype[np.bool_]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
S1 = "np.ndarray[tuple[int], np.dtype[np.float32]]"

SOURCE = textwrap.dedent(f"""\
    import math

    import numpy as np


    def clamp(A: {F2}, out: {F2}, lo: float, hi: float):
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                out[i, j] = np.minimum(np.maximum(A[i, j], lo), hi)


    def nan_skipping_envelope(x: {F1}, y: {F1}, upper: {F1}, lower: {F1}):
        for i in range(x.shape[0]):
            upper[i] = np.fmax(x[i], y[i])
            lower[i] = np.fmin(x[i], y[i])


    def valid_mask(x: {F1}, y: {F1}, keep: {B1}, lo: float):
        for i in range(len(x)):
            keep[i] = np.logical_and(x[i] > lo, np.isfinite(y[i])) or np.logical_not(np.isnan(x[i]) or np.isinf(y[i]))


    def flags(x: {F1}, y: {F1}, either: {B1}, one: {B1}):
        for i in range(x.shape[0]):
            either[i] = np.logical_or(np.less(x[i], y[i]), np.equal(x[i], 0.0))
            one[i] = np.logical_xor(np.greater_equal(x[i], y[i]), np.not_equal(y[i], 1.0))


    def ordered(x: {F1}, y: {F1}, le: {B1}, gt: {B1}):
        for i in range(x.shape[0]):
            le[i] = np.less_equal(x[i], y[i])
            gt[i] = np.greater(x[i], y[i])


    def magnitudes(x: {F1}, y: {F1}, out: {F1}):
        for i in range(x.shape[0]):
            out[i] = math.copysign(np.fabs(x[i]) + np.sqrt(np.abs(y[i])), y[i]) + math.fabs(x[i]) + np.absolute(x[i])


    def scaled_norms(x: {F1}, out: {F1}, s: float):
        for i in range(x.shape[0]):
            if math.isnan(x[i]) or math.isinf(x[i]) or not math.isfinite(x[i]):
                out[i] = 0.0
            else:
                out[i] = math.sqrt(abs(x[i])) * s


    def smoothed_product(A: {F2}, B: {F2}, C: {F2}):
        D = A @ B
        E = np.dot(A, B)
        F = np.matmul(A, B)
        n, m = C.shape
        for i in range(n):
            for j in range(m):
                C[i, j] = 0.5 * D[i, j] + 0.25 * (E[i, j] + F[i, j])


    def hypotenuse(x: {F1}, y: {F1}, out: {F1}):
        for i in range(x.shape[0]):
            out[i] = np.hypot(x[i], y[i])


    def positive_part(x: {F1}, out: {F1}, leak: {F1}):
        for i in range(x.shape[0]):
            out[i] = np.where(x[i] > 0.0, x[i], 0.0)
            leak[i] = np.where(np.isnan(x[i]) or x[i] < 0.0, 0.01 * x[i], 1)


    def cells(x: {F1}, x0: float, h: float, cell: {F1}, frac: {F1}, up: {F1}):
        n = len(x)
        for i in range(n):
            t = (x[i] - x0) / h
            cell[i] = np.floor(t)
            frac[i] = t - np.floor(t)
            up[i] = np.ceil(t)


    def snapped(x: {F1}, y: {F1}, q: float, out: {F1}):
        for i in range(x.shape[0]):
            out[i] = np.rint(x[i] / q) * q + np.trunc(y[i])


    def directions(x: {F1}, y: {F1}, a: {I1}, b: {I1}, s: {F1}, d: {I1}):
        for i in range(x.shape[0]):
            s[i] = np.sign(y[i] - x[i]) * np.ceil(np.abs(y[i] - x[i]))
            d[i] = np.sign(b[i] - a[i])


    def prices(x: {F1}, cents: {F1}, tens: {F1}, places: int):
        for i in range(x.shape[0]):
            cents[i] = np.round(x[i], 2) + np.round(x[i])
            tens[i] = np.around(x[i] * 1e3, -1) + np.round(x[i], places)


    def saturated(x: {F1}, lo: float, hi: float, out: {F1}, k: {I1}, top: int, kept: {I1}):
        for i in range(x.shape[0]):
            out[i] = np.clip(x[i], lo, hi)
            kept[i] = np.clip(k[i], 0, top)


    def single_sign(x: {S1}, out: {S1}):
        for i in range(x.shape[0]):
            out[i] = np.sign(x[i])


    def squash(x: {F1}, out: {F1}):
        for i in range(x.shape[0]):
            out[i] = math.tanh(x[i]) + math.atan(x[i])
""")

#: functions whose every call has a GPU form: (name, the modes in which they get a gpu variant)
ON_GPU = {"clamp": ("exact", "close"), "nan_skipping_envelope": ("exact", "close"), "valid_mask": ("exact", "close"),
          "flags": ("exact", "close"), "ordered": ("exact", "close"), "magnitudes": ("exact", "close"),
          "scaled_norms": ("exact", "close"), "positive_part": ("exact", "close"), "cells": ("exact", "close"),
          "snapped": ("exact", "close"), "directions": ("exact", "close"), "prices": ("exact", "close"),
          "saturated": ("exact", "close"),
          # a product keeps the original in exact mode (Numba's BLAS has other last bits); close mode runs it on the device
          "smoothed_product": ("close",)}
#: functions calling a row without a GPU form, and the reason the report gives
OFF_GPU = {"hypotenuse": "np.hypot has no GPU form (CUDA computes np.hypot with libdevice",
           "single_sign": "np.sign has a GPU form of a float64 scalar or an int64 only",
           "squash": "math.tanh has no GPU form (CUDA computes math.tanh with libdevice"}


def table_gpu_rows() -> list[dict]:
    """The NumPy table's rows with a GPU form, from the built compiler."""
    if not (ROOT / "lib/compiler/types/numpy-table.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    code = "import('./lib/compiler/types/numpy-table.js').then(m => console.log(JSON.stringify(m.TABLE.filter(r => r.gpu))))"
    proc = subprocess.run(["node", "-e", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def test_every_row_with_a_gpu_form_is_used_here():
    from test_gpu_allocations import SOURCE as ALLOCATIONS  # the host's allocations on the device: tested there

    rows = table_gpu_rows()
    assert len(rows) >= 20, rows
    for r in rows:
        if r["gpu"] == "device-alloc":
            spelling = f"np.{r['name']}(" if r["where"] == "numpy" else f".{r['name']}("
            assert spelling in ALLOCATIONS, f"{r['where']}.{r['name']} (GPU form device-alloc) has no test in test_gpu_allocations.py"
            continue
        spelled = ("@" if r["name"] == "matmul" else "np.dot(") if r["gpu"] == "device-matmul" else None
        call = f"{'math' if r['where'] == 'math' else 'np'}.{r['name']}("
        assert call in SOURCE or (spelled and spelled in SOURCE), f"{r['where']}.{r['name']} (GPU form {r['gpu']}) has no test here"


def test_numba_cuda_types_every_form_on_scalars():
    """numba.cuda's typing (the real target's, not the simulator's) accepts each printed form."""
    from numba import types
    from numba.cuda.descriptor import cuda_target

    typing = cuda_target.typing_context
    typing.refresh()
    for r in table_gpu_rows():
        form = r["gpu"]
        if form in ("abs", "device-matmul", "device-alloc") or form.startswith("device:"):
            continue  # the builtin; the product runs in the library; allocations and device functions: test_gpu_ptx.py compiles them
        module, name = form.split(".")
        fn = getattr(math if module == "math" else np, name)
        logical = name.startswith("logical_")
        arity = 1 if name in ("logical_not", "sqrt", "fabs", "isnan", "isinf", "isfinite") else 2
        args = (types.boolean if logical else types.float64,) * arity
        sig = typing.resolve_function_type(typing.resolve_value_type(fn), args, {})
        assert sig is not None, f"numba.cuda does not type {form}{args} (row {r['where']}.{r['name']})"


def test_forms_numba_cuda_does_not_type_have_no_gpu_form_or_a_device_function():
    """The other side: the ufuncs a scientist reaches for that numba.cuda refuses keep a null `gpu`, or name a
    device function of runtime/gpu_elementwise.py (IEEE operations alone: test_gpu_elementwise.py)."""
    from numba.cuda.descriptor import cuda_target

    from polyray.runtime.gpu_elementwise import DEVICE_ELEMENTWISE

    typing = cuda_target.typing_context
    typing.refresh()
    # (np.where is no ufunc: the CPU target's registry, once loaded, names it, and CUDA's lowering has none)
    for name in ("square", "sign", "floor", "ceil", "trunc", "rint", "reciprocal", "exp"):
        with pytest.raises(ValueError, match="Cannot determine Numba type"):
            typing.resolve_value_type(getattr(np, name))  # ufuncs outside numba/cuda/ufuncs.py
    names = ["square", "hypot", "exp", "reciprocal", "sign", "floor", "ceil", "trunc", "rint", "where", "clip"]
    code = ("import('./lib/compiler/types/numpy-table.js').then(m => console.log(JSON.stringify("
            f"{json.dumps(names)}.map(n => m.numpyFunction(n).gpu))))")
    proc = subprocess.run(["node", "-e", code], capture_output=True, text=True, cwd=ROOT, check=True)
    forms = dict(zip(names, json.loads(proc.stdout)))
    assert [forms[n] for n in names[:4]] == [None] * 4
    for n in names[4:]:
        assert forms[n] == f"device:np_{n}" and f"np_{n}" in DEVICE_ELEMENTWISE, (n, forms[n])


SIM_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
from pathlib import Path
from compiled import compile_and_import, compare_with_original
numerics = {numerics!r}
source = Path({out!r}) / "gpu_table_forms.py"
mod = compile_and_import(source, Path({out!r}), f"gpu_table_forms_{{numerics}}", "--targets", "cpu,gpu", "--numerics", numerics)
plain = {{}}
exec(compile(source.read_text(), str(source), "exec"), plain)  # the functions as written
rng = np.random.default_rng(7)
out = {{}}
for n in (9, 1, 0):
    x = np.round(rng.standard_normal(n) * 3.0, 2)
    y = np.round(rng.standard_normal(n) * 3.0, 2)
    if n > 3:
        x[:4] = [np.nan, np.inf, -0.0, 1.0]
        y[:4] = [1.0, np.nan, 0.0, -np.inf]
    A = np.round(rng.standard_normal((n, n + 1)), 2)
    B = np.round(rng.standard_normal((n + 1, n)), 2)
    A2 = np.round(rng.standard_normal((n, n + 1)), 2)
    if A2.size:
        A2.flat[0] = np.nan
    f = np.zeros(n)
    b = np.zeros(n, dtype=np.bool_)
    k = rng.integers(-3, 4, n)
    h = np.zeros(n, dtype=np.int64)
    w = np.concatenate([x, [0.5, -0.5, 1.5, -2.5, 0.49999999999999994, 2.0**52 + 1.0, -1e300]])
    v = np.concatenate([y, [-0.7, 0.7, -0.0, 2.5, -1.5, 4503599627370495.5, np.inf]])
    g = np.zeros(len(w))
    calls = {{"clamp": (A2, np.zeros_like(A2), -0.5, 0.5), "nan_skipping_envelope": (x, y, f, f.copy()),
             "valid_mask": (x, y, b, 0.0), "flags": (x, y, b, b.copy()), "ordered": (x, y, b, b.copy()),
             "magnitudes": (x, y, f), "scaled_norms": (x, f, 2.0), "smoothed_product": (A, B, np.zeros((n, n))),
             "hypotenuse": (x, y, f), "positive_part": (x, f, f.copy()), "squash": (x, f),
             "cells": (w, -0.25, 0.5, g, g.copy(), g.copy()), "snapped": (w, v, 0.5, g), "directions": (x, y, k, k[::-1].copy(), f, h),
             "prices": (w, g, g.copy(), 300 if n == 1 else 3), "single_sign": (x.astype(np.float32), f.astype(np.float32)),
             "saturated": (x, -0.0 if n == 9 else np.nan, 1.0, f, k, 2, h)}}
    for name, args in calls.items():
        try:
            ran = compare_with_original(getattr(mod, name), plain[name], *args)
        except AssertionError:
            print(f"{{name}} differs from the original at n = {{n}}", file=sys.stderr)
            raise
        out.setdefault(name, []).append(ran.variant)
print(json.dumps(out))
"""


@pytest.mark.parametrize("numerics", ["exact", "close"])
def test_gpu_variants_under_the_simulator(tmp_path, numerics):
    (tmp_path / "gpu_table_forms.py").write_text(SOURCE)
    report = tmp_path / "report.json"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(tmp_path / "gpu_table_forms.py"), "-o", str(tmp_path / "unused.py"),
                    "--targets", "cpu,gpu", "--numerics", numerics, "--report", str(report)], check=True, cwd=ROOT)
    fns = {f["name"]: f for f in json.loads(report.read_text())["functions"]}
    for name, modes in ON_GPU.items():
        assert ("gpu" in fns[name]["variants"]) == (numerics in modes), (name, fns[name]["transformations"])
    for name, why in OFF_GPU.items():
        assert "gpu" not in fns[name]["variants"] and "cpu" in fns[name]["variants"], name
        assert any(why in t for t in fns[name]["transformations"]), (name, fns[name]["transformations"])
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = SIM_SCRIPT.format(test_dir=str(ROOT / "test/python"), out=str(tmp_path), numerics=numerics)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, variants in ran.items():
        # a forced gpu target runs the gpu variant where there is one (bit for bit: run_both checked), else the cpu one
        want = "gpu" if numerics in ON_GPU.get(name, ()) else "cpu" if name in OFF_GPU else None  # None: not compiled
        assert all(v == want for v in variants), (name, variants)


def test_the_table_rows_and_this_test_agree_on_names():
    """SOURCE's functions are those of ON_GPU and OFF_GPU (a renamed function cannot escape the checks)."""
    assert set(re.findall(r"^def (\w+)", SOURCE, re.M)) == set(ON_GPU) | set(OFF_GPU)
