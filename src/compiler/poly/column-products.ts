// Per-column products as one product (issue 18, close mode): a loop whose
// iterations each multiply one column of a matrix by a triangle's row of
// columns of another (correlation's and covariance's
// `for i in range(M): cov[i, i:M] = data[:, i] @ data[:, i:M]`) runs one
// matrix-vector product per iteration, reading the matrix once per iteration
// at memory speed. Those products are the rows of one matrix product,
// `(X[:, i] @ Y[:, s])` = `(X.T @ Y)[i, s]` for any i and any slice s (the
// same row of the same shape, Python's slice rules alike), which BLAS
// computes at matrix speed (syrk where X is Y: one triangle).
//
// The loop gets a statement before it, `P = column_products(X, Y, lo, hi, off,
// stop)` (runtime/column_products.py), which computes P = X.T @ Y only where
// that costs at most twice the loop's own multiplications (the triangle is
// most of the square), the range stays within X's columns and the shapes
// agree; else P is empty. Each product becomes `column_product(P, X, i,
// start, stop, Y)`: a copy of P's row slice where P was computed, the product
// as written otherwise. The result differs from the per-iteration products by
// rounding only (a sum over the same rows, in BLAS's order): close mode's
// product bound (numerics.ts productNote), as the products themselves.
//
// Only where nothing in the loop can change X or Y: neither is bound or
// written in it, every array it writes is a parameter (the dispatcher checks
// written parameters against aliasing) or a fresh allocation of the function,
// and it calls no function of the module and has no statement of a bare call
// (a ufunc's `out=`).
import { walkExpr, walkStmts, stmtExprs, type Expr, type ForStmt, type NameExpr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import type { Ty } from '../types/ty.js';
import { invariantIn, isParamArray } from './product-terms.js';

/** The prefix of the locals that hold hoisted products in the variants. */
export const COLUMN_PRODUCT = '_polyray_cp';
/** A stop that Python's slice rules clamp to the row's length (`Y[:, i:]`). */
const NO_STOP = '9223372036854775807';
/** NumPy calls whose result is a new array nothing else refers to. */
const FRESH = new Set(['zeros', 'ones', 'empty', 'full', 'eye', 'identity', 'zeros_like', 'ones_like', 'empty_like', 'full_like', 'copy', 'array']);

/** One product of a column and a triangle's row: `X[:, i] @ Y[:, i + off:stop]`. */
interface ColumnProduct {
  node: Expr;
  x: NameExpr;
  y: NameExpr;
  i: Expr;
  start: Expr;
  off: number;
  stop: Expr | null;
}

/** Rewrites the loops of tf in place; the number of products hoisted. */
export function hoistColumnProducts(tf: TypedFunction): number {
  if (tf.numerics !== 'close') return 0;
  const count = { n: 0 };
  const body = rewriteBody(tf, tf.fn.body, count);
  if (count.n > 0) tf.fn = { ...tf.fn, body };
  return count.n;
}

function rewriteBody(tf: TypedFunction, body: Stmt[], count: { n: number }): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) {
    if (s.kind === 'for') {
      s.body = rewriteBody(tf, s.body, count);
      out.push(...hoistIn(tf, s, count), s);
    } else if (s.kind === 'while') {
      s.body = rewriteBody(tf, s.body, count);
      out.push(s);
    } else if (s.kind === 'if') {
      s.body = rewriteBody(tf, s.body, count);
      s.orelse = rewriteBody(tf, s.orelse, count);
      out.push(s);
    } else {
      out.push(s);
    }
  }
  return out;
}

