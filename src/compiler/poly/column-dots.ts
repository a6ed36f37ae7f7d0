// A loop's dot products with the columns of one row block as one vector-matrix
// product (issue 18, close mode): NPBench's trmm
// `for j in range(n): B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])` and
// symm's `temp2[j] = B[:i, j] @ A[i, :i]` take, per iteration j, the dot of a
// vector v that does not depend on j with column j of a block of rows Y[s:t].
// Each such dot walks a column (a stride of a row's length), and Numba's np.dot
// copies both strided operands into new arrays first: trmm's 50,000 dots at
// NPBench's preset M cost 3.5 times NPBench's prange version. The dots are the
// elements of one product, `v @ Y[s:t, lo:hi]` (the same sums, in BLAS's
// order), which BLAS's gemv computes reading the block row by row, without a
// copy (runtime/strided_products.py).
//
// The loop gets a statement before it, `P = column_dots(v, Y, s, t, lo, hi) if
// lo < hi else column_dots_none(Y)` (runtime/column_dots.py; v is evaluated
// only where the loop runs, as in the original), the product where the loop's columns lie
// within Y and the lengths agree, and empty otherwise; each dot becomes
// `column_dot(P, lo, j, v, Y, s, t)`: P's element j - lo, or the dot as written
// where P is empty (it raises as NumPy does). The product costs the loop's own
// multiplications. Results differ by rounding only: close mode's product bound
// (numerics.ts productNote), as the dots themselves.
//
// Only where nothing in the loop changes what the dots read: v's array is not
// written in it, Y is written only in a row r the block cannot hold (trmm's
// `B[i, j]` with the block `B[i + 1:]`, i the variable of an enclosing loop from
// 0 or more upwards: rows i + 1 on, never i), every array written is a parameter
// (the dispatcher checks written parameters against aliasing) or a fresh
// allocation, no name the dots read is bound in the loop, no function of the
// module is called and no statement is a bare call.
import { walkExpr, walkStmts, stmtExprs, type Expr, type ForStmt, type NameExpr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { scalar, type Ty } from '../types/ty.js';
import { invariantIn, isParamArray } from './product-terms.js';
import { freshLocal, offsetOf, replaceExpr } from './column-products.js';

/** The prefix of the locals that hold hoisted dot products in the variants. */
export const COLUMN_DOTS = '_polyray_cd';
/** A stop that Python's slice rules clamp to the column's length (`Y[s:, j]`). */
const NO_STOP = '9223372036854775807';

/** One dot of a j-invariant vector and column j of a row block: `np.dot(v, Y[s:t, j])` or either order, `@` too. */
interface ColumnDot {
  node: Expr;
  v: Expr;
  vBase: string;
  y: NameExpr;
  rows: Expr & { kind: 'slice' };
}

/** Rewrites the loops of tf in place; the number of dots hoisted. */
export function hoistColumnDots(tf: TypedFunction): number {
  if (tf.numerics !== 'close') return 0;
  const count = { n: 0 };
  const body = rewriteBody(tf, tf.fn.body, [], count);
  if (count.n > 0) tf.fn = { ...tf.fn, body };
  return count.n;
}

function rewriteBody(tf: TypedFunction, body: Stmt[], outer: ForStmt[], count: { n: number }): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) {
    if (s.kind === 'for') {
      s.body = rewriteBody(tf, s.body, [...outer, s], count);
      out.push(...hoistIn(tf, s, outer, count), s);
    } else if (s.kind === 'while') {
      s.body = rewriteBody(tf, s.body, outer, count);
      out.push(s);
    } else if (s.kind === 'if') {
      s.body = rewriteBody(tf, s.body, outer, count);
      s.orelse = rewriteBody(tf, s.orelse, outer, count);
      out.push(s);
    } else {
      out.push(s);
    }
  }
  return out;
}

