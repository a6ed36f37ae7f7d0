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
import type { IslModel } from './model.js';
import { islModel } from './model.js';
import type { PrivatizedLoops } from './private-params.js';
import { allDependences, carries, MAX_SCHEDULE_OPERATIONS, scheduleDims, TILE_SIZE, type Rescheduled } from './reschedule.js';

/** Does the isl expression `e` (an index, a schedule time) mention the iterator `v`? */
const mentions = (e: string | null, v: string): boolean => e !== null && new RegExp(`(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])`).test(e);

/** A schedule dimension that is a textual position, not a loop. */
const isConstant = (t: string | undefined): boolean => t === undefined || /^-?\d+$/.test(t);

/**
 * The innermost loop of one statement's schedule times: its dimension, and its
 * iterator when that dimension is a plain iterator (`j`, `-j`; not a tile or a
 * skewed sum). dim is -1 when the statement loops nowhere.
 */
function innermostLoop(times: string[]): { dim: number; iterator: string | null } {
  const dim = times.reduce((last, t, k) => (isConstant(t) ? last : k), -1);
  return { dim, iterator: /^-?([A-Za-z_]\w*)$/.exec(times[dim] ?? '')?.[1] ?? null };
}

/** How well iterator `v` as the innermost loop serves one access: +1 contiguous, 0 invariant, -1 strided. */
function strideScore(a: ScopAccess, v: string): number {
  if (a.scalar || !a.exact || !a.dims || a.dims.length === 0) return 0;
  const last = a.dims.length - 1;
  if (a.dims.slice(0, last).some((d) => mentions(d.index, v))) return -1;
  const e = a.dims[last].index;
  if (!mentions(e, v)) return 0;
  // a multiple of v in the last index (A[2 * i]) strides too
  return new RegExp(`\\d\\s*\\*?\\s*${v}(?![A-Za-z0-9_])`).test(e!) ? -1 : 1;
}

const score = (s: ScopStatement, v: string): number => s.accesses.reduce((n, a) => n + strideScore(a, v), 0);

/**
 * The new order of a statement's loops (levels, outermost first) that puts the
 * best-scoring loop at or below its outermost parallel loop innermost; null to
 * keep the order. When the best is the parallel loop itself (lu's
 * `A[i, j] -= A[i, k] * A[k, j]`, parallel in j), that loop is strip-mined:
 * its tiles stay in place (and in parallel) and its points move innermost, so
 * the level appears twice, `tiled` naming it.
 */
function innermostFirstOrder(scop: Scop, s: ScopStatement, parallelLoops: Set<number>, hoist: boolean, stripMine: boolean): { order: number[]; tiled: number | null } | null {
  const its = s.loops.map((l) => scop.loops[l].iterator);
  const outer = s.loops.findIndex((l) => parallelLoops.has(scop.loops[l].span.start));
  const current = its.length - 1;
  if (outer < 0 || outer === current) return null;
  // A loop that leaves a written element in place carries a reduction into it:
  // strict floating point keeps LLVM from vectorizing it, so it is no candidate.
  const carriesReduction = (v: string): boolean => s.accesses.some((a) => a.kind === 'write' && strideScore(a, v) === 0);
  let best = current;
  for (let k = outer; k < current; k++) if (!carriesReduction(its[k]) && score(s, its[k]) > score(s, its[best])) best = k;
  if (best === current) return null;
  const levels = its.map((_, k) => k);
  // a serial order needs no tiles to keep in parallel: the loop itself moves innermost
  if (best === outer && !stripMine) return { order: [...levels.filter((k) => k !== outer), outer], tiled: null };
  // hoisted: the tiles become the outermost loop (trmm: one parallel region instead of one per i)
  if (best === outer && hoist && outer > 0) return { order: [outer, ...levels.filter((k) => k !== outer), outer], tiled: outer };
  if (best === outer) return { order: [...levels, outer], tiled: outer };
  return { order: [...levels.filter((k) => k !== best), best], tiled: null };
}

