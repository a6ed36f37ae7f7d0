"""The independent check of parallel verdicts (test/verdicts/permute.py) over every kernel file
of test/ and bench/: each loop the report calls parallel runs reversed, shuffled and as if all
its iterations ran at once, in plain Python, and must give the original's results. Files with no
parallel loop are skipped at run time with that reason; files that are not compiler input are
listed in NOT_KERNELS with theirs. Then the checker itself: it must fail on wrong verdicts."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/verdicts"))
sys.path.insert(0, str(ROOT / "test/fuzz"))

import inputs  # noqa: E402
import permute  # noqa: E402

#: kernel files: compiler input written by hand or by the fuzzer
KERNEL_GLOBS = ["test/kernels/**/*.py", "test/regressions/[0-9]*.py", "test/fuzz/findings/[0-9]*.py", "test/ts/fixtures/*.py",
                "bench/polybench/*_versions.py", *inputs.EVERYDAY]
#: every other Python file under test/ and bench/, and why it is not checked
NOT_KERNELS = {
    "bench/idle_threads.py": "times import polyray's thread settings (spin counts, the pool restart) on products and prange loops it builds (a benchmark driver, no kernel)",
    "bench/atax_forms.py": "times atax's compiled body as the expert's, the serial row pass, column blocks and row blocks, Numba functions it defines (a benchmark driver, no kernel)",
    "bench/rotation_forms.py": "times the serial and prange forms of test/kernels/numpy_style/rotations.py and gathers.py, checked here "
                               "(a benchmark driver, no kernel)",
    "bench/gemv_rows.py": "times gesummv's compiled body as two gemv or as the row loop summed in SIMD lanes, Numba functions it defines (a benchmark driver, no kernel)",
    "bench/speculative_forms.py": "times the forms of rbf, act, smooth and logs, test/python/test_inlined_calls.py's kernels (their source "
                                  "copied there, checked there), compiled by several compilers (a benchmark driver, no kernel)",
    "bench/kept_body.py": "times the generated wrapper's kept copy of the original against a call of it (a benchmark driver, no kernel)",
    "bench/dispatch_overhead.py": "times the dispatcher's hot and full paths on kernels it writes at run time (a benchmark driver, no kernel)",
    "test/kernels/polybench/specs.py": "sizes and input builders of the PolyBench kernels (test support, no kernel)",
    "test/ts/golden/": "expected compiler output, not compiler input",
    "test/ts/fixtures/nep50/": "writes NumPy's promotion table for the TypeScript tests (a data generator, no kernel)",
    "test/ts/fixtures/scalar-ufunc/": "writes NumPy's and Numba's ufunc dtypes on scalars for the TypeScript tests (a data generator, no kernel)",
    "test/python/": "the Python test suites (harness)",
    "test/fuzz/generate.py": "the fuzzer's program generator; its programs are checked by test/fuzz/run.py, each seed",
    "test/fuzz/run.py": "the fuzzer's runner (harness)",
    "test/fuzz/close_check.py": "the fuzzer's close-mode comparison (per-operation bounds), harness",
    "test/fuzz/phases.py": "the fuzzer's CPU seconds by phase (harness)",
    "test/fuzz/resume.py": "the fuzzer's runs across sittings: state file headers and the record's commits (harness)",
    "bench/first_cell.py": "times the first %%parallelize cell after %load_ext in fresh kernels (a benchmark driver; its cell "
                           "is test_notebooks' TIMED_CELL, run there)",
    "test/fuzz/families.py": "the fuzzer's generator families (masks and index arrays, module constants, NumPy scalars, tuple returns); "
                             "its programs are checked by test/fuzz/run.py, each seed",
    "test/notebooks/": "a notebook benchmark driver (harness)",
    "test/verdicts/": "this checker",
    "bench/polybench/__init__.py": "package marker",
    "bench/run_bench.py": "benchmark driver; its kernels are test/kernels/polybench and bench/polybench, checked here",
    "bench/numpy_style.py": "benchmark driver; its kernels are test/kernels/extra/lowered.py, checked here",
    "bench/lowered_npbench.py": "times NPBench's floyd_warshall (a hinted copy in test/kernels/extra/target_reads.py, "
                                "checked here) against NumPy (a benchmark driver, no kernel)",
    "bench/first_call.py": "first-call benchmark driver (issue 19); its kernels are test/kernels/polybench, checked here, "
                           "and NPBench's own files",
    "bench/jit_cost.py": "Numba compile-cost benchmark driver (issue 18); its kernels are test/kernels/polybench, checked here, "
                         "and NPBench's own files",
    "bench/child_result.py": "the fresh-process runner shared by first_call.py and jit_cost.py; no kernels",
    "bench/consecutive_calls.py": "benchmark driver (consecutive calls per variant); its kernels are test/kernels/polybench and "
                                  "bench/polybench, checked here",
    "bench/fft_error.py": "measures rocket-fft's and NumPy's FFT error against a long-double reference (a numerics script, no kernel)",
    "bench/ray_overhead.py": "benchmark driver over a hand-written module in the generated-code shape, not compiler input",
    "bench/npbench/": "the NPBench harness (npm run bench:npbench); its kernels are NPBench's own files, outside this tree, "
                      "compiled through @parallelize from unhinted sources",
    "bench/everyday/cases.py": "the everyday suite's inputs; its kernel modules are checked here, hinted with these inputs' "
                               "types as @parallelize hints them (inputs.everyday_source)",
    "bench/everyday/run.py": "the everyday suite's runner (npm run bench:everyday), a harness",
}
#: parallel loops no input can run to the end inside the verdict's claim, and why
UNREACHED = {
    "test/regressions/009_seed2000092_f0_cpu.py": ({"f0:24 i", "f0:29 j"}, "C[j - 2] is negative at j = 0 on every call that "
                                                   "reaches them: outside the claim of every verdict (the guard refuses such calls)"),
}


def kernel_files() -> list[Path]:
    files = {p for g in KERNEL_GLOBS for p in ROOT.glob(g)}
    return sorted(p for p in files if p.relative_to(ROOT).as_posix() not in NOT_KERNELS)


FILES = kernel_files()


def everyday(path: Path) -> bool:
    return path.relative_to(ROOT).as_posix() in inputs.EVERYDAY


def source_of(path: Path) -> str:
    """The source compiled and checked: the file, or an everyday module with its first call's hints."""
    return inputs.everyday_source(path.relative_to(ROOT).as_posix()) if everyday(path) else path.read_text()


