"""POLYRAY_TARGET=auto: the cost model (polyray.runtime.cost) through the real Dispatcher.

The variants here are small classes that implement the Variant protocol and
take a known time (sleep) that depends on the input size, so that the model's
decisions are deterministic; the Dispatcher, guards, records and CostModel are
the real ones. Real Numba/Ray variants under auto: test_ray_variant.py
(test_auto_keeps_tiny_inputs_local_and_sends_heavy_ones_to_ray).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime.cost import CostModel, size_class


class Timed:
    """A variant that fills X with its name's length and takes ``seconds(X)``."""

    def __init__(self, seconds: Callable[[np.ndarray], float], unavailable: str | None = None,
                 exclusion: str | None = None, parallelism: int | None = None) -> None:
        self.seconds = seconds
        self.unavailable = unavailable
        self.exclusion = exclusion
        self.calls: list[int] = []  # id of the array each run wrote
        self._parallelism = parallelism

    def unavailable_reason(self) -> str | None:
        return self.unavailable

    def auto_exclusion(self) -> str | None:
        return self.exclusion

    def parallelism(self) -> int:
        return self._parallelism or 1

    def started(self) -> bool:
        return True

    def run(self, args: tuple[Any, ...]) -> Any:
        (X,) = args
        self.calls.append(id(X))
        X += 1.0
        time.sleep(self.seconds(X))
        return None


def original(X: np.ndarray) -> None:
    X += 1.0


def make(**variants: Timed) -> rt.Dispatcher:
    return rt.Dispatcher(
        name="f", original=original,
        params=[rt.Param("X", "array", dtype="float64", ndim=1, written=True)],
        variants=variants, returns="none",
    )


