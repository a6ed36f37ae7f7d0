"""Shared pytest set-up for test/python."""

import os

import pytest


@pytest.fixture(autouse=True)
def _wait_for_jit(monkeypatch):
    """The compiled-kernel tests expect the variant on a call's first run: calls wait for the JIT
    (POLYRAY_JIT_WAIT=1; the background compile of issue 19 is tested in python-bridge/tests)."""
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    # a parallel variant compiles the form a call runs, the other one when a call runs that (cpu.FORMS_ENV): the
    # kernels here mostly run one form on small inputs, and the other form was a compile that nothing ran
    # (the default since issue 18's first-call work; POLYRAY_JIT_FORMS=all in the environment compiles both)
    monkeypatch.setenv("POLYRAY_JIT_FORMS", os.environ.get("POLYRAY_JIT_FORMS") or "needed")
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # no extra runs of the original (speedup.py)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "small_dataset: PolyBench SMALL-dataset cases (slower; run by default, "
        "deselect with -m 'not small_dataset')",
    )
