"""runtime/complex_helpers.py against NumPy, bit for bit: complex128 multiply (fused where NumPy's SIMD loop
fuses), square, reciprocal, and the power's integer path (nc_pow), on random values of parts 1e-3 to 1e3 times
each other, strided and broadcast operands, and every pair of 0, -0.0, 1, inf, -inf, nan, 1e300, 5e-324 parts."""
from __future__ import annotations

import numpy as np
import pytest

ch = pytest.importorskip("polyray.runtime.complex_helpers")

PARTS = (0.0, -0.0, 1.0, -2.0, np.inf, -np.inf, np.nan, 1e300, 5e-324)
SPECIAL = np.array([complex(x, y) for x in PARTS for y in PARTS])


def _same(a, b) -> bool:
    a, b = np.atleast_1d(np.asarray(a, dtype=complex)), np.atleast_1d(np.asarray(b, dtype=complex))
    x, y = a.view(np.float64), b.view(np.float64)
    return a.shape == b.shape and bool(np.all((x.view(np.uint64) == y.view(np.uint64)) | (np.isnan(x) & np.isnan(y))))


@pytest.fixture(scope="module")
def values():
    rng = np.random.default_rng(3)
    n = 100_000
    a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-7, 7, n))
    b = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-7, 7, n))
    return a, b


def test_the_probe_answers_for_numpy_on_this_machine():
    x = np.array([complex(1 + 2.0**-27, 1.0)] * 3)
    assert (np.multiply(x, x)[0].real == 2.0**-26 + 2.0**-54) == ch._NUMPY_FUSES


def test_multiply_square_reciprocal(values):
    a, b = values
    with np.errstate(all="ignore"):
        assert _same(ch.cmul(a, b), a * b)
        assert _same(ch.cmul(a[1::3], b[2::3]), a[1::3] * b[2::3])
        assert _same(ch.cmul(a, 0.25 - 3j), a * (0.25 - 3j))
        assert _same(ch.cmul(a, b.real), a * b.real)
        assert _same(ch.csquare(a), np.square(a)) and _same(ch.csquare(a), a**2)
        assert _same(ch.creciprocal(a), np.reciprocal(a)) and _same(ch.creciprocal(a), a**-1)
        A, B = np.meshgrid(SPECIAL, SPECIAL)
        assert _same(ch.cmul(A, B), A * B)
        assert _same(ch.csquare(SPECIAL), np.square(SPECIAL)) and _same(ch.creciprocal(SPECIAL), np.reciprocal(SPECIAL))


@pytest.mark.parametrize("n", [-99, -7, -2, -1, 0, 1, 2, 3, 4, 13, 64, 99])
def test_integer_powers(values, n):
    a, _ = values
    a = a[:20_000]
    with np.errstate(all="ignore"):
        assert _same(ch.cpow(a, n), np.power(a, n))
        assert _same(ch.cpow(a, float(n)), np.power(a, float(n)))
        assert _same(ch.cpow_op(a, n), a**n)
        assert _same(ch.cpow(SPECIAL, n), np.power(SPECIAL, n)) and _same(ch.cpow_op(SPECIAL, n), SPECIAL**n)
        # NumPy scalars: scalarmath's power, the same loop
        assert all(_same(ch.cpow(complex(z), n), np.complex128(z) ** n) for z in a[:50])


def test_zero_base_and_zero_exponent():
    with np.errstate(all="ignore"):
        zeros = np.array([0j, complex(-0.0, 0.0), complex(0.0, -0.0)])
        for e in (2, 0.5, -1, 1j, 0, np.nan, complex(2, 1)):
            assert _same(ch.cpow(zeros, e), np.power(zeros, e))


def test_exp_follows_the_c_librarys_cexp():
    """NumPy's complex exp calls the C library's cexp; `cexp` is glibc's algorithm (scaled exp near overflow,
    an exact zero imaginary part for a zero y, Annex G's special values) with the same exp, sin and cos."""
    rng = np.random.default_rng(4)
    z = rng.uniform(-40, 40, 100_000) + 1j * rng.uniform(-1e3, 1e3, 100_000)
    z[:500] *= 40  # beyond exp's overflow, where glibc scales
    parts = (0.0, -0.0, 1.0, -1.0, 1e-310, np.inf, -np.inf, np.nan, 709.5, 710.0, 1000.0, 1500.0, 2200.0, -750.0, 1e300)
    special = np.array([complex(x, y) for x in parts for y in parts])
    with np.errstate(all="ignore"):
        assert _same(ch.cexp(z), np.exp(z))
        assert _same(ch.cexp(special), np.exp(special))
