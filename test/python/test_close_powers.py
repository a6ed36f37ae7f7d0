"""close mode's `**` with an integer exponent on float64 (issue 16, item 2).

NumPy computes `x ** k` for a float64 array and an integer k in its float64
power loop (the exponent converted to float64); Numba multiplies for an
integer exponent, whose last bits differ, so `exact` keeps the original. In
`close` mode the variant converts the integer side to float64 and calls the C
library's pow, within the ULP bound measured for np.power (ULP_BOUNDS, the ULP
table in docs/reliability.md): per element, NaN/inf positions and dtypes
exactly the original's. Exponents as Python ints (literals, negative ones, a
parameter), an integer array, and an integer base under a float exponent; the
NPBench-style arc distance (adist) as written there.
"""
from __future__ import annotations

import importlib.util
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import

spec = importlib.util.spec_from_file_location("measure_ulp", ROOT / "scripts" / "measure_ulp.py")
measure_ulp = importlib.util.module_from_spec(spec)
assert spec.loader
sys.modules["measure_ulp"] = measure_ulp
spec.loader.exec_module(measure_ulp)

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def arc_distance(theta_1: npt.NDArray[np.float64], phi_1: npt.NDArray[np.float64],
                     theta_2: npt.NDArray[np.float64], phi_2: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        temp = np.sin((theta_2 - theta_1) / 2)**2 + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2)**2
        distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
        return distance_matrix
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("close_powers")
    src = d / "power_kernels.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("power_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return (original,
            compile_and_import(src, d, "power_kernels_exact", "--numerics", "exact"),
            compile_and_import(src, d, "power_kernels_close", "--numerics", "close"))


def test_integer_exponents_within_the_power_bound(modules, monkeypatch, tmp_path):
    import polyray.runtime as rt

    original, exact, close = modules
    assert not hasattr(exact, "_polyray_dispatch_arc_distance")  # exact: the original, bit for bit
    k_bound = measure_ulp.documented_bounds()["power"]["float64"]
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(19)
    x = rng.uniform(-30, 30, 20_000)
    x[:10] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1e308, -1e-300, 1.0, -1.0]
    e = rng.integers(-40, 40, x.size)
    for k in (0, 1, 2, 5, -1, -7, 64):
        with np.errstate(all="ignore"):
            want = [x ** 3, x ** k, 2 ** x, x ** -2, x ** e]
            got = _pieces(close, x, k, e, tmp_path)
        for w, g in zip(want, got):
            assert g.dtype == w.dtype == np.float64
            d, mismatch = measure_ulp.ulp_distance(w, g)
            assert mismatch == 0 and d <= k_bound, (k, d, mismatch)
    a = rng.uniform(0, 3, (4, 300))
    got = close.arc_distance(*a)
    assert rt.history()[-1]["variant"] == "cpu"
    want = original.arc_distance(*a)
    # sin, cos, squares, a sum, arctan2 and sqrt: each within its K, composed; far below allclose's 1e-5
    np.testing.assert_allclose(got, want, rtol=64 * np.finfo(float).eps, atol=0)


def _pieces(close, x, k, e, folder):
    """The compiled powers, one function each (each compiled once, into a folder of its own under `folder`)."""
    return [_one(close, expr, x, k, e, folder) for expr in ("x ** 3", "x ** k", "2 ** x", "x ** -2", "x ** e")]


_COMPILED: dict[str, object] = {}


def _one(close, expr, x, k, e, folder):
    import polyray.runtime as rt

    if expr not in _COMPILED:
        d = folder / f"one_power_{len(_COMPILED)}"
        d.mkdir()
        src = d / "one_power.py"
        src.write_text("import numpy as np\nimport numpy.typing as npt\n\n\n"
                       "def f(x: npt.NDArray[np.float64], k: int, e: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:\n"
                       f"    return {expr}\n")
        name = f"one_power_{len(_COMPILED)}"
        _COMPILED[expr] = compile_and_import(src, d, name, "--numerics", "close")
    out = _COMPILED[expr].f(x, k, e)
    assert rt.history()[-1]["variant"] == "cpu", (expr, rt.history()[-1])
    return out
