"""A parallel CPU variant has two forms, parallel and serial (prange as range): small calls
run serial; above 32 KiB each form is timed twice per size class on real calls (after its
compiling run) and the faster one is kept. Which one wins depends on the machine, so the
test checks the mechanism, not the winner."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/slices.py"


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("forms"), "forms_compiled", "--targets", "cpu")


def test_small_calls_run_serial_and_large_ones_measure_both_forms(mod, monkeypatch):
    from polyray.runtime import background

    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    C = np.zeros((4, 4))
    mod.halves(C[0], 4)
    assert rt.history()[-1]["form"] == "serial"
    # (the fused hot entry this settled call started compiles on the worker: a trial beside it would be set
    # aside, cpu.FORM_BESIDE_SKIPS, and the forms below come one call later)
    background.wait_idle(120)
    n = 20_000  # 160 KB: above the threshold
    x, ref = np.linspace(-1, 1, n), np.linspace(-1, 1, n)
    forms = []
    for _ in range(8):
        mod.halves(x, n)
        mod._polyray_original_halves(ref, n)
        forms.append(rt.history()[-1]["form"])
        np.testing.assert_array_equal(x, ref)
    # the serial form (compiled by the small call) is timed twice; then the parallel form compiles (cpu.FORM_ORDER:
    # the serial form's trials first, the parallel one compiled when its trials want it) and is timed twice; its
    # first run is a trial too, as the serial one's was, since the run itself compiled nothing (the compile was
    # done before it: the two untimed runs this test saw before issue 18's eleventh session are gone); from then
    # on the faster one runs
    assert forms[:4] == ["serial"] * 2 + ["parallel"] * 2, forms
    variant = mod._polyray_dispatch_halves.variants["cpu"]
    times = variant._form_times[rt.size_class((x, n))[0]]
    assert all(runs >= 2 for _, runs in times.values()), times
    assert forms[4:] == [min(times, key=lambda f: times[f][0])] * 4, (forms, times)


def test_a_forms_first_run_is_a_trial_only_where_it_compiled_nothing(monkeypatch):
    """A run that grew the Numba dispatcher's overloads compiled (types the background did not compile for):
    not a trial; a first run that compiled nothing is one (cpu._compiled_count)."""
    from polyray.runtime import cpu as cpu_mod

    class Jitted:  # a stand-in for a Numba dispatcher: compiles on a call of new types
        def __init__(self, compiles):
            self.overloads, self.compiles = {}, compiles

        def __call__(self, X):
            if self.compiles:
                self.overloads[len(self.overloads)] = "compiled"
            X += 1.0

    def kernel(X):
        X += 1.0

    cls = 20
    for compiles, timed in ((True, 0), (False, 1)):
        variant = cpu_mod.CpuVariant(kernel, parallel=True)
        jitted = Jitted(compiles)
        monkeypatch.setattr(cpu_mod.CpuVariant, "_ready", lambda self, args, form, wait: (jitted, form))
        monkeypatch.setattr(cpu_mod.CpuVariant, "_use_serial",
                            lambda self, args, sizes=None: (setattr(self, "_stable", (0, 0, 0, None)), (True, cls))[1])
        X = np.zeros(4)
        variant.run((X,), (cls, 1 << cls))
        assert X[0] == 1.0 and variant._form_times.get(cls, {}).get("serial", (0, 0))[1] == timed, compiles
        variant.run((X,), (cls, 1 << cls))  # a later run is a trial either way
        assert variant._form_times[cls]["serial"][1] == timed + 1
    assert cpu_mod._compiled_count(object()) is None and cpu_mod._compiled_count(Jitted(False)) == 0


def test_the_slower_form_is_retested_so_one_disturbed_trial_does_not_decide_for_good(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    n = 40_000  # a size class of its own
    x, ref = np.linspace(-1, 1, n), np.linspace(-1, 1, n)
    variant = mod._polyray_dispatch_halves.variants["cpu"]
    cls = rt.size_class((x, n))[0]
    for _ in range(6):  # (compiling runs and) the trials of both forms
        mod.halves(x, n)
        mod._polyray_original_halves(ref, n)
        times = variant._form_times.get(cls, {})
        if len(times) == 2 and all(runs == 2 for _, runs in times.values()):
            break
    assert len(times) == 2 and all(runs == 2 for _, runs in times.values()), times
    assert cls not in variant._form_calls
    # as if both parallel trials had run while another process held the cores
    times["parallel"] = (1e9, 2)
    forms = []
    for _ in range(rt.cpu.FORM_RETEST_AFTER + 1):
        mod.halves(x, n)
        mod._polyray_original_halves(ref, n)
        np.testing.assert_array_equal(x, ref)
        forms.append(rt.history()[-1]["form"])
    after = rt.cpu.FORM_RETEST_AFTER
    assert forms[: after - 1] == ["serial"] * (after - 1), forms
    assert forms[after - 1] == "parallel", forms  # the retest
    assert variant._form_times[cls]["parallel"][0] < 1e9 and variant._form_times[cls]["parallel"][1] == 3
    assert forms[after] == min(variant._form_times[cls], key=lambda f: variant._form_times[cls][f][0])
    calls, retest = variant._form_calls[cls]
    # the next retest after twice as many calls; the calls the dispatcher's hot path was granted count at once
    assert retest == 2 * after and after + 1 <= calls < retest, (calls, retest)


class _Clock:
    """perf_counter for cpu.py's runs: each stand-in form advances it by that form's time now."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _forms_on_a_clock(monkeypatch, times):
    """A parallel CpuVariant whose two forms are stand-ins taking ``times[form]`` seconds on a fake clock (the
    real choice, trials and retests of cpu.py; only compiling and the clock stood in), with two Numba threads."""
    from polyray.runtime import cpu as cpu_mod

    clock = _Clock()

    def form(name):
        def run(X):
            clock.now += times[name]
            X += 1.0
        return run

    forms = {"serial": form("serial"), "parallel": form("parallel")}
    monkeypatch.setattr(cpu_mod, "perf_counter", clock)
    monkeypatch.setattr(cpu_mod, "_num_threads", lambda: 2)
    monkeypatch.setattr(cpu_mod, "_get_num_threads", lambda: 2)  # (as if Numba's threading layer were started)
    monkeypatch.delenv(cpu_mod.FORM_ENV, raising=False)
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    monkeypatch.setattr(cpu_mod.CpuVariant, "_ready", lambda self, args, f, wait: (forms[f], f))

    def kernel(X):
        X += 1.0

    variant = cpu_mod.CpuVariant(kernel, parallel=True)
    variant._warm_forms.update(forms)  # (compiled before: every run is timed, as after the background compile)
    cls = 20
    X = np.zeros(4)

    def call():
        variant.run((X,), (cls, 1 << cls))
        return variant.take_extra()["form"]

    return variant, cls, call


