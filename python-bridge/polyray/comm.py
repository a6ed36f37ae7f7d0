"""The ``polyray`` comm: the report channel to the frontend (as sparkmonitor does it).

The kernel registers the comm target ``polyray``; the frontend opens a comm on
every kernel connection (so a page reload simply opens a new one). Messages,
kernel -> frontend (``data``):

- ``{"type": "hello", "version", "compiler", "jit_wait", "functions": [aggregate...]}`` on open;
  ``jit_wait`` is true when POLYRAY_JIT_WAIT in the kernel's environment asks to wait for the JIT: the
  extension then waits for its Worker's compile past the compile budget, so that the kernel never starts
  its own compile service for a cell the browser compiles (issue 19);
- ``{"type": "records", "functions": [aggregate...]}`` at most a few times a
  second, only the functions whose aggregates changed;
- ``{"type": "cluster", "cluster": {...}}`` in answer to ``{"type": "cluster"}``.

frontend -> kernel:

- ``{"type": "snapshot"}``: answered by a ``records`` message with every function;
- ``{"type": "cluster"}``: the cluster status (does not start Ray);
- ``{"type": "connect", "address"}``: ``%polyray connect ADDRESS`` (empty address: the embedded
  local cluster, started now), answered by a ``cluster`` message (with ``error`` when it failed);
- ``{"type": "module", "sha256", "compiler", "module", "report"}``: a module the
  frontend compiled for a cell (see :func:`polyray.magic.handover_hash`); the
  magic uses it only when the hash matches the cell it runs.
"""

from __future__ import annotations

from typing import Any

from .report_display import Aggregator

#: frontend-compiled modules by hash (bounded; the magic pops what it uses)
handed_modules: dict[str, dict[str, Any]] = {}
MAX_HANDED = 64


class ReportChannel:
    """All open ``polyray`` comms; a sink of the aggregator."""

    def __init__(self, aggregator: Aggregator) -> None:
        self.aggregator = aggregator
        self.comms: dict[str, Any] = {}
        self.registered = False

    def register(self, shell: Any) -> bool:
        kernel = getattr(shell, "kernel", None)
        manager = getattr(kernel, "comm_manager", None)
        if manager is None:
            try:
                from comm import get_comm_manager

                manager = get_comm_manager()
            except Exception:  # noqa: BLE001 - no kernel (plain IPython): no comm
                return False
        manager.register_target("polyray", self._on_open)
        if self not in self.aggregator.sinks:
            self.aggregator.sinks.append(self)
        self.registered = True
        return True

    def _on_open(self, comm: Any, open_msg: dict[str, Any]) -> None:
        self.comms[comm.comm_id] = comm
        comm.on_msg(self._on_msg)
        comm.on_close(lambda msg, cid=comm.comm_id: self.comms.pop(cid, None))
        from . import __version__
        from .cache import compiler_version
        from .runtime import background

        comm.send({"type": "hello", "version": __version__, "compiler": compiler_version(),
                   "jit_wait": background.env_jit_wait() is True, "functions": self.aggregator.snapshot()})

    def _on_msg(self, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data", {}) or {}
        if not isinstance(data, dict):
            # not from our frontend: ignored (raising here would print a traceback to the
            # kernel's stderr and skip IPython's post_execute event)
            return
        comm_id = msg.get("content", {}).get("comm_id")
        comm = self.comms.get(comm_id)
        kind = data.get("type")
        if kind == "snapshot" and comm is not None:
            comm.send({"type": "records", "functions": self.aggregator.snapshot()})
        elif kind == "cluster" and comm is not None:
            from .cluster import status

            comm.send({"type": "cluster", "cluster": status(start=False)})
        elif kind == "connect" and comm is not None:
            from .cluster import connect, disconnect, status

            address = data.get("address")
            try:
                if isinstance(address, str) and address.strip():
                    info = connect(address.strip())
                else:  # empty: the embedded local cluster
                    disconnect()
                    info = status(start=True)
                comm.send({"type": "cluster", "cluster": info})
            except Exception as exc:  # noqa: BLE001 - shown in the sidebar
                comm.send({"type": "cluster", "cluster": status(start=False), "error": f"{type(exc).__name__}: {exc}"})
        elif kind == "module":
            sha = data.get("sha256")
            if isinstance(sha, str) and isinstance(data.get("module"), str):
                if len(handed_modules) >= MAX_HANDED:
                    handed_modules.pop(next(iter(handed_modules)))
                handed_modules[sha] = data

    def send_records(self, records: list[dict[str, Any]]) -> None:
        for cid, comm in list(self.comms.items()):
            try:
                comm.send({"type": "records", "functions": records})
            except Exception:  # noqa: BLE001 - a closed or broken comm is dropped
                self.comms.pop(cid, None)
