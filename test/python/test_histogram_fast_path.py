"""np.histogram's fast path (runtime/histogram.py; issue 18; test/kernels/numpy_style/histogram_fast_path.py) in
both numerics modes and both forms of the variant (the serial one, prange as range, and the parallel one: NumPy's
blocks of 65536 values summed apart, then merged in block order), against the original bit for bit: float64, int64
and int32 data, weights of float64, float32 and int64 (the counts in the weights' dtype, as NumPy's ntype), a
range of floats or of ints, all-equal and empty samples, values on the last edge, several blocks; NumPy's
ValueError for NaN or inf data, a reversed or infinite range, bins < 1 and weights of another shape."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_body, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/histogram_fast_path.py"
NAMES = ["radial_profile", "windowed_counts", "int_range_weighted", "tally_ints", "tally_int32_in_range", "int_weights",
         "float32_weights", "edges_only"]

mod = mode_module(SOURCE, "histogram_fast_path")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, messages=False)


@pytest.fixture(params=["serial", "parallel"])
def form(request, monkeypatch):
    monkeypatch.setenv("POLYRAY_CPU_FORM", request.param)  # (small arrays run the serial form otherwise)
    return request.param


def test_every_function_compiles_to_a_parallel_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    # the helper's own prange makes the variant parallel=True (codegen/module.ts, types/histogram.ts PRANGE_HELPERS)
    assert "histogram" in cpu_body(mod, "radial_profile")
    assert mod._polyray_dispatch_radial_profile.variants["cpu"].parallel


@pytest.mark.parametrize("n", [0, 1, 1000, 3 * 65536 + 5])
def test_bit_for_bit(mod, form, n):
    rng = np.random.default_rng(n + 18)
    r = rng.random(n) * 7.0
    if n > 10:
        r[::97] = r.max()  # values on the last edge: the last bin, not one past it
    w = rng.standard_normal(n)
    check(mod, "radial_profile", w, r, 1000)
    check(mod, "radial_profile", w, r, 3)
    check(mod, "windowed_counts", r, 1.5, 5.25, 17)
    check(mod, "windowed_counts", r, 2.0, 2.0, 4)  # an empty range widened by 0.5 either side
    check(mod, "int_range_weighted", r * 2.0 - 3.0, w, 10)
    ints = rng.integers(-40, 90, n)
    check(mod, "tally_ints", ints, 13)
    check(mod, "tally_int32_in_range", ints.astype(np.int32), -10, 50)
    check(mod, "tally_int32_in_range", ints.astype(np.int32), 7, 7)
    check(mod, "int_weights", r, rng.integers(-5, 9, n))
    check(mod, "float32_weights", r, rng.random(n).astype(np.float32))
    check(mod, "edges_only", r, 9)


def test_all_equal_and_extreme_ints(mod, form):
    check(mod, "radial_profile", np.ones(70000), np.full(70000, 0.3), 8)
    check(mod, "tally_ints", np.full(5, 2**62), 3)
    # the extremes' difference wraps as NumPy's _unsigned_subtract makes it (uint64), then divides as float64
    big = np.array([-(2**63), 2**63 - 1, 0, 12345, -99], np.int64)
    check(mod, "tally_ints", big, 7)


def test_bad_inputs(mod, form):
    x = np.array([0.0, 1.0, np.nan])
    assert check(mod, "radial_profile", np.ones(3), x, 4).status == "ValueError"  # autodetected range not finite
    assert check(mod, "radial_profile", np.ones(2), np.array([0.0, np.inf]), 4).status == "ValueError"
    assert check(mod, "radial_profile", np.ones(3), np.ones(3), 0).status == "ValueError"  # bins must be positive
    assert check(mod, "radial_profile", np.ones(2), np.ones(3), 5).status == "ValueError"  # weights' shape
    assert check(mod, "windowed_counts", np.ones(3), 2.0, 1.0, 4).status == "ValueError"  # range reversed
    assert check(mod, "windowed_counts", np.ones(3), 0.0, np.inf, 4).status == "ValueError"  # range not finite
    assert check(mod, "windowed_counts", np.ones(3), np.nan, 1.0, 4).status == "ValueError"
    # NaN is dropped from a given range, as NumPy's `keep` drops it
    assert check(mod, "windowed_counts", x, 0.0, 1.0, 4).status == "ok"