/** The statements that compute the loop's hoisted products (none where the loop has none to hoist). */
function hoistIn(tf: TypedFunction, loop: ForStmt, count: { n: number }): Stmt[] {
  const step = loop.range.step;
  if (step && !(step.kind === 'number' && step.text === '1')) return [];
  const invariant = invariantIn(loop);
  if (![loop.range.start, loop.range.stop].every((e) => e === null || invariant(e))) return [];
  const found = products(tf, loop, invariant);
  if (found.length === 0 || !keepsOperands(tf, loop, found)) return [];
  const before: Stmt[] = [];
  for (const p of found) {
    let id = `${COLUMN_PRODUCT}${count.n++}`;
    while (tf.locals.has(id)) id = `${COLUMN_PRODUCT}${count.n++}`;
    const ty: Ty = { kind: 'array', dtype: (tf.types.get(p.x) as Ty & { kind: 'array' }).dtype, ndim: 2 };
    const span = { ...loop.span, end: loop.span.start, to: loop.span.from };
    const target: Expr = { kind: 'name', span, id };
    const value: Expr = { kind: 'call', span, func: { kind: 'name', span, id: 'column_products' }, args: [], keywords: [] };
    tf.types.set(target, ty);
    tf.types.set(value, ty);
    tf.locals.set(id, ty);
    tf.helpers.set(value, { helper: 'column_products', args: [p.x, p.y, loop.range.start ?? '0', loop.range.stop, String(p.off), p.stop ?? NO_STOP] });
    before.push({ kind: 'assign', span, target, value, annotation: null });
    // the product itself: the same node (its type and close note stay), printed through column_product
    const ty0 = tf.types.get(p.node);
    const call: Expr = { kind: 'call', span: p.node.span, func: { kind: 'name', span: p.node.span, id: 'column_product' }, args: [], keywords: [] };
    if (ty0) tf.types.set(call, ty0);
    tf.helpers.set(call, { helper: 'column_product', args: [id, p.x, p.i, p.start, p.stop ?? NO_STOP, p.y] });
    replaceExpr(loop.body, p.node, call);
  }
  return before;
}

/** The loop's products of a column `X[:, i]` (i its variable) and a row of columns `Y[:, i + off:stop]`. */
function products(tf: TypedFunction, loop: ForStmt, invariant: (e: Expr) => boolean): ColumnProduct[] {
  const i = loop.target.id;
  const found: ColumnProduct[] = [];
  walkStmts(loop.body, (s) => {
    for (const e of stmtExprs(s)) walkExpr(e, (n) => {
      const operands = n.kind === 'binary' && n.op === '@' ? [n.left, n.right]
        : n.kind === 'call' && n.args.length === 2 && n.keywords.length === 0 && ['matmul', 'dot'].includes(tf.helpers.get(n)?.helper ?? '') ? n.args : null;
      if (!operands) return;
      const [l, r] = operands;
      if (l.kind !== 'subscript' || r.kind !== 'subscript' || l.value.kind !== 'name' || r.value.kind !== 'name') return;
      if (l.indices.length !== 2 || r.indices.length !== 2 || !wholeSlice(l.indices[0]) || !wholeSlice(r.indices[0])) return;
      const col = l.indices[1];
      const row = r.indices[1];
      if (col.kind !== 'name' || col.id !== i || row.kind !== 'slice' || row.step !== null || row.lower === null) return;
      const off = offsetOf(row.lower, i);
      if (off === null || (row.upper !== null && !invariant(row.upper))) return;
      const [xt, yt] = [tf.types.get(l.value), tf.types.get(r.value)];
      if (xt?.kind !== 'array' || yt?.kind !== 'array' || xt.ndim !== 2 || yt.ndim !== 2) return;
      if (xt.dtype !== yt.dtype || (xt.dtype !== 'float64' && xt.dtype !== 'float32')) return;
      found.push({ node: n, x: l.value, y: r.value, i: col, start: row.lower, off, stop: row.upper });
    });
  });
  return found;
}

/** `:` */
function wholeSlice(e: Expr): boolean {
  return e.kind === 'slice' && e.lower === null && e.upper === null && e.step === null;
}

