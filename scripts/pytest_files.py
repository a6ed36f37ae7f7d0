"""Run the Python suites in several pytest processes, two at a time (scripts/test_py.sh).

Why several processes: every test compiles Numba functions, whose machine code stays in the process until it
exits; one process for the whole suite outgrew the 24 GiB CI machine. So each file of test/python runs in a
process of its own (no file's memory depends on the files before it), and python-bridge/tests in one process
(WHOLE says why). Why two at a time: the work is mostly single-threaded (Numba's compiler, the compile
service, waits on Ray and Jupyter processes), so on the 2-core CI machine two processes at a time use both
cores, and python-bridge/tests' waits overlap test/python's compiling.

Scheduling: processes start longest first (the costs recorded in scripts/test_costs.json; a file not listed
there counts as DEFAULT_COST), so the long ones do not end up last with one core idle. Two constraints hold:

- at most one of EXCLUSIVE at a time: those start Ray clusters, Jupyter kernels or servers, or pick free
  ports and then bind them, and two of them at once could meet on a port, a Ray session or the machine's
  processes (test_safe_defaults lists the listening sockets of its Ray's processes); a new test file that
  does so belongs in EXCLUSIVE;
- at most one "big" process at a time: one whose recorded peak memory is above BIG_GIB, so two of them never
  add up on the 24 GiB machine.

Each process's output is captured and printed as one block when it ends (never interleaved), headed by its
wall time, CPU time and peak memory; the run ends with the list of what failed, and the exit status is 1 if
anything failed. Arguments are passed to every pytest call. POLYRAY_TEST_JOBS sets the number of processes
at a time (default 2; 1 runs them one after the other). Arguments that name test files (or FILE::test) run
only those. `--record` rewrites scripts/test_costs.json from the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COSTS = ROOT / "scripts" / "test_costs.json"
SUITES = ("python-bridge/tests", "test/python")  # pytest.ini's testpaths
#: suites that run as one pytest process, as before this scheduler: python-bridge/tests (mostly waits on Ray,
#: Jupyter and compile-service processes, so it overlaps well with test/python's compiling) has not passed
#: file by file yet: test_ray_faults' second `ray start` head refused its connect in a process of its own
#: (2026-12-06, under a load of 10 on 2 cores), so its files stay together until that is understood
WHOLE = ("python-bridge/tests",)
DEFAULT_COST = 30.0  # seconds, for a file with no recorded cost (a new file)
BIG_GIB = 4.0  # a file whose recorded peak memory is above this runs beside no other such file

# Files that start Ray clusters (embedded or `ray start`), Jupyter kernels or servers (nbclient, jupyter lab),
# or bind free ports they picked: one at a time (see the module's docstring).
EXCLUSIVE = frozenset({
    "python-bridge/tests",  # test_comm_kernel, test_ray_faults, test_ray_variant, test_safe_defaults, test_wheel...
    "test/python/test_notebooks.py",
})


@dataclass
class Job:
    path: str
    proc: subprocess.Popen[bytes]
    out: object  # the temporary file holding its output
    started: float = field(default_factory=time.monotonic)


def test_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for suite in SUITES for p in (root / suite).glob("test_*.py"))


def unit_of(path: str) -> str:
    """What one pytest process runs: the file, or the whole suite of WHOLE it belongs to."""
    return next((w for w in WHOLE if path.startswith(w + "/")), path)


def units(root: Path) -> list[str]:
    return sorted({unit_of(f) for f in test_files(root)})


def load_costs(path: Path) -> dict[str, dict[str, float]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return {}


def next_file(pending: list[str], running: list[Job], costs: dict[str, dict[str, float]]) -> str | None:
    """The longest pending file that the constraints allow now (pending is sorted longest first)."""
    exclusive_busy = any(j.path in EXCLUSIVE for j in running)
    big_busy = any(is_big(j.path, costs) for j in running)
    for path in pending:
        if path in EXCLUSIVE and exclusive_busy:
            continue
        if is_big(path, costs) and big_busy:
            continue
        return path
    return None


def is_big(path: str, costs: dict[str, dict[str, float]]) -> bool:
    return costs.get(path, {}).get("gib", 0.0) > BIG_GIB


def start(root: Path, path: str, targets: list[str], args: list[str]) -> Job:
    out = tempfile.TemporaryFile()
    cmd = [sys.executable, "-m", "pytest", "-q", "--durations=10", *targets, *args]
    proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Job(path, proc, out)


def report(job: Job, status: int, usage: os.struct_rusage | None) -> dict[str, float]:
    wall = time.monotonic() - job.started
    cpu = (usage.ru_utime + usage.ru_stime) if usage else 0.0
    gib = (usage.ru_maxrss / 2**20) if usage else 0.0  # ru_maxrss is in KiB on Linux
    verdict = "ok" if status == 0 else f"FAILED (exit {status})"
    sys.stdout.write(f"-- pytest {job.path}: {verdict}, {wall:.1f} s wall, {cpu:.1f} s CPU, {gib:.2f} GiB peak\n")
    job.out.seek(0)
    sys.stdout.flush()
    while chunk := job.out.read(1 << 16):
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    job.out.close()
    return {"s": round(wall, 1), "cpu": round(cpu, 1), "gib": round(gib, 2)}


def wait_any(running: list[Job]) -> tuple[Job, int, os.struct_rusage | None]:
    """Wait for whichever file's process ends first; wait4 gives its CPU time and peak memory as well (polled
    per process, so that no other child of this process is reaped)."""
    while True:
        for job in running:
            pid, raw, usage = os.wait4(job.proc.pid, os.WNOHANG)
            if pid:
                break
        else:
            time.sleep(0.2)
            continue
        break
    status = os.waitstatus_to_exitcode(raw)
    job.proc.returncode = status  # reaped here: Popen must not wait for it again
    return job, status, usage


def main(argv: list[str], root: Path = ROOT) -> int:
    record = "--record" in argv
    args = [a for a in argv if a != "--record"]
    jobs = max(1, int(os.environ.get("POLYRAY_TEST_JOBS", "2")))
    costs_file = root / COSTS.relative_to(ROOT)
    costs = load_costs(costs_file)
    every = test_files(root)
    files = units(root)
    # arguments naming test files (or tests: FILE::name) run only those, each in its file's (or suite's) process
    chosen = [a for a in args if a.split("::")[0] in every]
    args = [a for a in args if a not in chosen]
    targets = {u: [a for a in chosen if unit_of(a.split("::")[0]) == u] or [u] for u in files}
    if chosen:
        files = [u for u in files if u in {unit_of(a.split("::")[0]) for a in chosen}]
        record = False  # a partial run says nothing of the files left out
    pending = sorted(files, key=lambda p: -costs.get(p, {}).get("s", DEFAULT_COST))
    running: list[Job] = []
    measured: dict[str, dict[str, float]] = {}
    failed: list[str] = []
    t0 = time.monotonic()
    print(f"== {len(files)} pytest processes, {jobs} at a time (scripts/pytest_files.py)", flush=True)
    before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run stops its pytest processes
    try:
        while pending or running:
            while len(running) < jobs and (path := next_file(pending, running, costs)) is not None:
                pending.remove(path)
                running.append(start(root, path, targets[path], args))
            job, status, usage = wait_any(running)
            running.remove(job)
            measured[job.path] = report(job, status, usage)
            if status != 0:
                failed.append(job.path)
    except BaseException:
        for j in running:
            j.proc.send_signal(signal.SIGINT)  # pytest ends its session (and its fixtures' processes) on SIGINT
        for j in running:
            try:
                j.proc.wait(30)
            except subprocess.TimeoutExpired:
                j.proc.kill()
        raise
    finally:
        signal.signal(signal.SIGTERM, before)
    print(f"== {len(files)} pytest processes in {time.monotonic() - t0:.0f} s; "
          + (f"{len(failed)} FAILED: {' '.join(sorted(failed))}" if failed else "all passed"), flush=True)
    if record:
        costs_file.write_text(json.dumps({"about": "per test file: wall seconds, CPU seconds and peak GiB of its pytest "
                                              "process, recorded by scripts/pytest_files.py --record",
                                     "files": dict(sorted(measured.items()))}, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
