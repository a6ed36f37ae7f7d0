// Poly stage (plan part, issue 16): loops that compute a matrix product, run
// through BLAS in `close` mode. A loop `for k in range(lo, hi)` whose whole body
// is one update
//
//     X[a, b] += c * Y[a, k] * Z[k, b]        (gemm, 2mm, 3mm, syrk, covariance)
//     X[a] = X[a] + Y[a, k] * z[k]            (gemv: atax, bicg, mvt, gesummv)
//     X[a, b] += c * Y[b, k] * Z[a, k] + d * Z[b, k] * Y[a, k]      (syr2k)
//     X[b] += Y[r, q, k] * Z[k, b]           (doitgen: a stack, T[r, q, b] = (Y[r] @ Z)[q, b],
//                                             r and q loops around k; one product per plane r)
//
// (either operand transposed, scalar factors c anywhere in the product, `+=`
// or `X = X + e` or `X = e + X`) adds, for each (a, b) its enclosing loops
// visit, the k-th term of T[a, b] = (Y @ Z)[a, b] over lo <= k < hi. When lo
// and hi do not change inside the outermost loop S around it, and nothing in S
// writes Y or Z, T can be computed once before S by BLAS (Numba's np.dot) and
// the k loop replaced by `X[a, b] += c * T[a, b]` (a sum of such terms, one
// product each, `X[a, b] += c * T1[a, b] + d * T2[a, b]`): every other statement of S,
// its loop order and its prange loops stay as they are. BLAS sums the k terms
// in another order, so only `close` mode does it, with the product bound
// (numerics.ts productLoopNote). codegen/cpu-variant.ts prints S twice: with
// the products when the k range is not empty (then the guard's bounds check has
// covered Y[a, k] and Z[k, b] for every (a, b), so T[a, b] is inside T), and
// as written otherwise.
//
// A k range bounded by an enclosing loop's variable v, one of T's indices
// (trmm's `for k in range(i + 1, m)`, a triangle), is a masked product: the
// operand walking v is copied with zeros outside the range, T = mask @ Z,
// and the update runs where the original's range is not empty (`if hi - lo >
// 0:` around it), so elements the original leaves alone stay untouched. The
// zeros meet the other operand, so that one must be finite (a condition of the
// fast path: 0 * inf would make a NaN the original never computes). An operand
// the nest also writes (trmm's B, the target itself) is allowed when isl proves
// that no write of the nest reaches its read (poly/old-reads.ts): then the
// product before the nest reads the same old values.
import type { IslContext } from 'isl-wasm';
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import type { Scop } from '../scop/scop.js';
import { liveAfter } from './liveness.js';
import { literalStep } from '../codegen/loop-range.js';
import { productLoopNote } from '../numerics.js';
import { readsOnlyOld } from './old-reads.js';
import { productFold } from './product-fold.js';
import type { ProductLoop, ProductUpdate } from './product-types.js';
import { scatterUpdate, type ScatterUpdate } from './product-scatter.js';
import { addends, invariantIn, isParamArray, operand, productFactors, stackOperand, type ProductOperand, type ProductTerm } from './product-terms.js';

export type { ProductLoop, ProductUpdate } from './product-types.js';

/**
 * The product loops of a function (close mode only; none when the guard does
 * not check every access), by the k loop's source offset.
 */
export function productLoops(isl: IslContext, tf: TypedFunction, scop: Scop, boundsChecked: boolean): Map<number, ProductLoop> {
  const out = new Map<number, ProductLoop>();
  if (tf.numerics !== 'close' || !boundsChecked || scop.unanalysable) return out;
  const visit = (body: Stmt[], outer: Stmt | null): void => {
    for (const s of body) {
      if (s.kind === 'if') {
        visit(s.body, outer);
        visit(s.orelse, outer);
      } else if (s.kind === 'for' || s.kind === 'while') {
        const top = outer ?? s;
        if (s.kind === 'for' && outer) {
          const p = productLoop(isl, tf, scop, s, top);
          if (p) {
            out.set(s.span.start, p);
            continue;
          }
        }
        visit(s.body, top);
      }
    }
  };
  visit(tf.fn.body, null);
  return out;
}

