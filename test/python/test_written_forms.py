"""Issue 17 entries that had no test (scripts/coverage_17.py): np.sign, np.floor, np.ceil, keyword arguments and
default parameter values of the module's functions, a `-> tuple[...]` return hint and a nested helper function
(test/kernels/numpy_style/written_forms.py), compiled in both numerics modes: every function against its
original on good and bad inputs, bit for bit (these rows are `exact`), NumPy's and CPython's exceptions (a zero
width in smoothstep of Python floats: ZeroDivisionError; an empty vector in min_max_scaled: IndexError), and
the GPU form of a function with a default parameter under Numba's CUDA simulator. np.sign, np.floor and np.ceil
have GPU forms on float64 (the table's gpu column, runtime/gpu_elementwise.py: test_gpu_table_forms.py runs them
under the simulator); np.sign of float32 has none: a kernel calling it gets no GPU variant."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, check_cpu, compare_with_original, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/written_forms.py"
COMPILED = ["soft_threshold", "sign_changes", "signs32", "cell_bounds", "quantize", "pages_needed", "smoothstep", "ramp", "relax", "min_max_scaled",
            "clipped_scores", "wrapped_neighbour_mean"]


mod = mode_module(SOURCE, "written_forms", targets="cpu,gpu")
check = check_cpu


def signed_values(n: int, seed: int) -> np.ndarray:
    """Random values with the cases sign/floor/ceil treat apart: +-0.0, NaN, infinities, halves, integers."""
    x = np.random.default_rng(seed).standard_normal(n) * 3.0
    special = [0.0, -0.0, np.nan, np.inf, -np.inf, 2.5, -2.5, 3.0, -1e-300]
    x[: min(n, len(special))] = special[: min(n, len(special))]
    return x


def test_every_function_has_a_cpu_variant(mod):
    for name in COMPILED:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [0, 1, 9, 40])
def test_sign(mod, n):
    x = signed_values(n, n)
    check(mod, "soft_threshold", x, 0.5)
    check(mod, "soft_threshold", x, -1.0)
    check(mod, "sign_changes", x)
    # one element at a time, float32: NumPy's +0.0 for -0.0 on scalars too (Numba's np.sign keeps -0.0)
    check(mod, "signs32", x.astype(np.float32), np.full(n, 5.0, dtype=np.float32))


@pytest.mark.parametrize("n", [0, 1, 9, 40])
def test_floor_and_ceil(mod, n):
    x = signed_values(n, 100 + n)
    got = check(mod, "cell_bounds", x, 0.25).got
    if n:
        assert isinstance(got[1], tuple) and len(got[1]) == 2
    check(mod, "cell_bounds", x, 0.0)  # inf, -inf and NaN cells, as NumPy computes them
    check(mod, "cell_bounds", x, -3.0)
    check(mod, "pages_needed", np.abs(x), 0.75)
    A = signed_values(n * 3, n).reshape(3, n) if n else np.zeros((3, 0))
    for step in (0.5, 1e-3, 0.0, -2.0):
        check(mod, "quantize", A, step, np.zeros_like(A))


def test_keyword_arguments_and_defaults(mod):
    x = signed_values(30, 7)
    check(mod, "ramp", x, np.zeros(30), 1.5)
    check(mod, "ramp", x[:0], np.zeros(0), 1.5)
    # hi=edge=0.0: x[i] is a NumPy float, so 0/0 is NaN (not CPython's ZeroDivisionError) in both
    check(mod, "ramp", x, np.full(30, 7.0), 0.0)
    assert check(mod, "smoothstep", 0.25).status == "ok"
    # Python floats: CPython's ZeroDivisionError in both
    assert check(mod, "smoothstep", 0.25, 1.0, 1.0, compiled=False).status == "ZeroDivisionError"


@pytest.mark.parametrize("n", [0, 1, 3, 25])
def test_a_default_left_out_and_given(mod, n):
    u = signed_values(n, 3)
    check(mod, "relax", u, np.zeros(n))
    check(mod, "relax", u, np.zeros(n), 0.8)
    check(mod, "relax", u, np.zeros(n + 2))  # out longer than u: only its inner cells up to n - 1 are written


def test_tuple_hint(mod):
    x = signed_values(17, 11)
    ran = check(mod, "min_max_scaled", x)
    assert isinstance(ran.value, tuple) and len(ran.value) == 2
    check(mod, "min_max_scaled", x, -2.0)
    # an empty vector: IndexError at x[0], in both
    assert check(mod, "min_max_scaled", x[:0], compiled=False).status == "IndexError"


def test_nested_functions(mod):
    """Nested helpers are lifted to module-level helpers taking what they read of the enclosing function
    (parse/nested.ts): the variant runs, bit for bit the original's, on good and bad inputs."""
    x = signed_values(40, 6)
    for lo, hi in ((-1.0, 1.0), (0.5, -0.5), (-np.inf, 2.0)):
        check(mod, "clipped_scores", x, lo, hi, np.zeros(40))
    check(mod, "clipped_scores", x[:0], -1.0, 1.0, np.zeros(0))
    # an output too short: the guard sends it to the original, which raises IndexError after 39 writes
    assert check(mod, "clipped_scores", x, -1.0, 1.0, np.zeros(39), compiled=False).status == "IndexError"
    for shape in ((5, 7), (1, 1), (0, 3), (3, 0)):
        u = signed_values(shape[0] * shape[1], 7).reshape(shape)
        check(mod, "wrapped_neighbour_mean", u, np.zeros(shape))
    assert check(mod, "wrapped_neighbour_mean", signed_values(12, 8).reshape(3, 4), np.zeros((3, 3)), compiled=False).status == "IndexError"
    # an int array where float64 is hinted: the guard refuses, the original runs (same results)
    check(mod, "wrapped_neighbour_mean", np.arange(12).reshape(3, 4), np.zeros((3, 4)), compiled=False)


