"""A module of decorated functions written to a file and imported as a user's module is (registered in
sys.modules under its name): the decorator reads its source from the file (test_decorator_calls.py,
test_decorator_aliases.py)."""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def scientist_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> Iterator[object]:
    """The body of a fixture: the module imported, with its own Polyray cache and the CPU target; removed after."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(name, None)
