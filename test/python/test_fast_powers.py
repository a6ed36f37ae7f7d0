"""`x ** 0.5` and np.power(x, 0.5) as NumPy computes them, in both numerics modes.

NumPy takes the square root for an exponent of 0.5: `array ** 0.5` with a Python float is np.sqrt
(fast_scalar_power), and np.power of float64s with one scalar exponent 0.5 is sqrt in its loop. pow
differs there in signed zeros and infinities (-0.0 ** 0.5 is -0.0 and -inf ** 0.5 nan in NumPy, +0.0 and
inf in pow; (inf + 1j) ** 0.5 is inf + 0j, cpow's inf + nanj). The fuzzer's seed 8000 found close mode
computing `W ** 0.5` of a complex array through cpow (program 26). numba_helpers.pow_fop and
complex_helpers.cpow_fop decide per call, with glibc's csqrt (complex_helpers.csqrt, bit for bit): the
literal 0.5 is compiled in `exact` mode too; the general complex power keeps NumPy's NaN/inf positions
where a modulus overflows or is subnormal (glibc's cexp and clog scaling).
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


    def rms_roots(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return (x * y) ** 0.5 + np.power(x, 0.5)


    def scaled_root(x: npt.NDArray[np.float64], p: float) -> npt.NDArray[np.float64]:
        return x ** p - np.power(x, p)


    def complex_root(W: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
        r = W ** 0.5
        return r


    def complex_powers(W: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
        return W ** 1.5 + np.power(W, -0.3)


    def complex_root_by(W: npt.NDArray[np.complex128], p: float) -> npt.NDArray[np.complex128]:
        return W ** p
''')

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e308, 1.7e308, 5e-324, 1e-310, 2.5, -4.0]


@pytest.fixture(scope="module", params=["exact", "close"])
def modules(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"fast_powers_{request.param}")
    src = d / "fast_powers.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("fast_powers", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return request.param, original, compile_and_import(src, d, f"fast_powers_{request.param}", "--numerics", request.param)


def _floats(a) -> np.ndarray:
    a = np.asarray(a)
    return a.view(np.float64).reshape(-1) if a.dtype.kind == "c" else a.reshape(-1)


def _same(a, b) -> bool:
    """Bit for bit (any NaN equals any NaN; -0.0 differs from 0.0)."""
    a, b = np.asarray(a), np.asarray(b)
    x, y = _floats(a), _floats(b)
    return a.dtype == b.dtype and a.shape == b.shape and bool(((x.view(np.uint64) == y.view(np.uint64)) | (np.isnan(x) & np.isnan(y))).all())


def _positions(a) -> np.ndarray:
    x = _floats(a)
    return np.stack([np.isnan(x), np.isinf(x), np.signbit(x) & ~np.isnan(x)])


def _power_bound(base, exponent) -> np.ndarray:
    """complex_helpers.cpow's bound (types/complex-ops.ts COMPLEX_POWER_BOUND) on one power's error."""
    with np.errstate(all="ignore"):
        return 16 * np.finfo(float).eps * (1 + np.abs(exponent * np.log(base))) * np.abs(np.power(base, exponent))


def _complex_inputs(n: int = 3000) -> np.ndarray:
    rng = np.random.default_rng(8000)
    scale = 10.0 ** rng.integers(-320, 308, (2, n))
    W = rng.standard_normal(n) * scale[0] + 1j * rng.standard_normal(n) * scale[1]
    grid = [complex(x, y) for x in SPECIAL for y in SPECIAL]
    W[: len(grid)] = grid
    return W


def test_float_roots_are_numpy_s_sqrt(modules, monkeypatch):
    import polyray.runtime as rt

    mode, original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    x = np.concatenate([SPECIAL, rng.standard_normal(500) * 10.0 ** rng.integers(-300, 300, 500)])
    y = x[::-1].copy()
    with np.errstate(all="ignore"):
        assert _same(original.rms_roots(x, y), compiled.rms_roots(x, y))
        assert rt.history()[-1]["variant"] == "cpu"  # the literal 0.5 is sqrt: exact in both modes
        for p in (0.5, np.float64(0.5), 1.5, -0.5):
            want, got = original.scaled_root(x, p), compiled.scaled_root(x, p)
            if mode == "exact":
                assert _same(want, got)  # refused: the original ran
                continue
            assert rt.history()[-1]["variant"] == "cpu"
            assert (_positions(want) == _positions(got)).all(), p
            if p == 0.5:
                assert _same(want, got)


def test_complex_root_is_glibc_s_csqrt_bit_for_bit(modules, monkeypatch):
    import polyray.runtime as rt

    mode, original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    W = _complex_inputs()
    with np.errstate(all="ignore"):
        assert _same(original.complex_root(W), compiled.complex_root(W))
        assert rt.history()[-1]["variant"] == "cpu"
        assert _same(original.complex_root(W[::3]), compiled.complex_root(W[::3]))


def test_complex_powers_keep_numpy_s_nan_and_inf_positions(modules, monkeypatch):
    import polyray.runtime as rt

    mode, original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    W = _complex_inputs()
    with np.errstate(all="ignore"):
        want, got = original.complex_powers(W), compiled.complex_powers(W)
        if mode == "exact":
            assert _same(want, got)
            return
        assert rt.history()[-1]["variant"] == "cpu"
        assert (_positions(want.real) == _positions(got.real)).all() and (_positions(want.imag) == _positions(got.imag)).all()
        # each term's error within its bound where NumPy's terms are finite and normal
        terms = [np.power(W, 1.5), np.power(W, -0.3)]
        fine = np.all([np.isfinite(t) & (np.abs(t) > 1e-300) & (np.abs(t) < 1e300) for t in terms], axis=0)
        assert fine.sum() > 1500
        bound = _power_bound(W[fine], 1.5) + _power_bound(W[fine], -0.3)
        assert (np.abs(got[fine] - want[fine]) <= bound).all()


def test_a_float_variable_exponent_of_a_complex_array_keeps_the_original(modules, monkeypatch):
    # NumPy: sqrt for a Python float 0.5, cpow for np.float64(0.5) ((inf + 1j) ** p: inf + 0j against inf + nanj)
    mode, original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    W = np.array([complex(np.inf, 1.0), 1e308j, -0.0 + 0j])
    with np.errstate(all="ignore"):
        for p in (0.5, np.float64(0.5), 2.5):
            assert _same(original.complex_root_by(W, p), compiled.complex_root_by(W, p))
    assert not hasattr(compiled, "_polyray_cpu_complex_root_by")  # no CPU variant: the original runs


def test_bad_inputs_raise_as_numpy_does(modules, monkeypatch):
    mode, original, compiled = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.arange(6.0)
    assert outcome(original.rms_roots, x, x[:4])[0] == outcome(compiled.rms_roots, x, x[:4])[0] == "ValueError"
    W = np.arange(4) + 1j
    assert outcome(original.complex_root, W.real)[0] == outcome(compiled.complex_root, W.real)[0]