/**
 * `raising`: statements that may raise a CPython exception. No loop around one
 * is distributed, so every statement instance stays on the same side of each
 * of theirs and the writes before an exception are the original's.
 */
export function localitySchedule(ctx: IslContext, scop: Scop, parallelLoops: Set<number>, raising: Set<ScopStatement> = new Set(), privatized: PrivatizedLoops = new Map()): Rescheduled | null {
  if (scop.unanalysable || scop.statements.length === 0 || scop.loops.some((l) => l.whileLoop)) return null;
  // strip-mined loops with their tiles outermost where every dependence allows it, else in place
  return attempt(ctx, scop, parallelLoops, raising, true, true, privatized) ?? attempt(ctx, scop, parallelLoops, raising, false, true, privatized);
}

/**
 * The same order for a run on one thread (the serial form of the parallel
 * variant, runtime/cpu.py): a loop that the parallel order strip-mines, to
 * keep its tiles in parallel, moves innermost whole instead. Doitgen's
 * `sum_[p] += A[r, q, s] * C4[s, p]` then runs r-q-s-p, one contiguous row of
 * C4 per s (2.7x faster on one thread than r-q-p-s, whose s loop strides
 * down a column; the strip-mined tiles pay a bound per s and ran slower than
 * both). Each element still sees the same operations in the same order
 * (isl checks every dependence), so results stay bit-identical. The same
 * object as `parallel` when that one strip-mines nothing.
 */
export function serialLocalitySchedule(ctx: IslContext, scop: Scop, parallelLoops: Set<number>, raising: Set<ScopStatement>, parallel: Rescheduled): Rescheduled | null {
  if (!parallel.stripMined) return parallel;
  return attempt(ctx, scop, parallelLoops, raising, false, false);
}

