"""np.round / np.around with decimals (test/kernels/numpy_style/rounding.py), original against compiled in
both numerics modes, bit for bit: NumPy's rint(x * 10**d) / 10**d (runtime/round_helpers.py), where Numba's
own np.round kept x when x * 10**d overflows (np.round(1e300, 10) is inf in NumPy; Numba gave 1e300) and
split 10**d past 1e22. The element-by-element forms are prange loops, and their GPU variant
(runtime/gpu_elementwise.np_round) runs under the CUDA simulator in test_gpu_table_forms.py."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu

mod = mode_module(ROOT / "test/kernels/numpy_style/rounding.py", "rounding")

EDGES = np.array([1e300, -1e300, 1.7976931348623157e308, 0.125, -0.125, 2.5, -2.5, 0.0, -0.0, np.nan, np.inf, -np.inf,
                  5e-324, 1.005, 2.675, 0.049999999999999996, -149.99999999999997, 1e22, 123456789.5])


def data(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([EDGES, rng.standard_normal(n) * 1000.0, rng.standard_normal(n) * 1e18])[: max(n, 0) + len(EDGES)]


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_whole_array_rounding(mod):
    for n in (0, 5, 200):
        check_cpu(mod, "to_cents", data(n, n))
    check_cpu(mod, "to_cents", data(40, 1)[::2])  # a strided view


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("places", [0, 1, 2, 10, 23, 320, -1, -3, -23, -320])
def test_element_by_element_rounding(mod, places):
    A = data(30, places % 7).reshape(7, -1)
    check_cpu(mod, "coarse_grid", A, places, np.zeros_like(A))


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_negative_and_default_decimals(mod):
    x = data(50, 3)
    check_cpu(mod, "hundreds", x, np.zeros_like(x))
    check_cpu(mod, "rounded_mean", x[len(EDGES):])  # a scalar result
    check_cpu(mod, "rounded_mean", np.array([1e300, 1e300]))


def test_bad_inputs_keep_numpys_errors(mod):
    A = np.ones((3, 3))
    check_cpu(mod, "coarse_grid", A, 2, np.zeros((2, 3)), compiled=False)  # out too small: the guard's, NumPy's IndexError
    check_cpu(mod, "to_cents", np.ones(3, dtype=np.int64), compiled=False)  # another dtype: the original
