"""How many Numba compiles a background job made (issue 18: the first call's Numba cost per function).

The worker (background.py) reads :func:`compiles` before and after each job; the CPU variant's run record
then says ``jit_compiles`` (and ``jit_cpu_seconds``, the worker's CPU time for the job, which the machine's
load stretches less than ``jit_seconds``). A compile is one outermost ``numba:compile`` event of Numba's
event API on the calling thread: a variant, a callee it binds, an ``@overload``'s implementation typed inside
it all count once, as the one compile they are part of. The listener is registered once per process, when
the worker first runs a job; it costs two attribute updates per event.
"""

from __future__ import annotations

import threading
from typing import Any

_local = threading.local()
_lock = threading.Lock()
_installed = False


def install() -> bool:
    """Register the listener (once per process); False where Numba's event API is missing (no count then)."""
    global _installed
    with _lock:
        if _installed:
            return True
        try:
            from numba.core import event
        except Exception:  # noqa: BLE001 - numba missing or broken: the job reports that itself
            return False

        class _Outermost(event.Listener):  # type: ignore[misc]
            def on_start(self, ev: Any) -> None:
                _local.depth = getattr(_local, "depth", 0) + 1

            def on_end(self, ev: Any) -> None:
                depth = getattr(_local, "depth", 1) - 1
                _local.depth = depth
                if depth == 0:
                    _local.count = getattr(_local, "count", 0) + 1

        event.register("numba:compile", _Outermost())
        _installed = True
        return True


def compiles() -> int:
    """Outermost Numba compiles this thread has made since :func:`install`."""
    return int(getattr(_local, "count", 0))
