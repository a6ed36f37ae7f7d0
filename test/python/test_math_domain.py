"""math's functions at the edges of their domains, as scientists call them (a damped oscillator with
math.sin/math.cos, a catenary with math.cosh, log-probabilities with math.log1p, a growth model
with math.expm1): CPython raises where the C library returns nan or inf (math.sin(inf) is a
ValueError, math.cosh(1000.0) an OverflowError, math.log1p(-1.0) a ValueError), and the compiled
variant must raise the same exception after the same writes (runtime/math_helpers.py), in both
numerics modes. math.gamma, math.lgamma and math.hypot are CPython's own algorithms, not the C
library's: their last bits differ from compiled code's, so a function using them keeps the original."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import compile_and_import, run_both

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"

SOURCE = f"""\
import math

import numpy as np


def oscillator(t: {F1}, out: {F1}, omega: float, decay: float):
    for i in range(t.shape[0]):
        out[i] = math.exp(-decay * t[i]) * (math.sin(omega * t[i]) + 0.5 * math.cos(omega * t[i]))


def slope(t: {F1}, out: {F1}):
    for i in range(t.shape[0]):
        out[i] = math.tan(t[i])


def catenary(x: {F1}, out: {F1}, a: float):
    for i in range(x.shape[0]):
        out[i] = a * math.cosh(x[i] / a) - a * math.sinh(x[i] / a)


def log_survival(p: {F1}) -> float:
    s = 0.0
    for i in range(p.shape[0]):
        s += math.log1p(-p[i])
    return s


def growth(rate: float, years: int) -> float:
    return math.expm1(rate * years)


def log_factorials(n: {F1}, out: {F1}):
    for i in range(n.shape[0]):
        out[i] = math.lgamma(n[i] + 1.0)


def norms(x: {F1}, y: {F1}, out: {F1}):
    for i in range(x.shape[0]):
        out[i] = math.hypot(x[i], y[i]) + math.gamma(2.5)
"""

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 709.0, 710.0, -710.0, 1e308, -1e308, np.inf, -np.inf, np.nan, 5e-324]


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"math_domain_{request.param}")
    src = folder / "math_domain.py"
    src.write_text(SOURCE)
    return compile_and_import(src, folder, f"math_domain_{request.param}", "--targets", "cpu", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def vector(edge: float, n: int = 6) -> np.ndarray:
    """An ordinary vector with one edge value in the middle (the writes before it must match)."""
    v = np.linspace(-2.0, 2.0, n)
    if n:
        v[n // 2] = edge
    return v


@pytest.mark.parametrize("edge", EDGES)
def test_edges_raise_like_cpython(mod, edge):
    outcomes = set()
    for n in (6, 1, 0):
        t = vector(edge, n)
        outcomes.add(run_both(mod, "oscillator", t, np.zeros(n), 3.0, 0.1).status)
        outcomes.add(run_both(mod, "slope", t, np.zeros(n)).status)
        outcomes.add(run_both(mod, "catenary", t, np.zeros(n), 1.0).status)
        outcomes.add(run_both(mod, "catenary", t, np.zeros(n), 1e-300).status)
        outcomes.add(run_both(mod, "log_survival", np.clip(t, -5.0, 2.0)).status)
        for r in run_both(mod, "oscillator", t, np.zeros(n), 3.0, 0.1), run_both(mod, "slope", t, np.zeros(n)):
            assert r.variant == "cpu", r.records
    assert run_both(mod, "growth", edge, 2).variant == "cpu"
    assert outcomes <= {"ok", "ValueError", "OverflowError"}


def test_the_raising_cases_are_reached(mod):
    """Each function raises somewhere on these inputs, so the tests above compare exceptions, not only values."""
    assert run_both(mod, "slope", vector(np.inf), np.zeros(6)).status == "ValueError"
    assert run_both(mod, "oscillator", vector(-np.inf), np.zeros(6), 1.0, 0.0).status == "ValueError"
    assert run_both(mod, "catenary", vector(1000.0), np.zeros(6), 1.0).status == "OverflowError"
    assert run_both(mod, "log_survival", np.array([0.5, 1.0, 0.25])).status == "ValueError"
    assert run_both(mod, "growth", 400.0, 2).status == "OverflowError"


def test_cpythons_own_algorithms_keep_the_original(mod):
    text = open(mod.__file__).read()
    for name in ("log_factorials", "norms"):
        assert f"_polyray_cpu_{name}" not in text, name
    # the functions are kept verbatim, under their own names
    for name in ("log_factorials", "norms"):
        assert f"def {name}(" in text and not hasattr(mod, f"_polyray_original_{name}"), name
