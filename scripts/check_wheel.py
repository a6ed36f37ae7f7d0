"""What must never ship in the polyray wheel or sdist (run by scripts/build-wheel.mjs and the wheel test).

Usage: check_wheel.py DIST_FILE... (``.whl`` or ``.tar.gz``). Exit 1, naming each
problem, when a file is a test (a ``tests``/``test`` folder, ``test_*.py``,
``conftest.py``), when a source map (``*.map``) or the bundled CLI names a local
path (the build machine's home, ``/tmp``, the repository's own folder), or when
the archive or any file in it is above 40 MB. Also checks that the wheel holds
what the product needs: the bundled CLI, its three WebAssembly files, the
labextension and the ``polyray`` console script.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

LIMIT = 40 * 1024 * 1024
NEEDED = ("polyray/_compiler/polyray.mjs", "polyray/_compiler/tree-sitter.wasm",
          "polyray/_compiler/tree-sitter-python.wasm", "polyray/_compiler/isl.wasm",
          "polyray/labextension/package.json", "polyray/decorator.py", "polyray/magic.py")
TEST_FILE = re.compile(r"(^|/)(tests?|__tests__)/|(^|/)(test_[^/]*\.py|conftest\.py|[^/]*\.test\.[jt]s)$")
# absolute paths of this machine that a bundler or map may copy in
LOCAL_PATH = re.compile(rb"(/home/[^/\"' ]+/|/root/|/tmp/|/Users/[^/\"' ]+/|[A-Z]:\\\\Users\\\\)")


def members(path: Path) -> Iterator[tuple[str, int, bytes | None]]:
    """(name, size, bytes when it is worth reading) of each file in a wheel or sdist."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.is_dir():
                    read = info.filename.endswith((".map", ".mjs")) and info.file_size <= LIMIT
                    yield info.filename, info.file_size, z.read(info) if read else None
    else:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile():
                    name = m.name.split("/", 1)[1] if "/" in m.name else m.name  # drop polyray-<version>/
                    read = name.endswith((".map", ".mjs")) and m.size <= LIMIT
                    f = t.extractfile(m) if read else None
                    yield name, m.size, f.read() if f is not None else None


def problems(path: Path) -> list[str]:
    out = []
    if path.stat().st_size > LIMIT:
        out.append(f"{path.name} is {path.stat().st_size / 2**20:.1f} MB (limit 40 MB)")
    names = set()
    for name, size, data in members(path):
        names.add(name)
        if TEST_FILE.search(name):
            out.append(f"{path.name}: a test file: {name}")
        if size > LIMIT:
            out.append(f"{path.name}: {name} is {size / 2**20:.1f} MB (limit 40 MB)")
        if data is not None:
            hit = LOCAL_PATH.search(data)
            if hit is not None:
                out.append(f"{path.name}: {name} names a local path ({hit.group(0).decode(errors='replace')}...)")
    if path.suffix == ".whl":
        for need in NEEDED:
            if need not in names:
                out.append(f"{path.name}: missing {need}")
        entry = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        if entry is None:
            out.append(f"{path.name}: no console script (entry_points.txt)")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    found = [p for a in argv for p in problems(Path(a))]
    for line in found:
        print(f"check_wheel: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
