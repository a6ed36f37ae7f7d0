"""Complex products and powers as NumPy computes them, compiled in both numerics modes (issue 17).

NumPy multiplies complex arrays with fused multiply-adds where its SIMD loop has
them (np.square and `a ** 2` too), its scalars without; np.power and the
operator's other exponents run nc_pow, repeated squaring for integer exponents
under 100 in magnitude and the C library's cpow otherwise. The runtime's
complex_helpers reproduce the first two bit for bit (`exact` class); the
general power is `close` only, within COMPLEX_POWER_BOUND (src/compiler/types/
complex-ops.ts). Kernels written the way people write them: Mandelbrot escape
counts with a mask, polynomial evaluation, a contour integral over complex
points with a linear solve, in-place updates through a view.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, outcome, run_both

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def escape(xmin: float, xmax: float, ymin: float, ymax: float, xn: int, yn: int, maxiter: int, horizon: float = 2.0):
        X = np.linspace(xmin, xmax, xn, dtype=np.float64)
        Y = np.linspace(ymin, ymax, yn, dtype=np.float64)
        C = X + Y[:, None] * 1j
        N = np.zeros(C.shape, dtype=np.int64)
        Z = np.zeros(C.shape, dtype=np.complex128)
        for n in range(maxiter):
            I = np.less(abs(Z), horizon)
            N[I] = n
            Z[I] = Z[I]**2 + C[I]
        N[N == maxiter - 1] = 0
        return Z, N


    def products(a: npt.NDArray[np.complex128], b: npt.NDArray[np.complex128], x: npt.NDArray[np.float64]):
        p = a * b + x * a
        q = np.multiply(a, b) - np.square(b)
        r = a ** 3 - b ** -1 + a ** 2 * 0.5j
        s = np.power(a, 5) + np.power(b, -3)
        return p, q, r, s


    def chirp(t: npt.NDArray[np.float64], f0: float, k: float):
        phase = 2.0 * np.pi * (f0 * t + 0.5 * k * t * t)
        return np.exp(1j * phase), np.exp(-2.0j * np.pi * t / 8)


    def rotate(z: npt.NDArray[np.complex128], w: complex, k: int) -> None:
        half = z[: len(z) // 2]
        half *= w
        z[k:] *= z[k:]


    def elementwise(z: npt.NDArray[np.complex128], w: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
        n = z.shape[0]
        out = np.empty(n, dtype=np.complex128)
        for i in range(n):
            out[i] = z[i] * w[i] + z[i] ** 2
        return out


    def horner_powers(z: np.ndarray[tuple[int], np.dtype[np.complex128]], coeffs: npt.NDArray[np.float64]):
        out = np.zeros_like(z)
        for k in range(len(coeffs)):
            out += coeffs[k] * z ** k
        return out


    def contour(NR: int, NM: int, slab: int, Ham: np.ndarray[tuple[int, int, int], np.dtype[np.complex128]],
                pts: np.ndarray[tuple[int], np.dtype[np.complex128]], Y: np.ndarray[tuple[int, int], np.dtype[np.complex128]]):
        P0 = np.zeros((NR, NM), dtype=np.complex128)
        P1 = np.zeros((NR, NM), dtype=np.complex128)
        for z in pts:
            Tz = np.zeros((NR, NR), dtype=np.complex128)
            for n in range(slab + 1):
                zz = np.power(z, slab / 2 - n)
                Tz += zz * Ham[n]
            X = np.linalg.solve(Tz, Y)
            if abs(z) < 1.0:
                X = -X
            P0 += X
            P1 += z * X
        return P0, P1
''')

EPS = np.finfo(np.float64).eps


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"complex_ops_{request.param}")
    src = d / "cplx_kernels.py"
    src.write_text(KERNELS)
    m = compile_and_import(src, d, f"cplx_kernels_{request.param}", "--numerics", request.param)
    m.mode = request.param
    return m


def _complex(rng, n, spread=3.0):
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-spread, spread, n))


SPECIAL = np.array([complex(x, y) for x in (0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e300) for y in (0.0, -0.0, -2.0, np.inf, np.nan)])


def test_mandelbrot_escape_counts_bit_for_bit(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    ran = run_both(mod, "escape", -1.75, 0.25, -1.0, 1.0, 41, 37, 30)
    assert ran.variant == "cpu"
    ran = run_both(mod, "escape", -2.0, 1.0, -1.5, 1.5, 1, 0, 5)  # an empty grid
    assert ran.status == "ok"


def test_products_squares_and_integer_powers_bit_for_bit(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    a, b, x = _complex(rng, 3001), _complex(rng, 3001), rng.standard_normal(3001)
    a[: len(SPECIAL)] = SPECIAL
    b[len(SPECIAL): 2 * len(SPECIAL)] = SPECIAL
    assert run_both(mod, "products", a, b, x).variant == "cpu"
    assert run_both(mod, "products", a[1::3], b[2::3], x[1::3]).variant == "cpu"  # strided views
    assert run_both(mod, "products", a, b[:7], x, loose_messages=("ValueError",)).status == "ValueError"  # shapes that do not broadcast
    assert run_both(mod, "products", a[:0], b[:0], x[:0]).status == "ok"


def test_complex_exponentials(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    t = np.linspace(0.0, 3.0, 2001)
    assert run_both(mod, "chirp", t, 5.0, 40.0).variant == "cpu"
    assert run_both(mod, "chirp", np.array([0.0, np.inf, -np.inf, np.nan, 1e300]), 1.0, 1.0).variant == "cpu"


def test_in_place_products_through_views(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(6)
    z = _complex(rng, 101)
    ran = run_both(mod, "rotate", z, 0.3 - 0.9j, 40)
    assert ran.variant == "cpu"
    run_both(mod, "rotate", z, 1j, 200)  # an empty slice
    run_both(mod, "rotate", SPECIAL.copy(), complex(np.inf, 1), 3)


def test_element_loops_multiply_as_numpy_scalars_do(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(7)
    z, w = _complex(rng, 500), _complex(rng, 500)
    assert run_both(mod, "elementwise", z, w).variant == "cpu"
    assert run_both(mod, "elementwise", z, w[:10]).status == "IndexError"


def _within_power_bound(got, want, base, expo):
    """COMPLEX_POWER_BOUND per element: 16 eps (1 + |b log a|) |a**b|."""
    with np.errstate(all="ignore"):
        w = np.abs(expo * np.log(base))
        ok = np.isfinite(want) & (np.abs(want) > 1e-290)
        bound = 16 * EPS * (1 + w) * np.abs(want)
        return np.all(np.abs(got - want)[ok] <= bound[ok]) and np.array_equal(np.isnan(got), np.isnan(want))


def test_variable_integer_exponents_are_close_only(mod, monkeypatch):
    """`z ** k` with k a loop counter: 2 and -1 take NumPy's fast paths, |k| >= 100 the C library's cpow."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(8)
    z, coeffs = _complex(rng, 200, 0.5), rng.standard_normal(6)
    if mod.mode == "exact":  # the function keeps only its original
        assert not hasattr(mod, "_polyray_original_horner_powers")
        return
    import polyray.runtime as rt
    rt.clear_history()
    got = mod.horner_powers(z, coeffs)
    assert rt.history()[-1]["variant"] == "cpu"
    want = mod._polyray_original_horner_powers(z, coeffs)
    # below 100 every power is NumPy's own product sequence: the same bits
    assert got.tobytes() == want.tobytes()


