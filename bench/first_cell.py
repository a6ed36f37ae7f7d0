"""The first %%parallelize cell right after ``%load_ext polyray`` (issue 19), in fresh kernels: prints figures.

Each kernel (nbclient, the .venv's ipykernel, an empty POLYRAY_CACHE_DIR) runs two cells: ``%load_ext
polyray`` and, at once, a cell with a hinted loop nest (test/python/test_notebooks.py's TIMED_CELL: a
300 x 200 relaxation in pure Python, and its call). The cell's wall time is IPython's, from its
pre_run_cell to its post_run_cell event. Kinds, interleaved round by round so that the machine's load
falls on each alike:

* ``plain``: the same cell without ``%%parallelize`` (the extension loaded all the same);
* ``before``: ``%%parallelize`` with the package at ``--before`` (a checkout's python-bridge: the code
  before the compile budget, which waits for the compile service);
* ``after``: ``%%parallelize`` with this checkout's package and its default budget.

Usage: ``.venv/bin/python bench/first_cell.py --rounds 5 --before /work/main/python-bridge``
"""

from __future__ import annotations

import shutil
import atexit
import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test/python"))

from notebook_helpers import install_kernelspec, notebook, run, text  # noqa: E402

CELL = '''import numpy as np


def relax(u: np.ndarray, out: np.ndarray, w: float) -> None:
    n, m = u.shape
    for i in range(1, n - 1):
        for j in range(m):
            out[i, j] = (1.0 - w) * u[i, j] + 0.5 * w * (u[i - 1, j] + u[i + 1, j])


u = np.random.default_rng(3).random((300, 200))
out = np.zeros_like(u)
relax(u, out, 0.4)
'''

HOOKS = """import time
_cells = []
get_ipython().events.register('pre_run_cell', lambda *_: _cells.append([time.perf_counter()]))
get_ipython().events.register('post_run_cell', lambda *_: _cells[-1].append(time.perf_counter()))
get_ipython().run_line_magic('load_ext', 'polyray')"""

REPORT = """from polyray.magic import last_compile
print('FIRST', (_cells[-2][1] - _cells[-2][0]), last_compile.get('origin', ''), last_compile.get('note', ''))"""


def one(kind: str, package: str, base: Path) -> tuple[float, str]:
    os.environ["PYTHONPATH"] = package
    os.environ["POLYRAY_CACHE_DIR"] = tempfile.mkdtemp(prefix="cache-", dir=base)
    body = CELL if kind == "plain" else "%%parallelize\n" + CELL
    nb = notebook(HOOKS, body, REPORT)
    run(nb, base, timeout=300)
    out = text(nb.cells[2])
    line = next((ln for ln in out.splitlines() if ln.startswith("FIRST ")), None)
    if line is None:
        raise RuntimeError(f"{kind}: no timing: {out} {text(nb.cells[1])}")
    seconds, _, note = line[6:].partition(" ")
    return float(seconds), note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--before", required=True, help="python-bridge folder of the code before the change")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="first-cell-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)  # its caches and kernelspec, removed when the run ends
    install_kernelspec(base / "kernels")
    os.environ.pop("POLYRAY_JIT_WAIT", None)
    os.environ.pop("POLYRAY_COMPILE_BUDGET", None)
    kinds = {"plain": str(ROOT / "python-bridge"), "before": args.before, "after": str(ROOT / "python-bridge")}
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for r in range(args.rounds):
        for kind, package in kinds.items():
            seconds, note = one(kind, package, base)
            times[kind].append(seconds)
            print(f"round {r + 1} {kind}: {seconds:.3f} s ({note})", flush=True)
    load = os.getloadavg()
    summary = {k: {"median": statistics.median(v), "min": min(v), "max": max(v)} for k, v in times.items()}
    print(json.dumps({"load": load, **summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
