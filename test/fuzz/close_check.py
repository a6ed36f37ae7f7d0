"""The fuzzer's comparison in close mode (issue 16): the variant against the original
within the bound of each operation, derived from the program and its inputs.

A function the close-mode report gives no closeNote must match bit for bit, as
in exact mode. A close-mode function from the generator's close family
(generate._CloseFn) returns one bounded operation, described by its spec's
`bound`: its result must lie within, per element,
- a reduction: polyray.runtime.close_bounds' bound for its operand (evaluated
  from the inputs, float32 operands with float32's unit roundoff), axis (an int
  or a tuple) and ddof, with NumPy's order taken as the worst
  (row after row, n - 1 roundings);
- a ufunc or a power: the documented ULP bound of that function (ULP_BOUNDS), its
  float32 column for float32 results;
- a complex power with a float exponent: 16*eps*(1 + |b*log a|)*|a**b| (docs/reliability.md);
- max/min along axes, complex products and integer powers (families.ArrayFn, "exact"): the
  same bits, in close mode as in exact mode;
- a product: 2*gamma_k*(|A|@|B|), k the summed dimension;
- a selection's reduction (families.ArrayFn's masked per bin, weighted histogram, CSR rows): the
  sum or mean bound of the terms each element reduces;
- the NumPy table's rows (families.TableFn): each row's stated bound (cumsum: 2*gamma(n)*cumsum|x|;
  linalg.norm: (0.52n + 1.01)*eps*||x||; solve/inv: 4n*eps*cond(A)*max|x|; cholesky:
  8n*eps*sqrt(max|A|); cov: its closeBound; np.fft: close_bounds.fft_tolerance);
with the same shape, dtype, NaN and inf positions. Any other function with
close notes (an ordinary family's `X[:, :] = Y @ Z` in close mode) has no bound
the runner can derive: its outcome kind and its non-float arrays are compared,
its float values are counted as unbounded, never passed through a blanket
tolerance.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from polyray.runtime import close_bounds as cb


def _values(x: Any) -> np.ndarray:
    return np.asarray(x)


def _table_tolerance(bound: dict[str, Any], env: dict[str, Any], want: np.ndarray) -> Any:
    """The close-mode bounds of the NumPy table's rows (families.TableFn), each the row's stated one
    (src/compiler/types/numpy-table.ts closeBound, docs/reliability.md), per result element."""
    op = bound["op"]
    if op == "fft":
        a = np.asarray(eval(bound["operand"], env))  # noqa: S307 - the generator's own expressions
        fn, norm = bound["fn"], bound.get("norm")
        if fn == "irfft":
            return cb.fft_tolerance(fn, a, 2 * (a.shape[-1] - 1), norm)
        if fn == "irfft2":
            # H = rfft2(A) computed in the program (each entry within t of NumPy's), then irfft2(H, s, norm):
            # its own bound, plus H's error carried through the inverse (sum over the Hermitian extension,
            # 2 * H.size entries, times the inverse's factor: 1/N backward, 1/sqrt(N) ortho, 1 forward)
            shape = tuple(eval(bound["s"], env))  # noqa: S307
            n = max(int(np.prod(shape)), 1)
            t = cb.fft_tolerance("rfft2", np.asarray(eval("A", env)), n)  # noqa: S307
            factor = 1.0 if norm == "forward" else 1.0 / math.sqrt(n) if norm == "ortho" else 1.0 / n
            return cb.fft_tolerance(fn, a, n, norm) + 2 * a.size * t * factor
        if fn in ("fftn", "rfft2"):
            return cb.fft_tolerance(fn, a, a.size if fn == "fftn" else int(np.prod(a.shape[-2:])), norm)
        return cb.fft_tolerance(fn, a, a.shape[-1], norm)
    x = np.asarray(eval(bound.get("operand") or bound["a"], env))  # noqa: S307
    x = x if x.dtype.kind == "c" else x.astype(np.float64)  # (complex operands: the norm row)
    eps = float(np.finfo(np.float64).eps)
    with np.errstate(all="ignore"):
        if op == "cumsum":
            # any order of each prefix's additions is within gamma(k) of its exact sum, k <= n: twice that apart
            return 2 * cb.gamma(x.size) * np.cumsum(np.abs(x.ravel()))
        if op == "norm":
            # the norm row: <= (0.52 n + 1.01) eps ||x||, n the entries (NumPy's sqrt(x.dot(x)) on both sides);
            # complex: two dots and an addition, (1.04 n + 1.01) eps ||x|| (types/norms.ts NORM_COMPLEX_DOT_BOUND)
            return ((1.04 if x.dtype.kind == "c" else 0.52) * x.size + 1.01) * eps * np.abs(want)
        n = x.shape[0]
        if x.size == 0:
            return 0.0  # an empty result (np.linalg.cond refuses an empty matrix)
        if op == "lu":
            # solve/inv rows: both backward stable, about n eps cond(A) relative to the result (test_numpy_table's 4x)
            return 4 * n * eps * np.linalg.cond(x) * (np.max(np.abs(want)) if want.size else 0.0)
        if op == "cholesky":
            # the cholesky row: both backward stable, ||A - L L^T|| <= c n eps ||A||; entries of L within 8 n eps sqrt(max|A|)
            return 8 * n * eps * (np.max(np.abs(x)) if x.size else 0.0) ** 0.5
        if op == "cov":
            # the cov row: <= 3.03 n eps sum_k (|x_ik| + |m_i|)(|x_jk| + |m_j|) / (n - 1), n the observations
            obs = x.shape[1]
            t = np.abs(x) + np.abs(np.mean(x, axis=1))[:, None]
            return 3.03 * obs * eps * (t @ t.T) / (obs - 1) if obs > 1 else np.inf
    raise ValueError(f"unknown bound {op!r}")


TABLE_OPS = ("fft", "cumsum", "norm", "lu", "cholesky", "cov")
#: the bounds of families.ArrayFn's masked, histogram and csr kinds, each a reduction over a selection
SELECTION_OPS = ("binned", "histogram", "csr")


def _selection_tolerance(bound: dict[str, Any], env: dict[str, Any], want: np.ndarray) -> Any:
    """Per result element, the sum (or mean) bound of the terms that element reduces: each bin's
    selection (masked, as the program selects it), each histogram bin's weights (summed in either
    order: gamma of the count, twice), each CSR row's products (a dot's bound, Higham's Thm 3.5)."""
    op = bound["op"]
    with np.errstate(all="ignore"):
        if op == "binned":
            x, y, k = np.asarray(env["x"]), np.asarray(env["y"]).astype(np.float64), int(env["k"])
            rmax = x.max()
            out = np.zeros(max(k, 0))
            for i in range(k):
                vals = y[np.logical_and(rmax * i / k <= x, x < rmax * (i + 1) / k)]
                out[i] = cb.mean_tolerance(vals) if bound["reduce"] == "mean" else cb.sum_tolerance(vals)
            return out
        if op == "histogram":
            w = np.asarray(env["w"]).astype(np.float64)
            call = bound["call"].replace("weights=w", "weights=np.abs(w)")
            return 2 * cb.gamma(max(w.size, 1)) * np.asarray(eval(call, env)[0])  # noqa: S307 - the generator's own call
        ptr, col = np.asarray(env["rowptr"]), np.asarray(env["col"])
        val, x = np.asarray(env["val"]).astype(np.float64), np.asarray(env["x"]).astype(np.float64)
        out = np.zeros(want.shape)
        for i in range(want.shape[0]):
            lo, hi = int(ptr[i]), int(ptr[i + 1])
            terms = np.abs(val[lo:hi] * x[col[lo:hi]])
            out[i] = 2 * cb.gamma(max(terms.size, 1)) * np.sum(terms)
        return out