/** The statements that compute the loop's hoisted dots (none where the loop has none to hoist). */
function hoistIn(tf: TypedFunction, loop: ForStmt, outer: ForStmt[], count: { n: number }): Stmt[] {
  const step = loop.range.step;
  if (step && !(step.kind === 'number' && step.text === '1')) return [];
  const invariant = invariantIn(loop);
  if (![loop.range.start, loop.range.stop].every((e) => e === null || invariant(e))) return [];
  const found = dots(tf, loop, invariant);
  if (found.length === 0 || !keepsOperands(tf, loop, outer, found)) return [];
  const before: Stmt[] = [];
  const lo = loop.range.start ?? '0';
  for (const d of found) {
    let id = `${COLUMN_DOTS}${count.n++}`;
    while (tf.locals.has(id)) id = `${COLUMN_DOTS}${count.n++}`;
    const ty: Ty = { kind: 'array', dtype: (tf.types.get(d.y) as Ty & { kind: 'array' }).dtype, ndim: 1 };
    const span = { ...loop.span, end: loop.span.start, to: loop.span.from };
    const target: Expr = { kind: 'name', span, id };
    const product: Expr = { kind: 'call', span, func: { kind: 'name', span, id: 'column_dots' }, args: [], keywords: [] };
    const none: Expr = { kind: 'call', span, func: { kind: 'name', span, id: 'column_dots_none' }, args: [], keywords: [] };
    // v is evaluated only where the loop runs, as the original evaluates it (`A[i + 1:, i]` may raise)
    const start: Expr = loop.range.start ?? { kind: 'number', span, text: '0', numberKind: 'int' };
    const test: Expr = { kind: 'compare', span, left: start, ops: ['<'], comparators: [loop.range.stop] };
    const value: Expr = { kind: 'ifexp', span, test, body: product, orelse: none };
    for (const e of [target, product, none, value]) tf.types.set(e, ty);
    if (!loop.range.start) tf.types.set(start, scalar('int', 'py'));
    tf.types.set(test, scalar('bool', 'py'));
    tf.locals.set(id, ty);
    const [s, t] = [d.rows.lower ?? '0', d.rows.upper ?? NO_STOP];
    tf.helpers.set(product, { helper: 'column_dots', args: [d.v, d.y, s, t, lo, loop.range.stop] });
    tf.helpers.set(none, { helper: 'column_dots_none', args: [d.y] });
    before.push({ kind: 'assign', span, target, value, annotation: null });
    // the dot itself: its type and close note stay (the node's), printed through column_dot
    const ty0 = tf.types.get(d.node);
    const call: Expr = { kind: 'call', span: d.node.span, func: { kind: 'name', span: d.node.span, id: 'column_dot' }, args: [], keywords: [] };
    if (ty0) tf.types.set(call, ty0);
    tf.helpers.set(call, { helper: 'column_dot', args: [id, lo, loop.target, d.v, d.y, s, t] });
    replaceExpr(loop.body, d.node, call);
  }
  return before;
}

/** The loop's dots of a vector that does not depend on j (its variable) and a column `Y[s:t, j]`. */
function dots(tf: TypedFunction, loop: ForStmt, invariant: (e: Expr) => boolean): ColumnDot[] {
  const j = loop.target.id;
  const found: ColumnDot[] = [];
  walkStmts(loop.body, (s) => {
    for (const e of stmtExprs(s)) walkExpr(e, (n) => {
      const operands = n.kind === 'binary' && n.op === '@' ? [n.left, n.right]
        : n.kind === 'call' && n.args.length === 2 && n.keywords.length === 0 && ['matmul', 'dot'].includes(tf.helpers.get(n)?.helper ?? '') ? n.args : null;
      if (!operands || found.some((d) => d.node === n)) return;
      for (const [col, v] of [[operands[1], operands[0]], [operands[0], operands[1]]]) {
        const d = columnDot(tf, n, col, v, j, invariant);
        if (d) {
          found.push(d);
          return;
        }
      }
    });
  });
  return found;
}