function attempt(ctx: IslContext, scop: Scop, parallelLoops: Set<number>, raising: Set<ScopStatement>, hoist: boolean, stripMine: boolean, privatized: PrivatizedLoops = new Map()): Rescheduled | null {
  const orders = new Map<ScopStatement, { order: number[]; tiled: number | null }>();
  // loops (indices into scop.loops) whose bodies are distributed, one loop per statement
  const distributed = new Set<number>();
  for (const s of scop.statements) {
    const o = innermostFirstOrder(scop, s, parallelLoops, hoist, stripMine);
    if (!o) continue;
    // distributed: the loop where the order first changes, or a strip-mined loop's own
    // body (its siblings keep the plain iterator)
    const first = o.order.findIndex((level, k) => level !== k);
    const loop = s.loops[o.tiled !== null ? Math.min(o.tiled, first) : first];
    if ([...raising].some((t) => t.loops.includes(loop))) continue;
    orders.set(s, o);
    distributed.add(loop);
  }
  // (with privatized loops, the original order itself: private-params.ts's loop runs as prange in it)
  if (orders.size === 0 && privatized.size === 0) return null;
  if (hoist && ![...orders.values()].some((o) => o.order[0] !== 0)) return null; // nothing hoisted: the same as in place
  const m = islModel(scop);
  const depth = Math.max(1, ...scop.statements.map((s) => s.loops.length));
  const width = 2 * depth + 4;
  const times = scop.statements.map((s, index) => {
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
      const o = orders.get(s) ?? { order: its.map((_, k) => k), tiled: null };
      o.order.slice(at).forEach((level, k, rest) => {
        // the first of a strip-mined loop's two places is its tile
        const tile = level === o.tiled && rest.indexOf(level) === k;
        out.push(tile ? `floor((${time(level)})/${TILE_SIZE})` : time(level), '0');
      });
    }
    while (out.length < width) out.push('0');
    return out;
  });
  const text = `${m.head} -> { ${scop.statements.map((s, k) => `${m.tuple(s)} -> [${times[k].join(', ')}]`).join('; ')} }`;
  return ctx.withQuota(MAX_SCHEDULE_OPERATIONS, () =>
    ctx.scope(() => {
      const deps = allDependences(ctx, m);
      const flat = ctx.unionMap(text);
      const dims = scheduleDims(flat.toString());
      if (dims === null) return null;
      const timeDeps = deps.applyDomain(flat).applyRange(flat);
      if (!respects(ctx, m.head, timeDeps, dims)) return null;
      // A dimension is a loop for some statements and a constant (a textual
      // position) for others: the loops at dimension k are parallel when no
      // dependence between two statements that both loop there crosses it.
      const parallelDims = new Set<number>();
      const privateDims = new Map<number, { statements: string[]; arrays: string[] }[]>();
      for (let k = 0; k < dims; k++) {
        const looping = scop.statements.filter((_, n) => !isConstant(times[n][k]));
        if (looping.length === 0) continue;
        const among = ctx.unionSet(`${m.head} -> { ${looping.map((s) => m.tuple(s)).join('; ')} }`);
        const loopDeps = deps.intersectDomain(among).intersectRange(among).applyDomain(flat).applyRange(flat);
        if (!carries(ctx, m.head, loopDeps, dims, k)) parallelDims.add(k);
        else {
          // loops whose scratch parameter arrays are private to each iteration (private-params.ts):
          // parallel when nothing but those arrays' dependences inside each such loop crosses dimension k
          const own = privateAt(scop, times, looping, k, privatized);
          if (own.length === 0) continue;
          let rest = deps;
          for (const o of own) {
            const inside = ctx.unionSet(`${m.head} -> { ${o.statements.map((s) => m.tuple(s)).join('; ')} }`);
            const theirs = allDependences(ctx, m, (a) => o.arrays.includes(a.array)).intersectDomain(inside).intersectRange(inside);
            rest = rest.subtract(theirs).union(allDependences(ctx, m, (a) => !o.arrays.includes(a.array)).intersectDomain(inside).intersectRange(inside));
          }
          const crossing = rest.intersectDomain(among).intersectRange(among).applyDomain(flat).applyRange(flat);
          if (!carries(ctx, m.head, crossing, dims, k)) {
            parallelDims.add(k);
            privateDims.set(k, own.map((o) => ({ statements: o.statements.map((s) => s.id), arrays: o.arrays })));
          }
        }
      }
      const hoistable = invariantReads(ctx, m, scop, times, flat, dims);
      const ast = ctx.generateAst(ctx.scheduleFromMap(m.domain, flat)).root;
      const moved = [...orders.entries()].map(([s, o]) => `${s.id} innermost ${m.iterators(s)[o.order.at(-1)!]}${o.tiled === null ? '' : o.order[0] === o.tiled && o.tiled > 0 ? ` (strip-mined by ${TILE_SIZE}, its tiles outermost, in parallel)` : ` (strip-mined by ${TILE_SIZE}, its tiles in parallel)`}`);
      return {
        ast,
        parallelDims,
        schedule: text.replace(/^\[[^\]]*\]\s*->\s*/, ''),
        transformation: orders.size === 0 ? 'the original loop order, its loops printed from the schedule' : `loops interchanged so the innermost walks contiguous memory (${moved.join(', ')})`,
        keepsParallelLoops: true,
        stripMined: [...orders.values()].some((o) => o.tiled !== null),
        hoistable,
        ...(privateDims.size > 0 ? { privateArrays: privateDims } : {}),
      };
    }),
  );
}

/**
 * The privatized loops (private-params.ts) that schedule dimension k is for:
 * every statement inside such a loop loops at k with the loop's plain iterator.
 */
