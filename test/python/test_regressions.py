"""Every reproducer in test/regressions/ (one program per file, minimized by the fuzzer,
test/fuzz/run.py): compiled for all targets, then for each case in its POLYRAY_CASES
(function name, arguments, variants) the original and each listed variant (forced by
POLYRAY_TARGET, when the function has it) on copies of the same arguments must give the
same result or exception and leave every array argument bit for bit the same.

Fuzzer findings that the compiler does not handle yet are kept in test/fuzz/findings/
(same format) and move here once fixed."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/fuzz"))

import run as fuzz  # noqa: E402

FILES = sorted((ROOT / "test/regressions").glob("[0-9][0-9][0-9]_*.py"))
SIM = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


def cases_of(path: Path):
    """POLYRAY_CASES, read without running the file (it is a literal)."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "POLYRAY_CASES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name}: no POLYRAY_CASES")


def build(value):
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"], dtype=value.get("dtype", "float64")).reshape(value["shape"])
    return value


@pytest.mark.skipif(not FILES, reason="no regression reproducers yet")
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_regression(path, monkeypatch):
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    from compiled import compile_and_import

    out = Path(tempfile.mkdtemp(prefix="polyray-regr-"))
    module = compile_and_import(path, out, f"regr_{path.stem}")
    originals = {}
    exec(compile(path.read_text(), str(path), "exec"), originals)
    for name, raw_args, variants in cases_of(path):
        fn = originals[name]
        params = list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
        spec = fuzz.gen.FunctionSpec(name, [fuzz.gen.Param(p, "array" if isinstance(raw_args[p], dict) else "scalar") for p in params], False, None)
        args = {k: build(v) for k, v in raw_args.items()}
        ref = fuzz.copy_args(args)
        want = fuzz.call(fn, spec, ref)
        for variant in variants:
            monkeypatch.setenv("POLYRAY_TARGET", variant)
            mine = fuzz.copy_args(args)
            got = fuzz.call(getattr(module, name), spec, mine)
            diff = fuzz.compare(spec, want, got, ref, mine)
            assert diff is None, f"{path.name} {name} POLYRAY_TARGET={variant} (ran {rt.history()[-1]['variant'] if rt.history() else 'original'}): {diff}"


def test_gpu_regressions_under_the_cuda_simulator():
    """Reproducers with gpu cases again, in a process where numba.cuda is the simulator
    (elsewhere a forced gpu falls back to the original, which checks nothing)."""
    if SIM:
        pytest.skip("already inside the simulator run")
    gpu = [p.stem for p in FILES if any("gpu" in variants for _, _, variants in cases_of(p))]
    if not gpu:
        pytest.skip("no reproducer has a gpu case")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("POLYRAY_TARGET", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", " or ".join(gpu)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and f"{len(gpu)} passed" in out, out[-4000:]
