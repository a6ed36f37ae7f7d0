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


@pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")
def test_a_frontend_compile_not_ready_runs_the_cell_as_written_unless_it_waits(tmp_path, monkeypatch):
    """Issue 19, the JupyterLab path: the extension's hand-over says its Worker's compile was not ready within
    its budget (``not_ready``): the cell runs as written, its report saying so, without starting the kernel's
    compile service; POLYRAY_JIT_WAIT=1 compiles it in the kernel instead; the module the extension hands
    over the comm afterwards serves the cell's next run."""
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path))
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    from polyray import magic
    from polyray.compile_service import get_service

    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "polyray")
    body = "def h(n: int) -> int:\n    return n + 2\nr = h(1)\n"
    note = "compile not ready in the browser: 0.2 s so far; ran the cell as written"
    meta = {"sha256": handover_hash(body), "compiler": cache.compiler_version(), "compiled_by": "browser-worker",
            "compile_ms": 200, "settings": {}, "not_ready": note}
    monkeypatch.setattr(magic.PolyrayMagics, "_request_meta", lambda self: meta)
    monkeypatch.delenv("POLYRAY_JIT_WAIT")
    starts = get_service().starts
    ip.run_cell_magic("parallelize", "", body)
    assert ip.user_ns["r"] == 3 and ip.user_ns["h"].__module__ == "__main__"  # the cell's own function
    assert magic.last_compile["origin"] == "pending" and magic.last_compile["note"] == note
    assert magic.last_compile["compiled_by"] == "browser-worker" and get_service().starts == starts
    # waiting for the JIT: the kernel compiles the cell itself
    monkeypatch.setenv("POLYRAY_JIT_WAIT", "1")
    ip.run_cell_magic("parallelize", "--no-cache", body)
    assert ip.user_ns["r"] == 3 and magic.last_compile["origin"] == "service"
    assert ip.user_ns["h"].__module__ != "__main__"
    # the module the Worker finished later, handed over the comm: the next run uses it
    monkeypatch.delenv("POLYRAY_JIT_WAIT")
    fake = "def h(n):\n    return 'frontend'\n"
    report = {"functions": [{"name": "h", "line": 2, "accelerated": True, "variants": ["original"], "loops": [], "diagnostics": []}]}
    comm.handed_modules[meta["sha256"]] = {**meta, "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "", body)
    assert ip.user_ns["r"] == "frontend" and magic.last_compile["origin"] == "frontend"


def test_a_cell_that_does_not_parse_raises_at_once_with_pythons_message_past_the_budget(monkeypatch, capsys):
    """Issue 19: the compiler's diagnostics of a cell that does not parse are waited for within the compile
    budget only (a cold service takes seconds); past it Python's own message is shown, and the cell raises
    the usual SyntaxError either way."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "polyray")
    monkeypatch.delenv("POLYRAY_JIT_WAIT")
    monkeypatch.setenv("POLYRAY_COMPILE_BUDGET", "0")
    with pytest.raises(SyntaxError):
        ip.run_cell_magic("parallelize", "", "def broken(x: int) -> int:\n    return x +\n")
    assert "cell:3:" in capsys.readouterr().err


def test_polyray_wait_waits_for_the_compiles_under_way_and_says_how_long():
    import threading
    import uuid

    from polyray.magic import wait_for_compiles
    from polyray.runtime import background

    assert background.wait_idle(300)  # (earlier tests' background compiles)
    assert wait_for_compiles(5) == "polyray: nothing was compiling"
    release = threading.Event()
    job = background.submit(("wait test", uuid.uuid4().hex), lambda job: release.wait(60))
    try:  # a compile that does not end within the limit: said so, never a wait past it
        assert wait_for_compiles(0.2) == ("polyray: still compiling after 0.2 s; calls run the original "
                                          "(or a variant ready) meanwhile")
        threading.Timer(0.3, release.set).start()
        said = wait_for_compiles(60)
    finally:
        release.set()
    assert job.done.is_set() and said.startswith("polyray: waited ") and said.endswith(
        " s for the compiles under way; calls now run the compiled variants"), said
    assert 0.2 <= float(said.split()[2]) < 60
