// Poly stage (transformation part): a nest that already has outer parallelism
// keeps its parallel loop, but the loops inside it are reordered so that the
// innermost one walks contiguous memory (NumPy arrays are row-major), which
// lets LLVM vectorize it: gemm's `C[i, j] += A[i, k] * B[k, j]` in the order
// i-k-j instead of i-j-k. A statement whose inner loops move is distributed
// out of the loop where the order first changes (k2mm's `tmp[i, j] = 0.0`
// runs in its own j loop before the i-k-j nest), and the whole new schedule is
// checked against every exact dependence before it is used.
//
// isl's scheduler is not used here: it optimizes temporal proximity and
// coincidence, not which loop walks the last array dimension, so it keeps
// i-j-k. The permutation rule is ours; isl proves it legal.
//
// Results stay bit-identical: a legal schedule keeps every dependence in
// order, so each element sees the same operations in the same order.
import type { IslContext, IslUnionMap } from 'isl-wasm';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import { islModel } from './model.js';
import { carries, MAX_SCHEDULE_OPERATIONS, scheduleDims, type Rescheduled } from './reschedule.js';

/** How well iterator `v` as the innermost loop serves one access: +1 contiguous, 0 invariant, -1 strided. */
function strideScore(a: ScopAccess, v: string): number {
  if (a.scalar || !a.exact || !a.dims || a.dims.length === 0) return 0;
  const uses = (e: string | null): boolean => e !== null && new RegExp(`(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])`).test(e);
  const last = a.dims.length - 1;
  if (a.dims.slice(0, last).some((d) => uses(d.index))) return -1;
  const e = a.dims[last].index;
  if (!uses(e)) return 0;
  // a multiple of v in the last index (A[2 * i]) strides too
  return new RegExp(`\\d\\s*\\*?\\s*${v}(?![A-Za-z0-9_])`).test(e!) ? -1 : 1;
}

const score = (s: ScopStatement, v: string): number => s.accesses.reduce((n, a) => n + strideScore(a, v), 0);

/**
 * The loop order (levels, outermost first) that puts the best-scoring loop
 * below the statement's outermost parallel loop innermost; null to keep the order.
 */
function innermostFirstOrder(scop: Scop, s: ScopStatement, parallelLoops: Set<number>): number[] | null {
  const its = s.loops.map((l) => scop.loops[l].iterator);
  const outer = s.loops.findIndex((l) => parallelLoops.has(scop.loops[l].span.start));
  if (outer < 0 || its.length - outer - 1 < 2) return null;
  const candidates = its.map((_, k) => k).filter((k) => k > outer);
  const current = its.length - 1;
  let best = current;
  // A loop that leaves a written element in place carries a reduction into it:
  // strict floating point keeps LLVM from vectorizing it, so it is no candidate.
  const carriesReduction = (v: string): boolean => s.accesses.some((a) => a.kind === 'write' && strideScore(a, v) === 0);
  for (const k of candidates) if (!carriesReduction(its[k]) && score(s, its[k]) > score(s, its[best])) best = k;
  if (best === current) return null;
  return [...its.map((_, k) => k).filter((k) => k !== best), best];
}

export function localitySchedule(ctx: IslContext, scop: Scop, parallelLoops: Set<number>): Rescheduled | null {
  if (scop.unanalysable || scop.statements.length === 0) return null;
  const orders = new Map<ScopStatement, number[]>();
  // loops (indices into scop.loops) whose bodies are distributed, one loop per statement
  const distributed = new Set<number>();
  for (const s of scop.statements) {
    const order = innermostFirstOrder(scop, s, parallelLoops);
    if (!order) continue;
    orders.set(s, order);
    distributed.add(s.loops[order.findIndex((level, k) => level !== k)]);
  }
  if (orders.size === 0) return null;
  const m = islModel(scop);
  const depth = Math.max(1, ...scop.statements.map((s) => s.loops.length));
  const width = 2 * depth + 2;
  const pieces = scop.statements.map((s, index) => {
    const its = m.iterators(s);
    const time = (k: number): string => (scop.loops[s.loops[k]].descending ? `-${its[k]}` : its[k]);
    const at = s.loops.findIndex((l) => distributed.has(l));
    const out: string[] = [];
    if (at < 0) {
      its.forEach((_, k) => out.push(String(s.positions[k] ?? 0), time(k)));
      out.push(String(s.positions[its.length] ?? 0));
    } else {
      for (let k = 0; k < at; k++) out.push(String(s.positions[k] ?? 0), time(k));
      // the distributed loop's place among its siblings, then this statement's own copy of it
      out.push(String(s.positions[at] ?? 0), String(index));
      const order = orders.get(s) ?? its.map((_, k) => k);
      for (const level of order.slice(at)) out.push(time(level), '0');
    }
    while (out.length < width) out.push('0');
    return `${m.tuple(s)} -> [${out.join(', ')}]`;
  });
  const text = `${m.head} -> { ${pieces.join('; ')} }`;
  return ctx.withQuota(MAX_SCHEDULE_OPERATIONS, () =>
    ctx.scope(() => {
      const deps = ctx.computeDependences({
        domain: m.domain,
        mustWrites: m.accesses((a) => a.kind === 'write' && a.must),
        mayWrites: m.accesses((a) => a.kind === 'write' && !a.must),
        reads: m.accesses((a) => a.kind === 'read'),
        schedule: m.schedule,
      }).all;
      const flat = ctx.unionMap(text);
      const dims = scheduleDims(flat.toString());
      if (dims === null) return null;
      const timeDeps = deps.applyDomain(flat).applyRange(flat);
      if (!respects(ctx, m.head, timeDeps, dims)) return null;
      const parallelDims = new Set<number>();
      for (let k = 0; k < dims; k++) if (!carries(ctx, m.head, timeDeps, dims, k)) parallelDims.add(k);
      const ast = ctx.generateAst(ctx.scheduleFromMap(m.domain, flat)).root;
      const moved = [...orders.keys()].map((s) => `${s.id} innermost ${m.iterators(s)[orders.get(s)!.at(-1)!]}`);
      return {
        ast,
        parallelDims,
        schedule: text.replace(/^\[[^\]]*\]\s*->\s*/, ''),
        transformation: `loops interchanged so the innermost walks contiguous memory (${moved.join(', ')})`,
        keepsParallelLoops: true,
      };
    }),
  );
}

/** Every dependence goes forward in time: no source at or after its sink. */
function respects(ctx: IslContext, head: string, timeDeps: IslUnionMap, dims: number): boolean {
  const x = Array.from({ length: dims }, (_, d) => `x${d}`);
  const y = Array.from({ length: dims }, (_, d) => `y${d}`);
  // x >=lex y: equal up to k and x_k > y_k, for some k, or equal everywhere
  const later = Array.from({ length: dims }, (_, k) => [...Array.from({ length: k }, (_, d) => `x${d} = y${d}`), `x${k} > y${k}`].join(' and '));
  const same = x.map((_, d) => `x${d} = y${d}`).join(' and ');
  const backwards = ctx.unionMap(`${head} -> { [${x.join(', ')}] -> [${y.join(', ')}] : ${[...later, same].map((c) => `(${c})`).join(' or ')} }`);
  return timeDeps.intersect(backwards).isEmpty();
}