def test_every_python_file_of_test_and_bench_is_checked_or_says_why_not():
    covered = {p.relative_to(ROOT).as_posix() for p in FILES}
    missing = []
    for p in sorted([*ROOT.glob("test/**/*.py"), *ROOT.glob("bench/**/*.py")]):
        rel = p.relative_to(ROOT).as_posix()
        if rel not in covered and not any(rel == k or (k.endswith("/") and rel.startswith(k)) for k in NOT_KERNELS):
            missing.append(rel)
    assert not missing, f"neither checked nor listed in NOT_KERNELS with a reason: {missing}"
    assert len(FILES) >= 50, FILES


@pytest.fixture(scope="module")
def reports():
    """file -> report, from one compile service (the CLI's compiler, without a Node start per file)."""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    import run as fuzz

    compiler = fuzz.Compiler()
    out = {}
    try:
        for p in FILES:
            # an everyday module as @parallelize compiles it: hinted from its first call, close mode (its default)
            reply = compiler.compile(source_of(p), p.name, **({"numerics": "close"} if everyday(p) else {}))
            out[p] = reply["report"] if reply.get("ok") else reply
    finally:
        compiler.close()
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_parallel_verdicts_hold_when_the_iterations_run_in_another_order(path, reports):
    report = reports[path]
    assert "functions" in report, f"{path}: the compile failed: {report}"
    if not permute.parallel_loops(report):
        pytest.skip("no loop is reported parallel")
    source = source_of(path)
    result = permute.check_source(source, report, inputs.calls_for(path, report, source=source), str(path.relative_to(ROOT)))
    assert not result.failures, "\n".join(map(str, result.failures))
    # the inputs must exercise every parallel loop: at least one call compared in full with
    # an execution of two iterations or more
    unreached = UNREACHED.get(path.relative_to(ROOT).as_posix(), (set(), ""))[0]
    idle = [f"{s.function}:{s.line} {s.var}" for s in result.loops if s.nontrivial == 0 and f"{s.function}:{s.line} {s.var}" not in unreached]
    assert not idle, f"{path}: no call ran these parallel loops with 2 or more iterations to the end: {idle}\n{result.summary()}"


