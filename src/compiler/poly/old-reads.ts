// Poly stage (plan part, issue 16): does a read inside a loop nest see only the
// values its array held before the nest? A product loop that reads an array the
// nest also writes (trmm's `B[i, j] += A[k, i] * B[k, j]` over k > i, B updated
// row by row) can still be computed by BLAS before the nest when no write of the
// nest reaches the read: then every element it reads is the old one, which is
// what a product computed before the nest reads. Proven with isl's exact flow
// dependences (the writes of the nest as sources, that one read as the sink): no
// flow, no new value read. Any isl failure answers no.
import type { IslContext } from 'isl-wasm';
import type { Expr, Stmt } from '../parse/ast.js';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import { islModel } from './model.js';

/** Bound on isl operations for one question. */
const MAX_OPERATIONS = 200_000;

/**
 * True when every `reads` access (subscript expressions of statements in the
 * nest `outer`) reads only values its array held before the nest: no write of
 * the nest to that array flows into it. False when an access is not modelled
 * exactly (a may-read, a whole-array approximation) or isl gives up.
 */
export function readsOnlyOld(ctx: IslContext, scop: Scop, outer: Stmt, reads: Expr[]): boolean {
  if (reads.length === 0) return true;
  const nestLoop = scop.loops.findIndex((l) => l.span.start === outer.span.start && l.span.end === outer.span.end);
  if (nestLoop < 0) return false;
  const inNest = scop.statements.filter((s) => s.loops.includes(nestLoop));
  const sinks: { s: ScopStatement; a: ScopAccess }[] = [];
  for (const e of reads) {
    const hit = inNest.flatMap((s) => s.accesses.filter((a) => a.kind === 'read' && a.node === e).map((a) => ({ s, a })));
    if (hit.length !== 1 || !hit[0].a.exact || !hit[0].a.must) return false;
    sinks.push(hit[0]);
  }
  try {
    return ctx.withQuota(MAX_OPERATIONS, () => ctx.scope(() => {
      const m = islModel(scop);
      const rel = (pairs: { s: ScopStatement; a: ScopAccess }[]): string => `${m.head} -> { ${pairs.map(({ s, a }) => `${m.tuple(s)} -> ${a.element}`).join('; ')} }`;
      const arrays = new Set(sinks.map((x) => x.a.array));
      const writes = (must: boolean) => inNest.flatMap((s) => s.accesses.filter((a) => a.kind === 'write' && a.must === must && arrays.has(a.array)).map((a) => ({ s, a })));
      const d = ctx.computeDependences({ domain: m.domain, mustWrites: rel(writes(true)), mayWrites: rel(writes(false)), reads: rel(sinks), schedule: m.schedule });
      return d.flow.isEmpty();
    }));
  } catch {
    return false;
  }
}

/**
 * True when no statement of the nest other than `update` reads or writes an
 * element of the array `update` writes after `update` has written it (isl:
 * `update`'s writes as the only sources, every other access of that array in
 * the nest as a sink, no flow), so all of `update`'s additions can move after
 * the nest (poly/product-scatter.ts). False when `update` is not modelled
 * exactly or isl gives up.
 */
export function scattersMove(ctx: IslContext, scop: Scop, outer: Stmt, update: Stmt): boolean {
  const nestLoop = scop.loops.findIndex((l) => l.span.start === outer.span.start && l.span.end === outer.span.end);
  if (nestLoop < 0) return false;
  const inNest = scop.statements.filter((s) => s.loops.includes(nestLoop));
  const own = inNest.filter((s) => s.source === update);
  if (own.length !== 1) return false;
  const writes = own[0].accesses.filter((a) => a.kind === 'write');
  if (writes.length !== 1 || !writes[0].exact || !writes[0].must) return false;
  const array = writes[0].array;
  const others = inNest.filter((s) => s !== own[0]).flatMap((s) => s.accesses.filter((a) => a.array === array).map((a) => ({ s, a })));
  if (others.length === 0) return true;
  try {
    return ctx.withQuota(MAX_OPERATIONS, () => ctx.scope(() => {
      const m = islModel(scop);
      const rel = (pairs: { s: ScopStatement; a: ScopAccess }[]): string => `${m.head} -> { ${pairs.map(({ s, a }) => `${m.tuple(s)} -> ${a.element}`).join('; ')} }`;
      const d = ctx.computeDependences({ domain: m.domain, mustWrites: rel([{ s: own[0], a: writes[0] }]), mayWrites: rel([]), reads: rel(others), schedule: m.schedule });
      return d.flow.isEmpty();
    }));
  } catch {
    return false;
  }
}
