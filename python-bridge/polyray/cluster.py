"""Which Ray cluster Polyray uses, and its status. Ray is imported lazily.

Address, in order: ``%polyray connect ADDRESS`` / ``%%parallelize --cluster
ADDRESS``, then ``$POLYRAY_RAY_ADDRESS``, then an embedded local cluster
started on first use and bound to loopback
(``ray.init(_node_ip_address="127.0.0.1", include_dashboard=False)``).

Unreachable and lost clusters (issue 9's fault tests, tests/test_ray_faults.py):

- ``ray.init(address=...)`` against an address where nothing listens blocks
  for many minutes in Ray 2.60 (20 tries of its GCS client, each ~40 s), and
  Ray has no documented option that bounds it (``RAY_py_gcs_connect_timeout_s``
  and ``RAY_gcs_server_port_wait_time_s`` are internal settings, the former
  read once per process). So before ``ray.init`` the address is probed with a
  plain TCP connect bounded by ``$POLYRAY_RAY_CONNECT_TIMEOUT`` (default 5 s);
  when it fails, :class:`ClusterUnreachable` names the address at once.
- Once connected, Ray ties the driver's life to the cluster: 60 s after the
  GCS stops answering (``RAY_gcs_rpc_server_reconnect_timeout_s``) it ends
  the whole process (the notebook's kernel), and a ``ray.put`` after the head
  died ends it at once. So every use probes the GCS first (:func:`ensure`),
  the Ray variant waits for its tasks in short steps that probe it again, and
  a watchdog thread probes it while idle; a cluster found gone is shut down
  (``ray.shutdown()``, which keeps the process alive), and an external one
  then raises :class:`ClusterUnreachable` (an embedded one is started again).
  What no probe can close: a head that dies in the milliseconds between a
  probe that found it alive and Ray's next call still ends the process, as
  Ray does to any driver.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: called with no argument after every (dis)connect: the dispatchers' kept-original fast paths (runtime/hot.py,
#: Kept) read no generation per call, so they are told. Defined before the runtime's import: importing
#: polyray.cluster first imports the runtime, whose dispatcher module appends to this list.
listeners: list[Callable[[], None]] = []

from .runtime import environ as _environ  # noqa: E402

_address: str | None = None  # set by connect()
_embedded = False  # whether the running Ray is the one we started locally
_connected_to: str | None = None
_gcs_address: str | None = None  # host:port of the connected cluster's GCS (what is probed)
_lost: str | None = None  # why the last connection was shut down, if it was lost
_generation = 0  # bumped on every (dis)connect; the watchdog of an older one stops
_lock = threading.RLock()  # held while Ray is in use, so the watchdog never shuts it down mid-call

#: Seconds a TCP connect to the cluster may take ($POLYRAY_RAY_CONNECT_TIMEOUT).
CONNECT_TIMEOUT = 5.0
#: Seconds between the watchdog's probes of a connected cluster's GCS.
WATCH_SECONDS = 5.0


class ClusterUnreachable(ConnectionError):
    """The Ray cluster does not answer: the address given, or the connected cluster (it went away)."""

    def __init__(self, address: str, why: str) -> None:
        super().__init__(f"the Ray cluster at {address} is unreachable: {why}")
        self.address = address
        self.why = why


def _connect_timeout() -> float:
    try:
        return max(0.1, float(os.environ.get("POLYRAY_RAY_CONNECT_TIMEOUT") or CONNECT_TIMEOUT))
    except ValueError:
        return CONNECT_TIMEOUT


def _host_port(address: str) -> tuple[str, int] | None:
    """host and port of ``host:port``, ``ray://host:port``, ``[v6]:port``; None for "auto", "local"..."""
    rest = address.strip().split("://", 1)[-1].split("/", 1)[0]
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit() or not host:
        return None
    return host.strip("[]"), int(port)


def probe(address: str, timeout: float | None = None) -> str | None:
    """None when something accepts a TCP connection at ``address`` (or it has no host:port), else why not."""
    hp = _host_port(address)
    if hp is None:
        return None
    limit = _connect_timeout() if timeout is None else timeout
    try:
        with socket.create_connection(hp, timeout=limit):
            return None
    except socket.timeout:
        return f"no answer within {limit:g} s (POLYRAY_RAY_CONNECT_TIMEOUT)"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"


_probe_cache: tuple[str, float, str | None] | None = None


