// Poly stage: the pieces of a product update that poly/product-loops.ts (products inside the k loop) and
// poly/product-scatter.ts (products summed over an enclosing loop) both read: the operand and term shapes,
// the term/factor splitting of an update's expression, and the test that an expression keeps its value
// through the nest. In a module of their own so that neither of the two imports the other.
import { walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';

/**
 * One operand of the product: a 2-d array with k along `kDim`, a vector indexed by k, or a 3-d array with k
 * along its last axis (`Y[r, q, k]`, doitgen's: a stack of matrices, T[r, q, b] = (Y[r] @ Z)[q, b]).
 */
export interface ProductOperand {
  array: string;
  /** The dimension k indexes (a vector: 0; a stack: 2). */
  kDim: number;
  rank: 1 | 2 | 3;
}

/** One term of an update: `c * Y[a, k] * Z[k, b]`, the k-th term of `c * T[a, b]`, T = Y @ Z. */
export interface ProductTerm {
  /**
   * A stack of products (the left operand `Y[r, q, k]` of rank 3): the loop variables naming Y's first two
   * subscripts, T's leading indices (T[r, q, b]); empty otherwise.
   */
  stack: string[];
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
  const o = stackOperand(e, k);
  return o && o.op.rank !== 3 ? { op: o.op, other: o.others[0] ?? null } : null;
}

/** `Y[a, k]`, `Y[k, a]`, `z[k]`, or `Y[r, q, k]` (k last: each row of the stack walked contiguously): the operand and its other subscripts. */
export function stackOperand(e: Expr, k: string): { op: ProductOperand; others: string[] } | null {
  if (e.kind !== 'subscript' || e.value.kind !== 'name') return null;
  const names = e.indices.map((i) => (i.kind === 'name' ? i.id : null));
  if (names.some((n) => n === null)) return null;
  const kDim = names.indexOf(k);
  if (kDim < 0 || names.lastIndexOf(k) !== kDim) return null;
  const others = (names as string[]).filter((n) => n !== k);
  if (names.length === 1) return { op: { array: e.value.id, kDim: 0, rank: 1 }, others };
  if (names.length === 2) return { op: { array: e.value.id, kDim, rank: 2 }, others };
  if (names.length === 3 && kDim === 2 && others[0] !== others[1]) return { op: { array: e.value.id, kDim, rank: 3 }, others };
  return null;
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
