"""Nests that already run in parallel, reordered inside the parallel loop so the
innermost loop walks contiguous memory (poly/locality.ts), only when every
dependence allows it; triangular parallel loops with balanced chunks (folded
counters, codegen/loop-range.ts). Results equal the original's, bit for bit,
in both forms of the CPU variant (parallel and serial)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import, cpu_body

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test/kernels/extra/locality.py"


@pytest.fixture(scope="module")
def lu(tmp_path_factory):
    d = tmp_path_factory.mktemp("locality_lu")
    module = compile_and_import(ROOT / "test/kernels/polybench/lu.py", d, "locality_lu", "--targets", "cpu", "--report", str(d / "report.json"),
                                "--numerics", "exact")
    return module, json.loads((d / "report.json").read_text())["functions"][0]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    d = tmp_path_factory.mktemp("locality")
    # exact mode: the loop orders of the exact tier (close mode runs matmul_ijk's product through BLAS:
    # test_product_loops.py)
    module = compile_and_import(SOURCE, d, "locality_compiled", "--targets", "cpu", "--report", str(d / "report.json"),
                                "--numerics", "exact")
    report = {f["name"]: f for f in json.loads((d / "report.json").read_text())["functions"]}
    return module, report


@pytest.fixture(params=["parallel", "serial"])
def form(request, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    return request.param


def run_both(mod, name, args, written, form):
    """The call through the dispatcher, and the given form of the CPU variant called
    directly (the dispatcher picks a form by size and timing), against the original."""
    copies = [[a.copy() if isinstance(a, np.ndarray) else a for a in args] for _ in range(2)]
    rt.clear_history()
    getattr(mod, name)(*args)
    record = rt.history()[-1]
    variant = getattr(mod, f"_polyray_dispatch_{name}").variants["cpu"]
    if not variant.takes_flag(form):
        variant._compile(serial=form == "serial")(*copies[0])
    else:  # a speculative variant's flagging form takes its flag array last; valid data never sets it
        flag = np.zeros(1, dtype=np.int8)
        variant._compile(serial=form == "serial")(*copies[0], flag)
        assert flag[0] == 0
    getattr(mod, f"_polyray_original_{name}")(*copies[1])
    for k in written:
        np.testing.assert_array_equal(args[k], copies[1][k])
        np.testing.assert_array_equal(copies[0][k], copies[1][k])
    return record


def reordered(compiled, name, expected):
    """The CPU variant's text of `name` (one prange loop), its last `+=` update and the loop around it."""
    mod, report = compiled
    text = " ".join(report[name]["transformations"])
    assert expected in text, text
    body = cpu_body(mod, name)
    assert body.count("_polyray_prange(") == 1, body
    update = [line for line in body.splitlines() if "+=" in line][-1]
    inner = next(line for line in reversed(body.split(update)[0].splitlines()) if line.strip().startswith("for "))
    return body, update, inner


def test_matmul_runs_i_k_j_with_prange_on_i_only(compiled):
    # the update's innermost loop is the one that indexes the last dimension of C and B
    _, update, inner = reordered(compiled, "matmul_ijk", "innermost walks contiguous memory (S1 innermost j_1)")
    j = inner.split()[1]
    assert f"C[(_polyray_c1), ({j})]" in update and f"B[(_polyray_c4), ({j})]" in update, (inner, update)


@pytest.mark.parametrize("n,m,p", [(0, 3, 3), (1, 1, 1), (3, 0, 2), (5, 7, 0), (17, 9, 33), (64, 80, 40)])
def test_matmul_equal_bits(compiled, form, n, m, p):
    mod, _ = compiled
    rng = np.random.default_rng(n * 10000 + m * 100 + p)
    A, B, C = rng.random((n, p)), rng.random((p, m)), np.full((n, m), np.nan)
    assert run_both(mod, "matmul_ijk", [A, B, C, n, m, p], [2], form)["variant"] == "cpu"


def test_an_interchange_a_dependence_forbids_is_not_made(compiled):
    mod, report = compiled
    text = " ".join(report["skewed_dependence"]["transformations"])
    assert "innermost walks contiguous memory" not in text, text
    loops = {(l["line"], l["var"]): l["parallel"] for l in report["skewed_dependence"]["loops"]}
    assert list(loops.values()) == [True, False, True], loops


@pytest.mark.parametrize("n,m", [(0, 3), (2, 1), (3, 6), (7, 13)])
def test_skewed_dependence_equal_bits(compiled, form, n, m):
    mod, _ = compiled
    A = np.random.default_rng(n + m).random((n, m, m))
    assert run_both(mod, "skewed_dependence", [A, n, m], [0], form)["variant"] == "cpu"


