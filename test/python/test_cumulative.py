"""np.cumsum / np.cumprod along an axis and a.cumsum(axis=...) (issue 17; test/kernels/numpy_style/cumulative.py),
compiled in both numerics modes: every CPU variant against its original, bit for bit (NumPy's add/multiply.accumulate
starts every line from its first element and runs in order, so a leading -0.0 stays -0.0, NaN and inf positions stay;
int32/bool/uint8 accumulate in int64/uint64 as NumPy's do), bad inputs with NumPy's exception types and no partial
writes. The rows have no GPU form (a kernel calling them gets no GPU variant, codegen/gpu-forms.ts)."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/cumulative.py"
COMPILED = ["station_totals", "empirical_cdf", "compound_growth", "vote_offsets", "hits_so_far", "layer_sums", "factorial_table",
            "byte_products", "phase_walk", "cumulative_trapezoid", "running_share", "flat_products", "complex_products"]
KEPT = ["beyond_last_axis", "computed_axis"]


mod = mode_module(SOURCE, "cumulative")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, loose_messages=("IndexError",))


def test_which_functions_compile(mod):
    for name in COMPILED:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    for name in KEPT:
        assert not hasattr(mod, f"_polyray_cpu_{name}"), name


def signed(rng, shape):
    """Normal values with -0.0 leading some lines, a NaN and an inf in place."""
    x = rng.standard_normal(shape)
    if x.size:
        x[(0,) * x.ndim] = -0.0
        x.flat[x.size // 2] = np.nan
        x.flat[-1] = np.inf
    return x


@pytest.mark.parametrize("shape", [(0, 0), (0, 4), (3, 0), (1, 1), (4, 7), (33, 5)])
def test_float_axes(mod, shape):
    rng = np.random.default_rng(sum(shape))
    A = signed(rng, shape)
    for X in (A, np.asfortranarray(A), np.full(shape, -0.0)):
        check(mod, "station_totals", X)
        check(mod, "compound_growth", X)
        check(mod, "flat_products", X)
    check(mod, "empirical_cdf", np.abs(A))  # c / c[-1]: an empty first axis raises IndexError in both


def test_views_and_strides(mod):
    A = signed(np.random.default_rng(5), (9, 12))
    check(mod, "station_totals", A[::2, 1::3])
    check(mod, "station_totals", A.T)
    check(mod, "compound_growth", A[:, ::-1] * 1e-3)
    check(mod, "empirical_cdf", np.abs(A[1:, :5]))


def test_integer_and_bool_dtypes(mod):
    rng = np.random.default_rng(11)
    votes = rng.integers(-2**31, 2**31, size=(6, 9), dtype=np.int32)  # int32 sums past its range: int64, as NumPy
    check(mod, "vote_offsets", votes)
    check(mod, "hits_so_far", rng.random((5, 8)) > 0.5)
    check(mod, "byte_products", rng.integers(0, 256, size=(40, 3), dtype=np.uint8))  # uint64 products wrap as NumPy's
    check(mod, "factorial_table", rng.integers(-40, 40, size=(2, 3, 30)))  # int64 products wrap
    check(mod, "factorial_table", np.zeros((2, 0, 3), dtype=np.int64))


def test_float32_and_complex(mod):
    rng = np.random.default_rng(3)
    T = signed(rng, (3, 5, 4)).astype(np.float32)
    check(mod, "layer_sums", T)
    check(mod, "layer_sums", np.zeros((2, 0, 3), dtype=np.float32))
    z = rng.standard_normal(7) + 1j * rng.standard_normal(7)
    z[0] = complex(-0.0, -0.0)
    Z = np.outer(z, z)
    Z[:, 0] = complex(-0.0, -0.0)
    check(mod, "phase_walk", z, Z)


def test_cumulative_integral(mod):
    y = np.sin(np.linspace(0.0, 3.0, 50))
    check(mod, "cumulative_trapezoid", y, 0.06)
    check(mod, "cumulative_trapezoid", y[:1], 0.06)


def test_bad_inputs(mod):
    rng = np.random.default_rng(2)
    # an empty row: c[i, m - 1] raises IndexError, nothing is written to out
    ran = check(mod, "running_share", rng.random((3, 0)), np.full((3, 0), 7.0))
    ran = check(mod, "running_share", rng.random((3, 4)), np.full((3, 4), 7.0))
    assert ran.status == "ok"
    # a vector where a matrix is hinted: the guard runs the original, which raises NumPy's AxisError
    ran = check(mod, "station_totals", rng.random(4), compiled=False)
    assert ran.status == "AxisError"
    # refused at compile time (the function stays as written): NumPy's AxisError
    with pytest.raises(np.exceptions.AxisError):
        mod.beyond_last_axis(rng.random((2, 3)))
    # complex products: compiled where every partial product is finite (test_scan_dtypes.py); an infinite
    # factor leaves the call to the original (NumPy's complex multiply of infinities)
    z = np.array([complex(np.inf, 1.0), 2j])
    ran = check(mod, "complex_products", z, compiled=False)
    assert ran.status == "ok" and ran.variant == "original"
    check(mod, "complex_products", np.array([1 + 2j, -0.5j, 3.0 + 0j]))
