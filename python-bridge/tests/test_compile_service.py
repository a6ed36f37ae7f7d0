"""The Node compile service and its Python client: protocol, restart, concurrency, time limit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
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


def test_warm_starts_the_process_and_compiles_its_program_once(svc):
    """The magic's warm-up at %load_ext (issue 19): warm() starts the process without waiting; its reply says
    the built-in program was compiled (ms > 0) the first time and not again; compiles work as before."""
    assert svc.pid is None
    fut = svc.warm()
    assert svc.pid is not None and svc.starts == 1  # started at once, nothing waited
    first = fut.result(60)
    assert first["ok"] and first["warm"] and first["ms"] > 0 and first["pid"] == svc.pid
    assert svc.warm().result(60)["ms"] == 0
    assert svc.compile(KERNEL.format(name="after_warm")).ok and svc.starts == 1


def test_a_warm_up_gives_way_to_a_compile_already_waiting():
    """Both lines arrive together: the compile is waiting when Node has loaded, so the warm-up is skipped (ms
    0) rather than holding the compile back by a whole extra compile; both are answered, in order."""
    lines = json.dumps({"id": 1, "op": "warm"}) + "\n" + json.dumps(
        {"id": 2, "op": "compile", "source": KERNEL.format(name="waiting")}) + "\n"
    proc = subprocess.run([node_path(), str(cli_path()), "serve"], text=True, capture_output=True, timeout=60, input=lines)
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["id"], r["ok"]) for r in replies] == [(1, True), (2, True)], proc.stderr
    assert replies[0]["warm"] is True and replies[0]["ms"] == 0 and "def waiting(" in replies[1]["module"]


@pytest.mark.parametrize("silent", [False, True])
def test_load_ext_starts_and_warms_the_kernels_service(tmp_path, silent):
    """A fresh kernel's `%load_ext polyray` starts the compile service and sends the warm-up, so the first
    %%parallelize cell does not pay for Node starting and its JIT warming; the cell then compiles through it.
    Loaded silently, as the JupyterLab extension does (its browser worker compiles), no service starts until a
    cell needs one."""
    code = """
import json
from IPython.testing.globalipapp import start_ipython
import polyray.compile_service as cs
ip = start_ipython()
assert cs._service is None
ip.run_cell("%load_ext polyray", silent=SILENT)
svc = cs._service
pid = svc.pid if svc is not None else None
svc = cs.get_service()
""".replace("SILENT", str(silent)) + """
ip.run_cell_magic("parallelize", "", "def inc(x: int) -> int:\\n    return x + 1\\nr = inc(2)\\n")
from polyray.magic import last_compile
print("RESULT", json.dumps({"pid": pid, "after": svc.pid, "starts": svc.starts, "r": ip.user_ns["r"],
                            "origin": last_compile.get("origin")}))
"""
    # a cache miss (the cell needs the service); the original runs (the subject is the compile, not Numba)
    env = {**os.environ, "POLYRAY_CACHE_DIR": str(tmp_path / "cache"), "POLYRAY_TARGET": "original"}
    proc = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True, timeout=120, env=env)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stdout + proc.stderr
    got = json.loads(line[7:])
    assert (got["pid"] is None) == silent and got["starts"] == 1, got
    assert silent or got["after"] == got["pid"], got
    assert got["r"] == 3 and got["origin"] == "service", got