def test_triangular_parallel_loops_fold_their_counter(compiled):
    mod, _ = compiled
    for name in ("upper_rows", "lower_rows_down"):
        assert "_polyray_n_i = " in cpu_body(mod, name), name
    assert "_polyray_n_" not in cpu_body(mod, "matmul_ijk")


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 7, 50, 101])
def test_triangular_rows_equal_bits(compiled, form, n):
    mod, _ = compiled
    A = np.random.default_rng(n).random((n, n))
    for name in ("upper_rows", "lower_rows_down"):
        out = np.full((n, n), np.nan)
        assert run_both(mod, name, [A, out, n], [1], form)["variant"] == "cpu"


def test_a_parallel_loop_that_should_be_innermost_is_strip_mined(compiled):
    body, _, inner = reordered(compiled, "row_recurrence", "strip-mined by 32, its tiles in parallel")
    # inside t, the prange loop runs over tiles of 32 and the innermost loop over one tile's points
    assert "// 32" in body and "(32 * _polyray_c" in body, body
    assert "(32 * _polyray_c" in inner, inner


@pytest.mark.parametrize("n,m", [(0, 3), (1, 1), (2, 31), (5, 33), (9, 70)])
def test_row_recurrence_equal_bits(compiled, form, n, m):
    mod, _ = compiled
    rng = np.random.default_rng(n * 100 + m)
    A, B = rng.random((n, m)), rng.random((m, m)) * 0.1
    assert run_both(mod, "row_recurrence", [A, B, n, m], [0], form)["variant"] == "cpu"


def test_lu_runs_isl_right_looking_order_with_its_row_reads_hoisted(lu):
    mod, report = lu
    # isl's order has as much outer parallelism (rows, inside k) and better innermost loops
    text = " ".join(report["transformations"])
    assert "walk memory better than the order inside the original parallel loops" in text, text
    body = cpu_body(mod, "kernel_lu")
    assert body.count("_polyray_prange(") == 1, body
    assert "_polyray_v0 = A[(_polyray_c1), (_polyray_c0)]" in body, body
    assert "-= _polyray_v0 * A[(_polyray_c0), (_polyray_c2)]" in body, body


@pytest.mark.parametrize("n", [0, 1, 2, 31, 32, 33, 70, 129])
def test_lu_equal_bits(lu, form, n):
    mod, _ = lu
    A = np.random.default_rng(n).random((n, n)) + n * np.eye(n)
    assert run_both(mod, "kernel_lu", [n, A], [1], form)["variant"] == "cpu"


def test_a_speculative_function_is_reordered_and_still_raises_as_python_does(compiled, monkeypatch):
    mod, report = compiled
    text = " ".join(report["norms_then_product"]["transformations"])
    assert "innermost walks contiguous memory" in text and "speculative prange" in text, text
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    n, m = 40, 30
    rng = np.random.default_rng(7)
    A, B = rng.random((n, m)), rng.random((m, m))
    args = [A, B, np.zeros((n, m)), np.zeros(n), n, m]
    assert run_both(mod, "norms_then_product", args, [2, 3], "parallel")["variant"] == "cpu"
    # a negative element: Python raises at i = 5 after writing norms[0:5] and nothing of C
    A[5, 0] = -1.0
    C1, norms1, C2, norms2 = np.zeros((n, m)), np.zeros(n), np.zeros((n, m)), np.zeros(n)
    with pytest.raises(ValueError, match="math domain error"):
        mod.norms_then_product(A, B, C1, norms1, n, m)
    with pytest.raises(ValueError, match="math domain error"):
        mod._polyray_original_norms_then_product(A, B, C2, norms2, n, m)
    np.testing.assert_array_equal(C1, C2)
    np.testing.assert_array_equal(norms1, norms2)


def test_reads_invariant_in_the_innermost_loop_are_loaded_once_unless_the_loop_writes_them(compiled):
    mod, report = compiled
    # a strip-mined row update: B's row k is walked, A[t - 1, k] loaded once per tile and k
    body = cpu_body(mod, "row_recurrence")
    hoists = [line.strip() for line in body.splitlines() if line.strip().startswith("_polyray_v")]
    assert hoists and all("= A[" in h for h in hoists), body
    text = " ".join(report["hoisting_trap"]["transformations"])
    assert "innermost walks contiguous memory" in text, text
    body = cpu_body(mod, "hoisting_trap")
    hoists = [line.strip() for line in body.splitlines() if line.strip().startswith("_polyray_v")]
    assert any("= B[" in h for h in hoists), body  # B[i, k] in the first nest
    assert not any(line.strip().startswith("_polyray_v") and "= C[" in line for line in body.splitlines()), body


@pytest.mark.parametrize("n", [0, 1, 2, 5, 33])
def test_hoisting_trap_equal_bits(compiled, form, n):
    mod, _ = compiled
    rng = np.random.default_rng(n + 100)
    A, B, C = rng.random((n, n)), rng.random((n, n)), rng.random((n, n))
    assert run_both(mod, "hoisting_trap", [A, B, C, n], [0, 2], form)["variant"] == "cpu"
