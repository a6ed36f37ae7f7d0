// Chained assignment, `a1 = a5 = k` (issue 17), as plain assignments. Python
// evaluates the value once, then binds the targets from left to right, each to
// that same object. When the first target is a name, reading it back is that
// object: `a1 = k; a5 = a1`. Otherwise (`A[i] = s = x`: reading A[i] back would
// give the element converted to A's dtype) the value goes to a fresh temporary
// first: `t = x; A[i] = t; s = t`. Names bound to one array this way are
// aliases, which the later stages see as for `b = a`.
import type { Expr, Stmt } from './ast.js';
import type { Span } from '../diagnostics.js';

/** The statements `targets[0] = targets[1] = ... = value` means; every one spans the original statement. */
export function chainedAssignment(span: Span, targets: Expr[], value: Expr, fresh: () => string): Stmt[] {
  const [first, ...rest] = targets;
  const source: Expr = first.kind === 'name' ? first : { kind: 'name', span: value.span, id: fresh() };
  const out: Stmt[] = [assign(span, source, value)];
  if (source !== first) out.push(assign(span, first, { ...source }));
  for (const t of rest) out.push(assign(span, t, { ...source }));
  return out;
}

function assign(span: Span, target: Expr, value: Expr): Stmt {
  return { kind: 'assign', span, target, value, annotation: null };
}