# ------------------------------------------------------------------------------ the checker can fail

def report_of(name, loops, params=()):
    return {"functions": [{"name": name, "params": [{"name": p, "kind": "array"} for p in params],
                           "loops": [{"line": line, "var": var, "parallel": True, "reason": reason} for line, var, reason in loops]}]}


INDEPENDENT = "no dependence is carried by i: its iterations are independent whenever every subscript is in bounds"
RECURRENCE = """\
import numpy as np


def prefix(x, n):
    for i in range(1, n):
        x[i] = x[i - 1] + x[i]
"""


def test_a_loop_carrying_a_dependence_called_parallel_fails_naming_the_loop():
    calls = {"prefix": [[np.arange(6.0), 6], [np.arange(1.0), 1]]}
    result = permute.check_source(RECURRENCE, report_of("prefix", [(5, "i", INDEPENDENT)], ["x"]), calls, "recurrence.py")
    assert len(result.failures) == 1, result.failures
    text = str(result.failures[0])
    assert "recurrence.py: prefix, loop `for i` at line 5 is reported parallel" in text and "array x differs" in text, text


WHILE_CARRIED = """\
import numpy as np


def settle(x, n):
    for i in range(1, n):
        k = 0
        while k < 2 and x[i] < 100.0:
            x[i] = x[i] + x[i - 1]
            k += 1
"""


def test_a_dependence_carried_through_a_while_loop_called_parallel_fails():
    """The for loop carries x[i - 1] -> x[i] through the while loop inside it (the compiler calls it
    sequential: test/ts/loops.test.ts); called parallel, the permuted runs must differ."""
    calls = {"settle": [[np.arange(1.0, 7.0), 6]]}
    result = permute.check_source(WHILE_CARRIED, report_of("settle", [(5, "i", INDEPENDENT)], ["x"]), calls, "while.py")
    assert len(result.failures) == 1, result.failures
    assert "settle, loop `for i` at line 5 is reported parallel" in str(result.failures[0])


STENCIL = """\
import numpy as np


def jacobi(A: np.ndarray, B: np.ndarray, T: int) -> None:
    for t in range(T):
        B[1:-1] = 0.33 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33 * (B[:-2] + B[1:-1] + B[2:])
"""


def test_the_known_false_verdict_of_issue_15_is_caught():
    """Item 2 of issue 15: the report called this time loop parallel (negative slice bounds read as
    literal -1, -2). Every step does the same thing, so no sequential order shows it; run as if at
    the same time, step 1 writes what step 0 wrote (and reads A before step 0 wrote it)."""
    rng = np.random.default_rng(0)
    calls = {"jacobi": [[rng.random(n), rng.random(n), t] for n, t in ((0, 2), (3, 1), (5, 3), (8, 4))]}
    result = permute.check_source(STENCIL, report_of("jacobi", [(5, "t", INDEPENDENT)], ["A", "B"]), calls, "stencil.py")
    assert [f.order for f in result.failures] == ["concurrent"], result.failures
    assert "jacobi, loop `for t` at line 5" in str(result.failures[0]) and "both write" in str(result.failures[0])


SUM = """\
def total(x, n):
    s = 0.0
    for i in range(n):
        s += x[i]
    return s
"""


