"""`.astype(<integer dtype>)` of a float array (bench/everyday's equalize: a lookup table rounded, clipped to
0..255 and converted to uint8): runtime/int_helpers.py's astype_int converts in compiled code when every
element truncates into the dtype's range, and otherwise (a NaN, an infinity, a value out of range: undefined
in C, platform-specific in NumPy) restores the written arrays and runs the original. Original vs cpu variant
in both numerics modes; no GPU form."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def to_pixels(img: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    lo = img.min()
    out[:, :] = (img - lo) * 2.0
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def truncated(x: np.ndarray[tuple[int], np.dtype[np.float32]]):
    return x.astype(np.int16)


def as_int64(x: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return x[:, ::2].astype(np.int64) + 1


def unclipped(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return (x * 255.0).astype(np.uint8)
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"astype_int_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"astype_int_{request.param}", "--numerics", request.param, "--targets", "cpu,gpu")
    text = Path(m.__file__).read_text()
    assert "_polyray_h_astype_int(" in text and "undo=(1,)" in text and "_polyray_gpu_" not in text
    return m


def variants(name):
    return [r["variant"] for r in rt.history() if r["function"] == name]


def test_in_range_values_convert_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(9)
    img = rng.random((60, 50)) * 300.0 - 20.0
    run_both(mod, "to_pixels", img, np.zeros_like(img))
    assert variants("to_pixels")[-1] == "cpu"
    x = np.concatenate([rng.uniform(-32000.0, 32000.0, 500), [-32768.9, 32767.9, -0.9, 0.9, -0.0]]).astype(np.float32)
    run_both(mod, "truncated", x)
    assert variants("truncated")[-1] == "cpu"
    run_both(mod, "as_int64", rng.standard_normal((20, 9)) * 1e15)
    assert variants("as_int64")[-1] == "cpu"
    run_both(mod, "unclipped", rng.random(100))
    assert variants("unclipped")[-1] == "cpu"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 256.0, -1.0, 1e300])
def test_values_c_leaves_undefined_run_the_original(mod, monkeypatch, bad):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.linspace(0.0, 1.0, 20)
    x[7] = bad / 255.0 if np.isfinite(bad) else bad
    rt.clear_history()
    run_both(mod, "unclipped", x)
    assert variants("unclipped") == ["original"]
    # out is written before the conversion: the variant's writes are restored, the original's made
    img = np.full((4, 4), 3.0)
    img[2, 2] = bad
    rt.clear_history()
    run_both(mod, "to_pixels", img, np.ones((4, 4)))
    if bad == bad:  # clipped into 0..255 first (inf too): compiled; a NaN stays NaN
        assert variants("to_pixels") == ["cpu"]
    else:
        assert variants("to_pixels") == ["original"]


def test_bad_inputs_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    run_both(mod, "truncated", np.zeros(0, dtype=np.float32))
    assert run_both(mod, "to_pixels", np.zeros((0, 3)), np.zeros((0, 3)), messages=False).status == "ValueError"
    assert run_both(mod, "to_pixels", np.ones((2, 3)), np.zeros((3, 2)), messages=False).status == "ValueError"
