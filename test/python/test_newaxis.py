"""`None` / `np.newaxis` in subscripts inside loops (test/kernels/numpy_style/newaxis.py): the
checker gives the new dimension of length 1 its rank, the functions are compiled, and the CPU
variant gives NumPy's results, broadcasting and exceptions (shapes that fit and shapes that
do not), bit for bit."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/numpy_style/newaxis.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("newaxis"), "newaxis_compiled", "--targets", "cpu")


def run_both(mod, name, *args):
    return compare(mod, name, *args, messages=False).status


def test_compiled_with_a_cpu_variant(mod):
    for name in ("outer_steps", "row_bias", "rows_from_vector", "column_from_last"):
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("na,nb,shape", [(3, 4, (3, 4)), (1, 4, (1, 4)), (3, 1, (3, 4)), (2, 2, (3, 2)), (0, 3, (0, 3))])
def test_outer_steps(mod, monkeypatch, na, nb, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(na * 10 + nb)
    status = run_both(mod, "outer_steps", rng.standard_normal(na), rng.standard_normal(nb), rng.standard_normal(shape), 3)
    if status == "ok":
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


@pytest.mark.parametrize("shape,nbias", [((4, 3), 3), ((2, 3), 3), ((1, 3), 3), ((4, 3), 1), ((4, 3), 2)])
def test_row_bias(mod, monkeypatch, shape, nbias):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(nbias)
    status = run_both(mod, "row_bias", rng.standard_normal(shape), rng.standard_normal(nbias), 2)
    if status == "ok":
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


@pytest.mark.parametrize("shape,nx,n", [((3, 4), 4, 3), ((3, 4), 4, 5), ((3, 4), 1, 2), ((3, 4), 3, 2)])
@pytest.mark.parametrize("target", ["cpu", "auto"])
def test_rows_and_columns(mod, monkeypatch, shape, nx, n, target):
    monkeypatch.setenv("POLYRAY_TARGET", target)
    rng = np.random.default_rng(nx + n)
    status = run_both(mod, "rows_from_vector", rng.standard_normal(shape), rng.standard_normal(nx), n)
    if status == "ok":
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    run_both(mod, "column_from_last", rng.standard_normal(shape), rng.standard_normal(nx), n)


@pytest.mark.parametrize("na,shape,n", [(9, (3, 3), 1), (3, (3, 3), 2), (3, (5, 3), 4), (1, (2, 3), 1)])
@pytest.mark.parametrize("form", ["parallel", "serial"])
def test_beside_a_lowered_statement(mod, monkeypatch, na, shape, n, form):
    """Regression 016 in both CPU forms: NumPy's ValueError, never Numba's parallel-mode AssertionError."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    assert "_polyray_prange" not in Path(mod.__file__).read_text().split("def _polyray_cpu_beside_lowered")[1].split("\ndef ")[0]
    rng = np.random.default_rng(na)
    run_both(mod, "beside_lowered", rng.standard_normal(na), n, rng.standard_normal(shape))
