// Poly stage (plan part, issue 16): a product whose sum runs over an enclosing
// loop. In symm's
//
//     for i in range(m):
//         for j in range(n):
//             for k in range(i):
//                 C[k, j] += alpha * B[i, j] * A[i, k]
//
// the k loop is no reduction: it scatters one term into each C[k, j], and the
// terms of one element come from the iterations of i (k < i). The total each
// element receives is T[k, j] = sum over the i with k in range(i) of A[i, k] *
// B[i, j]: a product over i, with A masked to the pairs (i, k) the loops visit.
// When no other statement of the nest touches an element after the update
// first adds to it (isl: no dependence from the update to any other statement;
// poly/old-reads.ts scattersMove), and nothing in the nest writes A or B, the
// additions can all move after the nest: `C[k, j] += alpha * T[k, j]` for each
// element that received at least one term (a count per k, so elements the
// original never touches stay as they are). BLAS adds the terms in another
// order, so close mode only, with the product bound.
import type { IslContext } from 'isl-wasm';
import type { Expr, ForStmt, Stmt } from '../parse/ast.js';
import { stmtExprs, walkExpr, walkStmts } from '../parse/ast.js';
import type { Scop } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import { literalStep } from '../codegen/loop-range.js';
import { addends, invariantIn, isParamArray, operand, productFactors, type ProductOperand, type ProductTerm } from './product-terms.js';
import { scattersMove } from './old-reads.js';

export interface ScatterUpdate {
  update: Stmt & ({ kind: 'augassign' } | { kind: 'assign' });
  /** X, the updated array. */
  target: string;
  /** X's subscripts as written: the k loop's variable and, for a matrix, b. */
  subscripts: string[];
  /** The product T[k, b] = sum over a of Y[a, k] * Z[a, b]: left Y with a along kDim, right Z (or z[a]). */
  term: ProductTerm;
  /** The loop of a, the sum's index. */
  reduceLoop: ForStmt;
  /** The loop of b (null for a vector X[k]). */
  otherLoop: ForStmt | null;
}

/**
 * The update `X[k, b] += c * Y[a, k] * Z[a, b]` (factors in any order, `X[b, k]`,
 * `X[k] += c * Y[a, k] * z[a]`) directly inside the k loop, whose enclosing
 * loops in the nest are exactly a's and b's (no `if` between), or null.
 */
export function scatterUpdate(isl: IslContext, tf: TypedFunction, scop: Scop, update: Stmt, loop: ForStmt, outer: Stmt, rangeVar: string | null, written: Set<string>): ScatterUpdate | null {
  if (update.kind !== 'augassign' && update.kind !== 'assign') return null;
  if (update.target.kind !== 'subscript' || update.target.value.kind !== 'name') return null;
  const x = update.target.value.id;
  const k = loop.target.id;
  const subs = update.target.indices.map((e) => (e.kind === 'name' ? e.id : null));
  if (subs.some((v) => v === null) || subs.length < 1 || subs.length > 2 || !subs.includes(k) || new Set(subs).size !== subs.length) return null;
  const b = subs.length === 2 ? (subs.find((v) => v !== k) as string) : null;
  let added: { e: Expr; negated: boolean }[] | null = null;
  if (update.kind === 'augassign' && (update.op === '+' || update.op === '-')) added = addends(update.value, update.op === '-');
  if (update.kind === 'assign') {
    const all = addends(update.value, false);
    const own = all.filter((a) => a.e.kind === 'subscript' && a.e.value.kind === 'name' && a.e.value.id === x && a.e.indices.every((ix, d) => ix.kind === 'name' && ix.id === subs[d]));
    if (own.length === 1 && !own[0].negated && all.length > 1) added = all.filter((a) => a !== own[0]);
  }
  if (!added || added.length !== 1) return null;
  const factors = productFactors(added[0].e);
  if (!factors) return null;
  const arrays = factors.filter((f) => f.kind === 'subscript');
  const scalars = factors.filter((f) => f.kind !== 'subscript');
  if (arrays.length !== 2) return null;
  // the loops around k in the nest: a's and b's only, step 1, ranges invariant in the nest
  const path = loopsAround(outer, loop);
  if (!path || path.length !== (b ? 2 : 1)) return null;
  const other = b ? path.find((l) => l.target.id === b) ?? null : null;
  const reduce = path.find((l) => l.target.id !== b);
  if (!reduce || (b && !other)) return null;
  const a = reduce.target.id;
  const invariant = invariantIn(outer);
  for (const l of path) {
    if (literalStep(l.range.step) !== 1) return null;
    if (![l.range.start, l.range.stop].filter((e): e is Expr => e !== null).every(invariant)) return null;
  }
  if (rangeVar !== null && rangeVar !== a) return null;
  // Y[a, k] (either way round) and Z[a, b] (or z[a])
  const withA = arrays.map((f) => operand(f, a));
  if (withA.some((o) => o === null)) return null;
  const ops = withA as { op: ProductOperand; other: string | null }[];
  const left = ops.find((o) => o.op.rank === 2 && o.other === k);
  const right = ops.find((o) => o !== left && (b ? o.op.rank === 2 && o.other === b : o.op.rank === 1));
  if (!left || !right) return null;
  const dtype = (name: string): string | null => {
    const p = tf.params.find((q) => q.name === name);
    if (p) return p.kind === 'array' ? p.dtype : null;
    const t = tf.locals.get(name);
    return t?.kind === 'array' ? t.dtype : null;
  };
  if ([x, left.op.array, right.op.array].some((n) => dtype(n) !== 'float64')) return null;
  if (!isParamArray(tf, left.op.array) || !isParamArray(tf, right.op.array) || !(isParamArray(tf, x) || scop.localShapes.has(x))) return null;
  if (written.has(left.op.array) || written.has(right.op.array) || x === left.op.array || x === right.op.array) return null;
  // X is the same array after the nest (not bound afresh inside it), where the totals are added
  let rebound = false;
  walkStmts([outer], (t) => { if ((t.kind === 'assign' || t.kind === 'augassign') && t.target.kind === 'name' && t.target.id === x) rebound = true; });
  if (rebound) return null;
  if (!scalars.every(invariant)) return null;
  if (!scalars.every((e) => { const t = tf.types.get(e); return t?.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'int'); })) return null;
  let helper = false;
  for (const e of stmtExprs(update)) walkExpr(e, (n) => { if (tf.helpers.has(n) || tf.calls.has(n)) helper = true; });
  if (helper || tf.augHelpers.has(update) || tf.arrayAug.has(update)) return null;
  // no other statement of the nest touches X's elements after the update first adds to them
  if (!scattersMove(isl, scop, outer, update)) return null;
  const term: ProductTerm = {
    stack: [],
    left: left.op,
    right: right.op,
    factors: scalars,
    name: `_polyray_t${update.span.from.line}_${update.span.from.col}`,
    negated: added[0].negated,
    mask: 'left',
    reads: arrays,
  };
  return { update, target: x, subscripts: subs as string[], term, reduceLoop: reduce, otherLoop: other };
}

/** The loops from `outer` (included) down to `loop`'s parent, or null when an `if` or `while` sits between. */
function loopsAround(outer: Stmt, loop: ForStmt): ForStmt[] | null {
  const find = (s: Stmt): ForStmt[] | null => {
    if (s.kind !== 'for') return null;
    for (const c of s.body) {
      if (c === loop) return [s];
      const below = find(c);
      if (below) return [s, ...below];
    }
    return null;
  };
  return find(outer);
}
