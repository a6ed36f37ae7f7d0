// Module-level type aliases of hints: `F64 = npt.NDArray[np.float64]`,
// `Matrix: TypeAlias = np.ndarray[tuple[int, int], np.dtype[np.float64]]`,
// `DT = np.float32`, bound exactly once at module level to a name, attribute or
// subscript chain (no call, no operator: the value names a type and evaluating
// it again has no effect). Parameter hints that name them are read as the
// aliased expression (types/hints.ts expandAliases); the statements stay in the
// generated module, so its functions' annotations still evaluate. Python 3.12's
// `type X = ...` is left out (the project's Python is 3.11).
import type { Node } from 'web-tree-sitter';
import type { Expr } from './ast.js';
import { topLevelBindings } from './constants.js';

/** Node types a type expression is made of (tree-sitter-python's names). */
const TYPE_PARTS = new Set(['identifier', 'attribute', 'subscript', 'tuple', 'ellipsis', 'none', 'parenthesized_expression', 'generic_type', 'type']);

/** The aliases among a module's top-level statements, by name, converted by `expr`. */
export function moduleTypeAliases(root: Node, expr: (n: Node) => Expr): Map<string, Expr> {
  const bound = new Map<string, number>();
  const found = new Map<string, Node>();
  for (const child of root.namedChildren) {
    if (!child) continue;
    for (const id of topLevelBindings(child)) bound.set(id, (bound.get(id) ?? 0) + 1);
    const alias = aliasOf(child);
    if (alias) found.set(alias.name, alias.value);
  }
  const out = new Map<string, Expr>();
  for (const [name, value] of found) {
    if (bound.get(name) !== 1) continue;
    try {
      out.set(name, expr(value));
    } catch {
      // a form the converter does not take: not an alias the hints can use
    }
  }
  return out;
}

function aliasOf(stmt: Node): { name: string; value: Node } | null {
  if (stmt.type !== 'expression_statement' || stmt.namedChildren.length !== 1) return null;
  const a = stmt.namedChildren[0];
  if (!a || a.type !== 'assignment') return null;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  const annotation = a.childForFieldName('type');
  if (!left || left.type !== 'identifier' || !right) return null;
  // `X: TypeAlias = ...` (typing's or typing_extensions'); another annotation declares a variable
  if (annotation && !/(^|\.)TypeAlias$/.test(annotation.text.trim())) return null;
  if (right.type !== 'subscript' && right.type !== 'attribute' && right.type !== 'identifier') return null;
  return onlyTypeParts(right) ? { name: left.text, value: right } : null;
}

function onlyTypeParts(n: Node): boolean {
  if (!TYPE_PARTS.has(n.type)) return false;
  return n.namedChildren.every((c) => !c || c.type === 'comment' || onlyTypeParts(c));
}
