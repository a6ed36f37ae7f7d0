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
