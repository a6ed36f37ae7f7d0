"""auto's timed runs of the original copy only the arrays it may write (issue 18; runtime/speedup.py).

The arrays the variant does not write (Param.written False) go to the original's timed runs as read-only
views of the caller's arrays: no copy, no refill. A run on such views that raises (a write the analysis
missed) makes the timing again on copies of every array, and every later one. Counts of runs and copied
bytes, not times (the clock is speedup.py's, set by the test).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from polyray.runtime import speedup
from polyray.runtime.speedup import MIN_ORIGINAL_RUNS, SpeedupMeter

SIZES = (24, 1 << 24)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """speedup.py's clock (each original run adds its seconds); no compile beside anything; every original timed."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    monkeypatch.setattr(speedup, "compiling_now", lambda: False)
    monkeypatch.setattr(speedup, "compiled_since", lambda mark: False)
    now = [0.0]
    monkeypatch.setattr(speedup, "perf_counter", lambda: now[0])
    return now


def test_only_the_written_array_is_copied_the_read_one_is_a_read_only_view(clock: list[float]) -> None:
    seen: list[tuple[Any, Any]] = []

    def original(A: np.ndarray, out: np.ndarray, s: float) -> None:
        seen.append((A, out))
        out[:] = A * s
        clock[0] += 0.02

    A, out = np.arange(1000.0), np.zeros(1000)
    meter = SpeedupMeter()
    first = meter.variant_ran("cpu", SIZES, 0.01, original, (A, out, 2.0), written=(False, True, False))
    second = meter.variant_ran("cpu", SIZES, 0.01, original, (A, out, 2.0), written=(False, True, False))
    assert "original_runs" not in first  # (call 1: nothing timed)
    assert second["original_runs"] == len(seen) >= MIN_ORIGINAL_RUNS
    assert second["original_copied_bytes"] == out.nbytes  # out alone, not A
    for a, o in seen:
        assert a is not A and np.shares_memory(a, A) and not a.flags.writeable  # A itself, read-only
        assert not np.shares_memory(o, out)  # a copy
    assert np.all(out == 0.0)  # the caller's written array untouched by the timed runs


def test_unknown_writes_copy_every_array(clock: list[float]) -> None:
    """Without ``written`` (a caller that does not say), every array is copied, as before."""
    def original(A: np.ndarray, out: np.ndarray) -> None:
        out[:] = A
        clock[0] += 0.02

    A, out = np.arange(100.0), np.zeros(100)
    meter = SpeedupMeter()
    meter.variant_ran("cpu", SIZES, 0.01, original, (A, out))
    second = meter.variant_ran("cpu", SIZES, 0.01, original, (A, out))
    assert second["original_copied_bytes"] == A.nbytes + out.nbytes
    assert np.all(out == 0.0)


def test_a_write_the_flags_missed_is_refused_and_the_timing_made_again_on_copies(clock: list[float]) -> None:
    """Flags that say A is not written while the original writes it: the caller's A is never written, the
    timing is made on copies of both arrays, and the meter copies every array from then on."""
    seen: list[bool] = []

    def original(A: np.ndarray, out: np.ndarray) -> None:
        seen.append(A.flags.writeable)
        A[0] += 1.0  # a write the flags below do not know of
        out[:] = A
        clock[0] += 0.02

    A, out = np.arange(100.0), np.zeros(100)
    meter = SpeedupMeter()
    meter.variant_ran("cpu", SIZES, 0.01, original, (A, out), written=(False, True))
    second = meter.variant_ran("cpu", SIZES, 0.01, original, (A, out), written=(False, True))
    assert seen[0] is False and all(seen[1:])  # one refused run on the view, then copies
    assert second["original_runs"] == len(seen) - 1 >= MIN_ORIGINAL_RUNS  # the refused run does not count
    assert second["original_copied_bytes"] == A.nbytes + out.nbytes
    assert "original_timed_seconds" in second and "speedup" in second
    assert A[0] == 0.0 and np.all(out == 0.0)
    # a later timing (another size class) copies every array without trying views again
    seen.clear()
    other = (20, 1 << 20)
    meter.variant_ran("cpu", other, 0.01, original, (A, out), written=(False, True))
    third = meter.variant_ran("cpu", other, 0.01, original, (A, out), written=(False, True))
    assert all(seen) and third["original_copied_bytes"] == A.nbytes + out.nbytes
    assert A[0] == 0.0


class _Doubling:
    """A stand-in for a compiled variant that writes ``out = 2 A`` (the dispatcher's cpu slot; no Numba)."""

    def unavailable_reason(self) -> str | None:
        return None

    def run(self, args: tuple[Any, ...]) -> Any:
        A, out = args
        np.multiply(A, 2.0, out=out)


def test_the_dispatcher_passes_its_params_written_flags(clock: list[float]) -> None:
    from polyray import runtime as rt

    def original(A: np.ndarray, out: np.ndarray) -> None:
        np.multiply(A, 2.0, out=out)
        clock[0] += 0.02

    d = rt.Dispatcher(name="f_trial_copies", original=original,
                      params=[rt.Param("A", "array", dtype="float64", ndim=1),
                              rt.Param("out", "array", dtype="float64", ndim=1, written=True)],
                      variants={"cpu": _Doubling()}, returns="none")
    A, out = np.arange(500.0), np.zeros(500)
    for _ in range(3):
        d(A, out)
    records = [r for r in rt.history() if r.get("function") == "f_trial_copies"]
    timed = [r for r in records if "original_runs" in r]
    assert len(timed) == 1, records
    assert timed[0]["original_copied_bytes"] == out.nbytes
    assert np.array_equal(out, 2.0 * A)
