"""np.bincount of any integer dtype NumPy casts safely to intp (bench/everyday's equalize counts an 8-bit image's
pixels): int8 to int64 and uint8 to uint32, through array_helpers.bincount (NumPy's ValueError for a negative
value, checked before counting). Original vs cpu variant in both numerics modes; uint64 stays refused."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def pixel_counts(img: np.ndarray[tuple[int], np.dtype[np.uint8]]):
    hist = np.bincount(img, minlength=256)
    return np.cumsum(hist)


def small_counts(x: np.ndarray[tuple[int], np.dtype[np.int8]], n: int):
    return np.bincount(x, minlength=n)


def weighted(x: np.ndarray[tuple[int], np.dtype[np.int32]], w: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.bincount(x, weights=w)


def wide(x: np.ndarray[tuple[int], np.dtype[np.uint64]]):
    return np.bincount(x)
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"bincount_dtypes_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"bincount_dtypes_{request.param}", "--numerics", request.param, "--targets", "cpu")
    text = Path(m.__file__).read_text()
    assert "_polyray_cpu_pixel_counts" in text and "_polyray_cpu_wide" not in text
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_counts_of_narrow_integers(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(8)
    run_both(mod, "pixel_counts", (rng.random(5000) ** 2 * 255).astype(np.uint8))
    assert variant("pixel_counts") == "cpu"
    run_both(mod, "small_counts", rng.integers(0, 127, 300).astype(np.int8), 4)
    assert variant("small_counts") == "cpu"
    run_both(mod, "weighted", rng.integers(0, 40, 300).astype(np.int32), rng.random(300))
    assert variant("weighted") == "cpu"
    run_both(mod, "pixel_counts", np.zeros(0, dtype=np.uint8))


def test_bad_inputs_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array([3, 1, -2, 5], dtype=np.int8)
    assert run_both(mod, "small_counts", x, 4).status == "ValueError"
    assert run_both(mod, "small_counts", np.array([1, 2], dtype=np.int8), -1, messages=False).status == "ValueError"
    ran = run_both(mod, "weighted", np.array([0, 1, 2], dtype=np.int32), np.ones(2), messages=False)
    assert ran.status == "ValueError"
    # uint64: the function as written (no variant)
    assert mod.wide(np.array([1, 2], dtype=np.uint64)).tolist() == [0, 1, 1]
