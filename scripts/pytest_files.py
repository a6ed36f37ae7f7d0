"""Run the Python suites in several pytest processes, two at a time (scripts/test_py.sh).

Why several processes: every test compiles Numba functions, whose machine code stays in the process until it
exits; one process for the whole suite outgrew the 24 GiB CI machine. So each test file runs in a process of
its own (no file's memory depends on the files before it), except the small ones, which share a few processes
(BATCH_BELOW says which and why). Why two at a time: the work is mostly single-threaded (Numba's compiler, the
compile service, waits on Ray and Jupyter processes), so on the 2-core CI machine two processes at a time use
both cores.

Scheduling: processes start longest first (the costs recorded in scripts/test_costs.json, unit_cost says
which; a file not listed there counts as DEFAULT_COST), so the long ones do not end up last with one core idle. Two constraints hold:

- at most one of EXCLUSIVE at a time: those start Ray clusters (embedded or `ray start` heads), Jupyter
  kernels or servers, or pick free ports and then bind them, and two of them at once could meet on a port, a
  Ray session or the machine's processes (test_safe_defaults lists the listening sockets of its Ray's
  processes), or slow each other's Ray start past the tests' limits; a new test file that does so belongs in
  EXCLUSIVE. Every other file of python-bridge/tests runs beside anything (they compile into their own
  temporary POLYRAY_CACHE_DIR, or compile nothing);
- at most one "big" process at a time: one whose recorded peak memory is above BIG_GIB, so two of them never
  add up on the 24 GiB machine.

Batches: the files recorded below BATCH_BELOW seconds run together (their process start paid once), a batch of a suite's small files up to BATCH_SECONDS of
recorded time per process (ALONE lists the files that must not share a process). A batch runs at pytest's
normal verbosity, so its output names each file with its results, and a failure names its file and test as
everywhere; `--record` reads each batched file's own time from the batch's JUnit XML.

Waiting files: a file whose recorded CPU seconds are under WAITS_BELOW of its wall seconds mostly waits (on the
Ray cluster, Jupyter kernel, CUDA simulator's threads or child process it starts): one such process at a time
runs beside the two others (with POLYRAY_TEST_JOBS of 2 or more), so that its waits do not leave a core idle; such a
file is never batched (its waits would hold the batch's small files back).

Each process's output is captured and printed as one block when it ends (never interleaved), headed by its
wall time, CPU time and peak memory; the run ends with the list of what failed, and the exit status is 1 if
anything failed. Arguments are passed to every pytest call. POLYRAY_TEST_JOBS sets the number of processes
at a time (default 2; 1 runs them one after the other). Arguments that name test files (or FILE::test) run
only those. `--record` rewrites scripts/test_costs.json from the run; `--record-log LOG` updates it from the
printed output of an earlier run (a clean clone's `npm test` log; costs_from_log says how a batch's figures are
shared among its files), keeping the entries of files that did not run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COSTS = ROOT / "scripts" / "test_costs.json"
SUITES = ("python-bridge/tests", "test/python")  # pytest.ini's testpaths
DEFAULT_COST = 30.0  # seconds, for a file with no recorded cost (a new file)
BIG_GIB = 4.0  # a file whose recorded peak memory is above this runs beside no other such file
#: a file recorded below this many seconds (CPU, its process start included) joins a batch, so that the process
#: start (Python, pytest, NumPy and Numba's import: under 1 s of CPU in the clean clone of 518b0f3, whose
#: smallest files took 0.7-0.8 s) is paid once per batch; little CPU either way (test_sequences 8.95 s alone,
#: test_grids 9.80 s, both in one process 18.65 s, at load 15), but fewer processes to order and print.
BATCH_BELOW = 20.0
BATCH_SECONDS = 90.0  # recorded CPU seconds per batch: several batches, so they still spread over both cores
#: a file recorded with fewer CPU seconds than this share of its wall seconds mostly waits: it runs beside the
#: others as one more process (see the module's docstring); the clean clone of 518b0f3: test_ray_variant 24 s
#: of CPU in 74 s, test_ray_faults 15 in 70, test_npbench_harness 11.5 in 67.5, test_polybench_gpu_sim 57.5
#: in 118.6, while the CPU-bound files took within 10 % of their wall seconds
WAITS_BELOW = 0.55
WAITS_AT_LEAST = 20.0  # wall seconds: below this, what it waits is too little to matter (a small file's noise)

# Files that start Ray clusters (embedded or `ray start`), Jupyter kernels or servers (nbclient, jupyter lab),
# or bind free ports they picked: one at a time (see the module's docstring).
EXCLUSIVE = frozenset({
    "python-bridge/tests/test_comm_kernel.py",  # a real ipykernel through jupyter_client
    "python-bridge/tests/test_module_names.py",  # an embedded Ray cluster in a child process
    "python-bridge/tests/test_ray_faults.py",  # `ray start --head` on free ports, killed
    "python-bridge/tests/test_ray_variant.py",  # a several-node Ray cluster, a node killed
    "python-bridge/tests/test_safe_defaults.py",  # an embedded cluster, its listening sockets listed
    "python-bridge/tests/test_wheel.py",  # the wheel's venv: an embedded cluster, `jupyter lab` on a free port
    "test/python/test_notebooks.py",  # nbclient kernels
})
# Small files that must not share a process with others, whatever their time: none known. A file that changes
# process-wide state it does not restore (os.environ outside monkeypatch, numba.config, a module of the runtime
# patched by hand, Numba's thread count) belongs here.
ALONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Unit:
    """What one pytest process runs: one file, or a batch of small files of one suite."""

    name: str
    files: tuple[str, ...]

    @property
    def batch(self) -> bool:
        return len(self.files) > 1 or self.name != self.files[0]


@dataclass
class Job:
    unit: Unit
    proc: subprocess.Popen[bytes]
    out: object  # the temporary file holding its output
    junit: str | None = None  # a batch's JUnit XML (its files' own times)
    started: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        return self.unit.name


def test_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for suite in SUITES for p in (root / suite).glob("test_*.py"))


def load_costs(path: Path) -> dict[str, dict[str, float]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return {}


def cost(path: str, costs: dict[str, dict[str, float]]) -> float:
    return costs.get(path, {}).get("s", DEFAULT_COST)


def batchable(path: str, costs: dict[str, dict[str, float]]) -> bool:
    """Recorded as small: its CPU seconds where recorded (on a loaded machine a small file's wall time can be
    several times its CPU time), else its wall seconds; never an EXCLUSIVE, ALONE, waiting or unrecorded file."""
    return (path in costs and path not in EXCLUSIVE and path not in ALONE and not waits(path, costs)
            and work(path, costs) < BATCH_BELOW)


def waits(path: str, costs: dict[str, dict[str, float]]) -> bool:
    """Recorded as mostly waiting: CPU seconds under WAITS_BELOW of its wall seconds (both recorded), which are
    WAITS_AT_LEAST or more."""
    rec = costs.get(path, {})
    return "cpu" in rec and rec.get("s", 0.0) >= WAITS_AT_LEAST and rec["cpu"] < WAITS_BELOW * rec["s"]


def work(path: str, costs: dict[str, dict[str, float]]) -> float:
    return costs.get(path, {}).get("cpu", cost(path, costs))


def units(files: list[str], costs: dict[str, dict[str, float]]) -> list[Unit]:
    """One unit per file, except the small files (batchable), packed per suite into batches of up to
    BATCH_SECONDS recorded CPU seconds, longest first (first fit); a batch of one file is that file's own unit."""
    out = [Unit(f, (f,)) for f in files if not batchable(f, costs)]
    for suite in SUITES:
        small = sorted((f for f in files if f.startswith(suite + "/") and batchable(f, costs)),
                       key=lambda f: (-work(f, costs), f))
        bins: list[list[str]] = []
        for f in small:
            fit = next((b for b in bins if sum(work(g, costs) for g in b) + work(f, costs) <= BATCH_SECONDS), None)
            if fit is None:
                bins.append([f])
            else:
                fit.append(f)
        for i, b in enumerate(bins, 1):
            out.append(Unit(f"{suite}/batch{i}", tuple(sorted(b))) if len(b) > 1 else Unit(b[0], (b[0],)))
    return out


