"""np.average(A, axis=k, weights=w, returned=True) (issue 17; test/kernels/numpy_style/weighted_averages.py):
close mode compiles it (array_helpers.average_weighted_axis_returned: the weighted sums and the weights' sums
along the axis in close_reductions' fixed blocks, each within the sum row's bound of docs/reliability.md);
exact mode keeps the original (NumPy adds a line pairwise or row after row by its layout). Both modes:
NumPy's exception types (ValueError for weights of another shape, ZeroDivisionError where a line's weights
sum to zero) with the writes before them as in the original. No GPU form (a whole-array reduction: the
row's gpu is null)."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, compare_with_original, cpu_target, mode_module  # noqa: F401 - cpu_target: a fixture
import polyray.runtime as rt

mod = mode_module(ROOT / "test/kernels/numpy_style/weighted_averages.py", "weighted_averages")
rng = np.random.default_rng(1717)


def within_bound(got, want, terms):
    """|got - want| within the close-mode bound: c * log2(n) * eps * sum|terms| per line, generously (c = 4)."""
    n = max(terms.shape[-1], 2)
    bound = 4 * np.log2(n) * np.finfo(np.float64).eps * np.abs(terms).sum(axis=-1)
    return np.all(np.abs(got - want) <= bound + 1e-300)


def run(mod, name, *args):
    fn = getattr(mod, name)
    original = getattr(mod, f"_polyray_original_{name}", fn)
    rt.clear_history()
    got = fn(*[a.copy() for a in args])
    variant = rt.history()[-1]["variant"] if rt.history() else "original"
    return got, original(*[a.copy() for a in args]), variant


def test_weighted_means_and_their_weights(mod):
    compiled = hasattr(mod, "_polyray_original_station_means")
    assert compiled == (mod.MODE == "close")  # (exact mode: refused when compiling, kept as written)
    for shape in ((5, 7), (3, 200), (1, 1)):
        A = rng.standard_normal(shape)
        w = rng.uniform(0.1, 2.0, shape[1])
        (m, s), (m0, s0), variant = run(mod, "station_means", A, w)
        assert variant == ("cpu" if compiled else "original")
        assert m.shape == m0.shape and s.shape == s0.shape and m.dtype == s.dtype == np.float64
        assert within_bound(m * s, m0 * s0, A * w) and within_bound(s, s0, np.broadcast_to(w, A.shape))
        W = rng.uniform(0.0, 1.0, shape)
        got, want, variant = run(mod, "column_profile", A, W)
        assert variant == ("cpu" if compiled else "original") and got.shape == want.shape
        assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
    # a Fortran-ordered matrix and a strided one: the same sums
    A = np.asfortranarray(rng.standard_normal((6, 9)))
    (m, s), (m0, s0), _ = run(mod, "station_means", A, np.ones(9))
    assert np.allclose(m, m0, rtol=1e-13) and np.array_equal(s, s0)


@pytest.mark.parametrize("case", ["short_weights", "zero_sum", "wrong_matrix"])
def test_bad_weights_raise_numpys_exceptions(mod, case):
    A = rng.standard_normal((3, 4))
    if case == "short_weights":  # weights not along the axis: ValueError, out already zeroed in both
        ran = compare_with_original(getattr(mod, "normalized_rows"), getattr(mod, "_polyray_original_normalized_rows", mod.normalized_rows),
                                    A, np.ones(3), np.full(3, 7.0), messages=False)
        assert ran.status == "ValueError"
    elif case == "zero_sum":  # a line whose weights sum to zero: ZeroDivisionError
        ran = compare_with_original(getattr(mod, "normalized_rows"), getattr(mod, "_polyray_original_normalized_rows", mod.normalized_rows),
                                    A, np.array([1.0, -1.0, 2.0, -2.0]), np.full(3, 7.0), messages=False)
        assert ran.status == "ZeroDivisionError"
    else:
        ran = compare_with_original(mod.column_profile, getattr(mod, "_polyray_original_column_profile", mod.column_profile),
                                    A, np.ones((4, 3)), messages=False)
        assert ran.status == "ValueError"
    if mod.MODE == "close":
        assert ran.variant == "cpu", ran.records
