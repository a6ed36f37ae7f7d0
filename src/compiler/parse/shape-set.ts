// `X.shape = s` (issue 17): NumPy reshapes the array object in place, without a
// copy (AttributeError where a copy would be needed, ValueError for another
// size). Compiled code cannot change an array's rank in place, so the statement
// becomes `X2 = X.reshape(s)` under a fresh name that every later statement uses
// instead of X (the name's rank may change: mandel2's `Xi.shape = n` makes a grid
// a vector). That is NumPy's behaviour when nothing else refers to X's array: X
// is a local (not a parameter, whose caller would see the new shape), no other
// name is bound to it (`Y = X`), and the statement runs once, at the function's
// top level (in a loop or branch the renaming would not follow the control flow).
// The reshape helper (array_helpers.reshape) takes C-contiguous arrays only, where
// reshaping never copies; for others the variant does not compile and the
// original runs.
import type { Span } from '../diagnostics.js';
import type { Expr, Stmt } from './ast.js';
import { walkStmts } from './ast.js';

export interface ShapeSetResult {
  body: Stmt[];
  /** Shape assignments left as they were, with the reason (the checker reports them). */
  refused: { span: Span; message: string }[];
}

const isShapeSet = (s: Stmt): s is Stmt & { kind: 'assign'; target: Expr & { kind: 'attribute' } } =>
  s.kind === 'assign' && s.target.kind === 'attribute' && s.target.attr === 'shape';

/** Renames every name `from` in `node` (a statement or expression, already a private copy) to `to`. */
function rename(node: unknown, from: string, to: string): void {
  if (Array.isArray(node)) {
    for (const x of node) rename(x, from, to);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.kind === 'name' && o.id === from) o.id = to;
  for (const [k, v] of Object.entries(o)) if (k !== 'span' && typeof v === 'object') rename(v, from, to);
}

/** Names bound to another name's object (`Y = X`): X has an alias. */
function aliased(body: Stmt[], name: string): boolean {
  let found = false;
  walkStmts(body, (s) => {
    if (s.kind === 'assign' && s.value.kind === 'name' && s.value.id === name && !(s.target.kind === 'name' && s.target.id === name)) found = true;
  });
  return found;
}

export function shapeAssignments(body: Stmt[], params: ReadonlySet<string>, fresh: (prefix: string) => string): ShapeSetResult {
  const refused: ShapeSetResult['refused'] = [];
  const topLevel = new Set(body);
  walkStmts(body, (s) => {
    if (isShapeSet(s) && !topLevel.has(s)) refused.push({ span: s.span, message: "assigning '.shape' inside a loop or branch is not supported (only at the function's top level)" });
  });
  let out = body;
  for (let k = 0; k < out.length; k++) {
    const s = out[k];
    if (!isShapeSet(s)) continue;
    const array = s.target.value;
    const why = array.kind !== 'name' ? "assigning '.shape' of something other than a local name is not supported"
      : params.has(array.id) ? `assigning '.shape' of the parameter '${array.id}' is not supported (the caller's array would change shape)`
        : aliased(out, array.id) ? `assigning '.shape' of '${array.id}', whose array has another name, is not supported`
          : null;
    if (why !== null || array.kind !== 'name') {
      refused.push({ span: s.span, message: why ?? '' });
      continue;
    }
    const renamed = fresh(`${array.id}__shaped`);
    const reshape: Expr = {
      kind: 'call', span: s.span, func: { kind: 'attribute', span: s.target.span, value: { ...array }, attr: 'reshape' }, args: [s.value], keywords: [],
    } as Expr;
    const later = structuredClone(out.slice(k + 1));
    rename(later, array.id, renamed);
    out = [...out.slice(0, k), { kind: 'assign', span: s.span, target: { kind: 'name', span: s.target.span, id: renamed }, value: reshape, annotation: null } as Stmt, ...later];
  }
  return { body: out, refused };
}
