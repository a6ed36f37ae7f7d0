"""cell_compiles: a %%parallelize cell's compile under a time budget (issue 19). The compile functions here
are plain Python functions gated by events, so that "not ready in time" is decided by the test, not by
the machine's load; the real service and kernel are in test/python/test_notebooks.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from polyray import cell_compiles
from polyray.cell_compiles import Outcome


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)
    monkeypatch.delenv(cell_compiles.BUDGET_ENV, raising=False)
    cell_compiles.set_budget(None)
    yield
    cell_compiles.set_budget(None)
    cell_compiles.cell_finished()
    assert cell_compiles.wait_settled(10)


class Gated:
    """A compile that returns ``outcome`` once ``release`` is set, counting its runs."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.release = threading.Event()
        self.runs = 0

    def __call__(self) -> Outcome:
        self.runs += 1
        assert self.release.wait(10)
        return self.outcome


def test_the_budget_comes_from_the_environment_then_the_setting_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cell_compiles.budget() == cell_compiles.DEFAULT_BUDGET == 0.2
    cell_compiles.set_budget(1.5)
    assert cell_compiles.budget() == 1.5
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "0.05")
    assert cell_compiles.budget() == 0.05
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "-3")  # no negative waits
    assert cell_compiles.budget() == 0.0
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "soon")  # unreadable: the setting
    assert cell_compiles.budget() == 1.5
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "inf")
    assert cell_compiles.budget() is None


def test_waiting_for_the_jit_or_a_forced_target_waits_for_the_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "0")
    assert cell_compiles.budget(forced_target=True) is None
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    assert cell_compiles.budget() is None
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "0")
    assert cell_compiles.budget() == 0.0


def test_a_compile_ready_in_time_is_returned_and_forgotten() -> None:
    settled: list[Outcome] = []
    settle = lambda p: settled.append(p.outcome)  # noqa: E731
    compile_fn = Gated(Outcome(module="m = 1", report={"functions": []}))
    compile_fn.release.set()
    outcome, pending = cell_compiles.compile_within("k-ready", compile_fn, None, settle)
    assert outcome is compile_fn.outcome and not pending.ran_plain and pending.settled.is_set()
    again, _ = cell_compiles.compile_within("k-ready", compile_fn, None, settle)
    assert again is compile_fn.outcome and compile_fn.runs == 2  # forgotten: the cache holds the module
    assert settled == []  # the cell that waited imports the module itself


def test_a_compile_not_ready_runs_once_and_settles_when_done() -> None:
    settled: list[Outcome] = []
    settle = lambda p: settled.append(p.outcome)  # noqa: E731
    compile_fn = Gated(Outcome(module="m = 1", report={"functions": []}))
    outcome, pending = cell_compiles.compile_within("k-late", compile_fn, 0.0, settle)
    assert outcome is None and pending.ran_plain
    note = cell_compiles.not_ready_note(pending)
    assert note.startswith("compile not ready: ") and note.endswith(" s so far; ran the cell as written"), note
    # the cell again while it compiles: it joins that compile (the same budget), never starts a second
    outcome, joined = cell_compiles.compile_within("k-late", compile_fn, 0.01, settle)
    assert outcome is None and joined is pending
    compile_fn.release.set()
    assert cell_compiles.wait_settled(10)
    assert compile_fn.runs == 1 and settled == [compile_fn.outcome]


def test_settling_waits_until_the_running_cell_has_finished() -> None:
    settled: list[Outcome] = []
    settle = lambda p: settled.append(p.outcome)  # noqa: E731
    compile_fn = Gated(Outcome(module="m = 1", report={"functions": []}))
    cell_compiles.cell_started()
    _, pending = cell_compiles.compile_within("k-cell", compile_fn, 0.0, settle)
    compile_fn.release.set()
    assert pending.done.wait(10)
    assert not pending.settled.wait(0.2) and settled == []  # the cell's own code keeps the GIL
    cell_compiles.cell_finished()
    assert pending.settled.wait(10) and settled == [compile_fn.outcome]


def test_a_failed_compile_is_kept_so_the_same_cell_does_not_compile_again() -> None:
    settled: list[Outcome] = []
    settle = lambda p: settled.append(p.outcome)  # noqa: E731
    compile_fn = Gated(Outcome(note="cell:3:5: error: expected an expression"))
    _, pending = cell_compiles.compile_within("k-bad", compile_fn, 0.0, settle)
    compile_fn.release.set()
    assert cell_compiles.wait_settled(10) and settled == []  # nothing to import
    outcome, _ = cell_compiles.compile_within("k-bad", compile_fn, 0.0, settle)
    assert outcome is not None and outcome.module is None and "expected an expression" in outcome.note
    assert compile_fn.runs == 1


def test_a_compile_that_raises_is_an_outcome_saying_so() -> None:
    def boom() -> Outcome:
        raise OSError("disk full")

    outcome, _ = cell_compiles.compile_within("k-raise", boom, None, lambda _o: None)
    assert outcome is not None and outcome.module is None
    assert "OSError: disk full" in outcome.note and "plain Python" in outcome.note


