"""np.count_nonzero(a) over the whole array (bench/everyday's monte_carlo_pi counts the points inside the circle
with it): an exact NumPy int64 in both numerics modes; along an axis (an array in NumPy) it stays refused.
Original vs cpu variant, NaN, -0.0, complex and empty arrays included."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def pi_estimate(xy: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    inside = xy[:, 0] * xy[:, 0] + xy[:, 1] * xy[:, 1] <= 1.0
    return 4.0 * np.count_nonzero(inside) / xy.shape[0]


def nonzero_cells(grid: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.count_nonzero(grid)


def live(cells: np.ndarray[tuple[int], np.dtype[np.int64]], z: np.ndarray[tuple[int], np.dtype[np.complex128]]):
    return np.count_nonzero(cells) + np.count_nonzero(z)


def per_row(grid: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.count_nonzero(grid, axis=1)
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"count_nonzero_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"count_nonzero_{request.param}", "--numerics", request.param, "--targets", "cpu")
    assert "_polyray_cpu_per_row" not in Path(m.__file__).read_text()  # axis=: refused
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_counts_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(12)
    run_both(mod, "pi_estimate", rng.random((5000, 2)))
    assert variant("pi_estimate") == "cpu"
    g = rng.standard_normal((30, 20))
    g[g < 0.5] = 0.0
    g[0, :3] = [np.nan, -0.0, np.inf]
    run_both(mod, "nonzero_cells", g)  # a NumPy int64, as NumPy returns it
    run_both(mod, "nonzero_cells", np.asfortranarray(g)[:, ::3])
    assert variant("nonzero_cells") == "cpu"
    run_both(mod, "live", rng.integers(0, 2, 50), np.array([0j, 1j, -0.0 + 0j, 2 + 0j]))
    assert variant("live") == "cpu"


def test_empty_and_bad_inputs(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    run_both(mod, "nonzero_cells", np.zeros((0, 5)))
    # no point at all: NumPy's float64 0.0 / 0 is nan (a warning), not an exception
    run_both(mod, "pi_estimate", np.zeros((0, 2)))
    assert run_both(mod, "pi_estimate", np.zeros((3, 1)), messages=False).status == "IndexError"
    assert mod.per_row(np.eye(3)).tolist() == [1, 1, 1]
