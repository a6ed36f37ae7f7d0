"""A returned NumPy scalar keeps the original's type in both directions: a variant's Python number is
converted to the NumPy scalar the original returns, and the original's own result, when it ran for
argument types the variants were not compiled for, is returned untouched (it used to be converted to
the compiled type: np.int64(11) where the original gives np.float64(11.0))."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compile_and_import

SOURCE = ROOT / "test/kernels/everyday/return_types.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("return_types"), "return_types_cpu", "--targets", "cpu")


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def last_variant() -> str:
    return rt.history()[-1]["variant"]


def test_variant_result_is_the_numpy_scalar(mod):
    data = np.arange(5, dtype=np.int64)
    got, want = mod.adler_like(data), mod.adler_like.__wrapped__(data)
    assert last_variant() == "cpu"
    assert type(got) is type(want) is np.int64 and got == want


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8])
def test_original_result_for_other_types_is_untouched(mod, dtype):
    data = np.arange(5, dtype=dtype)
    got, want = mod.adler_like(data), mod.adler_like.__wrapped__(data.copy())
    assert last_variant() == "original"
    assert type(got) is type(want) and got == want


def test_tuple_elements_converted_for_variant_only(mod):
    x = np.array([1.5, 2.5])
    got, want = mod.first_two(x), mod.first_two.__wrapped__(x)
    assert last_variant() == "cpu"
    assert [type(v) for v in got] == [type(v) for v in want] == [np.float64, np.float64] and got == want
    ints = np.array([1, 2], dtype=np.int16)
    got, want = mod.first_two(ints), mod.first_two.__wrapped__(ints)
    assert last_variant() == "original"
    assert [type(v) for v in got] == [type(v) for v in want] and got == want
