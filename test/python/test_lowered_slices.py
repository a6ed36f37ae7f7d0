"""Slice statements as element loops: the same results, exceptions and partial writes as NumPy,
with broadcasting, clipping and negative bounds sent to the original by the guard."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import, cpu_body, outcome

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/lowered.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("lowered"), "lowered_compiled", "--targets", "cpu")


def same(a, b):
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(np.real(a)), np.signbit(np.real(b)))


def test_what_is_lowered(mod):
    assert "_polyray_prange(" in cpu_body(mod, "scale_rows") and "for _polyray_e0 in range(C.shape[1]):" in cpu_body(mod, "scale_rows")
    assert "x[_polyray_e0] *= beta" in cpu_body(mod, "between")
    assert "x[0:n] = x[0:n] * x[0]" in cpu_body(mod, "self_element")
    body = cpu_body(mod, "complex_mix")
    assert "z[_polyray_e0] = z[_polyray_e0] * 2.0 - w[_polyray_e0] * (1 + 1j)" in body
    assert "w[_polyray_e0] = w[_polyray_e0] * 0.5" in body


@pytest.mark.parametrize("rows,cols,n", [(0, 0, 0), (1, 1, 1), (4, 5, 4), (6, 3, 5), (5, 1, 5)])
@pytest.mark.parametrize("acols", ["same", "one", "more"])
def test_scale_rows_matches_numpy(mod, monkeypatch, rows, cols, n, acols):
    """A with one column broadcasts in NumPy, with more columns NumPy raises: the guard sends both to the original."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(rows * 31 + cols)
    a_cols = {"same": cols, "one": 1, "more": cols + 2}[acols]
    A = rng.standard_normal((rows, a_cols))
    C1 = rng.standard_normal((rows, cols))
    C2 = C1.copy()
    got = outcome(mod.scale_rows, C1, A, n, -0.5)
    want = outcome(mod._polyray_original_scale_rows, C2, A, n, -0.5)
    assert got == want
    same(C1, C2)
    if acols == "same" and n <= rows:
        assert rt.history()[-1]["variant"] == "cpu"
    if acols != "same" and cols != a_cols and n > 0 and rows > 0:
        rec = rt.history()[-1]
        assert rec["variant"] == "original" and "broadcast" in rec["reason"]


@pytest.mark.parametrize("nx,ny,n", [(0, 0, 0), (3, 3, 3), (4, 4, 2), (3, 1, 1), (2, 3, 3)])
def test_between_nests(mod, monkeypatch, nx, ny, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x1, y1 = np.arange(float(nx)) - 1.5, np.linspace(-1, 1, ny)
    x2, y2 = x1.copy(), y1.copy()
    assert outcome(mod.between, x1, y1, n, -0.0) == outcome(mod._polyray_original_between, x2, y2, n, -0.0)
    same(x1, x2)
    same(y1, y2)


@pytest.mark.parametrize("n", [0, 1, 3, 8, 20])
def test_self_element_and_complex(mod, monkeypatch, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x1 = np.linspace(-2, 3, 8)
    x2 = x1.copy()
    mod.self_element(x1, n)
    mod._polyray_original_self_element(x2, n)
    same(x1, x2)
    z1 = np.array([1 + 2j, -0.0 - 1j, np.inf, 3j])[: min(n, 4)]
    w1 = np.array([2 - 1j, 0.5j, -1, 1e308 + 1e308j])[: min(n, 4)]
    z2, w2 = z1.copy(), w1.copy()
    mod.complex_mix(z1, w1, min(n, 4))
    mod._polyray_original_complex_mix(z2, w2, min(n, 4))
    same(z1, z2)
    same(np.imag(z1), np.imag(z2))
    same(w1, w2)
