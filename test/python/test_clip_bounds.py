"""np.clip with bounds that are numbers (test/kernels/numpy_style/clipping.py), original against compiled in both
numerics modes, bit for bit: NumPy returns a NaN bound itself (the lower one first, its sign included), and
keeps x on equality (np.clip(-0.0, 0.0, 1.0) is -0.0); Numba's np.clip ignored NaN bounds and had no scalar
form (runtime/round_helpers.clip_scalar_bounds). The element-by-element loop is a prange loop, and its GPU
form (runtime/gpu_elementwise.np_clip) runs under the CUDA simulator in test_gpu_table_forms.py."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu

mod = mode_module(ROOT / "test/kernels/numpy_style/clipping.py", "clipping")

SPECIAL = [-np.inf, -1.0, -0.0, 0.0, 0.5, 1.0, np.inf, np.nan, -np.nan]


def test_saturate_over_every_pair_of_special_bounds(mod):
    x = np.array(SPECIAL * 2)
    for lo, hi in itertools.product(SPECIAL, SPECIAL):
        check_cpu(mod, "saturate", x, lo, hi, np.zeros_like(x))


def test_whole_array_bounds(mod):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((6, 7))
    A.flat[:4] = [np.nan, -0.0, np.inf, 0.0]
    for lo in (-0.5, 0.0, -0.0, np.nan, 2.0):
        check_cpu(mod, "bounded", A, lo)
        check_cpu(mod, "bounded", A[:, ::2], lo)  # a strided view


def test_integer_counts(mod):
    k = np.array([-3, 0, 2, 7, 100, -(2**62)], dtype=np.int64)
    for top in (5, 0, -1):
        check_cpu(mod, "counts_in_range", k, top, np.zeros_like(k))


def test_bad_inputs_keep_numpys_errors(mod):
    x = np.ones(4)
    check_cpu(mod, "saturate", x, 0.0, 1.0, np.zeros(3), compiled=False)  # out too short: the original's IndexError
    check_cpu(mod, "counts_in_range", np.ones(3), 2, np.zeros(3, dtype=np.int64), compiled=False)  # floats: the original
