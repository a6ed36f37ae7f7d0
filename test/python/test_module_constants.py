"""Module-level constants (test/kernels/everyday/module_constants.py, issue 17): frozen into the
variants and checked before each call. Through @parallelize, in both numerics modes: the compiled
variant runs while the module binds the compiled value, the original (with the new value) as soon
as a constant is rebound, to another value or another type; a name bound twice is not a constant."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import polyray.runtime as rt
from polyray import parallelize

from compiled import ROOT

SOURCE = ROOT / "test/kernels/everyday/module_constants.py"


@pytest.fixture
def kernels(monkeypatch, tmp_path):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("module_constants_kernels", SOURCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("numerics", ["exact", "close"])
def test_constants_are_frozen_and_checked_before_each_call(kernels, numerics):
    relax = parallelize(kernels.relax, target="cpu", numerics=numerics)
    u = np.random.default_rng(4).standard_normal(16)
    plain = kernels.relax  # the function as written reads the module's current values
    got, want = relax(u.copy()), plain(u.copy())
    assert rt.history()[-1]["variant"] == "cpu" and got.tobytes() == want.tobytes()
    for name, value in [("OMEGA", 0.25), ("N_SWEEPS", 5), ("GAIN", 2.0)]:
        old = getattr(kernels, name)
        setattr(kernels, name, value)
        got, want = relax(u.copy()), plain(u.copy())
        rec = rt.history()[-1]
        assert rec["variant"] == "original" and f"module constant {name} is {value!r}" in rec["reason"], rec
        assert got.tobytes() == want.tobytes()
        setattr(kernels, name, old)
    del kernels.FLOOR
    with pytest.raises(NameError):
        relax(u.copy())
    assert "module constant FLOOR is unbound" in rt.history()[-1]["reason"]


HINTED = textwrap.dedent("""
    import numpy as np
    import numpy.typing as npt
    from polyray import parallelize

    SCALE = 2.0


    @parallelize
    def scale_rows(a: npt.NDArray[np.float64]) -> None:
        n = a.shape[0]
        for i in range(n):
            a[i] = (a[i] + 1.0) * SCALE
""")


@pytest.mark.parametrize("target", ["original", "auto"])
def test_a_kept_original_reads_the_users_module_not_the_generated_one(tmp_path, monkeypatch, target):
    """A fully hinted @parallelize function whose original runs (forced, or kept by auto) runs the function
    the user wrote, with the user's module globals. The generated wrapper holds a copy of the body that reads
    the generated module's globals; it ran that copy for such calls, so a constant rebound in the user's
    module was not seen (wrong results, found in the sixth session)."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    monkeypatch.setenv("POLYRAY_TARGET", target)
    path = tmp_path / "hinted_constants.py"
    path.write_text(HINTED)
    spec = importlib.util.spec_from_file_location("hinted_constants", path)
    user = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = user
    spec.loader.exec_module(user)
    a = np.ones(4)
    for _ in range(6):  # (the wrapper's own fast path is set up after the first calls)
        user.scale_rows(a)
        a[:] = 1.0
    for value in (10.0, 0.5):
        user.SCALE = value
        for _ in range(3):
            a = np.ones(4)
            user.scale_rows(a)
            assert a.tolist() == [2.0 * value] * 4, (value, rt.history()[-1])


def test_bool_constants_and_scalars(kernels):
    count = parallelize(kernels.count_large, target="cpu")
    x = np.linspace(-3, 3, 13)
    assert count(x, 0.5) == kernels.count_large(x, 0.5) and rt.history()[-1]["variant"] == "cpu"
    kernels.LOGGING = True
    assert count(x, 0.5) == 0 and rt.history()[-1]["variant"] == "original"


def test_a_name_bound_twice_is_not_a_constant(kernels):
    twice = parallelize(kernels.rebound_twice, target="cpu")
    assert twice(np.ones(3)).tolist() == [2.0, 2.0, 2.0]
    rec = rt.history()[-1]
    assert rec["variant"] == "original" and "'TWICE' is not a parameter, local or import" in rec["reason"], rec


GPU_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
from compiled import compile_and_import
import polyray.runtime as rt
from pathlib import Path
mod = compile_and_import(Path({source!r}), Path({out!r}), "gpu_forms_compiled", "--targets", "cpu,gpu")
out = []
for damping in (0.5, 0.25):
    mod.DAMPING = damping
    x, y = np.linspace(-1.0, 1.0, 33), np.linspace(2.0, 3.0, 33)
    want = y.copy(); mod._polyray_original_damped_axpy(np.float64(1.5), x, want)
    mod.damped_axpy(np.float64(1.5), x, y)
    rec = rt.history()[-1]
    out.append({{"variant": rec["variant"], "same": y.tobytes() == want.tobytes(), "reason": rec.get("reason", "")}})
print(json.dumps(out))
"""


def test_numpy_scalar_and_constant_in_a_gpu_kernel_under_the_simulator(tmp_path):
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = GPU_SCRIPT.format(test_dir=str(ROOT / "test/python"), source=str(ROOT / "test/kernels/everyday/gpu_forms.py"), out=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    compiled, rebound = json.loads(proc.stdout.strip().splitlines()[-1])
    assert compiled["variant"] == "gpu" and compiled["same"], compiled
    # the constant rebound after compiling: the original, with the new value
    assert rebound["variant"] == "original" and rebound["same"] and "module constant DAMPING is 0.25" in rebound["reason"], rebound
