"""Where a fuzz program's CPU time goes (run.py): seconds per phase in each program's line of the state file,
summed over a run by run.coverage.

A phase is the CPU time of this process (every thread: Polyray compiles variants on a background thread, and a
call forced to a variant waits for it), of the compile service (node, a child that lives for the whole run, read
from /proc), or of the children that ran and ended meanwhile (the reload check's fresh process)."""
from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def children_cpu() -> float:
    """CPU seconds of this process's children that have ended (and were waited for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of a running process (0.0 where /proc cannot tell: another OS, a process gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def add(result: dict[str, Any], phase: str, seconds: float) -> None:
    spent = result.setdefault("cpu_s", {})
    spent[phase] = round(spent.get(phase, 0.0) + seconds, 3)


@contextmanager
def timed(result: dict[str, Any], phase: str) -> Iterator[None]:
    """Adds the CPU time of this process and of its ended children during the block to result["cpu_s"][phase]."""
    own, kids = time.process_time(), children_cpu()
    try:
        yield
    finally:
        add(result, phase, time.process_time() - own + children_cpu() - kids)


def totals(results: list[dict[str, Any]]) -> dict[str, float]:
    """The phases summed over programs (states written before phases were recorded lack them)."""
    out: dict[str, float] = {}
    for r in results:
        for phase, seconds in r.get("cpu_s", {}).items():
            out[phase] = round(out.get(phase, 0.0) + seconds, 2)
    return out
