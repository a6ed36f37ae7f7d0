"""NumPy calls returning tuples, unpacked into names (types/histogram.ts, the checker's tupleCalls; the
returned= form of np.average): test/kernels/numpy_style/tuple_results.py in both numerics modes, every function
against its original bit for bit (array_helpers.histogram follows numpy/lib/_histograms_impl.py: edges by
linspace, the bin by NumPy's formula and correction, a given range dropping values outside it and NaN, an edges
array by NumPy's cumulative path; average_weighted_returned by NumPy's pairwise sums), on good and bad inputs
(NumPy's ValueError, TypeError, ZeroDivisionError, nothing written)."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/tuple_results.py"
NAMES = ["bin_centers", "unit_histogram", "int_range_counts", "radial_profile", "histogram_then_edit", "weighted_mean", "weighted_mean_int"]


mod = mode_module(SOURCE, "tuple_results")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, messages=False, raising_too=False)


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


def values(rng, n):
    """Values as measurements come: spread, on a grid (many on the edges), repeated, with zeros of both signs."""
    kind = rng.integers(0, 4)
    if kind == 0:
        return rng.standard_normal(n)
    if kind == 1:
        return np.round(rng.random(n) * 8) / 8
    if kind == 2:
        return np.full(n, 0.25)
    return rng.choice(np.array([-0.0, 0.0, 1.0, 0.5, 1e-300]), n)


@pytest.mark.parametrize("seed", range(6))
def test_histogram_unpacked(mod, seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 7, 300):
        x = values(rng, n)
        check(mod, "bin_centers", x, int(rng.integers(1, 40)))
        lo, hi = sorted(rng.standard_normal(2))
        check(mod, "unit_histogram", x, rng.standard_normal(n), lo, hi)
        check(mod, "unit_histogram", x, rng.standard_normal(n), 0.0, 1.0)
        check(mod, "int_range_counts", values(rng, n * 2).reshape(n, 2) * 4.0)


def test_histogram_range_drops_nan_and_outside_values(mod):
    x = np.array([np.nan, -1.0, 0.0, 0.5, 1.0, 2.0, np.inf, -np.inf])
    ran = check(mod, "unit_histogram", x, np.ones(8), 0.0, 1.0)
    assert ran.value[0].sum() == 3.0
    check(mod, "unit_histogram", x, np.ones(8), 0.5, 0.5)  # an empty range widened by 0.5 each side


def test_histogram_bad_inputs(mod):
    x = np.linspace(0.0, 1.0, 11)
    assert check(mod, "unit_histogram", x, np.ones(11), 1.0, 0.0).status == "ValueError"  # max below min
    assert check(mod, "unit_histogram", x, np.ones(11), 0.0, np.inf).status == "ValueError"  # not finite
    assert check(mod, "unit_histogram", x, np.ones(10), 0.0, 1.0).status == "ValueError"  # weights of another shape
    assert check(mod, "bin_centers", np.array([0.0, np.nan]), 4).status == "ValueError"  # autodetected range not finite
    assert check(mod, "bin_centers", x, 0).status == "ValueError"
    assert check(mod, "bin_centers", np.array([1.0, 1.0 + 2**-52]), 100).status == "ValueError"  # too many bins for the range


@pytest.mark.parametrize("n", [0, 1, 5, 12])
def test_histogram_of_edges(mod, n):
    rng = np.random.default_rng(n)
    img = rng.standard_normal((n, n + 1))
    for radii in (np.linspace(0.0, n, 5), np.array([0.0, 1.0, 1.0, 3.0]), np.array([]), np.array([2.0]), np.array([0.0, np.nan, 9.0])):
        ran = check(mod, "radial_profile", img, radii)
    x = values(rng, 3 * n)
    check(mod, "histogram_then_edit", x, np.array([0.0, 0.25, 0.5, 1.0]))  # the edges argument written, as in NumPy
    assert check(mod, "radial_profile", img, np.array([0.0, 2.0, 1.0])).status == "ValueError"  # not monotonic


def test_average_returned(mod):
    rng = np.random.default_rng(2)
    for n in (1, 2, 9, 1000):
        ran = check(mod, "weighted_mean", rng.standard_normal(n), rng.random(n))
        assert all(type(v) is np.float64 for v in ran.value[:2])
        check(mod, "weighted_mean_int", rng.integers(-9, 9, n), rng.random(n))
    assert check(mod, "weighted_mean", np.ones(3), np.array([1.0, -1.0, 0.0])).status == "ZeroDivisionError"
    assert check(mod, "weighted_mean", np.ones(3), np.ones(2)).status == "TypeError"
    assert check(mod, "weighted_mean", np.ones(0), np.ones(0)).status == "ZeroDivisionError"
