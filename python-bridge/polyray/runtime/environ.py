"""Reading the environment on every call, cheaply.

``os.environ.get`` encodes the key and decodes the value on each call (about
0.5 us on a loaded machine; the dispatcher's full path read seven variables per
call). On POSIX ``os.environ`` keeps its encoded items in ``_data``, which every
write through ``os.environ`` updates (``os.putenv`` alone reaches neither), so
one dict lookup with the key encoded once reads the same value.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

_data = getattr(os.environ, "_data", None)
if os.name == "posix" and isinstance(_data, dict):
    #: the raw value (bytes) of an encoded key, or None: compare raw values with raw values
    raw_get: Callable[[Any], Any] = _data.get
    _ENCODING = sys.getfilesystemencoding()

    def key(name: str) -> Any:
        """``name`` as ``os.environ`` keeps it."""
        return name.encode(_ENCODING, "surrogateescape")

    def _decode(raw: Any) -> str:
        return raw.decode(_ENCODING, "surrogateescape")
else:  # pragma: no cover - Windows: os.environ keeps upper-cased str keys and str values
    raw_get = os.environ.get

    def key(name: str) -> Any:
        return name

    def _decode(raw: Any) -> str:
        return raw

_keys: dict[str, Any] = {}


def get(name: str, default: str | None = None) -> str | None:
    """``os.environ.get(name, default)``, at the cost of two dict lookups and a decode."""
    k = _keys.get(name)
    if k is None:
        k = _keys[name] = key(name)
    raw = raw_get(k)
    return default if raw is None else _decode(raw)
