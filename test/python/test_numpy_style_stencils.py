"""NPBench's NumPy stencils (negative and omitted slice bounds inside the time loop,
test/kernels/numpy_style/npbench_stencils.py): the report calls the time loops sequential
and the implicit loops parallel; under `cpu` and `auto` the CPU variant runs (history says
cpu) and writes the same bits as the original; arrays too small for the stencil too."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compile_and_import

SOURCE = ROOT / "test/kernels/numpy_style/npbench_stencils.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("numpy_style"), "numpy_style_compiled", "--targets", "cpu")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("numpy_style_report")
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(SOURCE), "-o", str(out / "m.py"), "--report", str(out / "r.json")], check=True, cwd=ROOT)
    return {f["name"]: f for f in json.loads((out / "r.json").read_text())["functions"]}


def loop_verdicts(fn_report):
    return {l["var"]: l["parallel"] for l in fn_report["loops"]}


@pytest.mark.parametrize("name", ["jacobi_1d", "jacobi_2d", "heat_3d", "fdtd_2d", "seidel_2d"])
def test_time_loop_sequential(report, name):
    verdicts = loop_verdicts(report[name])
    assert verdicts["t"] is False, verdicts
    if name == "seidel_2d":
        assert verdicts == {"t": False, "i": False, "j": False}
    else:
        # the space loops are the implicit loops of the slice statements: lowered, run as prange
        text = json.dumps(report[name])
        assert "implicit loops run as prange" in text, text


def args_for(name, rng, n):
    if name == "jacobi_1d":
        return (5, rng.standard_normal(n), rng.standard_normal(n))
    if name == "jacobi_2d":
        return (4, rng.standard_normal((n, n)), rng.standard_normal((n, n)))
    if name == "heat_3d":
        return (3, rng.standard_normal((n, n, n)), rng.standard_normal((n, n, n)))
    if name == "fdtd_2d":
        return (4, rng.standard_normal((n, n + 1)), rng.standard_normal((n, n + 1)), rng.standard_normal((n, n + 1)), rng.standard_normal(4))
    return (3, n, rng.standard_normal((n, n)))


def copies(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


@pytest.mark.parametrize("target", ["cpu", "auto"])
@pytest.mark.parametrize("name", ["jacobi_1d", "jacobi_2d", "heat_3d", "fdtd_2d", "seidel_2d"])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_matches_original_bit_for_bit(mod, monkeypatch, target, name, n):
    monkeypatch.setenv("POLYRAY_TARGET", target)
    rng = np.random.default_rng(n * 7 + len(name))
    args = args_for(name, rng, n)
    mine, theirs = copies(args), copies(args)
    try:
        getattr(mod, f"_polyray_original_{name}")(*theirs)
        want = None
    except Exception as exc:  # noqa: BLE001 - compared below
        want = type(exc)
    try:
        getattr(mod, name)(*mine)
        got = None
    except Exception as exc:  # noqa: BLE001
        got = type(exc)
    assert got == want
    for a, b in zip(mine, theirs):
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes()
    if want is None:
        rec = rt.history()[-1]
        assert rec["variant"] == "cpu", rec
