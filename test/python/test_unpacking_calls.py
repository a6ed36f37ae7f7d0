"""Unpacking what calls return (test/kernels/numpy_style/unpacking_calls.py, issue 17): divmod on
NumPy and Python scalars (zero divisors, negative operands, inf and nan included) and a tuple of
scalars from a function of the same module. Under POLYRAY_TARGET=cpu and auto, in both numerics
modes, the variant gives the original's results bit for bit, exceptions too; the run records show
the CPU variant where it ran."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/numpy_style/unpacking_calls.py"
NAMES = ("to_hms", "wrap", "gcds", "split", "bounds", "rescale")


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("unpacking_calls"), "unpacking_calls_compiled", "--targets", "cpu")


def run_both(mod, name, *args):
    ran = compare(mod, name, *args, messages=False)
    return ran.status, ran.variant


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.fixture(params=[("cpu", "exact"), ("cpu", "close"), ("auto", "exact")])
def target(request, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", request.param[0])
    monkeypatch.setenv("POLYRAY_NUMERICS", request.param[1])
    return request.param[0]


def ran_cpu(target, variant):
    return target != "cpu" or variant == "cpu"


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_divmod_of_integer_elements(mod, target, dtype):
    t = np.array([0, 59, 60, 3599, 3600, 86399, -1, -61, -3600], dtype=dtype)
    status, variant = run_both(mod, "to_hms", t, np.zeros((t.shape[0], 3), dtype=np.int64))
    # (an int32 array: NumPy 2 keeps int32 beside the Python int 60, the variant computes in 64 bits: the original runs)
    assert status == "ok" and (ran_cpu(target, variant) or dtype is np.int32), rt.history()[-1]


@pytest.mark.parametrize("width", [1.0, 0.3, -2.5, 0.0, float("inf"), float("nan")])
def test_divmod_of_float_elements(mod, target, width):
    x = np.array([0.0, -0.0, 1.0, -1.0, 2.75, -2.75, 1e300, np.inf, -np.inf, np.nan, 5e-324])
    status, variant = run_both(mod, "wrap", x, width, np.zeros_like(x), np.zeros_like(x))
    assert status == "ok" and ran_cpu(target, variant)


def test_euclid_in_a_while_loop_inside_a_parallel_loop(mod, target):
    rng = np.random.default_rng(11)
    a = rng.integers(-10**6, 10**6, 200)
    b = rng.integers(-10**6, 10**6, 200)
    b[:5] = 0
    status, variant = run_both(mod, "gcds", a, b, np.zeros(200, dtype=np.int64))
    assert status == "ok" and ran_cpu(target, variant)


@pytest.mark.parametrize("n,parts", [(17, 5), (-17, 5), (17, -5), (0, 3), (5, 0), (-(10**9), 7)])
def test_divmod_of_python_ints(mod, target, n, parts):
    """A zero divisor raises ZeroDivisionError in both, before anything is bound."""
    status, variant = run_both(mod, "split", n, parts)
    assert status == ("ZeroDivisionError" if parts == 0 else "ok") and ran_cpu(target, variant)


@pytest.mark.parametrize("n", [1, 2, 50])
def test_a_tuple_returned_by_a_module_function(mod, target, n):
    x = np.random.default_rng(n).standard_normal(n)
    status, variant = run_both(mod, "rescale", x, np.zeros(n))
    assert status == "ok" and ran_cpu(target, variant)
    assert run_both(mod, "bounds", x)[0] == "ok"


def test_an_empty_array_raises_indexerror_in_the_callee(mod, target):
    assert run_both(mod, "rescale", np.zeros(0), np.zeros(0))[0] == "IndexError"