@pytest.mark.parametrize("reason,fails", [("'s += ...' at line 4: a reduction across iterations of i", False), (INDEPENDENT, True)])
def test_floats_get_a_tolerance_only_where_the_report_names_a_reduction(reason, fails):
    # well-conditioned values: another order changes the last bits of the sum, not more
    x = np.random.default_rng(5).random(1000) + 0.5
    calls = {"total": [[x, len(x)]]}
    result = permute.check_source(SUM, report_of("total", [(3, "i", reason)], ["x"]), calls, "sum.py")
    assert bool(result.failures) == fails, result.failures
    assert result.loops[0].reduction == (not fails)


def test_integers_stay_exact_under_the_reduction_tolerance():
    assert permute.same(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-13]), tolerant=True)
    assert not permute.same(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-13]))
    assert not permute.same(np.array([10**15]), np.array([10**15 + 1]), tolerant=True)
    assert permute.same(np.array([np.nan, -0.0]), np.array([np.nan, -0.0]))
    assert not permute.same(np.array([0.0]), np.array([-0.0]))


WRAP = """\
def wrap(A, n, k):
    for i in range(n):
        A[i - k] = A[n] + 1.0
"""


def test_a_negative_computed_subscript_is_outside_the_claim_but_a_literal_one_is_not():
    # with k = 1, i - k at i = 0 writes A[-1], which is A[n], the element every iteration reads:
    # Python wraps, the model does not (the guard refuses such calls); the verdict makes no claim
    # there. With k = 0 no iteration writes A[n]: compared, and equal.
    rep = report_of("wrap", [(2, "i", INDEPENDENT)], ["A"])
    result = permute.check_source(WRAP, rep, {"wrap": [[np.arange(6.0), 5, 1], [np.arange(6.0), 5, 0]]}, "wrap.py")
    assert not result.failures and result.loops[0].outside_claim == 1 and result.loops[0].compared == 1, result.summary()
    # a literal -1 means the last element (NumPy's meaning, which the model must follow): checked
    literal = WRAP.replace("A[n]", "A[-1]").replace("A[i - k]", "A[i]")
    result = permute.check_source(literal, rep, {"wrap": [[np.arange(5.0), 5, 0]]}, "literal.py")
    assert result.failures and result.loops[0].outside_claim == 0, result.summary()


ROOTS = """\
import math


def roots(x, y, n):
    for i in range(n):
        y[i] = math.sqrt(x[i])
"""


def test_an_exception_inside_the_loop_must_only_happen_again():
    x = np.array([4.0, -1.0, 9.0, -4.0])
    result = permute.check_source(ROOTS, report_of("roots", [(5, "i", INDEPENDENT)], ["x", "y"]),
                                  {"roots": [[x, np.zeros(4), 4], [np.abs(x), np.zeros(4), 4]]}, "roots.py")
    assert not result.failures and result.loops[0].raised_inside == 1 and result.loops[0].compared == 1, result.summary()


LAST = """\
def last(x, y, n):
    t = 0.0
    for i in range(n):
        t = x[i] * 2.0
        y[i] = t
    return t + i
"""


def test_values_the_loop_leaves_behind_come_from_its_last_iteration():
    result = permute.check_source(LAST, report_of("last", [(3, "i", INDEPENDENT)], ["x", "y"]),
                                  {"last": [[np.arange(7.0), np.zeros(7), 7]]}, "last.py")
    assert not result.failures and result.loops[0].keep_last, result.summary()


def test_the_rewrite_changes_only_the_loop_iterable_and_its_subscripts():
    src = "def f(A, n):  # é\n    s = A[0]\n    for i in range(1,  n):\n        A[i] = A[i - 1] * 2 + A[-1]  # ü\n    return s\n"
    new = permute.rewrite(src, 3, "i")
    assert new == ("def f(A, n):  # é\n    s = A[0]\n    for i in _polyray_vc_order(range(1,  n), locals(), ('A',)):\n"
                   "        A[_polyray_vc_ix(i)] = A[_polyray_vc_ix(i - 1)] * 2 + A[-1]  # ü\n    return s\n"), new