def test_nested_function_kept_for_another_reason_runs_as_the_original(mod):
    """rms_of_rows's nested helper is lifted, but `s = 0.0; s += square(A[i, j])` makes `s` a Python float on one
    path and a NumPy scalar on another, which `s / m` refuses: the generated module keeps the function as written."""
    assert not hasattr(mod, "_polyray_cpu_rms_of_rows")
    spec = importlib.util.spec_from_file_location("written_forms_plain", SOURCE)
    plain = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plain)
    A = signed_values(24, 5).reshape(4, 6)
    for args in ((A, np.zeros(4)), (A[:, :0], np.zeros(4)), (A, np.zeros(3))):
        ran = compare_with_original(mod.rms_of_rows, plain.rms_of_rows, *args)
        assert ran.variant in (None, "original"), ran.records[-1:]


def test_gpu_variant_where_the_table_has_a_gpu_form_for_the_dtype(mod):
    # np.floor of float64 has a device form (runtime/gpu_elementwise.py), np.sign of float32 none
    for name in ("signs32",):
        assert not hasattr(mod, f"_polyray_gpu_{name}"), name
    assert hasattr(mod, "_polyray_gpu_relax") and hasattr(mod, "_polyray_gpu_quantize")


GPU_SCRIPT = """
import json, sys
sys.path.insert(0, {test_dir!r})
import numpy as np
import polyray.runtime as rt
from pathlib import Path
from compiled import compile_and_import, outcome
out = []
for mode in ("exact", "close"):
    mod = compile_and_import(Path({source!r}), Path({out!r}), "written_forms_gpu_" + mode, "--targets", "cpu,gpu", "--numerics", mode)
    rng = np.random.default_rng(4)
    for n, omega in ((33, None), (33, 0.8), (2, None), (0, 0.3)):
        u = rng.standard_normal(n)
        if n > 3:
            u[1], u[2] = np.nan, -0.0
        args = (u,) if omega is None else (u, omega)
        got, want = np.full(n, 9.0), np.full(n, 9.0)
        a = outcome(mod.relax, u, got, *args[1:])
        rec = rt.history()[-1]
        b = outcome(mod._polyray_original_relax, u, want, *args[1:])
        out.append({{"variant": rec["variant"], "same": a[0] == b[0] and got.tobytes() == want.tobytes(), "n": n}})
print(json.dumps(out))
"""


def test_default_parameter_in_a_gpu_kernel_under_the_simulator(tmp_path):
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = GPU_SCRIPT.format(test_dir=str(ROOT / "test/python"), source=str(SOURCE), out=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert all(r["same"] for r in runs), runs
    # the sized calls run the GPU variant (with the default and with omega given); the guard may keep tiny ones on the host
    assert all(r["variant"] == "gpu" for r in runs if r["n"] == 33), runs
