"""Boolean masks and integer index arrays (issue 17, src/compiler/types/index-arrays.ts), as scientists
write them: clip negatives with a mask, sum the values above a threshold, gather neighbours through an
index array, scatter into bins (duplicates: the last write wins), select with a mask built beforehand.
Compiled in both numerics modes, each runs its CPU variant (the checking helpers of
runtime/index_helpers.py) and gives the original's results bit for bit; a mask of the wrong length or
an index out of bounds raises the original's exception type, after the same writes (none)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import
from compiled import run_both as compare

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
I32 = "np.ndarray[tuple[int], np.dtype[np.int32]]"
B1 = "np.ndarray[tuple[int], np.dtype[np.bool_]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
B2 = "np.ndarray[tuple[int, int], np.dtype[np.bool_]]"
I2 = "np.ndarray[tuple[int, int], np.dtype[np.int64]]"

SOURCE = textwrap.dedent(f"""\
    import numpy as np


    def clip_negatives(a: {F1}):
        a[a < 0] = 0.0


    def sum_above(x: {F1}, threshold: float) -> float:
        big = x[x > threshold]
        return np.sum(big)


    def count_above(x: {F1}, threshold: float) -> int:
        return x[x > threshold].shape[0]


    def neighbour_differences(x: {F1}, left: {I1}, right: {I1}) -> np.ndarray:
        return x[right] - x[left]


    def smooth(x: {F1}, left: {I32}, right: {I32}, out: {F1}):
        n = x.shape[0]
        xl = x[left]
        xr = x[right]
        for i in range(n):
            out[i] = 0.25 * xl[i] + 0.5 * x[i] + 0.25 * xr[i]


    def scatter(hist: {F1}, bins: {I1}, weights: {F1}):
        hist[bins] = weights


    def scatter_value(a: {F1}, idx: {I1}, v: float):
        for k in range(3):
            a[idx] = v + k


    def replace_masked(a: {F1}, b: {F1}, keep: {B1}):
        a[keep] = b[keep]


    def relabel(labels: {I1}, old: int, new: int):
        labels[labels == old] = new


    def clip_image(img: {F2}, low: float):
        img[img < low] = low
        return img[img > 2.0 * low]


    def iterate_inside(Z: {F2}, C: {F2}, N: {I2}, steps: int):
        for n in range(steps):
            inside = np.abs(Z) < 2.0
            N[inside] = n
            Z[inside] = Z[inside] * Z[inside] + C[inside]


    def masked_update(A: {F2}, B: {F2}, keep: {B2}):
        A[keep] = B[keep]
