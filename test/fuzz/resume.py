"""A fuzz run spread over several sittings (run.py): its state file, one line per finished program and one
header line per sitting, and the check that every sitting fuzzed the same compiler.

A run resumed on another compiler would mix verdicts of two compilers under one record. So each sitting's
header names the commit of the code under test (the last commit touching src/, python-bridge/ or test/fuzz/,
"+dirty" where those have uncommitted changes); a sitting on another commit is refused unless forced
(--force-resume), and the record then lists every commit with its programs."""
from __future__ import annotations

import datetime as _dt
import json
import subprocess
from pathlib import Path
from typing import Any

#: what decides the verdicts: the compiler, the runtime, the generator and the harness (not the record or findings)
UNDER_TEST = ("src", "python-bridge", "test/fuzz", ":(exclude)test/fuzz/record.json", ":(exclude)test/fuzz/findings")


def compiler_commit(root: Path) -> str:
    """The short commit of the code under test, with "+dirty" for uncommitted changes to it; "unknown" outside git."""
    try:
        commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", *UNDER_TEST], cwd=root, capture_output=True,
                                text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *UNDER_TEST], cwd=root,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


class State:
    """The state file of one run (seed, count, families): finished programs by seed, and the sittings so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[int, dict[str, Any]] = {}
        self.sittings: list[dict[str, Any]] = []
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short when a sitting was killed: that program runs again
                if isinstance(r, dict) and isinstance(r.get("sitting"), dict):
                    self.sittings.append(r["sitting"])
                elif isinstance(r, dict) and "seed" in r:
                    self.done[r["seed"]] = r

    def commits(self) -> dict[str, int]:
        """Programs finished per commit (a state written before sittings were recorded: "unknown")."""
        out: dict[str, int] = {}
        for r in self.done.values():
            out[r.get("commit", "unknown")] = out.get(r.get("commit", "unknown"), 0) + 1
        return out

    def refusal(self, commit: str, force: bool) -> str | None:
        """Why this sitting must not continue the run (None: it may): programs of it ran on another commit."""
        others = sorted(c for c in self.commits() if c != commit)
        if not others or force:
            return None
        return (f"{self.path} holds {len(self.done)} programs run on compiler commit {', '.join(others)}, not {commit}: "
                "--fresh starts the run again, --force-resume continues it (the record then lists every commit)")

    def begin(self, commit: str, forced: bool) -> None:
        """Writes this sitting's header line."""
        sitting = {"commit": commit, "started": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "already_done": len(self.done), **({"forced": True} if forced else {})}
        self.sittings.append(sitting)
        with self.path.open("a") as f:
            f.write(json.dumps({"sitting": sitting}) + "\n")

    def record_fields(self) -> dict[str, Any]:
        """What the record says of the sittings: how many, the commits with their programs, whether one was forced."""
        commits = self.commits()
        return {"sittings": max(len(self.sittings), 1), "commits": commits,
                **({"forced_resume": True} if any(s.get("forced") for s in self.sittings) else {})}
