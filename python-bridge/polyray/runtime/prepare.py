"""Preparing the GPU and Ray variants in the background, per call signature (issue 19).

The CPU variant compiles its forms on the background worker (cpu.py, background.py); the
GPU and Ray variants have their own first-call costs: numba.cuda compiles each kernel at its
first launch (NVVM, seconds), and Ray starts or connects its cluster and each worker compiles
the block function at its first task. Under ``auto`` (a call that does not wait for the JIT)
a call whose signature is not prepared yet queues that preparation on the same worker
(gated: it starts once the call has returned), runs the original meanwhile, and its record
says so ("gpu variant compiling: 1.2 s so far; ran original"); a later call runs the variant.
A forced target, ``POLYRAY_JIT_WAIT=1`` or the setting still prepare inside the call, as before.

One preparation per signature, whatever the number of calls or threads that ask (the jobs
are created under a lock), and a bounded table of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from . import background
from .variants import VariantCompiling, VariantFailed

#: signatures remembered per variant (the oldest finished one is forgotten beyond it)
MAX_JOBS = 64


class Preparations:
    """The background preparations of one variant, keyed by call signature.

    ``prepare(job)`` runs on the worker; it reports a failure that holds for the signature by
    setting ``job.results["failed"]`` to the reason (and ``job.results["per_signature"]`` to
    False for one of the moment, such as a cluster that does not answer).
    """

    __slots__ = ("what", "_jobs", "_lock", "_report")

    def __init__(self, what: str) -> None:
        self.what = what
        self._jobs: dict[Hashable, background.Job] = {}
        self._lock = threading.Lock()
        self._report = threading.local()

    def ready(self, key: Hashable, prepare: Callable[[], Callable[[background.Job], None]]) -> None:
        """Return when the preparation for ``key`` is done; else queue it (``prepare()`` makes its work,
        called once) and raise :class:`VariantCompiling`. A preparation that failed raises
        :class:`VariantFailed` (for the signature, unless it said otherwise)."""
        job = self._jobs.get(key)
        if job is None:
            with self._lock:
                job = self._jobs.get(key)
                if job is None:
                    if len(self._jobs) >= MAX_JOBS:
                        old = next((k for k, j in self._jobs.items() if j.done.is_set()), None)
                        if old is not None:
                            del self._jobs[old]
                    job = background.submit(key, prepare(), gated=True)
                    self._jobs[key] = job
        if not job.done.is_set():
            raise VariantCompiling(f"{self.what} compiling: {job.elapsed():.1f} s so far", job.elapsed())
        failed = job.results.get("failed") or job.error
        if failed:
            per_signature = bool(job.results.get("per_signature", True))
            if not per_signature:
                with self._lock:  # of the moment: prepared again on a later call
                    if self._jobs.get(key) is job:
                        del self._jobs[key]
            raise VariantFailed(str(failed), per_signature=per_signature)
        if not job.reported:  # its time goes into the record of the first call that runs the variant
            job.reported = True
            self._report.extra = {"jit_seconds": job.compile_seconds(), "jit_waited_seconds": 0.0}

    def take_report(self) -> dict[str, Any]:
        """Run-record keys of this thread's call that first ran a prepared signature (then forgotten)."""
        extra = getattr(self._report, "extra", None)
        self._report.extra = None
        return extra or {}


def waits(wait: bool) -> bool:
    """Whether this call prepares the variant itself: a forced target (``wait``) or POLYRAY_JIT_WAIT."""
    return wait or background.jit_wait()
