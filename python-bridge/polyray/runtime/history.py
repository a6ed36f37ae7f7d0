"""Run records: one dict per dispatcher call, newest last, bounded."""

from __future__ import annotations

from collections import deque
from typing import Any

MAX_RECORDS: int = 100_000

Record = dict[str, Any]

_records: deque[Record] = deque(maxlen=MAX_RECORDS)


def record(entry: Record) -> None:
    """Append one run record (drops the oldest past MAX_RECORDS)."""
    _records.append(entry)


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
