"""Safe defaults: the embedded Ray cluster (what Polyray starts when no address is given)
listens on loopback only, and has no dashboard. Checked on a real embedded cluster, in a
fresh process, by listing the listening sockets of that process and all its children."""
from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import tempfile

SCRIPT = r"""
import json, os, psutil
from polyray import cluster
cluster.ensure()
me = psutil.Process(os.getpid())
procs = [me] + me.children(recursive=True)
pids = {p.pid for p in procs}
listening = []
for c in psutil.net_connections(kind="inet"):
    if c.status == psutil.CONN_LISTEN and c.pid in pids:
        listening.append([c.laddr.ip, c.laddr.port, psutil.Process(c.pid).name()])
print("LISTEN " + json.dumps({"sockets": listening, "processes": len(procs), "status": cluster.status()}, default=str))
cluster.disconnect()
"""


def test_the_embedded_cluster_listens_on_loopback_only() -> None:
    # Ray's session folder: short (its unix sockets live under it), removed afterwards (Ray's processes are gone)
    with tempfile.TemporaryDirectory(prefix="polyray-safe-", ignore_cleanup_errors=True) as ray_tmp:
        env = dict(os.environ, RAY_TMPDIR=ray_tmp, RAY_USAGE_STATS_ENABLED="0")
        env.pop("POLYRAY_RAY_ADDRESS", None)
        out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    line = next((l for l in out.stdout.splitlines() if l.startswith("LISTEN ")), None)
    assert line, out.stdout[-2000:] + out.stderr[-2000:]
    found = json.loads(line[len("LISTEN "):])
    assert found["processes"] > 1 and found["sockets"], found  # Ray's processes were there and listening
    outside = [s for s in found["sockets"] if not _loopback(s[0])]
    assert not outside, f"listening beyond loopback: {outside}"
    # no dashboard: its default port 8265 is not among them
    assert all(s[1] != 8265 for s in found["sockets"]), found


def _loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    mapped = getattr(addr, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or addr).is_loopback
