"""np.repeat, and np.reshape of a permuted (non-contiguous) view read once as an operand
(types/reshape-operands.ts: a copy stands for NumPy's view there), as the stride permutations of
radix-R transforms write them; np.repeat as a NumPy-table row (array_helpers.repeat: Numba's np.repeat has no axis=), compiled in both
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


    def stride_permute(y: np.ndarray[tuple[int], np.dtype[np.complex128]], w: np.ndarray[tuple[int], np.dtype[np.complex128]], R: int, K: int, i: int):
        N = y.shape[0]
        yv = np.reshape(y, (R**i, R, R**(K - i - 1)))
        perm = np.transpose(yv, axes=(1, 0, 2))
        return np.reshape(perm, (N, )) * w, np.reshape(perm, (R, N // R)) + 1.0


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


@pytest.mark.parametrize("shape,status", [((2, 3, 0), "ok"), ((0, 3, 4), "ValueError"), ((0, 3, 0), "ok")])
def test_negative_count_along_an_empty_axis(mod, monkeypatch, shape, status):
    # NumPy broadcasts the count over the axis first: along an empty axis a negative count gives an
    # empty axis, along a non-empty one it raises, whatever the other axes' lengths
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    ran = run_both(mod, "tiles", np.ones(shape, dtype=np.complex128), -1)
    assert ran.status == status and ran.variant == "cpu"


@pytest.mark.parametrize("R,K,i", [(2, 5, 0), (2, 5, 2), (3, 3, 1), (4, 2, 1)])
def test_reshape_of_a_permuted_view(mod, monkeypatch, R, K, i):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(33)
    N = R**K
    y = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    w = np.exp(-2j * np.pi * np.arange(N) / N)
    ran = run_both(mod, "stride_permute", y, w, R, K, i)
    assert ran.variant == "cpu"