def tolerance(bound: dict[str, Any], args: dict[str, Any], want: Any = None) -> Any:
    """The per-element bound of a close-family function's result on these inputs (an array, or a scalar)."""
    env = {"np": np, **args}
    if bound["op"] in SELECTION_OPS:
        return _selection_tolerance(bound, env, np.asarray(want))
    if bound["op"] in TABLE_OPS:
        return _table_tolerance(bound, env, np.asarray(want))
    if bound["op"] == "product":
        a, b = eval(bound["a"], env), eval(bound["b"], env)  # noqa: S307 - the generator's own expressions
        return cb.product_tolerance(a, b)
    x = np.asarray(eval(bound["operand"], env))  # noqa: S307
    if x.dtype != np.float32:
        x = x.astype(np.float64)  # float32 operands keep their dtype: both sides reduce in float32 (cb.unit)
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
            s = np.std(x.astype(np.float64), axis=axis, ddof=ddof)
            tv = cb.var_tolerance(x, axis, ddof)
            through = np.where(s > 0, np.minimum(tv / np.where(s > 0, s, 1.0), np.sqrt(tv)), np.sqrt(tv))
            t = through + 2 * cb.unit(x) * (np.abs(s) + np.sqrt(tv))
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
    if spec_bound["op"] == "exact":
        # max/min, complex products and powers by NumPy's own algorithm: NumPy's bits in both modes
        if not _same_bits(w, g):
            return f"exact operation: original {w!r:.200} vs variant {g!r:.200}"
        return None
    if spec_bound["op"] == "cpow":
        return _within_cpow(spec_bound, w, g, args)
    if spec_bound["op"] == "ulp":
        k = ulp[spec_bound["fn"]]["float32" if w.dtype == np.float32 else "float64"]
        d, mismatch = ulp_distance(np.atleast_1d(w), np.atleast_1d(g))
        if mismatch or d > k:
            return f"{spec_bound['fn']}: {d} ULP (bound {k}), {mismatch} NaN/inf position mismatches"
        return None
    tol = tolerance(spec_bound, args, w)
    if not cb.within(g, w, tol):
        with np.errstate(all="ignore"):
            worst = np.nanmax(np.abs(np.atleast_1d(g - w) - np.atleast_1d(np.broadcast_to(tol, w.shape)))) if w.size else 0
        return f"{spec_bound['op']}: outside the bound ({worst!r} past it, or NaN/inf positions differ)"
    return None


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values with NaN equal to NaN and the signs of zeros kept (the runner's own rule)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    parts = (a.real, a.imag, b.real, b.imag) if a.dtype.kind == "c" else (a, a * 0, b, b * 0)
    ar, ai, br, bi = (np.asarray(p) for p in parts)
    return all(bool(np.array_equal(np.isnan(x), np.isnan(y)) and np.array_equal(x[~np.isnan(x)], y[~np.isnan(y)])
                    and np.array_equal(np.signbit(x[~np.isnan(x)]), np.signbit(y[~np.isnan(y)]))) for x, y in ((ar, br), (ai, bi)))


def _within_cpow(bound: dict[str, Any], w: np.ndarray, g: np.ndarray, args: dict[str, Any]) -> str | None:
    """A complex power with a float exponent (docs/reliability.md, complex powers): close mode's
    |result - NumPy's| <= 16*eps*(1 + |b*log a|)*|a**b| where NumPy's result is finite and normal
    (each part); NaN and inf positions as NumPy's; elsewhere (zero, subnormal parts) the same bits."""
    a = np.asarray(args[bound["base"]]).astype(np.complex128)
    b = bound["exp"]
    eps = float(np.finfo(w.real.dtype).eps)
    with np.errstate(all="ignore"):
        tol = 16 * eps * (1 + np.abs(b * np.log(a))) * np.abs(w.astype(np.complex128))
    for part in ("real", "imag"):
        wp, gp = getattr(w, part), getattr(g, part)
        if not (np.array_equal(np.isnan(wp), np.isnan(gp)) and np.array_equal(np.isinf(wp), np.isinf(gp))):
            return f"complex power: NaN/inf positions differ ({part} part)"
        inf = np.isinf(wp)
        if not np.array_equal(wp[inf], gp[inf]):
            return f"complex power: infinities differ ({part} part)"
        finite = np.isfinite(wp)
        normal = finite & (np.abs(w.astype(np.complex128)) >= np.finfo(w.real.dtype).tiny)
        with np.errstate(all="ignore"):
            err = np.abs(gp.astype(np.float64) - wp.astype(np.float64))
        if np.any(err[normal] > tol[normal]):
            worst = float(np.max(err[normal] / np.where(tol[normal] > 0, tol[normal], np.inf)))
            return f"complex power: {worst:.3g} times the bound 16*eps*(1 + |b log a|)*|a**b| ({part} part)"
        rest = finite & ~normal
        if not np.array_equal(gp[rest], wp[rest]):
            return f"complex power: a zero or subnormal result differs ({part} part)"
    return None