function productLoop(isl: IslContext, tf: TypedFunction, scop: Scop, loop: ForStmt, outer: Stmt): ProductLoop | null {
  if (literalStep(loop.range.step) !== 1 || loop.body.length === 0) return null;
  const k = loop.target.id;
  const inner: ForStmt[] = [];
  let body = loop.body;
  while (body.length === 1 && body[0].kind === 'for' && body[0].body.length === 1) {
    inner.push(body[0]);
    body = body[0].body;
  }
  if (inner.length > 0 && body.length !== 1) return null;
  const innerVars = inner.map((l) => l.target.id);
  if (new Set([k, ...innerVars]).size !== inner.length + 1) return null;
  // the inner ranges do not depend on k (nor on each other: a rectangular nest inside k)
  for (const l of inner) for (const e of stmtExprs(l)) {
    let dependent = false;
    walkExpr(e, (n) => { if (n.kind === 'name' && (n.id === k || innerVars.includes(n.id))) dependent = true; });
    if (dependent) return null;
  }
  // k is not read after its loop (the replacement does not set it), and its range does not change in the nest
  if (liveAfter(tf.fn, loop).has(k)) return null;
  const written = writtenIn(tf, outer);
  if (written === null) return null;
  // every array written in the nest is a parameter (the dispatcher checks those against aliasing) or a fresh allocation
  for (const w of written) if (!isParamArray(tf, w) && !scop.localShapes.has(w) && tf.locals.get(w)?.kind === 'array') return null;
  const invariant = invariantIn(outer);
  const bounds = [loop.range.start, loop.range.stop].filter((e): e is Expr => e !== null);
  let rangeVar: string | null = null;
  if (!bounds.every(invariant)) {
    // a triangle: the bounds depend on one enclosing loop's variable, invariant otherwise
    const vs = new Set<string>();
    for (const e of bounds) walkExpr(e, (n) => { if (n.kind === 'name' && !invariant(n)) vs.add(n.id); });
    const v = vs.size === 1 ? [...vs][0] : null;
    if (!v || !enclosingLoopVars(outer, loop).has(v) || !bounds.every(invariantIn(outer, v))) return null;
    rangeVar = v;
  }
  const updates: ProductUpdate[] = [];
  const scatters: ScatterUpdate[] = [];
  const around = enclosingLoopVars(outer, loop);
  for (const st of body) {
    const u = productUpdate(tf, scop, st, k, invariant, rangeVar, around) ?? scalarUpdate(tf, scop, st, k, invariant, rangeVar);
    if (u) {
      updates.push(u);
      continue;
    }
    const sc = inner.length === 0 ? scatterUpdate(isl, tf, scop, st, loop, outer, rangeVar, written) : null;
    if (!sc) return null;
    scatters.push(sc);
  }
  // distinct targets
  const targets = [...updates.map((u) => targetArray(u.update)), ...scatters.map((u) => u.target)];
  if (new Set(targets).size !== targets.length) return null;
  if (scatters.some((u) => targets.includes(u.term.left.array) || targets.includes(u.term.right.array))) return null;
  // operands the nest writes (a target among them): only where no write of the nest reaches their reads
  const terms = updates.flatMap((u) => u.terms);
  const stale = terms.flatMap((t) => t.reads.filter((r) => r.kind === 'subscript' && r.value.kind === 'name' && (written.has(r.value.id) || targets.includes(r.value.id))));
  if (!readsOnlyOld(isl, scop, outer, stale)) return null;
  const p = { loop, inner, updates, outer, rangeVar, scatters, plane: planeLoop(outer, terms) };
  return { ...p, fold: productFold(isl, tf, scop, p) };
}

/**
 * The loop whose iterations may each compute their own plane of the stacks: the nest's outermost loop when
 * it walks every stack term's first index r, and nothing in it binds r again. Each (r, q) reads only old
 * values of Y (readsOnlyOld, above): no write of the nest reaches Y[r, q, k] before the original reads it,
 * so at the start of iteration r those elements still hold them. A plane's temporary (Q x P) stays in
 * cache while the rows read it, where the whole stack (R x Q x P) does not: doitgen at MEDIUM, 2-core EPYC
 * under load 9 to 19 (docs/benchmarks.md, tenth session), 342-409 µs against 788-842 µs in run_bench.
 */