def unit_cost(unit: Unit, costs: dict[str, dict[str, float]]) -> float:
    """What orders the processes, longest first: CPU seconds where recorded (the machine's real limit, and
    steadier than wall seconds on a loaded machine), but wall seconds for EXCLUSIVE files, which mostly wait
    on the Ray or Jupyter processes they start and run one after the other, and for the files that mostly wait
    (waits), so that they start first and their waits do not end the run with one core idle."""
    return sum(cost(f, costs) if f in EXCLUSIVE or waits(f, costs) else work(f, costs) for f in unit.files)


def unit_gib(unit: Unit, costs: dict[str, dict[str, float]]) -> float:
    return max(costs.get(f, {}).get("gib", 0.0) for f in unit.files)


def busy(running: list[Job], costs: dict[str, dict[str, float]], jobs: int) -> int:
    """The processes that count against POLYRAY_TEST_JOBS: all of them, less one that mostly waits (waits) when
    more than one runs at a time."""
    waiting = any(len(j.unit.files) == 1 and waits(j.unit.files[0], costs) for j in running)
    return len(running) - (1 if waiting and jobs > 1 else 0)


def next_unit(pending: list[Unit], running: list[Job], costs: dict[str, dict[str, float]]) -> Unit | None:
    """The longest pending unit that the constraints allow now (pending is sorted longest first)."""
    exclusive_busy = any(f in EXCLUSIVE for j in running for f in j.unit.files)
    big_busy = any(unit_gib(j.unit, costs) > BIG_GIB for j in running)
    for unit in pending:
        if exclusive_busy and any(f in EXCLUSIVE for f in unit.files):
            continue
        if big_busy and unit_gib(unit, costs) > BIG_GIB:
            continue
        return unit
    return None


