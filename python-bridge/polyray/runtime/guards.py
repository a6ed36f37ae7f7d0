"""The checks a dispatcher runs before any non-original variant.

In order: argument count, each argument against its :class:`Param`, aliasing
of written arrays, then the optional generated guard. The first failure gives
the reason to run the original instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .params import Check, Param, make_check

GeneratedGuard = Callable[..., "str | None"]


class ArgumentGuard:
    """Precomputed checks for one accelerated function."""

    __slots__ = ("_function", "_names", "_checks", "_pairs", "_guard", "_count")

    def __init__(self, function: str, params: Sequence[Param], guard: GeneratedGuard | None) -> None:
        self._function = function
        self._names: tuple[str, ...] = tuple(p.name for p in params)
        self._count = len(params)
        self._checks: tuple[tuple[int, Check], ...] = tuple(
            (i, make_check(p, function)) for i, p in enumerate(params)
        )
        arrays = [i for i, p in enumerate(params) if p.kind == "array"]
        written = [i for i in arrays if params[i].written]
        pairs: list[tuple[int, int]] = []
        seen: set[frozenset[int]] = set()
        for w in written:
            for a in arrays:
                key = frozenset((w, a))
                if a != w and key not in seen:
                    seen.add(key)
                    pairs.append((w, a))
        self._pairs: tuple[tuple[int, int], ...] = tuple(pairs)
        if guard is not None and not callable(guard):
            raise TypeError(f"Dispatcher {function!r}: guard must be callable or None, got {type(guard).__name__}")
        self._guard = guard

    @property
    def generated(self) -> GeneratedGuard | None:
        """The generated guard (shapes and scalar values), or None."""
        return self._guard

    def __call__(self, args: tuple[object, ...]) -> str | None:
        """None when a compiled variant may run on ``args``, else the reason why not."""
        if len(args) != self._count:
            return (
                f"{self._function} expects {self._count} positional arguments "
                f"({', '.join(self._names)}), got {len(args)}"
            )
        for i, check in self._checks:
            reason = check(args[i])
            if reason is not None:
                return reason
        if self._pairs:
            share = np.may_share_memory
            for w, a in self._pairs:
                if share(args[w], args[a]):  # type: ignore[arg-type]
                    same = " (the same array)" if args[w] is args[a] else ""
                    return (
                        f"argument {self._names[w]!r} of {self._function} is written and shares memory "
                        f"with argument {self._names[a]!r}{same}"
                    )
        if self._guard is not None:
            try:
                reason = self._guard(*args)
            except Exception as exc:  # a broken generated guard must not break the call
                return f"guard of {self._function} raised {type(exc).__name__}: {exc}"
            if reason is not None:
                return f"guard of {self._function}: {reason}"
        return None
