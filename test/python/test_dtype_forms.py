"""dtype= as scientists write it (test/kernels/everyday/dtype_forms.py, issue 17): np.float64, float,
int, bool, A.dtype, strings such as 'float32', positional dtypes, .astype(). Every function compiles
in both numerics modes and gives the original's results bit for bit, dtypes included, under
POLYRAY_TARGET=cpu; the refusals keep the original (test/ts/forms.test.ts checks their messages).
Through @parallelize, `dtype=u.dtype` follows the first call's dtype."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt
from polyray import parallelize

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/everyday/dtype_forms.py"
REFUSED = ROOT / "test/kernels/everyday/dtype_refusals.py"


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("dtype_forms"), f"dtype_forms_{request.param}",
                              "--targets", "cpu", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def run_both(mod, name, *args):
    ran = compare(mod, name, *args)
    return (ran.status, ran.value), ran.variant


RNG = np.random.default_rng(17)
CASES = [
    ("sweep", (RNG.standard_normal((5, 7)), 0.3), np.float64),
    ("sweep", (np.zeros((0, 3)), 1.0), np.float64),
    ("bin_counts", (RNG.standard_normal(200), 6, -2.0, 2.0), np.int64),
    ("positive_mask", (np.array([1.0, -0.0, np.nan, -3.0, np.inf]),), np.bool_),
    ("single_precision_scale", (RNG.standard_normal(9) * 1e10, 1.0 / 3.0), np.float32),
    ("filled", (4, -7), np.int32),
    ("filled", (0, 2**31 - 1), np.int32),
    ("column_buffer", (RNG.standard_normal((6, 2)),), np.float64),
    ("halves", (np.array([-(2**31), -1, 0, 7, 2**31 - 1], dtype=np.int32),), np.float64),
    ("to_single", (np.array([1e-50, 1.0 / 3.0, 1e300, -np.inf, np.nan, 2.0**-149]),), np.float32),
    ("widen", (np.array([-(2**15), -1, 255, 2**15 - 1], dtype=np.int16),), np.int64),
    ("as_flags", (np.array([0.0, -0.0, np.nan, 1e-320, -2.0]),), np.bool_),
    ("rows_like", (np.array([1.5, -3.25, np.inf], dtype=np.float32), 4), np.float32),
]


@pytest.mark.parametrize("name,args,dtype", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_dtype_spellings_compile_and_give_the_original_s_bits(mod, name, args, dtype):
    (status, result), variant = run_both(mod, name, *args)
    assert status == "ok" and variant == "cpu", (status, variant)
    assert result.dtype == dtype


def test_the_dtype_is_spelled_for_numba(mod):
    text = open(mod.__file__).read()
    cpu = text.split("def _polyray_cpu_bin_counts")[1].split("_polyray_dispatch_bin_counts")[0]
    assert "dtype=_polyray_np.int64" in cpu  # Numba refuses dtype=int
    cpu = text.split("def _polyray_cpu_halves")[1].split("_polyray_dispatch_halves")[0]
    assert ".astype(_polyray_np.float64)" in cpu  # and .astype(float)


def test_bad_inputs_run_the_original(mod):
    # a Python int out of int32's range: NumPy 2's OverflowError, from the original
    (status, message), variant = run_both(mod, "filled", 3, 2**31)
    assert status == "OverflowError" and variant == "original"
    # another dtype than compiled for: the guard sends it to the original
    (status, _), variant = run_both(mod, "halves", np.arange(4, dtype=np.int64))
    assert status == "ok" and variant == "original"


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    return compile_and_import(REFUSED, tmp_path_factory.mktemp("dtype_refusals"), "dtype_refusals_compiled", "--targets", "cpu")


def test_refused_spellings_keep_the_original(refused):
    for name, args in [("text_dtype", (3,)), ("half_precision", (3,)), ("truncate", (np.array([np.nan, 1e20, -2.5]).astype(complex),)),
                       ("drop_imaginary", (np.array([1 + 2j]),))]:
        assert not hasattr(refused, f"_polyray_cpu_{name}"), name
        with np.errstate(all="ignore"), pytest.warns() if name in ("drop_imaginary", "truncate") else _nothing():
            getattr(refused, name)(*args)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def tridiagonal(u, c):
    # unhinted: u.dtype comes from the first call
    p = np.empty(u.shape, dtype=u.dtype)
    q = np.empty_like(u)
    p[0] = 0.0
    q[0] = u[0]
    for j in range(1, u.shape[0]):
        p[j] = -c / (p[j - 1] + 2.0)
        q[j] = (u[j] - q[j - 1]) / (p[j - 1] + 2.0)
    return p * q


@pytest.mark.parametrize("numerics", ["exact", "close"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_through_the_decorator_dtype_follows_the_first_call(tmp_path, monkeypatch, numerics, dtype):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    fn = parallelize(tridiagonal, numerics=numerics)
    u = np.linspace(-1.0, 1.0, 11).astype(dtype)
    got = fn(u, dtype(0.25))
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    want = tridiagonal(u, dtype(0.25))
    assert got.dtype == want.dtype == dtype and got.tobytes() == want.tobytes()