function planeLoop(outer: Stmt, terms: ProductTerm[]): ForStmt | null {
  const stacks = terms.filter((t) => t.stack.length > 0);
  if (stacks.length === 0 || outer.kind !== 'for') return null;
  const r = outer.target.id;
  if (!stacks.every((t) => t.stack[0] === r)) return null;
  let rebound = false;
  walkStmts(outer.body, (t) => {
    if (t.kind === 'for' && t.target.id === r) rebound = true;
    if ((t.kind === 'assign' || t.kind === 'augassign') && t.target.kind === 'name' && t.target.id === r) rebound = true;
  });
  return rebound ? null : outer;
}

/**
 * A matrix-vector product whose k loop walks each matrix row along its last
 * (contiguous) axis, the loop innermost (`y[i] += A[i, j] * x[j]` over j): as
 * written, each element's sum stays in a local and close mode adds it in SIMD
 * lanes (codegen/local-accumulators.ts), one pass over the rows. Measured at one
 * thread (load 16, n = 32 to 1,000: docs/benchmarks.md, issue 16) that loop took
 * 0.35 to 0.6x the time of Numba's np.dot (gemv) plus its temporary, whose call
 * and allocation cost as much as a small product; column walks (`A[j, i]`) and
 * matrix products keep BLAS.
 */
export function streamsRows(p: ProductLoop): boolean {
  return p.inner.length === 0 && p.scatters.length === 0 && p.rangeVar === null
    && p.updates.every((u) => !u.scalar && u.terms.every((t) => t.mask === null && t.right.rank === 1 && t.left.rank === 2 && t.left.kDim === 1));
}

/**
 * Matrix-vector products only, every one walking its matrix's rows along their
 * last (contiguous) axis in the k loop: the row sums of streamsRows and the
 * scatter `s[j] += r[i] * A[i, j]` (k = j) summing over the enclosing loop
 * `reduce` (bicg's two products in one nest). Inside a loop `reduce` whose sums
 * into array elements run in blocks (poly/blocked-array-reductions.ts), the
 * nest as written is one pass over the rows: the row sums in SIMD lanes, the
 * scatter an axpy into the block's partial vector, in a loop of its own
 * (codegen/local-accumulators.ts splitSums). Measured at one thread, CPU time
 * per call (bicg at MEDIUM, these loops hand-written, load 8 to 13 on 2 cores):
 * 42 µs against 34 µs for Numba's two gemv, 35 µs for NumPy, 227 µs for the
 * expert prange version and 265 µs for isl's tiled nest (A's columns walked).
 */
export function rowStreamsIn(p: ProductLoop, reduce: number): boolean {
  const rowSums = p.inner.length === 0 && p.rangeVar === null && p.plane === null && p.fold === null
    && p.updates.every((u) => !u.scalar && u.terms.every((t) => t.mask === null && t.stack.length === 0 && t.right.rank === 1 && t.left.rank === 2 && t.left.kDim === 1));
  return rowSums && p.scatters.every((sc) => sc.reduceLoop.span.start === reduce && sc.otherLoop === null && sc.subscripts.length === 1
    && sc.term.stack.length === 0 && sc.term.left.rank === 2 && sc.term.left.kDim === 0 && sc.term.right.rank === 1);
}

/** The variables of the loops around `loop` inside `outer` (outer's own included). */
function enclosingLoopVars(outer: Stmt, loop: ForStmt): Set<string> {
  const out = new Set<string>();
  const visit = (s: Stmt, around: string[]): boolean => {
    if (s === loop) {
      for (const v of around) out.add(v);
      return true;
    }
    const here = s.kind === 'for' ? [...around, s.target.id] : around;
    const children = s.kind === 'for' || s.kind === 'while' ? s.body : s.kind === 'if' ? [...s.body, ...s.orelse] : [];
    return children.some((c) => visit(c, here));
  };
  visit(outer, []);
  return out;
}

