"""A scatter and a dot product of one k loop folded into one BLAS product (poly/product-fold.ts, close mode):
symm's `C[k, j] += alpha * B[i, j] * A[i, k]` (summed over i) and `temp2 += B[k, j] * A[i, k]` both read B and
both end in C[i, j] through the row statement, so one buffer holding both masked operands (the dot's by rows, the
scatter's transposed) times B replaces two products of 8 row blocks each and the pass after the nest. Spellings
other than PolyBench's (test_product_triangles.py has symm itself, a j-outer order and a matrix-vector form):
A's upper triangle with other names, the scatter subtracted with the factor on the dot. Checked against the
original within the product bound per element in close mode and bit for bit in exact mode, with non-square and
empty sizes; a nest that reads C between the row statement and the scatter's totals keeps two products."""
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


    def symm_upper(alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
        # A symmetric, stored in its upper triangle
        rows, cols = B.shape
        for r in range(rows):
            for c in range(cols):
                acc = 0.0
                for q in range(r):
                    C[q, c] += alpha * A[q, r] * B[r, c]
                    acc += A[q, r] * B[q, c]
                C[r, c] = beta * C[r, c] + alpha * A[r, r] * B[r, c] + alpha * acc


    def skew_apply(alpha: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
        # C += alpha * (L - L.T) @ B, L = A's strict lower triangle: the scatter subtracted, alpha on the dot
        m, n = C.shape
        for i in range(m):
            for j in range(n):
                t = 0.0
                for k in range(i):
                    C[k, j] -= alpha * B[i, j] * A[i, k]
                    t += alpha * A[i, k] * B[k, j]
                C[i, j] = C[i, j] + t


    def symm_seen(alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], D: npt.NDArray[np.float64]) -> None:
        # D keeps each row statement's value before the scatters of later rows reach C: no fold
        m, n = C.shape
        for i in range(m):
            for j in range(n):
                temp2 = 0.0
                for k in range(i):
                    C[k, j] += alpha * B[i, j] * A[i, k]
                    temp2 += B[k, j] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * temp2
                D[i, j] = C[i, j]
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("product_fold")
    src = d / "fold.py"
    src.write_text(KERNELS)
    report = d / "close.json"
    close = compile_and_import(src, d, "fold_close", "--numerics", "close", "--targets", "cpu", "--report", str(report))
    exact = compile_and_import(src, d, "fold_exact", "--numerics", "exact", "--targets", "cpu")
    return exact, close, {f["name"]: f for f in json.loads(report.read_text())["functions"]}


def _mat(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3, shape)


def _cases(rng, m, n):
    """(function, args, index of the checked array in args, bound): A larger than the m x m corner the loops read."""
    A, B, C = _mat(rng, (m + 3, m + 2)), _mat(rng, (m, n)), _mat(rng, (m, n))
    a = A[:m, :m]
    upper = np.triu(a) + np.triu(a, 1).T
    lower = np.tril(a) + np.tril(a, -1).T
    skew = np.tril(a, -1) - np.tril(a, -1).T
    strict = np.tril(a, -1)
    return [
        ("symm_upper", (1.5, 1.2, C, A, B), 2, product_terms_bound(1.2 * C, [(1.5, upper, B)], 3)),
        ("skew_apply", (0.75, C, A, B), 1, product_terms_bound(C, [(0.75, skew, B)], 3)),
        # C as symm leaves it, less the diagonal's term; D: the row statement's value, before later rows' scatters
        ("symm_seen", (1.5, 1.2, C, A, B, np.zeros((m, n))), 2, product_terms_bound(1.2 * C, [(1.5, lower - np.diag(np.diag(a)), B)], 3)),
        ("symm_seen", (1.5, 1.2, C, A, B, np.zeros((m, n))), 5, product_terms_bound(1.2 * C, [(1.5, strict, B)], 3)),
    ]


def _run(fn, args, out):
    copies = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    fn(*copies)
    return copies[out]


def test_the_fold_is_one_product_and_the_refused_nest_keeps_two(modules):
    _, close, report = modules
    for fn in ("symm_upper", "skew_apply"):
        body = cpu_body(close, fn)
        assert body.count("_polyray_h_blas_dot(") == 1 and "_k_p in _polyray_prange(" not in body, body
        assert any("folded into" in t for t in report[fn]["transformations"]), report[fn]["transformations"]
    # the scatter subtracted where the dot adds: its operand enters the buffer subtracted
    assert "_m[_polyray_t" in cpu_body(close, "skew_apply") and "] -= A[" in cpu_body(close, "skew_apply")
    assert "] += A[" in cpu_body(close, "symm_upper")
    seen = cpu_body(close, "symm_seen")
    # (its two masked products store their row blocks through blas_dot_rows)
    assert seen.count("_polyray_h_blas_dot_rows(") == 2 and "_k_p in _polyray_prange(" in seen, seen
    assert not any("folded into" in t for t in report["symm_seen"]["transformations"])


@pytest.mark.parametrize("m,n", [(0, 3), (1, 4), (2, 3), (17, 5), (40, 64)])
def test_close_mode_within_each_elements_bound_exact_mode_bit_for_bit(modules, monkeypatch, m, n):
    import polyray.runtime as rt

    exact, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    differed = 0
    for fn, args, out, tol in _cases(np.random.default_rng(m * 100 + n), m, n):
        want = _run(getattr(close, f"_polyray_original_{fn}"), args, out)
        got = _run(getattr(close, fn), args, out)
        assert rt.history()[-1]["variant"] == "cpu", (fn, rt.history()[-1])
        assert within(got, want, tol), (fn, np.max(np.abs(got - want) - tol))
        differed += not np.array_equal(got, want)
        if not np.array_equal(got, want):
            # the check can fail: one element moved past its bound is caught
            worst = np.unravel_index(np.argmax(np.abs(got - want) / np.maximum(tol, 1e-300)), got.shape)
            moved = want.copy()
            moved[worst] += 2 * tol[worst] + abs(want[worst]) * 1e-15
            assert not within(moved, want, tol)
        ran = run_both(exact, fn, *args)
        assert ran.status == "ok" and ran.variant == "cpu", (fn, ran.records)
    if m * n > 100:
        assert differed > 0  # BLAS's order differs somewhere (else this test checks nothing)


def test_inf_in_b_runs_the_loops_as_written_and_a_short_a_runs_the_original(modules, monkeypatch):
    _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    A, B, C = _mat(rng, (7, 7)), _mat(rng, (7, 4)), _mat(rng, (7, 4))
    # inf in B: the buffer's zeros would meet it (0 * inf = NaN), so the loops as written run: the original's bits
    B[2, 1] = np.inf
    ran = run_both(close, "skew_apply", 0.75, C, A, B)
    assert ran.status == "ok" and ran.variant == "cpu", ran.records
    # A smaller than the rows: IndexError part-way, with the original's writes
    ran = run_both(close, "symm_upper", 1.5, 1.2, C, _mat(rng, (3, 3)), _mat(rng, (7, 4)))
    assert ran.status == "IndexError" and ran.variant == "original", ran