def unreachable_reason() -> str | None:
    """Why ``auto`` should not consider Ray now: a cluster address is set, not connected, and does not answer.

    None when connected (each use checks again), when no address is set (the
    embedded cluster), or when the address answers. Cached for 30 s.
    """
    global _probe_cache
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        return None
    address = preferred_address()
    if not address:
        return None
    now = time.monotonic()
    if _probe_cache is not None and _probe_cache[0] == address and now - _probe_cache[1] < 30.0:
        return _probe_cache[2]
    why = probe(address)
    reason = str(ClusterUnreachable(address, why)) if why else None
    _probe_cache = (address, now, reason)
    return reason


def _ray() -> Any:
    import ray

    return ray


def preferred_address() -> str | None:
    # (read on every call of a function with a Ray variant: os.environ.get of a name that is not set raises
    # and catches a KeyError, tens of microseconds on a busy machine; runtime/environ.py reads it in one lookup)
    return _address or _environ.get("POLYRAY_RAY_ADDRESS") or None


def _shutdown_locked(why: str) -> None:
    """Shut Ray down after its cluster was found gone (keeps this process alive; see the module doc)."""
    global _embedded, _connected_to, _gcs_address, _lost, _generation
    lost = _connected_to or _gcs_address or "the embedded cluster"
    _lost = f"the Ray cluster at {lost} was lost ({why}) at {time.strftime('%H:%M:%S')}; Ray was shut down"
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()  # takes 5-10 s when the cluster is gone
    if _embedded:
        _restore_cluster_flag()
    _embedded, _connected_to, _gcs_address = False, None, None
    _generation += 1
    _notify()


def check_alive() -> None:
    """Probe the connected cluster's GCS; when it is gone, shut Ray down and raise ClusterUnreachable."""
    with _lock:
        ray = sys.modules.get("ray")
        if ray is None or not ray.is_initialized() or not _gcs_address:
            return
        why = probe(_gcs_address)
        if why is None:
            return
        address = _connected_to or _gcs_address
        _shutdown_locked(why)
        raise ClusterUnreachable(address, f"{why} (it was connected; Ray was shut down)")


@contextmanager
def held() -> Iterator[None]:
    """Keeps the watchdog from shutting Ray down while the block runs (it uses Ray)."""
    with _lock:
        yield


def _watch(generation: int) -> None:
    """While connection ``generation`` lasts: probe its GCS; shut Ray down once it stays gone.

    Ray ends the process ``RAY_gcs_rpc_server_reconnect_timeout_s`` (60 s)
    after its GCS stops answering; this shuts Ray down well before that, after
    a quarter of it (at most 15 s) of failed probes, so a restarting GCS
    (fault-tolerant clusters) gets some time.
    """
    try:
        limit = float(os.environ.get("RAY_gcs_rpc_server_reconnect_timeout_s") or 60.0)
    except ValueError:
        limit = 60.0
    grace = min(15.0, limit / 4)
    down_since: float | None = None
    while True:
        time.sleep(min(WATCH_SECONDS, max(0.5, grace / 3)))
        with _lock:
            ray = sys.modules.get("ray")
            if generation != _generation or not _gcs_address or ray is None or not ray.is_initialized():
                return
            why = probe(_gcs_address, timeout=min(_connect_timeout(), WATCH_SECONDS))
            if why is None:
                down_since = None
                continue
            now = time.monotonic()
            down_since = now if down_since is None else down_since
            if now - down_since >= grace:
                _shutdown_locked(why)
                return


def _notify() -> None:
    for listener in tuple(listeners):
        try:
            listener()
        except Exception:  # noqa: BLE001 - a listener's failure must not fail the (dis)connect
            pass


def generation() -> int:
    """Counts (dis)connections: the dispatchers' hot paths (runtime/hot.py) re-decide when it changes."""
    return _generation


