"""Ray variant benchmark (not a test): per-task overhead and weak scaling on a local multi-node cluster.

    .venv/bin/python bench/ray_overhead.py [--nodes 3] [--seconds-per-block 1.0] [--repeat 3]

Starts a Ray cluster on 127.0.0.1 with ``ray.cluster_utils.Cluster`` (a head and
NODES-1 workers, one CPU each), connects polyray to it and runs a module in the
generated-code shape with POLYRAY_TARGET=ray:

* overhead: a block that does nothing, on tiny arrays, 1..NODES tasks per call:
  (time per call - time of the CPU variant) / tasks; and a bare Ray no-op task
  round trip for reference;
* weak scaling: k = 1..NODES nodes alive, k blocks of the same work each
  (~SECONDS_PER_BLOCK of serial work per block); efficiency = T(1) / T(k).

All nodes share this machine's cores: with fewer cores than nodes, the
efficiency measures the machine, not Ray. The core count is printed.
"""

from __future__ import annotations

import shutil
import atexit
import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python-bridge"))

MODULE = '''
import numpy as np
import polyray.runtime as _polyray


def _polyray_original_spin(reps: int, X: np.ndarray, Y: np.ndarray) -> None:
    for i in range(X.shape[0]):
        acc = X[i]
        for r in range(reps):
            acc = acc * 0.9999999 + 1e-7
        Y[i] = acc


def _polyray_cpu_spin(reps, X, Y):
    for i in range(X.shape[0]):
        acc = X[i]
        for r in range(reps):
            acc = acc * 0.9999999 + 1e-7
        Y[i] = acc


def _polyray_block_spin(_polyray_k0, _polyray_k1, reps, X, Y):
    for i in range(_polyray_k0, _polyray_k1):
        acc = X[i]
        for r in range(reps):
            acc = acc * 0.9999999 + 1e-7
        Y[i] = acc


def _polyray_count_spin(reps, X, Y):
    return max(0, X.shape[0])


def _polyray_box_spin_Y(_polyray_k0, _polyray_k1, reps, X, Y):
    return (slice(_polyray_k0, _polyray_k1),)


_polyray_dispatch_spin = _polyray.Dispatcher(
    name="spin",
    original=_polyray_original_spin,
    params=[
        _polyray.Param("reps", "int"),
        _polyray.Param("X", "array", dtype="float64", ndim=1),
        _polyray.Param("Y", "array", dtype="float64", ndim=1, written=True),
    ],
    variants={
        "cpu": _polyray.CpuVariant(_polyray_cpu_spin),
        "ray": _polyray.RayVariant(_polyray_block_spin, count=_polyray_count_spin,
                                   boxes={"Y": _polyray_box_spin_Y}, arrays=("X", "Y")),
    },
    returns="none",
)


def spin(reps: int, X: np.ndarray, Y: np.ndarray) -> None:
    return _polyray_dispatch_spin(reps, X, Y)
'''


def load(directory: Path):
    name = f"polyray_bench_{uuid.uuid4().hex[:8]}"
    path = directory / f"{name}.py"
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--seconds-per-block", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()

    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # keep every node on 127.0.0.1
    import ray
    import ray._private.ray_constants as ray_constants
    from ray.cluster_utils import Cluster

    import polyray.runtime as rt
    from polyray import cluster as pc

    ray_constants.ENABLE_RAY_CLUSTER = False
    node_args = dict(num_cpus=1, object_store_memory=100 * 1024 * 1024, node_ip_address="127.0.0.1")
    t = time.perf_counter()
    c = Cluster(initialize_head=True, connect=False, head_node_args=dict(node_args, include_dashboard=False))
    workers = [c.add_node(**node_args) for _ in range(ns.nodes - 1)]
    c.wait_for_nodes()
    pc.connect(c.address)
    print(f"cluster: {ns.nodes} nodes x 1 CPU on 127.0.0.1, up in {time.perf_counter() - t:.1f} s; "
          f"machine cores: {os.cpu_count()}")
    tmp = Path(tempfile.mkdtemp(prefix="polyray-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # removed when the run ends
    mod = load(tmp)
    try:
        # ---------------------------------------------------------------- overhead
        @ray.remote(num_cpus=1)
        def noop() -> None:
            return None

        ray.get([noop.remote() for _ in range(ns.nodes * 4)])
        bare = timed(lambda: ray.get(noop.remote()), 20)
        print(f"bare Ray no-op task round trip: {bare * 1e3:.2f} ms")
        X = np.linspace(0.0, 1.0, ns.nodes)
        for tasks in range(1, ns.nodes + 1):
            Xk, Yk = X[:tasks].copy(), np.zeros(tasks)
            os.environ["POLYRAY_TARGET"] = "cpu"
            mod.spin(0, Xk, Yk)
            cpu = timed(lambda: mod.spin(0, Xk, Yk), 20)
            os.environ["POLYRAY_TARGET"] = "ray"
            mod.spin(0, Xk, Yk)  # workers import and compile
            mod.spin(0, Xk, Yk)
            per_call = timed(lambda: mod.spin(0, Xk, Yk), 20)
            rec = rt.history()[-1]
            print(f"overhead: {rec['tasks']} task(s) per call: {per_call * 1e3:.2f} ms per call, "
                  f"{(per_call - cpu) / max(1, rec['tasks']) * 1e3:.2f} ms per task (cpu variant {cpu * 1e6:.1f} us)")

        # ---------------------------------------------------------------- weak scaling
        os.environ["POLYRAY_TARGET"] = "cpu"
        probe = 2_000_000
        mod.spin(probe, X[:1].copy(), np.zeros(1))
        per_rep = timed(lambda: mod.spin(probe, X[:1].copy(), np.zeros(1)), 3) / probe
        reps = max(1, int(ns.seconds_per_block / per_rep))
        print(f"weak scaling: one block = 1 element x {reps} steps (~{reps * per_rep:.2f} s serial)")
        os.environ["POLYRAY_TARGET"] = "ray"
        alive = list(workers)
        results = {}
        # remove workers so that k nodes are alive, from NODES down to 1
        for k in range(ns.nodes, 0, -1):
            Xk = np.linspace(0.0, 1.0, k)
            Yk = np.zeros(k)
            mod.spin(reps, Xk, Yk)  # warm (new workers compile)
            results[k] = timed(lambda: mod.spin(reps, Xk, Yk), ns.repeat)
            rec = rt.history()[-1]
            print(f"  {k} node(s), {rec['tasks']} task(s) on {len(set(rec['nodes']))} node(s): {results[k]:.3f} s")
            if alive:
                c.remove_node(alive.pop())
                deadline = time.time() + 30
                while time.time() < deadline and len([n for n in ray.nodes() if n["Alive"]]) > k - 1:
                    time.sleep(0.2)
        base = results[1]
        for k in sorted(results):
            print(f"  efficiency with {k} node(s): {base / results[k]:.2f}  (T1 {base:.3f} s / T{k} {results[k]:.3f} s)")
    finally:
        os.environ.pop("POLYRAY_TARGET", None)
        pc.disconnect()
        c.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
