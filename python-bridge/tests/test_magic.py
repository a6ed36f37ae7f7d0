"""The magic in-process (IPython's test shell): kernel source, frontend handover by hash."""
from __future__ import annotations

import ast

import pytest

from polyray import cache, comm
from polyray.compile_service import cli_path
from polyray.magic import handover_hash, kernel_source

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists()


def test_kernel_source_keeps_imports_and_defs_on_their_lines():
    cell = "import numpy as np\nx = 1\nprint(x)\n\ndef f(n: int) -> int:\n    return n\nf(2)\n"
    src = kernel_source(ast.parse(cell), cell)
    assert src.split("\n") == ["", "import numpy as np", "", "", "", "def f(n: int) -> int:", "    return n", "", ""]


@pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")
def test_handed_over_module_is_used_only_when_its_hash_matches(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython() or get_ipython()  # one shell per process: another test may have started it
    ip.run_line_magic("load_ext", "polyray")
    body = "def g(n: int) -> int:\n    return n + 1\nr = g(1)\n"
    fake = "import polyray.runtime as _polyray\ndef g(n):\n    return 'frontend'\n"
    report = {"functions": [{"name": "g", "line": 2, "accelerated": True, "variants": ["original"], "loops": [], "diagnostics": []}]}
    # a stale hash (other text): ignored, the service compiles
    comm.handed_modules["x"] = {"sha256": "x", "compiler": cache.compiler_version(), "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "--no-cache", body)
    assert ip.user_ns["r"] == 2
    # the matching hash: used as is
    sha = handover_hash(body)
    comm.handed_modules[sha] = {"sha256": sha, "compiler": cache.compiler_version(), "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "", body)
    assert ip.user_ns["r"] == "frontend"
    # a mismatching compiler version: ignored
    comm.handed_modules[sha] = {"sha256": sha, "compiler": "0.0.0-old", "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "", body)
    assert ip.user_ns["r"] == 2
