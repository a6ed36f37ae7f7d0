"""The numerics mode (issue 16): flag > POLYRAY_NUMERICS > setting > close, in the cache key, the decorator and the magic."""
from __future__ import annotations

import argparse

import numpy as np
import pytest

import polyray.runtime as rt
from polyray import cache, numerics, parallelize
from polyray.compile_service import cli_path
from polyray.magic import _apply_frontend_settings

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists() or cli_path().suffix == ".mjs" and cli_path().exists()
needs_compiler = pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLYRAY_NUMERICS", raising=False)
    monkeypatch.delenv("POLYRAY_TARGET", raising=False)


def test_precedence_flag_then_environment_then_setting_then_close(monkeypatch, capsys):
    assert numerics.resolve() == "close"
    assert numerics.resolve(setting="exact") == "exact"
    monkeypatch.setenv("POLYRAY_NUMERICS", "close")
    assert numerics.resolve(setting="exact") == "close"
    assert numerics.resolve("exact", setting="close") == "exact"
    with pytest.raises(ValueError, match="numerics must be one of exact, close"):
        numerics.resolve("fast")
    # a mistyped environment value gives the mode that never changes a result, and says so
    monkeypatch.setenv("POLYRAY_NUMERICS", "exakt")
    assert numerics.resolve(setting="close") == "exact"
    assert "POLYRAY_NUMERICS='exakt' names no numerics mode" in capsys.readouterr().err


def test_the_magic_takes_the_setting_only_below_flag_and_environment(monkeypatch):
    meta = {"settings": {"numerics": "exact"}}
    args = argparse.Namespace(target=None, cluster=None, numerics=None)
    _apply_frontend_settings(args, meta)
    assert args.numerics == "exact"
    args = argparse.Namespace(target=None, cluster=None, numerics="close")
    _apply_frontend_settings(args, meta)
    assert args.numerics == "close"
    monkeypatch.setenv("POLYRAY_NUMERICS", "close")
    args = argparse.Namespace(target=None, cluster=None, numerics=None)
    _apply_frontend_settings(args, meta)
    assert args.numerics is None and numerics.resolve(args.numerics) == "close"
    args = argparse.Namespace(target=None, cluster=None, numerics=None)
    _apply_frontend_settings(args, {"settings": {"numerics": "bitwise"}})
    assert args.numerics is None


def test_the_cache_key_depends_on_the_mode():
    src = "import numpy as np\n"
    assert cache.module_key(src, None, "exact") != cache.module_key(src, None, "close")
    assert cache.module_key(src, None) == cache.module_key(src, None, "close")


def _exp_kernel(a: np.ndarray, out: np.ndarray):
    for i in range(a.shape[0]):
        out[i] = np.exp(a[i]) * np.sin(a[i]) + a[i] ** 2.5


@needs_compiler
def test_the_decorator_compiles_close_mode_math_and_keeps_the_original_in_exact_mode(monkeypatch):
    a = np.linspace(0.0, 3.0, 101)
    want = np.empty_like(a)
    _exp_kernel(a, want)
    close_fn = parallelize(_exp_kernel, target="cpu", numerics="close")
    exact_fn = parallelize(_exp_kernel, target="cpu", numerics="exact")
    default_fn = parallelize(_exp_kernel, target="cpu")
    got = np.empty_like(a)
    close_fn(a, got)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(np.float64).eps, atol=0)
    got2 = np.empty_like(a)
    exact_fn(a, got2)
    rec = rt.history()[-1]
    assert rec["variant"] == "original" and "np.exp()" in rec["reason"], rec
    assert np.array_equal(got2, want)
    # no flag: the environment decides, and each mode keeps its own compiled signatures
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    default_fn(a, np.empty_like(a))
    assert rt.history()[-1]["variant"] == "original"
    monkeypatch.delenv("POLYRAY_NUMERICS")
    default_fn(a, np.empty_like(a))
    assert rt.history()[-1]["variant"] == "cpu"
    assert set(default_fn._by_mode) == {"exact", "close"}


@needs_compiler
def test_the_compile_service_compiles_for_the_mode_it_is_sent():
    from polyray.compile_service import CompileServiceError, get_service

    src = "import numpy as np\nimport numpy.typing as npt\ndef f(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:\n    return np.exp(a)\n"
    close = get_service().compile(src, "m.py", numerics="close")
    exact = get_service().compile(src, "m.py", numerics="exact")
    assert close.ok and exact.ok
    (fc,), (fe,) = close.report["functions"], exact.report["functions"]
    assert (fc["numerics"], fc["accelerated"], fe["numerics"], fe["accelerated"]) == ("close", True, "exact", False)
    assert [n["operation"] for n in fc["closeNotes"]] == ["np.exp"] and fe["closeNotes"] == []
    assert '_polyray_numerics = "close"' in close.module and '_polyray_numerics = "exact"' in exact.module
    with pytest.raises(CompileServiceError, match='"numerics" must be "exact" or "close"'):
        get_service().compile(src, "m.py", numerics="fast")


@needs_compiler
def test_the_magic_compiles_a_cell_for_its_flag_and_a_frontend_module_only_for_its_mode(tmp_path, monkeypatch):
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    from polyray import comm
    from polyray.magic import handover_hash

    ip = start_ipython() or get_ipython()  # one shell per process: another test may have started it
    ip.run_line_magic("load_ext", "polyray")
    body = "import numpy as np\ndef g_numerics(a: np.ndarray) -> np.ndarray:\n    return np.exp(a)\nr = g_numerics(np.zeros(3))\n"
    ip.run_cell_magic("parallelize", "--numerics exact", body)
    # exact: np.exp keeps the original, which the magic does not dispatch (no run record)
    assert all(h["variant"] != "cpu" for h in rt.history() if h["function"] == "g_numerics")
    assert ip.user_ns["r"].tolist() == [1.0, 1.0, 1.0]
    ip.run_cell_magic("parallelize", "", body)
    assert (rt.history()[-1]["function"], rt.history()[-1]["variant"]) == ("g_numerics", "cpu")
    assert ip.user_ns["r"].tolist() == [1.0, 1.0, 1.0]
    # a module the frontend compiled (for close, the default) is not used for an exact cell
    fake = "import polyray.runtime as _polyray\ndef g_numerics(a):\n    return 'frontend'\n"
    report = {"functions": [{"name": "g_numerics", "line": 3, "accelerated": True, "variants": ["original"], "loops": [], "diagnostics": []}]}
    sha = handover_hash(body)
    comm.handed_modules[sha] = {"sha256": sha, "compiler": cache.compiler_version(), "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "--numerics exact", body)
    assert ip.user_ns["r"].tolist() == [1.0, 1.0, 1.0]
    comm.handed_modules[sha] = {"sha256": sha, "compiler": cache.compiler_version(), "module": fake, "report": report}
    ip.run_cell_magic("parallelize", "--numerics close", body)
    assert ip.user_ns["r"] == "frontend"
