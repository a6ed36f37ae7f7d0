"""Every reproducer in test/regressions/ (one program per file, minimized by the fuzzer,
test/fuzz/run.py): compiled for all targets, then for each case in its POLYRAY_CASES
(function name, arguments, variants) the original and each listed variant (forced by
POLYRAY_TARGET, when the function has it) on copies of the same arguments must give the
same result or exception and leave every array argument bit for bit the same.

Fuzzer findings that the compiler does not handle yet are kept in test/fuzz/findings/
(same format) and move here once fixed."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/fuzz"))

import run as fuzz  # noqa: E402
from compiled import compile_and_import, compile_service  # noqa: E402,F401 - compile_service: a fixture

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
    if isinstance(value, dict) and "scalar" in value:
        return np.dtype(value["dtype"]).type(value["scalar"])
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"], dtype=value.get("dtype", "float64")).reshape(value["shape"])
    return value


@pytest.mark.skipif(not FILES, reason="no regression reproducers yet")
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_regression(path, compile_service, tmp_path):
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    out = tmp_path
    # `polyray compile`'s module, from one compile service for the whole file (a Node start per file cost more)
    module = compile_and_import(path, out, f"regr_{path.stem}", service=compile_service)
    diffs = differences(path, module)
    assert not diffs, "\n".join(diffs)


def differences(path: Path, module, targets: tuple[str, ...] | None = None) -> list[str]:
    """Each case of ``path``'s POLYRAY_CASES through ``module`` (its compiled form) under each listed
    variant (or ``targets``) against the original; what differs, one line per call."""
    originals = {}
    exec(compile(path.read_text(), str(path), "exec"), originals)
    diffs = []
    try:
        for name, raw_args, variants in cases_of(path):
            fn = originals[name]
            params = list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
            spec = fuzz.gen.FunctionSpec(name, [fuzz.gen.Param(p, "array" if isinstance(raw_args[p], dict) else "scalar") for p in params], False, None)
            args = {k: build(v) for k, v in raw_args.items()}
            ref = fuzz.copy_args(args)
            want = fuzz.call(fn, spec, ref)
            for variant in targets or variants:
                os.environ["POLYRAY_TARGET"] = variant
                mine = fuzz.copy_args(args)
                got = fuzz.call(getattr(module, name), spec, mine)
                diff = fuzz.compare(spec, want, got, ref, mine)
                if diff is not None:
                    diffs.append(f"{path.name} {name} POLYRAY_TARGET={variant} (ran {rt.history()[-1]['variant'] if rt.history() else 'original'}): {diff}")
    finally:
        os.environ.pop("POLYRAY_TARGET", None)
    return diffs


# Runs in a fresh process (argv: a JSON list of [reproducer, compiled file, module name]):
# imports each compiled file under the name given (spec_from_file_location) and runs the
# reproducer's cases under cpu and auto; prints what differs.
RELOAD_CHILD = """
import importlib.util, json, sys
sys.path.insert(0, {here!r})
import test_regressions as tr
diffs = []
for source, compiled, name in json.loads(sys.argv[1]):
    spec = importlib.util.spec_from_file_location(name, compiled)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    diffs += tr.differences(tr.Path(source), module, ("cpu", "auto"))
print("DIFFS " + json.dumps(diffs))
"""


@pytest.mark.skipif(not FILES, reason="no regression reproducers yet")
def test_regressions_under_other_module_names_and_folders(tmp_path):
    """Issue 15 item 3: every reproducer compiled once, run in a fresh process as ``regr_a_*``
    (which fills Numba's on-disk cache), then, in another fresh process, imported again from
    the same folder as ``regr_b_*`` and from a copy of the folder (cache entries copied, times
    kept) as ``regr_a_*``: the cache used to hand ``regr_b_*`` the first name's entries and the
    call died of ModuleNotFoundError. (test_module_names.py covers more names, gpu and ray.)"""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    import shutil

    d1 = tmp_path / "d1"
    d1.mkdir()
    compiler = fuzz.Compiler()  # one compile service for all the files (a Node start each would cost more)
    try:
        for path in FILES:
            reply = compiler.compile(path.read_text(), path.name)
            assert reply.get("ok"), reply
            (d1 / f"{path.stem}.py").write_text(reply["module"])
    finally:
        compiler.close()

    def fresh(loads):
        env = dict(os.environ)
        env.pop("NUMBA_CACHE_DIR", None)  # the cache next to the files, copied with them
        env.pop("NUMBA_ENABLE_CUDASIM", None)
        env.pop("POLYRAY_TARGET", None)
        code = RELOAD_CHILD.format(here=str(Path(__file__).resolve().parent))
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(loads)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("DIFFS ")), None)
        assert proc.returncode == 0 and line is not None, (proc.stdout + proc.stderr)[-4000:]
        return json.loads(line[len("DIFFS "):])

    def loads(folder, prefix):
        return [[str(p), str(folder / f"{p.stem}.py"), f"{prefix}_{p.stem}"] for p in FILES]

    assert fresh(loads(d1, "regr_a")) == []
    assert list((d1 / "__pycache__").glob("*.nbi")), "the first process cached nothing"
    shutil.copytree(d1, tmp_path / "d2")
    # another name in the first folder (no entry of its own: compiled, the first name's entries
    # left alone), and the first name in the copied folder (its copied entries load)
    assert fresh(loads(d1, "regr_b") + loads(tmp_path / "d2", "regr_a")) == []


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
