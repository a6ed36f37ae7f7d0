"""Tuple unpacking and packing (test/kernels/numpy_style/unpacking.py, issue 17): every function
compiles, and under POLYRAY_TARGET=cpu and auto gives the original's results bit for bit,
exceptions included (ValueError on a shape of another rank or a row of another length,
IndexError on an empty array), with the run records showing the CPU variant where it ran."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/numpy_style/unpacking.py"
NAMES = ("scale_rows", "column_sums", "diffuse", "fibonacci", "reverse", "path_length", "min_max", "split_signs")


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("unpacking"), "unpacking_compiled", "--targets", "cpu")


def run_both(mod, name, *args):
    """The dispatcher's call against the original's on copies (np.float64 is a float here; where the original's
    type is known, test_tuples_returned checks it); the outcome and the variant that ran."""
    ran = compare(mod, name, *args, kinds=("float",))
    return ran.status, ran.variant


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.fixture(params=["cpu", "auto"])
def target(request, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", request.param)
    return request.param


@pytest.mark.parametrize("shape", [(4, 5), (1, 3), (0, 2), (3, 0)])
def test_shapes_unpacked(mod, target, shape):
    rng = np.random.default_rng(sum(shape))
    status, variant = run_both(mod, "scale_rows", rng.standard_normal(shape), rng.standard_normal(shape[0]))
    assert status == "ok"
    if target == "cpu":
        assert variant == "cpu"
    assert run_both(mod, "column_sums", rng.standard_normal(shape), np.full(shape[1], np.nan))[0] == "ok"


@pytest.mark.parametrize("shape", [(2, 3, 4), (5,)])
def test_a_shape_of_another_rank_runs_the_original_and_raises(mod, target, shape):
    status, variant = run_both(mod, "scale_rows", np.ones(shape), np.ones(shape[0]))
    assert status == "ValueError" and variant == "original"


@pytest.mark.parametrize("n,steps", [(9, 4), (3, 1), (2, 5), (1, 0), (16, 7)])
def test_work_arrays_swapped_in_a_time_loop(mod, target, n, steps):
    rng = np.random.default_rng(n + steps)
    status, variant = run_both(mod, "diffuse", rng.standard_normal(n), steps, 0.25)
    assert status == "ok"
    if target == "cpu":
        assert variant == "cpu"


@pytest.mark.parametrize("n", [0, 1, 2, 7, 40])
def test_scalars_and_elements_swapped(mod, target, n):
    assert run_both(mod, "fibonacci", np.full(n, np.nan))[0] == "ok"
    status, variant = run_both(mod, "reverse", np.arange(float(n)))
    assert status == "ok"
    if target == "cpu":
        assert variant == "cpu"


@pytest.mark.parametrize("shape", [(6, 2), (2, 2), (1, 2), (0, 2)])
def test_rows_unpacked(mod, target, shape):
    status, variant = run_both(mod, "path_length", np.random.default_rng(shape[0]).standard_normal(shape))
    assert status == "ok"
    if target == "cpu":
        assert variant == "cpu"


@pytest.mark.parametrize("shape", [(4, 3), (4, 1), (3, 0), (2, 5)])
def test_rows_of_another_length_raise_valueerror(mod, target, shape):
    """Python raises ValueError (too many / not enough values); the variant raises the same."""
    status, variant = run_both(mod, "path_length", np.random.default_rng(7).standard_normal(shape))
    assert status == "ValueError"
    if target == "cpu":
        assert variant == "cpu"


def test_rows_of_a_3d_array_run_the_original(mod, target):
    """p[i] - p[i - 1] of a 3-d p unpacks into rows: the variant was typed for elements, its guard refuses."""
    status, variant = run_both(mod, "path_length", np.random.default_rng(8).standard_normal((3, 2, 2)))
    assert status == "ok" and variant == "original"


@pytest.mark.parametrize("n", [1, 2, 9])
def test_tuples_returned(mod, target, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    status, variant = run_both(mod, "min_max", x)
    assert status == "ok"
    if target == "cpu":
        assert variant == "cpu"
    got = mod.min_max(x)
    # NumPy scalars in the original, NumPy scalars from the variant (the wrapper restores them)
    assert isinstance(got, tuple) and [type(v) for v in got] == [np.float64, np.float64]
    assert run_both(mod, "split_signs", x)[0] == "ok"


def test_an_empty_array_raises_indexerror_as_in_python(mod, target):
    assert run_both(mod, "min_max", np.zeros(0))[0] == "IndexError"


def test_the_fuzzer_generates_shape_unpacking_and_swaps():
    """test/fuzz/generate.py writes both forms (its runs compare them against the original: record.json)."""
    import sys

    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import generate  # noqa: E402

    import re

    seen = {"unpack_shape": 0, "swap": 0}
    for k in range(160):  # (families.py turns a share of the ordinary functions into its own forms: masks, index arrays, float32 axes, complex...)
        program = generate.generate(905 * 1_000_000 + k)
        compile(program.source, "fuzz", "exec")
        for fn in program.functions:
            for feature in seen:
                seen[feature] += feature in fn.features
        if any("unpack_shape" in fn.features for fn in program.functions):
            assert re.search(r"^    (n[ABC]\d|_)(, (n[ABC]\d|_))*,? = [ABC]\.shape$", program.source, re.M), program.source
        if any("swap" in fn.features for fn in program.functions):
            assert re.search(r"^        (u, v = v, u|v, u = u \* 0\.5, v - u)", program.source, re.M), program.source
    assert seen["unpack_shape"] >= 10 and seen["swap"] >= 2, seen


def test_gpu_variants_under_the_simulator():
    """Sizes from `n, m = A.shape` in the GPU variant's host code and grid (Numba's CUDA simulator, a fresh process)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, str(ROOT / "test/python/gpu_sim_unpacking.py")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 3, proc.stdout
    for r in results:
        assert r["has_gpu"] and r["variant"] == "gpu" and r["equal"], r
