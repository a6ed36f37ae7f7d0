"""scripts/pytest_files.py, the scheduler of the Python suites (npm test's scripts/test_py.sh): which file starts
next, and a whole run over a small tree of passing and failing files (each file's output one block, the failed
ones named, exit status 1)."""
from __future__ import annotations

import importlib.util
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

BRIDGE = "python-bridge/tests"  # one process (pf.WHOLE), which starts Ray clusters and Jupyter kernels
NOTEBOOKS = "test/python/test_notebooks.py"


def running(*paths: str) -> list:
    return [SimpleNamespace(path=p) for p in paths]


def test_the_longest_allowed_file_starts_next() -> None:
    costs = {"a": {"s": 10}, "b": {"s": 300, "gib": 6.0}, "c": {"s": 50, "gib": 5.0}}
    pending = ["b", "c", "a"]  # longest first, as main sorts them
    assert pf.next_file(pending, running(), costs) == "b"
    # b and c are both above BIG_GIB: never two of them at once, a small file runs beside
    assert pf.next_file(["c", "a"], running("b"), costs) == "a"
    assert pf.next_file(["c"], running("b"), costs) is None
    assert pf.next_file(["c"], running("a"), costs) == "c"


def test_files_that_start_clusters_or_servers_run_one_at_a_time() -> None:
    assert pf.next_file([NOTEBOOKS, "x"], running(BRIDGE), {}) == "x"
    assert pf.next_file([NOTEBOOKS], running(BRIDGE), {}) is None
    assert pf.next_file([BRIDGE], running("x"), {}) == BRIDGE


def test_python_bridge_runs_as_one_process_and_test_python_file_by_file() -> None:
    units = pf.units(ROOT)
    assert BRIDGE in units and NOTEBOOKS in units and not any(u.startswith(BRIDGE + "/") for u in units)
    assert pf.unit_of("python-bridge/tests/test_ray_faults.py") == BRIDGE and pf.unit_of(NOTEBOOKS) == NOTEBOOKS


def test_every_exclusive_file_exists_and_costs_are_recorded() -> None:
    """A renamed file must not drop out of EXCLUSIVE (it would then run beside another cluster) unnoticed; a file
    with no recorded cost only starts at DEFAULT_COST's place in the order."""
    files = set(pf.units(ROOT))
    assert pf.EXCLUSIVE <= files, sorted(pf.EXCLUSIVE - files)
    recorded = pf.load_costs(pf.COSTS)
    assert len(set(recorded) & files) > len(files) // 2, "scripts/test_costs.json is missing or out of date"


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
    """Each file's block: its header line up to the next header or the closing summary."""
    parts = re.split(r"^(-- pytest \S+: .*)$", out, flags=re.M)
    return {re.match(r"-- pytest (\S+):", parts[i]).group(1): parts[i] + parts[i + 1] for i in range(1, len(parts), 2)}


def test_a_run_prints_one_block_per_file_and_fails_when_a_file_fails(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path)
    monkeypatch.setenv("POLYRAY_TEST_JOBS", "2")
    t0 = time.monotonic()
    assert pf.main([], root) == 1
    out = capfd.readouterr().out
    got = blocks(out)
    assert set(got) == {"python-bridge/tests", "test/python/test_fails.py", "test/python/test_quick_ok.py"}, out
    assert "FAILED" in got["test/python/test_fails.py"] and "BROKEN-MARK" in got["test/python/test_fails.py"], out
    assert "1 failed, 1 passed" in got["test/python/test_fails.py"], out
    assert ": ok," in got["python-bridge/tests"] and "1 passed" in got["python-bridge/tests"]
    assert "BROKEN-MARK" not in got["python-bridge/tests"] + got["test/python/test_quick_ok.py"]
    assert out.rstrip().splitlines()[-1].endswith("1 FAILED: test/python/test_fails.py"), out
    assert time.monotonic() - t0 < 120


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
    assert set(costs) == set(blocks(capfd.readouterr().out)) and costs["python-bridge/tests"]["s"] >= 1.5
