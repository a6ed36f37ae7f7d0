"""The numerics mode a compile asks for (issue 16, docs/ARCHITECTURE.md "Numerics").

``close`` (the default): compiled code may differ from the original by
floating-point rounding only, within the bounds docs/reliability.md states;
``exact``: bit for bit. Chosen like the target: the magic's or decorator's
flag, then ``POLYRAY_NUMERICS``, then the JupyterLab setting, then ``close``.
The compiler only obeys the mode it is given; this module resolves it.
"""

from __future__ import annotations

import os
import sys

MODES = ("exact", "close")
DEFAULT = "close"
ENV = "POLYRAY_NUMERICS"


def resolve(flag: str | None = None, setting: str | None = None) -> str:
    """flag > $POLYRAY_NUMERICS > setting > ``close``.

    A flag outside MODES is the caller's error (ValueError). An environment value
    that names no mode gives ``exact`` with a warning on stderr: whoever set it
    meant to choose, and the mode that never changes a result is the safe reading.
    """
    if flag is not None:
        if flag not in MODES:
            raise ValueError(f"numerics must be one of {', '.join(MODES)}, got {flag!r}")
        return flag
    raw = os.environ.get(ENV, "").strip()
    if raw:
        if raw in MODES:
            return raw
        print(f"polyray: {ENV}={raw!r} names no numerics mode (exact or close); using exact", file=sys.stderr)
        return "exact"
    if setting in MODES:
        return setting  # type: ignore[return-value]
    return DEFAULT


def module_numerics(module: object) -> str:
    """The mode a generated module was compiled for (its ``_polyray_numerics``; older modules were exact)."""
    return str(getattr(module, "_polyray_numerics", "exact"))
