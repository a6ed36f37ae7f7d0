"""np.concatenate / hstack / vstack / stack / column_stack / dstack and np.array of a list of arrays of different
dtypes (issue 17; test/kernels/numpy_style/promoted_joins.py), compiled in both numerics modes: NumPy's promoted
dtype (np.result_type of the parts), each part converted to it (a safe cast: `.astype` gives NumPy's values),
bit for bit in both modes; mismatched shapes raise NumPy's ValueError in both, before any write. The joins have
no GPU form (whole-array allocations)."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/promoted_joins.py"
NAMES = ["timeline", "features", "paired", "flags_and_ids", "big_ids", "planes", "complex_tail"]


mod = mode_module(SOURCE, "promoted_joins")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, messages=False)


def test_every_function_compiles(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [0, 1, 6])
def test_promoted_dtypes(mod, n):
    rng = np.random.default_rng(n)
    big = np.array([2**53 + 1, -(2**62) - 1, 7] * n, dtype=np.int64)[:n]  # int64 values float64 rounds
    ran = check(mod, "timeline", big, rng.standard_normal(n))
    assert ran.value.dtype == np.float64
    x32 = (rng.standard_normal((n, 3)) * 1e3).astype(np.float32)
    x32[x32 > 500] = np.float32(-0.0)
    check(mod, "features", x32, rng.standard_normal((n, 3)))
    check(mod, "features", np.asfortranarray(x32), rng.standard_normal((n, 3))[:, ::-1])
    check(mod, "paired", rng.integers(-2**31, 2**31, n, dtype=np.int32), rng.standard_normal(n))
    assert check(mod, "flags_and_ids", rng.integers(0, 10, n), rng.random(n) > 0.5).value.dtype == np.int64
    assert check(mod, "big_ids", np.array([2**64 - 1, 2**63, 1] * n, dtype=np.uint64)[:n], -big).value.dtype == np.float64
    check(mod, "planes", rng.integers(0, 256, (n, 2), dtype=np.uint8), rng.integers(-300, 300, (n, 2), dtype=np.int16))
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    check(mod, "complex_tail", z, np.array([np.nan, -0.0, np.inf] * n, dtype=np.float32)[:n])


def test_mismatched_shapes_raise_as_numpy(mod):
    rng = np.random.default_rng(1)
    # vstack of rows of different lengths, column_stack of vectors of different lengths: ValueError in both
    assert check(mod, "features", rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 4))).status == "ValueError"
    assert check(mod, "paired", np.arange(3, dtype=np.int32), rng.standard_normal(4)).status == "ValueError"
    assert check(mod, "planes", np.zeros((2, 2), np.uint8), np.zeros((3, 2), np.int16)).status == "ValueError"
