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
    # the serial form (compiled by the small call) runs once untimed and is timed twice; then the parallel form
    # compiles (cpu.FORM_ORDER: the serial form's trials first, the parallel one compiled when its trials want
    # it), runs, is timed twice; from then on the faster one runs
    assert forms[:6] == ["serial"] * 3 + ["parallel"] * 3, forms
    variant = mod._polyray_dispatch_halves.variants["cpu"]
    times = variant._form_times[rt.size_class((x, n))[0]]
    assert all(runs >= 2 for _, runs in times.values()), times
    assert forms[6:] == [min(times, key=lambda f: times[f][0])] * 2, (forms, times)


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