/** c where e is `i`, `i + c`, `c + i` or `i - c` for an int literal c; null otherwise. */
export function offsetOf(e: Expr, i: string): number | null {
  if (e.kind === 'name') return e.id === i ? 0 : null;
  if (e.kind !== 'binary' || (e.op !== '+' && e.op !== '-')) return null;
  const lit = (x: Expr): number | null => (x.kind === 'number' && x.numberKind === 'int' && /^\d+$/.test(x.text) ? Number(x.text) : null);
  const isI = (x: Expr): boolean => x.kind === 'name' && x.id === i;
  if (isI(e.left) && lit(e.right) !== null) return e.op === '+' ? lit(e.right)! : -lit(e.right)!;
  if (e.op === '+' && isI(e.right) && lit(e.left) !== null) return lit(e.left)!;
  return null;
}

/** Nothing in the loop binds, writes or may write (through an alias) the products' operands. */
function keepsOperands(tf: TypedFunction, loop: ForStmt, found: ColumnProduct[]): boolean {
  const operands = new Set(found.flatMap((p) => [p.x.id, p.y.id]));
  const invariant = invariantIn(loop);
  if (found.some((p) => !invariant(p.x) || !invariant(p.y))) return false;
  let ok = true;
  walkStmts(loop.body, (s) => {
    if (s.kind === 'expr' || (s.kind === 'for' && s.target.id === loop.target.id)) ok = false;
    for (const e of stmtExprs(s)) walkExpr(e, (n) => { if (tf.calls.has(n)) ok = false; });
    if (s.kind !== 'assign' && s.kind !== 'augassign') return;
    // a name bound (not written in place) to an array or a scalar: only not an operand (invariant above) nor i
    if (s.target.kind === 'name' && (s.kind === 'assign' || tf.locals.get(s.target.id)?.kind !== 'array')) {
      if (s.target.id === loop.target.id) ok = false;
      return;
    }
    let t = s.target;
    while (t.kind === 'subscript') t = t.value;
    if (t.kind !== 'name' || operands.has(t.id) || !(isParamArray(tf, t.id) || freshLocal(tf, t.id))) ok = false;
  });
  return ok;
}

/** A local array every binding of which is a new array (np.zeros, np.eye, ... or a product of the loop). */
export function freshLocal(tf: TypedFunction, name: string): boolean {
  if (tf.params.some((q) => q.name === name)) return false;
  let ok = true;
  walkStmts(tf.fn.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && s.target.id === name) {
      const v = s.kind === 'assign' ? s.value : null;
      const fresh = v !== null && v.kind === 'call' && v.func.kind === 'attribute' && v.func.value.kind === 'name'
        && tf.types.get(v.func.value)?.kind === 'module' && FRESH.has(v.func.attr);
      if (!fresh) ok = false;
    }
  });
  return ok;
}

/** Replaces the node `from` by `to` wherever the statements hold it (once). */
export function replaceExpr(body: Stmt[], from: Expr, to: Expr): void {
  const swap = (e: Expr): Expr => {
    if (e === from) return to;
    switch (e.kind) {
      case 'binary':
      case 'boolop':
        e.left = swap(e.left);
        e.right = swap(e.right);
        break;
      case 'unary':
        e.operand = swap(e.operand);
        break;
      case 'compare':
        e.left = swap(e.left);
        e.comparators = e.comparators.map(swap);
        break;
      case 'call':
        e.args = e.args.map(swap);
        for (const k of e.keywords) k.value = swap(k.value);
        break;
      case 'attribute':
        e.value = swap(e.value);
        break;
      case 'subscript':
        e.value = swap(e.value);
        e.indices = e.indices.map(swap);
        break;
      case 'tuple':
        e.elts = e.elts.map(swap);
        break;
      case 'ifexp':
        e.body = swap(e.body);
        e.test = swap(e.test);
        e.orelse = swap(e.orelse);
        break;
      default:
    }
    return e;
  };
  walkStmts(body, (s) => {
    if (s.kind === 'assign' || s.kind === 'augassign') {
      s.value = swap(s.value);
      s.target = swap(s.target);
    } else if (s.kind === 'expr' || s.kind === 'return') {
      if (s.value) s.value = swap(s.value);
    } else if (s.kind === 'if' || s.kind === 'while') {
      s.test = swap(s.test);
    }
  });
}
