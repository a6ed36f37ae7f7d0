"""The Node compile service and its Python client: protocol, restart, concurrency, time limit."""
from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest

from polyray.compile_service import CompileService, CompileTimeout, cli_path, node_path

pytestmark = pytest.mark.skipif(not (cli_path().parent.parent / "lib/cli/main.js").exists(),
                                reason="the compiler is not built (lib/)")

KERNEL = """import numpy as np
import numpy.typing as npt


def {name}(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = y[i] + 2.0 * x[i]
"""


@pytest.fixture()
def svc():
    s = CompileService(timeout=60)
    yield s
    s.close()


def test_compile_ok_and_diagnostics(svc):
    res = svc.compile(KERNEL.format(name="axpy"), "cell.py")
    assert res.ok and "def axpy(" in res.module and res.report["functions"][0]["accelerated"]
    assert res.compiler and res.ms >= 0
    bad = svc.compile("def f(x: int) -> int\n    return x\n")
    assert not bad.ok and bad.diagnostics[0]["line"] >= 1 and bad.diagnostics[0]["severity"] == "error"
    assert svc.ping()["pong"] is True
    assert svc.version()["version"] == res.compiler


def test_protocol_never_crashes_on_bad_input():
    proc = subprocess.run([node_path(), str(cli_path()), "serve"], text=True, capture_output=True, timeout=60,
                          input='not json\n[1]\n{"id": 7, "op": "nope"}\n{"id": 8, "op": "compile"}\n'
                                '{"id": 9, "op": "compile", "source": "x = 1\\n", "targets": ["tpu"]}\n{"id": 10, "op": "ping"}\n')
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in replies] == [None, None, 7, 8, 9, 10]
    assert [r["ok"] for r in replies] == [False, False, False, False, False, True]
    assert "malformed JSON" in replies[0]["error"] and proc.returncode == 0


def test_restart_after_crash(svc):
    assert svc.compile(KERNEL.format(name="a")).ok
    first = svc.pid
    os.kill(first, 9)
    res = svc.compile(KERNEL.format(name="b"))
    assert res.ok and "def b(" in res.module
    assert svc.pid != first and svc.starts == 2


def test_concurrent_requests_from_threads(svc):
    results: dict[int, str] = {}

    def work(k: int) -> None:
        res = svc.compile(KERNEL.format(name=f"kernel_{k}"))
        results[k] = res.module

    threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == list(range(12))
    for k, module in results.items():
        assert f"def kernel_{k}(" in module and f"def kernel_{k + 100}(" not in module
    assert svc.starts == 1


def test_pathological_cell_is_bounded_by_the_time_limit(svc):
    assert svc.ping()["pong"]
    huge = "\n".join(KERNEL.format(name=f"k{k}") for k in range(3000))
    with pytest.raises(CompileTimeout, match="longer than 0.3 s"):
        svc.compile(huge, timeout=0.3)
    # the service was killed and comes back for the next request
    assert svc.compile(KERNEL.format(name="after")).ok
    assert svc.starts == 2
