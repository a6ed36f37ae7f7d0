"""Sums into array elements across an outer loop run as fixed row blocks in close mode (issue 16).

`y[j] += A[i, j] * t` over an outer i (atax's transposed product, a column sum written row-major, a sum over
the first axis of a 3-d array) carries only sums into y's elements: close mode runs the loop as blocks of
iterations fixed by the iteration count and y's size (poly/blocked-array-reductions.ts,
codegen/blocked-array-loops.ts), each adding into a partial array of its own from -0.0, the partial arrays
added to y in block order. Original against the CPU variant: close mode within
polyray.runtime.close_bounds.array_sum_bound (plus, for atax, its row sums' SIMD bound carried through A),
exact mode bit for bit with no blocks; updates that only look like sums stay as they were and bit for bit;
bad inputs raise as the original does; NaN, inf and -0.0 as the original; the same bits with 1 and 2 threads.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import, cpu_body, outcome
from polyray.runtime.close_bounds import array_sum_bound, row_blocks, simd_sum_bound

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def atax(m: int, n: int, A: npt.NDArray[np.float64], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64]) -> None:
        for i in range(n):
            y[i] = 0.0
        for i in range(m):
            tmp[i] = 0.0
            for j in range(n):
                tmp[i] = tmp[i] + A[i, j] * x[j]
            for j in range(n):
                y[j] = y[j] + A[i, j] * tmp[i]


    def atax_shape(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], tmp: npt.NDArray[np.float64]) -> None:
        m, n = A.shape
        for j in range(n):
            y[j] = 0.0
        for i in range(m):
            tmp[i] = 0.0
            for j in range(n):
                tmp[i] += A[i, j] * x[j]
            for j in range(n):
                y[j] += A[i, j] * tmp[i]


    def colsum(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], s: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                s[j] += A[i, j]


    def axis0_sum(X: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], S: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                for k in range(X.shape[2]):
                    S[j, k] = X[i, j, k] + S[j, k]


    def smooth(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                y[j] = 0.5 * y[j] + A[i, j]


    def chained(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(1, m):
                y[j] += A[i, j] * y[j - 1]


    def positive_cols(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                if A[i, j] > 0.0:
                    y[j] += A[i, j]
''')

BLOCKED = ["atax", "atax_shape", "colsum", "axis0_sum"]
NOT_SUMS = ["smooth", "chained", "positive_cols"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("array_sums")
    src = d / "array_sums.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("array_sums", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    report = d / "close.json"
    close = compile_and_import(src, d, "array_sums_close", "--numerics", "close", "--report", str(report))
    exact = compile_and_import(src, d, "array_sums_exact", "--numerics", "exact")
    return original, exact, close, json.loads(report.read_text()), d


def _terms(rng, *shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)  # terms of many magnitudes


def _atax_bound(A, x, tmp_want):
    """y's bound: the row blocks' over the terms |A[i, j] * tmp[i]|, plus each row sum's SIMD bound carried through A."""
    tmp_bound = simd_sum_bound(0.0, A * x, 2)
    terms = np.abs(A) * (np.abs(tmp_want) + tmp_bound)[:, None]
    return 1.01 * (array_sum_bound(np.zeros(A.shape[1]), terms) + np.abs(A).T @ tmp_bound), tmp_bound


