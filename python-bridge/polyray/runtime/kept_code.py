"""The generated wrapper's kept-original test with the dispatcher's numbers as constants (issue 18).

Where auto keeps the original for a size class, the generated wrapper (codegen/dispatcher.ts, emitWrapper)
runs the original's body itself after one test::

    _polyray_kept = K.on and (K.all or a.nbytes == K.n or K.lo <= a.nbytes < K.hi)

Against a 0.7 us original with one array, its reads of ``K`` (three module-global loads, three attribute
loads) cost as much as the ``nbytes`` read itself (about 20 ns each part in Python 3.11): the call ran at
0.92x the original, where issue 18 asks 0.95x. While the dispatcher keeps a size class, :class:`hot.Kept`
therefore gives the wrapper function a code object of its own (``__code__``, the same function object every
caller holds) whose test is ``a.nbytes == 1024 or 512 <= a.nbytes < 2048``: the same test, the numbers
constants (``True`` where a forced target keeps the original for any arguments). Built from the wrapper's
source (the generated module's file, through linecache), the rest of the function as generated, line numbers
the file's; every change of what is kept sets the code again, and ``off`` puts the generated one back.
Where the source cannot be read or does not have the generated form, nothing changes (the generic test).
"""

from __future__ import annotations

import __future__
import ast
import copy
import inspect
import textwrap
import types
from typing import Any

#: generated code object -> (its module's AST holding the wrapper alone, the test's Assign node, the keep name),
#: or None where it cannot be specialized
_templates: dict[types.CodeType, tuple[ast.Module, ast.Assign, list[ast.expr]] | None] = {}


def _attr(node: ast.expr, keep: str, name: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.value, ast.Name) \
        and node.value.id == keep


def _template(code: types.CodeType, keep: str) -> tuple[ast.Module, ast.Assign, list[ast.expr]] | None:
    """(module AST of the wrapper's def, the Assign of ``_polyray_kept``, the size tests of its ``or``)."""
    if code in _templates:
        return _templates[code]
    found = None
    try:
        lines, first = inspect.getsourcelines(code)
        tree = ast.parse(textwrap.dedent("".join(lines)))
        ast.increment_lineno(tree, first - 1)
        fdef = tree.body[0] if len(tree.body) == 1 else None
        if isinstance(fdef, ast.FunctionDef) and fdef.name == code.co_name and not fdef.decorator_list:
            for stmt in fdef.body[:2]:
                if not (isinstance(stmt, ast.Try) and stmt.body and isinstance(stmt.body[0], ast.Assign)):
                    continue
                assign = stmt.body[0]
                value = assign.value
                target = assign.targets[0] if len(assign.targets) == 1 else None
                if isinstance(target, ast.Name) and target.id == "_polyray_kept" and isinstance(value, ast.BoolOp) \
                        and isinstance(value.op, ast.And) and len(value.values) == 2 and _attr(value.values[0], keep, "on") \
                        and isinstance(value.values[1], ast.BoolOp) and isinstance(value.values[1].op, ast.Or) \
                        and _attr(value.values[1].values[0], keep, "all"):
                    found = (tree, assign, value.values[1].values[1:])
                break
    except (OSError, TypeError, SyntaxError, IndexError):
        found = None
    if len(_templates) > 256:
        _templates.clear()
    _templates[code] = found
    return found


#: the compiler flags of ``from __future__`` imports (the generated module's ``annotations``), kept in its code
_FUTURE = 0
for _name in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _name).compiler_flag

#: (generated code, everything, n, lo, hi) -> the specialized code (or None): a decision made again is no compile
_codes: dict[tuple[Any, ...], types.CodeType | None] = {}


class _Constants(ast.NodeTransformer):
    def __init__(self, keep: str, values: dict[str, int]) -> None:
        self.keep = keep
        self.values = values

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if isinstance(node.value, ast.Name) and node.value.id == self.keep and node.attr in self.values:
            return ast.copy_location(ast.Constant(self.values[node.attr]), node)
        return self.generic_visit(node)


def specialized(code: types.CodeType, keep: str, everything: bool, n: int, lo: int, hi: int) -> types.CodeType | None:
    """The wrapper's code (``code``, as generated) with its kept test reading constants: True where
    ``everything`` is kept, else the arrays' bytes total against ``n`` (left out where negative: no total
    equals it) and [lo, hi). None where the generated form is not found."""
    key = (code, everything, n, lo, hi)
    if key in _codes:
        return _codes[key]
    if len(_codes) > 256:
        _codes.clear()
    _codes[key] = made = _specialize(code, keep, everything, n, lo, hi)
    return made


def _specialize(code: types.CodeType, keep: str, everything: bool, n: int, lo: int, hi: int) -> types.CodeType | None:
    got = _template(code, keep)
    if got is None:
        return None
    tree, assign, tests = got
    if everything:
        value: ast.expr = ast.Constant(True)
    else:
        sizes = [copy.deepcopy(t) for t in tests]
        sizes = [_Constants(keep, {"n": n, "lo": lo, "hi": hi}).visit(t) for t in sizes
                 if n >= 0 or not (isinstance(t, ast.Compare) and _attr(t.comparators[-1], keep, "n"))]
        if any(_refers(t, keep) for t in sizes):
            return None  # (another form than the generated one)
        value = sizes[0] if len(sizes) == 1 else ast.BoolOp(ast.Or(), sizes)
    old = assign.value
    assign.value = ast.copy_location(value, old)
    try:
        module = compile(ast.fix_missing_locations(copy.deepcopy(tree)), code.co_filename, "exec",
                         flags=code.co_flags & _FUTURE, dont_inherit=True)
    finally:
        assign.value = old
    new = next((c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name == code.co_name), None)
    if new is None or new.co_freevars != code.co_freevars or new.co_argcount != code.co_argcount \
            or new.co_varnames[:code.co_argcount] != code.co_varnames[:code.co_argcount] or new.co_flags != code.co_flags:
        return None
    return new


def _refers(node: ast.AST, keep: str) -> bool:
    return any(isinstance(x, ast.Name) and x.id == keep for x in ast.walk(node))
