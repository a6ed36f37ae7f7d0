"""Slice statements inside loops are modelled element by element (the implicit
loops of NumPy operators): loops over rows are proven parallel; NumPy's clipping
and negative bounds keep their meaning because the guard sends such calls to the original."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/slices.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("slices"), "slices_compiled", "--targets", "cpu")


@pytest.mark.parametrize("n,m", [(0, 3), (1, 1), (5, 7), (40, 3)])
def test_rows_run_in_parallel_and_match(mod, n, m):
    rng = np.random.default_rng(n * 10 + m)
    A = rng.random((n, m))
    C1, C2 = rng.random((n, m)), None
    C2 = C1.copy()
    mod.rows(C1, A, n, 0.5)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_rows(C2, A, n, 0.5)
    np.testing.assert_array_equal(C1, C2)
    # Proven parallel; the slice statements run as element loops, so the CPU variant uses prange
    assert "_polyray_prange(" in Path(mod.__file__).read_text().split("def _polyray_cpu_rows")[1].split("_polyray_dispatch_rows")[0]


def test_clipped_and_out_of_range_rows_behave_like_numpy(mod):
    A = np.ones((3, 4))
    C1, C2 = np.zeros((3, 4)), np.zeros((3, 4))
    with pytest.raises(IndexError):
        mod.rows(C1, A, 5, 2.0)
    with pytest.raises(IndexError):
        mod._polyray_original_rows(C2, A, 5, 2.0)
    np.testing.assert_array_equal(C1, C2)


def test_shift_is_sequential_and_matches(mod):
    x1 = np.arange(8.0)
    x2 = x1.copy()
    mod.shift(x1, 8)
    mod._polyray_original_shift(x2, 8)
    np.testing.assert_array_equal(x1, x2)


@pytest.mark.parametrize("k", [0, 2, -2, 9])
def test_negative_and_large_slice_bounds(mod, k):
    x = np.arange(12.0).reshape(3, 4)
    y1, y2 = np.zeros((3, 4)), np.zeros((3, 4))
    mod.negative_window(x, y1, 3, k)
    mod._polyray_original_negative_window(x, y2, 3, k)
    np.testing.assert_array_equal(y1, y2)
