"""runtime/cpu.py FORMS_ENV: a parallel CPU variant compiles the form a call runs and the other form only when a
call runs that one (the default, or POLYRAY_JIT_FORMS=needed); POLYRAY_JIT_FORMS=all: one job compiles both forms."""
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


@pytest.mark.parametrize("setting", [None, "needed"])
def test_needed_compiles_the_form_a_call_runs_and_the_other_when_a_call_runs_it(monkeypatch, setting):
    if setting is None:
        monkeypatch.delenv(FORMS_ENV, raising=False)
    else:
        monkeypatch.setenv(FORMS_ENV, setting)
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


def test_all_makes_one_job_compile_both_forms(monkeypatch):
    monkeypatch.setenv(FORMS_ENV, "all")
    monkeypatch.delenv(FORM_ENV, raising=False)
    variant = CpuVariant(doubled, parallel=True, boundscheck=False)
    run(variant, 8)
    assert variant.take_extra()["form"] == "serial"
    assert forms_compiled(variant) == [["parallel", "serial"]]


def test_a_large_first_call_compiles_the_serial_form_alone_and_the_parallel_one_when_its_trials_want_it(monkeypatch):
    """Above POLYRAY_SERIAL_BELOW_BYTES the serial form's trials come first (cpu.FORM_ORDER): a first call
    waits for that form's compile only; the parallel form compiles when the trials first want it."""
    monkeypatch.delenv(FORMS_ENV, raising=False)
    monkeypatch.delenv(FORM_ENV, raising=False)
    monkeypatch.setenv("POLYRAY_SERIAL_BELOW_BYTES", "0")
    monkeypatch.setattr("polyray.runtime.cpu._num_threads", lambda: 2)  # (a one-thread machine runs serial only)
    variant = CpuVariant(doubled, parallel=True, boundscheck=False)
    n = 1000
    run(variant, n)
    assert variant.take_extra()["form"] == "serial"
    assert forms_compiled(variant) == [["serial"]]
    forms = []
    for _ in range(6):
        run(variant, n)
        forms.append(variant.take_extra()["form"])
    # two timed serial trials (the first call's run is one: it compiled nothing, its compile was done before it),
    # then the parallel ones
    assert forms[:3] == ["serial", "parallel", "parallel"], forms
    assert forms_compiled(variant) == [["parallel"], ["serial"]]


def test_precompile_makes_the_first_form_or_every_form(monkeypatch):
    monkeypatch.delenv(FORMS_ENV, raising=False)
    x = np.zeros(10_000)
    one = CpuVariant(doubled, parallel=True, boundscheck=False)
    for job in one.precompile((x, x), ahead=False):
        job.wait()
    assert forms_compiled(one) == [["serial"]]
    both = CpuVariant(doubled, parallel=True, boundscheck=False)
    for job in both.precompile((x, x), ahead=False, all_forms=True):
        job.wait()
    assert forms_compiled(both) == [["parallel"], ["serial"]]


def uncached(*fns):
    """Copies of ``fns`` sharing a globals dict of no importable module: Numba's on-disk cache does not serve them
    (runtime/jitting.py), so each run compiles (a cache hit is no compile, and counts none)."""
    import types

    scope = {"__name__": "jit_forms_not_a_module"}
    copies = [types.FunctionType(f.__code__, scope, f.__name__) for f in fns]
    scope.update({f.__name__: f for f in copies})
    return copies


def test_the_record_says_how_many_numba_compiles_and_how_much_cpu_the_first_form_took(monkeypatch):
    """runtime/jit_meter.py: a form of `doubled` is one Numba compile; a callee typed inside the variant's compile
    is part of it (Numba's event API, outermost events); the worker's CPU time apart from the job's wall time."""
    monkeypatch.delenv(FORMS_ENV, raising=False)
    monkeypatch.delenv(FORM_ENV, raising=False)
    (fn,) = uncached(doubled)
    variant = CpuVariant(fn, parallel=True, boundscheck=False)
    run(variant, 8)
    extra = variant.take_extra()
    assert extra["jit_compiles"] == 1 and 0.0 < extra["jit_cpu_seconds"], extra
    assert "not cached" in extra["cache"]
    run(variant, 8)
    assert "jit_compiles" not in variant.take_extra()  # reported once
    caller, callee = uncached(twice_via_callee, _jm_twice)
    calls = CpuVariant(caller, callees={"_jm_twice": callee})
    x, out = np.arange(5.0), np.zeros(5)
    calls.run((x, out), wait=True)
    assert out.tolist() == (2.0 * x).tolist()
    assert calls.take_extra()["jit_compiles"] == 1


def _jm_twice(v):
    return 2.0 * v


def twice_via_callee(x, out):
    for i in range(x.shape[0]):
        out[i] = _jm_twice(x[i])
