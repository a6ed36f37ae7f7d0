"""bench/npbench (``npm run bench:npbench``) on a small NPBench-shaped checkout made here.

Three benchmarks laid out as NPBench lays them out (bench_info/NAME.json,
npbench/benchmarks/PATH/MODULE.py with ``initialize``, MODULE_numpy.py): one
Polyray compiles, one it keeps as the original (a ``while`` loop), and one whose
NumPy version gives a different result on each call (unseeded random numbers), which
the harness must report as wrong and exit 1 for. A hanging benchmark must be cut by
the time limit and recorded, not stop the run. Each has an NPBench-style ``_numba_n``
version: the harness records which of its functions Numba compiles and names the
NumPy module's functions that Numba compiles and Polyray does not (issue 17's yardstick). The real checkout (../shared/npbench),
when present, runs atax.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "bench" / "npbench" / "run.py"
NPBENCH = REPO.parent / "shared" / "npbench"

BENCHES = {
    "scale": ("""
        def kernel(n, A, B):
            for i in range(n):
                B[i] = 2.0 * A[i] + 1.0
        """, {"S": {"n": 64}}, ["n", "A", "B"], ["B"]),
    "halve": ("""
        def kernel(n, A, B):
            i = 0
            while i < n:
                B[i] = A[i] / 2.0
                i += 1
            else:
                B[0] = 0.0
        """, {"S": {"n": 32}}, ["n", "A", "B"], ["B"]),
    "drift": ("""
        def kernel(n, A, B):
            return A + np.random.rand(n)
        """, {"S": {"n": 16}}, ["n", "A", "B"], []),
    "slownumba": ("""
        def kernel(n, A, B):
            for i in range(n):
                B[i] = A[i] + 1.0
        """, {"S": {"n": 8}}, ["n", "A", "B"], ["B"]),
    "slowtimed": ("""
        def kernel(n, A, B):
            for i in range(n):
                B[i] = A[i] * 3.0
        """, {"S": {"n": 8}}, ["n", "A", "B"], ["B"]),
    "hang": ("""
        import time

        def kernel(n, A, B):
            time.sleep(120)
            return A
        """, {"S": {"n": 4}}, ["n", "A", "B"], []),
}

# NPBench's expert Numba versions: scale's calls a jit helper and has one never reached; halve's
# compiles the loop Polyray keeps in Python (a gap); drift's does not type (a str plus an array).
NUMBA_N = {
    "scale": """
        @nb.jit(nopython=True, parallel=False, fastmath=True)
        def twice(x):
            return 2.0 * x

        @nb.jit(nopython=True)
        def unused(x):
            return x

        @nb.jit(nopython=True, parallel=False, fastmath=True)
        def kernel(n, A, B):
            for i in range(n):
                B[i] = twice(A[i]) + 1.0
        """,
    "halve": """
        @nb.jit(nopython=True, parallel=False, fastmath=True)
        def kernel(n, A, B):
            for i in range(n):
                B[i] = A[i] / 2.0
            B[0] = 0.0
        """,
    # NPBench's Numba version takes longer than the time limit (here: before it even compiles)
    "slownumba": """
        import time
        time.sleep(120)
        """,
    "drift": """
        @nb.jit(nopython=True)
        def kernel(n, A, B):
            return A + "x"
        """,
}

# Other NPBench Numba versions: slowtimed's _numba_np takes longer than the time limit (at its import), as a
# large preset's slow version does: the times measured before it must stay in the row.
NUMBA_OTHER = {
    ("slowtimed", "numba_np"): """
        import time
        time.sleep(120)
        """,
}

INIT = """
import numpy as np

def initialize(n):
    A = np.arange(n, dtype=np.float64) / 3.0
    B = np.zeros(n, dtype=np.float64)
    return A, B
