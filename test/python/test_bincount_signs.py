"""np.bincount of a local array whose first value is negative (fuzzer family TableFn, 2026-12-06): Numba's
np.bincount checks the signs from the second element on and wrote before its counts (memory corruption)
where NumPy raises ValueError; array_helpers.bincount checks every element first. Original vs cpu variant,
both numerics modes."""
from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

ROOT = Path(__file__).resolve().parents[2]
SOURCE = '''
import numpy as np


def shifted_counts(x: np.ndarray[tuple[int], np.dtype[np.int64]], k: int) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    idx = x - k
    return np.bincount(idx)


def sums(x: np.ndarray[tuple[int], np.dtype[np.int64]], w: np.ndarray[tuple[int], np.dtype[np.float64]]) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    return np.bincount(x, weights=w, minlength=3)
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"bincount_{request.param}")
    (base / "src.py").write_text(SOURCE)
    out = base / f"bincount_{request.param}.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(base / "src.py"), "-o", str(out),
                    "--numerics", request.param], check=True, cwd=ROOT, capture_output=True)
    assert "_polyray_h_bincount(" in out.read_text()
    spec = importlib.util.spec_from_file_location(out.stem, out)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except Exception as exc:  # the outcome compared is the exception's type and message
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("x, k", [([0, 3, 3], 1), ([5, 3, 3], 4), ([2, 3, 3], 1), ([4, 0, 9], 1), ([], 0)])
def test_negative_values_anywhere_raise_as_numpy(mod, monkeypatch, x, k):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array(x, dtype=np.int64)
    w = np.linspace(0.5, 2.0, x.size)
    # a local array (the helper checks it) and a parameter with weights (the guard of an empty or negative-first x)
    for name, args in (("shifted_counts", (x, k)), ("sums", (x - k, w))):
        want = outcome(getattr(mod, f"_polyray_original_{name}"), *args)
        got = outcome(getattr(mod, name), *args)
        if name == "shifted_counts":
            assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
        assert got[0] == want[0]
        if want[0] == "ok":
            assert got[1].dtype == want[1].dtype and np.array_equal(got[1], want[1])
        else:
            assert got[1] == want[1]
