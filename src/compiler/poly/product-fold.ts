// Poly stage (plan part, issue 16): a scatter and a dot product of one k loop folded into ONE product. In
// symm's
//
//     for i in range(m):
//         for j in range(n):
//             temp2 = 0.0
//             for k in range(i):
//                 C[k, j] += alpha * B[i, j] * A[i, k]     # scatter: T1[k, j] = sum over i > k of A[i, k] B[i, j]
//                 temp2 += B[k, j] * A[i, k]               # dot:     T2[i, j] = sum over k < i of A[i, k] B[k, j]
//             C[i, j] = beta * C[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2      # the row statement S
//
// both products read the same right operand B along the same axis, and both end in the same element of C:
// T2[i, j] through temp2 into S's C[i, j], T1[k, j] added after the nest (poly/product-scatter.ts) to C[k, j],
// which S wrote at i = k. The order of C[r, j]'s updates in the original: S at i = r first (the scatters into
// row r come from the rows i > r, later), then the scatters; so when nothing else reads or writes C[r, j]
// after S has written it (isl: S's write flows into no access of the nest but the scatter's), adding the
// scatter's total inside S instead of after the nest gives each element the same terms, in another order.
// And when S adds `c' * temp2` with c' times the dot's factors equal to the scatter's factors c, that total
// can ride in temp2: temp2 += T[i, j] with T = (M2 + M1) @ B, the two masked left operands summed into one
// buffer (symm: A's strict lower triangle plus its transpose, the strict upper), one BLAS product instead
// of two (each 8 row blocks) and no pass after the nest. Conditions, each checked:
//   - the k loop holds exactly one scalar dot product `s += f * Y2[a, k] * Z[k, b]` (T's row the scatter's
//     sum index a, its column the scatter's other loop b) and one scatter `X[k, b] += c * Y1[a, k] * Z[a, b]`
//     with the same Z, read along the same axis (or z a vector: X[k], s += Y2[a, k] * z[k]);
//   - the statement right after the k loop is S: `X[a, b] = e + c' * s` (or `+=`, `-=`, any addend order),
//     X[a, b] the scatter's element with k named a, s read once, in that addend only, and not after S;
//     c' and f together the same factors as c (names and literals, as written); the signs may differ
//     (the scatter's operand then enters the buffer subtracted);
//   - isl: every element the scatter adds to is written by S (so each total has its place), and S's write
//     flows into no access of X in the nest but the scatter's (so S writes each element once, and nothing
//     sees the element between S and the end of the nest).
// The sum is reassociated, so close mode only (product loops are); exact mode keeps the loops.
import type { IslContext } from 'isl-wasm';
import { stmtExprs, walkExpr, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import { liveAfter } from './liveness.js';
import { islModel } from './model.js';
import type { ProductFold, ProductLoop } from './product-types.js';

export type { ProductFold } from './product-types.js';
import { addends, invariantIn, productFactors } from './product-terms.js';

/** Bound on isl operations for the fold's two questions. */
const MAX_OPERATIONS = 200_000;


/** The fold of a product loop's scatter into its dot product, or null where a condition above fails. */
export function productFold(isl: IslContext, tf: TypedFunction, scop: Scop, p: Omit<ProductLoop, 'fold'>): ProductFold | null {
  if (p.updates.length !== 1 || p.scatters.length !== 1 || p.inner.length !== 0 || p.plane !== null) return null;
  const [u, sc] = [p.updates[0], p.scatters[0]];
  if (!u.scalar || u.terms.length !== 1 || u.update.target.kind !== 'name') return null;
  const t = u.terms[0];
  const s = u.update.target.id;
  if (t.stack.length > 0 || t.mask === 'right') return null;
  // T's row: the scatter's sum index; its column: the scatter's other loop (none for a vector)
  const a = sc.reduceLoop.target.id;
  const b = sc.otherLoop?.target.id ?? null;
  if (u.subscripts[0] !== a || u.subscripts.length !== (b === null ? 1 : 2) || (b !== null && u.subscripts[1] !== b)) return null;
  // one right operand, read along the same axis
  const [z1, z2] = [sc.term.right, t.right];
  if (z1.array !== z2.array || z1.kDim !== z2.kDim || z1.rank !== z2.rank || (b === null) !== (z1.rank === 1)) return null;
  const into = nextStatement(p.outer, p.loop);
  if (!into || (into.kind !== 'assign' && into.kind !== 'augassign')) return null;
  // S writes X[a, b]: the scatter's element with k named a
  const k = p.loop.target.id;
  const want = sc.subscripts.map((v) => (v === k ? a : v));
  const target = into.target;
  if (target.kind !== 'subscript' || target.value.kind !== 'name' || target.value.id !== sc.target) return null;
  if (target.indices.length !== want.length || !target.indices.every((e, d) => e.kind === 'name' && e.id === want[d])) return null;
  // S's addends; exactly one reads s, as a factor
  let added: { e: Expr; negated: boolean }[] | null = null;
  if (into.kind === 'assign') added = addends(into.value, false);
  if (into.kind === 'augassign' && (into.op === '+' || into.op === '-')) added = addends(into.value, into.op === '-');
  if (!added) return null;
  let reads = 0;
  for (const e of stmtExprs(into)) walkExpr(e, (n) => { if (n.kind === 'name' && n.id === s) reads++; });
  const withS = added.filter((x) => mentions(x.e, s));
  if (reads !== 1 || withS.length !== 1) return null;
  const factors = productFactors(withS[0].e);
  if (!factors || factors.filter((f) => f.kind === 'name' && f.id === s).length !== 1) return null;
  const scale = factors.filter((f) => !(f.kind === 'name' && f.id === s));
  const invariant = invariantIn(p.outer);
  if (!scale.every((f) => f.kind !== 'subscript' && invariant(f) && isRealScalar(tf, f))) return null;
  // c' and the dot's factors f together are the scatter's factors c
  const keys = (fs: Expr[]): string[] | null => {
    const out = fs.map(factorKey);
    return out.every((x): x is string => x !== null) ? out.sort() : null;
  };
  const through = keys([...scale, ...t.factors]);
  const direct = keys(sc.term.factors);
  if (!through || !direct || through.join('\u0000') !== direct.join('\u0000')) return null;
  // s carries the scatter's total into S only: not read after it
  if (liveAfter(tf.fn, into).has(s)) return null;
  if (!foldsInto(isl, scop, p.outer, into, sc.update)) return null;
  return { into, negated: sc.term.negated !== (t.negated !== withS[0].negated) };
}

/** The statement right after `loop` in the body that holds it (inside `outer`), or null (the last one, or not found). */
function nextStatement(outer: Stmt, loop: ForStmt): Stmt | null {
  let found: Stmt | null = null;
  const visit = (body: Stmt[]): void => {
    const at = body.indexOf(loop);
    if (at >= 0) {
      found = body[at + 1] ?? null;
      return;
    }
    for (const c of body) {
      if (c.kind === 'for' || c.kind === 'while') visit(c.body);
      else if (c.kind === 'if') {
        visit(c.body);
        visit(c.orelse);
      }
    }
  };
  visit([outer]);
  return found;
}

function mentions(e: Expr, name: string): boolean {
  let hit = false;
  walkExpr(e, (n) => { if (n.kind === 'name' && n.id === name) hit = true; });
  return hit;
}

function isRealScalar(tf: TypedFunction, e: Expr): boolean {
  const ty = tf.types.get(e);
  return ty?.kind === 'scalar' && (ty.scalar === 'float' || ty.scalar === 'int');
}

/** A scalar factor as written: a name or a literal (productFactors gives no other non-array factor). */
function factorKey(e: Expr): string | null {
  if (e.kind === 'name') return `name ${e.id}`;
  if (e.kind === 'number') return `number ${e.text}`;
  return null;
}

/**
 * isl: every element `scatter` writes, S (`into`) writes too, and S's write flows into no access of that
 * array in the nest other than the scatter's (S's own later instances included: S writes each element once).
 * False when an access is not modelled exactly or isl gives up.
 */
export function foldsInto(ctx: IslContext, scop: Scop, outer: Stmt, into: Stmt, scatter: Stmt): boolean {
  const nestLoop = scop.loops.findIndex((l) => l.span.start === outer.span.start && l.span.end === outer.span.end);
  if (nestLoop < 0) return false;
  const inNest = scop.statements.filter((s) => s.loops.includes(nestLoop));
  const own = inNest.filter((s) => s.source === into);
  const scat = inNest.filter((s) => s.source === scatter);
  if (own.length !== 1 || scat.length !== 1) return false;
  const write = own[0].accesses.filter((x) => x.kind === 'write');
  const scatterWrite = scat[0].accesses.filter((x) => x.kind === 'write');
  if (write.length !== 1 || !write[0].exact || !write[0].must || scatterWrite.length !== 1 || scatterWrite[0].array !== write[0].array) return false;
  const array = write[0].array;
  const sinks = inNest.filter((s) => s !== scat[0]).flatMap((s) => s.accesses.filter((x) => x.array === array).map((x) => ({ s, a: x })));
  try {
    return ctx.withQuota(MAX_OPERATIONS, () => ctx.scope(() => {
      const m = islModel(scop);
      const rel = (pairs: { s: ScopStatement; a: ScopAccess }[]): string => `${m.head} -> { ${pairs.map(({ s, a }) => `${m.tuple(s)} -> ${a.element}`).join('; ')} }`;
      const domain = ctx.unionSet(m.domain);
      const elements = (s: ScopStatement, a: ScopAccess) => ctx.unionMap(rel([{ s, a }])).intersectDomain(domain).range();
      if (!elements(scat[0], scatterWrite[0]).isSubset(elements(own[0], write[0]))) return false;
      const d = ctx.computeDependences({ domain: m.domain, mustWrites: rel([{ s: own[0], a: write[0] }]), mayWrites: rel([]), reads: rel(sinks), schedule: m.schedule });
      return d.flow.isEmpty();
    }));
  } catch {
    return false;
  }
}
