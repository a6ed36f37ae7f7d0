"""Fancy indexing with one index array per dimension and with index arrays of several dimensions
(types/index-arrays.ts, runtime/index_helpers.py take_nd/put_nd/take), compiled in both numerics modes:
a gather of pixel values at coordinates, a scatter of labels into a grid (last write wins for repeated
coordinates, as NumPy), a colour lookup table applied to a 2-d image of indices; bad inputs: an
out-of-range coordinate (IndexError, nothing written), coordinate arrays that do not broadcast
(IndexError), values of the wrong length (ValueError)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np


    def sample(img: np.ndarray[tuple[int, int], np.dtype[np.float64]], rows: np.ndarray[tuple[int], np.dtype[np.int64]],
               cols: np.ndarray[tuple[int], np.dtype[np.int64]]):
        vals = img[rows, cols]
        return vals * 2.0


    def label(grid: np.ndarray[tuple[int, int], np.dtype[np.int64]], rows: np.ndarray[tuple[int], np.dtype[np.int64]],
              cols: np.ndarray[tuple[int], np.dtype[np.int32]], k: int) -> None:
        grid[rows, cols] = k + 1


    def paint(canvas: np.ndarray[tuple[int, int, int], np.dtype[np.complex128]], a: np.ndarray[tuple[int], np.dtype[np.int64]],
              b: np.ndarray[tuple[int], np.dtype[np.int64]], c: np.ndarray[tuple[int], np.dtype[np.int64]],
              z: np.ndarray[tuple[int], np.dtype[np.complex128]]) -> None:
        canvas[a, b, c] = z


    def colour(lut: np.ndarray[tuple[int], np.dtype[np.float64]], img: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
        return lut[img]
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"multi_index_{request.param}")
    src = d / "multi_index_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"multi_index_kernels_{request.param}", "--numerics", request.param)


def test_gather_and_scatter(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(11)
    img = rng.standard_normal((6, 9))
    rows, cols = rng.integers(-6, 6, 40), rng.integers(-9, 9, 40)
    assert run_both(mod, "sample", img, rows, cols).variant == "cpu"
    assert run_both(mod, "sample", img, rows[:1], cols).variant == "cpu"  # a length-1 index broadcasts
    assert run_both(mod, "sample", img, rows[:0], cols[:0]).variant == "cpu"
    grid = np.zeros((6, 9), dtype=np.int64)
    assert run_both(mod, "label", grid, rows, cols.astype(np.int32), 4).variant == "cpu"  # repeated coordinates: last wins
    canvas = np.zeros((3, 4, 5), dtype=np.complex128)
    a, b, c = rng.integers(0, 3, 12), rng.integers(0, 4, 12), rng.integers(-5, 5, 12)
    z = rng.standard_normal(12) + 1j * rng.standard_normal(12)
    assert run_both(mod, "paint", canvas, a, b, c, z).variant == "cpu"
    assert run_both(mod, "paint", canvas, a, b, c, z[:1]).variant == "cpu"


def test_lookup_table_of_a_2d_index_image(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(12)
    lut = rng.standard_normal(16)
    img = rng.integers(-16, 16, (7, 5))
    assert run_both(mod, "colour", lut, img).variant == "cpu"
    assert run_both(mod, "colour", lut, img[:, ::2]).variant == "cpu"  # a strided index image
    bad = img.copy()
    bad[3, 2] = 16
    assert run_both(mod, "colour", lut, bad, loose_messages=("IndexError",)).status == "IndexError"


def test_bad_coordinates(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    img = np.arange(12.0).reshape(3, 4)
    loose = ("IndexError", "ValueError")
    assert run_both(mod, "sample", img, np.array([0, 1, 3]), np.array([0, 1, 2]), loose_messages=loose).status == "IndexError"
    assert run_both(mod, "sample", img, np.array([0, 1, 2]), np.array([0, 1]), loose_messages=loose).status == "IndexError"
    grid = np.zeros((3, 4), dtype=np.int64)
    # the bad coordinate is last: NumPy checks them all before writing any (run_both compares the writes)
    assert run_both(mod, "label", grid, np.array([0, 1, 2]), np.array([0, 1, -5], dtype=np.int32), 7, loose_messages=loose).status == "IndexError"
    canvas = np.zeros((2, 2, 2), dtype=np.complex128)
    one = np.array([0, 1])
    assert run_both(mod, "paint", canvas, one, one, one, np.ones(3, complex), loose_messages=loose).status == "ValueError"
