"""Complex division as NumPy computes it, compiled in both numerics modes (issue 16, item 2).

NumPy divides complex128 values (arrays and its scalars) with its own form of
Smith's method, where Numba uses CPython's algorithm and raises
ZeroDivisionError on a zero divisor; numba_helpers.cdiv is NumPy's loop, so
functions dividing NumPy complex numbers are compiled and give NumPy's bits,
in `exact` as in `close` mode: whole arrays (with float arrays and Python
scalars beside), elements in a loop, zero, signed-zero, inf and NaN divisors,
and the writes before an IndexError.
"""
from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, outcome

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def transfer(num: npt.NDArray[np.complex128], den: npt.NDArray[np.complex128],
                 gain: npt.NDArray[np.float64]) -> npt.NDArray[np.complex128]:
        h = num / den
        return h + gain / num + h / 2.0


    def normalize(z: npt.NDArray[np.complex128], out: npt.NDArray[np.complex128], n: int) -> None:
        for i in range(n):
            out[i] = z[i] / z[n - 1 - i]
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def modules(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"complex_division_{request.param}")
    src = d / "cdiv_kernels.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("cdiv_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return original, compile_and_import(src, d, f"cdiv_kernels_{request.param}", "--numerics", request.param)


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.view(np.float64).reshape(-1), b.view(np.float64).reshape(-1), equal_nan=True)


def test_numpy_s_bits_in_both_modes(modules, monkeypatch):
    import polyray.runtime as rt

    original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(23)
    n = 5000
    scale = 10.0 ** rng.integers(-200, 200, (2, n))
    num = rng.standard_normal(n) * scale[0] + 1j * rng.standard_normal(n) * scale[1]
    den = rng.standard_normal(n) * scale[1] + 1j * rng.standard_normal(n) * scale[0]
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, 5e-324]
    den[:49] = [complex(x, y) for x in special for y in special]
    num[49:98] = den[:49]
    gain = rng.standard_normal(n)
    with np.errstate(all="ignore"):
        want, got = original.transfer(num, den, gain), compiled.transfer(num, den, gain)
        assert rt.history()[-1]["variant"] == "cpu"
        assert _same(want, got)
        o1, o2 = np.zeros(n, complex), np.zeros(n, complex)
        original.normalize(den, o1, n)
        compiled.normalize(den, o2, n)
        assert rt.history()[-1]["variant"] == "cpu"
        assert _same(o1, o2)


def test_exceptions_and_the_writes_before_them(modules, monkeypatch):
    original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    z = np.arange(1, 9) + 1j * np.arange(8)
    o1, o2 = np.zeros(12, complex), np.zeros(12, complex)
    w1, w2 = outcome(original.normalize, z, o1, 10), outcome(compiled.normalize, z, o2, 10)
    assert w1[0] == w2[0] == "IndexError" and _same(o1, o2)
    assert outcome(original.transfer, z, z[:3], z.real)[0] == outcome(compiled.transfer, z, z[:3], z.real)[0] == "ValueError"