function targetArray(update: Stmt & ({ kind: 'augassign' } | { kind: 'assign' })): string {
  if (update.target.kind === 'name') return update.target.id;
  return update.target.kind === 'subscript' && update.target.value.kind === 'name' ? update.target.value.id : '';
}

function productUpdate(tf: TypedFunction, scop: Scop, update: Stmt, k: string, invariant: (e: Expr) => boolean, rangeVar: string | null, around: Set<string>): ProductUpdate | null {
  if (update.kind !== 'augassign' && update.kind !== 'assign') return null;
  if (update.target.kind !== 'subscript' || update.target.value.kind !== 'name') return null;
  const x = update.target.value.id;
  const subscripts = update.target.indices.map((e) => (e.kind === 'name' ? e.id : null));
  if (subscripts.some((v) => v === null) || subscripts.length < 1 || subscripts.length > 2) return null;
  const subs = subscripts as string[];
  if (new Set(subs).size !== subs.length || subs.includes(k)) return null;
  // the added expression: `X += e`, `X = X + e`, `X = e + X`
  // the added terms: `X += e`, `X -= e`, `X = X + e`, `X = e + X` (e a sum or difference of terms, X among them once)
  let added: { e: Expr; negated: boolean }[] | null = null;
  if (update.kind === 'augassign' && (update.op === '+' || update.op === '-')) added = addends(update.value, update.op === '-');
  if (update.kind === 'assign') {
    const all = addends(update.value, false);
    const own = all.filter((a) => sameAccess(a.e, update.target));
    if (own.length === 1 && !own[0].negated && all.length > 1) added = all.filter((a) => a !== own[0]);
  }
  if (!added) return null;
  const terms: ProductTerm[] = [];
  for (const [n, a] of added.entries()) {
    const t = productTerm(tf, scop, a.e, x, subs, k, invariant, rangeVar, `_polyray_t${update.span.from.line}_${update.span.from.col}${n === 0 ? '' : `_${n}`}`, around);
    if (!t) return null;
    terms.push({ ...t, negated: a.negated });
  }
  // nothing the update computes needs a helper
  let helper = false;
  for (const e of stmtExprs(update)) walkExpr(e, (n) => { if (tf.helpers.has(n) || tf.calls.has(n)) helper = true; });
  if (helper || tf.augHelpers.has(update) || tf.arrayAug.has(update)) return null;
  return { update, subscripts: subs, terms, scalar: false };
}

/**
 * `s += c * Y[a, k] * Z[k, b]` into a float scalar local (symm's temp2, a dot
 * product per (a, b)): T's indices are the operands' other indices, and the k
 * loop becomes `s += c * T[a, b]`. One term; `s -= ...` and `s = s + ...` too.
 */
function scalarUpdate(tf: TypedFunction, scop: Scop, update: Stmt, k: string, invariant: (e: Expr) => boolean, rangeVar: string | null): ProductUpdate | null {
  if ((update.kind !== 'augassign' && update.kind !== 'assign') || update.target.kind !== 'name') return null;
  const s = update.target.id;
  const ty = tf.locals.get(s);
  if (ty?.kind !== 'scalar' || ty.scalar !== 'float' || s === k) return null;
  let added: { e: Expr; negated: boolean }[] | null = null;
  if (update.kind === 'augassign' && (update.op === '+' || update.op === '-')) added = addends(update.value, update.op === '-');
  if (update.kind === 'assign') {
    const all = addends(update.value, false);
    const own = all.filter((a) => a.e.kind === 'name' && a.e.id === s);
    if (own.length === 1 && !own[0].negated && all.length > 1) added = all.filter((a) => a !== own[0]);
  }
  if (!added || added.length !== 1) return null;
  // T's indices: the matrix operands' other subscripts (a matrix and a vector: the matrix's only)
  const arrays = (productFactors(added[0].e) ?? []).filter((f) => f.kind === 'subscript').map((f) => operand(f, k));
  if (arrays.length !== 2 || arrays.some((o) => o === null)) return null;
  const others = (arrays as { op: ProductOperand; other: string | null }[]).filter((o) => o.op.rank === 2).map((o) => o.other as string);
  if (others.length === 0) return null;
  // a triangle's variable as T's row: the masked operand is then the left one (row blocks, codegen/product-loops.ts)
  if (others.length === 2 && rangeVar !== null && others[1] === rangeVar) others.reverse();
  const t = productTerm(tf, scop, added[0].e, s, others, k, invariant, rangeVar, `_polyray_t${update.span.from.line}_${update.span.from.col}`);
  if (!t) return null;
  let helper = false;
  for (const e of stmtExprs(update)) walkExpr(e, (n) => { if (tf.helpers.has(n) || tf.calls.has(n)) helper = true; });
  if (helper || tf.augHelpers.has(update)) return null;
  return { update, subscripts: others, terms: [{ ...t, negated: added[0].negated }], scalar: true };
}

