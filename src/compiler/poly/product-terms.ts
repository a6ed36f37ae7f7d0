// Poly stage: the pieces of a product update that poly/product-loops.ts (products inside the k loop) and
// poly/product-scatter.ts (products summed over an enclosing loop) both read: the operand and term shapes,
// the term/factor splitting of an update's expression, and the test that an expression keeps its value
// through the nest. In a module of their own so that neither of the two imports the other.
import { walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';

/** One operand of the product: a 2-d array with k along `kDim`, or a vector indexed by k. */
export interface ProductOperand {
  array: string;
  /** The dimension k indexes (a vector: 0). */
  kDim: number;
  rank: 1 | 2;
}

/** One term of an update: `c * Y[a, k] * Z[k, b]`, the k-th term of `c * T[a, b]`, T = Y @ Z. */
export interface ProductTerm {
  left: ProductOperand;
  right: ProductOperand;
  /** The scalar factors of each term, as written. */
  factors: Expr[];
  /** T's name in the generated code. */
  name: string;
  /** Subtracted (`X -= ...`, `X = X + a - b`). */
  negated: boolean;
  /** A triangular k range: the operand whose other index is the range's variable, copied masked; null: the whole range. */
  mask: 'left' | 'right' | null;
  /** The operands' subscript expressions as written (for the old-values proof). */
  reads: Expr[];
}

export function isParamArray(tf: TypedFunction, name: string): boolean {
  return tf.params.some((q) => q.name === name && q.kind === 'array');
}

/** Does an expression keep its value through the nest? (no name bound in it but `except`; shapes and len() only) */
export function invariantIn(outer: Stmt, except: string | null = null): (e: Expr) => boolean {
  const assigned = assignedIn(outer);
  return (e: Expr): boolean => {
    let ok = true;
    walkExpr(e, (n) => {
      if (n.kind === 'name' && assigned.has(n.id) && n.id !== except) ok = false;
      // an array's shape does not change (`A.shape[1]`, `len(x)`); other subscripts and calls may
      const shape = n.kind === 'subscript' && n.value.kind === 'attribute' && n.value.attr === 'shape';
      const len = n.kind === 'call' && n.func.kind === 'name' && n.func.id === 'len';
      if ((n.kind === 'subscript' && !shape) || (n.kind === 'call' && !len)) ok = false;
    });
    return ok;
  };
}

/** `t1 + t2 - t3 ...` as its terms and their signs (a tree of `+` and `-`; one term when there is neither). */
export function addends(e: Expr, negated: boolean): { e: Expr; negated: boolean }[] {
  if (e.kind === 'binary' && e.op === '+') return [...addends(e.left, negated), ...addends(e.right, negated)];
  if (e.kind === 'binary' && e.op === '-') return [...addends(e.left, negated), ...addends(e.right, !negated)];
  return [{ e, negated }];
}

/** `a * b * c` as its factors (a product tree of `*` only), or null. */
export function productFactors(e: Expr): Expr[] | null {
  if (e.kind === 'binary' && e.op === '*') {
    const l = productFactors(e.left);
    const r = productFactors(e.right);
    return l && r ? [...l, ...r] : null;
  }
  if (e.kind === 'name' || e.kind === 'number' || e.kind === 'subscript') return [e];
  return null;
}

/** `Y[a, k]`, `Y[k, a]`, `z[k]`: the operand and its other subscript (a name), or null. */
export function operand(e: Expr, k: string): { op: ProductOperand; other: string | null } | null {
  if (e.kind !== 'subscript' || e.value.kind !== 'name') return null;
  const names = e.indices.map((i) => (i.kind === 'name' ? i.id : null));
  if (names.some((n) => n === null)) return null;
  const kDim = names.indexOf(k);
  if (kDim < 0 || names.lastIndexOf(k) !== kDim) return null;
  if (names.length === 1) return { op: { array: e.value.id, kDim: 0, rank: 1 }, other: null };
  if (names.length !== 2) return null;
  return { op: { array: e.value.id, kDim, rank: 2 }, other: names[1 - kDim] };
}

/** Names bound anywhere in a statement (assignments and loop variables). */
function assignedIn(s: Stmt): Set<string> {
  const out = new Set<string>();
  walkStmts([s], (t) => {
    if ((t.kind === 'assign' || t.kind === 'augassign') && t.target.kind === 'name') out.add(t.target.id);
    if (t.kind === 'for') out.add(t.target.id);
  });
  return out;
}
