// Module-level constants a function may read (issue 17): `N = 100`,
// `EPS = 1e-9`, `DEBUG = False`, bound exactly once at module level to a
// number or bool literal. The rule (docs/reliability.md): such a value is
// frozen into the compiled variants when they compile, as Numba freezes
// globals, and the dispatcher checks before every call that the original's
// module still binds the name to that very value (same type, same value),
// else the original runs; a constant of any other form, or bound twice at
// module level, stays outside the subset.
import type { Node } from 'web-tree-sitter';
import type { ModuleConstant } from './ast.js';

/** The constants among a module's top-level statements. */
export function moduleConstants(root: Node): ModuleConstant[] {
  const bound = new Map<string, number>();
  const literal = new Map<string, ModuleConstant>();
  const count = (name: string): void => { bound.set(name, (bound.get(name) ?? 0) + 1); };
  for (const child of root.namedChildren) {
    if (!child) continue;
    // every name the statement binds at module level counts (assignments, loops, defs, imports, ...)
    for (const id of topLevelBindings(child)) count(id);
    const c = constantOf(child);
    if (c) literal.set(c.name, c);
  }
  return [...literal.values()].filter((c) => bound.get(c.name) === 1);
}

function constantOf(stmt: Node): ModuleConstant | null {
  if (stmt.type !== 'expression_statement' || stmt.namedChildren.length !== 1) return null;
  const a = stmt.namedChildren[0];
  if (!a || a.type !== 'assignment' || a.childForFieldName('type')) return null;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (!left || left.type !== 'identifier' || !right) return null;
  const kind = literalKind(right);
  return kind ? { name: left.text, text: right.text, kind } : null;
}

function literalKind(e: Node): ModuleConstant['kind'] | null {
  if (e.type === 'true' || e.type === 'false') return 'bool';
  if (e.type === 'unary_operator' && e.childForFieldName('operator')?.text === '-') {
    const inner = e.childForFieldName('argument');
    return inner && (inner.type === 'integer' || inner.type === 'float') ? literalKind(inner) : null;
  }
  if (e.type === 'integer' || e.type === 'float') return /[jJ]$/.test(e.text) ? 'complex' : e.type === 'integer' ? 'int' : 'float';
  return null;
}

/** Names a top-level statement binds in the module's namespace (not inside functions or classes). */
export function topLevelBindings(stmt: Node): string[] {
  const out: string[] = [];
  const targets = (n: Node | null): void => {
    if (!n) return;
    if (n.type === 'identifier') out.push(n.text);
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern'].includes(n.type)) {
      for (const c of n.namedChildren) targets(c);
    }
  };
  const walk = (n: Node): void => {
    switch (n.type) {
      case 'function_definition':
      case 'class_definition':
        targets(n.childForFieldName('name'));
        return; // their bodies bind locals
      case 'decorated_definition': {
        const d = n.childForFieldName('definition');
        if (d) walk(d);
        return;
      }
      case 'assignment': {
        targets(n.childForFieldName('left'));
        const right = n.childForFieldName('right');
        if (right) walk(right);
        return;
      }
      case 'augmented_assignment':
        targets(n.childForFieldName('left'));
        return;
      case 'for_statement':
        targets(n.childForFieldName('left'));
        break;
      case 'import_statement':
      case 'import_from_statement':
        for (const c of n.namedChildren) {
          if (!c) continue;
          const alias = c.type === 'aliased_import' ? c.childForFieldName('alias') : null;
          if (alias) out.push(alias.text);
          else if (c.type === 'dotted_name' && c !== n.childForFieldName('module_name')) out.push(c.text.split('.')[0]);
        }
        return;
      case 'named_expression':
        targets(n.childForFieldName('name'));
        break;
      case 'global_statement':
        return;
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(stmt);
  return out;
}
