"""Scratch arrays passed as parameters, private to each iteration of a loop (issue 16, doitgen's sum_;
poly/private-params.ts, codegen/isl-ast-python.ts).

The kernels (test/kernels/numpy_style/private_params.py) are compared with the original bit for bit in both
numerics modes (once when close mode generates exact mode's module line for line), in the parallel and the
serial form of the CPU variant, with 1 and 2 threads, on sizes 0, 1 and more: the scratch arrays' final
values (the last iteration's) included. The CPU variant of each private form runs its outer loop as prange
with a copy per iteration; the negative twins keep theirs sequential. Bad inputs (a scratch array too
short) raise as the original does with the same writes; a scratch array that is a view of another argument
(aliasing) runs the original. The GPU variant does not privatize (its loops are the original order's
parallel ones): doitgen's GPU form under the simulator is test_polybench_gpu_sim's.
"""
from __future__ import annotations

import numba
import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime.close_bounds import product_loop_bound
from compiled import ROOT, cpu_body, cpu_target, mode_module, outcome, run_both, same  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/private_params.py"
mod = mode_module(SOURCE, "private_params", targets="cpu")

PRIVATE = {"doitgen_shapes": ["sum_"], "doitgen_rows": ["sum_"], "weighted_rows": ["tmp"], "two_scratches": ["t", "u"]}
#: close mode computes these kernels' products through BLAS, one per plane A[r] at the start of iteration r (a
#: stack of products, poly/product-loops.ts planeLoop), r a prange loop with sum_ private to each iteration
#: (poly/product-parallel.ts parallelPlanes): the results within the product bound
STACKED = ["doitgen_shapes", "doitgen_rows"]
SHARED = ["carried_scratch", "growing_scratch", "conditional_scratch", "whole_scratch"]


def _args(name: str, rng, n: int, m: int):
    """Arguments of `name` with n rows (or n x n planes for doitgen) of m columns; scratch arrays full of NaN
    (their old values must not matter), carried_scratch's of numbers (they do)."""
    if name in ("doitgen_shapes", "doitgen_rows"):
        return (rng.standard_normal((n, n + 1, m)), rng.standard_normal((m, m)), np.full(m, np.nan))
    A = rng.standard_normal((n, m))
    B = rng.standard_normal((m, m))
    if name == "weighted_rows":
        return (A, rng.standard_normal(m), rng.standard_normal((m, m + 2)), np.full(m, np.nan), np.full((n, m + 2), np.nan), np.full(m, np.nan))
    if name == "two_scratches":
        return (A, B, np.full(m, np.nan), np.full(m, np.nan), np.full((n, m), np.nan))
    tmp = rng.standard_normal(max(m, n)) if name in ("carried_scratch", "conditional_scratch") else np.full(max(m, n), np.nan)
    return (A, B, tmp, np.full((n, m), np.nan))


SHAPES = [(0, 3), (1, 1), (3, 0), (2, 5), (9, 7), (40, 33)]


def test_private_forms_run_their_outer_loop_as_prange_with_a_copy_per_iteration(mod):
    for fn, arrays in PRIVATE.items():
        body = cpu_body(mod, fn)
        if mod.MODE == "close" and fn in STACKED:
            # prange over the planes, sum_ private, each plane's product inside its iteration with one BLAS thread;
            # the copies left in the nest run serially inside it (one region a call, not one per (r, q))
            fast = body.split("\n    else:")[0]
            assert fast.count("_polyray_prange(") == 1 and "_polyray_h_blas_threads_one()" in fast, (fn, body)
            head = fast.split("_polyray_prange(")[1]
            assert "_polyray_pv_sum_ = sum_ if _polyray_k_r == _polyray_n_r - 1 else _polyray_np.empty_like(sum_)" in head, (fn, body)
            assert "_polyray_h_blas_dot(A[r], C4)" in head and " sum_[" not in head and "(sum_[" not in head, (fn, body)
            continue
        head = body.split("_polyray_prange(")[1]
        for a in arrays:
            # the first prange loop is the outer one: every iteration but the last gets a copy
            assert f"_polyray_pv_{a} = {a} if _polyray_k1 == _polyray_n1 - 1 else _polyray_np.empty_like({a})" in head.split("for ")[0], (fn, body)
            # inside it, the array is only reached through its copy
            outer = head.split("\n    for _polyray_k")[0]
            assert f" {a}[" not in outer and f"({a}[" not in outer, (fn, outer)
    for fn in SHARED:
        assert "_polyray_pv_" not in cpu_body(mod, fn), fn


