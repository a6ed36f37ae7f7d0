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
    # NumPy's complex array loop, fused where NumPy's is (runtime/complex_helpers.py)
    assert "z[_polyray_e0] = _polyray_h_cmul(z[_polyray_e0], 2.0) - _polyray_h_cmul(w[_polyray_e0], 1 + 1j)" in body
    assert "w[_polyray_e0] = _polyray_h_cmul(w[_polyray_e0], 0.5)" in body


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


def test_implicit_loops_fused_and_parallel(mod):
    """Statements that reference the same elements share one loop nest, whose outermost loop is prange."""
    body = cpu_body(mod, "chain")
    fused = body.split("_polyray_prange(")[1]
    for line in ("t[0 + _polyray_e0] = a[0 + _polyray_e0] * b[0 + _polyray_e0]",
                 "out[0 + _polyray_e0] = t[0 + _polyray_e0] + c[0 + _polyray_e0]",
                 "out[0 + _polyray_e0] *= 0.5"):
        assert line in fused
    assert "c[1 + _polyray_e0]" not in fused, "reads out one element on: a loop of its own"
    assert body.count("_polyray_prange(") == 2
    # a scalar read of a written array keeps the statements apart
    apart = cpu_body(mod, "scalar_between")
    assert apart.count("_polyray_prange(") == 2 and "y[_polyray_e0] = x[_polyray_e0] + y[_polyray_e0] * x[0]" in apart
    stencil = cpu_body(mod, "stencil_steps")
    assert "for t in range(steps):" in stencil and stencil.count("_polyray_prange(") == 2, "prange inside the time loop"
    blend = cpu_body(mod, "blend")
    assert blend.count("_polyray_prange(out.shape[0])") == 1 and "for _polyray_e1 in range(out.shape[1]):" in blend
    # inside a prange loop the implicit loops stay sequential
    scale = cpu_body(mod, "scale_rows")
    assert scale.count("_polyray_prange(") == 1 and "for _polyray_e0 in range(C.shape[1]):" in scale


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("size,n", [(0, 0), (1, 1), (7, 7), (9, 5), (5, 9), (1000, 1000)])
def test_chain_matches_numpy(mod, monkeypatch, form, size, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(size + n)
    args = [rng.standard_normal(size) for _ in range(5)]
    copies = [a.copy() for a in args]
    assert outcome(mod.chain, *args, n) == outcome(mod._polyray_original_chain, *copies, n)
    for got, want in zip(args, copies):
        same(got, want)
    if n <= size:
        assert rt.history()[-1]["variant"] == "cpu"


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("n,steps", [(0, 3), (1, 2), (2, 2), (3, 1), (50, 7), (4000, 20)])
def test_stencil_steps_matches_numpy(mod, monkeypatch, form, n, steps):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(n)
    A1, B1 = rng.standard_normal(n), rng.standard_normal(n)
    A2, B2 = A1.copy(), B1.copy()
    assert outcome(mod.stencil_steps, A1, B1, steps) == outcome(mod._polyray_original_stencil_steps, A2, B2, steps)
    same(A1, A2)
    same(B1, B2)
    if n >= 2:
        assert rt.history()[-1]["variant"] == "cpu"


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("shape_a,shape_out", [((0, 0), (0, 0)), ((3, 4), (3, 4)), ((64, 33), (64, 33)), ((1, 4), (3, 4)), ((3, 4), (4, 3))])
def test_blend_and_scalar_between(mod, monkeypatch, form, shape_a, shape_out):
    """a with one row broadcasts in NumPy and a transposed shape raises: the guard sends both to the original."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(sum(shape_a))
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_a)
    out1 = rng.standard_normal(shape_out)
    out2 = out1.copy()
    assert outcome(mod.blend, a, b, out1) == outcome(mod._polyray_original_blend, a, b, out2)
    same(out1, out2)
    assert rt.history()[-1]["variant"] == ("cpu" if shape_a == shape_out else "original")
    x1, y1 = rng.standard_normal(6), rng.standard_normal(6)
    x2, y2 = x1.copy(), y1.copy()
    mod.scalar_between(x1, y1)
    mod._polyray_original_scalar_between(x2, y2)
    same(x1, x2)
    same(y1, y2)


def test_temporaries_contracted_or_allocated(mod):
    body = cpu_body(mod, "temporaries")
    assert "empty_like" not in body and body.count("_polyray_prange(") == 1
    assert "t = a[_polyray_e0, _polyray_e1] * b[_polyray_e0, _polyray_e1]" in body
    assert "u = t * alpha - a[_polyray_e0, _polyray_e1]" in body
    kept = cpu_body(mod, "kept_temporary")
    assert "d = _polyray_np.empty((a.shape[0],), _polyray_np.float64)" in kept and "d[_polyray_e0] = (a[_polyray_e0] - b[_polyray_e0]) / 2.0" in kept


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("shape_a,shape_b", [((0, 0), (0, 0)), ((1, 1), (1, 1)), ((5, 7), (5, 7)), ((200, 300), (200, 300)), ((1, 7), (5, 7)), ((5, 7), (5, 1))])
def test_temporaries_match_numpy(mod, monkeypatch, form, shape_a, shape_b):
    """Broadcasting operands (b of one column) and mismatched ones send the call to the original."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(sum(shape_a) * 7 + sum(shape_b))
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    shape_out = np.broadcast_shapes(shape_a, shape_b) if shape_a[0] <= shape_b[0] else shape_a
    out1 = rng.standard_normal(shape_out)
    out2 = out1.copy()
    assert outcome(mod.temporaries, a, b, out1, -1.5) == outcome(mod._polyray_original_temporaries, a, b, out2, -1.5)
    same(out1, out2)
    assert rt.history()[-1]["variant"] == ("cpu" if shape_a == shape_b else "original")


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("na,nb,n", [(0, 0, 0), (1, 1, 1), (6, 6, 6), (6, 6, 9), (6, 1, 4), (1000, 1000, 1000)])
def test_kept_and_broadcast_temporaries(mod, monkeypatch, form, na, nb, n):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(na * 3 + nb + n)
    a1, b = rng.standard_normal(na), rng.standard_normal(nb)
    a2 = a1.copy()
    got, want = outcome(mod.kept_temporary, a1, b, n), outcome(mod._polyray_original_kept_temporary, a2, b, n)
    assert got[0] == want[0] and (got[0] != "ok" or np.array_equal(got[1], want[1]))
    same(a1, a2)
    out1 = np.zeros(max(na, nb))
    out2 = out1.copy()
    assert outcome(mod.broadcast_temporary, a1, b, out1) == outcome(mod._polyray_original_broadcast_temporary, a2, b, out2)
    same(out1, out2)
    assert rt.history()[-1]["variant"] == ("cpu" if na == nb else "original")


def test_loops_after_a_matmul_run_in_parallel(mod):
    """D = A @ B.T and y = np.dot(A, x) have shapes the guard checks: the loops reading them are proven in bounds."""
    body = cpu_body(mod, "after_matmul")
    assert "D = _polyray_h_matmul(A, B.T)" in body and "for _polyray_k_i in _polyray_prange(C.shape[0]):" in body


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("n,k,m,cn,cm", [(0, 0, 0, 0, 0), (1, 1, 1, 1, 1), (4, 3, 5, 4, 5), (40, 30, 50, 40, 50), (4, 3, 5, 3, 2), (4, 3, 5, 5, 5), (4, 3, 5, 4, 6)])
@pytest.mark.parametrize("bad", ["", "inner", "x"])
def test_after_matmul_matches_numpy(mod, monkeypatch, form, n, k, m, cn, cm, bad):
    """C larger than D (IndexError), or inner dimensions that differ (ValueError): the original runs and raises."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(n + 10 * k + 100 * m)
    A = rng.standard_normal((n, k))
    B = rng.standard_normal((m, k + (bad == "inner")))
    x = rng.standard_normal(k + (bad == "x"))
    C1 = rng.standard_normal((cn, cm))
    C2 = C1.copy()
    got = outcome(mod.after_matmul, A, B, C1, x)
    want = outcome(mod._polyray_original_after_matmul, A, B, C2, x)
    assert got[0] == want[0]
    same(C1, C2)
    fits = not bad and cn <= n and cm <= m
    assert rt.history()[-1]["variant"] == ("cpu" if fits else "original"), rt.history()[-1]["reason"]


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (5, 5), (300, 300), (3, 4), (1, 3)])
def test_transposes_match_numpy(mod, monkeypatch, form, shape):
    """A.T is read with the implicit loops in reverse; a non-square A raises in NumPy, and the guard sends it there."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    assert "(A[_polyray_e0, _polyray_e1] + A[_polyray_e1, _polyray_e0]) * 0.5" in cpu_body(mod, "symmetrize")
    rng = np.random.default_rng(shape[0] * 5 + shape[1])
    A1, S1 = rng.standard_normal(shape), rng.standard_normal(shape)
    A2, S2 = A1.copy(), S1.copy()
    assert outcome(mod.symmetrize, A1, S1, 0.25) == outcome(mod._polyray_original_symmetrize, A2, S2, 0.25)
    same(A1, A2)
    same(S1, S2)
    assert rt.history()[-1]["variant"] == ("cpu" if shape[0] == shape[1] else "original")


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("rows,cols,mcols", [(0, 0, 0), (1, 1, 1), (5, 7, 7), (300, 200, 200), (5, 7, 1), (5, 7, 6), (5, 1, 7)])
def test_rank_broadcasting_matches_numpy(mod, monkeypatch, form, rows, cols, mcols):
    """mean and std line up with data's columns; a length-1 mean stretched, or a wrong length, goes to NumPy."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    body = cpu_body(mod, "standardize")
    assert "centered = data[_polyray_e0, _polyray_e1] - mean[_polyray_e1]" in body and "empty" not in body
    rng = np.random.default_rng(rows + cols + mcols)
    data1, mean, std = rng.standard_normal((rows, cols)), rng.standard_normal(mcols), rng.random(mcols) + 0.5
    out1 = np.zeros((rows, max(cols, mcols)))
    data2, out2 = data1.copy(), out1.copy()
    assert outcome(mod.standardize, data1, mean, std, out1) == outcome(mod._polyray_original_standardize, data2, mean, std, out2)
    same(data1, data2)
    same(out1, out2)
    # (data[0, :] with no rows: IndexError, from the original)
    assert rt.history()[-1]["variant"] == ("cpu" if cols == mcols and rows > 0 else "original")


def test_implicit_loops_as_gpu_kernels_under_the_simulator():
    """Lowered statements outside prange loops are GPU kernels of their own (one thread per element,
    a 2-d grid for 2-d statements); inside a prange loop, element loops in the thread; D = A @ B.T
    is computed on the device and read by a kernel; a column sweep written with slices in a loop. Same bits
    as NumPy."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("POLYRAY_TARGET", None)
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("gpu_sim_lowered.py"))], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = {r["kernel"]: r for r in map(json.loads, (line for line in proc.stdout.splitlines() if line.startswith("{")))}
    assert len(results) == 14, results
    for name, r in results.items():
        assert "error" not in r, r
        assert r["has_gpu"], r
        assert r["variant"] == ("original" if name == "roots_raises" else "gpu"), r
        assert r["equal"], r
    # a flagged kernel: nothing copied back, the original raised as Python does
    assert results["roots_raises"]["outcome"] == "ValueError"
    assert "would raise: its device results were discarded" in results["roots_raises"]["reason"]
    # the simulator cannot run CuPy: products go through the host there, and the record says so
    assert results["after_matmul"]["products"] == "NumPy on the host (no CuPy here)"


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("rows,cols,n", [(0, 0, 0), (0, 3, 3), (3, 4, 4), (300, 200, 200), (3, 4, 2), (3, 4, 5)])
def test_integer_sum_along_an_axis_has_a_shape(mod, monkeypatch, form, rows, cols, n):
    """col = m.sum(axis=0) has m's columns: out longer than that raises IndexError in the original, via the guard."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    assert "_polyray_prange(" in cpu_body(mod, "column_counts")
    m = np.random.default_rng(rows + cols).integers(-1000, 1000, (rows, cols))
    o1 = np.zeros(n, dtype=np.int64)
    o2 = o1.copy()
    assert outcome(mod.column_counts, m, o1) == outcome(mod._polyray_original_column_counts, m, o2)
    same(o1, o2)
    assert rt.history()[-1]["variant"] == ("cpu" if n <= cols else "original")


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("n,m", [(0, 0), (1, 1), (7, 7), (8, 8), (129, 129), (100_003, 100_003), (5, 6)])
def test_float_sum_and_mean_in_numpys_order(mod, monkeypatch, form, n, m):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    body = cpu_body(mod, "normalize")
    assert "s = _polyray_h_pairwise_sum(x)" in body and "m = _polyray_h_pairwise_mean(x)" in body and "_polyray_prange(" in body
    x = np.random.default_rng(n).standard_normal(n) * 1e3
    o1, o2 = np.zeros(m), np.zeros(m)
    with np.errstate(all="ignore"):
        got, want = outcome(mod.normalize, x, o1), outcome(mod._polyray_original_normalize, x, o2)
    assert got[0] == want[0] and (got[0] != "ok" or np.array_equal(got[1], want[1], equal_nan=True) or got[1] == want[1])
    same(o1, o2)
    assert rt.history()[-1]["variant"] == ("cpu" if m <= n else "original")


@pytest.mark.parametrize("form", ["parallel", "serial"])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("shape", [(1, 1), (7, 9), (257, 129)])
def test_matrix_sum_in_numpys_order(mod, monkeypatch, form, layout, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    assert "total = _polyray_h_pairwise_sum(A)" in cpu_body(mod, "scale_to_unit_sum")
    rng = np.random.default_rng(sum(shape))
    base = rng.random((2 * shape[0], shape[1])) + 0.5
    A = {"C": np.ascontiguousarray(base[: shape[0]]), "F": np.asfortranarray(base[: shape[0]]), "strided": base[::2]}[layout]
    B1, B2 = np.zeros(shape), np.zeros(shape)
    mod.scale_to_unit_sum(A, B1)
    mod._polyray_original_scale_to_unit_sum(A, B2)
    same(B1, B2)
    rec = rt.history()[-1]
    if layout == "strided" and shape[0] > 1:
        assert rec["variant"] == "original" and "could not compile" in rec["reason"], rec
    else:
        assert rec["variant"] == "cpu", rec
