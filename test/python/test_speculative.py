"""Speculative prange (parallel-plan.ts SPECULABLE_HELPERS, CpuVariant rollback): a parallel
loop whose math call may raise on some data runs in parallel anyway; where CPython would
raise, the variant flags it, restores every array it wrote, and the original runs and raises
exactly as Python does, partial writes included. The serial form (one thread, Python's order)
raises itself, as the sequential loop does (CpuVariant serial_raises)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import, cpu_body, outcome

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/speculative.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("speculative"), "speculative_compiled", "--targets", "cpu")


def test_the_loop_is_a_prange_loop_that_numba_really_parallelizes(mod, monkeypatch):
    from numba.core.errors import NumbaPerformanceWarning

    body = cpu_body(mod, "roots")
    assert "_polyray_prange(" in body and "_polyray_h_spec_sqrt(x[i], _polyray_fail)" in body
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")  # the parallel form even for small arrays
    x, y = np.arange(64.0), np.zeros(64)
    with warnings.catch_warnings():
        # Numba warns (and runs sequentially) when a prange body has a second exit such as a raise
        warnings.simplefilter("error", NumbaPerformanceWarning)
        mod.roots(64, x, y)
    assert rt.history()[-1]["variant"] == "cpu" and rt.history()[-1]["form"] == "parallel"
    np.testing.assert_array_equal(y, np.sqrt(x) + 1.0)


def test_the_serial_form_is_the_plain_raising_loop(mod):
    """The serial form runs in Python's order: its math raises as Python's does, so it takes no flag (issue 18)."""
    text = Path(mod.__file__).read_text()
    seq = text.split("def _polyray_seq_roots")[1].split("_polyray_dispatch_roots")[0]
    assert seq.startswith("(n, x, y):") and "_polyray_fail" not in seq and "spec_" not in seq
    assert "_polyray_h_sqrt(x[i])" in seq
    assert "rollback=(2,), serial=_polyray_seq_roots, serial_raises=True" in text


def test_serial_raises_needs_a_speculative_variant_and_its_serial_form():
    def f(x, _polyray_fail):
        x[0] = 1.0

    def g(x):
        x[0] = 1.0

    with pytest.raises(TypeError, match="serial_raises must be a bool"):
        rt.CpuVariant(f, parallel=True, rollback=(0,), serial=g, serial_raises=1)
    with pytest.raises(ValueError, match="needs rollback="):
        rt.CpuVariant(g, parallel=True, serial=g, serial_raises=True)
    with pytest.raises(ValueError, match="serial= \\(its raising form\\)"):
        rt.CpuVariant(f, parallel=True, rollback=(0,), serial_raises=True)
    v = rt.CpuVariant(f, parallel=True, rollback=(0,), serial=g, serial_raises=True)
    assert v.takes_flag("parallel") and not v.takes_flag("serial")
    assert rt.CpuVariant(f, parallel=True, rollback=(0,)).takes_flag("serial")


def test_the_parallel_form_rolls_back(mod, monkeypatch):
    """The parallel form flags, restores its written arrays, and the original raises."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_SERIAL_BELOW_BYTES", "0")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")  # (the form trials run the serial form first: cpu.FORM_ORDER)
    x = np.arange(256.0)
    mod.roots(256, x, np.zeros(256))
    assert rt.history()[-1]["form"] == "parallel"
    x[100] = -1.0
    y1, y2 = np.zeros(256), np.zeros(256)
    assert outcome(mod.roots, 256, x, y1) == outcome(mod._polyray_original_roots, 256, x, y2)
    np.testing.assert_array_equal(y1, y2)
    rec = rt.history()[-1]
    assert rec["variant"] == "original" and "restored" in rec["reason"]


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("bad", [0, 17, 63])
def test_a_would_be_exception_is_pythons_in_both_forms(mod, monkeypatch, form, bad):
    """A raise in the first, a middle and the last iteration: Python's exception and Python's writes before it.
    The parallel form restores its arrays and the original raises; the serial form raises itself."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    x = np.arange(64.0)
    x[bad] = -0.5
    y1, y2 = np.full(64, -7.0), np.full(64, -7.0)
    got = outcome(mod.roots, 64, x, y1)
    want = outcome(mod._polyray_original_roots, 64, x, y2)
    assert got == want == ("ValueError", "math domain error")
    # the partial writes are Python's: rows before `bad` written, the rest untouched
    np.testing.assert_array_equal(y1, y2)
    assert (y1[:bad] >= 1.0).all() and (y1[bad:] == -7.0).all()
    rec = rt.history()[-1]
    if form == "parallel":
        assert rec["variant"] == "original" and "restored" in rec["reason"]
    else:
        assert rec["variant"] == "cpu" and rec["error"] == "ValueError"
    # data-dependent: the next call with good data runs the variant again
    x[bad] = 1.0
    mod.roots(64, x, y1)
    assert rt.history()[-1]["variant"] == "cpu" and rt.history()[-1]["form"] == form
    np.testing.assert_array_equal(y1, np.sqrt(x) + 1.0)


def test_nan_and_negative_zero_do_not_raise(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array([np.nan, -0.0, 4.0, np.inf])
    y1, y2 = np.zeros(4), np.zeros(4)
    mod.roots(4, x, y1)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_roots(4, x, y2)
    np.testing.assert_array_equal(np.signbit(y1), np.signbit(y2))
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("x0,d", [(1.0, 2.0), (1.0, 0.0), (0.0, 2.0), (0.0, 0.0), (-1.0, 0.0)])
def test_an_earlier_flagged_loop_wins_over_a_later_exception(mod, monkeypatch, x0, d, form):
    """log(0) raises before 1.0 / 0.0 does: the variant's later ZeroDivisionError must not surface."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    x = np.full((6, 6), 3.0)
    x[4, 2] = x0
    y1, y2 = np.full((6, 6), -1.0), np.full((6, 6), -1.0)
    got = outcome(mod.logs_then_scale, 6, x, y1, d)
    want = outcome(mod._polyray_original_logs_then_scale, 6, x, y2, d)
    assert got == want
    np.testing.assert_array_equal(y1, y2)
    if x0 > 0 and d != 0.0:
        assert rt.history()[-1]["variant"] == "cpu"


