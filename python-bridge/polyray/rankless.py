"""Rankless array hints (issue 17): ``A: npt.NDArray[np.float64]`` names a dtype but no rank.

Most NumPy forms compile without the rank, and such a function compiles once, at definition
(issue 19). The rank-dependent ones (``axis=``, np.diag/np.diagonal, np.trace, ravel/flatten,
np.cumsum along an axis: types/row-rules.ts refuses them on an array of unknown rank) do not; for a
function that uses one, the decorator takes such a parameter's rank (and dtype) from the call, as for
an open ``np.ndarray`` hint (profiling.open_array_hint): each rank is its own signature.
"""

from __future__ import annotations

import ast
import re
import typing
from types import CodeType
from typing import Any

#: functions and methods whose NumPy row needs the array's rank (whatever their arguments)
RANK_CALLS = frozenset({"diag", "diagonal", "trace", "ravel", "flatten", "diagflat"})

_TEXT = re.compile(
    r"(?:npt\.|numpy\.typing\.)?NDArray\[.+\]"
    r"|(?:np\.|numpy\.)?ndarray\[\s*(?:Any|typing\.Any|tuple\[\s*(?:Any|typing\.Any|int)\s*,\s*\.\.\.\s*\])\s*,.+\]")


def rankless_array_hint(annotation: Any) -> bool:
    """Whether an annotation (the object, or its text under ``from __future__ import annotations``) is an
    array hint with a dtype but no rank: ``npt.NDArray[np.float64]``, ``np.ndarray[Any, np.dtype[...]]``."""
    if isinstance(annotation, str):
        return _TEXT.fullmatch(annotation.strip()) is not None
    if getattr(typing.get_origin(annotation), "__name__", None) != "ndarray":
        return False
    args = typing.get_args(annotation)
    if len(args) != 2:
        return False
    shape, dtype = args
    rankless = shape is Any or typing.get_args(shape) in ((Any, ...), (int, ...))
    scalar = typing.get_args(dtype)
    return rankless and len(scalar) == 1 and isinstance(scalar[0], type)


def uses_rank(code: CodeType) -> bool:
    """Whether a function's code (nested code objects included) calls something whose NumPy row needs
    an array's rank: an ``axis=`` keyword (its name tuple is a constant of the code), or a name of
    :data:`RANK_CALLS`. Read from the bytecode: no source needed, and cheap at decoration."""
    if RANK_CALLS.intersection(code.co_names):
        return True
    for const in code.co_consts:
        if isinstance(const, tuple) and "axis" in const:
            return True
        if isinstance(const, CodeType) and uses_rank(const):
            return True
    return False


def node_uses_rank(node: ast.FunctionDef) -> bool:
    """:func:`uses_rank` read from a def's syntax (the notebook magic has the cell's tree, not yet the code)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in RANK_CALLS or any(k.arg == "axis" for k in sub.keywords):
                return True
    return False


def rankless_text(annotation: ast.expr | None) -> bool:
    """Whether a def's parameter annotation, as written, is a rankless array hint (:func:`rankless_array_hint`)."""
    return annotation is not None and rankless_array_hint(ast.unparse(annotation))