function privateAt(scop: Scop, times: string[][], looping: ScopStatement[], k: number, privatized: PrivatizedLoops): { statements: ScopStatement[]; arrays: string[] }[] {
  const out: { statements: ScopStatement[]; arrays: string[] }[] = [];
  for (const [loop, arrays] of privatized) {
    const it = scop.loops[loop].iterator;
    const statements = scop.statements.filter((s) => s.loops.includes(loop));
    const all = statements.every((s) => looping.includes(s) && /^-?([A-Za-z_]\w*)$/.exec(times[scop.statements.indexOf(s)][k])?.[1] === it);
    if (all && statements.length > 0) out.push({ statements, arrays });
  }
  return out;
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

/**
 * Reads invariant in their statement's innermost loop (a plain iterator in the
 * new schedule) whose element no write in the same execution of that loop
 * touches: equal schedule dimensions up to the loop's, the same element.
 */
export function invariantReads(ctx: IslContext, m: IslModel, scop: Scop, times: string[][], flat: IslUnionMap, dims: number): Map<ScopAccess, number> {
  const out = new Map<ScopAccess, number>();
  const domain = ctx.unionSet(m.domain);
  const x = Array.from({ length: dims }, (_, d) => `x${d}`);
  const y = Array.from({ length: dims }, (_, d) => `y${d}`);
  scop.statements.forEach((s, n) => {
    const { dim: q, iterator: v } = innermostLoop(times[n]);
    if (q < 0 || !v || s.conditional) return;
    const candidates = s.accesses.filter((a) => a.kind === 'read' && !a.scalar && a.exact && a.node && a.dims && !a.dims.some((d) => d.index === null || mentions(d.index, v)));
    if (candidates.length === 0) return;
    // Only statements that loop at dimension q run inside such a loop: one with a
    // constant there runs before or after it (the loop's body, which codegen
    // requires to be statements only, has no guard that could hold it).
    const inLoop = scop.statements.filter((_, k) => !isConstant(times[k][q]));
    const sameLoop = ctx.unionMap(`${m.head} -> { [${x.join(', ')}] -> [${y.join(', ')}] : ${Array.from({ length: q }, (_, d) => `x${d} = y${d}`).join(' and ') || 'true'} }`);
    const instances = ctx.unionSet(`${m.head} -> { ${m.domainOf(s)} }`);
    for (const a of candidates) {
      const writes = `${m.head} -> { ${inLoop.flatMap((t) => t.accesses.filter((w) => w.kind === 'write' && w.array === a.array).map((w) => `${m.tuple(t)} -> ${w.element}`)).join('; ')} }`;
      if (/\{\s*\}$/.test(writes)) {
        out.set(a, q);
        continue;
      }
      const read = ctx.unionMap(`${m.head} -> { ${m.tuple(s)} -> ${a.element} }`).intersectDomain(instances);
      const conflicts = read.applyRange(ctx.unionMap(writes).intersectDomain(domain).reverse()).applyDomain(flat).applyRange(flat).intersect(sameLoop);
      if (conflicts.isEmpty()) out.set(a, q);
    }
  });
  return out;
}

/** Per statement (scop order), the output expressions of a flat schedule map's text; null unless each statement has one plain piece. */
export function scheduleTimes(scop: Scop, text: string): string[][] | null {
  const byId = new Map<string, string[]>();
  for (const piece of text.replace(/^\s*(\[[^\]]*\]\s*->\s*)?\{|\}\s*$/g, '').split(';')) {
    const m = /^\s*(\w+)\[[^\]]*\]\s*->\s*\[([^\]]*)\]\s*$/.exec(piece);
    if (!m || byId.has(m[1])) return null;
    byId.set(m[1], m[2].split(',').map((t) => t.trim()));
  }
  const times = scop.statements.map((s) => byId.get(s.id));
  return times.every((t): t is string[] => t !== undefined) ? times : null;
}

/**
 * How well a schedule's innermost loops walk memory: for each statement, the
 * stride score of the iterator of its innermost loop (a plain iterator; 0 for
 * a skewed one), weighted by its depth (deeper statements run more often).
 */
export function localityScore(scop: Scop, times: string[][]): number {
  return scop.statements.reduce((sum, s, n) => {
    const { iterator } = innermostLoop(times[n]);
    return sum + (iterator ? s.loops.length * score(s, iterator) : 0);
  }, 0);
}
