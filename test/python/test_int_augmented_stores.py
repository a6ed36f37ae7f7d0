"""Augmented stores into narrow integer arrays, uint64 values stored into signed arrays, and shifts of integer
arrays by any count (issue 17), each refused before (or, for the in-place ufunc into an unsigned array, wrong).
Measured on NumPy 2.4:

* `i16[i, j] += off[j]` with an int64 `off`: Python reads the element, computes `np.int16 + np.int64` as an int64
  and stores that, range-checked into a signed array (OverflowError out of range), modulo 2**bits into an unsigned
  one. The variant prints `img[i, j] = np.int16(fit_int(img[i, j] + off[j], lo, hi))` (spec_fit_int inside a prange
  loop), which leaves an out-of-range value to the original after restoring the variant's writes.
* `a += b` on whole arrays is the in-place ufunc, whose result is cast into `a` by the 'same_kind' rule:
  `i8 += i64_array` wraps (compiled as `a[:] = a + b`), `u8 += i64_array` raises UFuncTypeError (kept original).
* `i64[i] = u64[i]`: NumPy raises OverflowError from 2**63; fit_int compares a uint64 value as uint64 (Numba
  would compare it with int64 bounds in float64, which rounds 2**63 onto 2**63 - 1).
* `a >> b`, `a << k` of integer arrays: NumPy's rule per element (a count outside 0 .. bits - 1, negative ones
  too, gives 0, or -1 shifting a negative value right; C's shift is undefined there), int_helpers.np_rshift/
  np_lshift on arrays, broadcast as NumPy does; uint64 in uint64.

Original vs cpu variant in both numerics modes (integer results: bit for bit in both; close mode's calls run only
where its module differs from exact mode's, compiled.same_in_both_modes), bad inputs included. None of
these forms has a GPU form (fit_int and np_rshift/np_lshift have no device form): the GPU variant is not made,
which the fixture checks."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both, same_in_both_modes

SOURCE = '''
import numpy as np
import numpy.typing as npt


def add_offsets(img: np.ndarray[tuple[int, int], np.dtype[np.int16]], offsets: npt.NDArray[np.int64]) -> None:
    """A per-column int64 offset added to an int16 image in place."""
    n, m = img.shape
    for i in range(n):
        for j in range(m):
            img[i, j] += offsets[j]


def debit(balance: npt.NDArray[np.int32], cost: npt.NDArray[np.int64], fee: int) -> None:
    """int32 balances debited by int64 costs times a fee."""
    for i in range(balance.shape[0]):
        balance[i] -= cost[i] * fee


def gained(codes: npt.NDArray[np.int8], gain: npt.NDArray[np.int64]):
    """int8 codes times an int64 gain, on a copy."""
    out = codes.copy()
    for i in range(out.shape[0]):
        out[i] *= gain[i]
    return out


def byte_totals(total: npt.NDArray[np.uint8], x: npt.NDArray[np.int64]) -> None:
    """uint8 running totals: NumPy keeps each sum modulo 256."""
    for i in range(x.shape[0]):
        total[i] += x[i]


def widen_in_place(a: np.ndarray[tuple[int], np.dtype[np.int8]], b: npt.NDArray[np.int64]) -> None:
    """The in-place ufunc: an int64 result cast into int8 by 'same_kind' (it wraps)."""
    a += b


def unsigned_in_place(a: np.ndarray[tuple[int], np.dtype[np.uint8]], b: npt.NDArray[np.int64]) -> None:
    """An int64 result into uint8 is not 'same_kind': NumPy raises UFuncTypeError."""
    a += b


def rows_minus(img: np.ndarray[tuple[int, int], np.dtype[np.uint16]], row: npt.NDArray[np.int8]) -> None:
    """uint16 - int8 computes int32, which NumPy refuses to cast into uint16 in place."""
    img[1:, :] -= row


def hashes_to_signed(h: npt.NDArray[np.uint64], out: npt.NDArray[np.int64]) -> None:
    """uint64 hashes stored as int64: from 2**63 NumPy raises OverflowError."""
    for i in range(h.shape[0]):
        out[i] = h[i]


def rshift_by(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]):
    """Each value shifted right by its own count (negative or past 63: 0, or -1 for negative values)."""
    return a >> b


def scaled(a: npt.NDArray[np.int32], k: int):
    """int32 values times 2**k by a left shift (k past 31 gives 0)."""
    return a << k


def fixed_mul(a: npt.NDArray[np.int32], b: npt.NDArray[np.int32], frac: int):
    """A fixed-point product with `frac` fraction bits."""
    return (a * b) >> frac


def bit_table(pixels: npt.NDArray[np.uint8], planes: np.ndarray[tuple[int, int], np.dtype[np.uint8]]):
    """Bit `planes[p, 0]` of every pixel: a column of counts broadcast against a row of pixels."""
    return (pixels >> planes) & 1


def mix(h: npt.NDArray[np.uint64], s: npt.NDArray[np.uint64]):
    """A xorshift step of uint64 hashes by per-element counts."""
    x = h ^ (h << s)
    return x ^ (x >> s)


def shifted_rows(x: np.ndarray[tuple[int, int], np.dtype[np.int16]], counts: npt.NDArray[np.int16]):
    """Each row of an int16 image shifted right by its count, in a loop over rows."""
    n, m = x.shape
    out = np.zeros((n, m), dtype=np.int16)
    for i in range(n):
        out[i, :] = x[i, :] >> counts[i]
    return out
'''

NO_GPU = ["add_offsets", "debit", "gained", "hashes_to_signed", "rshift_by", "scaled", "fixed_mul", "bit_table", "mix", "shifted_rows"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    out = {}
    for mode in ("exact", "close"):
        base = tmp_path_factory.mktemp(f"int_aug_{mode}")
        src = base / "src.py"
        src.write_text(SOURCE)
        out[mode] = compile_and_import(src, base, f"int_aug_{mode}", "--numerics", mode, "--targets", "cpu,gpu")
    return out


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, modules):
    m = modules[request.param]
    text = Path(m.__file__).read_text()
    # the augmented element store, checked as NumPy stores the wider result (the flagging form inside prange)
    assert "img[i, j] = _polyray_np.int16(_polyray_h_spec_fit_int(img[i, j] + offsets[j], -32768, 32767, _polyray_fail))" in text
    assert "_polyray_h_np_rshift(a, b)" in text
    for name in NO_GPU:
        assert f"_polyray_gpu_{name}" not in text, name  # no device form of fit_int or np_rshift/np_lshift
    for name in NO_GPU + ["byte_totals", "widen_in_place"]:
        assert f"def _polyray_cpu_{name}(" in text, name
    for name in ("unsigned_in_place", "rows_minus"):
        assert f"def _polyray_cpu_{name}(" not in text, name
    if request.param == "close" and same_in_both_modes(modules["exact"], m):
        # integer results: close mode generates exact mode's module line for line, so its calls would compile the
        # same machine code again (a change that makes the modes differ runs both)
        pytest.skip("close mode generated exact mode's module line for line (compiled.same_in_both_modes)")
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_an_augmented_store_into_int16_in_range_and_past_it(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(1)
    img = rng.integers(-1000, 1000, (30, 20)).astype(np.int16)
    off = rng.integers(-20000, 20000, 20)
    ran = run_both(mod, "add_offsets", img, off)
    assert ran.status == "ok" and variant("add_offsets") == "cpu"
    # one sum past int16 in row 7: NumPy's OverflowError after rows 0..6 (and part of 7) were written
    img[7, 3] = 30000
    off[3] = 5000
    ran = run_both(mod, "add_offsets", img, off)
    assert ran.status == "OverflowError" and variant("add_offsets") == "original"
    run_both(mod, "add_offsets", np.zeros((0, 4), dtype=np.int16), off[:4])


def test_an_augmented_store_into_int32_and_int8(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    bal = np.array([100, -5, 2**31 - 1, -(2**31), 0], dtype=np.int32)
    ran = run_both(mod, "debit", bal, np.array([1, 2, 0, 0, 7]), 3)
    assert ran.status == "ok" and variant("debit") == "cpu"
    ran = run_both(mod, "debit", bal, np.array([1, 2, -1, 0, 7]), 3)  # 2**31 - 1 + 3 leaves int32
    assert ran.status == "OverflowError" and variant("debit") == "original"
    codes = np.array([1, -2, 3, 127, -128], dtype=np.int8)
    ran = run_both(mod, "gained", codes, np.array([100, 60, -42, 1, 1]))
    assert ran.status == "ok" and variant("gained") == "cpu"
    ran = run_both(mod, "gained", codes, np.array([100, 60, -43, 1, 1]))  # 3 * -43 = -129
    assert ran.status == "OverflowError"
    ran = run_both(mod, "gained", codes, np.array([1, 1, 1, 1]), loose_messages=("IndexError",))  # an index past gain
    assert ran.status == "IndexError"


def test_an_augmented_store_into_uint8_wraps_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    total = np.array([250, 0, 17, 255, 128], dtype=np.uint8)
    ran = run_both(mod, "byte_totals", total, np.array([10, -1, 2**40 + 3, -(2**62), 128]))
    assert ran.status == "ok" and variant("byte_totals") == "cpu"


def test_the_in_place_ufunc_casts_by_same_kind(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    a = np.array([100, -100, 5, 0], dtype=np.int8)
    ran = run_both(mod, "widen_in_place", a, np.array([100, -100, 2**40, -1]))
    assert ran.status == "ok" and variant("widen_in_place") == "cpu"
    ran = run_both(mod, "widen_in_place", a, np.array([1, 2]), loose_messages=("ValueError",))  # shapes that do not broadcast
    assert ran.status == "ValueError"
    # int64 into uint8 and int32 into uint16: NumPy's UFuncTypeError from the function itself (kept as written)
    a8 = np.ones(3, dtype=np.uint8)
    with pytest.raises(TypeError, match="same_kind"):
        mod.unsigned_in_place(a8, np.arange(3))
    img = np.ones((3, 4), dtype=np.uint16)
    with pytest.raises(TypeError, match="same_kind"):
        mod.rows_minus(img, np.arange(4, dtype=np.int8))
    assert (a8 == 1).all() and (img == 1).all()


def test_uint64_values_into_int64(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    h = np.array([0, 1, 2**63 - 1, 12345678901234567], dtype=np.uint64)
    ran = run_both(mod, "hashes_to_signed", h, np.zeros(4, dtype=np.int64))
    assert ran.status == "ok" and variant("hashes_to_signed") == "cpu"
    # 2**63 and 2**64 - 1: OverflowError (compared as float64 they would pass as 2**63 - 1)
    for big in (2**63, 2**64 - 1, 2**63 + 1024):
        h[2] = big
        ran = run_both(mod, "hashes_to_signed", h, np.full(4, -3, dtype=np.int64))
        assert ran.status == "OverflowError" and variant("hashes_to_signed") == "original"


def test_array_shifts_by_any_count(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    a = np.array([5, -5, 1, -1, 2**62, -(2**62), 7, -7, 0, 3])
    b = np.array([0, 1, 63, 63, 64, 64, 200, -1, -300, 2])
    ran = run_both(mod, "rshift_by", a, b)
    assert ran.status == "ok" and variant("rshift_by") == "cpu"
    ran = run_both(mod, "rshift_by", a, b[:3], loose_messages=("ValueError",))  # shapes that do not broadcast
    assert ran.status == "ValueError"
    run_both(mod, "rshift_by", a[:0], b[:0])
    x = np.array([1, -1, 3, 2**30, -(2**31), 12345], dtype=np.int32)
    for k in (0, 1, 5, 31, 32, 40, 200, -1):
        ran = run_both(mod, "scaled", x, k)
        assert ran.status == "ok" and variant("scaled") == "cpu"
    assert run_both(mod, "scaled", x, -(2**31)).status == "ok"  # (int32's least: the dispatcher's int range keeps the original)
    for k in (2**31, -(2**31) - 1):  # a count out of int32's range: NumPy's OverflowError
        ran = run_both(mod, "scaled", x, k)
        assert ran.status == "OverflowError"


def test_fixed_point_and_broadcast_bit_planes(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(2)
    a, b = rng.integers(-5000, 5000, 50).astype(np.int32), rng.integers(-5000, 5000, 50).astype(np.int32)
    for frac in (0, 8, 16, 31, 32, 33):
        ran = run_both(mod, "fixed_mul", a, b, frac)
        assert ran.status == "ok" and variant("fixed_mul") == "cpu"
    pixels = rng.integers(0, 256, 40).astype(np.uint8)
    planes = np.arange(12, dtype=np.uint8).reshape(12, 1)  # planes 8..11 give 0
    ran = run_both(mod, "bit_table", pixels, planes)
    assert ran.status == "ok" and ran.value.shape == (12, 40) and variant("bit_table") == "cpu"


def test_uint64_and_int16_shifts(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    h = np.array([1, 2**64 - 1, 2**63, 0x9E3779B97F4A7C15, 12345], dtype=np.uint64)
    s = np.array([13, 64, 63, 7, 100], dtype=np.uint64)
    ran = run_both(mod, "mix", h, s)
    assert ran.status == "ok" and variant("mix") == "cpu"
    x = np.array([[-32768, 5, 300], [7, -1, 32767], [1, 2, 3], [-9, 9, 0]], dtype=np.int16)
    ran = run_both(mod, "shifted_rows", x, np.array([3, 16, -1, 15], dtype=np.int16))
    assert ran.status == "ok" and variant("shifted_rows") == "cpu"
