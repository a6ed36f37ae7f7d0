"""The ``polyray`` comm against a real ipykernel (jupyter_client, no mocks).

The client does what the JupyterLab extension does (src/extension/kernel.ts):
``%load_ext polyray``, then a ``comm_open`` with target ``polyray`` and empty
data on the shell channel; the kernel answers ``hello`` and then sends
``records`` messages at a bounded rate (report_display.Aggregator: at most one
flush per ``interval`` seconds while calls happen, plus one when a cell ends).
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "polyray-comm-test"
CALLS = 20_000

pytestmark = pytest.mark.skipif(not (ROOT / "lib/cli/main.js").exists(), reason="the compiler is not built (lib/)")

CELL = """%%parallelize
import numpy as np
import numpy.typing as npt

def scale(n: int, a: float, x: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        x[i] = x[i] * a

v = np.arange(8.0)
scale(8, 2.0, v)
print("scaled", v.tolist())
"""


class Kernel:
    """A blocking client on a real kernel, keeping every comm message it saw on iopub."""

    def __init__(self, kc: Any) -> None:
        self.kc = kc
        self.comm_msgs: list[dict[str, Any]] = []  # (content of) comm_msg and comm_close from the kernel
        self.others: list[dict[str, Any]] = []  # iopub messages whose parent is not an execute we waited for

    def _drain_until_idle(self, parent_id: str, timeout: float) -> list[dict[str, Any]]:
        """iopub messages of one request until its idle status; comm messages (of any parent) are kept."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no idle status for {parent_id} within {timeout} s"
            msg = self.kc.get_iopub_msg(timeout=left)
            kind = msg["header"]["msg_type"]
            if kind in ("comm_msg", "comm_close", "comm_open"):
                self.comm_msgs.append({"msg_type": kind, **msg["content"]})
            if msg["parent_header"].get("msg_id") != parent_id:
                self.others.append(msg)
                continue
            out.append(msg)
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return out

    def execute(self, code: str, timeout: float = 120) -> str:
        """Runs code; returns its stdout; fails on an error or a non-ok reply."""
        msg_id = self.kc.execute(code, store_history=False)
        msgs = self._drain_until_idle(msg_id, timeout)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        errors = [m["content"] for m in msgs if m["header"]["msg_type"] == "error"]
        assert not errors, "\n".join(f"{e['ename']}: {e['evalue']}\n" + "\n".join(e["traceback"]) for e in errors)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(m["content"]["text"] for m in msgs if m["header"]["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def shell_send(self, msg_type: str, content: dict[str, Any]) -> str:
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def open_comm(self) -> str:
        """comm_open with target ``polyray`` and data {} (what kernel.ts's ``comm.open({})`` sends)."""
        comm_id = uuid.uuid4().hex
        self.shell_send("comm_open", {"comm_id": comm_id, "target_name": "polyray", "data": {}})
        return comm_id

    def comm_send(self, comm_id: str, data: Any) -> str:
        return self.shell_send("comm_msg", {"comm_id": comm_id, "data": data})

    def close_comm(self, comm_id: str) -> None:
        self.shell_send("comm_close", {"comm_id": comm_id, "data": {}})

    def sync(self) -> None:
        """An empty execute: every shell message sent before it has been handled, its iopub output seen."""
        self.execute("pass")

    def data(self, comm_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [m["data"] for m in self.comm_msgs if m["msg_type"] == "comm_msg" and m["comm_id"] == comm_id
                and (kind is None or m["data"].get("type") == kind)]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    base = tmp_path_factory.mktemp("comm-kernel")
    # a kernelspec whose argv is this interpreter (the .venv's python), never a python3 spec from elsewhere
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(base), "--name", KERNEL,
                    "--display-name", "polyray comm test"], check=True, capture_output=True)
    ksm = KernelSpecManager(kernel_dirs=[str(base / "share" / "jupyter" / "kernels")])
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=ksm)
    env = {**os.environ, "POLYRAY_CACHE_DIR": str(base / "cache"), "POLYRAY_TARGET": "cpu",
           "RAY_TMPDIR": str(base / "ray"), "RAY_USAGE_STATS_ENABLED": "0", "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    env.pop("POLYRAY_JIT_WAIT", None)  # test_hello_says_whether_the_kernel_waits_for_the_jit sets it itself
    km.start_kernel(env=env, cwd=str(base))
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        k = Kernel(kc)
        k.execute("%load_ext polyray\nimport json\nfrom polyray.runtime import history")
        assert "scaled [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]" in k.execute(CELL, timeout=180)
        yield k
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _scale_entries(datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for d in datas for f in d.get("functions", []) if f.get("name") == "scale"]


def test_records_arrive_aggregated_at_a_bounded_rate(kernel: Kernel) -> None:
    cid = kernel.open_comm()
    kernel.sync()
    hello = kernel.data(cid, "hello")
    assert len(hello) == 1, kernel.comm_msgs
    assert hello[0]["version"] and hello[0]["compiler"]
    # the call the cell made is already in the snapshot the comm starts with
    assert [(f["name"], f["variant"], f["calls"]) for f in hello[0]["functions"]] == [("scale", "cpu", 1)]

    interval = json.loads(kernel.execute(
        "from polyray.report_display import aggregator\nprint(json.dumps(aggregator().interval))"))
    assert interval == 0.25, "README: reports update at most 4 times a second"
    kernel.comm_msgs.clear()
    t0 = time.monotonic()
    out = kernel.execute(
        f"x = np.ones(16)\nfor _ in range({CALLS}):\n    scale(16, 1.0, x)\n"
        "print(json.dumps([history()[-1]['variant'], len(history())]))",
        timeout=300)
    elapsed = time.monotonic() - t0
    variant, _n = json.loads(out)
    assert variant == "cpu"
    records = kernel.data(cid, "records")
    print(f"{CALLS} calls in {elapsed:.2f} s -> {len(records)} records messages")
    assert records, "no run records arrived over the comm"
    # one flush per interval while calls happen (the first call flushes at once), plus the flush at the cell's end
    bound = math.floor(elapsed / interval) + 2
    assert len(records) <= bound, (len(records), bound, elapsed)
    assert len(records) < CALLS / 50
    entries = _scale_entries(records)
    assert len(entries) == len(records), "every records message carries only what changed: the one function"
    assert {e["variant"] for e in entries} == {"cpu"}
    calls = [e["calls"] for e in entries]
    assert calls == sorted(calls)
    assert calls[-1] == 1 + CALLS, "the last message counts every call"
    assert entries[-1]["variants"]["cpu"]["calls"] == 1 + CALLS
    assert entries[-1]["compiled_by"] in ("compile-service", "cache")


def test_close_and_reopen(kernel: Kernel) -> None:
    first = kernel.open_comm()
    kernel.sync()
    assert kernel.data(first, "hello")
    kernel.close_comm(first)
    kernel.sync()
    kernel.comm_msgs.clear()
    kernel.execute("scale(4, 3.0, np.ones(4))")
    assert kernel.data(first) == [], "a closed comm gets nothing"

    again = kernel.open_comm()
    kernel.sync()
    hello = kernel.data(again, "hello")
    assert len(hello) == 1
    before = _scale_entries(hello)[0]["calls"]
    kernel.execute("for _ in range(5):\n    scale(4, 3.0, np.ones(4))")
    entries = _scale_entries(kernel.data(again, "records"))
    assert entries, "the reopened comm gets records of later calls"
    assert entries[-1]["calls"] == before + 5
    assert entries[-1]["variant"] == "cpu"
    assert kernel.data(first) == []
    # a snapshot request is answered on the reopened comm with every function
    kernel.comm_send(again, {"type": "snapshot"})
    kernel.sync()
    snap = kernel.data(again, "records")[-1]
    assert [f["name"] for f in snap["functions"]] == ["scale"]
    kernel.close_comm(again)
    kernel.sync()


def test_hello_says_whether_the_kernel_waits_for_the_jit(kernel: Kernel) -> None:
    """The extension waits for its Worker past the compile budget when the kernel waits for the JIT
    (src/extension/executor.ts), so the kernel never compiles a cell the browser compiles (issue 19)."""
    def hello_jit_wait() -> Any:
        cid = kernel.open_comm()
        kernel.sync()
        hello = kernel.data(cid, "hello")
        kernel.close_comm(cid)
        kernel.sync()
        assert len(hello) == 1, kernel.comm_msgs
        return hello[0]["jit_wait"]

    assert hello_jit_wait() is False, "POLYRAY_JIT_WAIT unset"
    try:
        for value, expected in (("1", True), ("yes", True), ("0", False), ("off", False), ("", False)):
            kernel.execute(f"import os\nos.environ['POLYRAY_JIT_WAIT'] = {value!r}")
            assert hello_jit_wait() is expected, value
        # the extension's setting is the page's own: hello reports the environment only
        kernel.execute("import os\nos.environ.pop('POLYRAY_JIT_WAIT', None)\n"
                       "from polyray.runtime import background\nbackground.set_jit_wait(True)")
        assert hello_jit_wait() is False
    finally:
        kernel.execute("import os\nos.environ.pop('POLYRAY_JIT_WAIT', None)\n"
                       "from polyray.runtime import background\nbackground.set_jit_wait(False)")


@pytest.mark.parametrize("bad", [
    "not a dict", ["a", "list"], 42, None, {"type": None}, {"type": ["snapshot"]}, {"type": "no-such-type"},
    {"type": "module", "sha256": 7, "module": None}, {"type": "module"},
])
def test_malformed_messages_do_not_break_the_kernel(kernel: Kernel, bad: Any) -> None:
    cid = kernel.open_comm()
    kernel.sync()
    sent = kernel.comm_send(cid, bad)
    kernel.sync()
    answers = [(m["header"]["msg_type"], m["content"]) for m in kernel.others if m["parent_header"].get("msg_id") == sent]
    assert answers, "the kernel handled the message (busy/idle)"
    # ignored quietly: no traceback on the kernel's stderr, no error, no answer on the comm
    assert [a for a in answers if a[0] != "status"] == [], answers
    # the kernel still runs code, the function still dispatches, and the same comm still answers
    assert kernel.execute("scale(2, 2.0, np.ones(2)); print(history()[-1]['variant'])").strip() == "cpu"
    kernel.comm_msgs.clear()
    kernel.comm_send(cid, {"type": "snapshot"})
    kernel.sync()
    snap = kernel.data(cid, "records")
    assert len(snap) == 1 and _scale_entries(snap), kernel.comm_msgs
    kernel.close_comm(cid)
    kernel.sync()