/**
 * One term `c * Y[a, k] * Z[k, b]` of X's update, or null. `around`: the variables of the loops around the
 * k loop in the nest; a term `c * Y[r, q, k] * Z[k, b]` of `X[b]` (doitgen's, X a row reset per (r, q))
 * whose r and q are two of them is a stack of products, T[r, q, b] = (Y[r] @ Z)[q, b]: T holds a row per
 * (r, q), so the nest reads each (r, q)'s own sums whatever X is.
 */
function productTerm(tf: TypedFunction, scop: Scop, added: Expr, x: string, subs: string[], k: string, invariant: (e: Expr) => boolean, rangeVar: string | null, name: string, around: Set<string> = new Set()): Omit<ProductTerm, 'negated'> | null {
  const factors = productFactors(added);
  if (!factors) return null;
  const arrays = factors.filter((f) => f.kind === 'subscript');
  const scalars = factors.filter((f) => f.kind !== 'subscript');
  if (arrays.length !== 2) return null;
  const stacked = arrays.map((f) => stackOperand(f, k));
  if (stacked.some((o) => o === null)) return null;
  const ops = (stacked as { op: ProductOperand; others: string[] }[]).map((o) => ({ op: o.op, others: o.others, other: o.others[0] ?? null }));
  // left: the operand that also walks X's first subscript; right: its second (or a vector)
  let left: ProductOperand;
  let right: ProductOperand;
  let stack: string[] = [];
  const s3 = ops.find((o) => o.op.rank === 3);
  if (s3) {
    // a stack: X[b] += Y[r, q, k] * Z[k, b], r and q loops around k (not b), whole ranges (no mask)
    const r = ops.find((o) => o !== s3 && o.op.rank === 2 && o.other === subs[0]);
    if (subs.length !== 1 || !r || rangeVar !== null || s3.others.some((v) => v === subs[0] || !around.has(v))) return null;
    left = s3.op;
    right = r.op;
    stack = s3.others;
  } else if (subs.length === 2) {
    const l = ops.find((o) => o.other === subs[0]);
    const r = ops.find((o) => o.other === subs[1]);
    if (!l || !r || l === r || l.op.rank !== 2 || r.op.rank !== 2) return null;
    left = l.op;
    right = r.op;
  } else {
    const m = ops.find((o) => o.other === subs[0] && o.op.rank === 2);
    const v = ops.find((o) => o.op.rank === 1);
    if (!m || !v || m === v) return null;
    left = m.op;
    right = v.op;
  }
  // float64 arrays; the operands parameters that the nest does not write, other than X
  const arrayDtype = (name: string): string | null => {
    const p = tf.params.find((q) => q.name === name);
    if (p) return p.kind === 'array' ? p.dtype : null;
    const t = tf.locals.get(name);
    return t?.kind === 'array' ? t.dtype : null;
  };
  const scalarTarget = tf.locals.get(x)?.kind === 'scalar';
  if ([...(scalarTarget ? [] : [x]), left.array, right.array].some((a) => arrayDtype(a) !== 'float64')) return null;
  // (an operand the nest writes, X included, is checked by productLoop: it must read only old values)
  if (!isParamArray(tf, left.array) || !isParamArray(tf, right.array)) return null;
  if (!scalarTarget && !isParamArray(tf, x) && !scop.localShapes.has(x)) return null;
  // a triangular range masks the operand walking its variable
  const mask = rangeVar === null ? null : rangeVar === subs[0] ? 'left' : subs.length === 2 && rangeVar === subs[1] ? 'right' : undefined;
  if (mask === undefined) return null;
  // the scalar factors do not change in the nest
  if (!scalars.every(invariant)) return null;
  if (!scalars.every((e) => { const t = tf.types.get(e); return t?.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'int'); })) return null;
  return { stack, left, right, factors: scalars, name, mask, reads: arrays };
}

