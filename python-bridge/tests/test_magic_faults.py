"""The compile service dies while a ``%%parallelize`` cell is being compiled (issue 9).

A real IPython shell, the real Node service (``polyray.mjs serve``); a thread
SIGKILLs the service's process while the cell's compile request is in flight
(a cell of 400 kernels keeps it busy ~2 s; the service has no test hook and
needs none).

What the magic does (compile_service.CompileService.request): requests are
idempotent, so a request whose process died is sent once more to a fresh
process. One death mid-request: the cell is transparently retried and runs
with its dispatchers. A second death (the fresh process dies too): the user
sees one clear line ("polyray: the compile service exited ...; the cell runs
as plain Python") and the cell runs as plain Python. In both cases the magic
returns within a bounded time, the module cache holds only complete modules
(no temporary or partial file), and the next cell compiles on a restarted
service.
"""

from __future__ import annotations

import ast
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polyray.compile_service as cs
import polyray.runtime as rt
from polyray import magic
from polyray.compile_service import CompileService, cli_path

pytestmark = pytest.mark.skipif(not (cli_path().parent.parent / "lib/cli/main.js").exists(),
                                reason="the compiler is not built (lib/)")

LIMIT = 120.0  # seconds: the magic not returning by then is a hang
KERNELS = 400

KERNEL = """
def {name}(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = y[i] + {k}.0 * x[i]
"""


def big_cell(prefix: str) -> str:
    defs = "".join(KERNEL.format(name=f"{prefix}{k}", k=k) for k in range(KERNELS))
    return ("import numpy as np\nimport numpy.typing as npt\n" + defs
            + f"\nx = np.arange(8.0)\ny = np.ones(8)\n{prefix}7(8, x, y)\nresult = y.copy()\n")


