"""np.repeat as a NumPy-table row (array_helpers.repeat: Numba's np.repeat has no axis=), compiled in both
numerics modes: nearest-neighbour upsampling of an image along both axes (a negative axis too), the
flattened form, a complex 3-d array along its last axis, strided and empty inputs, and a negative
count (ValueError in NumPy and in the variant)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np


    def upsample(img: np.ndarray[tuple[int, int], np.dtype[np.float64]], f: int):
        rows = np.repeat(img, f, axis=0)
        return np.repeat(rows, f, axis=-1), np.repeat(img, 2)


    def tiles(v: np.ndarray[tuple[int, int, int], np.dtype[np.complex128]], n: int):
        return np.repeat(v, n, 2) + np.repeat(v, n, axis=2)
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"repeat_{request.param}")
    src = d / "repeat_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"repeat_kernels_{request.param}", "--numerics", request.param)


@pytest.mark.parametrize("f", [0, 1, 3])
def test_upsample(mod, monkeypatch, f):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(31)
    img = rng.standard_normal((4, 5))
    assert run_both(mod, "upsample", img, f).variant == "cpu"
    assert run_both(mod, "upsample", img[::2, ::-1], f).variant == "cpu"
    assert run_both(mod, "upsample", img[:0], f).variant == "cpu"


def test_complex_tiles(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(32)
    v = rng.standard_normal((2, 3, 4)) + 1j * rng.standard_normal((2, 3, 4))
    assert run_both(mod, "tiles", v, 3).variant == "cpu"


def test_negative_count(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "upsample", np.ones((2, 2)), -1).status == "ValueError"
