"""Loop sums run as fixed blocks in parallel in close mode (issue 16, parallel reductions).

`s += t` inside a loop that carries nothing else runs as blocks of iterations
fixed by the iteration count (poly/blocked-reductions.ts,
codegen/blocked-loops.ts): each block in the original order, the partial sums
added in block order. Kernels as scientists write them; original against the
CPU variant: in `close` mode within polyray.runtime.close_bounds.loop_sum_bound
of the original (derived from the terms, never a blanket tolerance), integer
sums bit for bit in both modes, `exact` mode bit for bit with the loop left
sequential; loops that look like reductions but are not stay sequential and
bit for bit; bad inputs raise as the original does; the same bits with 1 and
2 threads, repeated.
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
from polyray.runtime.close_bounds import loop_blocks, loop_sum_bound

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def dot(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
        n = a.shape[0]
        s = 0.0
        for i in range(n):
            s += a[i] * b[i]
        return s


    def moments(x: npt.NDArray[np.float64]):
        total = 0.0
        squares = 0.0
        for i in range(len(x)):
            total += x[i]
            squares += x[i] * x[i]
        return total, squares


    def weighted_total(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], w: npt.NDArray[np.float64]) -> float:
        n, m = A.shape
        acc = 0.0
        for i in range(n):
            for j in range(m):
                acc += A[i, j] * w[j]
        return acc


    def positive_part(x: npt.NDArray[np.float64]) -> float:
        s = 0.0
        for i in range(x.shape[0]):
            if x[i] > 0.0:
                s += x[i]
        return s


    def odd_tail(x: npt.NDArray[np.float64], start: float) -> float:
        s = start
        for i in range(1, x.shape[0], 2):
            s += x[i]
        return s


    def count_above(x: npt.NDArray[np.float64], t: float) -> int:
        count = 0
        for i in range(x.shape[0]):
            if x[i] > t:
                count += 1
        return count


    def kinetic(m: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> float:
        e = 0.0
        for i in range(m.shape[0]):
            e += 0.5 * m[i] * (v[i] * v[i])
        return e


    def decay(a: npt.NDArray[np.float64]) -> float:
        s = 0.0
        for i in range(a.shape[0]):
            s = s * 0.5 + a[i]
        return s


    def argmax_by_hand(a: npt.NDArray[np.float64]) -> int:
        best = a[0]
        k = 0
        for i in range(1, a.shape[0]):
            if a[i] > best:
                best = a[i]
                k = i
        return k


    def exclusive_scan(a: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> float:
        s = 0.0
        for i in range(a.shape[0]):
            out[i] = s
            s += a[i]
        return s


    def compound(a: npt.NDArray[np.float64]) -> float:
        s = 1.0
        for i in range(a.shape[0]):
            s += a[i] * s
        return s


    def product(a: npt.NDArray[np.float64]) -> float:
        p = 1.0
        for i in range(a.shape[0]):
            p *= a[i]
        return p
''')

BLOCKED = ["dot", "moments", "weighted_total", "positive_part", "odd_tail", "count_above", "kinetic"]
NOT_REDUCTIONS = ["decay", "argmax_by_hand", "exclusive_scan", "compound", "product"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("loop_reductions")
    src = d / "loop_sums.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("loop_sums", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    report = d / "close.json"
    close = compile_and_import(src, d, "loop_sums_close", "--numerics", "close", "--report", str(report))
    exact = compile_and_import(src, d, "loop_sums_exact", "--numerics", "exact")
    return original, exact, close, json.loads(report.read_text()), d


def _terms(rng, n):
    return rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)  # terms of many magnitudes


def _cases(rng):
    """(name, args, s0, terms added in order, additions per iteration of the blocked loop)."""
    out = []
    for n in (0, 1, 1000, 4097, 9000, 300_000):
        a, b = _terms(rng, n), _terms(rng, n)
        out.append(("dot", (a, b), 0.0, a * b, 1))
        out.append(("positive_part", (a,), 0.0, np.where(a > 0, a, 0.0), 1))
        out.append(("odd_tail", (a, 3.5), 3.5, a[1::2], 1))
        out.append(("kinetic", (np.abs(a), b), 0.0, 0.5 * np.abs(a) * (b * b), 1))
    for shape in ((0, 4), (3, 5), (2000, 7), (9000, 40)):
        A, w = _terms(rng, shape[0] * shape[1]).reshape(shape), _terms(rng, shape[1])
        out.append(("weighted_total", (A, w), 0.0, (A * w).ravel(), shape[1]))
    return out


def test_close_mode_blocks_the_sums_and_stays_within_the_bound(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in BLOCKED:
        assert "_polyray_rp_" in cpu_body(close, fn) and "_polyray_prange(" in cpu_body(close, fn), fn
    differed = 0
    for fn, args, s0, terms, per in _cases(np.random.default_rng(5)):
        want = getattr(original, fn)(*args)
        got = getattr(close, fn)(*args)
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
        # (a sum started as 0.0 is a Python float or np.float64 depending on the run: ty.ts origin 'mixed')
        assert isinstance(got, float) and isinstance(want, float), (fn, type(got), type(want))
        bound = loop_sum_bound(s0, terms, per)
        assert abs(got - want) <= bound, (fn, len(terms), got, want, bound)
        differed += got != want
    assert differed > 0  # the sums really are reassociated somewhere (else this test checks nothing)


def test_two_sums_in_one_loop_and_integer_counts(modules, monkeypatch):
    import polyray.runtime as rt

    original, exact, close, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(6)
    for n in (0, 3, 4097, 9000, 200_000):
        x = _terms(rng, n)
        (t1, q1), (t0, q0) = close.moments(x), original.moments(x)
        assert abs(t1 - t0) <= loop_sum_bound(0.0, x) and abs(q1 - q0) <= loop_sum_bound(0.0, x * x)
        # an integer sum is the same in any order: bit for bit, in both modes, and blocked in both
        for mod in (close, exact):
            got, want = mod.count_above(x, 0.25), original.count_above(x, 0.25)
            assert rt.history()[-1]["variant"] == "cpu"
            assert got == want and type(got) is type(want)
    assert "_polyray_rp_count" in cpu_body(exact, "count_above")


def test_exact_mode_keeps_the_original_order_bit_for_bit(modules, monkeypatch):
    import polyray.runtime as rt

    original, exact, _, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in BLOCKED:
        if fn != "count_above":
            assert "_polyray_rp_" not in cpu_body(exact, fn), fn
    for fn, args, _, _, _ in _cases(np.random.default_rng(7)):
        want, got = getattr(original, fn)(*args), getattr(exact, fn)(*args)
        assert rt.history()[-1]["variant"] == "cpu"
        assert got == want or (np.isnan(got) and np.isnan(want)), fn


def test_what_only_looks_like_a_sum_stays_sequential_and_exact(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, report, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for fn in NOT_REDUCTIONS:
        body = cpu_body(close, fn)
        assert "_polyray_prange(" not in body and "_polyray_rp_" not in body, fn
    rng = np.random.default_rng(8)
    for n in (1, 2, 5000, 100_000):
        a = rng.uniform(-0.001, 0.001, n)
        for fn in ("decay", "argmax_by_hand", "compound", "product"):
            want, got = getattr(original, fn)(a), getattr(close, fn)(a)
            assert rt.history()[-1]["variant"] == "cpu"
            assert got == want and isinstance(got, float) == isinstance(want, float), fn
        o1, o2 = np.zeros(n), np.zeros(n)
        assert original.exclusive_scan(a, o1) == close.exclusive_scan(a, o2)
        assert np.array_equal(o1, o2)
    functions = {f["name"]: f for f in report["functions"]}
    for fn in NOT_REDUCTIONS:
        assert functions[fn]["closeNotes"] == [], fn


def test_bad_inputs_and_special_values(modules, monkeypatch):
    original, _, close, _, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(9)
    a = _terms(rng, 9000)
    # b shorter than a: the original raises IndexError part-way; the guard sends the call to it
    assert outcome(close.dot, a, a[:8000]) == outcome(original.dot, a, a[:8000])
    assert outcome(close.weighted_total, a.reshape(90, 100), a[:99]) == outcome(original.weighted_total, a.reshape(90, 100), a[:99])
    # NaN and inf where the original has them, in any block
    for bad in (np.nan, np.inf, -np.inf):
        b = a.copy()
        b[8321] = bad
        want, got = original.dot(b, a), close.dot(b, a)
        assert (np.isnan(want) and np.isnan(got)) or want == got
    b = a.copy()
    b[10], b[8000] = np.inf, -np.inf  # opposite infinities in different blocks: NaN as in the original
    assert np.isnan(original.dot(b, np.ones(9000))) and np.isnan(close.dot(b, np.ones(9000)))
    # signed zeros: -0.0 starts the later blocks, so a sum of negative zeros stays -0.0
    z = np.full(20000, -0.0)
    assert np.signbit(close.odd_tail(z, -0.0)) == np.signbit(original.odd_tail(z, -0.0))


def test_report_states_each_reassociated_sum_and_its_bound(modules):
    *_, report, _ = modules
    functions = {f["name"]: f for f in report["functions"]}
    notes = functions["moments"]["closeNotes"]
    assert [n["operation"] for n in notes] == ["total += ...", "squares += ..."]
    assert all(n["kind"] == "reduction" and "1.01*(N + M + B - 1)*eps/2" in n["bound"] for n in notes)
    assert functions["count_above"]["closeNotes"] == []  # integer sums: same bits
    assert loop_blocks(5000) == (4096, 2) and loop_blocks(4096) == (4096, 1) and loop_blocks(10**8) == (24415, 4096)


def test_the_same_bits_with_one_and_two_threads_on_every_call(modules):
    *_, d = modules
    script = textwrap.dedent(f'''
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(d)!r})
        import loop_sums_close as m
        rng = np.random.default_rng(3)
        a, b = rng.standard_normal(1_000_000), rng.standard_normal(1_000_000)
        A = rng.standard_normal((3000, 50))
        out = [[repr(m.dot(a, b)), repr(m.moments(a)), repr(m.weighted_total(A, b[:50])), repr(m.positive_part(a))] for _ in range(3)]
        print(json.dumps(out))
    ''')
    runs = {}
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1"}
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        runs[threads] = json.loads(r.stdout.strip().splitlines()[-1])
    assert runs["1"][0] == runs["1"][1] == runs["1"][2] == runs["2"][0] == runs["2"][2]