@pytest.fixture()
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, CompileService]]:
    """A real IPython shell with the extension, its own module cache and its own service."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    svc = CompileService(timeout=60)
    monkeypatch.setattr(cs, "_service", svc)
    ip = start_ipython() or get_ipython()  # one shell per process: another test may have started it
    ip.run_line_magic("load_ext", "polyray")
    try:
        yield ip, svc
    finally:
        svc.close()


def bounded(fn: Callable[[], Any]) -> tuple[BaseException | None, float]:
    out: dict[str, BaseException] = {}

    def work() -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    t0 = time.monotonic()
    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(LIMIT)
    if t.is_alive():
        pytest.fail(f"%%parallelize did not return within {LIMIT:g} s (a hang)")
    return out.get("error"), time.monotonic() - t0


class Killer(threading.Thread):
    """SIGKILLs the service process ``times`` times, each while a compile request is in flight on it."""

    def __init__(self, svc: CompileService, times: int) -> None:
        super().__init__(daemon=True)
        self.svc, self.times = svc, times
        self.killed: list[int] = []
        self.in_flight_at_kill: list[bool] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while len(self.killed) < self.times and not self.stop.is_set():
            with self.svc._lock:
                owed = [(proc, fut) for proc, fut in self.svc._pending.values()
                        if proc.poll() is None and proc.pid not in self.killed]
            if owed:
                proc, fut = owed[0]
                time.sleep(0.5)  # well into the ~2 s compile
                self.in_flight_at_kill.append(not fut.done())
                os.kill(proc.pid, signal.SIGKILL)
                self.killed.append(proc.pid)
            time.sleep(0.02)


def cache_files(tmp: Path) -> list[Path]:
    d = tmp / "cache" / "modules"
    return sorted(d.iterdir()) if d.exists() else []


def assert_cache_complete(tmp: Path) -> list[Path]:
    """Only finished modules: no temporary file, every .py parses and has its .json report."""
    files = cache_files(tmp)
    assert not [f.name for f in files if f.name.endswith(".tmp")], [f.name for f in files]
    modules = [f for f in files if f.suffix == ".py"]
    for f in modules:
        ast.parse(f.read_text(encoding="utf-8"))
        assert f.with_suffix(".json").exists(), f
    return modules


def next_cell_works(ip: Any, svc: CompileService, starts_before: int) -> None:
    ip.run_cell_magic("parallelize", "", "def after_fault(n: int) -> int:\n    return n * 3\nr_after = after_fault(5)\n")
    assert ip.user_ns["r_after"] == 15
    assert magic.last_compile["origin"] == "service", magic.last_compile
    assert rt.history()[-1]["function"] == "after_fault"  # ran through its dispatcher
    assert svc.pid is not None and svc.starts > starts_before


def test_service_killed_mid_request_is_retried_transparently(shell: tuple[Any, CompileService], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    ip, svc = shell
    assert svc.ping()["pong"]  # started and warm: the kill hits the compile, not the start-up
    killer = Killer(svc, times=1)
    killer.start()
    error, seconds = bounded(lambda: ip.run_cell_magic("parallelize", "", big_cell("ka")))
    killer.stop.set()
    killer.join(5)
    assert error is None, repr(error)
    assert len(killer.killed) == 1 and killer.in_flight_at_kill == [True], (killer.killed, killer.in_flight_at_kill)
    print(f"killed mid-request, retried: the cell took {seconds:.1f} s; service starts {svc.starts}")
    assert svc.starts == 2
    err = capsys.readouterr().err
    assert "compile service" not in err, err  # transparent: nothing to tell the user
    # the cell ran with the new dispatchers, from a complete module in the cache
    expected = np.ones(8) + 7.0 * np.arange(8.0)
    np.testing.assert_array_equal(ip.user_ns["result"], expected)
    assert magic.last_compile["origin"] == "service" and len(magic.last_compile["functions"]) == KERNELS
    fn = ip.user_ns["ka7"]
    module = sys.modules[fn.__module__]
    assert fn.__module__.startswith("_polyray_cell_") and fn is module.ka7
    (path,) = assert_cache_complete(tmp_path)
    assert Path(module.__file__) == path
    text = path.read_text(encoding="utf-8")
    assert all(f"def ka{k}(" in text for k in range(KERNELS))
    assert rt.history()[-1]["function"] == "ka7"
    next_cell_works(ip, svc, 1)  # the killed process was the first


def test_service_killed_twice_runs_the_cell_as_plain_python_with_a_clear_message(
        shell: tuple[Any, CompileService], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ip, svc = shell
    assert svc.ping()["pong"]
    ip.user_ns.pop("kb7", None)
    before = len(rt.history())
    killer = Killer(svc, times=2)  # the request and its one retry
    killer.start()
    error, seconds = bounded(lambda: ip.run_cell_magic("parallelize", "", big_cell("kb")))
    killer.stop.set()
    killer.join(5)
    assert error is None, repr(error)
    assert len(killer.killed) == 2 and killer.in_flight_at_kill == [True, True], (killer.killed, killer.in_flight_at_kill)
    print(f"killed twice: the cell took {seconds:.1f} s")
    err = capsys.readouterr().err
    assert "polyray: the compile service exited" in err and "the cell runs as plain Python" in err, err
    assert err.count("polyray:") == 1, err
    # plain Python: the cell's own functions, no module imported, nothing in the cache
    expected = np.ones(8) + 7.0 * np.arange(8.0)
    np.testing.assert_array_equal(ip.user_ns["result"], expected)
    fn = ip.user_ns["kb7"]
    assert fn.__module__ == "__main__" and not hasattr(fn, "__wrapped__"), fn
    assert magic.last_compile["origin"] == "", magic.last_compile
    assert len(rt.history()) == before  # no dispatcher ran
    assert assert_cache_complete(tmp_path) == []
    starts = svc.starts
    next_cell_works(ip, svc, starts - 1)
    assert svc.starts == starts + 1  # the dead process was replaced by a fresh one
