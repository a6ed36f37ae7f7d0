"""Rankless array hints (issue 17): ``A: npt.NDArray[np.float64]`` names a dtype but no rank.

Most NumPy forms compile without the rank, and such a function compiles once, at definition
(issue 19). The rank-dependent ones (an axis, by ``axis=`` or by position as in ``np.sum(A, 0)`` and
``A.mean(1)``, np.diag/np.diagonal, np.trace, ravel/flatten: types/row-rules.ts refuses some of them on an
array of unknown rank, and compiles others for ranks 2 and up only) do not; for a
function that uses one, the decorator takes such a parameter's rank (and dtype) from the call, as for
an open ``np.ndarray`` hint (profiling.open_array_hint): each rank is its own signature.
"""

from __future__ import annotations

import ast
import dis
import json
import re
import sys
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
#: the axis given by position: a NumPy function's index of its axis parameter, a method's among its own arguments
AXIS_POSITION = {"function": _FORMS["positional_axis"]["functions"], "method": _FORMS["positional_axis"]["methods"]}

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
    tuple of the code), an axis by position (:data:`AXIS_POSITION`, :func:`attribute_calls`), or a name
    of :data:`RANK_CALLS`. Read from the bytecode: no source needed, and
    cheap at decoration."""
    if RANK_CALLS.intersection(code.co_names):
        return True
    if set(AXIS_POSITION["function"]).union(AXIS_POSITION["method"]).intersection(code.co_names):
        for name, kind, positional in attribute_calls(code):
            index = AXIS_POSITION[kind].get(name)
            if index is not None and positional > index:
                return True
    for const in code.co_consts:
        if isinstance(const, tuple) and RANK_KEYWORDS.intersection(c for c in const if isinstance(c, str)):
            return True
        if isinstance(const, CodeType) and uses_rank(const):
            return True
    return False


# how a call's callable is loaded as an attribute with its owner (``np.sum``, ``A.sum``): Python 3.11's
# LOAD_METHOD, 3.12's LOAD_ATTR with its low bit set; either leaves two stack slots under the arguments
_METHOD_LOADS = ("LOAD_METHOD", "LOAD_ATTR")
# owners read as NumPy's namespaces (np.sum(a, 0)), not as an array (a.sum(0))
_MODULE_OWNERS = ("LOAD_GLOBAL", "LOAD_NAME")
_SUBMODULES = frozenset({"linalg", "fft", "ma"})
# the instruction that takes a call's arguments and callable: 3.11's PRECALL (its CALL then takes the rest),
# 3.12's CALL, 3.13's CALL_KW too
_CALL_OPS = ("PRECALL",) if sys.version_info < (3, 12) else ("CALL", "CALL_KW")
# instructions after which the next one runs only if a jump leads there
_NO_FALL_THROUGH = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP",
                              "JUMP_NO_INTERRUPT", "RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"})


def attribute_calls(code: CodeType):
    """The calls of an attribute in one code object (not its nested ones), as (name, "function" or "method",
    the count of positional arguments): "function" where the owner is a global or a NumPy submodule
    (``np.sum(A, 0)``, ``np.linalg.norm(x, 2, 1)``), "method" otherwise (``A.sum(0)``, ``(A * 2).mean(1)``).
    Read from the bytecode: each attribute load's call is the first call instruction that takes every stack
    slot pushed since (nested calls take fewer), followed through the jumps of a conditional argument; a
    call not found so (``*args``) is left out."""
    instrs = list(dis.get_instructions(code))
    for k, ins in enumerate(instrs):
        if not _callable_attribute(instrs, k):
            continue
        owner = instrs[k - 1] if k else None
        module = owner is not None and (owner.opname in _MODULE_OWNERS
                                        or (owner.opname == "LOAD_ATTR" and owner.argval in _SUBMODULES))
        positional = _positional_count(code, instrs, k + 1)
        if positional is not None:
            yield ins.argval, "function" if module else "method", positional


def _callable_attribute(instrs: list[dis.Instruction], k: int) -> bool:
    """Whether instrs[k] loads an attribute as a callable with the slot under it that a call takes: 3.11's
    LOAD_METHOD, or its LOAD_ATTR that ends a chain from a global loaded with a NULL (``np.sum``,
    ``np.linalg.norm``); 3.12's LOAD_ATTR with its low bit set."""
    ins = instrs[k]
    if ins.opname == "LOAD_METHOD":
        return True
    if ins.opname != "LOAD_ATTR":
        return False
    if sys.version_info >= (3, 12):
        return bool(ins.arg & 1)
    if k + 1 < len(instrs) and instrs[k + 1].opname in _METHOD_LOADS:
        return False  # (a namespace on the way: np.linalg)
    j = k - 1
    while j >= 0 and instrs[j].opname == "LOAD_ATTR":
        j -= 1
    return j >= 0 and instrs[j].opname == "LOAD_GLOBAL" and bool(instrs[j].arg & 1)


def _positional_count(code: CodeType, instrs: list[dis.Instruction], start: int) -> int | None:
    """The count of positional arguments of the call whose callable was loaded just before instrs[start]:
    the stack depth above that callable is followed (a jump's target gets the depth the jump gives it)
    until a call instruction takes all of it."""
    depth, at, keywords = 0, {}, 0
    fell = True  # whether the previous instruction lets control fall through to this one
    for ins in instrs[start:]:
        if ins.offset in at:
            depth = at[ins.offset]
        elif not fell:
            return None  # (reached by no jump seen from the call's start)
        if ins.opname == "KW_NAMES":  # 3.11, 3.12: the next call's keyword names, a constant
            keywords = len(code.co_consts[ins.arg])
            fell = True
            continue
        if ins.opname in _CALL_OPS:
            taken = ins.arg + (ins.opname == "CALL_KW")  # 3.13: the keyword names' tuple is on the stack
            if depth == taken:
                if ins.opname == "CALL_KW":
                    keywords = len(instrs[instrs.index(ins) - 1].argval or ())
                return ins.arg - keywords
            if depth < taken:
                return None
            keywords = 0
        if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs:
            at.setdefault(ins.argval, depth + dis.stack_effect(ins.opcode, ins.arg, jump=True))
        effect = dis.stack_effect(ins.opcode, ins.arg if ins.opcode >= dis.HAVE_ARGUMENT else None)
        if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs:
            effect = dis.stack_effect(ins.opcode, ins.arg, jump=False)
        depth += effect
        if depth < 0:
            return None
        fell = ins.opname not in _NO_FALL_THROUGH
    return None


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
