"""scripts/pytest_files.py, the scheduler of the Python suites (npm test's scripts/test_py.sh): which file starts
next, and a whole run over a small tree of passing and failing files (each file's output one block, the failed
ones named, exit status 1)."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("pytest_files", ROOT / "scripts" / "pytest_files.py")
assert _spec and _spec.loader
pf = importlib.util.module_from_spec(_spec)
sys.modules["pytest_files"] = pf  # dataclasses resolve the module's annotations through sys.modules
_spec.loader.exec_module(pf)

RAY = "python-bridge/tests/test_ray_faults.py"  # EXCLUSIVE: starts `ray start` heads
NOTEBOOKS = "test/python/test_notebooks.py"  # EXCLUSIVE: nbclient kernels


def unit(path: str):
    return pf.Unit(path, (path,))


def running(*paths: str) -> list:
    return [SimpleNamespace(unit=unit(p)) for p in paths]


def test_the_longest_allowed_file_starts_next() -> None:
    costs = {"a": {"s": 10}, "b": {"s": 300, "gib": 6.0}, "c": {"s": 50, "gib": 5.0}}
    a, b, c = unit("a"), unit("b"), unit("c")
    pending = [b, c, a]  # longest first, as main sorts them
    assert pf.next_unit(pending, running(), costs) == b
    # b and c are both above BIG_GIB: never two of them at once, a small file runs beside
    assert pf.next_unit([c, a], running("b"), costs) == a
    assert pf.next_unit([c], running("b"), costs) is None
    assert pf.next_unit([c], running("a"), costs) == c
    # a batch is big when one of its files is
    assert pf.next_unit([pf.Unit("batch1", ("a", "c"))], running("b"), costs) is None


def test_processes_are_ordered_by_cpu_seconds_but_exclusive_files_by_wall_seconds() -> None:
    # a's wall above its CPU (a loaded machine's), though not so far above that it mostly waits (waits: the next
    # test); RAY is EXCLUSIVE, b has only wall seconds recorded
    costs = {RAY: {"s": 100.0, "cpu": 10.0}, "a": {"s": 80.0, "cpu": 50.0}, "b": {"s": 40.0}}
    assert [pf.unit_cost(unit(f), costs) for f in (RAY, "a", "b", "new")] == [100.0, 50.0, 40.0, pf.DEFAULT_COST]
    assert pf.unit_cost(pf.Unit("batch1", ("a", "b")), costs) == 90.0


def test_files_that_start_clusters_or_servers_run_one_at_a_time() -> None:
    assert pf.next_unit([unit(NOTEBOOKS), unit("x")], running(RAY), {}) == unit("x")
    assert pf.next_unit([unit(NOTEBOOKS)], running(RAY), {}) is None
    assert pf.next_unit([unit(RAY)], running("x"), {}) == unit(RAY)
    # the other files of python-bridge/tests run beside them, and beside each other
    other = "python-bridge/tests/test_dispatcher.py"
    assert pf.next_unit([unit(other)], running(RAY), {}) == unit(other)
    assert pf.next_unit([unit(other)], running("python-bridge/tests/test_magic.py"), {}) == unit(other)


def test_every_file_runs_once_small_ones_in_batches_of_their_own_suite() -> None:
    files = pf.test_files(ROOT)
    costs = pf.load_costs(pf.COSTS)
    got = pf.units(files, costs)
    assert sorted(f for u in got for f in u.files) == sorted(files)  # each file exactly once
    for u in got:
        if not u.batch:
            assert u.files == (u.name,)
            continue
        assert len(u.files) > 1 and all(pf.batchable(f, costs) for f in u.files), u
        assert len({f.rsplit("/", 1)[0] for f in u.files}) == 1, u  # one suite: one conftest
        assert sum(pf.work(f, costs) for f in u.files) <= pf.BATCH_SECONDS, u
    # python-bridge/tests is no longer one process: its files that start clusters each run alone
    assert all(unit(f) in got for f in pf.EXCLUSIVE)
    assert any(u.batch for u in got), "no small files batched"


def test_what_is_batched() -> None:
    costs = {"test/python/test_a.py": {"s": 25.0, "cpu": 15.0}, "test/python/test_b.py": {"s": 12.0},
             "test/python/test_c.py": {"s": 40.0}, "test/python/test_d.py": {"s": 8.0, "cpu": 7.0},
             NOTEBOOKS: {"s": 5.0}, "python-bridge/tests/test_e.py": {"s": 3.0}}
    files = [*costs, "test/python/test_new.py"]
    got = {u.name: u.files for u in pf.units(files, costs)}
    # small by CPU where recorded (a's wall was a loaded machine's, above BATCH_BELOW, though not so far above its
    # CPU that it mostly waits), else by wall; never EXCLUSIVE, nor a new file, nor a batch of one
    assert got["test/python/batch1"] == ("test/python/test_a.py", "test/python/test_b.py", "test/python/test_d.py")
    for alone in ("test/python/test_c.py", NOTEBOOKS, "test/python/test_new.py", "python-bridge/tests/test_e.py"):
        assert got[alone] == (alone,)
    many = {f"test/python/test_{i}.py": {"s": 10.0} for i in range(20)}
    batches = pf.units(list(many), many)
    assert len(batches) == 3 and all(len(u.files) <= pf.BATCH_SECONDS // 10 for u in batches)


def test_a_file_that_mostly_waits_runs_beside_the_others_and_starts_by_its_wall_seconds() -> None:
    """A file recorded with CPU seconds under WAITS_BELOW of its wall seconds (a Ray cluster, a CUDA simulator's
    threads) is one more process beside POLYRAY_TEST_JOBS others, never batched, ordered by its wall seconds."""
    gpu = "test/python/test_polybench_gpu_sim.py"
    costs = {gpu: {"s": 118.6, "cpu": 57.5}, "a": {"s": 80.0, "cpu": 78.0}, "b": {"s": 70.0, "cpu": 69.0},
             "tiny": {"s": 5.6, "cpu": 1.0}, "test/python/test_small_wait.py": {"s": 60.0, "cpu": 10.0}}
    assert pf.waits(gpu, costs) and not pf.waits("a", costs)
    assert not pf.waits("tiny", costs)  # a few seconds' wait is noise, not worth a process
    assert not pf.waits("new", costs)  # nothing recorded: counts as busy
    assert pf.unit_cost(unit(gpu), costs) == 118.6 and pf.unit_cost(unit("a"), costs) == 78.0
    # two busy processes and the waiting one at once, never two waiting ones beside two busy ones
    assert pf.busy(running(gpu, "a"), costs, 2) == 1
    assert pf.busy(running(gpu, "a", "b"), costs, 2) == 2
    assert pf.busy(running(gpu, "test/python/test_small_wait.py", "a"), costs, 2) == 2
    # POLYRAY_TEST_JOBS=1 still runs one process at a time
    assert pf.busy(running(gpu), costs, 1) == 1
    # small by CPU, but waiting: its own process, not a batch's
    got = {u.name: u.files for u in pf.units(["test/python/test_small_wait.py", "test/python/test_x.py",
                                               "test/python/test_y.py"],
                                              {"test/python/test_small_wait.py": {"s": 60.0, "cpu": 10.0},
                                               "test/python/test_x.py": {"s": 5.0, "cpu": 5.0},
                                               "test/python/test_y.py": {"s": 5.0, "cpu": 5.0}})}
    assert got["test/python/test_small_wait.py"] == ("test/python/test_small_wait.py",), got


def test_costs_are_recorded_from_a_runs_printed_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--record-log: a file's own process gives its figures, a batch's are shared in proportion to its files'
    recorded CPU seconds; entries of files that did not run are kept; a log without header lines changes nothing."""
    log = ("== 3 pytest processes (4 files), 2 at a time (scripts/pytest_files.py)\n"
           "-- pytest test/python/test_big.py: ok, 160.9 s wall, 141.8 s CPU, 0.82 GiB peak\n"
           "..... [100%]\n-- pytest test/python/batch1 (test/python/test_a.py test/python/test_b.py): "
           "FAILED (exit 1), 30.0 s wall, 24.0 s CPU, 0.40 GiB peak\n"
           "-- pytest test/python/test_fails.py: FAILED (exit 1), 10.0 s wall, 9.0 s CPU, 0.30 GiB peak\n")
    before = {"test/python/test_a.py": {"s": 10.0, "cpu": 9.0}, "test/python/test_b.py": {"s": 5.0, "cpu": 3.0},
              "test/python/test_kept.py": {"s": 7.0, "cpu": 6.0, "gib": 0.2}}
    got = pf.costs_from_log(log, before)
    assert got["test/python/test_big.py"] == {"s": 160.9, "cpu": 141.8, "gib": 0.82}
    assert got["test/python/test_fails.py"] == {"s": 10.0, "cpu": 9.0, "gib": 0.3}
    assert got["test/python/test_a.py"] == {"s": 22.5, "cpu": 18.0, "gib": 0.4}
    assert got["test/python/test_b.py"] == {"s": 7.5, "cpu": 6.0, "gib": 0.4}
    assert "test/python/test_kept.py" not in got
    (tmp_path / "scripts").mkdir()
    costs_file = tmp_path / "scripts/test_costs.json"
    costs_file.write_text(json.dumps({"files": before}))
    (tmp_path / "run.log").write_text(log)
    assert pf.main(["--record-log", str(tmp_path / "run.log")], tmp_path) == 0
    after = pf.load_costs(costs_file)
    assert after["test/python/test_kept.py"] == before["test/python/test_kept.py"]
    assert after["test/python/test_big.py"]["cpu"] == 141.8 and after["test/python/test_b.py"]["s"] == 7.5
    (tmp_path / "empty.log").write_text("== TypeScript tests\nok 1\n")
    assert pf.main(["--record-log", str(tmp_path / "empty.log")], tmp_path) == 2
    assert pf.load_costs(costs_file) == after
    assert "no process header lines" in capsys.readouterr().err


