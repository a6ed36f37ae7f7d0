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
    # the parallel form compiles, then is timed twice; the serial one (compiled by the small
    # call) is timed twice; from then on the faster one runs
    assert forms[:5] == ["parallel", "parallel", "parallel", "serial", "serial"], forms
    variant = mod._polyray_dispatch_halves.variants["cpu"]
    times = variant._form_times[rt.size_class((x, n))[0]]
    assert all(runs >= 2 for _, runs in times.values()), times
    assert forms[5:] == [min(times, key=lambda f: times[f][0])] * 3, (forms, times)
