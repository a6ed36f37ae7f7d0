"""The device forms of runtime/gpu_elementwise.py against NumPy, bit for bit, on the values where rounding to an
integer goes wrong when written carelessly: signed zeros, halves (ties to even), the last fractional float
below 2**52 (4503599627370495.5), 2**52 and above, the smallest subnormals, infinities and NaN, plus random
values at several scales. These forms run as written under the CUDA simulator and compile unchanged for the
device (test_gpu_ptx.py), with IEEE operations that round the same in both: what holds here holds there."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from polyray.runtime.gpu_elementwise import DEVICE_ELEMENTWISE, np_ceil, np_clip, np_floor, np_rint, np_round, np_sign, np_sign_int, np_trunc, np_where

EDGES = [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 0.7, -0.7, 1.0, -1.0,
         2.0**52, -(2.0**52), 2.0**52 + 1.0, 2.0**52 - 0.5, -(2.0**52 - 0.5), 2.0**53, 1e300, -1e300, 5e-324, -5e-324,
         np.inf, -np.inf, np.nan, -np.nan]


def values() -> np.ndarray:
    rng = np.random.default_rng(17)
    return np.concatenate([np.array(EDGES), rng.standard_normal(4000) * 10.0, np.round(rng.standard_normal(2000) * 10.0, 1),
                           rng.standard_normal(2000) * 1e16, rng.integers(-100, 100, 2000) + 0.5, rng.standard_normal(1000) * 1e-300])


def same_bits(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))


@pytest.mark.parametrize("form, ufunc", [(np_rint, np.rint), (np_floor, np.floor), (np_ceil, np.ceil), (np_trunc, np.trunc), (np_sign, np.sign)],
                         ids=lambda f: getattr(f, "__name__", ""))
def test_float_forms_give_numpys_bits(form, ufunc):
    x = values()
    got = np.array([form(v) for v in x], dtype=np.float64)
    ok = same_bits(got, ufunc(x))
    assert ok.all(), [(v, g) for v, g in zip(x[~ok][:5], got[~ok][:5])]
    # on NumPy scalars too (what a kernel reads from an array under the simulator)
    assert same_bits(np.array([form(np.float64(v)) for v in EDGES]), ufunc(np.array(EDGES))).all()


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
@pytest.mark.parametrize("decimals", [0, 1, 2, 3, 8, 9, 10, 15, 22, 23, 30, 320, -1, -2, -5, -22, -23, -320])
def test_round_gives_numpys_bits(decimals):
    x = np.concatenate([values()[:3000], [1e300, -1e300, 1.7976931348623157e308, 0.125, 2.675, 1.005, 1e22]])
    got = np.array([np_round(v, decimals) for v in x], dtype=np.float64)
    ok = same_bits(got, np.round(x, decimals))
    assert ok.all(), [(v, g) for v, g in zip(x[~ok][:5], got[~ok][:5])]


def test_clip_gives_numpys_bits():
    special = [-np.inf, -1.0, -0.0, 0.0, 0.5, 1.0, np.inf, np.nan, -np.nan, 0, -1, 2]
    for x, lo, hi in itertools.product(special[:9], special, special):
        want = np.clip(np.float64(x), lo, hi)
        got = np.float64(np_clip(np.float64(x), lo, hi))
        assert got.tobytes() == np.float64(want).tobytes(), (x, lo, hi, got, want)
    for x, lo, hi in itertools.product([-5, 0, 3, 2**62], [0, -1, 4], [3, -2, 2**62]):
        assert np_clip(np.int64(x), lo, hi) == np.clip(np.int64(x), lo, hi), (x, lo, hi)


def test_sign_of_int64():
    x = np.array([0, 1, -1, 7, -7, np.iinfo(np.int64).max, np.iinfo(np.int64).min], dtype=np.int64)
    got = np.array([np_sign_int(v) for v in x], dtype=np.int64)
    assert (got == np.sign(x)).all() and np.sign(x).dtype == np.int64


def test_where_of_scalars():
    for c in (True, False, np.True_, np.False_):
        for a, b in ((np.float64(-0.0), 0.0), (1.5, np.nan), (np.int64(3), np.int64(-4)), (np.float64(2.5), 7)):
            want = np.where(c, a, b)
            got = np_where(c, a, b)
            assert np.asarray(got, dtype=want.dtype).tobytes() == want.tobytes(), (c, a, b)


def test_every_form_is_listed():
    assert set(DEVICE_ELEMENTWISE) == {"np_rint", "np_floor", "np_ceil", "np_trunc", "np_round", "np_clip", "np_sign", "np_sign_int", "np_where"}
