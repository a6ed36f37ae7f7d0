"""The module cache: generated modules as files, so Numba's ``cache=True`` works.

``$POLYRAY_CACHE_DIR`` (default ``~/.cache/polyray``) holds
``modules/<key>.py`` (the generated module) and ``modules/<key>.json`` (its
compile report). The key is a sha256 over the compiler's build fingerprint
(its version and the files of its compiled library), the targets, the numerics
mode and the exact source compiled, so a changed compiler or a changed cell never reuses a stale
module.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from .compile_service import cli_path


#: A generated module's global that, when set (to the reason), keeps its variants out of
#: Numba's on-disk cache (read by runtime/jitting.py).
NO_DISK_CACHE = "_polyray_no_disk_cache"


def cache_dir() -> Path:
    base = os.environ.get("POLYRAY_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "polyray"
    path = root / "modules"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _lib_dir() -> Path:
    """The compiler's JavaScript: lib/ of a checkout, else the folder of the bundled CLI (a wheel)."""
    cli = cli_path().resolve()
    lib = cli.parent.parent / "lib"
    return lib if (lib / "compiler" / "version.js").exists() else cli.parent


def compiler_version() -> str:
    """COMPILER_VERSION as built into lib/ or the bundle (read from the file, no node needed)."""
    lib = _lib_dir()
    version_js = lib / "compiler" / "version.js"
    try:
        text = version_js.read_text(encoding="utf-8") if version_js.exists() else cli_path().read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    m = re.search(r"COMPILER_VERSION\s*=\s*['\"]([^'\"]+)['\"]", text)
    return m.group(1) if m else "unknown"


#: the fingerprint of this process's last walk of the compiler's files, with the stamp it was valid for
_fingerprint: tuple[tuple[tuple[str, int, int], ...], str] | None = None


def _stamp(root: Path, dirs: list[str]) -> tuple[tuple[str, int, int], ...]:
    """What can change without the fingerprint's walk seeing it: the mtimes of the library's folders (a file
    added, removed or renamed changes its folder's) and of the version file (tsc rewrites every output, this
    one included, each build; a wheel's bundle is a file in ``root``, whose folder changes when it is
    replaced). A dozen stats instead of the walk's hundreds (1.5 ms at load 12; 32 ms per cell run under a
    profile at load 19): the magic asks for it on every cell run."""
    out = []
    for path in [*dirs, str(root / "compiler" / "version.js"), str(cli_path())]:
        try:
            st = os.stat(path)
            out.append((path, st.st_mtime_ns, st.st_size))  # (the size too: two writes in one clock tick)
        except OSError:
            out.append((path, -1, -1))
    return tuple(out)


def compiler_fingerprint() -> str:
    """A hash of the compiler library's files (names, sizes, mtimes) and version, walked once per process
    and again only when :func:`_stamp` changed (a rebuilt or replaced library)."""
    global _fingerprint
    root = _lib_dir()
    if _fingerprint is not None:
        dirs = [entry[0] for entry in _fingerprint[0][:-2]]
        if _fingerprint[0] == _stamp(root, dirs) and dirs[:1] == [str(root)]:
            return _fingerprint[1]
    entries: list[tuple[str, int, int]] = []
    dirs = []
    for dirpath, _dirs, files in os.walk(root):
        dirs.append(dirpath)
        for name in files:
            if name.endswith((".js", ".mjs")):
                p = os.path.join(dirpath, name)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                entries.append((os.path.relpath(p, root), st.st_size, st.st_mtime_ns))
    stamp = _stamp(root, dirs or [str(root)])
    h = hashlib.sha256(compiler_version().encode())
    for rel, size, mtime in sorted(entries):
        h.update(f"\0{rel}\0{size}\0{mtime}".encode())
    _fingerprint = (stamp, h.hexdigest())
    return _fingerprint[1]


def module_key(source: str, targets: list[str] | None, numerics: str = "close") -> str:
    h = hashlib.sha256()
    h.update(compiler_fingerprint().encode())
    h.update(b"\0" + ",".join(targets or ["all"]).encode())
    # the same source compiles to different modules in the two modes (polyray/numerics.py)
    h.update(b"\0numerics=" + numerics.encode())
    h.update(b"\0" + source.encode("utf-8"))
    return h.hexdigest()


def lookup(key: str) -> tuple[str, dict[str, Any]] | None:
    """The cached (module text, report) for a key, or None."""
    d = cache_dir()
    try:
        module = (d / f"{key}.py").read_text(encoding="utf-8")
        report = json.loads((d / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return module, report


def store(key: str, module: str, report: dict[str, Any]) -> Path:
    """Write a module and its report (through temporary files and renames)."""
    d = cache_dir()
    path = d / f"{key}.py"
    for target, text in ((d / f"{key}.json", json.dumps(report)), (path, module)):
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        # (per process and thread: a cell's compile finishing in the background may store what the cell stores)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    _remove_orphans(d, key)
    return path


def _remove_orphans(d: Path, key: str) -> None:
    """Remove the temporary files of ``key`` that a process killed mid-write left (their names carry the
    writer's pid; a live writer's are kept). Only garbage: a lookup never reads them."""
    for tmp in d.glob(f"{key}.*.tmp"):
        try:
            pid = int(tmp.name.split(".")[-3])
            os.kill(pid, 0)  # (raises when no such process)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, IndexError, OSError):
            continue


def import_file(path: Path, key: str, fresh: bool = False) -> ModuleType:
    """Import a generated module from its file under a unique name.

    The name covers the key and the file's text, so a module is reused (its
    dispatchers and compiled variants kept) only for exactly the same text;
    ``fresh`` always imports it again.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    name = f"_polyray_cell_{key[:16]}_{digest}"
    if fresh:
        name += f"_{time.time_ns()}"
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) == str(path):
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    if fresh:
        # a name used once: Numba cache entries keyed by it (runtime/jitting.py) would never be read again
        module.__dict__[NO_DISK_CACHE] = "the module was imported afresh (--no-cache)"
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
