// The names a statement binds, read from its syntax tree. When a statement is
// outside the subset it is dropped from the function's AST, and the names it
// binds (`n, *m = A.shape` binds n and m; a dropped `while` loop binds whatever
// its body assigns) would otherwise look undefined to the type checker, which
// then reports a follow-on error at every later use. The checker treats these
// names as known but untyped, so one unsupported construct gives one diagnostic.
import type { Node } from 'web-tree-sitter';

/** Node types whose `left` (or `name`/`alias`) field binds names in the enclosing function. */
const BINDERS: Record<string, string> = {
  assignment: 'left',
  augmented_assignment: 'left',
  for_statement: 'left',
  named_expression: 'name',
  as_pattern: 'alias',
  function_definition: 'name',
  class_definition: 'name',
};

/** Identifiers bound by `node` or by any statement inside it (comprehension variables excluded: they have their own scope). */
export function boundNames(node: Node): string[] {
  const out = new Set<string>();
  const visit = (n: Node): void => {
    const field = BINDERS[n.type];
    if (field) {
      const target = n.childForFieldName(field);
      if (target) targetNames(target, out);
    }
    if (n.type === 'import_statement' || n.type === 'import_from_statement') importNames(n, out);
    // Nested scopes bind nothing in this function (their own name aside, handled above).
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda' || n.type.endsWith('_comprehension') || n.type === 'generator_expression') return;
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(node);
  return [...out];
}

/** Names in an assignment target: `a`, `a, b`, `(a, [b, *c])`; subscripts and attributes bind nothing. */
function targetNames(t: Node, out: Set<string>): void {
  if (t.type === 'identifier') {
    out.add(t.text);
    return;
  }
  if (t.type === 'as_pattern_target') {
    for (const c of t.namedChildren) if (c) targetNames(c, out);
    return;
  }
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern', 'list_splat'].includes(t.type)) {
    for (const c of t.namedChildren) if (c) targetNames(c, out);
  }
}

function importNames(n: Node, out: Set<string>): void {
  for (const c of n.namedChildren) {
    if (!c || c === n.childForFieldName('module_name')) continue;
    if (c.type === 'aliased_import') {
      const alias = c.childForFieldName('alias');
      if (alias) out.add(alias.text);
    } else if (c.type === 'dotted_name') {
      out.add(c.text.split('.')[0]);
    }
  }
}
