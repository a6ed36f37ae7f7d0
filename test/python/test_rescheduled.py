"""Kernels the CPU variant runs in an isl schedule (interchange, wavefront), in exact mode:
results equal the original's, bit for bit, and the variant that ran is cpu."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test/kernels/extra/wavefronts.py"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    d = tmp_path_factory.mktemp("wavefronts")
    # exact mode: bit for bit is what these schedules promise (close mode sums column_sum in row blocks
    # instead: test_array_sums.py)
    module = compile_and_import(SOURCE, d, "wavefronts_compiled", "--numerics", "exact", "--report", str(d / "report.json"))
    return module, json.loads((d / "report.json").read_text()), (d / "wavefronts_compiled.py").read_text()


def report_of(report, name):
    return next(f for f in report["functions"] if f["name"] == name)


@pytest.mark.parametrize("n,m", [(0, 0), (1, 1), (1, 7), (7, 1), (13, 29), (64, 48)])
def test_lcs_table_wavefront(compiled, n, m):
    mod, report, _ = compiled
    assert "wavefront" in " ".join(report_of(report, "lcs_table")["transformations"])
    rng = np.random.default_rng(n * 100 + m)
    a, b = rng.integers(0, 4, n), rng.integers(0, 4, m)
    L1 = np.zeros((n + 1, m + 1), dtype=np.int64)
    L2 = L1.copy()
    rt.clear_history()
    mod.lcs_table(a, b, L1, n, m)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    mod._polyray_original_lcs_table(a, b, L2, n, m)
    np.testing.assert_array_equal(L1, L2)


@pytest.mark.parametrize("n,m", [(0, 5), (1, 1), (9, 17), (100, 33)])
def test_column_sum_interchanged(compiled, n, m):
    mod, report, text = compiled
    assert "interchanged" in " ".join(report_of(report, "column_sum")["transformations"])
    A = np.random.default_rng(n + m).random((n, m))
    s1, s2 = np.zeros(m), np.zeros(m)
    mod.column_sum(A, s1, n, m)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_column_sum(A, s2, n, m)
    np.testing.assert_array_equal(s1, s2)


@pytest.mark.parametrize("t,n", [(0, 5), (1, 3), (4, 10), (9, 57)])
def test_seidel_1d_wavefront(compiled, t, n):
    mod, _, _ = compiled
    x1 = np.random.default_rng(t + n).random(n)
    x2 = x1.copy()
    mod.seidel_1d_sweeps(x1, t, n)
    assert rt.history()[-1]["variant"] == "cpu"
    mod._polyray_original_seidel_1d_sweeps(x2, t, n)
    np.testing.assert_array_equal(x1, x2)


def test_out_of_bounds_sizes_run_the_original(compiled):
    mod, _, _ = compiled
    A = np.ones((3, 4))
    s1, s2 = np.zeros(4), np.zeros(4)
    with pytest.raises(IndexError):
        mod.column_sum(A, s1, 5, 4)
    assert rt.history()[-1]["variant"] == "original"
    with pytest.raises(IndexError):
        mod._polyray_original_column_sum(A, s2, 5, 4)
    np.testing.assert_array_equal(s1, s2)
