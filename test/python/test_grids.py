"""np.mgrid with integer slices (types/grids.ts, array_helpers.mgrid), compiled in both numerics modes:
coordinate grids unpacked into names as people write them (`Xi, Yi = np.mgrid[0:n, 0:m]`), a stencil
weight from them, one slice (np.arange's rules), three slices, steps of either sign; bad inputs: a
negative extent with several slices (ValueError in NumPy and in the variant), a wrong number of names."""
from __future__ import annotations

import textwrap

import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np


    def gaussian_weights(n: int, m: int, h: float):
        Xi, Yi = np.mgrid[0:n, 0:m]
        cx, cy = (n - 1) / 2, (m - 1) / 2
        r2 = ((Xi - cx) * h) * ((Xi - cx) * h) + ((Yi - cy) * h) * ((Yi - cy) * h)
        return r2 / (1.0 + r2), Xi + Yi


    def odd_points(n: int):
        k = np.mgrid[1:n:2]
        return k * k


    def countdown(n: int):
        return np.mgrid[n:-n:-3]


    def cube(n: int, s: int):
        i, j, k = np.mgrid[0:n, 1:n + 1:s, -n:0]
        return i * 100 + j * 10 + k


    def three_names(n: int):
        a, b, c = np.mgrid[0:n, 0:n]
        return a + b + c
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"grids_{request.param}")
    src = d / "grid_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"grid_kernels_{request.param}", "--numerics", request.param)


@pytest.mark.parametrize("n,m", [(5, 7), (1, 1), (0, 3), (4, 0)])
def test_coordinate_grids(mod, monkeypatch, n, m):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "gaussian_weights", n, m, 0.25).variant == "cpu"


@pytest.mark.parametrize("n", [0, 1, 2, 9, -4])
def test_one_slice_is_arange(mod, monkeypatch, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "odd_points", n).variant == "cpu"
    assert run_both(mod, "countdown", n).variant == "cpu"


@pytest.mark.parametrize("n,s", [(3, 1), (4, 2), (2, 5), (0, 1)])
def test_three_slices(mod, monkeypatch, n, s):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "cube", n, s).variant == "cpu"


def test_bad_inputs(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # several slices with a negative extent: NumPy's np.indices refuses it
    assert run_both(mod, "cube", -2, 1).status == "ValueError"
    # three names for a grid of two coordinates: CPython's ValueError before any name is bound
    ran = run_both(mod, "three_names", 3)
    assert ran.status == "ValueError" and ran.variant == "cpu"


def test_zero_step(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "cube", 3, 0).status == "ZeroDivisionError"