function sameAccess(a: Expr, b: Expr): boolean {
  if (a.kind !== 'subscript' || b.kind !== 'subscript' || a.value.kind !== 'name' || b.value.kind !== 'name' || a.value.id !== b.value.id) return false;
  return a.indices.length === b.indices.length && a.indices.every((x, i) => x.kind === 'name' && b.indices[i].kind === 'name' && x.id === (b.indices[i] as { id: string }).id);
}

/** The arrays a statement writes (subscript targets' roots, names updated in place); null when it calls a module function. */
function writtenIn(tf: TypedFunction, s: Stmt): Set<string> | null {
  const out = new Set<string>();
  let calls = false;
  walkStmts([s], (t) => {
    if (t.kind === 'assign' || t.kind === 'augassign') {
      let target = t.target;
      while (target.kind === 'subscript') target = target.value;
      if (target.kind === 'name') out.add(target.id);
    }
    // a call of a module function may write what it is passed; an index helper (x[idx] = v) writes its array
    for (const e of stmtExprs(t)) walkExpr(e, (n) => { if (tf.calls.has(n)) calls = true; });
    if (tf.augHelpers.has(t)) calls = true;
  });
  return calls ? null : out;
}

/** The close notes of a function's product loops, one per update (numerics.ts productLoopNote). */
export function closeNotesForProducts(tf: TypedFunction, products: ReadonlyMap<number, ProductLoop>): void {
  for (const p of products.values()) {
    for (const u of p.updates) {
      const { line, col } = u.update.span.from;
      const target = u.scalar ? targetArray(u.update) : `${targetArray(u.update)}[${u.subscripts.join(', ')}]`;
      if (!tf.closeNotes.some((n) => n.line === line && n.col === col)) tf.closeNotes.push(productLoopNote(line, col, `${target} += ... over ${p.loop.target.id}`, u.terms.length));
    }
    for (const u of p.scatters) {
      const { line, col } = u.update.span.from;
      const where = p.fold ? `folded into ${targetArray(p.updates[0].update)}'s product` : 'added after the nest';
      if (!tf.closeNotes.some((n) => n.line === line && n.col === col)) tf.closeNotes.push(productLoopNote(line, col, `${u.target}[${u.subscripts.join(', ')}] += ... over ${u.reduceLoop.target.id}, ${where}`, 1));
    }
  }
  tf.closeNotes.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The report's transformation line for them. */
export function describeProducts(products: ReadonlyMap<number, ProductLoop>): string {
  const each = [...products.values()].map((p) => {
    const parts = [
      ...p.updates.map((u) => `${u.terms[0].right.rank === 1 ? 'matrix-vector' : u.terms[0].stack.length > 0 ? `matrix-matrix per ${u.terms[0].stack[0]}` : 'matrix-matrix'}${u.terms.length > 1 ? ` x${u.terms.length}` : ''}${u.scalar ? ` into ${targetArray(u.update)}` : ''}`),
      ...p.scatters.map((u) => `${u.target}[${u.subscripts.join(', ')}] summed over ${u.reduceLoop.target.id} and ${p.fold ? `folded into ${targetArray(p.updates[0].update)}'s product (one product of the two masked operands summed, added at line ${p.fold.into.span.from.line})` : 'added after the nest'}`),
      ...(p.rangeVar ? [`triangular in ${p.rangeVar}: a masked operand`] : []),
    ];
    return `line ${p.loop.span.from.line} (${parts.join(', ')})`;
  });
  return `matrix products through BLAS (close mode): the loop${each.length > 1 ? 's' : ''} at ${each.join(', ')} replaced by a product computed before ${each.length > 1 ? 'their nests' : 'its nest'} when its range is not empty; the nests keep the original loop order`;
}
