"""np.abs / abs() of complex arrays as NumPy computes them, compiled in both numerics modes.

Found by the fuzzer (families.ArrayFn, seed 70000006): NumPy's complex absolute loop is
SIMD, `larger * sqrt(fma(r, r, 1))` with r = smaller / larger, not the C library's hypot
that Numba's np.abs and abs() call, so a third of the compiled magnitudes differed in the
last bit, in `exact` mode too. complex_helpers.cabs does what NumPy's loop does on this
machine (types/complex-ops.ts); abs() of one complex number stays hypot on both sides
(CPython's and NumPy's scalar abs); complex64 keeps the original. np.square of one complex
number is NumPy's scalar path, which does not fuse (complex_helpers.csquare_scalar).
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def magnitudes(Z: npt.NDArray[np.complex128], W: npt.NDArray[np.complex128]):
        n = Z.shape[0]
        r = np.abs(Z - W)
        q = abs(Z)
        out = np.empty(n)
        for i in range(n):
            out[i] = np.abs(Z[i]) + r[i] + q[i] + abs(W[i])
        return r, q, out


    def field_strength(E: np.ndarray[tuple[int, int], np.dtype[np.complex128]]) -> npt.NDArray[np.float64]:
        amp = np.absolute(E)
        amp[amp < 1.0] = 0.0
        return amp


    def narrow(Z: npt.NDArray[np.complex64]) -> npt.NDArray[np.float32]:
        return np.abs(Z)


    def squares(Z: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
        out = np.empty_like(Z)
        for i in range(Z.shape[0]):
            out[i] = np.square(Z[i]) + np.square(Z)[i]
        return out
''')

SPECIAL = np.array([complex(x, y) for x in (0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e300, 5e-324)
                    for y in (0.0, -0.0, -2.0, np.inf, np.nan, -1e-310)])


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"complex_abs_{request.param}")
    src = d / "cabs_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"cabs_kernels_{request.param}", "--numerics", request.param)


def _complex(rng, n):
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.exp(rng.uniform(-30, 30, n))


def test_magnitudes_bit_for_bit(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(7)
    z, w = _complex(rng, 4001), _complex(rng, 4001)
    z[: len(SPECIAL)] = SPECIAL
    w[len(SPECIAL): 2 * len(SPECIAL)] = SPECIAL
    assert run_both(mod, "magnitudes", z, w).variant == "cpu"
    assert run_both(mod, "magnitudes", z[1::3], w[::3]).variant == "cpu"  # strided
    assert run_both(mod, "magnitudes", z[:0], w[:0]).variant == "cpu"
    assert run_both(mod, "magnitudes", z, w[:5], loose_messages=("ValueError",)).status == "ValueError"  # no broadcast


def test_two_dimensional_and_transposed(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(8)
    e = _complex(rng, 60 * 47).reshape(60, 47)
    assert run_both(mod, "field_strength", e).variant == "cpu"
    assert run_both(mod, "field_strength", e.T).variant == "cpu"


def test_complex64_keeps_the_original(mod, monkeypatch):
    # NumPy's complex64 loop computes in float32 (a third differs from Numba's): no variant
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    z = _complex(np.random.default_rng(9), 257).astype(np.complex64)
    assert not hasattr(mod, "_polyray_original_narrow")  # not accelerated: kept verbatim under its name
    assert mod.narrow(z).tobytes() == np.abs(z).tobytes()


def test_square_of_one_complex_number_is_not_fused(mod, monkeypatch):
    # NumPy's np.square of a scalar multiplies without fusing, its array loop fuses (found by the
    # GPU-forms tests: 1e300+inf*j squared is nan+inf*j as a scalar, -inf+inf*j in an array)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    z = _complex(np.random.default_rng(12), 2001)
    z[: len(SPECIAL)] = SPECIAL
    z[len(SPECIAL)] = complex(1e300, np.inf)
    assert run_both(mod, "squares", z).variant == "cpu"


def test_helper_matches_numpy_on_wide_and_special_values():
    from polyray.runtime.complex_helpers import cabs

    rng = np.random.default_rng(10)
    with np.errstate(all="ignore"):
        z = rng.standard_normal(100_000) * 10.0 ** rng.integers(-320, 309, 100_000) \
            + 1j * rng.standard_normal(100_000) * 10.0 ** rng.integers(-320, 309, 100_000)
    z[: len(SPECIAL)] = SPECIAL
    for x in (z, z[::7], z[:99_990].reshape(-1, 10).T, SPECIAL):
        with np.errstate(all="ignore"):
            want, got = np.abs(x), cabs(x)
        assert want.dtype == got.dtype and want.tobytes() == got.tobytes()
    with np.errstate(all="ignore"):  # np.abs of one complex number: the same loop
        assert all(np.float64(np.abs(v)).tobytes() == np.float64(cabs(v)).tobytes() for v in z[:200])
