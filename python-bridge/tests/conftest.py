"""Test set-up: make `polyray` importable from the source tree even when it is
not installed into the venv, and isolate history and POLYRAY_TARGET per test; calls wait for the JIT (POLYRAY_JIT_WAIT=1)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_BRIDGE = Path(__file__).resolve().parent.parent
if str(_BRIDGE) not in sys.path:
    sys.path.insert(0, str(_BRIDGE))


@pytest.fixture(autouse=True)
def _clean_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import polyray.runtime as rt

    monkeypatch.delenv("POLYRAY_TARGET", raising=False)
    # the tests expect the variant on a call's first run: they wait for the JIT (issue 19's
    # background compile is tested with this unset, test_first_call.py)
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    # nor time the original on copies for the speedup (tested in test_first_call.py)
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0")
    rt.clear_history()
    yield
    rt.clear_history()