def start(root: Path, unit: Unit, targets: list[str], args: list[str]) -> Job:
    out = tempfile.TemporaryFile()
    junit = None
    # a single file runs quietly as before; a batch at normal verbosity, one line per file with its results
    cmd = [sys.executable, "-m", "pytest", *([] if unit.batch else ["-q"]), "--durations=10", *targets, *args]
    if unit.batch:
        fd, junit = tempfile.mkstemp(prefix="polyray-batch-", suffix=".xml")
        os.close(fd)
        cmd.append(f"--junitxml={junit}")
    proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Job(unit, proc, out, junit)


def report(job: Job, status: int, usage: os.struct_rusage | None) -> dict[str, float]:
    wall = time.monotonic() - job.started
    cpu = (usage.ru_utime + usage.ru_stime) if usage else 0.0
    gib = (usage.ru_maxrss / 2**20) if usage else 0.0  # ru_maxrss is in KiB on Linux
    verdict = "ok" if status == 0 else f"FAILED (exit {status})"
    what = f"{job.path} ({' '.join(job.unit.files)})" if job.unit.batch else job.path
    sys.stdout.write(f"-- pytest {what}: {verdict}, {wall:.1f} s wall, {cpu:.1f} s CPU, {gib:.2f} GiB peak\n")
    job.out.seek(0)
    sys.stdout.flush()
    while chunk := job.out.read(1 << 16):
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    job.out.close()
    return {"s": round(wall, 1), "cpu": round(cpu, 1), "gib": round(gib, 2)}


def batch_times(junit: str | None, files: tuple[str, ...]) -> dict[str, float]:
    """Each batched file's seconds from the batch's JUnit XML (its tests' set-up, call and tear-down)."""
    times = dict.fromkeys(files, 0.0)
    dotted = {f[:-3].replace("/", "."): f for f in files}  # pytest's classname: the path, dotted, then any class
    try:
        cases = ET.parse(junit).iter("testcase") if junit else []
        for case in cases:
            name = case.get("classname", "")
            owner = next((f for d, f in dotted.items() if name == d or name.startswith(d + ".")), None)
            if owner:
                times[owner] += float(case.get("time", 0.0))
    except (OSError, ET.ParseError):
        pass
    finally:
        if junit:
            Path(junit).unlink(missing_ok=True)
    return times


def measured_files(job: Job, whole: dict[str, float]) -> dict[str, dict[str, float]]:
    """What --record keeps per file: a file's own process's figures; for a batch, each file's own seconds
    plus an equal share of the batch's start, and the batch's CPU shared in proportion, its peak memory."""
    if not job.unit.batch:
        return {job.path: whole}
    own = batch_times(job.junit, job.unit.files)
    spent = sum(own.values())
    share = max(0.0, whole["s"] - spent) / len(own)
    return {f: {"s": round(t + share, 1), "cpu": round(whole["cpu"] * (t + share) / whole["s"], 1) if whole["s"] else 0.0,
                "gib": whole["gib"]} for f, t in own.items()}


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