def state() -> tuple[Any, ...]:
    """Changes when what ``auto`` may assume about Ray changes (dispatchers then reconsider it).

    (Dis)connecting, a lost cluster, another address, and every 30 s while the
    address does not answer (so a cluster that comes up is used again).
    """
    unreachable = _probe_cache is not None and _probe_cache[2] is not None
    return (_generation, preferred_address(), int(time.monotonic() // 30) if unreachable else 0)


def _after_connect(ray: Any) -> None:
    global _gcs_address, _lost, _probe_cache, _generation
    _generation += 1
    _notify()
    _probe_cache = None
    if _connected_to and _connected_to.startswith("ray://"):
        _gcs_address = _connected_to  # Ray Client: this process talks to the client server, not the GCS
    else:
        try:
            _gcs_address = ray.get_runtime_context().gcs_address
        except Exception:  # noqa: BLE001 - nothing to watch
            _gcs_address = None
    _lost = None
    if _gcs_address:
        threading.Thread(target=_watch, args=(_generation,), daemon=True, name="polyray-ray-watchdog").start()


def _restore_cluster_flag() -> None:
    import ray._private.ray_constants as ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = ray_constants.env_bool(
        ray_constants.ENABLE_RAY_CLUSTERS_ENV_VAR, not ray_constants.IS_WINDOWS_OR_OSX)


def ensure() -> Any:
    """Initialize Ray if needed (connect or start the embedded cluster); returns the ray module.

    Raises :class:`ClusterUnreachable` when the cluster address given does not
    answer, or when the connected external cluster has gone (see the module doc).
    """
    global _embedded, _connected_to
    with _lock:
        ray = _ray()
        if ray.is_initialized():
            if _embedded:
                try:
                    check_alive()
                except ClusterUnreachable:
                    pass  # the embedded cluster died: start a new one below
            else:
                check_alive()
            if ray.is_initialized():
                return ray
        address = preferred_address()
        if address:
            why = probe(address)
            if why is not None:
                raise ClusterUnreachable(address, why)
            ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
            _embedded, _connected_to = False, address
            _after_connect(ray)
            return ray
        return _start_embedded(ray)


def _start_embedded(ray: Any) -> Any:
    global _embedded, _connected_to
    # Ray (2.60) turns "127.0.0.1" into the host's routable address unless
    # its cluster mode is off (as it is on macOS and Windows); with it off,
    # the GCS and raylet listen on 127.0.0.1 only. Ray reads this constant
    # when it resolves addresses, so it is set for the embedded cluster only.
    import ray._private.ray_constants as ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = False
    # address="local": start our own cluster, never attach to one that some
    # other process happens to run on this machine (or that RAY_ADDRESS names).
    ray.init(
        address="local",
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        log_to_driver=False,
        ignore_reinit_error=True,
        configure_logging=False,
    )
    _embedded, _connected_to = True, None
    _after_connect(ray)
    return ray


def connect(address: str) -> dict[str, Any]:
    """Use the cluster at ``address`` from now on (disconnects from the current one)."""
    global _address
    disconnect()
    _address = address
    ensure()
    return status(start=False)


def disconnect() -> None:
    """Shut down the Ray connection (and the embedded cluster, if it is ours)."""
    global _address, _embedded, _connected_to, _gcs_address, _lost, _generation, _probe_cache
    with _lock:
        _address = None
        if "ray" in sys.modules:
            ray = sys.modules["ray"]
            if ray.is_initialized():
                ray.shutdown()
            if _embedded:
                _restore_cluster_flag()
        _embedded, _connected_to, _gcs_address, _lost, _probe_cache = False, None, None, None, None
        _generation += 1
    _notify()


def status(start: bool = True) -> dict[str, Any]:
    """Address, nodes, CPUs, GPUs, embedded or not (and ``lost``: why a connection was shut down). Starts Ray only when ``start``."""
    with _lock:  # waits for a shutdown the watchdog is doing
        return _status_locked(start)


def _status_locked(start: bool) -> dict[str, Any]:
    def offline() -> dict[str, Any]:
        return {"connected": False, "address": preferred_address(), "embedded": preferred_address() is None,
                "nodes": 0, "cpus": 0, "gpus": 0, **({"lost": _lost} if _lost else {})}

    if "ray" not in sys.modules and not start:
        return offline()
    if start:
        ray = ensure()
    else:
        ray = sys.modules["ray"]
        try:
            check_alive()  # ray.nodes() on a cluster that is gone would block
        except ClusterUnreachable:
            return offline()
    if not ray.is_initialized():
        return offline()
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    resources = ray.cluster_resources()
    try:
        address = ray.get_runtime_context().gcs_address
    except Exception:  # noqa: BLE001
        address = _connected_to
    return {
        "connected": True,
        "address": address,
        "requested": _connected_to,
        "embedded": _embedded,
        "nodes": len(nodes),
        "node_ids": [n.get("NodeID") for n in nodes],
        "cpus": resources.get("CPU", 0),
        "gpus": resources.get("GPU", 0),
    }


def status_text(info: dict[str, Any]) -> str:
    if not info.get("connected"):
        where = info.get("address") or "embedded local cluster (started on first use)"
        lost = f"\n  {info['lost']}" if info.get("lost") else ""
        return f"Ray: not connected; will use {where}{lost}"
    kind = "embedded local cluster (127.0.0.1)" if info.get("embedded") else "external cluster"
    return (
        f"Ray cluster: {info.get('address')} ({kind})\n"
        f"  nodes: {info.get('nodes')}  CPUs: {info.get('cpus'):g}  GPUs: {info.get('gpus'):g}"
    )
