"""Loops that compute matrix products run through BLAS in close mode (issue 16, item 3).

A loop `for k in range(lo, hi)` whose whole body is `X[a, b] += c * Y[a, k] *
Z[k, b]` (or a matrix-vector form, either operand transposed, inner loops
between k and the update, `X = X + e`) becomes one product computed before its
nest (poly/product-loops.ts, codegen/product-loops.ts) when the k range is not
empty; the nest keeps its other statements and prange loops. Kernels as
scientists write them; the CPU variant against the original within
polyray.runtime.close_bounds.product_loop_bound per element (never a blanket
tolerance), with NaN/inf positions, shapes and dtypes exact; exact mode keeps
the loops (bit for bit); loops that only look like products keep theirs;
non-contiguous and Fortran operands; aliased operands and out-of-range sizes
sent to the original by the dispatcher's checks.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import, cpu_body, outcome
from polyray.runtime.close_bounds import product_loop_bound, product_terms_bound, simd_sum_bound, within

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt

    F2 = np.ndarray[tuple[int, int], np.dtype[np.float64]]


    def matmul(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        n, m = A.shape
        p = B.shape[1]
        C = np.zeros((n, p))
        for i in range(n):
            for j in range(p):
                for k in range(m):
                    C[i, j] += A[i, k] * B[k, j]
        return C


    def gemm(alpha: float, beta: float, C: np.ndarray[tuple[int, int], np.dtype[np.float64]], A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        ni, nj = C.shape
        nk = A.shape[1]
        for i in range(ni):
            for j in range(nj):
                C[i, j] *= beta
            for k in range(nk):
                for j in range(nj):
                    C[i, j] += alpha * A[i, k] * B[k, j]


    def gram_upper(X: np.ndarray[tuple[int, int], np.dtype[np.float64]], G: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        n, m = X.shape
        for i in range(m):
            for j in range(i, m):
                G[i, j] = 0.0
                for k in range(n):
                    G[i, j] += X[k, i] * X[k, j]
                G[j, i] = G[i, j]


    def matvec(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            y[i] = 0.0
            for j in range(m):
                y[i] = y[i] + A[i, j] * x[j]


    def rmatvec(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(m):
            for j in range(n):
                y[i] = A[j, i] * x[j] + y[i]


    def inner_band(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]], C: np.ndarray[tuple[int, int], np.dtype[np.float64]], lo: int, hi: int) -> None:
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                for k in range(lo, hi):
                    C[i, j] += 0.5 * A[i, k] * B[j, k]


    def triangular_k(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        # rows k < i of B are already updated when row i reads them: no product of the old B
        m, n = B.shape
        for i in range(m):
            for j in range(n):
                for k in range(i):
                    B[i, j] += A[i, k] * B[k, j]


    def operand_written(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]], C: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        n, m = C.shape
        for i in range(n):
            B[i, 0] = 1.0
            for j in range(m):
                for k in range(n):
                    C[i, j] += A[i, k] * B[k, j]


    def in_place_power(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        n = A.shape[0]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    A[i, j] += A[i, k] * B[k, j]


    def int_matmul(A: np.ndarray[tuple[int, int], np.dtype[np.int64]], B: np.ndarray[tuple[int, int], np.dtype[np.int64]], C: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> None:
        n, m = C.shape
        for i in range(n):
            for j in range(m):
                for k in range(B.shape[0]):
                    C[i, j] += A[i, k] * B[k, j]


    def row_sums(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], s: npt.NDArray[np.float64]) -> None:
        for i in range(A.shape[0]):
            for k in range(A.shape[1]):
                s[i] += A[i, k]


    def plane_rows(X: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], W: np.ndarray[tuple[int, int], np.dtype[np.float64]], row: npt.NDArray[np.float64]) -> None:
        # doitgen's stack in other words: each row of X replaced by itself times W, through a scratch row
        n, m, w = X.shape
        for a in range(n):
            for b in range(m):
                for j in range(w):
                    row[j] = 0.0
                for i in range(w):
                    for j in range(w):
                        row[j] = row[j] + X[a, b, i] * W[i, j]
                for j in range(w):
                    X[a, b, j] = row[j]
''')

PRODUCTS = ["matmul", "gemm", "gram_upper", "rmatvec", "inner_band"]
#: Matrix-vector products walking the matrix's rows: close mode keeps the loop, its sums in SIMD lanes (poly/product-loops.ts streamsRows)
STREAMED = ["matvec"]
LOOPS = ["triangular_k", "operand_written", "in_place_power", "int_matmul", "row_sums"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("product_loops")
    src = d / "products.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("products", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    report = d / "close.json"
    close = compile_and_import(src, d, "products_close", "--numerics", "close", "--report", str(report))
    exact = compile_and_import(src, d, "products_exact", "--numerics", "exact")
    return original, exact, close, json.loads(report.read_text())


def _mat(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3, shape)


def _run(fn, args, out):
    """The function's result and its written arrays (copies of the arguments were passed)."""
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    r = fn(*args)
    return [r] if out is None else [args[i] for i in out]