def run(d: rt.Dispatcher, n: int, times: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(times):
        X = np.zeros(n)
        d(X)
        np.testing.assert_array_equal(X, 1.0)  # exactly one variant ran, once
        out.append(rt.history()[-1])
    return out


def test_size_class() -> None:
    assert size_class((np.zeros(0),)) == (0, 0)
    assert size_class((np.zeros(128), 3, 2.0, np.zeros(128, dtype=np.float32))) == (11, 1536)


def test_different_sizes_pick_different_variants_with_timings() -> None:
    # cpu: 0.5 ms + 2 us per element; gpu: 15 ms latency + 0.02 us per element
    cpu = Timed(lambda X: 0.0005 + 2e-6 * X.size)
    gpu = Timed(lambda X: 0.015 + 2e-8 * X.size)
    d = make(cpu=cpu, gpu=gpu)
    small = run(d, 10, 6)
    large = run(d, 50_000, 6)
    # small: cpu first run (compile) not a measurement, cpu measured, gpu measured twice
    assert [r["variant"] for r in small[:4]] == ["cpu", "cpu", "gpu", "gpu"], [r["reason"] for r in small]
    assert small[0]["measuring"] and "first run" in small[0]["reason"]
    assert all(r["variant"] == "cpu" and not r["measuring"] for r in small[4:]), small[4:]
    t = small[-1]["timings"]
    assert set(t) == {"cpu", "gpu"} and t["cpu"] < t["gpu"]
    assert small[-1]["reason"].startswith("auto: cpu measured fastest for size class 2^")
    # large: both measured in the new size class (already compiled), then gpu
    assert [r["variant"] for r in large[:2]] == ["cpu", "gpu"], [r["reason"] for r in large]
    assert all(r["variant"] == "gpu" for r in large[2:])
    t = large[-1]["timings"]
    assert t["gpu"] < t["cpu"]
    assert large[-1]["size_class"] != small[-1]["size_class"]
    assert "gpu" in large[-1]["reason"] and "cpu" in large[-1]["reason"]
    # one variant per call, never twice on the same arrays
    assert len(cpu.calls) + len(gpu.calls) == 12


def test_never_picks_a_variant_measured_slower() -> None:
    cpu = Timed(lambda X: 0.002)
    ray = Timed(lambda X: 0.030, parallelism=1000)
    d = make(cpu=cpu, ray=ray)
    # ray predicted: fixed costs + cpu/1000 is > 2 ms -> never measured for this size
    recs = run(d, 100, 5)
    assert all(r["variant"] == "cpu" for r in recs)
    assert "not measured, predicted slower: ray" in recs[-1]["reason"]
    assert ray.calls == []


def test_ray_only_when_predicted_to_beat_cpu_and_then_only_if_measured_faster() -> None:
    cpu = Timed(lambda X: 0.25)
    ray = Timed(lambda X: 0.35, parallelism=8)  # predicted ~0.08 s, measured slower
    d = make(cpu=cpu, ray=ray)
    recs = run(d, 100, 6)
    assert [r["variant"] for r in recs[:4]] == ["cpu", "cpu", "ray", "ray"], [r["reason"] for r in recs]
    assert "predicted" in recs[3]["reason"] and recs[3]["predicted"]["ray"] < recs[3]["timings"]["cpu"]
    assert [r["variant"] for r in recs[4:]] == ["cpu", "cpu"]
    assert recs[-1]["timings"]["ray"] > recs[-1]["timings"]["cpu"]


def test_never_picks_unavailable_or_excluded_variants() -> None:
    cpu = Timed(lambda X: 0.001)
    gpu = Timed(lambda X: 0.0, unavailable="no CUDA device")
    ray = Timed(lambda X: 0.0, unavailable="ray is not installed")
    d = make(cpu=cpu, gpu=gpu, ray=ray)
    recs = run(d, 10, 4)
    assert all(r["variant"] == "cpu" for r in recs)
    assert "gpu: no CUDA device" in recs[-1]["reason"] and "ray: ray is not installed" in recs[-1]["reason"]
    assert gpu.calls == [] and ray.calls == []
    sim = Timed(lambda X: 0.0, exclusion="gpu runs on Numba's CUDA simulator")
    d = make(cpu=Timed(lambda X: 0.01), gpu=sim)
    recs = run(d, 10, 4)
    assert all(r["variant"] == "cpu" for r in recs) and sim.calls == []
    assert "simulator" in recs[-1]["reason"]
    # nothing usable: the original runs, with the reasons
    d = make(gpu=Timed(lambda X: 0.0, unavailable="no CUDA device"))
    recs = run(d, 10, 1)
    assert recs[0]["variant"] == "original" and "no CUDA device" in recs[0]["reason"]


def test_forced_target_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu = Timed(lambda X: 0.0)
    gpu = Timed(lambda X: 0.0)
    d = make(cpu=cpu, gpu=gpu)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    recs = run(d, 10, 2)
    assert all(r["variant"] == "gpu" and r["reason"] == "POLYRAY_TARGET=gpu" for r in recs)
    assert "timings" not in recs[-1]


def test_measurements_are_per_dispatcher_and_size_class() -> None:
    m = CostModel("g")
    assert m.measurements() == {}
    cpu = Timed(lambda X: 0.0)
    d = make(cpu=cpu, gpu=Timed(lambda X: 0.0))
    run(d, 10, 3)
    run(d, 1000, 2)
    classes = {r["size_class"] for r in rt.history()}
    assert len(classes) == 2


class Failing(Timed):
    def run(self, args: tuple[Any, ...]) -> Any:
        self.calls.append(id(args[0]))
        raise rt.VariantFailed("numba could not compile this")


def test_a_variant_that_failed_in_a_size_class_is_not_tried_there_again() -> None:
    cpu = Timed(lambda X: 0.0)
    gpu = Failing(lambda X: 0.0)
    d = make(cpu=cpu, gpu=gpu)
    recs = run(d, 10, 5)  # the original ran the failed call: X is still filled exactly once
    assert len(gpu.calls) == 1
    failed = [r for r in recs if "numba could not compile this" in r["reason"]]
    assert len(failed) == 1 and failed[0]["variant"] == "original"
    assert recs[-1]["variant"] == "cpu" and "failed here before: gpu" in recs[-1]["reason"]


def test_auto_timing_can_be_turned_off(monkeypatch):
    """POLYRAY_AUTO_TIMING=0 (or the extension's autoMayTime setting): auto takes the
    first candidate in order and never times the others on real calls."""
    from polyray.runtime import cost

    monkeypatch.setenv("POLYRAY_AUTO_TIMING", "0")
    assert cost.timing_allowed() is False
    monkeypatch.delenv("POLYRAY_AUTO_TIMING")
    cost.set_timing_allowed(False)
    try:
        assert cost.timing_allowed() is False
    finally:
        cost.set_timing_allowed(True)
    assert cost.timing_allowed() is True
    monkeypatch.setenv("POLYRAY_AUTO_TIMING", "0")
    cpu = Timed(lambda X: 0.002)
    gpu = Timed(lambda X: 0.0001)
    records = run(make(cpu=cpu, gpu=gpu), 50_000, 4)
    assert all(r["variant"] == "cpu" and "timing candidates is off" in r["reason"] for r in records), records
    assert gpu.calls == []
