"""The fuzzer's comparison in close mode (issue 16): the variant against the original
within the bound of each operation, derived from the program and its inputs.

A function the close-mode report gives no closeNote must match bit for bit, as
in exact mode. A close-mode function from the generator's close family
(generate._CloseFn) returns one bounded operation, described by its spec's
`bound`: its result must lie within, per element,
- a reduction: polyray.runtime.close_bounds' bound for its operand (evaluated
  from the inputs), axis and ddof, with NumPy's order taken as the worst
  (row after row, n - 1 roundings);
- a ufunc or a power: the documented ULP bound of that function (ULP_BOUNDS);
- a product: 2*gamma_k*(|A|@|B|), k the summed dimension;
with the same shape, dtype, NaN and inf positions. Any other function with
close notes (an ordinary family's `X[:, :] = Y @ Z` in close mode) has no bound
the runner can derive: its outcome kind and its non-float arrays are compared,
its float values are counted as unbounded, never passed through a blanket
tolerance.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from polyray.runtime import close_bounds as cb


def _values(x: Any) -> np.ndarray:
    return np.asarray(x)


def tolerance(bound: dict[str, Any], args: dict[str, Any]) -> Any:
    """The per-element bound of a close-family function's result on these inputs (an array, or a scalar)."""
    env = {"np": np, **args}
    if bound["op"] == "product":
        a, b = eval(bound["a"], env), eval(bound["b"], env)  # noqa: S307 - the generator's own expressions
        return cb.product_tolerance(a, b)
    x = np.asarray(eval(bound["operand"], env), dtype=np.float64)  # noqa: S307
    axis, op, ddof = bound["axis"], bound["op"], bound["ddof"]
    with np.errstate(all="ignore"):
        if op == "sum":
            t = cb.sum_tolerance(x, axis)
        elif op == "mean":
            t = cb.mean_tolerance(x, axis)
        elif op == "var":
            t = cb.var_tolerance(x, axis, ddof)
        else:
            # |s1 - s2| = |v1 - v2| / (s1 + s2) <= Δvar / s (s NumPy's), and <= sqrt(Δvar) always; each sqrt rounds once
            s = np.std(x, axis=axis, ddof=ddof)
            tv = cb.var_tolerance(x, axis, ddof)
            through = np.where(s > 0, np.minimum(tv / np.where(s > 0, s, 1.0), np.sqrt(tv)), np.sqrt(tv))
            t = through + 2 * cb.U * (np.abs(s) + np.sqrt(tv))
    if bound["keepdims"] and axis is not None:
        t = np.expand_dims(t, axis)
    return t


def within_bound(spec_bound: dict[str, Any], want: Any, got: Any, args: dict[str, Any], ulp: dict[str, dict[str, int]],
                 ulp_distance: Any) -> str | None:
    """None when got is within the bound of want, else what differs."""
    w, g = _values(want), _values(got)
    if type(want) is not type(got) and not (isinstance(want, (float, np.floating)) and isinstance(got, (float, np.floating))):
        return f"return type: original {type(want).__name__} vs variant {type(got).__name__}"
    if w.shape != g.shape or w.dtype != g.dtype:
        return f"return shape/dtype: original {w.shape} {w.dtype} vs variant {g.shape} {g.dtype}"
    if spec_bound["op"] == "ulp":
        k = ulp[spec_bound["fn"]]["float64"]
        d, mismatch = ulp_distance(np.atleast_1d(w), np.atleast_1d(g))
        if mismatch or d > k:
            return f"{spec_bound['fn']}: {d} ULP (bound {k}), {mismatch} NaN/inf position mismatches"
        return None
    tol = tolerance(spec_bound, args)
    if not cb.within(g, w, tol):
        with np.errstate(all="ignore"):
            worst = np.nanmax(np.abs(np.atleast_1d(g - w) - np.atleast_1d(np.broadcast_to(tol, w.shape)))) if w.size else 0
        return f"{spec_bound['op']}: outside the bound ({worst!r} past it, or NaN/inf positions differ)"
    return None
