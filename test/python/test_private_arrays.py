"""Array privatization (issue 17/18): local arrays bound afresh in every iteration of a loop are
private to it, so the loop runs as prange (scop/private-arrays.ts, scop/fresh-shapes.ts).

The kernels (test/kernels/numpy_style/private_arrays.py) are compared with the original in both
numerics modes (once when close mode generates exact mode's module line for line, as it does for these
loops: compiled.same_in_both_modes), in the parallel and the serial form of the CPU variant, with 1 and 2 threads, on
shapes with no rows, one column and many rows; the report's verdict of each outer loop is asserted
(parallel and prange for the private forms, sequential for their negative twins); bad inputs
(a short output, columns that do not fit) raise as the original does with the same writes; the
GPU form runs under Numba's CUDA simulator where the function has one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, cpu_body, outcome, run_both, same_in_both_modes, compile_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/private_arrays.py"

PRIVATE = ["row_ranges", "row_energy", "scaled_rows", "shifted_rows", "clipped_rows", "running_max", "inner_scratch", "row_norms_scalar",
           # an index read from data (checked as the variant runs), `t += ...` updates, two arrays or scalars per row
           "counts_per_row", "row_median", "accumulated_rows", "repeated_update", "lo_hi_rows", "row_spread"]
# (inner_may_skip: rows past the diagonal read t from an earlier row; it ran as prange before, with other values)
SHARED = ["scratch_live_after", "view_rows", "hoisted_scratch", "conditional_scratch", "self_update", "scalar_from_before", "inner_may_skip"]
# (and those of the forms of an index read from data and of in-place updates: their outer loops are sequential,
# so the two-thread test leaves them out; test_verdicts permutes every parallel loop of the file)
SHARED_TOO = ["histogram_of", "counts_shared", "counts_escape", "running_total", "median_read_before"]
# (their outer loop runs speculatively: an index read from data flags instead of raising)
SPECULATIVE = ["counts_per_row", "row_median"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("private_arrays")
    return compile_both_modes(SOURCE, d, "private_arrays"), d


@pytest.fixture(scope="module")
def runs(modules):
    """The modules whose calls the tests run: both modes, or exact's alone when close mode generated the same
    module line for line (compiled.same_in_both_modes; the reports of both are still checked)."""
    mods, _ = modules
    return {m: mods[m] for m in (("exact",) if same_in_both_modes(mods["exact"][0], mods["close"][0]) else ("exact", "close"))}


def _args(name: str, rng, n: int, m: int):
    A = rng.standard_normal((n, m))
    if name in ("counts_per_row", "counts_shared", "counts_escape"):
        # negative indices count from the end, as in NumPy
        return (rng.integers(-4, 4, (n, m)), np.zeros((n, 4), dtype=np.int64))
    if name == "histogram_of":
        return (rng.integers(-3, 3, n * m), np.zeros(3, dtype=np.int64))
    if name in ("scaled_rows", "shifted_rows", "clipped_rows", "running_max", "inner_scratch", "self_update", "accumulated_rows", "repeated_update",
                "lo_hi_rows", "running_total"):
        return (A, np.full((n, m), np.nan))
    if name == "scalar_from_before":
        return (A, np.full(n, np.nan), 2)
    if name == "conditional_scratch" and n > 0:
        A[0, 0] = abs(A[0, 0]) + 0.5  # the first iteration allocates (else NumPy's t from before the loop)
    return (A, np.full(n, np.nan))


SHAPES = [(0, 3), (1, 1), (3, 4), (64, 5), (700, 33)]


def test_verdicts_in_the_report(modules):
    """The outer loop of each private form is parallel and runs as prange, naming the private array;
    each negative twin's outer loop is sequential, in both modes."""
    mods, _ = modules
    for mode, (mod, report) in mods.items():
        for fn in PRIVATE:
            outer = report[fn]["loops"][0]
            assert outer["parallel"] and "runs as prange" in outer["reason"], (mode, fn, outer)
            assert "_polyray_prange(" in cpu_body(mod, fn), (mode, fn)
            if fn != "row_norms_scalar":
                assert "allocated afresh in every iteration" in outer["reason"], (mode, fn, outer)
            assert ("speculatively" in outer["reason"]) == (fn in SPECULATIVE), (mode, fn, outer)
        for fn in SHARED + SHARED_TOO:
            outer = report[fn]["loops"][0]
            assert not outer["parallel"], (mode, fn, outer)
            assert "afresh" not in outer["reason"], (mode, fn, outer)


def test_same_results_as_the_original_in_both_modes(runs, monkeypatch):
    """The serial form (what small calls run), both modes; the parallel form runs in the two-thread test."""
    mods = runs
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "serial")
    rng = np.random.default_rng(17)
    for mode, (mod, _) in mods.items():
        for fn in PRIVATE + SHARED + SHARED_TOO:
            for n, m in SHAPES:
                if fn == "view_rows" and n == 0:
                    continue
                ran = run_both(mod, fn, *_args(fn, rng, n, m))
                if n > 1 and m > 0 and ran.status == "ok":
                    assert ran.variant == "cpu", (mode, fn, n, m, ran.records)