""")

NAMES = ("clip_negatives", "sum_above", "count_above", "neighbour_differences", "smooth", "scatter", "scatter_value",
         "replace_masked", "relabel", "clip_image", "iterate_inside", "masked_update")


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"index_arrays_{request.param}")
    src = folder / "index_arrays.py"
    src.write_text(SOURCE)
    return compile_and_import(src, folder, f"index_arrays_compiled_{request.param}", "--targets", "cpu", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def run_both(mod, name, *args):
    """The dispatcher's call against the original's on copies: the same outcome (the exception type), the same
    arrays, bit for bit; the variants that ran."""
    ran = compare(mod, name, *args, messages=False)
    return ran.status, [r["variant"] for r in ran.records]


def test_every_function_is_compiled_through_the_helpers(mod):
    text = open(mod.__file__).read()
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    for helper in ("mask_get", "mask_set", "take", "put"):
        assert f"_polyray_h_{helper}(" in text, helper


@pytest.mark.parametrize("n", [11, 1, 0])
def test_masks(mod, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    x[:2] = np.nan if n > 2 else x[:2]
    assert run_both(mod, "clip_negatives", x) == ("ok", ["cpu"])
    assert run_both(mod, "sum_above", x, 0.1) == ("ok", ["cpu"])
    assert run_both(mod, "count_above", x, -0.5) == ("ok", ["cpu"])
    assert run_both(mod, "replace_masked", x, rng.standard_normal(n), rng.random(n) > 0.5) == ("ok", ["cpu"])
    labels = rng.integers(0, 3, size=n)
    assert run_both(mod, "relabel", labels, 1, 7) == ("ok", ["cpu"])


@pytest.mark.parametrize("n", [9, 1, 0])
def test_gathers_with_negative_indices(mod, n):
    rng = np.random.default_rng(n + 100)
    x = rng.standard_normal(n)
    left = np.arange(n) - 1            # -1 is the last element, as in NumPy
    right = (np.arange(n) + 1) % max(n, 1)
    assert run_both(mod, "neighbour_differences", x, left, right) == ("ok", ["cpu"])
    assert run_both(mod, "smooth", x, left.astype(np.int32), right.astype(np.int32), np.zeros(n)) == ("ok", ["cpu"])


def test_scatters_last_write_wins(mod):
    rng = np.random.default_rng(5)
    bins = np.array([3, 1, 3, -1, 1, 0])
    assert run_both(mod, "scatter", np.zeros(5), bins, rng.standard_normal(6)) == ("ok", ["cpu"])
    assert run_both(mod, "scatter", np.zeros(5), bins, np.array([2.5])) == ("ok", ["cpu"])  # one value broadcast
    assert run_both(mod, "scatter_value", np.zeros(5), bins, 1.5) == ("ok", ["cpu"])
    x = np.arange(4.0)
    assert run_both(mod, "scatter", x, np.array([3, 2, 1, 0]), x) == ("ok", ["cpu"])  # the values alias the target


def test_bad_inputs_raise_as_the_original(mod):
    x = np.arange(5.0) - 2.0
    # a mask of another length: IndexError, nothing written
    assert run_both(mod, "replace_masked", x, x, np.array([True, False]))[0] == "IndexError"
    # indices out of bounds, on either side: IndexError before any write
    for bad in ([0, 5], [-6, 1]):
        assert run_both(mod, "neighbour_differences", x, np.array(bad), np.array([0, 0]))[0] == "IndexError"
        assert run_both(mod, "scatter", np.zeros(5), np.array([1, *bad]), np.ones(3))[0] == "IndexError"
        assert run_both(mod, "scatter_value", np.zeros(5), np.array(bad), 2.0)[0] == "IndexError"
    # as many values as indices, or one: ValueError otherwise
    assert run_both(mod, "scatter", np.zeros(5), np.array([1, 2, 3]), np.ones(2))[0] == "ValueError"
    assert run_both(mod, "replace_masked", x, np.ones(5), np.ones(5, dtype=bool))[0] == "ok"
    # another rank: the dispatcher's checks send it to the original
    status, variants = run_both(mod, "clip_negatives", -np.ones((2, 2)))
    assert status == "ok" and variants == ["original"]


@pytest.mark.parametrize("shape", [(5, 4), (1, 3), (0, 2)])
def test_masks_of_two_dimensions(mod, shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    img = rng.standard_normal(shape)
    assert run_both(mod, "clip_image", img, -0.3) == ("ok", ["cpu"])
    assert run_both(mod, "clip_image", img.T.copy().T, 0.2) == ("ok", ["cpu"])  # another layout, C order kept
    Z = np.zeros(shape)
    C = rng.uniform(-2.0, 1.0, size=shape)
    assert run_both(mod, "iterate_inside", Z, C, np.zeros(shape, dtype=np.int64), 6) == ("ok", ["cpu"])
    assert run_both(mod, "masked_update", img, rng.standard_normal(shape), rng.random(shape) > 0.5) == ("ok", ["cpu"])


def test_a_two_dimensional_mask_of_another_shape_raises_as_the_original(mod):
    A = np.ones((3, 4))
    assert run_both(mod, "masked_update", A, A, np.ones((4, 3), dtype=bool))[0] == "IndexError"
    assert run_both(mod, "masked_update", A, np.ones((3, 5)), np.ones((3, 4), dtype=bool))[0] == "IndexError"


def test_an_empty_mask_selects_nothing_whatever_the_shape(mod):
    """NumPy raises for a mask of another shape unless it is empty (fuzzer seed 47000065: `x[mask] = y[mask]`
    with an empty mask and a one-element y returned in the original and raised in the variant)."""
    empty = np.zeros(0, dtype=bool)
    for n in (1, 3):
        assert run_both(mod, "replace_masked", np.arange(float(n)), np.ones(n + 1), empty) == ("ok", ["cpu"])
        assert run_both(mod, "replace_masked", np.arange(float(n)), np.ones(n), empty) == ("ok", ["cpu"])
    # of two dimensions: another length is allowed only where the mask's length is 0
    A = np.ones((1, 3))
    for shape in ((0, 3), (1, 0), (0, 0)):
        assert run_both(mod, "masked_update", A, np.ones((1, 3)), np.zeros(shape, dtype=bool)) == ("ok", ["cpu"])
    for shape in ((2, 3), (2, 0), (0, 2)):
        assert run_both(mod, "masked_update", A, A, np.zeros(shape, dtype=bool))[0] == "IndexError"
    assert run_both(mod, "masked_update", A, np.ones((2, 3)), np.zeros((1, 0), dtype=bool))[0] == "IndexError"
