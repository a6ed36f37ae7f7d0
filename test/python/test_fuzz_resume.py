"""test/fuzz/resume.py and phases.py: a fuzz run spread over sittings refuses to mix compilers unless forced, and
says so in its record; a line cut short by a killed sitting is run again. No program is compiled here (cheap)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/fuzz"))

import phases  # noqa: E402
import resume  # noqa: E402
import run as fuzz  # noqa: E402


def _state(path: Path, lines: list[object], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + tail)
    return path


def test_state_reads_programs_and_sittings_and_skips_a_cut_line(tmp_path):
    path = _state(tmp_path / "run-1-3.jsonl", [{"sitting": {"commit": "abc", "started": "t", "already_done": 0}},
                                               {"seed": 1000000, "commit": "abc", "calls": 4},
                                               {"seed": 1000001, "commit": "abc", "calls": 8}], tail='{"seed": 1000002, "comm')
    state = resume.State(path)
    assert sorted(state.done) == [1000000, 1000001]  # the cut line's program runs again
    assert state.commits() == {"abc": 2} and len(state.sittings) == 1
    assert state.refusal("abc", force=False) is None


def test_another_commit_is_refused_unless_forced_and_the_record_says_so(tmp_path):
    path = _state(tmp_path / "run-1-3.jsonl", [{"sitting": {"commit": "abc"}}, {"seed": 1000000, "commit": "abc"}])
    state = resume.State(path)
    why = state.refusal("def", force=False)
    assert why and "abc" in why and "def" in why and "--force-resume" in why
    assert state.refusal("def", force=True) is None
    state.begin("def", forced=True)
    state.done[1000001] = {"seed": 1000001, "commit": "def"}
    again = resume.State(path)  # the header was written
    assert [s["commit"] for s in again.sittings] == ["abc", "def"] and again.sittings[1]["forced"] is True
    assert state.record_fields() == {"sittings": 2, "commits": {"abc": 1, "def": 1}, "forced_resume": True}
    # a state written before sittings were recorded: its programs count as "unknown", which another commit refuses
    old = resume.State(_state(tmp_path / "old.jsonl", [{"seed": 5, "calls": 1}]))
    assert old.commits() == {"unknown": 1} and old.refusal("abc", force=False)


def test_run_refuses_before_running_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    for name in ("POLYRAY_FUZZ_FAMILIES", "POLYRAY_FUZZ_FAMILY", "POLYRAY_FUZZ_TABLE", "POLYRAY_FUZZ_PRIVATE",
                 "POLYRAY_FUZZ_PERIODIC", "POLYRAY_FUZZ_ROTATION"):
        monkeypatch.delenv(name, raising=False)
    assert fuzz.main(["--count", "2", "--seed", "77", "--resume", "--no-record"]) == 2  # nothing to resume
    path = fuzz.state_file(77, 2)
    _state(path, [{"sitting": {"commit": "0000000"}}, {"seed": 77000000, "commit": "0000000"}])
    before = path.read_text()
    assert fuzz.main(["--count", "2", "--seed", "77", "--no-record"]) == 2
    assert "--force-resume" in capsys.readouterr().err
    assert path.read_text() == before  # refused: no sitting written, no program run
    assert resume.compiler_commit(ROOT) != "0000000"


def test_phases_add_up_cpu_of_the_process_and_of_ended_children():
    import subprocess

    result: dict = {}
    with phases.timed(result, "child"):
        subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    with phases.timed(result, "own"):
        sum(i * i for i in range(1_000_000))
    assert result["cpu_s"]["child"] > 0.02 and result["cpu_s"]["own"] > 0.01
    assert phases.totals([result, {"cpu_s": {"own": 1.0}}, {}])["own"] == round(result["cpu_s"]["own"] + 1.0, 2)
    assert phases.process_cpu(2**22 + 12345) == 0.0  # no such process
