"""How a result is judged: NPBench's own relative-error test, plus a bit-for-bit column.

``npbench_valid`` follows ``npbench/infrastructure/utilities.py:validate`` (NPBench
commit f2d7f27 and later): each output passes when ``np.allclose(ref, val, rtol,
atol)`` holds, or else when the relative error ``||ref - val|| / ||ref||`` is below
``norm_error``; the benchmark's JSON may set ``rtol``, ``atol`` and ``norm_error``.
NPBench zips the two lists of outputs; a different count is a wrong result here
(NPBench would silently compare the shorter prefix).
"""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE_KEYS = ("rtol", "atol", "norm_error")


def as_list(out: Any) -> list[Any]:
    """NPBench's view of a call's outputs: a tuple or list as is, None as nothing, else one value."""
    if out is None:
        return []
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def relative_error(ref: Any, val: Any) -> float:
    return float(np.linalg.norm(ref - val) / np.linalg.norm(ref))


def npbench_valid(ref: list[Any], val: list[Any], rtol: float = 1e-5, atol: float = 1e-8,
                  norm_error: float = 1e-5) -> tuple[bool, str]:
    """(valid, why not) as NPBench's validate decides it."""
    if len(ref) != len(val):
        return False, f"{len(val)} outputs, NumPy gives {len(ref)}"
    worst = []
    for k, (r, v) in enumerate(zip(ref, val)):
        try:
            if np.allclose(r, v, rtol=rtol, atol=atol):
                continue
            err = relative_error(np.asarray(r), np.asarray(v))
        except Exception as exc:  # noqa: BLE001 - shapes or types that do not compare are wrong results
            return False, f"output {k} does not compare ({type(exc).__name__}: {exc})"
        if err < norm_error:
            continue
        worst.append(f"output {k}: relative error {err:.3g}")
    return (not worst), "; ".join(worst)


def bitwise_equal(ref: list[Any], val: list[Any]) -> bool:
    """Same count, and each output has the same dtype, shape and bytes (NaNs included)."""
    if len(ref) != len(val):
        return False
    for r, v in zip(ref, val):
        a, b = np.asarray(r), np.asarray(v)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if np.ascontiguousarray(a).tobytes() != np.ascontiguousarray(b).tobytes():
            return False
    return True
