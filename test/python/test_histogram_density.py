"""np.histogram(..., density=True) and density=False (array_helpers.histogram_density; issue 17;
test/kernels/numpy_style/histogram_density.py) in both numerics modes: NumPy's counts (its fast path, or the
cumulative path of an edges array), then n / db / n.sum() as NumPy computes it (a float64 sum of weights by its
pairwise order), bit for bit; NumPy's ValueError for bad bins and ranges, its NaN for an empty sample. The row has
no GPU form."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/histogram_density.py"
NAMES = ["empirical_pdf", "weighted_pdf", "pdf_on_edges", "counts_not_density"]


mod = mode_module(SOURCE, "histogram_density")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, messages=False)


def test_every_function_compiles(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [0, 1, 10, 1000, 70000])
def test_density_bit_for_bit(mod, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    for bins in (1, 7, 50):
        check(mod, "empirical_pdf", x, bins)
    check(mod, "weighted_pdf", x, rng.random(n), -2.0, 2.0)
    check(mod, "weighted_pdf", x, -rng.random(n), -1.0, 3.0)
    check(mod, "pdf_on_edges", x, np.array([-3.0, -1.0, -0.5, 0.0, 0.25, 2.0, 10.0]))
    check(mod, "counts_not_density", x)


def test_bad_inputs(mod):
    x = np.array([0.0, 1.0, np.nan])
    assert check(mod, "empirical_pdf", x, 4).status == "ValueError"  # NaN: autodetected range is not finite
    assert check(mod, "empirical_pdf", np.ones(3), 0).status == "ValueError"  # bins must be positive
    assert check(mod, "weighted_pdf", np.ones(3), np.ones(2), 0.0, 1.0).status == "ValueError"  # weights' shape
    assert check(mod, "weighted_pdf", np.ones(3), np.ones(3), 2.0, 1.0).status == "ValueError"  # range reversed
    assert check(mod, "pdf_on_edges", np.ones(3), np.array([1.0, 0.0, 2.0])).status == "ValueError"  # edges must increase
