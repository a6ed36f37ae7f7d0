"""Rankless array hints (issue 17): ``A: npt.NDArray[np.float64]`` names a dtype but no rank.

Most NumPy forms compile without the rank, and such a function compiles once, at definition
(issue 19). The rank-dependent ones (``axis=``, np.diag/np.diagonal, np.trace, ravel/flatten,
np.cumsum along an axis: types/row-rules.ts refuses them on an array of unknown rank) do not; for a
function that uses one, the decorator takes such a parameter's rank (and dtype) from the call, as for
an open ``np.ndarray`` hint (profiling.open_array_hint): each rank is its own signature.
"""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path
from types import CodeType
from typing import Any

# The list of rank-dependent forms has one home, rank_forms.json, beside this file: the runtime decides
# before any compile, so it is read here, and test/ts/rank-hint.test.ts checks that every form the
# compiler refuses for an unknown rank (types/rank-hint.ts) is in it.
_FORMS = json.loads((Path(__file__).with_name("rank_forms.json")).read_text(encoding="utf-8"))
#: functions and methods whose NumPy row needs the array's rank (whatever their arguments)
RANK_CALLS = frozenset(_FORMS["calls"])
#: keywords that make a call's row need the array's rank
RANK_KEYWORDS = frozenset(_FORMS["keywords"])

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
    an array's rank: an ``axis=`` keyword (:data:`RANK_KEYWORDS`: a call's keyword names are a constant
    tuple of the code), or a name of :data:`RANK_CALLS`. Read from the bytecode: no source needed, and
    cheap at decoration."""
    if RANK_CALLS.intersection(code.co_names):
        return True
    for const in code.co_consts:
        if isinstance(const, tuple) and RANK_KEYWORDS.intersection(c for c in const if isinstance(c, str)):
            return True
        if isinstance(const, CodeType) and uses_rank(const):
            return True
    return False


def node_uses_rank(node: ast.FunctionDef) -> bool:
    """:func:`uses_rank` for a def's syntax (the notebook magic has the cell's tree, not yet the code): the
    def compiled (not run) and its code read, so that the magic and the decorator decide alike."""
    try:
        module = compile(ast.Module(body=[node], type_ignores=[]), "<polyray rank>", "exec")
    except (SyntaxError, ValueError):
        return False  # (the cell cannot run either: nothing to compile per rank)
    return any(isinstance(c, CodeType) and c.co_name == node.name and uses_rank(c) for c in module.co_consts)


def rankless_text(annotation: ast.expr | None) -> bool:
    """Whether a def's parameter annotation, as written, is a rankless array hint (:func:`rankless_array_hint`)."""
    return annotation is not None and rankless_array_hint(ast.unparse(annotation))
