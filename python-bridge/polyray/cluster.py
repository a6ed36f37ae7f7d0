"""Which Ray cluster Polyray uses, and its status. Ray is imported lazily.

Address, in order: ``%polyray connect ADDRESS`` / ``%%parallelize --cluster
ADDRESS``, then ``$POLYRAY_RAY_ADDRESS``, then an embedded local cluster
started on first use and bound to loopback
(``ray.init(_node_ip_address="127.0.0.1", include_dashboard=False)``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

_address: str | None = None  # set by connect()
_embedded = False  # whether the running Ray is the one we started locally
_connected_to: str | None = None


def _ray() -> Any:
    import ray

    return ray


def preferred_address() -> str | None:
    return _address or os.environ.get("POLYRAY_RAY_ADDRESS") or None


def ensure() -> Any:
    """Initialize Ray if needed (connect or start the embedded cluster); returns the ray module."""
    global _embedded, _connected_to
    ray = _ray()
    if ray.is_initialized():
        return ray
    address = preferred_address()
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
        _embedded, _connected_to = False, address
    else:
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
    global _address, _embedded, _connected_to
    _address = None
    if "ray" in sys.modules:
        ray = sys.modules["ray"]
        if ray.is_initialized():
            ray.shutdown()
        if _embedded:
            import ray._private.ray_constants as ray_constants

            ray_constants.ENABLE_RAY_CLUSTER = ray_constants.env_bool(
                ray_constants.ENABLE_RAY_CLUSTERS_ENV_VAR, not ray_constants.IS_WINDOWS_OR_OSX)
    _embedded, _connected_to = False, None


def status(start: bool = True) -> dict[str, Any]:
    """Address, nodes, CPUs, GPUs, embedded or not. Starts Ray only when ``start``."""
    if "ray" not in sys.modules and not start:
        return {"connected": False, "address": preferred_address(), "embedded": preferred_address() is None,
                "nodes": 0, "cpus": 0, "gpus": 0}
    ray = ensure() if start else sys.modules["ray"]
    if not ray.is_initialized():
        return {"connected": False, "address": preferred_address(), "embedded": preferred_address() is None,
                "nodes": 0, "cpus": 0, "gpus": 0}
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
        return f"Ray: not connected; will use {where}"
    kind = "embedded local cluster (127.0.0.1)" if info.get("embedded") else "external cluster"
    return (
        f"Ray cluster: {info.get('address')} ({kind})\n"
        f"  nodes: {info.get('nodes')}  CPUs: {info.get('cpus'):g}  GPUs: {info.get('gpus'):g}"
    )