#: a process's header line as report prints it (a batch's names its files in parentheses)
HEADER = re.compile(r"^-- pytest (?P<path>\S+)(?P<batch> \([^)]*\))?: .*?, (?P<s>[\d.]+) s wall, "
                    r"(?P<cpu>[\d.]+) s CPU, (?P<gib>[\d.]+) GiB peak$", re.M)


def costs_from_log(text: str, costs: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The figures of each file of a run, from its printed output (report's header lines): a file that ran in a
    process of its own gets that process's; a batch's wall and CPU seconds are shared among its files in
    proportion to their recorded CPU seconds (work; the log does not say their own), each with the batch's peak."""
    out: dict[str, dict[str, float]] = {}
    for m in HEADER.finditer(text):
        whole = {"s": float(m["s"]), "cpu": float(m["cpu"]), "gib": float(m["gib"])}
        if not m["batch"]:
            out[m["path"]] = whole
            continue
        files = m["batch"].strip(" ()").split()
        weights = {f: work(f, costs) for f in files}
        total = sum(weights.values()) or 1.0
        for f, w in weights.items():
            out[f] = {"s": round(whole["s"] * w / total, 1), "cpu": round(whole["cpu"] * w / total, 1),
                      "gib": whole["gib"]}
    return out


def write_costs(path: Path, files: dict[str, dict[str, float]]) -> None:
    path.write_text(json.dumps({"about": "per test file: wall seconds, CPU seconds and peak GiB of its pytest "
                                         "process (a batched file: its tests' own seconds plus its share of "
                                         "the batch's start), recorded by scripts/pytest_files.py --record, or "
                                         "--record-log from a run's printed output",
                                "files": dict(sorted(files.items()))}, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str], root: Path = ROOT) -> int:
    costs_file = root / COSTS.relative_to(ROOT)
    if "--record-log" in argv:  # update the record from an earlier run's output, run nothing
        at = argv.index("--record-log") + 1
        if at >= len(argv) or not Path(argv[at]).is_file():
            print("--record-log LOG: LOG must name a run's printed output (a file)", file=sys.stderr)
            return 2
        log = Path(argv[at]).read_text(encoding="utf-8", errors="replace")
        found = costs_from_log(log, load_costs(costs_file))
        if not found:
            print("--record-log: no process header lines (-- pytest FILE: ...) in that log", file=sys.stderr)
            return 2
        write_costs(costs_file, {**load_costs(costs_file), **found})
        print(f"recorded {len(found)} files' costs from the log in {costs_file}")
        return 0
    record = "--record" in argv
    args = [a for a in argv if a != "--record"]
    jobs = max(1, int(os.environ.get("POLYRAY_TEST_JOBS", "2")))
    costs = load_costs(costs_file)
    every = test_files(root)
    # arguments naming test files (or tests: FILE::name) run only those, each in its file's (or batch's) process
    chosen = [a for a in args if a.split("::")[0] in every]
    args = [a for a in args if a not in chosen]
    files = sorted({a.split("::")[0] for a in chosen}) if chosen else every
    if chosen:
        record = False  # a partial run says nothing of the files left out
    todo = units(files, costs)
    targets = {u: [a for a in chosen if a.split("::")[0] in u.files] or list(u.files) for u in todo}
    pending = sorted(todo, key=lambda u: (-unit_cost(u, costs), u.name))
    running: list[Job] = []
    measured: dict[str, dict[str, float]] = {}
    failed: list[str] = []
    t0 = time.monotonic()
    print(f"== {len(todo)} pytest processes ({len(files)} files), {jobs} at a time (scripts/pytest_files.py)",
          flush=True)
    before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run stops its pytest processes
    try:
        while pending or running:
            while busy(running, costs, jobs) < jobs and (unit := next_unit(pending, running, costs)) is not None:
                pending.remove(unit)
                running.append(start(root, unit, targets[unit], args))
            job, status, usage = wait_any(running)
            running.remove(job)
            measured.update(measured_files(job, report(job, status, usage)))
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
    print(f"== {len(todo)} pytest processes in {time.monotonic() - t0:.0f} s; "
          + (f"{len(failed)} FAILED: {' '.join(sorted(failed))}" if failed else "all passed"), flush=True)
    if record:
        write_costs(costs_file, measured)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
