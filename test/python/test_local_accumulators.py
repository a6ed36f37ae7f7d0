"""Local accumulators (issue 16): an innermost loop that updates one element on every iteration keeps it in a local.

`y[i] += A[i, j] * x[j]` over j reads and writes y[i] in memory on every
iteration; the CPU variant loads y[i] into a local before the loop and stores
it once after (codegen/local-accumulators.ts). The same operations in the same
order: bit for bit in both numerics modes. Kernels as scientists write them
(`n, m = A.shape`, two sums in one loop, a fresh result array, counts), the
original against the variant, plus the loops that must keep memory: the
element read through another index of the same array, an argument aliasing
the updated one (the dispatcher sends the call to the original), a loop that
raises midway (math.sqrt of a negative), and an IndexError part-way, each with
the original's partial writes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest

import polyray.runtime as rt
from compiled import ROOT, compile_and_import, run_both, same
from polyray.runtime.close_bounds import simd_sum_bound
from polyray.runtime.cpu import FASTMATH

KERNELS = textwrap.dedent('''
    import math
    import numpy as np
    import numpy.typing as npt


    def matvec(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            y[i] = 0.0
            for j in range(m):
                y[i] += A[i, j] * x[j]


    def two_sums(alpha: float, beta: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], x: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n = A.shape[0]
        for i in range(n):
            tmp[i] = 0.0
            y[i] = 0.0
            for j in range(n):
                tmp[i] = A[i, j] * x[j] + tmp[i]
                y[i] = B[i, j] * x[j] + y[i]
            y[i] = alpha * tmp[i] + beta * y[i]


    def weighted_sums(A: npt.NDArray[np.float64], w: npt.NDArray[np.float64], x: npt.NDArray[np.float64], t: npt.NDArray[np.float64], u: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            t[i] = 0.0
            u[i] = 0.0
            for j in range(m):
                t[i] += A[i, j] * w[j] * x[j]
                u[i] = u[i] + A[i, j] * w[j]


    def column_sums(A: npt.NDArray[np.float64], r: npt.NDArray[np.float64], s: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for j in range(m):
            s[j] = 0.0
            for i in range(n):
                s[j] = s[j] + r[i] * A[i, j]


    def column_abs_sums(A: npt.NDArray[np.float64], r: npt.NDArray[np.float64], s: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for j in range(m):
            s[j] = 0.0
            for i in range(n):
                s[j] += abs(A[i, j]) * r[i]


    def row_norms(A: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = A.shape
        out = np.zeros(n)
        for i in range(n):
            for j in range(m):
                out[i] += abs(A[i, j]) * abs(A[i, j])
        return out


    def count_above(A: npt.NDArray[np.float64], t: float, counts: npt.NDArray[np.int64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                counts[i] += A[i, j] > t


    def self_reading(A: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                y[i] += A[i, j] * y[j]


    def positive_only(A: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                if A[i, j] > 0.0:
                    y[i] += A[i, j]


    def root_sums(A: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                y[i] += math.sqrt(A[i, j])
''')

ACCUMULATED = {"matvec": ["y"], "two_sums": ["tmp", "y"], "column_sums": ["s"], "column_abs_sums": ["s"], "row_norms": ["out"], "weighted_sums": ["t", "u"], "count_above": ["counts"]}
#: Exact mode reorders these for locality in both forms (the serial one walks A's rows, i outside j: poly/locality.ts
#: serialLocalitySchedule), so no loop updates one element on every pass: bit for bit without accumulators.
ROW_WALKED = {"column_sums", "column_abs_sums"}
KEPT = ["self_reading", "positive_only", "root_sums"]


def variant_text(mod, fn: str) -> str:
    """The CPU variant of `fn` and its serial form, if any."""
    return Path(mod.__file__).read_text().split(f"def _polyray_cpu_{fn}")[1].split(f"_polyray_dispatch_{fn}")[0]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("local_accumulators")
    src = d / "accumulators.py"
    src.write_text(KERNELS)
    return {mode: compile_and_import(src, d, f"accumulators_{mode}", "--numerics", mode) for mode in ("exact", "close")}



def _args(rng, fn, n, m):
    A = rng.standard_normal((n, m)) * 10.0 ** rng.integers(-3, 4, (n, m))
    x = rng.standard_normal(max(n, m))
    if fn == "matvec":
        return (A, x[:m], np.full(n, 7.0))
    if fn == "two_sums":
        k = min(n, m)
        return (1.5, -0.25, A[:k, :k].copy(), A[:k, :k].T.copy(), x[:k], np.zeros(k), np.zeros(k))
    if fn in ("column_sums", "column_abs_sums"):
        return (A, x[:n], np.full(m, 3.0))
    if fn == "row_norms":
        return (A,)
    if fn == "weighted_sums":
        return (A, rng.standard_normal(m), x[:m], np.zeros(n), np.zeros(n))
    if fn == "count_above":
        return (A, 0.1, np.arange(n, dtype=np.int64))
    if fn == "self_reading":
        return (A[:, :n].copy() if m >= n else A, rng.standard_normal(max(n, m)))
    if fn == "positive_only":
        return (A, np.zeros(n))
    return (np.abs(A), np.ones(n))


SIZES = ((0, 3), (1, 1), (3, 0), (5, 7), (64, 33), (200, 150), (7, 1000))


def test_exact_mode_accumulates_in_locals_bit_for_bit(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["exact"]
    rng = np.random.default_rng(16)
    for fn, arrays in ACCUMULATED.items():
        body = variant_text(mod, fn)
        assert "_polyray_sum0_" not in body, fn  # no SIMD sums in exact mode
        for a in arrays:
            assert (f"_polyray_acc_{a}_" in body) != (fn in ROW_WALKED), (fn, a, body)
        for n, m in SIZES:
            for form in ("parallel", "serial"):
                monkeypatch.setenv("POLYRAY_CPU_FORM", form)
                ran = run_both(mod, fn, *_args(rng, fn, n, m))
                assert ran.status == "ok" and ran.variant == "cpu", (fn, n, m, ran.records)


def _sums(fn, args):
    """Per written array position: (x0, terms per element along the last axis, factors per term) of a kernel
    whose loop runs as a SIMD sum; position None is the returned array."""
    if fn == "row_norms":
        (A,) = args
        return {None: (np.zeros(A.shape[0]), np.abs(A) * np.abs(A), 2)}
    if fn == "matvec":
        A, x, _ = args
        return {2: (np.zeros(A.shape[0]), A * x, 2)}
    if fn == "two_sums":  # y = alpha * tmp + beta * (B x): bounded below from the two sums' bounds
        alpha, beta, A, B, x = args[:5]
        return {5: (np.zeros(A.shape[0]), A * x, 2), 6: (alpha, beta, (np.zeros(A.shape[0]), A * x, 2), (np.zeros(B.shape[0]), B * x, 2))}
    A, w, x = args[:3]
    return {3: (np.zeros(A.shape[0]), A * w * x, 3), 4: (np.zeros(A.shape[0]), A * w, 2)}


def test_close_mode_sums_in_simd_lanes_within_the_bound(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["close"]
    rng = np.random.default_rng(19)
    differed = 0
    # (matvec and two_sums are matrix-vector products walking A's rows: close mode keeps them loops summed in
    # lanes rather than gemv through BLAS, poly/product-loops.ts streamsRows)
    for fn in ("row_norms", "weighted_sums", "matvec", "two_sums"):
        body = variant_text(mod, fn)
        assert "_polyray_sum0_" in body and "_polyray_h_blas_dot(" not in body, fn
        for n, m in SIZES:
            args = _args(rng, fn, n, m)
            for form in ("parallel", "serial"):
                monkeypatch.setenv("POLYRAY_CPU_FORM", form)
                mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
                theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
                got = getattr(mod, fn)(*mine)
                assert rt.history()[-1]["variant"] == "cpu"
                want = getattr(mod, f"_polyray_original_{fn}")(*theirs)
                sums = _sums(fn, args)
                for at, bound in sums.items():
                    g, w = (got, want) if at is None else (mine[at], theirs[at])
                    assert g.dtype == w.dtype and g.shape == w.shape
                    if len(bound) == 4:  # alpha * s1 + beta * s2: each sum's bound scaled, and that line's own roundings
                        alpha, beta, s1, s2 = bound
                        limit = abs(alpha) * simd_sum_bound(*s1) + abs(beta) * simd_sum_bound(*s2) + 4 * np.finfo(np.float64).eps * np.abs(w)
                    else:
                        limit = simd_sum_bound(*bound)
                    assert np.all(np.abs(g - w) <= limit), (fn, n, m, at)
                    differed += not same(g, w)
                for k, (a, b) in enumerate(zip(mine, theirs)):  # the arrays the kernel only reads are untouched
                    if isinstance(a, np.ndarray) and k not in sums:
                        assert same(a, b)
    assert differed > 0  # the lanes really reassociate somewhere (else this checks nothing)


def test_close_mode_keeps_exact_what_it_does_not_sum_in_lanes(modules, monkeypatch):
    # an int64 count, and a nest isl reorders (its tiles would split the lanes' sums): bit for bit
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["close"]
    rng = np.random.default_rng(20)
    for fn in ("count_above", "column_abs_sums"):
        body = variant_text(mod, fn)
        # (column_abs_sums: both forms walk A's rows, i outside j, so no element is updated on every pass)
        assert "_polyray_sum0_" not in body and ("_polyray_acc_" in body) != (fn in ROW_WALKED), fn
        for n, m in SIZES:
            ran = run_both(mod, fn, *_args(rng, fn, n, m))
            assert ran.status == "ok" and ran.variant == "cpu", (fn, n, m, ran.records)


def test_simd_sum_is_vectorized_and_notes_say_where(modules, tmp_path):
    import platform

    report = tmp_path / "r.json"
    mod = modules["close"]
    src = Path(mod.__file__).parent / "accumulators.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(src), "-o", str(tmp_path / "o.py"), "--numerics", "close", "--report", str(report)], check=True, cwd=ROOT)
    functions = {f["name"]: f for f in json.loads(report.read_text())["functions"]}
    assert [n["operation"] for n in functions["weighted_sums"]["closeNotes"]] == ["t[i] += ...", "u[i] = u[i] + ..."]
    assert all("SIMD lanes" in n["bound"] and n["kind"] == "reduction" for n in functions["weighted_sums"]["closeNotes"])
    assert functions["count_above"]["closeNotes"] == [] and functions["column_abs_sums"]["closeNotes"] == []
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the packed-instruction check reads x86-64 assembly")
    rng = np.random.default_rng(21)
    A, x = rng.standard_normal((40, 64)), rng.standard_normal(64)
    mod.weighted_sums(A, x, x, np.zeros(40), np.zeros(40))
    sums = [getattr(mod, name) for name in dir(mod) if name.startswith("_polyray_sum") and name.endswith("_cpu_weighted_sums")]
    assert sums and all(hasattr(f, "signatures") and f.signatures for f in sums)
    # compiled afresh with the runtime's options: a function loaded from Numba's cache has no assembly to show
    asm = ""
    for f in sums:
        fresh = numba.njit(fastmath=set(FASTMATH), boundscheck=False, error_model="numpy")(f.py_func)
        for sig in f.signatures:
            fresh.compile(sig)
            asm += fresh.inspect_asm(sig)
    # packed double-precision adds or fused multiply-adds: the loop runs in SIMD lanes
    assert re.search(r"\b(v?addpd|vfmadd\w*pd)\b", asm), asm[:2000]


def test_the_same_bits_with_one_and_two_threads_and_both_forms(modules):
    d = Path(modules["close"].__file__).parent
    script = textwrap.dedent(f'''
        import json, os, sys
        import numpy as np
        sys.path.insert(0, {str(d)!r})
        import accumulators_close as m
        rng = np.random.default_rng(3)
        A, x = rng.standard_normal((3000, 301)), rng.standard_normal(3000)
        out = []
        for _ in range(3):
            t, u = np.zeros(3000), np.zeros(3000)
            m.weighted_sums(A, x[:301], x[1:302], t, u)
            out.append([t.tobytes().hex()[:64], hash(t.tobytes()), hash(u.tobytes()), hash(m.row_norms(A).tobytes())])
        print(json.dumps(out))
    ''')
    runs = {}
    for threads, form in (("1", "serial"), ("2", "parallel"), ("2", "serial")):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1", "POLYRAY_CPU_FORM": form,
               "PYTHONHASHSEED": "0"}
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        runs[(threads, form)] = json.loads(r.stdout.strip().splitlines()[-1])
    first = runs[("1", "serial")][0]
    assert all(run == first for calls in runs.values() for run in calls), runs


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_loops_that_must_keep_memory(modules, mode, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules[mode]
    rng = np.random.default_rng(17)
    for fn in KEPT:
        assert "_polyray_acc_" not in variant_text(mod, fn), fn
        for n, m in ((1, 1), (5, 5), (40, 60)):
            run_both(mod, fn, *_args(rng, fn, n, m))


def test_aliased_arguments_and_bad_inputs_keep_the_original_writes(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules["exact"]
    rng = np.random.default_rng(18)
    A = rng.standard_normal((30, 30))
    x = rng.standard_normal(30)
    # y is x, or y a row of A (read by the later rows): each update reads elements updated before it; the dispatcher runs the
    # original (run_both copies each argument apart, so the aliased calls are made here)
    for make in (lambda: (A.copy(), None), lambda: (rng.standard_normal((31, 30)), 0)):
        base, row = make()
        mine, theirs = base.copy(), base.copy()
        if row is None:
            xm, xt = x.copy(), x.copy()
            mod.matvec(mine, xm, xm)
            rec = rt.history()[-1]
            mod._polyray_original_matvec(theirs, xt, xt)
            assert same(xm, xt)
        else:
            mod.matvec(mine[1:], x, mine[5])
            rec = rt.history()[-1]
            mod._polyray_original_matvec(theirs[1:], x, theirs[5])
        assert rec["variant"] == "original", rec
        assert same(mine, theirs)
    # y too short: IndexError part-way, with the rows before it written
    ran = run_both(mod, "matvec", A, x, np.zeros(20))
    assert ran.status == "IndexError"
    # x too short: IndexError inside the first row's loop, y[0] = 0.0 written first
    ran = run_both(mod, "matvec", A, x[:10], np.full(30, 5.0))
    assert ran.status == "IndexError"
    # math.sqrt of a negative element part-way: ValueError after the earlier updates
    B = np.abs(A)
    B[7, 11] = -1.0
    ran = run_both(mod, "root_sums", B, np.ones(30))
    assert ran.status == "ValueError"
    # a float32 result array: another signature than the one compiled for, the original runs
    run_both(mod, "matvec", A, x, np.zeros(30, dtype=np.float32))
