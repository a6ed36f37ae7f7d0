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


@pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")
def test_a_forced_original_reads_the_notebooks_globals(tmp_path, monkeypatch):
    """A %%parallelize cell's function whose original runs (POLYRAY_TARGET=original) reads the notebook's
    globals: a constant rebound by a later cell is seen (profiling.adopt_original: the dispatcher's original is
    the cell's function, and the generated wrapper never runs its own copy of the body for it)."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "polyray")
    ip.run_cell("import numpy as np\nSTEP = 2.0\n")
    body = ("import numpy as np\nimport numpy.typing as npt\nSTEP = 2.0\n\n"
            "def shift(a: npt.NDArray[np.float64]) -> None:\n"
            "    for i in range(a.shape[0]):\n"
            "        a[i] = a[i] + STEP\n")
    ip.run_cell_magic("parallelize", "--no-cache", body)
    for step in (2.0, 2.0, 2.0, 5.0, 5.0, -1.0):
        ip.user_ns["STEP"] = step
        ip.run_cell("x = np.zeros(3)\nshift(x)\n")
        assert ip.user_ns["x"].tolist() == [step] * 3
