"""POLYRAY_JIT_FORMS=needed (runtime/cpu.py FORMS_ENV): a parallel CPU variant compiles the form a call runs
and the other form only when a call runs that one; by default one job compiles both forms."""
from __future__ import annotations

import numpy as np
import pytest

from polyray.runtime.cpu import FORM_ENV, FORMS_ENV, CpuVariant


def doubled(x, out):
    for i in _polyray_prange(x.shape[0]):  # noqa: F821 - injected by CpuVariant
        out[i] = 2.0 * x[i] + 1.0


def run(variant: CpuVariant, n: int) -> np.ndarray:
    x, out = np.arange(float(n)), np.zeros(n)
    variant.run((x, out), wait=True)
    assert out.tolist() == (2.0 * x + 1.0).tolist()
    return out


def forms_compiled(variant: CpuVariant) -> list[list[str]]:
    return sorted(sorted(k for k, v in job.results.items() if callable(v)) for job in variant._jobs.values())


def test_needed_compiles_the_form_a_call_runs_and_the_other_when_a_call_runs_it(monkeypatch):
    monkeypatch.setenv(FORMS_ENV, "needed")
    monkeypatch.delenv(FORM_ENV, raising=False)
    variant = CpuVariant(doubled, parallel=True, boundscheck=False)
    run(variant, 8)  # small: the serial form
    assert variant.take_extra()["form"] == "serial"
    assert forms_compiled(variant) == [["serial"]]
    monkeypatch.setenv(FORM_ENV, "parallel")
    run(variant, 8)
    assert variant.take_extra()["form"] == "parallel"  # compiled now, and run: not the serial one in its place
    assert forms_compiled(variant) == [["parallel"], ["serial"]]
    monkeypatch.setenv(FORM_ENV, "serial")
    run(variant, 5)  # the same types: no third compile
    assert variant.take_extra()["form"] == "serial" and len(variant._jobs) == 2


@pytest.mark.parametrize("setting", [None, "all"])
def test_by_default_one_job_compiles_both_forms(monkeypatch, setting):
    if setting is None:
        monkeypatch.delenv(FORMS_ENV, raising=False)
    else:
        monkeypatch.setenv(FORMS_ENV, setting)
    monkeypatch.delenv(FORM_ENV, raising=False)
    variant = CpuVariant(doubled, parallel=True, boundscheck=False)
    run(variant, 8)
    assert variant.take_extra()["form"] == "serial"
    assert forms_compiled(variant) == [["parallel", "serial"]]
