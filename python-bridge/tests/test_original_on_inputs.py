"""Auto times the original on copies of the caller's inputs, not of what the variant wrote (issue 18).

NPBench M's cholesky2 (``A[:] = np.linalg.cholesky(A) + np.triu(A, k=1)``) writes its argument. The copies
the original was timed on were made after the variant ran, from its output, which is not positive definite: the
original raised on them, had no time, and auto kept compiled code at 0.70x NumPy ("auto: cpu variant"). A
function that writes its arrays now has them copied before the variant runs, on the calls after which the
original is timed (SpeedupMeter.copies_due), and on no other call.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from polyray import runtime as rt
from polyray.runtime import speedup
from polyray.runtime.speedup import MIN_ORIGINAL_RUNS, SpeedupMeter

SIZES = (24, 1 << 24)


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No compile runs beside anything (the real worker may be busy with another test's job)."""
    monkeypatch.setattr(speedup, "compiling_now", lambda: False)
    monkeypatch.setattr(speedup, "compiled_since", lambda mark: False)


def test_copies_are_due_only_on_the_calls_after_which_the_original_is_timed(
        monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    """The second call at a size class times the original: its inputs are wanted (copies_due), and a call that
    has none (None: written, not copied) leaves the timing to the next call instead of timing the outputs."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    runs: list[float] = []

    def original(a: np.ndarray) -> None:
        runs.append(float(a[0]))

    meter = SpeedupMeter()
    assert not meter.copies_due("cpu", SIZES)  # the first call: nothing is timed after it
    meter.variant_ran("cpu", SIZES, 0.1, original, None)
    assert meter.copies_due("cpu", SIZES)
    extra = meter.variant_ran("cpu", SIZES, 0.1, original, None)  # due, but no inputs: not timed, not given up
    assert not runs and meter.original_seconds(SIZES[0]) is None and not meter.settled(SIZES[0])
    assert extra["speedup_note"] == "original not timed yet at this size (on the next call)"
    assert meter.copies_due("cpu", SIZES)
    meter.variant_ran("cpu", SIZES, 0.1, original, (np.full(4, 7.0),))
    assert runs == [7.0] * len(runs) and len(runs) >= MIN_ORIGINAL_RUNS and meter.settled(SIZES[0])
    assert not meter.copies_due("cpu", SIZES)  # timed: no more copies (a tie would want some: TIE_SAMPLES)
    # too big to copy, or nothing compared (bound 0): no copies wanted, and the timing is given up as before
    assert not meter.copies_due("cpu", (31, speedup.MAX_COPY_BYTES + 1))
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0")
    off = SpeedupMeter()
    off.variant_ran("cpu", SIZES, 0.1, original, None)
    assert not off.copies_due("cpu", SIZES)
    off.variant_ran("cpu", SIZES, 0.1, original, None)
    assert off.settled(SIZES[0])


def test_a_dispatcher_times_the_original_on_the_inputs_of_a_function_that_writes_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real Dispatcher and CpuVariant: every run of the original on copies sees the values the
    caller passed to that call, never the variant's output; the caller's array gets the variant's result."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    seen: list[np.ndarray] = []

    def original(X: np.ndarray) -> None:
        seen.append(X.copy())
        X += 1.0

    def body(X):  # the compiled variant's code: the same function
        X += 1.0

    name = f"adds_one_{uuid.uuid4().hex[:8]}"
    d = rt.Dispatcher(name=name, original=original, variants={"cpu": rt.CpuVariant(body)}, returns="none",
                      params=[rt.Param("X", "array", dtype="float64", ndim=1, written=True)])
    X = np.zeros(1000)
    for call in range(4):
        before = len(seen)
        d(X)
        assert all(np.all(s == float(call)) for s in seen[before:]), (call, [s[0] for s in seen[before:]])
    records = [r for r in rt.history() if r.get("function") == name]
    assert any("original_timed_seconds" in r for r in records), [r.get("speedup_note") for r in records]
    assert seen and np.all(X == 4.0)