def test_report_says_speculative_and_how_the_gpu_variant_flags(tmp_path):
    import json
    import subprocess

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(["node", str(root / "bin/polyray.mjs"), "explain", str(SOURCE), "--json"], capture_output=True, text=True, check=True, cwd=root)
    fns = {f["name"]: f for f in json.loads(out.stdout)["functions"]}
    loop = fns["roots"]["loops"][0]
    assert loop["parallel"] and "speculatively" in loop["reason"]
    assert any("speculative prange" in t for t in fns["roots"]["transformations"])
    # the GPU variant flags too (run under the simulator in test_lowered_slices.py)
    assert any("math calls that may raise flag instead" in t for t in fns["roots"]["transformations"])


TRIANGLE = '''\
import math

import numpy as np
import numpy.typing as npt


def tri_logs(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        for j in range(i, n):
            y[i, j] = math.log(x[i, j])
'''


@pytest.fixture(scope="module")
def triangle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("triangle")
    (folder / "triangle.py").write_text(TRIANGLE)
    return compile_and_import(folder / "triangle.py", folder, "triangle_compiled", "--targets", "cpu")


@pytest.mark.parametrize("form", ["parallel", "serial"])
def test_a_triangular_loop_raises_at_pythons_first_bad_row(triangle, monkeypatch, form):
    """The parallel form runs a triangular prange loop's rows in a balanced order (0, n-1, 1, n-2, ...); the
    raising serial form must run them in Python's order, or row n-1 would be written before row 1 raises."""
    text = Path(triangle.__file__).read_text()
    seq = text.split("def _polyray_seq_tri_logs")[1].split("_polyray_dispatch_tri_logs")[0]
    assert " // 2 if " in cpu_body(triangle, "tri_logs") and " // 2 if " not in seq and "_polyray_fail" not in seq
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    n = 8
    x = np.full((n, n), 2.0)
    x[1, 3] = -1.0
    y1, y2 = np.zeros((n, n)), np.zeros((n, n))
    assert outcome(triangle.tri_logs, n, x, y1) == outcome(triangle._polyray_original_tri_logs, n, x, y2) == ("ValueError", "math domain error")
    np.testing.assert_array_equal(y1, y2)
    assert rt.history()[-1]["variant"] == ("original" if form == "parallel" else "cpu")
