"""Arrays joined or built from written lists (types/sequences.ts; parse/convert.ts turns the list into the
tuple Numba wants): np.concatenate/hstack/vstack/stack/column_stack/dstack of lists, np.array of a list of
arrays (np.stack) or of numbers. Kernels in test/kernels/numpy_style/sequences.py, compiled in both numerics
modes; every function against its original bit for bit (these rows are class exact), on good inputs and on
shapes that do not fit (NumPy's ValueError, nothing written)."""
from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest

from compiled import ROOT, check_cpu, cpu_target, mode_module, run_both  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/sequences.py"
NAMES = ["padded_smooth", "design_matrix", "stacked_rows", "points_from_coords", "frames", "rgb", "side_by_side", "rotate",
         "stencil3", "corners", "int_and_bool_lists", "mixed_numbers", "two_rows", "int_join", "blocks"]


mod = mode_module(SOURCE, "sequences")
# (Numba words some messages its own way; the exception type is NumPy's)
check = partial(check_cpu, messages=False, raising_too=False)


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n,k", [(10, 2), (1, 3), (0, 1), (5, 0)])
def test_concatenate_list_of_locals_and_parameters(mod, n, k):
    check(mod, "padded_smooth", np.random.default_rng(n).standard_normal(n), k)


@pytest.mark.parametrize("n,m", [(4, 3), (1, 1), (0, 2)])
def test_joins_of_lists(mod, n, m):
    rng = np.random.default_rng(n * 7 + m)
    X, Y = rng.standard_normal((n, m)), rng.standard_normal((n, m))
    check(mod, "design_matrix", X)
    check(mod, "stacked_rows", X[:, 0].copy() if m else np.zeros(n), rng.standard_normal(n))
    check(mod, "frames", X, Y)
    check(mod, "rgb", X, Y, X * 0.5)
    check(mod, "side_by_side", X, rng.standard_normal((n, m + 2)))
    check(mod, "blocks", X, Y)
    check(mod, "int_join", rng.integers(-5, 5, n), rng.integers(0, 9, m))
    if n:
        check(mod, "points_from_coords", rng.standard_normal(n), rng.standard_normal(n))


def test_shapes_that_do_not_fit_raise_valueerror(mod):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(4), rng.standard_normal(5)
    for name, args in [("stacked_rows", (a, b)), ("points_from_coords", (a, b)), ("two_rows", (a, b)),
                       ("frames", (rng.standard_normal((2, 3)), rng.standard_normal((3, 2)))),
                       ("rgb", (np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 2)))),
                       ("side_by_side", (np.ones((2, 2)), np.ones((3, 2)))), ("blocks", (np.ones((2, 2)), np.ones((2, 3))))]:
        assert check(mod, name, *args).status == "ValueError", name


@pytest.mark.parametrize("theta", [0.0, 0.3, -2.5, math.pi])
def test_nested_list_of_scalars(mod, theta):
    P = np.random.default_rng(5).standard_normal((6, 2))
    check(mod, "rotate", P, theta)


def test_lists_of_numbers(mod):
    rng = np.random.default_rng(9)
    for n in (0, 1, 8):
        check(mod, "stencil3", rng.standard_normal(n))
    check(mod, "corners", rng.standard_normal((3, 4)))
    check(mod, "corners", np.ones((0, 3)))  # IndexError in both
    run_both(mod, "int_and_bool_lists", 2**40)  # outside the int guard's range: the original runs
    for n in (-3, 0, 2, 7):
        ran = check(mod, "int_and_bool_lists", n)
        assert [r.dtype for r in ran.value] == [np.int64, np.bool_, np.float64]
        ran = check(mod, "mixed_numbers", 0.5, n, rng.standard_normal(2))
        assert [r.dtype for r in ran.value] == [np.float64, np.int64]


def test_np_array_of_arrays_is_their_stack(mod):
    rng = np.random.default_rng(11)
    for n in (0, 3):
        ran = check(mod, "two_rows", rng.standard_normal(n), rng.standard_normal(n))
        assert ran.value.shape == (2, n)
    assert "np.stack((x, y * 2.0))" in (ROOT / mod.__file__).read_text()
