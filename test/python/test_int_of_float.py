"""int() of a float, as scientists find a bin or a cell (`cell = int(x[p] / dx)`; bench/everyday's
deposit_charge and weighted_histogram were refused for it): runtime/int_helpers.py's py_int truncates as
CPython does where |x| < 2**63, and leaves a NaN, an infinity or a float past int64 to the original
(CPython's ValueError/OverflowError, or its big int), the written arrays restored first. Original vs cpu
variant in both numerics modes, bad inputs included; no GPU form (the GPU variant is not made)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def cells(x: np.ndarray, dx: float, out: np.ndarray[tuple[int], np.dtype[np.int64]]) -> None:
    """Each position's cell, written into out (an argument: restored before the original reruns)."""
    n = x.shape[0]
    for i in range(n):
        out[i] = int(x[i] / dx)


def deposit(x: np.ndarray[tuple[int], np.dtype[np.float64]], q: np.ndarray[tuple[int], np.dtype[np.float64]], nx: int, dx: float):
    rho = np.zeros(nx)
    for p in range(x.shape[0]):
        cell = int(x[p] / dx)
        frac = x[p] / dx - cell
        rho[cell % nx] += q[p] * (1.0 - frac)
        rho[(cell + 1) % nx] += q[p] * frac
    return rho / dx


def histogram(values: np.ndarray[tuple[int], np.dtype[np.float32]], lo: float, hi: float, nbins: int):
    h = np.zeros(nbins, dtype=np.int64)
    width = (hi - lo) / nbins
    for v in values:
        b = int((v - lo) / width)
        if 0 <= b < nbins:
            h[b] += 1
    return h
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"int_of_float_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"int_of_float_{request.param}", "--numerics", request.param, "--targets", "cpu,gpu")
    text = Path(m.__file__).read_text()
    assert "_polyray_h_py_int(" in text and "undo=(2,)" in text and "_polyray_gpu_" not in text
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_truncation_as_cpython(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal(200) * 50.0, [-0.9, -0.0, 0.0, 0.99, -1.0, 4.6e18, -4.6e18]])
    run_both(mod, "cells", x, 0.5, np.zeros(x.size, dtype=np.int64))
    assert variant("cells") == "cpu"
    run_both(mod, "deposit", rng.random(5000) * 63.9, rng.random(5000), 64, 1.0)
    assert variant("deposit") == "cpu"
    run_both(mod, "histogram", rng.standard_normal(3000).astype(np.float32), -2.0, 2.0, 16)
    assert variant("histogram") == "cpu"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_raise_as_cpython_after_the_same_writes(mod, monkeypatch, bad):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array([1.0, 2.5, 3.5, bad, 7.0])
    # out[0..2] are written before CPython raises: the variant's writes are restored and the original's made
    ran = run_both(mod, "cells", x, 1.0, np.full(5, -7, dtype=np.int64))
    assert ran.status == ("ValueError" if bad != bad else "OverflowError")
    assert variant("cells") == "original"
    ran = run_both(mod, "deposit", x, np.ones(5), 8, 1.0)
    assert ran.status == ("ValueError" if bad != bad else "OverflowError")


def test_floats_past_int64_give_cpythons_big_int_result(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # int(1e30) is a big int in CPython: 1e30 // 1 % 64 is computed exactly by the original
    ran = run_both(mod, "deposit", np.array([1.5, 1e30, 2.5]), np.ones(3), 64, 1.0)
    assert ran.status == "ok" and variant("deposit") == "original"
    # a float32 value past int64 (3e19) in the histogram: out of the bins, no exception
    run_both(mod, "histogram", np.array([0.5, 3e19, -3e19, 1.0], dtype=np.float32), -2.0, 2.0, 4)
    # an int64 out array cannot take CPython's big int: OverflowError in both, out untouched by the variant
    ran = run_both(mod, "cells", np.array([1.0, 1e19]), 1.0, np.zeros(2, dtype=np.int64))
    assert ran.status == "OverflowError"


def test_zero_width_and_empty_inputs(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    run_both(mod, "cells", np.zeros(0), 1.0, np.zeros(0, dtype=np.int64))
    # dx = 0.0: x / 0.0 is NumPy's inf or nan (a float64 element), then int() raises as CPython
    ran = run_both(mod, "cells", np.array([1.0, 0.0]), 0.0, np.zeros(2, dtype=np.int64))
    assert ran.status == "OverflowError"