def _cases(rng):
    """(name, args, indices of the written arguments or None for the result, tolerance per result)."""
    out = []
    for n, m, p in ((1, 1, 1), (7, 3, 5), (60, 70, 50), (200, 150, 120)):
        A, B = _mat(rng, (n, m)), _mat(rng, (m, p))
        out.append(("matmul", (A, B), None, [product_loop_bound(0.0, 1.0, A, B, 2)]))
        C = _mat(rng, (n, p))
        out.append(("gemm", (1.5, 0.25, C, A, B), [2], [product_loop_bound(0.25 * C, 1.5, A, B, 3)]))
        X = _mat(rng, (n, m))
        # G's upper triangle from the products, mirrored: X^T X bounds both
        out.append(("gram_upper", (X, np.zeros((m, m))), [1], [product_loop_bound(0.0, 1.0, X.T, X, 2)]))
        x, y = _mat(rng, m), _mat(rng, n)
        out.append(("matvec", (A, x, y), [2], [simd_sum_bound(0.0, A * x, 2)]))
        z, w = _mat(rng, n), _mat(rng, m)
        out.append(("rmatvec", (A, z, w), [2], [product_loop_bound(w, 1.0, A.T, z, 2)]))
        Bt = _mat(rng, (p, m))
        C2 = _mat(rng, (n, p))
        lo, hi = min(1, m), max(m - 1, min(1, m))
        out.append(("inner_band", (A, Bt, C2, lo, hi), [2], [product_loop_bound(C2, 0.5, A[:, lo:hi], Bt[:, lo:hi].T, 3)]))
    return out


def test_close_mode_runs_products_through_blas_within_each_elements_bound(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, report = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in PRODUCTS:
        assert "_polyray_h_blas_dot(" in cpu_body(close, fn), fn
    for fn in STREAMED:
        assert "_polyray_h_blas_dot(" not in cpu_body(close, fn) and "_polyray_sum0_" in cpu_body(close, fn), fn
    differed = 0
    for fn, args, out, tols in _cases(np.random.default_rng(1)):
        want = _run(getattr(original, fn), args, out)
        got = _run(getattr(close, fn), args, out)
        assert rt.history()[-1]["variant"] == "cpu", (fn, rt.history()[-1])
        for g, w, t in zip(got, want, tols):
            assert within(g, w, t), (fn, np.max(np.abs(g - w)))
            differed += not np.array_equal(g, w)
    assert differed > 0  # BLAS's order really differs somewhere (else this test checks nothing)
    functions = {f["name"]: f for f in report["functions"]}
    for fn in PRODUCTS:
        notes = functions[fn]["closeNotes"]
        assert [n["kind"] for n in notes] == ["product"] and "1.01*(k + f + 1)*eps" in notes[0]["bound"], fn
        assert any("matrix products through BLAS" in t for t in functions[fn]["transformations"]), fn
    for fn in STREAMED:
        notes = functions[fn]["closeNotes"]
        assert [n["kind"] for n in notes] == ["reduction"] and "SIMD lanes" in notes[0]["bound"], fn


def test_exact_mode_and_what_only_looks_like_a_product_keep_the_loops_bit_for_bit(modules, monkeypatch):
    import polyray.runtime as rt

    original, exact, close, report = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in PRODUCTS + STREAMED:
        assert "_polyray_h_blas_dot(" not in cpu_body(exact, fn), fn
    for fn in LOOPS:
        assert "_polyray_h_blas_dot(" not in cpu_body(close, fn), fn
    rng = np.random.default_rng(2)
    for fn, args, out, _ in _cases(rng)[:12]:
        want, got = _run(getattr(original, fn), args, out), _run(getattr(exact, fn), args, out)
        assert rt.history()[-1]["variant"] == "cpu"
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), fn
    A, B, C = _mat(rng, (40, 40)), _mat(rng, (40, 40)), _mat(rng, (40, 40))
    Ai, Bi, Ci = (rng.integers(-9, 9, (30, 30)) for _ in range(3))
    for fn, args, out in (("triangular_k", (A, B), [1]), ("operand_written", (A, B, C), [1, 2]), ("in_place_power", (A, B), [0]),
                          ("int_matmul", (Ai, Bi, Ci), [2])):
        want, got = _run(getattr(original, fn), args, out), _run(getattr(close, fn), args, out)
        assert rt.history()[-1]["variant"] == "cpu", fn
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), fn
    # a row sum is no product, but close mode sums it in SIMD lanes (test_local_accumulators.py): within that bound
    want, got = _run(original.row_sums, (A, C[0]), [1]), _run(close.row_sums, (A, C[0]), [1])
    assert rt.history()[-1]["variant"] == "cpu" and "_polyray_h_blas_dot(" not in cpu_body(close, "row_sums")
    assert np.all(np.abs(got[0] - want[0]) <= simd_sum_bound(C[0], A, 1))
    functions = {f["name"]: f for f in report["functions"]}
    for fn in LOOPS:
        assert all(n["kind"] != "product" for n in functions[fn]["closeNotes"]), fn