def test_bad_requests_are_errors_not_passes():
    with pytest.raises(permute.CheckError, match="no single `for j"):
        permute.rewrite(RECURRENCE, 5, "j")
    with pytest.raises(permute.CheckError, match="no inputs"):
        permute.check_source(RECURRENCE, report_of("prefix", [(5, "i", INDEPENDENT)]), {}, "x.py")


def test_the_command_line_checks_one_file_against_a_report(tmp_path, capsys):
    import json

    src, rep = tmp_path / "recurrence.py", tmp_path / "r.json"
    src.write_text(RECURRENCE)
    fn = report_of("prefix", [(5, "i", INDEPENDENT)])["functions"][0]
    fn["params"] = [{"name": "x", "kind": "array", "dtype": "float64", "ndim": 1}, {"name": "n", "kind": "int"}]
    rep.write_text(json.dumps({"functions": [fn]}))
    assert permute.main([str(src), "--report", str(rep), "--sizes", "1,4"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "prefix, loop `for i` at line 5 is reported parallel" in out, out
    fn["loops"][0]["parallel"] = False
    rep.write_text(json.dumps({"functions": [fn]}))
    assert permute.main([str(src), "--report", str(rep)]) == 0
    assert "no loop is reported parallel" in capsys.readouterr().out


def test_the_fuzzer_counts_a_wrong_verdict_as_a_mismatch_naming_the_loop():
    import generate as gen
    import run as fuzz

    spec = gen.FunctionSpec("prefix", [gen.Param("x", "array", 1), gen.Param("n", "int")], False, None)
    result: dict = {}
    mismatches = fuzz.verdict_mismatches(RECURRENCE, report_of("prefix", [(5, "i", INDEPENDENT)], ["x"]), [spec], 7, 4, result,
                                         None, {"x": np.arange(6.0), "n": 6})
    assert len(mismatches) == 1 and mismatches[0]["target"] == "verdict", mismatches
    assert "fz_7.py: prefix, loop `for i` at line 5 is reported parallel" in mismatches[0]["what"], mismatches
    assert result["verdict_loops"] == 1
    # a right verdict: no mismatch, and the loop still counted as checked
    right = report_of("prefix", [(5, "i", INDEPENDENT)], ["x"])
    right["functions"][0]["loops"][0]["parallel"] = False
    assert fuzz.verdict_mismatches(RECURRENCE, right, [spec], 7, 4, result, None, None) == [] and result["verdict_loops"] == 0


NARROW_STORE = """\
import numpy as np


def offsets(OUT: np.ndarray, n: int, base: int) -> None:
    for i in range(n):
        OUT[i] = (-3) ^ (base + 100)
"""


def test_int_parameters_that_are_no_size_span_the_narrowest_dtype_both_signs():
    """Regression 018's store fits uint16 only for base <= -101: the fuzzer's ints never give it. The extra
    calls draw `base` across uint16's range with both signs, and leave `n` (a loop count) as the fuzzer's."""
    import ast

    fn = {"name": "offsets", "params": [{"name": "OUT", "kind": "array", "dtype": "uint16", "ndim": 1},
                                        {"name": "n", "kind": "int"}, {"name": "base", "kind": "int"}]}
    node = ast.parse(NARROW_STORE).body[1]
    calls = inputs.fitting_int_calls(fn, node)
    assert len(calls) == 32 and all(abs(c[1]) <= 13 for c in calls)
    fits = [c for c in calls if 0 <= (-3) ^ (c[2] + 100) <= 65535]
    assert fits and any(c[2] > 0 for c in calls), [c[2] for c in calls]
    assert max(abs(c[2]) for c in calls) < 2**16
    # the uint16 array holds values of uint16's signed half-range
    assert all(c[0].dtype == np.uint16 and (c[0] < 2**15).all() for c in calls) and any(c[0].size for c in calls)
    # no narrow integer dtype named: nothing to fit
    assert inputs.fitting_int_calls({**fn, "params": [{**fn["params"][0], "dtype": "int64"}, *fn["params"][1:]]}, node) == []
