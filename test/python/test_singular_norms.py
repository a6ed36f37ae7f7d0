"""A matrix's 2-norm and -2-norm, np.linalg.norm(A, 2) and np.linalg.norm(A, -2) (issue 17; types/norms.ts,
runtime/norms.py): its largest and smallest singular value, through Numba's np.linalg.svd (LAPACK's gesdd in SciPy's
build) where NumPy uses its own. Close mode compiles them within docs/reliability.md's bound, 2*max(m,n)*eps*s_max
from NumPy's value (absolute: the -2-norm of an ill-conditioned matrix is checked against it too); exact mode keeps
the original. float64, float32 and complex128 matrices; bad inputs: NaN and inf entries (NumPy's nan or LinAlgError as
its LAPACK build decides: the guard leaves them to the original), empty matrices (0.0 for the 2-norm, NumPy's ValueError for the -2-norm), a vector's -2-norm (refused)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import

SOURCE = '''
import numpy as np


def spectral(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.linalg.norm(A, 2)


def smallest(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.linalg.norm(A, ord=-2)


def spectral32(A: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    return np.linalg.norm(A, 2)


def spectral_complex(A: np.ndarray[tuple[int, int], np.dtype[np.complex128]]):
    return np.linalg.norm(A, 2) + np.linalg.norm(A, -2)


def vector_minus_two(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    return np.linalg.norm(x, -2)


def of_a_product(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.linalg.norm(A @ A, 2)
'''
FUNCTIONS = ("spectral", "smallest", "spectral32", "spectral_complex")


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    out = {}
    for mode in ("exact", "close"):
        base = tmp_path_factory.mktemp(f"singular_norms_{mode}")
        (base / "src.py").write_text(SOURCE)
        out[mode] = compile_and_import(base / "src.py", base, f"singular_norms_{mode}", "--numerics", mode, "--targets", "cpu")
    return out


def both(mod, name, A):
    """(compiled outcome, original outcome, variant): each ("ok", value) or (exception name, message)."""
    def outcome(fn):
        try:
            return ("ok", fn(A.copy()))
        except Exception as exc:  # noqa: BLE001 - compared
            return (type(exc).__name__, str(exc))
    rt.clear_history()
    got = outcome(getattr(mod, name))
    variant = rt.history()[-1]["variant"] if rt.history() else None
    return got, outcome(getattr(mod, f"_polyray_original_{name}")), variant


def test_exact_mode_keeps_the_original_and_close_mode_compiles(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    exact, close = (Path(modules[m].__file__).read_text() for m in ("exact", "close"))
    for name in FUNCTIONS:
        assert f"def _polyray_cpu_{name}" not in exact and f"def _polyray_cpu_{name}" in close, name
    assert "def _polyray_cpu_vector_minus_two" not in close  # NumPy's vector -2-norm: a power sum, not an SVD
    assert "def _polyray_cpu_of_a_product" not in close  # (the guard checks a parameter's entries only)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (10, 7), (7, 30), (60, 40)])
def test_within_the_bound(modules, monkeypatch, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["close"]
    rng = np.random.default_rng(shape[0] * 100 + shape[1])
    A = rng.standard_normal(shape)
    # an ill-conditioned one too: singular values from 1 down to 1e-12
    u, _, vt = np.linalg.svd(A, full_matrices=False)
    ill = (u * np.logspace(0, -12, min(shape))) @ vt
    cases = [("spectral", A, np.float64), ("smallest", A, np.float64), ("smallest", ill, np.float64),
             ("spectral32", A.astype(np.float32), np.float32),
             ("spectral_complex", A + 1j * rng.standard_normal(shape), np.float64)]
    for name, M, dtype in cases:
        got, want, variant = both(mod, name, M)
        assert got[0] == want[0] == "ok" and variant == "cpu", (name, got, want, variant)
        assert np.asarray(got[1]).dtype == np.asarray(want[1]).dtype == dtype, (name, got, want)
        s_max = np.linalg.norm(M, 2)
        # (the complex case adds two norms: twice the bound, plus one rounding of the sum)
        k = 2 if name == "spectral_complex" else 1
        bound = k * 2 * max(shape) * np.finfo(dtype).eps * s_max + np.finfo(dtype).eps * abs(want[1])
        assert abs(float(got[1]) - float(want[1])) <= bound, (name, shape, got[1], want[1], bound)


def test_bad_inputs(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["close"]
    # inf and NaN entries: NumPy's nan or LinAlgError, as its LAPACK build decides; the guard leaves them to the
    # original (Numba's svd raises on both)
    for bad in (np.nan, np.inf, -np.inf):
        A = np.eye(4)
        A[1, 2] = bad
        for name in ("spectral", "smallest"):
            got, want, variant = both(mod, name, A)
            assert variant == "original" and got[0] == want[0] and str(got[1]) == str(want[1]), (name, bad, got, want, variant)
    for shape in ((0, 3), (3, 0), (0, 0)):
        got, want, variant = both(mod, "spectral", np.zeros(shape))
        assert got == want and got[0] == "ok" and type(got[1]) is type(want[1]) and variant == "cpu", (shape, got, want)
        got, want, variant = both(mod, "smallest", np.zeros(shape))
        assert got == want and got[0] == "ValueError" and variant == "cpu", (shape, got, want)
    # Fortran order and a strided view: the same bound
    A = np.random.default_rng(1).standard_normal((12, 9))
    for M in (np.asfortranarray(A), A[::2, ::3]):
        got, want, variant = both(mod, "spectral", M)
        assert variant == "cpu" and abs(got[1] - want[1]) <= 2 * 12 * np.finfo(float).eps * want[1], (got, want)
