"""`X[mask]` with a 1-d boolean mask on a 2-d array: the rows where it is true (bench/everyday's kmeans_update,
`members = X[labels == j]`, was refused). index_helpers.mask_rows checks the mask's length as NumPy does
(IndexError; an empty mask selects no row) and copies the rows. Original vs cpu variant in both numerics
modes, bad inputs included; a store through such a mask stays refused, and there is no GPU form."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def cluster(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], labels: np.ndarray[tuple[int], np.dtype[np.int64]], j: int):
    return X[labels == j]


def scaled_kept(X: np.ndarray[tuple[int, int], np.dtype[np.int64]], keep: np.ndarray[tuple[int], np.dtype[np.bool_]]):
    rows = X[keep]
    n, m = rows.shape
    return rows * 2 + n


def kmeans_update(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], labels: np.ndarray[tuple[int], np.dtype[np.int64]], k: int):
    centers = np.zeros((k, X.shape[1]))
    for j in range(k):
        members = X[labels == j]
        if members.shape[0] > 0:
            centers[j] = members.mean(axis=0)
    return centers


def zero_rows(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], m: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> None:
    X[m] = 0.0
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"mask_rows_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"mask_rows_{request.param}", "--numerics", request.param, "--targets", "cpu,gpu")
    text = Path(m.__file__).read_text()
    assert "_polyray_h_mask_rows(" in text and "_polyray_gpu_" not in text
    assert "_polyray_cpu_zero_rows" not in text  # a store through a row mask is refused
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_rows_selected_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 3))
    labels = rng.integers(0, 5, 200)
    for j in (0, 3, 7):  # 7: no member, a (0, 3) result
        run_both(mod, "cluster", X, labels, j)
        assert variant("cluster") == "cpu"
    run_both(mod, "cluster", np.asfortranarray(X), labels, 1)
    run_both(mod, "scaled_kept", rng.integers(-50, 50, (30, 4)), rng.random(30) < 0.4)
    assert variant("scaled_kept") == "cpu"
    if "_polyray_cpu_kmeans_update" in Path(mod.__file__).read_text():  # close mode (a mean along an axis)
        rt.clear_history()
        got = mod.kmeans_update(X, labels, 6)
        want = mod._polyray_original_kmeans_update(X, labels, 6)
        assert variant("kmeans_update") == "cpu"
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_bad_masks_raise_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    X = np.arange(15.0).reshape(5, 3)
    for labels in (np.zeros(4, dtype=np.int64), np.zeros(6, dtype=np.int64)):
        ran = run_both(mod, "cluster", X, labels, 0, loose_messages=("IndexError",))
        assert ran.status == "IndexError"
    # an empty mask selects no row of any array, as NumPy's does
    run_both(mod, "cluster", X, np.zeros(0, dtype=np.int64), 0)
    run_both(mod, "cluster", np.zeros((0, 3)), np.zeros(0, dtype=np.int64), 0)
    ran = run_both(mod, "scaled_kept", np.ones((3, 2), dtype=np.int64), np.ones(2, dtype=bool), loose_messages=("IndexError",))
    assert ran.status == "IndexError"