def test_every_exclusive_file_exists_and_costs_are_recorded() -> None:
    """A renamed file must not drop out of EXCLUSIVE (it would then run beside another cluster) unnoticed; a file
    with no recorded cost only starts at DEFAULT_COST's place in the order, and is never batched."""
    files = set(pf.test_files(ROOT))
    assert pf.EXCLUSIVE <= files, sorted(pf.EXCLUSIVE - files)
    assert pf.ALONE <= files, sorted(pf.ALONE - files)
    recorded = pf.load_costs(pf.COSTS)
    assert len(set(recorded) & files) > len(files) * 3 // 4, "scripts/test_costs.json is missing or out of date"


def make_tree(tmp: Path) -> Path:
    (tmp / "python-bridge/tests").mkdir(parents=True)
    (tmp / "test/python").mkdir(parents=True)
    (tmp / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (tmp / "python-bridge/tests/test_slow_ok.py").write_text(
        "import time\n\ndef test_slow():\n    print('SLOW-OUT')\n    time.sleep(1.5)\n")
    (tmp / "test/python/test_fails.py").write_text(
        "def test_passes():\n    pass\n\ndef test_broken():\n    assert 1 + 1 == 3, 'BROKEN-MARK'\n")
    (tmp / "test/python/test_quick_ok.py").write_text("def test_quick():\n    pass\n")
    return tmp


def blocks(out: str) -> dict[str, str]:
    """Each process's block: its header line (a batch's names its files in parentheses) up to the next header or
    the closing summary."""
    parts = re.split(r"^(-- pytest \S+(?: \([^)]*\))?: .*)$", out, flags=re.M)
    return {re.match(r"-- pytest (\S+?)(?: \(|:)", parts[i]).group(1): parts[i] + parts[i + 1] for i in range(1, len(parts), 2)}


def test_a_run_prints_one_block_per_file_and_fails_when_a_file_fails(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path)
    monkeypatch.setenv("POLYRAY_TEST_JOBS", "2")
    t0 = time.monotonic()
    assert pf.main([], root) == 1
    out = capfd.readouterr().out
    got = blocks(out)
    slow = "python-bridge/tests/test_slow_ok.py"
    assert set(got) == {slow, "test/python/test_fails.py", "test/python/test_quick_ok.py"}, out
    assert "FAILED" in got["test/python/test_fails.py"] and "BROKEN-MARK" in got["test/python/test_fails.py"], out
    assert "1 failed, 1 passed" in got["test/python/test_fails.py"], out
    assert ": ok," in got[slow] and "1 passed" in got[slow]
    assert "BROKEN-MARK" not in got[slow] + got["test/python/test_quick_ok.py"]
    assert out.rstrip().splitlines()[-1].endswith("1 FAILED: test/python/test_fails.py"), out
    assert time.monotonic() - t0 < 120


def test_small_files_share_a_process_that_names_each_file_and_what_failed(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path)
    (root / "test/python/test_other_ok.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    (root / "scripts").mkdir()
    small = {f"test/python/test_{n}.py": {"s": 2.0, "cpu": 1.0} for n in ("fails", "quick_ok", "other_ok")}
    (root / "scripts/test_costs.json").write_text(json.dumps({"files": small}))
    monkeypatch.setenv("POLYRAY_TEST_JOBS", "2")
    assert pf.main(["--record"], root) == 1
    out = capfd.readouterr().out
    got = blocks(out)
    assert set(got) == {"python-bridge/tests/test_slow_ok.py", "test/python/batch1"}, out
    batch = got["test/python/batch1"]
    assert batch.startswith("-- pytest test/python/batch1 (test/python/test_fails.py test/python/test_other_ok.py "
                            "test/python/test_quick_ok.py): FAILED"), batch
    # each file's line with its results, and the failure named by file and test
    assert re.search(r"^test/python/test_other_ok\.py \.\.", batch, flags=re.M), batch
    assert re.search(r"^test/python/test_fails\.py (\.F|F\.)", batch, flags=re.M), batch
    assert "FAILED test/python/test_fails.py::test_broken" in batch and "BROKEN-MARK" in batch, batch
    assert out.rstrip().splitlines()[-1].endswith("1 FAILED: test/python/batch1"), out
    # --record keeps each batched file's own figures, not the batch's
    costs = pf.load_costs(root / "scripts/test_costs.json")
    assert set(costs) == {"python-bridge/tests/test_slow_ok.py", *small}, costs
    assert all(0 < costs[f]["s"] < costs["python-bridge/tests/test_slow_ok.py"]["s"] + 60 for f in small), costs
    assert sum(costs[f]["s"] for f in small) == pytest.approx(
        float(re.search(r"batch1 \(.*\): FAILED \(exit 1\), ([\d.]+) s wall", batch).group(1)), abs=0.5)


def test_arguments_naming_files_run_only_those_and_record_their_costs_only_on_a_whole_run(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path)
    monkeypatch.setenv("POLYRAY_TEST_JOBS", "1")
    assert pf.main(["test/python/test_fails.py::test_passes", "--record", "-q"], root) == 0
    out = capfd.readouterr().out
    assert set(blocks(out)) == {"test/python/test_fails.py"}, out
    assert not (root / "scripts/test_costs.json").exists()  # a partial run records nothing
    (root / "scripts").mkdir()
    (root / "test/python/test_fails.py").write_text("def test_passes():\n    pass\n")
    assert pf.main(["--record"], root) == 0
    costs = pf.load_costs(root / "scripts/test_costs.json")
    assert set(costs) == set(blocks(capfd.readouterr().out)) and costs["python-bridge/tests/test_slow_ok.py"]["s"] >= 1.5
