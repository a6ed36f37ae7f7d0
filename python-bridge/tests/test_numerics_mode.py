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
