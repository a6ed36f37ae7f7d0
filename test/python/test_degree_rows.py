"""np.radians / np.deg2rad (the NumPy table's exact rows: x * (pi/180) in NumPy and Numba alike), as a
great-circle distance writes them, re-binding its parameters (`lat1 = np.radians(lat1)`; bench/everyday's
haversine was refused for the missing rows). Original vs cpu variant in both numerics modes: bit for bit in
`exact` for the conversions themselves; the trigonometry after them is `ulp` (close mode only)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def to_radians(deg: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
    n, m = deg.shape
    out[:, :] = np.radians(deg)
    out[0, :] = np.deg2rad(deg[0, :] + 360.0)


def scaled(deg: np.ndarray[tuple[int], np.dtype[np.float32]], k: np.ndarray[tuple[int], np.dtype[np.int64]]):
    return np.radians(deg) * 2, np.deg2rad(k)


def angle(d: float) -> float:
    return np.radians(d)


def haversine(lat1: np.ndarray[tuple[int], np.dtype[np.float64]], lon1: np.ndarray[tuple[int], np.dtype[np.float64]],
              lat2: np.ndarray[tuple[int], np.dtype[np.float64]], lon2: np.ndarray[tuple[int], np.dtype[np.float64]]):
    lat1 = np.radians(lat1)
    lat2 = np.radians(lat2)
    dlat = lat2 - lat1
    dlon = np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"degrees_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    return compile_and_import(src, base, f"degree_rows_{request.param}", "--numerics", request.param, "--targets", "cpu")


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_conversions_bit_for_bit(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(11)
    deg = rng.standard_normal((40, 7)) * 720.0
    deg[3, 2], deg[5, 1], deg[7, 0] = np.nan, np.inf, -0.0
    run_both(mod, "to_radians", deg, np.zeros_like(deg))
    assert variant("to_radians") == "cpu"
    run_both(mod, "scaled", (rng.standard_normal(300) * 400).astype(np.float32), rng.integers(-1000, 1000, 300))
    assert variant("scaled") == "cpu"
    for d in (0.0, -0.0, 180.0, 1e308, float("nan")):
        run_both(mod, "angle", d, kinds=("float",))
    assert variant("angle") == "cpu"


def test_bad_inputs_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    deg = np.ones((3, 4))
    # an out of another shape: NumPy's ValueError from the broadcast store, before any write
    run_both(mod, "to_radians", deg, np.zeros((3, 5)), messages=False)
    run_both(mod, "to_radians", np.ones((0, 4)), np.zeros((0, 4)), loose_messages=("IndexError",))
    run_both(mod, "scaled", np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64))


def test_haversine_rebinding_its_parameters(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    args = (rng.random(500) * 180 - 90, rng.random(500) * 360 - 180, rng.random(500) * 180 - 90, rng.random(500) * 360 - 180)
    text = Path(mod.__file__).read_text()
    if "_polyray_cpu_haversine" not in text:
        # exact mode keeps NumPy's own trigonometry: the function is the original
        assert "exact" in mod.__name__
        return
    rt.clear_history()
    got = mod.haversine(*[a.copy() for a in args])
    want = mod._polyray_original_haversine(*[a.copy() for a in args])
    assert [r["variant"] for r in rt.history() if r["function"] == "haversine"] == ["cpu"]
    # close mode: np.sin/np.cos/np.arcsin by the C library, within their ULP bounds
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
    assert got.dtype == want.dtype and got.shape == want.shape
