"""Reading the environment on every call, cheaply.

``os.environ.get`` encodes the key and decodes the value on each call (about
0.5 us on a loaded machine; the dispatcher's full path read seven variables per
call). On POSIX ``os.environ`` keeps its encoded items in ``_data``, which every
write through ``os.environ`` updates (``os.putenv`` alone reaches neither), so
one dict lookup with the key encoded once reads the same value.

Writes are watched instead of read on every call where that is cheaper: that store
is replaced by a dict subclass that tells :func:`watch`'s listeners of every write that changes a value
(the hot paths then drop their decisions, dispatcher.py), so a hot call reads no
environment variable at all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

#: Called with no argument after every write through ``os.environ`` that changes it (set to another value, delete): the dispatchers' hot paths
#: and kept-original fast paths drop what they decided under the old environment (watch()).
_listeners: list[Callable[[], None]] = []


_ABSENT = object()


class _Watched(dict):  # type: ignore[type-arg]
    """``os.environ``'s own store, telling the listeners of every write that changes a value (``os.environ``
    writes its ``_data`` with ``[key] = value`` and ``del``; the other methods are covered too). Reading is a
    plain dict's."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        # a write of the value already there changes nothing the listeners decided on: a loop that sets
        # POLYRAY_TARGET (or any variable) to the same value before each call keeps its hot paths
        same = super().get(key, _ABSENT) == value
        super().__setitem__(key, value)
        if not same:
            _changed()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        _changed()

    def pop(self, *args: Any) -> Any:
        try:
            return super().pop(*args)
        finally:
            _changed()

    def popitem(self) -> Any:
        try:
            return super().popitem()
        finally:
            _changed()

    def clear(self) -> None:
        super().clear()
        _changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        _changed()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        try:
            return super().setdefault(key, default)
        finally:
            _changed()


def _changed() -> None:
    for listener in tuple(_listeners):
        try:
            listener()
        except Exception:  # noqa: BLE001 - a listener's failure must not fail the user's os.environ write
            pass


def watch(listener: Callable[[], None]) -> bool:
    """Call ``listener()`` after every write through ``os.environ`` that changes a value, from now on. False
    where writes cannot be watched (not POSIX): callers must then read the environment on every call."""
    if not WATCHED:
        return False
    _listeners.append(listener)
    return True


_data = getattr(os.environ, "_data", None)
#: whether writes through os.environ reach watch()'s listeners (os.environ and os.environb share one store)
WATCHED = False
if os.name == "posix" and isinstance(_data, dict):
    if type(_data) is dict and getattr(os.environb, "_data", None) is _data:
        _data = _Watched(_data)
        os.environ._data = os.environb._data = _data  # type: ignore[attr-defined]
    WATCHED = isinstance(_data, _Watched)
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
