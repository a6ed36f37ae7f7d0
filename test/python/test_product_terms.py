"""Product loops whose update adds several product terms (syr2k's `C[i, j] += A[j, k] * alpha * B[i, k] +
B[j, k] * alpha * A[i, k]`): close mode computes one BLAS product per term before the nest, a term that is
another's transpose reads that product transposed (poly/product-loops.ts, codegen/product-loops.ts). Kernels
as scientists write them, against the original within close_bounds.product_terms_bound per element; exact
mode keeps the loops bit for bit; a term that is not a product keeps the loops; bad sizes and aliased
arguments run the original."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, cpu_body, run_both
from polyray.runtime.close_bounds import product_terms_bound, within

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def sym_rank2(alpha: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64]) -> None:
        # C's lower triangle += alpha * (A B^T + B A^T)
        n, m = A.shape
        for i in range(n):
            for j in range(i + 1):
                for k in range(m):
                    C[i, j] += alpha * A[i, k] * B[j, k] + alpha * B[i, k] * A[j, k]


    def two_products(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], D: npt.NDArray[np.float64], E: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = A.shape
        p = B.shape[1]
        out = np.zeros((n, p))
        for i in range(n):
            for k in range(m):
                for j in range(p):
                    out[i, j] = out[i, j] + A[i, k] * B[k, j] - D[i, k] * E[k, j] * 0.5 + D[i, k] * E[k, j]
        return out


    def product_plus_term(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(n):
                for k in range(m):
                    C[i, j] += A[i, k] * B[j, k] + A[i, k]
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("product_terms")
    src = d / "terms.py"
    src.write_text(KERNELS)
    report = d / "close.json"
    close = compile_and_import(src, d, "terms_close", "--numerics", "close", "--targets", "cpu", "--report", str(report))
    exact = compile_and_import(src, d, "terms_exact", "--numerics", "exact", "--targets", "cpu")
    return exact, close, {f["name"]: f for f in json.loads(report.read_text())["functions"]}


def _mat(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3, shape)


def test_each_term_is_one_product_and_a_transposed_term_reuses_it(modules):
    exact, close, report = modules
    body = cpu_body(close, "sym_rank2")
    assert body.count("_polyray_h_blas_dot(") == 2, body  # the whole operands, or their k slices: one product
    assert ".T\n" in body and "_1 = _polyray_t" in body, body
    assert cpu_body(close, "two_products").count("_polyray_h_blas_dot(") == 6, cpu_body(close, "two_products")  # 3 terms
    for fn in ("sym_rank2", "two_products"):
        notes = report[fn]["closeNotes"]
        assert [n["kind"] for n in notes] == ["product"], notes
        terms = 2 if fn == "sym_rank2" else 3
        assert f"1.01*(k + f + {terms})*eps" in notes[0]["bound"], notes
        assert "_polyray_h_blas_dot(" not in cpu_body(exact, fn)
    assert "_polyray_h_blas_dot(" not in cpu_body(close, "product_plus_term")
    assert all(n["kind"] != "product" for n in report["product_plus_term"]["closeNotes"])


@pytest.mark.parametrize("n,m", [(1, 1), (5, 3), (40, 70), (130, 90)])
def test_close_mode_within_each_elements_bound(modules, monkeypatch, n, m):
    exact, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(n * 1000 + m)
    A, B, C = _mat(rng, (n, m)), _mat(rng, (n, m)), _mat(rng, (n, n))
    want, got = C.copy(), C.copy()
    close._polyray_original_sym_rank2(0.75, A, B, want)
    import polyray.runtime as rt
    close.sym_rank2(0.75, A, B, got)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    tol = product_terms_bound(C, [(0.75, A, B.T), (0.75, B, A.T)], 3)
    assert np.array_equal(np.triu(got, 1), np.triu(want, 1))  # only the lower triangle is written
    assert within(got, want, tol), np.max(np.abs(got - want))
    p = max(1, m - 2)
    A2, B2, D2, E2 = _mat(rng, (n, m)), _mat(rng, (m, p)), _mat(rng, (n, m)), _mat(rng, (m, p))
    want = close._polyray_original_two_products(A2, B2, D2, E2)
    got = close.two_products(A2, B2, D2, E2)
    assert rt.history()[-1]["variant"] == "cpu"
    assert within(got, want, product_terms_bound(0.0, [(1.0, A2, B2), (0.5, D2, E2), (1.0, D2, E2)], 3))
    # exact mode: the loops, bit for bit
    for fn, args in (("sym_rank2", (0.75, A, B, C)), ("two_products", (A2, B2, D2, E2)), ("product_plus_term", (A, B, C))):
        ran = run_both(exact, fn, *args)
        assert ran.variant == "cpu", ran.records
    # (close mode sums product_plus_term's k loop in SIMD lanes: test_local_accumulators.py holds that bound)


def test_bad_sizes_and_aliased_arguments_run_the_original(modules, monkeypatch):
    _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    A, C = _mat(rng, (6, 4)), _mat(rng, (6, 6))
    # B with fewer rows than A: IndexError part-way, the same writes as the original
    ran = run_both(close, "sym_rank2", 2.0, A, _mat(rng, (3, 4)), C)
    assert ran.status == "IndexError" and ran.variant == "original", ran
    ran = run_both(close, "two_products", A, _mat(rng, (3, 5)), A, _mat(rng, (4, 5)))
    assert ran.status == "IndexError", ran
    # C written while it is also an operand: the dispatcher sends the call to the original
    import polyray.runtime as rt
    S = _mat(rng, (5, 5))
    S2 = S.copy()
    close.sym_rank2(0.5, S, S, S)
    assert rt.history()[-1]["variant"] == "original", rt.history()[-1]
    close._polyray_original_sym_rank2(0.5, S2, S2, S2)
    assert S.tobytes() == S2.tobytes()
