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
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.delenv("POLYRAY_SERIAL_BELOW_BYTES", raising=False)
    C = np.zeros((4, 4))
    mod.halves(C[0], 4)
    assert rt.history()[-1]["form"] == "serial"
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