"""


def make_checkout(root: Path) -> Path:
    for name, (body, params, inputs, outputs) in BENCHES.items():
        folder = root / "npbench" / "benchmarks" / name
        folder.mkdir(parents=True)
        (folder / f"{name}.py").write_text(INIT)
        (folder / f"{name}_numpy.py").write_text("import numpy as np\n" + textwrap.dedent(body))
        if name in NUMBA_N:
            (folder / f"{name}_numba_n.py").write_text("import numpy as np\nimport numba as nb\n"
                                                      + textwrap.dedent(NUMBA_N[name]))
        for (bench, version), text in NUMBA_OTHER.items():
            if bench == name:
                (folder / f"{name}_{version}.py").write_text("import numpy as np\nimport numba as nb\n"
                                                            + textwrap.dedent(text))
        info = {"benchmark": {"name": name, "short_name": name, "relative_path": name, "module_name": name,
                              "func_name": "kernel", "parameters": params,
                              "init": {"func_name": "initialize", "input_args": ["n"], "output_args": ["A", "B"]},
                              "input_args": inputs, "array_args": ["A", "B"], "output_args": outputs}}
        (root / "bench_info").mkdir(exist_ok=True)
        (root / "bench_info" / f"{name}.json").write_text(json.dumps(info))
    return root


def run(args: list[str], timeout: float = 240) -> tuple[int, str, list[dict]]:
    out = Path(args[args.index("--json") + 1])
    proc = subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    rows = json.loads(out.read_text())
    return proc.returncode, proc.stdout + proc.stderr, (rows["rows"] if isinstance(rows, dict) else rows)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_checkout(tmp_path_factory.mktemp("npbench"))


def test_compiled_refused_and_doc_section(checkout: Path, tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nkept above\n")
    args = ["--npbench", str(checkout), "--only", "scale,halve", "--doc", str(doc), "--json", str(tmp_path / "r.json")]
    code, log, rows = run(args)
    assert code == 0, log
    by = {r["benchmark"]: r for r in rows}
    scale, halve = by["scale"], by["halve"]
    assert scale["status"] == "ok" and scale["bitwise"], scale
    assert scale["variant"] not in (None, "original"), scale  # the run record shows compiled code ran
    assert scale["functions"][0]["accelerated"]
    assert halve["status"] == "ok" and halve["variant"] == "original", halve
    assert not halve["functions"][0]["accelerated"] and "while" in halve["functions"][0]["notes"][0]
    # the _numba_n versions: what Numba compiled, and what it compiles that Polyray does not
    assert scale["numba_n"]["compiled"] == {"twice": True, "unused": False, "kernel": True}, scale["numba_n"]
    assert scale["numba_n"]["valid"] and scale["numba_n_not_polyray"] == []
    assert halve["numba_n"]["compiled"] == {"kernel": True} and halve["numba_n_not_polyray"] == ["kernel"]
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nkept above\n") and text.count("<!-- npbench-S:begin") == 1
    assert "| scale | `kernel` | yes |" in text and "| halve | `kernel` | no | original | ok |" in text
    assert "| 2/3 |  |" in text and "| 1/1 | `kernel` |" in text  # the numba_n columns of scale and halve
    assert "**numba_n compiles, Polyray does not: 1** (halve.kernel)" in text
    doc.write_text(text + "\nkept below\n")
    code, log, _ = run(args)  # a second run replaces the section, keeps the rest
    text = doc.read_text()
    assert code == 0 and text.count("<!-- npbench-S:begin") == 1 and text.endswith("kept below\n"), log


def test_wrong_result_exits_1(checkout: Path, tmp_path: Path) -> None:
    code, log, rows = run(["--npbench", str(checkout), "--only", "drift", "--no-doc", "--json", str(tmp_path / "r.json")])
    assert code == 1, log
    assert rows[0]["status"] == "wrong" and "relative error" in rows[0]["why_wrong"], rows
    assert "FAILED: drift" in log
    # its _numba_n version does not type: recorded as an error with nothing compiled, not a failed run
    assert rows[0]["numba_n"]["compiled"] == {"kernel": False}, rows[0]["numba_n"]
    assert rows[0]["numba_n"]["error"].startswith("TypingError"), rows[0]["numba_n"]
    assert rows[0]["numba_n_not_polyray"] == []


def test_a_numba_n_version_out_of_time_keeps_polyrays_row(checkout: Path, tmp_path: Path) -> None:
    """Only NPBench's Numba version ran out of time: Polyray's verdict stands, the run does not fail."""
    code, log, rows = run(["--npbench", str(checkout), "--only", "slownumba", "--timeout", "25", "--no-doc",
                           "--json", str(tmp_path / "r.json")])
    assert code == 0 and rows[0]["status"] == "ok" and rows[0]["variant"] == "cpu", (log, rows)
    assert rows[0]["numba_n"]["error"].startswith("TimeoutExpired") and rows[0]["numba_n_not_polyray"] == [], rows


def test_a_timed_version_out_of_time_keeps_the_times_before_it(checkout: Path, tmp_path: Path) -> None:
    """A large preset: NPBench's _numba_np version outlasts the limit while it is timed; the verdict and the
    NumPy and Polyray medians measured before it stay, its cell says it ran out of time, the run does not fail."""
    code, log, rows = run(["--npbench", str(checkout), "--only", "slowtimed", "--time", "--repeat", "2",
                           "--no-numba-n", "--timeout", "25", "--no-doc", "--json", str(tmp_path / "r.json")])
    row = rows[0]
    assert code == 0 and row["status"] == "ok" and row["timed_out"] == "numba_np", (log, rows)
    assert isinstance(row["times"]["numpy"], float) and isinstance(row["times"]["polyray"], float), row
    assert row["times"]["numba_np"] == "over 25 s" and "| over 25 s |" in log, row


def test_numba_n_check_can_be_skipped(checkout: Path, tmp_path: Path) -> None:
    code, log, rows = run(["--npbench", str(checkout), "--only", "scale", "--no-numba-n", "--no-doc",
                           "--json", str(tmp_path / "r.json")])
    assert code == 0 and "numba_n" not in rows[0] and "numba_n compiled" in log, (log, rows)


def test_hang_is_cut_and_recorded(checkout: Path, tmp_path: Path) -> None:
    code, log, rows = run(["--npbench", str(checkout), "--only", "hang", "--timeout", "8", "--no-doc",
                           "--json", str(tmp_path / "r.json")])
    assert code == 1 and rows[0]["status"] == "timeout", (log, rows)
    assert "numpy" in rows[0]["why_wrong"]  # the phase it was in: the NumPy reference call


def test_no_benchmarks_is_an_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(RUN), "--npbench", str(tmp_path), "--no-doc"], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 2 and "no benchmarks" in proc.stderr


@pytest.mark.skipif(not (NPBENCH / "bench_info" / "atax.json").exists(), reason="no NPBench checkout in ../shared")
def test_real_checkout_atax(tmp_path: Path) -> None:
    code, log, rows = run(["--npbench", str(NPBENCH), "--only", "atax", "--no-doc", "--json", str(tmp_path / "r.json")])
    assert code == 0 and rows[0]["status"] == "ok" and rows[0]["variant"] == "cpu", (log, rows)


def load_validate():
    spec = importlib.util.spec_from_file_location("npb_validate", REPO / "bench" / "npbench" / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validation_rules() -> None:
    v = load_validate()
    a = np.linspace(1.0, 2.0, 10)
    assert v.npbench_valid([a], [a * (1 + 1e-7)])[0]  # within allclose
    assert not v.npbench_valid([a], [a * 1.01])[0]
    assert v.npbench_valid([a], [a * 1.01], rtol=0.1)[0]  # the benchmark's own rtol
    assert not v.npbench_valid([a, a], [a])[0]  # a missing output is wrong
    assert not v.npbench_valid([a], [np.ones(3)])[0]  # shapes that do not broadcast
    nan = np.array([np.nan, 1.0])
    assert v.bitwise_equal([nan], [nan.copy()]) and not v.bitwise_equal([a], [a.astype(np.float32)])
    assert not v.bitwise_equal([a], [a * (1 + 1e-15)]) and v.as_list(None) == [] and v.as_list((1, 2)) == [1, 2]


def test_numba_n_gaps_count_a_main_function_that_ran_the_original():
    """A main function the decorator compiled but whose variant Numba could not build (its run
    record: original) is not compiled by Polyray; a helper is judged by its own verdict."""
    spec = importlib.util.spec_from_file_location("npb_one", REPO / "bench" / "npbench" / "one.py")
    one = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(one)
    nn = {"compiled": {"kernel": True, "helper": True, "other": False}}
    fns = [{"name": "kernel", "main": True, "accelerated": True}, {"name": "helper", "accelerated": True},
           {"name": "other", "accelerated": False}]
    assert one.numba_n_gaps(nn, fns, "cpu") == []
    assert one.numba_n_gaps(nn, fns, "original") == ["kernel"]
    assert one.numba_n_gaps(nn, [dict(fns[0]), dict(fns[1], accelerated=False)], "cpu") == ["helper"]


def test_timed_calls_run_as_auto_does_and_say_which_variant(checkout: Path, tmp_path: Path) -> None:
    # issue 18: the timed Polyray column is auto as users get it, "never slower" included (the original
    # timed on copies, POLYRAY_TIME_ORIGINAL_BELOW=inf there); the row says what the last timed call ran
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n")
    code, log, rows = run(["--npbench", str(checkout), "--only", "scale", "--time", "--repeat", "6", "--no-numba-n",
                           "--doc", str(doc), "--json", str(tmp_path / "r.json")])
    assert code == 0, log
    row = rows[0]
    assert row["status"] == "ok" and row["variant"] == "cpu", row
    assert row["timed_variant"] in ("cpu", "original") and row["timed_reason"].startswith("auto"), row
    # each timed call's own time is kept (the first calls at a size class may time the original and the forms)
    assert len(row["polyray_calls"]) == 6 and row["times"]["polyray"] == np.median(row["polyray_calls"]), row
    if row["timed_variant"] == "original":  # (a 32-element loop: either may win on a loaded machine)
        assert "original kept for size class" in row["timed_reason"], row
        assert "(original kept)" in doc.read_text()
    else:
        assert "original kept" not in doc.read_text()
    # issue 18: the settled-speed column, the median of the calls after auto's choice settled, beside it
    every = row["polyray_calls"] + row["polyray_extra_calls"]
    settled = row["polyray_settled_calls"]
    assert settled and len(every) <= 12 and row["times"]["polyray_settled"] == np.median(settled), row
    assert settled == every[-len(settled):], row  # (settled once, it stays so for these calls)
    # the form of each timed cpu run (32 elements: below cpu.SERIAL_BELOW_BYTES, the serial one)
    assert row["polyray_forms"] and set(row["polyray_forms"]) == {"serial"}, row
    text = doc.read_text()
    assert "| Polyray ms | Polyray settled ms |" in text and "settled calls: geomean of NumPy's time over Polyray's" in text, text


def load_one():
    spec = importlib.util.spec_from_file_location("npb_one", REPO / "bench" / "npbench" / "one.py")
    one = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(one)
    return one


def test_the_settled_column_takes_the_calls_after_auto_settled_and_makes_more_calls_for_it():
    """one.py's polyray_calls on a stand-in function that appends run records as a dispatcher does: a call
    counts as settled when the record of the call before it says so (``settled`` or a hot call's), a call
    that leaves no record of the function keeps the state, and where too few of the --repeat calls were
    settled more are made (--repeat more at most)."""
    from polyray.runtime import clear_history, history as _h
    from polyray.runtime.history import record

    one = load_one()
    info = {"input_args": ["n"], "array_args": []}
    script = iter([{}, {"settled": True}, {}, None, {"hot": True}, {}, {"settled": True}, {}])

    def fn(n: int) -> None:
        keys = next(script)
        record({"function": "other", "settled": False})  # (a helper's record: not the main function's)
        if keys is not None:  # None: the generated wrapper ran the original's body itself, no record
            record({"function": "main", **keys})

    clear_history()
    seconds, flags = one.polyray_calls(fn, info, {"n": 1}, 4, "main", False)
    assert flags == [False, False, True, False, False, True, False, True], flags  # 4, then more for 3 settled
    assert len(seconds) == 8 and all(isinstance(t, float) for t in seconds)
    assert one.is_settled([], "main", True) and not one.is_settled([{"function": "main"}], "main", True)
    never = iter([{}] * 10)
    seconds, flags = one.polyray_calls(lambda n: record({"function": "main", **next(never)}), info, {"n": 1}, 3,
                                       "main", False)
    assert len(seconds) == 6 and not any(flags)  # 2 x --repeat at most
    assert len(_h()) >= 14
