"""Compile a Python file with the polyray CLI and import the generated module from its file."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def compile_and_import(source: Path, out_dir: Path, name: str, *extra: str) -> ModuleType:
    """`polyray compile source -o out_dir/name.py [extra...]`, then import it (Numba's cache needs the file)."""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    out = out_dir / f"{name}.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(source), "-o", str(out), *extra], check=True, cwd=ROOT)
    spec = importlib.util.spec_from_file_location(name, out)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cpu_body(module: ModuleType, name: str) -> str:
    """The text of the generated CPU variant of `name` (up to its serial form, if any, or its dispatcher)."""
    text = Path(module.__file__).read_text().split(f"def _polyray_cpu_{name}")[1].split(f"_polyray_dispatch_{name}")[0]
    return text.split(f"def _polyray_seq_{name}")[0]


def outcome(fn, *args):
    """("ok", result) or (exception type name, message): what a call did, to compare."""
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - the outcome is compared
        return (type(exc).__name__, str(exc))