def test_operand_layouts_empty_ranges_and_special_values(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    A, B = _mat(rng, (80, 120)), _mat(rng, (60, 90))
    # strided, Fortran-ordered and negatively strided operands: BLAS gets copies where it needs them
    for a, b in ((A[:, ::2], B), (np.asfortranarray(A[:, :60]), np.asfortranarray(B)), (A[::-1, :60], B[:, ::-1])):
        want, got = original.matmul(a, b), close.matmul(a, b)
        assert rt.history()[-1]["variant"] == "cpu"
        assert within(got, want, product_loop_bound(0.0, 1.0, a, b, 2))
    # an empty k range: the nest as written (C keeps beta*C exactly)
    C = _mat(rng, (5, 4))
    w, g = _run(original.gemm, (2.0, 3.0, C, np.zeros((5, 0)), np.zeros((0, 4))), [2]), _run(close.gemm, (2.0, 3.0, C, np.zeros((5, 0)), np.zeros((0, 4))), [2])
    assert np.array_equal(w[0], g[0])
    assert np.array_equal(original.matmul(np.zeros((3, 0)), np.zeros((0, 2))), close.matmul(np.zeros((3, 0)), np.zeros((0, 2))))
    # a k range past the operands' end: the guard sends the call to the original, which raises IndexError
    C2 = _mat(rng, (4, 4))
    assert outcome(close.inner_band, A[:4, :10], A[:4, :10], C2.copy(), 2, 30) == outcome(original.inner_band, A[:4, :10], A[:4, :10], C2.copy(), 2, 30)
    assert rt.history()[-1]["variant"] == "original"
    # NaN and inf where the original has them
    a, b = _mat(rng, (20, 30)), _mat(rng, (30, 10))
    a[3, 4], a[7, 1], b[2, 5] = np.nan, np.inf, -np.inf
    want, got = original.matmul(a, b), close.matmul(a, b)
    assert np.array_equal(np.isnan(want), np.isnan(got)) and np.array_equal(want[np.isinf(want)], got[np.isinf(want)])


def test_aliased_operands_run_the_original(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(4)
    A = _mat(rng, (30, 30))
    B = _mat(rng, (30, 30))
    # C is A itself: the product would read what the loop writes
    c1, c2 = A.copy(), A.copy()
    original.gemm(1.0, 1.0, c1, c1, B)
    close.gemm(1.0, 1.0, c2, c2, B)
    assert rt.history()[-1]["variant"] == "original"
    assert np.array_equal(c1, c2)
    # y overlapping x's memory
    buf1 = _mat(rng, 60)
    buf2 = buf1.copy()
    original.matvec(A, buf1[:30], buf1[10:40])
    close.matvec(A, buf2[:30], buf2[10:40])
    assert rt.history()[-1]["variant"] == "original"
    assert np.array_equal(buf1, buf2)


def test_a_stack_whose_rows_replace_its_operand_rows_computes_a_plane_per_iteration(modules, monkeypatch):
    """plane_rows (doitgen's stack, other names): close mode computes each plane X[a] @ W at the start of
    iteration a (poly/product-loops.ts planeLoop), within the product bound, the scratch row ending as the last
    row's result; exact mode keeps the loops bit for bit; views, Fortran order, empty planes and a W too
    small (IndexError, from the original) behave as the original."""
    import polyray.runtime as rt

    original, exact, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    body = cpu_body(close, "plane_rows")
    assert "_polyray_h_blas_dot(X[a], W)" in body and "_polyray_np.empty((X.shape[0]" not in body, body
    assert "_polyray_h_blas_dot(" not in cpu_body(exact, "plane_rows")
    rng = np.random.default_rng(5)
    base = _mat(rng, (6, 9, 14))
    differed = 0
    for X in (base, base[:, ::2, :], np.asfortranarray(base), base[::-1], base[:, :0, :], base[:0]):
        w = X.shape[2]
        W = _mat(rng, (w, w))
        row = np.full(w, 7.0)
        want = _run(original.plane_rows, (X, W, row), [0, 2])
        got = _run(close.plane_rows, (X, W, row), [0, 2])
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
        t = product_loop_bound(0.0, 1.0, X, W, 2)
        assert within(got[0], want[0], t)
        assert within(got[1], want[1], t[-1, -1] if X.shape[0] * X.shape[1] > 0 else 0.0)
        differed += not np.array_equal(got[0], want[0])
        got_exact = _run(exact.plane_rows, (X, W, row), [0, 2])
        assert all(np.array_equal(g, e) for g, e in zip(got_exact, want))
    assert differed > 0
    # W smaller than a row: the original raises IndexError after its first writes; so does the call
    W, mine, theirs = _mat(rng, (3, 3)), base.copy(), base.copy()
    assert outcome(close.plane_rows, mine, W, np.zeros(14)) == outcome(original.plane_rows, theirs, W, np.zeros(14))
    assert rt.history()[-1]["variant"] == "original" and np.array_equal(mine, theirs)


POLYBENCH = {"gemm", "k2mm", "k3mm", "syrk", "syr2k", "mvt", "covariance", "gesummv", "trmm", "symm", "doitgen"}


def _polybench_bounds(name, args, ref):
    """Per written array, the bound its close-mode result must meet (chained products add the error of their operands)."""
    g = product_loop_bound
    U = np.finfo(np.float64).eps / 2
    if name == "gemm":
        ni, nj, nk, alpha, beta, C, A, B = args
        return {5: g(beta * C, alpha, A, B, 3)}
    if name == "syrk":
        n, m, alpha, beta, C, A = args
        return {4: np.tril(g(beta * C, alpha, A, A.T, 3))}
    if name == "syr2k":  # two terms, one product read transposed for the second
        n, m, alpha, beta, C, A, B = args
        return {4: np.tril(product_terms_bound(beta * C, [(alpha, B, A.T), (alpha, A, B.T)], 3))}
    if name == "symm":  # C = beta * C + alpha * sym(A) @ B, sym(A) read from A's lower triangle: m + 1 additions of 3-factor terms
        m, n, alpha, beta, C, A, B = args
        return {4: product_terms_bound(beta * C, [(alpha, np.tril(A) + np.tril(A, -1).T, B)], 3)}
    if name == "trmm":  # B = alpha * (B + tril(A, -1).T @ B): the product's bound, then both sides' scaling by alpha
        m, n, alpha, A, B = args
        L = np.tril(A, -1).T
        return {4: abs(alpha) * g(B, 1.0, L, B, 2) + 2 * U * abs(alpha) * (np.abs(B) + np.abs(L) @ np.abs(B)) * (1 + 1e-6)}
    if name == "mvt":
        n, x1, x2, y1, y2, A = args
        # x1 walks A's rows: a loop summed in SIMD lanes; x2 walks its columns: through BLAS
        return {1: simd_sum_bound(x1, A * y1, 2), 2: g(x2, 1.0, A.T, y2, 2)}
    if name == "k2mm":
        ni, nj, nk, nl, alpha, beta, tmp, A, B, C, D = args
        t_tmp = g(0.0, alpha, A, B, 3)
        return {6: t_tmp, 10: g(beta * D, 1.0, ref[6], C, 2) + t_tmp @ np.abs(C) * (1 + 1e-6)}
    if name == "k3mm":
        ni, nj, nk, nl, nm, E, A, B, F, C, D, G = args
        tE, tF = g(0.0, 1.0, A, B, 2), g(0.0, 1.0, C, D, 2)
        tG = g(0.0, 1.0, ref[5], ref[8], 2) + (tE @ np.abs(ref[8]) + np.abs(ref[5]) @ tF + tE @ tF) * (1 + 1e-6)
        return {5: tE, 8: tF, 11: tG}
    if name == "gesummv":
        n, alpha, beta, A, B, tmp, x, y = args
        ax, bx = np.abs(A) @ np.abs(x), np.abs(B) @ np.abs(x)
        # both walk the rows: loops summed in SIMD lanes (streamsRows)
        t_tmp, t_bx = simd_sum_bound(0.0, A * x, 2), simd_sum_bound(0.0, B * x, 2)
        # y = alpha * tmp + beta * (B @ x): the operands' errors, then both sides' two roundings
        return {5: t_tmp, 7: abs(alpha) * t_tmp + abs(beta) * t_bx + 6 * U * (abs(alpha) * ax + abs(beta) * bx)}
    if name == "doitgen":  # a stack of products, one per plane A[r]: sum_ holds the last plane's last row
        nr, nq, np_, A, C4, sum_ = args
        t = g(0.0, 1.0, A[:, :, :np_], C4[:np_, :np_], 2)
        return {3: t, 5: t[nr - 1, nq - 1]}
    if name == "covariance":
        m, n, float_n, data, cov, mean = args
        centred = ref[3]  # data after the (exact) centring, the same on both sides
        t = g(0.0, 1.0, centred.T, centred, 2) / (float_n - 1.0) + 2 * U * np.abs(ref[4])
        return {4: t}
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(POLYBENCH))
def test_polybench_product_kernels_in_close_mode_within_their_bounds(name, tmp_path, monkeypatch):
    import polyray.runtime as rt

    if str(ROOT / "test/kernels/polybench") not in sys.path:
        sys.path.insert(0, str(ROOT / "test/kernels/polybench"))
    import specs

    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    module = compile_and_import(ROOT / f"test/kernels/polybench/{name}.py", tmp_path, f"pb_close_{name}", "--numerics", "close", "--targets", "cpu")
    # (gesummv's two products walk the rows: loops summed in SIMD lanes instead, streamsRows)
    assert ("_polyray_h_blas_dot" in cpu_body(module, f"kernel_{name}")) == (name != "gesummv")
    spec = importlib.util.spec_from_file_location(f"pb_orig_{name}", ROOT / f"test/kernels/polybench/{name}.py")
    original = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(original)
    for dataset in ("MINI", "SMALL"):
        args = specs.build_args(name, specs.SIZES[name][dataset], np.random.default_rng(7))
        ref, got = specs.copy_args(args), specs.copy_args(args)
        getattr(original, f"kernel_{name}")(*ref)
        getattr(module, f"kernel_{name}")(*got)
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
        for idx, tol in _polybench_bounds(name, args, ref).items():
            if name in ("syrk", "syr2k"):  # only the lower triangle is computed
                assert np.array_equal(np.triu(got[idx], 1), np.triu(ref[idx], 1))
            assert within(got[idx], ref[idx], tol), (name, dataset, idx, np.max(np.abs(got[idx] - ref[idx])))


def test_products_give_the_same_bits_with_one_and_two_threads(modules):
    """BLAS splits a product among its threads by blocks of the result, each element summed in one
    order: the same bits whatever NUMBA_NUM_THREADS and OPENBLAS_NUM_THREADS are, on every call."""
    import os
    import subprocess

    _, _, close, _ = modules
    script = textwrap.dedent(f'''
        import json, sys
        import numpy as np
        sys.path.insert(0, {os.path.dirname(close.__file__)!r})
        import products_close as m
        rng = np.random.default_rng(12)
        A, B = rng.standard_normal((300, 257)), rng.standard_normal((257, 190))
        x, y = rng.standard_normal(257), rng.standard_normal(300)
        out = []
        for _ in range(3):
            C = np.ones((300, 190))
            m.gemm(1.5, 0.5, C, A, B)
            y2 = y.copy()
            m.matvec(A, x, y2)
            out.append([str(hash(m.matmul(A, B).tobytes())), str(hash(C.tobytes())), str(hash(y2.tobytes()))])
        print(json.dumps(out))
    ''')
    runs = {}
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "POLYRAY_TARGET": "cpu",
               "POLYRAY_JIT_WAIT": "1", "PYTHONHASHSEED": "0"}
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        runs[threads] = json.loads(r.stdout.strip().splitlines()[-1])
    assert runs["1"][0] == runs["1"][1] == runs["1"][2] == runs["2"][0] == runs["2"][2]
