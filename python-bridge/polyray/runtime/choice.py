"""Which variant runs for a forced target (availability, fallbacks); `auto` is cost.py's.

Pure functions of their inputs; the dispatcher reads the environment and
passes the requested target in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .variants import Variant

TARGETS: Final = ("auto", "original", "cpu", "gpu", "ray")

#: Variants a size-blind `auto` (:func:`choose`) tries, best first. The dispatcher
#: itself decides `auto` with the cost model (:mod:`polyray.runtime.cost`).
AUTO_ORDER: Final = ("cpu", "gpu", "ray")

#: Variants a requested-but-unavailable target falls back to, best first.
FALLBACK_ORDER: Final = ("cpu",)


@dataclass(frozen=True, slots=True)
class Choice:
    """The variant to run ("original" or a key of ``variants``) and why."""

    variant: str
    reason: str


def _usable(name: str, variants: Mapping[str, Variant]) -> str | None:
    """None if variant ``name`` may be tried, else why not."""
    variant = variants.get(name)
    if variant is None:
        return "no such variant"
    return variant.unavailable_reason()


def _auto_ok(name: str, variants: Mapping[str, Variant]) -> bool:
    exclusion = getattr(variants[name], "auto_exclusion", None)
    return exclusion is None or exclusion() is None


def _best(order: tuple[str, ...], variants: Mapping[str, Variant]) -> str:
    for name in order:
        if name in variants and _usable(name, variants) is None and _auto_ok(name, variants):
            return name
    return "original"


def choose(requested: str, function: str, variants: Mapping[str, Variant]) -> Choice:
    """Pick the variant for one call of ``function`` given the requested target."""
    if requested == "original":
        return Choice("original", "POLYRAY_TARGET=original")
    if requested == "auto":
        best = _best(AUTO_ORDER, variants)
        if best == "original":
            return Choice("original", f"auto: {_why_none(AUTO_ORDER, function, variants)}")
        return Choice(best, f"auto: {best} variant")
    if requested not in TARGETS:
        best = _best(AUTO_ORDER, variants)
        note = f"unknown POLYRAY_TARGET {requested!r} (expected one of {', '.join(TARGETS)}); behaving as auto"
        if best == "original":
            return Choice("original", f"{note}: {_why_none(AUTO_ORDER, function, variants)}")
        return Choice(best, f"{note}: {best} variant")
    # an explicit variant
    problem = _usable(requested, variants)
    if problem is None:
        return Choice(requested, f"POLYRAY_TARGET={requested}")
    if requested not in variants:
        problem = f"{function} has no {requested} variant"
    best = _best(FALLBACK_ORDER, variants)
    return Choice(best, f"{requested} variant not available: {problem}; using {best}")


def _why_none(order: tuple[str, ...], function: str, variants: Mapping[str, Variant]) -> str:
    reasons = []
    for name in order:
        if name in variants:
            reasons.append(f"{name} variant not available: {_usable(name, variants)}")
    if not reasons:
        return f"{function} has no compiled variant"
    return "; ".join(reasons)