def test_contour_integral_with_float_exponents(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(42)

    def rc(shape):
        return rng.random(shape) + rng.random(shape) * 1j

    for slab in (2, 3):  # integer-valued exponents, then halves (the C library's cpow in NumPy)
        NR, NM = 6, 9
        Ham, pts, Y = rc((slab + 1, NR, NR)), rc((12,)), rc((NR, NM))
        if mod.mode == "exact":  # the solve and the general power keep the original
            assert not hasattr(mod, "_polyray_original_contour")
            continue
        import polyray.runtime as rt
        rt.clear_history()
        got = mod.contour(NR, NM, slab, Ham, pts, Y)
        assert rt.history()[-1]["variant"] == "cpu"
        want = mod._polyray_original_contour(NR, NM, slab, Ham, pts, Y)
        for g, w in zip(got, want):
            # a linear solve per point (the product class): relative to the solution's size
            assert np.abs(g - w).max() <= 1e-10 * np.abs(w).max()
    if mod.mode == "close":
        assert outcome(mod.contour, 6, 9, 2, Ham, pts, Y[:5])[0] == outcome(mod._polyray_original_contour, 6, 9, 2, Ham, pts, Y[:5])[0] == "ValueError"


def test_power_helper_general_path_within_its_bound():
    """The general path (non-integer exponents): the documented bound, on random and special values."""
    from polyray.runtime import complex_helpers as ch
    rng = np.random.default_rng(9)
    a = _complex(rng, 20000, 4.0)
    for b in (rng.uniform(-3, 3, a.size) + 0.5, rng.uniform(-2, 2, a.size) + 1j * rng.uniform(-2, 2, a.size),
              rng.uniform(-20, 20, a.size) + 1j * rng.uniform(-20, 20, a.size)):
        with np.errstate(all="ignore"):
            assert _within_power_bound(ch.cpow(a, b), np.power(a, b), a, b)
    A, B = np.meshgrid(SPECIAL, np.array([0.5, -0.5, 2.5, 1j, np.nan, -1 + 1j, 0.0, 3.0]))
    with np.errstate(all="ignore"):
        got, want = ch.cpow(A, B), np.power(A, B)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(np.isinf(got), np.isinf(want))