def test_bad_inputs_raise_as_the_original_with_the_same_writes(runs, monkeypatch):
    """A short output (IndexError part-way) and rows that do not fit the output (ValueError from
    NumPy's broadcasting): the guard sends the call to the original."""
    mods = runs
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    A = rng.standard_normal((50, 6))
    for mode, (mod, _) in mods.items():
        for fn in ("row_ranges", "row_energy", "row_norms_scalar"):
            ran = run_both(mod, fn, A, np.zeros(20))
            assert ran.status == "IndexError", (mode, fn, ran.status)
        for fn in ("scaled_rows", "shifted_rows", "clipped_rows"):
            ran = run_both(mod, fn, A, np.zeros((50, 5)))
            assert ran.status == "ValueError", (mode, fn, ran.status)
            # one column stretched by NumPy's broadcasting is not an error, but not the loop's shape either
            run_both(mod, fn, A[:, :1].copy(), np.zeros((50, 6)))
        # an empty row: row[m - 1] is out of bounds
        assert run_both(mod, "row_ranges", np.zeros((4, 0)), np.zeros(4)).status == "IndexError"
        assert run_both(mod, "row_median", np.zeros((4, 0)), np.zeros(4)).status == "IndexError"


@pytest.mark.parametrize("form", ["serial", "parallel"])
def test_an_index_read_from_data_raises_as_the_original(runs, monkeypatch, form):
    """`c[X[i, j]] += 1` with an index past either end of c, in a middle row: the prange loop flags it,
    the runtime restores `out` and the original raises NumPy's IndexError (message and the rows written
    before it); in the sequential histogram the check leaves the call to the original the same way. An
    index of -k counts from the end; no columns for c (k = 0) is the guard's."""
    mods = runs
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    rng = np.random.default_rng(29)
    for mode, (mod, _) in mods.items():
        for bad in (4, -5, 1 << 40):
            X = rng.integers(-4, 4, (300, 9))
            X[150, 4] = bad
            ran = run_both(mod, "counts_per_row", X, np.full((300, 4), -1, dtype=np.int64))
            assert ran.status == "IndexError" and ran.variant == "original", (mode, bad, ran.status, ran.records)
            assert "restored" in ran.records[-1]["reason"], ran.records
            x = rng.integers(-3, 3, 500)
            x[250] = bad
            ran = run_both(mod, "histogram_of", x, np.full(3, -1, dtype=np.int64))
            assert ran.status == "IndexError" and ran.variant == "original", (mode, bad, ran.status, ran.records)
        X = np.full((50, 3), -4)
        ran = run_both(mod, "counts_per_row", X, np.zeros((50, 4), dtype=np.int64))
        assert ran.status == "ok" and ran.variant == "cpu", ran.records
        assert run_both(mod, "counts_per_row", X, np.zeros((50, 0), dtype=np.int64)).status == "IndexError"


def test_the_parallel_form_with_two_threads(modules, runs):
    """prange with per-iteration arrays on two threads (the parallel form on every call), against the
    original in the same process, both modes; the negative twins too (their inner loops may be prange)."""
    _, d = modules
    names = [f"private_arrays_{mode}" for mode in runs]
    script = textwrap.dedent(f'''
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(d)!r})
        sys.path.insert(0, {str(ROOT / "test/python")!r})
        from compiled import run_both
        from test_private_arrays import _args
        import importlib
        rng = np.random.default_rng(11)
        ran = 0
        for mod in [importlib.import_module(name) for name in {names!r}]:
            for fn in {(PRIVATE + SHARED)!r}:
                for n, m in ((2000, 17), (513, 64)):
                    r = run_both(mod, fn, *_args(fn, rng, n, m))
                    assert r.variant == "cpu", (fn, r.records)
                    ran += 1
        print(json.dumps(ran))
    ''')
    env = {**os.environ, "NUMBA_NUM_THREADS": "2", "POLYRAY_TARGET": "cpu", "POLYRAY_JIT_WAIT": "1", "POLYRAY_CPU_FORM": "parallel",
           "POLYRAY_TIME_ORIGINAL_BELOW": "0"}
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == len(runs) * 2 * len(PRIVATE + SHARED)


def test_gpu_form_under_the_simulator(modules):
    """shifted_rows's temporary is computed element by element (never allocated), and inner_scratch's
    `np.zeros(2)` is each thread's cuda.local.array, so both have a GPU form; the forms that allocate
    an array of the arguments' size in the loop have none, with the reason in the report, nor those
    with an index read from data."""
    mods, _ = modules
    for mode, (_, report) in mods.items():
        assert "gpu" in report["shifted_rows"]["variants"], mode
        assert "gpu" in report["inner_scratch"]["variants"], mode
        for fn in ("counts_per_row", "row_median"):
            assert "gpu" not in report[fn]["variants"], (mode, fn)
            assert any("index read from data" in t for t in report[fn]["transformations"]), (mode, fn, report[fn]["transformations"])
        for fn in ("row_energy", "scaled_rows"):
            assert "gpu" not in report[fn]["variants"], (mode, fn)
            assert any("no GPU variant" in t and "GPU form" in t for t in report[fn]["transformations"]), (mode, fn, report[fn]["transformations"])
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, str(ROOT / "test/python/gpu_sim_private_arrays.py")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 8, proc.stdout
    for r in results:
        assert r["variant"] == "gpu" and r["equal"], r


def test_the_fuzzer_generates_every_private_form(monkeypatch):
    """test/fuzz/families.PrivateFn writes each fresh form, the inner-loop scratch array and each
    negative twin (its runs compare them against the original in both modes: run.py --private-family)."""
    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import families
    import generate

    monkeypatch.setenv("POLYRAY_FUZZ_PRIVATE", "1")
    seen: set[str] = set()
    for seed in range(120):
        for spec in generate.generate(seed).functions:
            if "private_family" in spec.features:
                seen |= spec.features
    want = {f"private_{f}" for f in families.PrivateFn.FORMS} | {f"private_twin_{t}" for t in families.PrivateFn.TWINS} | {"private_inner"}
    assert want <= seen, want - seen
