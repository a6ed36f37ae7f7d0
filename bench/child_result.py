"""One benchmark child process and its result, shared by the benchmarks that measure in fresh processes
(first_call.py, jit_cost.py): the child prints one ``RESULT {json}`` line on stdout; anything else is an
error row made of the last line the child wrote on stderr (its exception), or its exit status."""
from __future__ import annotations

import json
import subprocess
from typing import Any

RESULT_PREFIX = "RESULT "


def run_child(argv: list[str], env: dict[str, str], cwd: str, timeout: float) -> dict[str, Any]:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    tail = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or [f"exit status {proc.returncode}"]
    return {"error": tail[0][:160]}


def print_result(out: dict[str, Any]) -> None:
    """The child's side: its one result line."""
    print(RESULT_PREFIX + json.dumps(out), flush=True)