@pytest.mark.parametrize("form", ["serial", "parallel"])
def test_same_results_as_the_original(mod, monkeypatch, form):
    """Both forms, 1 and 2 threads: the same bits and the same final scratch values as the original. Close
    mode too: a reordered nest keeps each element's operations in order (no sum in lanes). The negative
    twins run in exact mode only: close mode sums their loops in SIMD lanes (test_local_accumulators)."""
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    names = [*PRIVATE, *SHARED] if mod.MODE == "exact" else [f for f in PRIVATE if f not in STACKED]
    rng = np.random.default_rng(16)
    before = numba.get_num_threads()
    try:
        # (the serial form runs on one thread whatever the setting)
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}) if form == "parallel" else [1]:
            numba.set_num_threads(threads)
            for fn in names:
                for n, m in SHAPES:
                    ran = run_both(mod, fn, *_args(fn, rng, n, m))
                    # (growing_scratch with fewer columns than rows raises IndexError, as the original does)
                    assert ran.status == "ok" or fn == "growing_scratch", (fn, n, m, ran.value)
                    if n > 0 and ran.status == "ok":
                        assert ran.variant == "cpu", (fn, n, m, ran.records[-1:])
    finally:
        numba.set_num_threads(before)


@pytest.mark.parametrize("form", ["serial", "parallel"])
def test_stacked_products_within_the_product_bound(mod, monkeypatch, form):
    """Close mode's doitgen kernels (BLAS per plane): every element of A and the final sum_ within the
    product bound per element (close_bounds.product_loop_bound: numerics.ts productLoopNote, X0 = 0), on the
    shapes of test_same_results; the CPU variant ran."""
    if mod.MODE != "close":
        pytest.skip("exact mode keeps the loops (test_same_results)")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(21)
    before = numba.get_num_threads()
    try:
        for fn in STACKED:
            for n, m in SHAPES:
                A, C4, sum_ = _args(fn, rng, n, m)
                theirs = (A.copy(), sum_.copy())
                getattr(mod, f"_polyray_original_{fn}")(theirs[0], C4, theirs[1])
                bound = product_loop_bound(0.0, 1.0, A, C4, 2)
                runs = []
                # the planes on one or two threads: the same bits (each plane's product on one BLAS thread)
                for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
                    numba.set_num_threads(threads)
                    mine = (A.copy(), sum_.copy())
                    rt.clear_history()
                    getattr(mod, fn)(mine[0], C4, mine[1])
                    runs.append(mine)
                    assert np.all(np.abs(mine[0] - theirs[0]) <= bound), (fn, n, m)
                    if n > 0 and m > 0:
                        assert np.all(np.abs(mine[1] - theirs[1]) <= bound[-1, -1]), (fn, n, m)
                        assert rt.history()[-1]["variant"] == "cpu", (fn, n, m, rt.history()[-1:])
                    else:
                        assert same(mine[1], theirs[1]), (fn, n, m)
                assert all(same(r[0], runs[0][0]) and same(r[1], runs[0][1]) for r in runs), (fn, n, m)
    finally:
        numba.set_num_threads(before)


def test_short_scratch_raises_as_the_original_with_the_same_writes(mod):
    """A scratch array shorter than a row: IndexError part-way through the first row, A's earlier
    writes the original's (the guard sends the call to the original)."""
    rng = np.random.default_rng(5)
    A, C4, _ = _args("doitgen_shapes", rng, 4, 6)
    ran = run_both(mod, "doitgen_shapes", A, C4, np.zeros(5))
    assert ran.status == "IndexError", ran
    A, B, _, u, out = _args("two_scratches", rng, 5, 6)
    assert run_both(mod, "two_scratches", A, B, np.zeros(3), u, out).status == "IndexError"
    # C4 too small for the rows: IndexError in the original, the same writes
    assert run_both(mod, "doitgen_shapes", A[None].copy(), np.zeros((3, 3)), np.zeros(6)).status == "IndexError"


def test_scratch_aliasing_another_argument_runs_the_original(mod, monkeypatch):
    """sum_ a row of A itself, and tmp a view into out: the dispatcher sees the overlap and runs the
    original, whose results (read through the alias) come out the same."""
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    rng = np.random.default_rng(9)
    A, C4, _ = _args("doitgen_shapes", rng, 5, 4)
    mine, theirs = A.copy(), A.copy()
    rt.clear_history()
    got = outcome(mod.doitgen_shapes, mine, C4, mine[2, 1, :])
    want = outcome(mod._polyray_original_doitgen_shapes, theirs, C4, theirs[2, 1, :])
    assert got[0] == want[0] == "ok" and same(mine, theirs)
    assert rt.history()[-1]["variant"] == "original", rt.history()[-1:]
    A, w, B, _, out, last = _args("weighted_rows", rng, 6, 4)
    mine, theirs = out.copy(), out.copy()
    got = outcome(mod.weighted_rows, A, w, B, mine[5, :4], mine, last.copy())
    want = outcome(mod._polyray_original_weighted_rows, A, w, B, theirs[5, :4], theirs, last.copy())
    assert got[0] == want[0] == "ok" and same(mine, theirs)