def test_a_settle_that_fails_still_counts_as_settled() -> None:
    def bad_settle(_pending: cell_compiles.Pending) -> None:
        raise ImportError("the module does not import")

    compile_fn = Gated(Outcome(module="m = 1", report={"functions": []}))
    _, pending = cell_compiles.compile_within("k-settle", compile_fn, 0.0, bad_settle)
    compile_fn.release.set()
    assert cell_compiles.wait_settled(10) and pending.settled.is_set()


def test_the_extensions_budget_setting_reaches_the_kernel_below_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from polyray import magic

    args = SimpleNamespace(target=None, cluster=None, numerics=None)
    magic._apply_frontend_settings(args, {"settings": {"compile_budget": 1.5}})
    assert cell_compiles.budget() == 1.5
    magic._apply_frontend_settings(args, {"settings": {"compile_budget": "soon"}})  # not a number: unchanged
    assert cell_compiles.budget() == 1.5
    monkeypatch.setenv(cell_compiles.BUDGET_ENV, "0")
    assert cell_compiles.budget() == 0.0


def test_a_report_row_without_a_speedup_says_why() -> None:
    """Issue 19 (the demo's report): a function of a cell that ran as written, one not called yet, and one
    whose last call ran the original each say why their row has no speedup."""
    from polyray.report_display import CellReport, FunctionStats, render

    kept = FunctionStats("kept")
    kept.add({"variant": "original", "seconds": 0.04, "reason": "ray could not start; ran original instead of ray"})
    cell = CellReport("d2", [{"name": "plain", "accelerated": False, "not_ready": "compile not ready: 0.2 s so far; "
                              "ran the cell as written"},
                             {"name": "idle", "accelerated": True, "variants": ["cpu"]},
                             {"name": "kept", "accelerated": True, "variants": ["cpu"]}], {})
    bundle = render(cell, {"kept": kept})
    rows = {r["name"]: r for r in bundle["application/vnd.polyray.report+json"]["functions"]}
    assert rows["plain"]["speedup_note"] == "none: the cell ran as written"
    assert rows["plain"]["compile"] == "compile not ready: 0.2 s so far; ran the cell as written"
    assert rows["idle"]["speedup_note"] == "none: not called yet"
    assert rows["kept"]["speedup"] is None and rows["kept"]["speedup_note"] == "none: the original ran (see the reason)"
    assert "none: the cell ran as written" in bundle["text/plain"]


# -- a kernel killed while the background compile writes the cache ------------------------------------------

STORE_CHILD = '''
import sys, time
from pathlib import Path
from polyray import cache

which = int(sys.argv[1])  # the write to stall in: 0 the report, 1 the module (cache.store's order); -1 none
real, count = Path.write_text, [0]


def stalled(self, text, *args, **kwargs):  # a slow disk: half the file written, then SIGKILL arrives
    if count[0] == which:
        with open(self, "w", encoding="utf-8") as f:
            f.write(text[: len(text) // 2])
        print("writing " + self.name, flush=True)
        time.sleep(60)
    count[0] += 1
    return real(self, text, *args, **kwargs)


Path.write_text = stalled
cache.store(sys.argv[2], sys.argv[3], {"functions": ["f"], "note": "x" * 4096})
print("stored", flush=True)
'''


def test_a_kernel_killed_mid_store_leaves_a_whole_entry_or_none(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast
    import os
    import signal
    import subprocess
    import sys

    from polyray import cache

    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    bridge = os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))  # this checkout's polyray
    env = {**os.environ, "POLYRAY_CACHE_DIR": str(tmp_path),
           "PYTHONPATH": bridge + os.pathsep + os.environ.get("PYTHONPATH", "")}
    module = "".join(f"def f{k}(x):\n    return x + {k}\n\n" for k in range(2000))
    key = "k" * 64
    (tmp_path / "child.py").write_text(STORE_CHILD)

    def child(which: int) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, str(tmp_path / "child.py"), str(which), key, module],
                                stdout=subprocess.PIPE, text=True, env=env)

    for which in (0, 1):  # killed while writing the report, then while writing the module
        proc = child(which)
        assert proc.stdout is not None and proc.stdout.readline().startswith("writing ")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
        assert cache.lookup(key) is None  # a miss, never half a module: the next run compiles again
        assert not (tmp_path / "modules" / f"{key}.py").exists()
        assert list((tmp_path / "modules").glob("*.tmp"))  # the stalled write's half file, under its own name
    proc = child(-1)  # the next process compiles and stores the entry whole, and clears what the kills left
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "stored"
    found = cache.lookup(key)
    assert found is not None and found[0] == module and found[1]["functions"] == ["f"]
    ast.parse(found[0])
    assert not list((tmp_path / "modules").glob("*.tmp"))
