"""Benchmark (not a test): compile latency of the service after warm-up, and the
per-call overhead of dispatch + run record + report aggregation.

    .venv/bin/python test/notebooks/bench_compile_service.py
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
KERNELS = ROOT / "test/kernels/polybench"


def cell_with_kernels(names: list[str]) -> str:
    parts = ["import numpy as np", "import numpy.typing as npt", ""]
    for n in names:
        body = (KERNELS / f"{n}.py").read_text().replace("import numpy as np\n", "").replace("import numpy.typing as npt\n", "")
        parts.append(body)
    return "\n".join(parts)


def compile_latency() -> None:
    from polyray.compile_service import CompileService

    svc = CompileService()
    t0 = time.perf_counter()
    svc.ping()
    print(f"service start + first ping: {(time.perf_counter() - t0) * 1e3:.0f} ms")
    source = cell_with_kernels(["gemm", "atax", "jacobi_2d", "mvt"])
    svc.compile(source)  # warm-up
    rounds, inner = [], []
    for _ in range(20):
        t = time.perf_counter()
        res = svc.compile(source)
        rounds.append((time.perf_counter() - t) * 1e3)
        inner.append(res.ms)
    assert res.ok
    print(f"compile a cell with 4 PolyBench kernels after warm-up: median {statistics.median(rounds):.1f} ms "
          f"round trip (max {max(rounds):.1f}), {statistics.median(inner):.1f} ms inside the service")
    svc.close()


def call_overhead(n: int = 1_000_000) -> None:
    import polyray.runtime as rt
    from polyray.report_display import Aggregator
    import importlib

    history = importlib.import_module("polyray.runtime.history")
    src = "def tiny(x: float) -> float:\n    return x + 1.0\n"
    from polyray.compile_service import CompileService

    svc = CompileService()
    res = svc.compile(src)
    svc.close()
    ns: dict = {}
    exec(compile(res.module, "<bench>", "exec"), ns)
    tiny, orig = ns["tiny"], ns["_polyray_original_tiny"]
    tiny(1.0)  # jit

    def loop(f):
        t = time.perf_counter()
        for _ in range(n):
            f(1.0)
        return (time.perf_counter() - t) / n * 1e6

    base = loop(orig)
    rt.clear_history()
    without = loop(tiny)
    agg = Aggregator()
    agg.show = lambda *_: None
    history.add_listener(agg.on_record)
    rt.clear_history()
    with_agg = loop(tiny)
    history.remove_listener(agg.on_record)
    print(f"{n} calls of a trivial function: plain Python {base:.2f} us/call; dispatcher (guard + cpu variant + record) "
          f"{without:.2f} us/call; + report aggregation {with_agg:.2f} us/call; {agg.flushes} report flushes "
          f"for {agg.stats['tiny'].calls} calls")


if __name__ == "__main__":
    compile_latency()
    call_overhead()
