"""``python -m polyray.precompile OUT.py``: compile a generated module's CPU variants now (issue 19).

Run by ``polyray compile --precompile`` after it writes OUT.py: for each
accelerated function whose hints give every parameter's type, both forms of its
CPU variant are compiled for those types (C-contiguous, writeable arrays) into
Numba's on-disk cache beside OUT.py, keyed by the module name a later
``import OUT`` uses (runtime/jitting.py). One line per function on stderr.
Exit status 0 unless the module cannot be imported.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m polyray.precompile OUT.py", file=sys.stderr)
        return 1
    os.environ["POLYRAY_JIT_WAIT"] = "1"  # nothing here may run in the background past exit
    from .runtime import ahead

    try:
        notes = ahead.precompile_file(args[0])
    except Exception as exc:  # noqa: BLE001 - a module that does not import: say so, exit 1
        print(f"polyray: --precompile: cannot import {args[0]} ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    for name, note in notes.items():
        print(f"polyray: --precompile: {name}: {note}" if name else f"polyray: --precompile: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
