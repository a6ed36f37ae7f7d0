"""What a dispatcher needs from a compiled variant (cpu now; gpu, ray later)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

#: Variant names a dispatcher accepts in ``variants=`` (besides the original).
VARIANT_NAMES: tuple[str, ...] = ("cpu", "gpu", "ray")


def first_line(text: str) -> str:
    """First non-empty line of an error message, for run records.

    Numba's typing errors start with a generic "Failed in ... pipeline" line;
    then the next non-empty line (the actual problem) is appended.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return text.strip()
    if lines[0].startswith("Failed in") and len(lines) > 1:
        return f"{lines[0]}: {lines[1]}"
    return lines[0]


def short_error(exc: BaseException) -> str:
    """``Type: first line`` of an exception (its type alone when it has no message)."""
    text = first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class VariantFailed(Exception):
    """A variant could not run these arguments, before touching them.

    Raised by :meth:`Variant.run` for failures that happen before any of the
    variant's code runs (backend missing, compile/typing failure). The
    dispatcher then runs the original and records ``reason``.
    """

    #: whether the failure holds for every call with the same argument types (the dispatcher
    #: then does not try the variant again for them); False for failures of the moment
    #: (a cluster that does not answer) and for data-dependent ones (VariantRolledBack)
    per_signature: bool = True

    def __init__(self, reason: str, per_signature: bool | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if per_signature is not None:
            self.per_signature = per_signature


def snapshot(args: tuple[Any, ...], positions: tuple[int, ...] | list[int]) -> list[tuple[Any, Any]]:
    """Copies (same layout) of the array arguments at ``positions``, for :func:`restore`.

    The dispatcher's guards exclude aliasing between arguments, so restoring one
    copy cannot overwrite another argument's elements.
    """
    import numpy as np

    return [(args[k], args[k].copy(order="K")) for k in positions if isinstance(args[k], np.ndarray)]


def restore(saved: list[tuple[Any, Any]]) -> None:
    """Writes the copies :func:`snapshot` took back into their arrays."""
    import numpy as np

    for array, copy in saved:
        np.copyto(array, copy)


class VariantRolledBack(VariantFailed):
    """A speculative variant ran, found that Python would have raised, and undid its writes.

    Unlike other failures this depends on the data, not on the variant's
    availability: the dispatcher runs the original without ruling the variant out.
    """

    per_signature = False


class LeftToOriginal(VariantRolledBack):
    """Raised inside compiled code by a helper that meets a value whose outcome only the original can give
    (CPython's ``int()`` of a NaN, an infinity or a float past int64: an exception, or a big int): the CPU
    variant (``undo=``) restores its written arrays and the original runs."""


class AmbiguousExtreme(LeftToOriginal):
    """Raised inside compiled code by exact mode's float max/min (runtime/axis_extrema.py) where NumPy's
    result bits depend on its SIMD lanes (a zero of both signs, a NaN of other bits): the CPU variant
    restores its written arrays and the original runs."""


class VariantCompiling(VariantFailed):
    """The variant is being compiled for these argument types in the background (background.py).

    Nothing ran; the original runs meanwhile, and the variant is not ruled out: a later call runs it.
    ``seconds``: how long the compile has been under way (queued included).
    """

    per_signature = False

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


def call_signature(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """What a compiled variant's success depends on in ``args``: per array its type, dtype,
    rank, layout and writeability; per other value its type. Cheap (no backend import)."""
    import numpy as np

    key: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray):
            flags = a.flags
            layout = "C" if flags.c_contiguous else "F" if flags.f_contiguous else "A"
            key.append((type(a), a.dtype.str, a.ndim, layout, flags.writeable))
        else:
            dtype = getattr(a, "dtype", None)  # device arrays, NumPy scalars
            key.append((type(a), str(dtype), getattr(a, "ndim", None)) if dtype is not None else type(a))
    return tuple(key)


@runtime_checkable
class Variant(Protocol):
    """A compiled variant of one function."""

    def unavailable_reason(self) -> str | None:
        """None when the variant may be tried, else why it is known not to work.

        Dispatchers cache their choice per requested target and drop the cache
        when run() raises VariantFailed: a variant whose availability changes
        must signal it by raising VariantFailed from run().
        """
        ...

    def run(self, args: tuple[Any, ...]) -> Any:
        """Run on positional ``args``.

        Raise :class:`VariantFailed` when it cannot run them (before running
        anything); any other exception comes from running the code and is the
        caller's exception.
        """
        ...
