"""Run records: one dict per dispatcher call, newest last, bounded."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

MAX_RECORDS: int = 100_000

Record = dict[str, Any]

_records: deque[Record] = deque(maxlen=MAX_RECORDS)

# Called with each new record (the magic's report aggregator); a tuple,
# replaced on change, so record() never sees it mid-update.
_listeners: tuple[Callable[[Record], None], ...] = ()


def record(entry: Record) -> None:
    """Append one run record (drops the oldest past MAX_RECORDS) and tell the listeners."""
    _records.append(entry)
    if _listeners:
        notify(entry)


#: ``append(entry)`` without the listeners: the dispatcher's hot path (hot.py) appends its shared record so,
#: and calls :func:`notify` only while there are listeners.
append = _records.append


def notify(entry: Record) -> None:
    """Tell the listeners of a record just appended."""
    for listener in _listeners:
        try:
            listener(entry)
        except Exception as exc:  # noqa: BLE001 - a report that fails must not fail the user's call
            entry.setdefault("listener_error", f"{type(exc).__name__}: {exc}")


def add_listener(listener: Callable[[Record], None]) -> None:
    """Call ``listener(record)`` for every new record (once, however often added)."""
    global _listeners
    if listener not in _listeners:
        _listeners = (*_listeners, listener)


def remove_listener(listener: Callable[[Record], None]) -> None:
    global _listeners
    _listeners = tuple(x for x in _listeners if x is not listener)


def history() -> list[Record]:
    """Copies of the run records, oldest first.

    Each record has at least: function, variant, seconds, nodes, reason, target;
    plus "error" (exception type name) when the call raised.
    """
    out: list[Record] = []
    for entry in list(_records):
        copy = dict(entry)
        copy["nodes"] = list(entry.get("nodes", ()))
        out.append(copy)
    return out


def clear_history() -> None:
    """Forget all run records."""
    _records.clear()
