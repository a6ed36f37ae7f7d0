"""np.linalg.norm(..., keepdims=True) (types/norms.ts, runtime/norms.py norm_keepdims: NumPy's formula's values
reshaped as NumPy reshapes them) in test/kernels/numpy_style/norm_keepdims.py, both numerics modes. Where the
formula gives NumPy's bits (a vector's 1-, 2- and inf-norms along its axis, inf/-inf norms of a matrix's lines),
bit for bit in both modes; sqrt(x.dot(x)) and sums along a matrix's axis compile in close mode only, within their
stated bounds (types/norms.ts), with NumPy's shapes, dtypes and inf/NaN positions."""
from __future__ import annotations

import math

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compare_with_original, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/norm_keepdims.py"
EXACT_BOTH = ["max_rows", "unit_vector", "int_vector"]
CLOSE_ONLY = ["normalize_rows", "column_scale", "frobenius_kept"]
EPS = np.finfo(np.float64).eps


mod = mode_module(SOURCE, "norm_keepdims")


def test_which_functions_compile(mod):
    for name in EXACT_BOTH:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    for name in CLOSE_ONLY:
        assert hasattr(mod, f"_polyray_cpu_{name}") == (mod.MODE == "close"), name


@pytest.mark.parametrize("shape", [(5, 4), (1, 7), (300, 3), (0, 3), (3, 0)])
def test_exact_forms_bit_for_bit(mod, shape):
    rng = np.random.default_rng(shape[0] * 11 + shape[1])
    X = rng.standard_normal(shape)
    if X.size:
        X.flat[0] = -0.0
    ran = compare_with_original(mod.max_rows, mod._polyray_original_max_rows, X.astype(np.float32), messages=False)
    if ran.status == "ok":
        assert ran.variant == "cpu" and ran.value.shape == (shape[0], 1)
    for v in (X.ravel(), np.array([1e200, -3.0]), np.array([np.nan, 1.0]), np.zeros(0)):
        ran = compare_with_original(mod.unit_vector, mod._polyray_original_unit_vector, v, messages=False)
        if ran.status == "ok":
            assert ran.variant == "cpu" and ran.value[1].shape == (1,)
        else:
            assert ran.status == "ValueError"  # -inf norm of an empty vector, in both
    ran = compare_with_original(mod.int_vector, mod._polyray_original_int_vector, rng.integers(-9, 9, shape[0]), messages=False)
    assert ran.variant == "cpu" and ran.value.shape == (1,) and ran.value.dtype == np.float64


def within(got, want, rel):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(got[np.isinf(got)], want[np.isinf(want)])
    fin = np.isfinite(want)
    assert np.all(np.abs(got[fin] - want[fin]) <= rel * np.abs(want[fin]) + 1e-300), (got, want)


@pytest.mark.parametrize("shape", [(6, 5), (1, 300), (300, 2), (0, 4), (4, 0)])
def test_close_forms(mod, shape):
    rng = np.random.default_rng(shape[0] + 3 * shape[1])
    X = rng.standard_normal(shape)
    for name, n in (("normalize_rows", shape[1]), ("column_scale", shape[0]), ("frobenius_kept", X.size)):
        rt.clear_history()
        with np.errstate(all="ignore"):
            got = getattr(mod, name)(X.copy())
            want = getattr(mod, f"_polyray_original_{name}", getattr(mod, name))(X.copy())
        if mod.MODE == "exact":
            assert not hasattr(mod, f"_polyray_cpu_{name}")
            continue
        assert rt.history()[-1]["variant"] == "cpu"
        # the sums' bound relative to the result (every term |x| or x*x is positive), then one more rounding
        rel = ((math.ceil(math.log2(max(n, 1))) + 18 + n) * 0.52 + 2) * EPS
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            within(g, w, rel)
    if mod.MODE == "close" and X.size:
        kept, plain = mod.frobenius_kept(X)
        assert kept.shape == (1, 1) and kept[0, 0] == plain