def test_the_choice_follows_a_parallel_form_whose_time_moves_with_the_machine(monkeypatch):
    """doitgen's planes in parallel took 180 or 380 µs by stretches of one quiet run (the second core elsewhere),
    its serial form 340 µs throughout: the choice keeps the faster form of the stretch, not the fastest run ever."""
    from polyray.runtime import cpu as cpu_mod

    times = {"serial": 340e-6, "parallel": 180e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    forms = [call() for _ in range(6)]
    assert forms == ["serial", "serial", "parallel", "parallel", "parallel", "parallel"], forms
    times["parallel"] = 380e-6  # a slow stretch: the parallel form's own runs show it
    forms = [call() for _ in range(4)]
    assert forms == ["parallel", "parallel", "serial", "serial"], forms  # two of its last three runs slower
    times["parallel"] = 180e-6  # the stretch ends: the retest sees it, and its confirmation moves the choice
    calls, retest = variant._form_calls[cls]
    forms = [call() for _ in range(retest - calls + 2)]
    assert forms[:-3] == ["serial"] * (len(forms) - 3), forms
    assert forms[-3:] == ["parallel", "parallel", "parallel"], forms  # the retest, its confirmation, the choice
    assert variant._form_times[cls]["parallel"][0] == pytest.approx(180e-6) and cpu_mod.form_time([3.0, 1.0, 2.0]) == 2.0


def test_one_lucky_run_of_the_slower_form_does_not_take_the_choice(monkeypatch):
    """A retest that happens to run fast is run once more; a second slow run keeps the choice where it was."""
    times = {"serial": 340e-6, "parallel": 500e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    forms = [call() for _ in range(4)]
    calls, retest = variant._form_calls.get(cls, (0, 16))
    forms = [call() for _ in range(retest - 1)]
    assert forms == ["serial"] * (retest - 1), forms
    times["parallel"] = 150e-6  # the retest, lucky
    assert call() == "parallel"
    times["parallel"] = 500e-6
    assert call() == "parallel"  # its confirmation, slow again
    forms = [call() for _ in range(8)]
    assert forms == ["serial"] * 8, (forms, variant._form_times[cls])
    assert variant._form_times[cls]["parallel"][0] == pytest.approx(500e-6)


def test_the_retests_come_at_most_form_retest_max_calls_apart(monkeypatch):
    from polyray.runtime import cpu as cpu_mod

    times = {"serial": 340e-6, "parallel": 500e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    forms = [call() for _ in range(4 + 400)]
    retests = [i - 4 + 1 for i, f in enumerate(forms) if i >= 4 and f == "parallel"]
    after, most = cpu_mod.FORM_RETEST_AFTER, cpu_mod.FORM_RETEST_MAX
    assert retests[:3] == [after, 2 * after, 4 * after] and most == 4 * after, retests
    assert all(b - a == most for a, b in zip(retests[2:], retests[3:])) and len(retests) >= 7, retests


def test_a_hot_entry_of_the_chosen_form_ends_after_two_runs_slower_than_the_other_form(monkeypatch):
    """The hot path's runs of the chosen form are timed (hot.build_hot's ``timed``): two in a row slower than the
    other form's time join its window and end the entry's budget, so that the next call comes through run() and
    switches, without waiting for a retest; one slow run between fast ones does nothing."""
    from types import SimpleNamespace

    times = {"serial": 340e-6, "parallel": 180e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    assert [call() for _ in range(5)][-1] == "parallel"
    granted = variant.take_hot(256)
    assert granted is not None and granted[1] > 3, granted
    entry = SimpleNamespace(budget=granted[1])
    timed = variant.hot_timer(entry)
    assert timed is not None and variant.hot_timer(entry) is None  # (one timer per plan granted)
    timed(380e-6)
    timed(170e-6)
    timed(380e-6)
    assert entry.budget == granted[1] and variant._form_times[cls]["parallel"][0] == pytest.approx(180e-6)
    calls = variant._form_calls[cls][0]
    timed(390e-6)
    assert entry.budget == 1  # (this run's, which the hot path takes off next)
    assert variant._form_calls[cls][0] == calls - (granted[1] - 1)  # the calls not run are not counted
    assert variant._form_times[cls]["parallel"][0] == pytest.approx(380e-6)
    times["parallel"] = 380e-6
    assert call() == "serial"


def test_form_runs_beside_a_background_compile_do_not_choose_the_form(monkeypatch):
    """A compile on the JIT's worker holds a core: a parallel form's trials beside it ran at its serial speed or
    slower (NPBench M's jacobi_2d kept its serial form at 6.1 ms where the parallel one takes 3.2). Such runs are
    set aside (the trial runs again on the next call), up to FORM_BESIDE_SKIPS per size class."""
    from polyray.runtime import cpu as cpu_mod

    beside = [False]
    monkeypatch.setattr(cpu_mod.background, "compiled_since", lambda mark: beside[0])
    times = {"serial": 340e-6, "parallel": 180e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    assert [call() for _ in range(2)] == ["serial", "serial"]
    beside[0], times["parallel"] = True, 500e-6  # the compile takes the second core: as slow as serial, or slower
    assert [call() for _ in range(3)] == ["parallel"] * 3
    assert "parallel" not in variant._form_times[cls] and variant._beside_skips[cls] == 3
    beside[0], times["parallel"] = False, 180e-6
    assert [call() for _ in range(4)] == ["parallel"] * 4  # its two trials, then the choice
    assert variant._form_recent[cls]["parallel"] == [pytest.approx(180e-6)] * 3  # (the 500 µs runs are not there)
    # a process that compiles without pause still chooses: FORM_BESIDE_SKIPS runs set aside, then timed
    beside[0] = True
    variant, cls, call = _forms_on_a_clock(monkeypatch, {"serial": 340e-6, "parallel": 500e-6})
    forms = [call() for _ in range(4 + cpu_mod.FORM_BESIDE_SKIPS + 1)]
    assert forms[-1] == "serial" and variant._beside_skips[cls] == cpu_mod.FORM_BESIDE_SKIPS, forms
    assert variant._form_times[cls]["parallel"][1] == 2 and variant._form_times[cls]["serial"][1] == 3


def test_a_retest_beside_a_background_compile_runs_again(monkeypatch):
    from polyray.runtime import cpu as cpu_mod

    beside = [False]
    monkeypatch.setattr(cpu_mod.background, "compiled_since", lambda mark: beside[0])
    times = {"serial": 340e-6, "parallel": 500e-6}
    variant, cls, call = _forms_on_a_clock(monkeypatch, times)
    forms = [call() for _ in range(4)]
    calls, retest = variant._form_calls.get(cls, (0, cpu_mod.FORM_RETEST_AFTER))
    assert [call() for _ in range(retest - 1)] == ["serial"] * (retest - 1)
    beside[0] = True
    assert call() == "parallel"  # the retest, beside a compile: set aside
    beside[0], times["parallel"] = False, 150e-6
    assert [call() for _ in range(3)] == ["parallel"] * 3, forms  # the retest again, its confirmation, the choice
    assert variant._form_times[cls]["parallel"][1] == 5  # (two trials, the retest, its confirmation, the choice)


def test_slow_hot_runs_beside_a_background_compile_keep_the_chosen_form(monkeypatch):
    """The hot path's slow runs while the JIT's worker compiles (the fused entry of the form just chosen compiles
    after the call that chose it: hot_entry.py) do not end the entry's budget."""
    from types import SimpleNamespace

    from polyray.runtime import cpu as cpu_mod

    compiling = [False]
    monkeypatch.setattr(cpu_mod.background, "compiling", lambda: compiling[0])
    variant, cls, call = _forms_on_a_clock(monkeypatch, {"serial": 340e-6, "parallel": 180e-6})
    assert [call() for _ in range(5)][-1] == "parallel"
    compiling[0] = True
    granted = variant.take_hot(256)
    entry = SimpleNamespace(budget=granted[1])
    timed = variant.hot_timer(entry)
    for _ in range(3):
        timed(390e-6)
    assert entry.budget == granted[1] and variant._form_times[cls]["parallel"][0] == pytest.approx(180e-6)
    compiling[0] = False
    timed(390e-6)
    timed(390e-6)
    assert entry.budget == 1 and variant._form_times[cls]["parallel"][0] == pytest.approx(390e-6)


def test_the_hot_path_leaves_a_form_that_became_slower(mod, monkeypatch):
    """Through the dispatcher's generated hot path, with two stand-in forms that sleep (a parallel form at once
    against a serial one at 150 ms, then at 450 ms: wide apart, as a process at nice 19 on a loaded machine
    may wake 0.1 s late): the calls after the slowdown run hot until two of them were slow, then the serial
    form."""
    import time

    from polyray.runtime import cpu as cpu_mod

    sleeps = {"serial": 0.150, "parallel": 0.0}

    def form(name):
        def run(x, n):
            time.sleep(sleeps[name])
        return run

    forms = {"serial": form("serial"), "parallel": form("parallel")}
    monkeypatch.setattr(cpu_mod.CpuVariant, "_ready", lambda self, args, f, wait: (forms[f], f))
    monkeypatch.setattr(cpu_mod, "_num_threads", lambda: 2)
    monkeypatch.setattr(cpu_mod, "_get_num_threads", lambda: 2)  # (as if Numba's threading layer were started)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    n = 300_000  # a size class of its own
    x = np.zeros(n)
    for _ in range(8):  # (first runs and) the form trials, then the faster form settled
        mod.halves(x, n)
    variant = mod._polyray_dispatch_halves.variants["cpu"]
    assert rt.history()[-1]["form"] == "parallel", ([r.get("form") for r in rt.history()[-8:]], variant._form_times)
    mod.halves(x, n)
    assert rt.history()[-1].get("hot"), rt.history()[-1]
    sleeps["parallel"] = 0.450
    seen = []
    for _ in range(4):
        mod.halves(x, n)
        seen.append((rt.history()[-1]["form"], bool(rt.history()[-1].get("hot"))))
    assert seen[:3] == [("parallel", True), ("parallel", True), ("serial", False)], seen


def test_the_timed_hot_path_of_a_numpy_scalar_parameter(tmp_path, monkeypatch):
    """The hot path's type test names a NumPy-scalar parameter's type `_t<k>` (hot._fast_types); its timing of a
    two-form variant once bound `_t0` too, a local that shadowed the type: UnboundLocalError on every hot call of a
    function whose first parameter is hinted np.float64 (fuzz seed 12100000023)."""
    src = tmp_path / "scalar_first.py"
    src.write_text(
        "import numpy as np\nimport numpy.typing as npt\n\n\n"
        "def scale(alpha: np.float64, x: npt.NDArray[np.float64]) -> None:\n"
        "    for i in range(x.shape[0]):\n"
        "        x[i] = x[i] * alpha + 1.0\n")
    m = compile_and_import(src, tmp_path, "scalar_first_compiled", "--targets", "cpu")
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    n = 40_000  # 320 KB: both forms timed, then hot calls
    x, ref = np.linspace(-1, 1, n), np.linspace(-1, 1, n)
    for _ in range(12):
        m.scale(np.float64(0.5), x)
        m._polyray_original_scale(np.float64(0.5), ref)
        np.testing.assert_array_equal(x, ref)
    assert any(r.get("hot") for r in rt.history()[-6:]), rt.history()[-6:]
