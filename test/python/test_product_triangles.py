"""Product loops over a triangular k range (trmm's `for k in range(i + 1, m)`; symm's dot product into temp2 and its
scatter `C[k, j] += alpha * B[i, j] * A[i, k]`, summed over i: poly/product-scatter.ts, folded with the dot product into one product of
the summed masked operands: poly/product-fold.ts), close mode: the operand walking the
range's variable is copied with zeros outside it and multiplied by BLAS before the nest; an operand the nest also
writes (trmm's B, the target itself) is used only where isl proves the loop reads B's old rows (poly/old-reads.ts,
poly/product-loops.ts, codegen/product-loops.ts). Kernels as scientists write them, against the original within
close_bounds.product_loop_bound per element; exact mode keeps the loops bit for bit; inf or NaN in the operand the
mask's zeros meet runs the loops as written; bad sizes and aliased arguments run the original."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, cpu_body, run_both
from polyray.runtime.close_bounds import product_loop_bound, product_terms_bound, within

U = np.finfo(np.float64).eps / 2

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def trmm(alpha: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
        m, n = B.shape
        for i in range(m):
            for j in range(n):
                for k in range(i + 1, m):
                    B[i, j] += A[k, i] * B[k, j]
                B[i, j] = alpha * B[i, j]


    def apply_unit_upper(L: npt.NDArray[np.float64], X: npt.NDArray[np.float64], scale: float) -> None:
        # X <- scale * (I + strictly_lower(L).T) @ X, in place, row by row
        rows, cols = X.shape
        for r in range(rows):
            for k in range(r + 1, rows):
                for c in range(cols):
                    X[r, c] = X[r, c] + L[k, r] * X[k, c]
            for c in range(cols):
                X[r, c] *= scale


    def upper_times(U: npt.NDArray[np.float64], X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, p = X.shape
        out = np.zeros((n, p))
        for i in range(n):
            for k in range(i, n):
                for j in range(p):
                    out[i, j] += U[i, k] * X[k, j]
        return out


    def lower_cols(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], C: npt.NDArray[np.float64]) -> None:
        n, m = C.shape
        for i in range(n):
            for j in range(m):
                for k in range(j):
                    C[i, j] += A[i, k] * B[k, j]


    def symm(alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
        m, n = C.shape
        for i in range(m):
            for j in range(n):
                temp2 = 0.0
                for k in range(i):
                    C[k, j] += alpha * B[i, j] * A[i, k]
                    temp2 += B[k, j] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2


    def sym_times(S: npt.NDArray[np.float64], X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # S symmetric, stored in its lower triangle: S @ X, the upper half mirrored as it goes
        n, p = X.shape
        Y = np.zeros((n, p))
        for j in range(p):
            for i in range(n):
                acc = 0.0
                for k in range(i):
                    Y[k, j] += S[i, k] * X[i, j]
                    acc += S[i, k] * X[k, j]
                Y[i, j] += S[i, i] * X[i, j] + acc
        return Y


    def sym_matvec(S: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = x.shape[0]
        y = np.zeros(n)
        for i in range(n):
            s = 0.0
            for k in range(i):
                y[k] += S[i, k] * x[i]
                s += S[i, k] * x[k]
            y[i] = y[i] + S[i, i] * x[i] + s
        return y
''')

MASKED = ["trmm", "apply_unit_upper", "upper_times", "lower_cols", "symm", "sym_times", "sym_matvec"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("product_triangles")
    src = d / "triangles.py"
    src.write_text(KERNELS)
    report = d / "close.json"
    close = compile_and_import(src, d, "triangles_close", "--numerics", "close", "--targets", "cpu", "--report", str(report))
    exact = compile_and_import(src, d, "triangles_exact", "--numerics", "exact", "--targets", "cpu")
    return exact, close, {f["name"]: f for f in json.loads(report.read_text())["functions"]}


def _mat(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3, shape)


def _cases(rng, m, n):
    """(function, args, index of the result in args or None for the return value, bound)."""
    A, B = _mat(rng, (m, m)), _mat(rng, (m, n))
    Lt = np.tril(A, -1).T
    # alpha a power of two: its scaling is exact on both sides
    trmm_tol = 0.5 * product_loop_bound(B, 1.0, Lt, B, 2)
    # scale 1.5 rounds once more on each side of |X| <= |X0| + |L.T| @ |X|
    unit_tol = 1.5 * product_loop_bound(B, 1.0, Lt, B, 2) + 2 * U * 1.5 * (np.abs(B) + np.abs(Lt) @ np.abs(B)) * (1 + 1e-6)
    Up = _mat(rng, (m, m))
    A2, B2, C2 = _mat(rng, (n, m)), _mat(rng, (m, m)), _mat(rng, (n, m))
    # symmetric products: every element a sum of m terms of up to 3 factors (beta * C's included)
    C3 = _mat(rng, (m, n))
    Asym = np.tril(A) + np.tril(A, -1).T
    x = _mat(rng, m)
    return [
        ("symm", (1.5, 1.2, C3, A, B), 2, product_terms_bound(1.2 * C3, [(1.5, Asym, B)], 3)),
        ("sym_times", (A, B), None, product_terms_bound(0.0, [(1.0, Asym, B)], 2)),
        ("sym_matvec", (A, x), None, product_terms_bound(0.0, [(1.0, Asym, x)], 2)),
        ("trmm", (0.5, A, B), 2, trmm_tol),
        ("apply_unit_upper", (A, B, 1.5), 1, unit_tol),
        ("upper_times", (Up, B), None, product_loop_bound(0.0, 1.0, np.triu(Up), B, 2)),
        ("lower_cols", (A2, B2, C2), 2, product_loop_bound(C2, 1.0, A2, np.triu(B2, 1), 2)),
    ]


def _run(fn, args, out):
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    r = fn(*copies)
    return r if out is None else copies[out]


@pytest.mark.parametrize("m,n", [(1, 1), (2, 3), (17, 5), (90, 130)])
def test_close_mode_masks_the_triangle_and_stays_within_each_elements_bound(modules, monkeypatch, m, n):
    import polyray.runtime as rt

    _, close, report = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in MASKED:
        body = cpu_body(close, fn)
        assert "_polyray_h_blas_dot" in body and "_m = _polyray_np.zeros(" in body and ".all():" in body, body
        # one note per product update (the loops as written, the fallback, may sum a scalar in blocks: a reduction
        # note at that line instead)
        assert len(report[fn]["closeNotes"]) == (2 if fn.startswith("sym") else 1), report[fn]["closeNotes"]
        assert {x["kind"] for x in report[fn]["closeNotes"]} <= {"product", "reduction"}, report[fn]["closeNotes"]
        assert any("triangular in" in t for t in report[fn]["transformations"]), report[fn]["transformations"]
        if fn.startswith("sym"):  # the scatter into the rows above, summed over i and folded into the dot product's
            # operand (poly/product-fold.ts): one BLAS product, no pass after the nest
            assert any("summed over i and folded into" in t for t in report[fn]["transformations"]), report[fn]["transformations"]
            assert body.count("_polyray_h_blas_dot(") == 1 and "_k_p in _polyray_prange(" not in body, body
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
            moved[worst] += 2 * tol[worst] + abs(want[worst]) * 4 * U
            assert not within(moved, want, tol)
    if m * n > 100:
        assert differed > 0  # BLAS's order differs somewhere (else this test checks nothing)


def test_exact_mode_keeps_the_loops_bit_for_bit(modules, monkeypatch):
    exact, _, report = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in MASKED:
        assert "_polyray_h_blas_dot" not in cpu_body(exact, fn), fn
    for fn, args, _, _ in _cases(np.random.default_rng(4), 40, 30):
        if fn not in ("trmm", "symm", "sym_matvec"):  # (each compile costs seconds: PolyBench's two and a vector form)
            continue
        ran = run_both(exact, fn, *args)
        assert ran.variant == "cpu", (fn, ran.records)


def test_non_finite_values_keep_the_originals_nan_and_inf(modules, monkeypatch):
    import polyray.runtime as rt

    _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(6)
    A, B = _mat(rng, (12, 12)), _mat(rng, (12, 7))
    # inf in B's first row: the original never multiplies it by A's upper triangle; the mask's zeros would
    # (0 * inf = NaN), so the variant runs the loops as written: the original's bits
    B[0, 3] = np.inf
    ran = run_both(close, "trmm", 0.5, A, B)
    assert ran.variant == "cpu" and ran.status == "ok", ran.records
    # NaN in A's upper triangle, which the original never reads: masked out, no NaN appears
    A2 = A.copy()
    A2[2, 9] = np.nan
    B2 = _mat(rng, (12, 7))
    want, got = _run(close._polyray_original_trmm, (0.5, A2, B2), 2), _run(close.trmm, (0.5, A2, B2), 2)
    assert rt.history()[-1]["variant"] == "cpu"
    assert not np.isnan(want).any() and within(got, want, 0.5 * product_loop_bound(B2, 1.0, np.tril(A2, -1).T, B2, 2))
    # NaN in the read triangle: the same NaN positions
    A2[9, 2] = np.nan
    want, got = _run(close._polyray_original_trmm, (0.5, A2, B2), 2), _run(close.trmm, (0.5, A2, B2), 2)
    assert np.isnan(want).any() and np.array_equal(np.isnan(got), np.isnan(want))


def test_bad_sizes_and_aliased_arguments_run_the_original(modules, monkeypatch):
    import polyray.runtime as rt

    _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(8)
    # A smaller than B's rows: IndexError part-way, with the original's writes
    ran = run_both(close, "trmm", 1.5, _mat(rng, (3, 3)), _mat(rng, (6, 4)))
    assert ran.status == "IndexError" and ran.variant == "original", ran
    ran = run_both(close, "lower_cols", _mat(rng, (4, 2)), _mat(rng, (5, 5)), _mat(rng, (4, 5)))
    assert ran.status == "IndexError", ran
    # B also passed as A: written while read as the triangle, so the dispatcher runs the original
    S = _mat(rng, (6, 6))
    S2 = S.copy()
    close.trmm(0.5, S, S)
    assert rt.history()[-1]["variant"] == "original", rt.history()[-1]
    close._polyray_original_trmm(0.5, S2, S2)
    assert S.tobytes() == S2.tobytes()


def test_symm_bad_inputs_non_finite_values_and_aliasing(modules, monkeypatch):
    import polyray.runtime as rt

    _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(9)
    A, B, C = _mat(rng, (9, 9)), _mat(rng, (9, 5)), _mat(rng, (9, 5))
    # inf in B: the mask's zeros would meet it, so the loops run as written (the original's bits)
    B2 = B.copy()
    B2[4, 2] = -np.inf
    ran = run_both(close, "symm", 1.5, 1.2, C, A, B2)
    assert ran.variant == "cpu" and ran.status == "ok", ran.records
    # NaN in A's upper triangle, which the original never reads: no NaN appears
    A2 = A.copy()
    A2[1, 6] = np.nan
    want, got = _run(close._polyray_original_symm, (1.5, 1.2, C, A2, B), 2), _run(close.symm, (1.5, 1.2, C, A2, B), 2)
    assert rt.history()[-1]["variant"] == "cpu"
    assert not np.isnan(want).any() and within(got, want, product_terms_bound(1.2 * C, [(1.5, np.tril(A2) + np.tril(A2, -1).T, B)], 3))
    # A with fewer rows than C: IndexError part-way, with the original's writes
    ran = run_both(close, "symm", 1.5, 1.2, C, _mat(rng, (4, 4)), B)
    assert ran.status == "IndexError" and ran.variant == "original", ran
    ran = run_both(close, "sym_matvec", _mat(rng, (3, 3)), _mat(rng, 6))
    assert ran.status == "IndexError", ran
    # C passed as B too: the dispatcher runs the original
    S = _mat(rng, (6, 6))
    S2 = S.copy()
    close.symm(1.5, 1.2, S, A[:6, :6].copy(), S)
    assert rt.history()[-1]["variant"] == "original", rt.history()[-1]
    close._polyray_original_symm(1.5, 1.2, S2, A[:6, :6].copy(), S2)
    assert S.tobytes() == S2.tobytes()


def test_symm_runs_its_rows_in_one_parallel_region_on_views_and_edge_sizes(modules, monkeypatch):
    """With the scatter's additions out of the loops (folded into the dot product's operand), the fast form's outer
    loop i is the prange loop (one parallel region, where the loops as written need one per row:
    poly/product-parallel.ts), and nothing runs after the nest. Strided and transposed views, A larger than the nest reads, and empty or single
    sizes give the original's results within the product bound; the same bits with one thread and two."""
    import numba
    import polyray.runtime as rt

    _, close, report = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    fast, slow = cpu_body(close, "symm").split("\n    else:\n")
    assert "for _polyray_k_i in _polyray_prange(_polyray_n_i):" in fast and "_polyray_prange(n)" not in fast, fast
    assert "for _polyray_k_j in _polyray_prange(n):" in slow, slow
    outer = report["symm"]["loops"][0]["line"]
    assert any(t.startswith(f"with its products, prange on the loop at line {outer}:") for t in report["symm"]["transformations"])
    rng = np.random.default_rng(10)
    big = _mat(rng, (70, 90))
    cases = [
        # strided views of one buffer and a transposed (Fortran-ordered) C
        (big[::2, 1:70:2][:20, :20], big[1::3, ::4][:20, :11], np.asfortranarray(_mat(rng, (20, 11)))),
        # A larger than the m x m corner the loops read: its other entries never count
        (_mat(rng, (25, 30)), _mat(rng, (20, 7)), _mat(rng, (20, 7))),
        (_mat(rng, (1, 1)), _mat(rng, (1, 4)), _mat(rng, (1, 4))),
        (_mat(rng, (5, 5)), _mat(rng, (5, 0)), _mat(rng, (5, 0))),
        (_mat(rng, (0, 0)), _mat(rng, (0, 3)), _mat(rng, (0, 3))),
    ]
    for A, B, C in cases:
        m = C.shape[0]
        Asym = np.tril(A[:m, :m]) + np.tril(A[:m, :m], -1).T
        want = _run(close._polyray_original_symm, (1.5, 1.2, C, A, B), 2)
        got = _run(close.symm, (1.5, 1.2, C, A, B), 2)
        assert rt.history()[-1]["variant"] == "cpu", (A.shape, rt.history()[-1])
        assert got.shape == want.shape and within(got, want, product_terms_bound(1.2 * C, [(1.5, Asym, B)], 3)), (A.shape, B.shape)
    # deterministic: the same bits with one thread and with two (each row of the result computed by one thread,
    # BLAS splitting rows and columns, never the sum)
    A, B, C = _mat(rng, (60, 60)), _mat(rng, (60, 45)), _mat(rng, (60, 45))
    before = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            runs.append(_run(close.symm, (1.5, 1.2, C, A, B), 2))
            assert rt.history()[-1]["variant"] == "cpu"
    finally:
        numba.set_num_threads(before)
    assert runs[0].tobytes() == runs[1].tobytes()
