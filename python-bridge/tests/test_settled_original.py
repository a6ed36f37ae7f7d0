"""Issue 18's "never slower", decided on settled figures (runtime/speedup.py, cost.py, background.py).

NPBench M showed auto keeping compiled loops at 1.5-2.0 s against NumPy's 0.67 s (gesummv) because the
original's one timed run on copies was cold. The original is now timed at least twice, runs beside a
background compile are set aside (the variant's and the original's), and where a decision rests on fewer
figures the record says so. Fake clocks and a controlled worker: no timing asserts.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import numpy as np
import pytest

from polyray.runtime import background, cost, speedup
from polyray.runtime.cpu import CpuVariant
from polyray.runtime.speedup import DECISIVE_FACTOR, MAX_DEFERRED, MIN_ORIGINAL_RUNS, SpeedupMeter

SIZES = (24, 1 << 24)


def fake_original(monkeypatch: pytest.MonkeyPatch, seconds: list[float]) -> tuple[Any, list[tuple[Any, ...]]]:
    """An original whose runs "take" ``seconds`` in turn on speedup.py's clock; the arguments of each run."""
    now = [100.0]
    monkeypatch.setattr(speedup, "perf_counter", lambda: now[0])
    times = iter(seconds)
    runs: list[tuple[Any, ...]] = []

    def original(*args: Any) -> None:
        runs.append(args)
        now[0] += next(times)

    return original, runs


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No compile runs beside anything (the real worker may be busy with another test's job)."""
    monkeypatch.setattr(speedup, "compiling_now", lambda: False)
    monkeypatch.setattr(speedup, "compiled_since", lambda mark: False)


def run_auto(meter: SpeedupMeter, model: cost.CostModel, original: Any, args: tuple[Any, ...],
             variant_times: list[float]) -> tuple[list[dict[str, Any]], cost.Decision]:
    """Calls of a cpu variant as the dispatcher makes them (decide, observe, variant_ran); auto's next decision."""
    variants = {"cpu": CpuVariant(lambda x: x)}
    extras = []
    for seconds in variant_times:
        decision = model.decide((), variants, "auto", SIZES)
        assert decision.variant == "cpu", decision.reason
        model.observe(decision, "cpu", seconds, sizes=SIZES)
        extras.append(meter.variant_ran("cpu", SIZES, seconds, original, args))
    return extras, model.decide((), variants, "auto", SIZES)


def test_a_cold_first_run_of_the_original_does_not_keep_slower_compiled_code(
        monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    """gesummv at NPBench M: compiled 1.5 s; the original's first run on copies 2.4 s (cold), its second 0.67 s:
    auto keeps the original, and says on what figures."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")  # (the NPBench harness's setting)
    original, runs = fake_original(monkeypatch, [2.4, 0.67])
    A = np.ones(8)
    meter = SpeedupMeter()
    model = cost.CostModel("gesummv", meter.original_seconds, meter.original_basis)
    extras, decision = run_auto(meter, model, original, (A,), [1.6, 1.5])
    assert len(runs) == MIN_ORIGINAL_RUNS and all(r[0] is not A for r in runs)  # on copies, twice, at call 2
    assert "speedup_note" in extras[0] and extras[1]["original_runs"] == 2
    assert extras[1]["original_timed_seconds"] == pytest.approx(0.67)
    assert extras[1]["original_basis"] == "fastest of 2 runs on copies"
    assert decision.variant == "original", decision.reason
    assert "original 670 ms; cpu 1.5 s" in decision.reason
    # (a clear loss, cost.CLEAR_LOSS: the third call runs the original already)
    assert "the original's time: fastest of 2 runs on copies, cpu's: fastest of 2 runs; a clear loss" in decision.reason
    # one run alone (the rule before) would have kept the compiled code: 2.4 s > 1.5 s
    assert meter.original_seconds(SIZES[0]) == pytest.approx(0.67)


def test_a_first_run_over_the_bound_is_not_repeated_and_the_record_says_the_figure_is_one_run(
        monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    """The bound holds: predicted 0.8 s (0.2 s x 2 per core x 2 cores), the first run took 1.3 s, over the 1 s
    bound: no second run; the speedup and auto's reason say the figure rests on one run."""
    monkeypatch.delenv("POLYRAY_TIME_ORIGINAL_BELOW", raising=False)  # the default bound, 1 s
    monkeypatch.setattr(speedup, "cpu_count", lambda: 2)
    original, runs = fake_original(monkeypatch, [1.3])  # (a second run would raise StopIteration)
    meter = SpeedupMeter()
    meter._loops = False  # a whole-array original (interpreted_loops reads the lambda's bytecode otherwise)
    model = cost.CostModel("f", meter.original_seconds, meter.original_basis)
    extras, decision = run_auto(meter, model, original, (np.ones(4),), [0.2, 0.2, 1.5, 1.4])
    assert len(runs) == 1 and extras[1]["original_runs"] == 1
    assert extras[1]["original_basis"].startswith("few figures: one run on copies (a second run is over the bound")
    assert decision.variant == "cpu"  # 0.2 s beats 1.3 s either way
    slow = SpeedupMeter()
    slow._loops = False
    slow_model = cost.CostModel("f", slow.original_seconds, slow.original_basis)
    original, runs = fake_original(monkeypatch, [1.3])
    slow.original_ran((SIZES[0] - 1, SIZES[1] // 2), 0.3)  # predicted 0.3 s x 2^1.5 = 0.85 s from half the bytes
    _, decision = run_auto(slow, slow_model, original, (np.ones(4),), [1.5, 1.5, 1.4])
    assert len(runs) == 1 and decision.variant == "original"
    assert "few figures: one run on copies" in decision.reason, decision.reason


def test_a_first_run_far_slower_than_the_variant_is_not_repeated(monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    original, runs = fake_original(monkeypatch, [DECISIVE_FACTOR * 0.01 + 0.001])
    meter = SpeedupMeter()
    extras, _ = run_auto(meter, cost.CostModel("f", meter.original_seconds), original, (np.ones(4),), [0.01, 0.01])
    assert len(runs) == 1 and extras[1]["original_basis"] == (
        "one run on copies (101 ms, over 10x the variant's: a warm run would not change auto's choice)")
    # a short original still runs up to SHORT_RUNS times within the budget (at least twice)
    original, runs = fake_original(monkeypatch, [1e-4] * speedup.SHORT_RUNS)
    meter = SpeedupMeter()
    run_auto(meter, cost.CostModel("f", meter.original_seconds), original, (np.ones(4),), [1e-3, 1e-3])
    assert len(runs) == speedup.SHORT_RUNS


def test_copies_timed_beside_a_compile_are_timed_again_once_none_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """On two cores a background compile takes one: the copies timed beside it give the speedup (the record
    says "few figures ... a compile running beside") and are timed again on the first later call with no
    compile running; auto's choice does not settle before (no hot path skips that call). A compile that never
    ends leaves the first figure after MAX_DEFERRED calls, and the record says so."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    busy = [True]
    monkeypatch.setattr(speedup, "compiling_now", lambda: busy[0])
    monkeypatch.setattr(speedup, "compiled_since", lambda mark: busy[0])
    original, runs = fake_original(monkeypatch, [0.09, 0.08, 0.05, 0.04])
    meter = SpeedupMeter()
    extras, _ = run_auto(meter, cost.CostModel("f", meter.original_seconds), original, (np.ones(4),), [0.01] * 4)
    assert len(runs) == 2 and extras[1]["original_timed_seconds"] == pytest.approx(0.08)
    assert extras[3]["original_basis"] == "few figures: fastest of 2 runs on copies, a compile running beside"
    assert not meter.settled(SIZES[0])  # (so the next calls come through the full path)
    busy[0] = False
    extra = meter.variant_ran("cpu", SIZES, 0.01, original, (np.ones(4),))
    assert len(runs) == 4 and extra["original_timed_seconds"] == pytest.approx(0.04)
    assert extra["original_basis"] == "fastest of 4 runs" and meter.settled(SIZES[0])
    meter.variant_ran("cpu", SIZES, 0.01, lambda *_: pytest.fail("timed once more only"), (np.ones(4),))

    busy[0] = True
    original, runs = fake_original(monkeypatch, [0.09, 0.08])
    meter = SpeedupMeter()
    extras, _ = run_auto(meter, cost.CostModel("f", meter.original_seconds), original, (np.ones(4),),
                         [0.01] * (MAX_DEFERRED + 2))
    assert len(runs) == 2 and meter.settled(SIZES[0])
    assert extras[-1]["original_basis"].endswith(f"a compile running beside (no call without one in {MAX_DEFERRED})")


def test_calls_that_ran_the_original_beside_a_compile_are_not_a_settled_figure(
        monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    meter = SpeedupMeter()
    meter.original_ran(SIZES, 0.9, beside_compile=True)  # while the variant compiled
    meter.original_ran(SIZES, 0.8, beside_compile=True)
    assert meter.original_seconds(SIZES[0]) is None and meter.original_basis(SIZES[0]) == ""
    assert not meter.settled(SIZES[0])
    quiet_meter = SpeedupMeter()
    quiet_meter.original_ran(SIZES, 0.9)
    assert quiet_meter.original_seconds(SIZES[0]) is None  # one run: not enough
    quiet_meter.original_ran(SIZES, 0.7)
    assert quiet_meter.original_seconds(SIZES[0]) == pytest.approx(0.7)
    assert quiet_meter.original_basis(SIZES[0]) == "fastest of 2 calls that ran it"
    # where its copies cannot be timed (predicted over the bound), the runs beside a compile are what is left
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0.5")
    meter.variant_ran("cpu", SIZES, 0.1, lambda *_: pytest.fail("predicted 0.8 s > 0.5 s"), ())
    meter.variant_ran("cpu", SIZES, 0.1, lambda *_: pytest.fail("predicted 0.8 s > 0.5 s"), ())
    assert meter.original_seconds(SIZES[0]) == pytest.approx(0.8) and meter.settled(SIZES[0])
    assert meter.original_basis(SIZES[0]).startswith("few figures: the fastest of 2 calls that ran it, a compile beside")


def test_compiled_runs_beside_a_compile_are_set_aside_up_to_a_limit() -> None:
    model = cost.CostModel("f", lambda cls: 1.0)
    model.observe(None, "cpu", 9.0, sizes=SIZES)  # (its first run compiled: never a measurement)
    for _ in range(cost.MAX_BESIDE):
        model.observe(None, "cpu", 0.5, sizes=SIZES, beside_compile=True)
    assert model.measurements() == {}
    model.observe(None, "cpu", 2.0, sizes=SIZES)
    assert model.measurements() == {SIZES[0]: {"cpu": 2.0}}
    model.observe(None, "cpu", 0.9, sizes=SIZES, beside_compile=True)  # past the limit: counted
    assert model.measurements() == {SIZES[0]: {"cpu": 0.9}}


def test_compile_marks_see_a_compile_that_ran_beside() -> None:
    """background.compile_mark / compiled_since with the real worker: a job running at the mark, one started
    after it, none at all."""
    assert background.wait_idle(120)
    mark = background.compile_mark()
    assert not background.compiled_since(mark) and not background.compiling()
    release, started = threading.Event(), threading.Event()

    def work(job: background.Job) -> None:
        started.set()
        release.wait(60)

    job = background.submit(("settled-original", uuid.uuid4().hex), work)
    assert started.wait(60)
    assert background.compiling() and background.compiled_since(mark)  # started after the mark
    during = background.compile_mark()
    release.set()
    assert job.wait(60)
    assert background.compiled_since(during)  # running at the mark
    assert not background.compiled_since(background.compile_mark())


class Forms:
    """A stand-in for a parallel CpuVariant in its form trials (forms_settled False until they end)."""

    compiles_apart = True

    def __init__(self) -> None:
        self.tried = False

    def unavailable_reason(self) -> None:
        return None

    def forms_settled(self, cls: int) -> bool:
        return False

    def forms_tried(self, cls: int) -> bool:
        return self.tried


def test_a_clear_loss_keeps_the_original_before_the_variants_trials_end() -> None:
    """NPBench M's correlation ran its compiled form (72.8 s) three more times against a 23 s original while
    the form trials and MIN_RUNS ran. A loss of CLEAR_LOSS or more, on CLEAR_LOSS_RUNS runs with each form run
    once, keeps the original at once; a closer one, one run, or a form not yet run waits for the trials."""
    variant = Forms()
    variants = {"cpu": variant}
    model = cost.CostModel("correlation", lambda cls: 23.0, lambda cls: "fastest of 2 runs on copies")
    assert model.decide((), variants, "auto", SIZES).variant == "cpu"  # (no run yet)
    model.observe(None, "cpu", 72.8, sizes=SIZES)
    assert model.decide((), variants, "auto", SIZES).variant == "cpu"  # one run
    model.observe(None, "cpu", 70.1, sizes=SIZES)
    assert model.decide((), variants, "auto", SIZES).variant == "cpu"  # the serial form has not run
    variant.tried = True
    d = model.decide((), variants, "auto", SIZES)
    assert d.variant == "original" and "original 23 s; cpu 70.1 s" in d.reason, d.reason
    assert d.reason.endswith(f"a clear loss (over {cost.CLEAR_LOSS:g}x): decided before the variant's trials end")
    assert model.settled(d, SIZES[0], variants)

    close = cost.CostModel("f", lambda cls: 1.0)
    close.decide((), variants, "auto", SIZES)
    for seconds in (1.4, 1.45, 1.42, 1.41):  # a loss under CLEAR_LOSS: the trials decide (never here: unsettled)
        close.observe(None, "cpu", seconds, sizes=SIZES)
        assert close.decide((), variants, "auto", SIZES).variant == "cpu"
    cpu = CpuVariant(lambda x: x)  # (a serial variant has no trials: forms_tried holds)
    assert cpu.forms_tried(SIZES[0])
    cpu._trials.add(SIZES[0])
    cpu._forms_run[SIZES[0]] = {"parallel"}
    assert not cpu.forms_tried(SIZES[0])
    cpu._forms_run[SIZES[0]].add("serial")
    assert cpu.forms_tried(SIZES[0])


def test_the_second_run_gets_the_arguments_values_again_in_the_same_copies(monkeypatch: pytest.MonkeyPatch,
                                                                           quiet: None) -> None:
    """The copies of a run are filled again from the caller's arrays (their pages are mapped: a fresh 128 MiB
    copy took 0.6 s under load), so a run that wrote its copy leaves nothing to the next; a copy the original
    reshaped is copied afresh; the caller's arrays are never written."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    now = [0.0]
    monkeypatch.setattr(speedup, "perf_counter", lambda: now[0])
    seen: list[tuple[int, float, tuple[int, ...]]] = []

    def original(a: np.ndarray, b: np.ndarray, k: int) -> None:
        seen.append((id(a), float(a[0]), b.shape))
        a[0] = 99.0  # writes its argument
        b.shape = (b.size,)  # reshapes the other
        now[0] += 0.2

    A, B = np.arange(4.0), np.ones((2, 2))
    meter = SpeedupMeter()
    meter.variant_ran("cpu", SIZES, 0.1, original, (A, B, 3))
    meter.variant_ran("cpu", SIZES, 0.1, original, (A, B, 3))
    assert len(seen) == 2 and seen[0][0] == seen[1][0] != id(A)  # the same copy, filled again
    assert seen[0][1] == seen[1][1] == 0.0 and seen[1][2] == (2, 2)  # A's values; B's shape (a fresh copy)
    assert A[0] == 0.0 and B.shape == (2, 2)


def test_a_clear_win_settles_before_the_variants_min_runs() -> None:
    """NPBench M's cholesky (compiled 1.8 ms, original 150 ms) ran its third call through the full path only to
    count a third run of the variant. Where the original's figure is CLEAR_WIN times the variant's fastest (its
    dispatch included) or more, the choice settles on fewer runs; a closer win waits for MIN_RUNS runs, and the
    form trials still run."""
    cpu = CpuVariant(lambda x: x)
    variants = {"cpu": cpu}
    model = cost.CostModel("cholesky", lambda cls: 0.15, lambda cls: "one run on copies")
    d = model.decide((), variants, "auto", SIZES)
    model.observe(d, "cpu", 0.0018, sizes=SIZES)
    assert d.variant == "cpu" and model.settled(d, SIZES[0], variants)  # one run, 83x: settled
    model.check_seconds = 0.02  # a dispatch that brings it under CLEAR_WIN: not settled on one run
    assert not model.settled(d, SIZES[0], variants)
    model.check_seconds = 0.0
    close = cost.CostModel("f", lambda cls: 0.15)
    d = close.decide((), variants, "auto", SIZES)
    for run in range(1, cost.MIN_RUNS + 1):  # 0.02 s against 0.15 s: 7.5x, under CLEAR_WIN
        close.observe(d, "cpu", 0.02, sizes=SIZES)
        assert close.settled(d, SIZES[0], variants) == (run >= cost.MIN_RUNS)
    cpu._trials.add(SIZES[0])  # a form trial under way: not settled, however clear the win
    assert not model.settled(model.decide((), variants, "auto", SIZES), SIZES[0], variants)


def test_a_tie_is_timed_to_its_samples_in_one_call(monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    """NPBench M's gemm (compiled 2.0 s against NumPy's 2.2 s, a tie) timed the original twice on copies at its
    second call and twice more at its third. A timing that finds a tie runs the original up to TIE_SAMPLES times
    while its copies are at hand; a tie found later is timed again only for the runs it lacks."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    original, runs = fake_original(monkeypatch, [2.3, 2.2, 2.1])
    meter = SpeedupMeter()
    extras, _ = run_auto(meter, cost.CostModel("gemm", meter.original_seconds), original, (np.ones(4),), [2.0, 2.0])
    assert len(runs) == speedup.TIE_SAMPLES and extras[1]["original_runs"] == speedup.TIE_SAMPLES
    assert meter.original_seconds(SIZES[0]) == pytest.approx(2.1)
    meter.variant_ran("cpu", SIZES, 2.0, lambda *_: pytest.fail("the tie has its samples"), (np.ones(4),))
    # no tie at first (2 runs), a tie once the variant's fastest comes near: one run more, not MIN_ORIGINAL_RUNS
    original, runs = fake_original(monkeypatch, [2.1, 2.0, 1.98])
    meter = SpeedupMeter()
    run_auto(meter, cost.CostModel("f", meter.original_seconds), original, (np.ones(4),), [2.5, 2.5])
    assert len(runs) == MIN_ORIGINAL_RUNS
    extra = meter.variant_ran("cpu", SIZES, 2.15, original, (np.ones(4),))
    assert len(runs) == speedup.TIE_SAMPLES and extra["original_runs"] == 1
    assert meter.original_seconds(SIZES[0]) == pytest.approx(1.98)


def test_a_call_that_ran_the_original_decides_where_its_cpu_time_is_decisive(
        monkeypatch: pytest.MonkeyPatch, quiet: None) -> None:
    """The first calls run the original while the variant compiles (issue 19). Where one of them took
    RAN_DECISIVE_FACTOR times the variant's fastest in its thread's CPU seconds (what the load and the compile
    beside it do not inflate), that figure decides at the variant's first call: no copies are timed, the choice
    settles there (a clear win), and the record says what it rests on. Wall seconds alone, a closer figure, or a
    bound of 0 do not decide."""
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "inf")
    factor = speedup.RAN_DECISIVE_FACTOR
    meter = SpeedupMeter()
    meter.original_ran(SIZES, 0.5, beside_compile=True, cpu_seconds=0.09)
    meter.original_ran(SIZES, 0.4, beside_compile=True, cpu_seconds=0.06)  # the fewest CPU seconds count
    model = cost.CostModel("cholesky", meter.original_seconds, meter.original_basis)
    variants = {"cpu": CpuVariant(lambda x: x)}
    d = model.decide((), variants, "auto", SIZES)
    model.observe(d, "cpu", 0.06 / factor, sizes=SIZES)
    extra = meter.variant_ran("cpu", SIZES, 0.06 / factor, lambda *_: pytest.fail("no copies timed"), (np.ones(4),))
    assert meter.original_seconds(SIZES[0]) == pytest.approx(0.06) and meter.settled(SIZES[0])
    assert extra["original_basis"].startswith("one call that ran it (60 ms of CPU, over 20x the variant's")
    assert extra["speedup"] == pytest.approx(0.4 / (0.06 / factor))  # (the speedup stays the wall figure's)
    assert model.settled(d, SIZES[0], variants)
    # 19x in CPU seconds (the wall figure 100x): the copies are timed at the second call, as before
    original, runs = fake_original(monkeypatch, [0.7, 0.6])
    close = SpeedupMeter()
    close.original_ran(SIZES, 1.0, beside_compile=True, cpu_seconds=0.19)
    close.variant_ran("cpu", SIZES, 0.01, original, (np.ones(4),))
    assert not runs and close.original_seconds(SIZES[0]) is None and not close.settled(SIZES[0])
    close.variant_ran("cpu", SIZES, 0.01, original, (np.ones(4),))
    assert len(runs) == 1 and close.original_seconds(SIZES[0]) == pytest.approx(0.7)  # (70x: one run, decisive)
    # no CPU figure (a caller that gives none), or nothing compared (bound 0): nothing decided
    bare = SpeedupMeter()
    bare.original_ran(SIZES, 1.0, beside_compile=True)
    bare.variant_ran("cpu", SIZES, 0.001, lambda *_: pytest.fail("the first call: no copies"), (np.ones(4),))
    assert bare.original_seconds(SIZES[0]) is None
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0")
    off = SpeedupMeter()
    off.original_ran(SIZES, 1.0, cpu_seconds=1.0)
    off.variant_ran("cpu", SIZES, 0.001, lambda *_: pytest.fail("bound 0"), (np.ones(4),))
    assert off.original_seconds(SIZES[0]) is None


def test_the_dispatcher_gives_the_originals_cpu_seconds_to_the_meter() -> None:
    """A call that runs the original records its thread's CPU seconds (``cpu_seconds``), and the meter gets them."""
    from polyray import runtime as rt

    def original(X: np.ndarray) -> None:
        X += 1.0

    d = rt.Dispatcher(name="f_cpu_seconds", original=original,
                      params=[rt.Param("X", "array", dtype="float64", ndim=1, written=True)], returns="none")
    X = np.zeros(1000)
    d(X)
    record = [r for r in rt.history() if r.get("function") == "f_cpu_seconds"][-1]
    assert record["variant"] == "original" and 0.0 <= record["cpu_seconds"] <= record["seconds"] + 0.01
    assert np.all(X == 1.0)
