// Tuple unpacking as plain assignments, so that the later stages need nothing
// new: `n, m = A.shape` becomes `n = A.shape[0]; m = A.shape[1]` (each marked
// with the number of names, which the checker requires to be A's rank: Python
// raises ValueError otherwise), and `a, b = b, a` becomes assignments in
// order, through fresh temporaries where binding in order would differ from
// Python, which evaluates every value before it binds any target; `a, b = E`
// of an array E goes through a temporary whose length the variants check.
import type { Expr, Stmt } from './ast.js';
import { walkExpr } from './ast.js';
import type { Span } from '../diagnostics.js';

/** The right-hand side: a tuple written out (`b, a`), or one expression. */
export type UnpackedValue = { kind: 'tuple'; exprs: Expr[] } | { kind: 'value'; expr: Expr };

/** The statements `targets = value` means, or why it stays outside the subset. */
export function unpackAssignment(span: Span, targets: Expr[], value: UnpackedValue, fresh: () => string): Stmt[] | string {
  if (value.kind === 'tuple') return unpackTuple(span, targets, value.exprs, fresh);
  const v = value.expr;
  if (v.kind === 'attribute' && v.attr === 'shape') return unpackShape(span, targets, v);
  if (v.kind === 'call' && v.func.kind === 'name' && v.func.id === 'divmod') return unpackDivmod(span, targets, v, fresh);
  return unpackArray(span, targets, v, fresh);
}

/**
 * `q, r = divmod(a, b)` is `q = a // b; r = a % b`: CPython and NumPy compute
 * both parts of divmod with the floor division and modulo of `//` and `%`
 * (float_divmod, npy_divmod), so the values are the same bits, and a zero
 * divisor raises the same ZeroDivisionError before any name is bound.
 * Operands other than literals and names no target rebinds are evaluated
 * once, first, into temporaries.
 */
function unpackDivmod(span: Span, targets: Expr[], call: Expr & { kind: 'call' }, fresh: () => string): Stmt[] | string {
  if (call.args.length !== 2 || call.keywords.length > 0) return 'divmod() takes two arguments, by position';
  if (targets.length !== 2) return `unpacking divmod()'s 2 values into ${targets.length} targets raises ValueError`;
  const bound = new Set(targets.map(rootName).filter((n): n is string => n !== null));
  const out: Stmt[] = [];
  const [a, b] = call.args.map((x) => {
    if (x.kind === 'number' || (x.kind === 'name' && !bound.has(x.id))) return x;
    const temp: Expr = { kind: 'name', span: x.span, id: fresh() };
    out.push(assign(span, temp, x));
    return temp;
  });
  const part = (op: '//' | '%', l: Expr, r: Expr): Expr => ({ kind: 'binary', span: call.span, op, left: structuredClone(l), right: structuredClone(r) });
  out.push(assign(span, targets[0], part('//', a, b)), assign(span, targets[1], part('%', a, b)));
  return out;
}

/**
 * `dx, dy = p[i] - p[i - 1]`: the value into a temporary, then one element per
 * name; the temporary's statement carries the number of names, so that the
 * checker requires an array and the variants raise ValueError on another
 * length (Python checks it before binding any name). Anything else (a scalar,
 * a call returning a tuple) the checker refuses there.
 */
function unpackArray(span: Span, targets: Expr[], value: Expr, fresh: () => string): Stmt[] {
  // the temporary's uses span the value: the checker ties follow-on errors to them
  const at = value.span;
  const temp: Expr = { kind: 'name', span: at, id: fresh() };
  const out: Stmt[] = [{ ...(assign(span, temp, value) as Stmt & { kind: 'assign' }), unpackedLength: targets.length }];
  targets.forEach((t, k) => {
    out.push(assign(span, t, { kind: 'subscript', span: at, value: { ...temp }, indices: [{ kind: 'number', span: at, text: String(k), numberKind: 'int' }] }));
  });
  return out;
}

function assign(span: Span, target: Expr, value: Expr): Stmt {
  return { kind: 'assign', span, target, value, annotation: null };
}

function namesRead(e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (x) => { if (x.kind === 'name') out.add(x.id); });
  return out;
}

/**
 * `t1, ..., tn = v1, ..., vn`. Bound in order, v_j would see what t_1..t_{j-1}
 * bound: wrong when it reads one of those names, and when an earlier target is
 * an element or attribute (a write the caller would see even if v_j raised).
 * Values v_1..v_k, up to the last such v_k, go to temporaries first, in order
 * (so they are evaluated in Python's order too); the rest bind directly.
 */
function unpackTuple(span: Span, targets: Expr[], values: Expr[], fresh: () => string): Stmt[] | string {
  if (values.length !== targets.length) {
    return `unpacking ${values.length} values into ${targets.length} targets raises ValueError`;
  }
  let k = 0;
  const bound = new Set<string>();
  let visibleWrite = false;
  for (let j = 0; j < values.length; j++) {
    const reads = namesRead(values[j]);
    if (visibleWrite || [...bound].some((n) => reads.has(n))) k = j + 1;
    const t = targets[j];
    if (t.kind === 'name') bound.add(t.id);
    else {
      visibleWrite = true;
      const root = rootName(t);
      if (root) bound.add(root);
    }
  }
  const out: Stmt[] = [];
  const temps: Expr[] = [];
  for (let j = 0; j < k; j++) {
    const name: Expr = { kind: 'name', span, id: fresh() };
    out.push(assign(span, name, values[j]));
    temps.push(name);
  }
  for (let j = 0; j < targets.length; j++) out.push(assign(span, targets[j], j < k ? { ...temps[j] } : values[j]));
  return out;
}

/** `n, m = A.shape`: `n = A.shape[0]`, `m = A.shape[1]`, each knowing that two names were unpacked. */
function unpackShape(span: Span, targets: Expr[], shape: Expr & { kind: 'attribute' }): Stmt[] | string {
  const base = shape.value;
  if (base.kind !== 'name') return 'unpacking the shape of an expression other than a name is not supported';
  // `A, n = A.shape` would read the shape of the new A.
  if (targets.slice(0, -1).some((t) => t.kind === 'name' && t.id === base.id)) {
    return `a target rebinds '${base.id}' before its shape is unpacked`;
  }
  return targets.map((t, k) => ({
    ...(assign(span, t, {
      kind: 'subscript',
      span: shape.span,
      value: structuredClone(shape), // one node per statement: later stages key maps by node
      indices: [{ kind: 'number', span: shape.span, text: String(k), numberKind: 'int' }],
    }) as Stmt & { kind: 'assign' }),
    unpackedShape: targets.length,
  }));
}

/** The array an element or attribute target writes into: `A` for `A[i, j]` or `A[i][j]`. */
function rootName(e: Expr): string | null {
  if (e.kind === 'name') return e.id;
  if (e.kind === 'subscript' || e.kind === 'attribute') return rootName(e.value);
  return null;
}