/** `col` is `Y[s:t, j]` and `v` a 1-d vector of Y's float dtype whose value does not depend on the loop. */
function columnDot(tf: TypedFunction, node: Expr, col: Expr, v: Expr, j: string, invariant: (e: Expr) => boolean): ColumnDot | null {
  if (col.kind !== 'subscript' || col.value.kind !== 'name' || col.indices.length !== 2) return null;
  const [rows, c] = col.indices;
  if (c.kind !== 'name' || c.id !== j || rows.kind !== 'slice' || rows.step !== null) return null;
  if (![rows.lower, rows.upper].every((e) => e === null || invariant(e))) return null;
  const yt = tf.types.get(col.value);
  const vt = tf.types.get(v);
  if (yt?.kind !== 'array' || yt.ndim !== 2 || (yt.dtype !== 'float64' && yt.dtype !== 'float32')) return null;
  if (vt?.kind !== 'array' || vt.ndim !== 1 || vt.dtype !== yt.dtype) return null;
  // v: a name or a subscript of one by indices the loop does not change (its array's writes: keepsOperands)
  const base = v.kind === 'name' ? v : v.kind === 'subscript' && v.value.kind === 'name' ? v.value : null;
  if (base === null || !invariant(base) || (v.kind === 'subscript' && !v.indices.every(invariant))) return null;
  // (a view of another array, such as `x = A[:, 0]`, would change with writes to that array)
  if (![base.id, col.value.id].every((a) => isParamArray(tf, a) || freshLocal(tf, a))) return null;
  return { node, v, vBase: base.id, y: col.value, rows };
}

/** Nothing in the loop binds the dots' names or writes what they read (the header's rules). */
function keepsOperands(tf: TypedFunction, loop: ForStmt, outer: ForStmt[], found: ColumnDot[]): boolean {
  const vectors = new Set(found.map((d) => d.vBase));
  const blocks = new Set(found.map((d) => d.y.id));
  let ok = true;
  walkStmts(loop.body, (s) => {
    if (s.kind === 'expr' || (s.kind === 'for' && s.target.id === loop.target.id)) ok = false;
    for (const e of stmtExprs(s)) walkExpr(e, (n) => {
      if (tf.calls.has(n)) ok = false;
      // a ufunc's out= or a method of an operand (a.sort(), a.fill(v)) may write it inside an expression
      if (n.kind === 'call' && (n.keywords.some((k) => k.name === 'out') || (n.func.kind === 'attribute' && n.func.value.kind === 'name'
        && (vectors.has(n.func.value.id) || blocks.has(n.func.value.id))))) ok = false;
    });
    if (s.kind !== 'assign' && s.kind !== 'augassign') return;
    if (s.target.kind === 'name' && (s.kind === 'assign' || tf.locals.get(s.target.id)?.kind !== 'array')) {
      if (s.target.id === loop.target.id || vectors.has(s.target.id) || blocks.has(s.target.id)) ok = false;
      return;
    }
    let t = s.target;
    while (t.kind === 'subscript') t = t.value;
    if (t.kind !== 'name' || vectors.has(t.id) || !(isParamArray(tf, t.id) || freshLocal(tf, t.id))) ok = false;
    else if (blocks.has(t.id) && !outsideBlocks(s.target, loop, outer, found.filter((d) => d.y.id === t.id))) ok = false;
  });
  return ok;
}

/** A write `Y[i, ...]` in a row the blocks `Y[i + c:t]` (c >= 1) cannot hold: i an enclosing loop's variable
 * counting up from 0 or more (so i + c is no negative bound counted from the end), not bound in the loop. */
function outsideBlocks(target: Expr, loop: ForStmt, outer: ForStmt[], blocks: ColumnDot[]): boolean {
  if (target.kind !== 'subscript' || target.value.kind !== 'name' || target.indices.length !== 2) return false;
  const r = target.indices[0];
  if (r.kind !== 'name') return false;
  const around = [...outer].reverse().find((f) => f.target.id === r.id);
  if (!around || !invariantIn(loop)(r) || rebinds(around.body, r.id)) return false;
  const { start, step } = around.range;
  const upward = step === null || (step.kind === 'number' && step.text === '1');
  const fromZero = start === null || (start.kind === 'number' && start.numberKind === 'int' && /^\d+$/.test(start.text));
  if (!upward || !fromZero) return false;
  return blocks.every((d) => d.rows.lower !== null && (offsetOf(d.rows.lower, r.id) ?? 0) >= 1);
}

/** Whether the statements bind the name (an assignment, a loop's variable). */
function rebinds(body: Stmt[], name: string): boolean {
  let found = false;
  walkStmts(body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && s.target.id === name) found = true;
    if (s.kind === 'for' && s.target.id === name) found = true;
  });
  return found;
}