def _run(mod, fn, *args):
    """Call fn on copies of args; returns the copies (the written arrays are among them)."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    getattr(mod, fn)(*copies)
    return copies


def test_close_mode_blocks_the_sums_and_stays_within_the_bound(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in BLOCKED:
        body = cpu_body(close, fn)
        assert "_polyray_pa_" in body and "_polyray_prange(" in body, fn
    rng = np.random.default_rng(11)
    differed = 0
    for m, n in ((0, 5), (1, 7), (15, 9), (17, 3), (390, 410), (1000, 64)):
        A, x = _terms(rng, m, n), _terms(rng, n)
        y, tmp = np.full(n, 7.0), np.full(m, 7.0)
        _, _, _, _, yw, tw = _run(original, "atax", m, n, A, x, y, tmp)
        bound, tmp_bound = _atax_bound(A, x, tw)
        for fn, args in (("atax", (m, n, A, x, y, tmp)), ("atax_shape", (A, x, y, tmp))):
            *_, yg, tg = _run(close, fn, *args)
            assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
            assert np.all(np.abs(tg - tw) <= tmp_bound), (fn, m, n)
            assert np.all(np.abs(yg - yw) <= bound), (fn, m, n, np.max(np.abs(yg - yw) - bound))
            differed += int(np.any(yg != yw))
        s0 = _terms(rng, n)
        (_, sw), (_, sg) = _run(original, "colsum", A, s0), _run(close, "colsum", A, s0)
        assert np.all(np.abs(sg - sw) <= array_sum_bound(s0, A)), (m, n)
        differed += int(np.any(sg != sw))
    for shape in ((0, 2, 3), (40, 3, 5), (700, 4, 6)):
        X, S0 = _terms(rng, *shape), _terms(rng, *shape[1:])
        (_, Sw), (_, Sg) = _run(original, "axis0_sum", X, S0), _run(close, "axis0_sum", X, S0)
        assert rt.history()[-1]["variant"] == "cpu"
        assert np.all(np.abs(Sg - Sw) <= array_sum_bound(S0, X)), shape
    assert differed > 0  # the sums really are reassociated somewhere (else this test checks nothing)


def test_exact_mode_keeps_the_order_bit_for_bit(modules, monkeypatch):
    import polyray.runtime as rt

    original, exact, _, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(12)
    for fn in BLOCKED:
        assert "_polyray_pa_" not in cpu_body(exact, fn), fn
    A, x = _terms(rng, 390, 410), _terms(rng, 410)
    for fn, args in (("atax", (390, 410, A, x, np.zeros(410), np.zeros(390))), ("atax_shape", (A, x, np.zeros(410), np.zeros(390))),
                     ("colsum", (A, _terms(rng, 410))), ("axis0_sum", (_terms(rng, 50, 3, 4), _terms(rng, 3, 4)))):
        want, got = _run(original, fn, *args), _run(exact, fn, *args)
        assert rt.history()[-1]["variant"] == "cpu"
        assert all(np.array_equal(w, g) for w, g in zip(want, got) if isinstance(w, np.ndarray)), fn


def test_what_only_looks_like_a_sum_is_not_blocked_and_stays_exact(modules, monkeypatch):
    original, _, close, report, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in NOT_SUMS:
        assert "_polyray_pa_" not in cpu_body(close, fn), fn
    rng = np.random.default_rng(13)
    for n, m in ((1, 4), (200, 50)):
        A, y = rng.uniform(-1.0, 1.0, (n, m)), rng.uniform(-1.0, 1.0, m)
        for fn in NOT_SUMS:
            (_, want), (_, got) = _run(original, fn, A, y), _run(close, fn, A, y)
            assert np.array_equal(want, got), fn
    functions = {f["name"]: f for f in report["functions"]}
    for fn in NOT_SUMS:
        assert not [n for n in functions[fn]["closeNotes"] if "partial array" in n["bound"]], fn


def test_bad_inputs_and_special_values(modules, monkeypatch):
    original, _, close, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(14)
    A, x = _terms(rng, 300, 40), _terms(rng, 40)
    # y too short: the original raises IndexError part-way; the guard sends the call to it
    assert outcome(close.atax, 300, 40, A, x, np.zeros(39), np.zeros(300)) == outcome(original.atax, 300, 40, A, x, np.zeros(39), np.zeros(300))
    assert outcome(close.atax_shape, A, x[:39], np.zeros(40), np.zeros(300)) == outcome(original.atax_shape, A, x[:39], np.zeros(40), np.zeros(300))
    # NaN and inf in a late block's rows: NaN or inf in the same elements as the original
    for bad in (np.nan, np.inf, -np.inf):
        B = A.copy()
        B[290, 7] = bad
        (_, want), (_, got) = _run(original, "colsum", B, np.zeros(40)), _run(close, "colsum", B, np.zeros(40))
        assert np.array_equal(np.isnan(want), np.isnan(got)) and np.array_equal(want[np.isinf(want)], got[np.isinf(want)])
    B = np.ones((300, 40))
    B[3, 5], B[280, 5] = np.inf, -np.inf  # opposite infinities in different blocks: NaN as in the original
    (_, want), (_, got) = _run(original, "colsum", B, np.zeros(40)), _run(close, "colsum", B, np.zeros(40))
    assert np.isnan(want[5]) and np.isnan(got[5])
    # signed zeros: the partial arrays start from -0.0, so sums of negative zeros stay -0.0 and +0.0 stays +0.0
    Z = np.full((300, 40), -0.0)
    for s0 in (-0.0, 0.0):
        (_, want), (_, got) = _run(original, "colsum", Z, np.full(40, s0)), _run(close, "colsum", Z, np.full(40, s0))
        assert np.array_equal(np.signbit(want), np.signbit(got)), s0


def test_report_states_each_blocked_sum_and_its_bound(modules):
    *_, report, _ = modules
    functions = {f["name"]: f for f in report["functions"]}
    notes = [n for n in functions["atax"]["closeNotes"] if n["operation"] == "y[...] += ..."]
    assert len(notes) == 1 and notes[0]["kind"] == "reduction" and "1.01*(N + M + B - 1)*eps/2" in notes[0]["bound"]
    loops = {lp["line"]: lp for lp in functions["colsum"]["loops"]} if "loops" in functions["colsum"] else None
    assert "fixed blocks" in json.dumps(functions["colsum"])
    assert loops is None or any("fixed blocks" in lp.get("reason", "") for lp in loops.values())
    # blocks fixed by the iteration count and the summed array's size, never by the thread count
    assert row_blocks(390, 410) == (49, 8) and row_blocks(15, 9) == (16, 1) and row_blocks(17, 3) == (16, 2)
    assert row_blocks(64, 1 << 20) == (16, 4) and row_blocks(64, 1 << 24) == (256, 1)


def test_the_same_bits_with_one_and_two_threads_on_every_call(modules):
    *_, d = modules
    script = textwrap.dedent(f'''
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(d)!r})
        import array_sums_close as m
        rng = np.random.default_rng(3)
        A, x = rng.standard_normal((400, 300)), rng.standard_normal(300)
        out = []
        for _ in range(3):
            y, tmp, s = np.zeros(300), np.zeros(400), np.zeros(300)
            m.atax(400, 300, A, x, y, tmp)
            m.colsum(A, s)
            out.append([y.tobytes().hex(), tmp.tobytes().hex(), s.tobytes().hex()])
        print(json.dumps(out))
    ''')
    runs = {}
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1"}
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        runs[threads] = json.loads(r.stdout.strip().splitlines()[-1])
    assert runs["1"][0] == runs["1"][1] == runs["1"][2] == runs["2"][0] == runs["2"][2]
