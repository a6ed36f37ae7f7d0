// Poly stage (transformation part): when the original loop order leaves a nest
// without outer parallelism (seidel-2d has none at all; a column sum written
// row-major has it only inside), ask isl's scheduler for a schedule that puts
// parallelism outermost (Pluto-style, with skewing: a wavefront where a
// permutable band has no parallel member), flatten it, and verify every
// parallel dimension with the exact dependence test before using it. The
// result is an isl AST that code generation turns into the CPU variant's loops.
import type { AstNode, IslContext, IslUnionMap } from 'isl-wasm';
import type { LoopVerdict } from '../stage-types.js';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import { liveAfter } from './liveness.js';
import { islModel, type IslModel } from './model.js';
import { neverRaises, numbaObstacle, type ParallelPlan } from './parallel-plan.js';
import { stmtExprs, walkExpr, walkStmts, type Stmt } from '../parse/ast.js';

export interface Rescheduled {
  ast: AstNode;
  /** Schedule dimensions (AST iterators c<k>) that carry no dependence. */
  parallelDims: Set<number>;
  /** The flat schedule, for the report: `S0[t, i, j] -> [4t + 2i + j, t, i]`. */
  schedule: string;
  /** What changed, in words: interchanged, skewed (wavefront), fused. */
  transformation: string;
  /**
   * A locality order (poly/locality.ts), chosen for the CPU variant only: the
   * GPU and Ray variants keep following the original order's parallel loops.
   */
  keepsParallelLoops?: boolean;
  /**
   * Reads that the innermost loop around them may load once, before it: their
   * element does not change with that loop's iterator and nothing in that
   * loop writes it (poly/locality.ts). Same-array reads such as lu's
   * `A[i, k]` in `A[i, j] -= A[i, k] * A[k, j]` otherwise keep LLVM from
   * vectorizing the loop (the store to `A[i, j]` might change them). Each
   * read maps to the schedule dimension of that loop: only a loop over that
   * dimension (AST iterator c<dim>) may hoist it.
   */
  hoistable?: Map<ScopAccess, number>;
  /** A locality order with a loop strip-mined (its tiles in parallel, its points innermost). */
  stripMined?: boolean;
  /**
   * The order the serial form of the CPU variant prints (poly/locality.ts
   * serialLocalitySchedule: the same order, a strip-mined loop moved innermost
   * whole); 'same' when it is this order. Unset: the serial form runs the
   * original order (isl's skewed or tiled orders only pay in parallel:
   * floyd-warshall).
   */
  serial?: Rescheduled | 'same';
  /**
   * Parallel schedule dimensions (AST iterators c<k>) whose loops have
   * parameter arrays private to each iteration (poly/private-params.ts): a
   * loop over the dimension all of whose statements are among `statements`
   * gives every iteration but the last a copy of `arrays` of its own.
   */
  privateArrays?: Map<number, { statements: string[]; arrays: string[] }[]>;
}

export const MAX_SCHEDULE_OPERATIONS = 3_000_000;
/** Tile size of each member of a tiled band. */
export const TILE_SIZE = 32;

/** Why the function is kept in its original order, or null when it may be rescheduled. */
export function rescheduleObstacle(tf: TypedFunction, scop: Scop, plan: ParallelPlan, raisingAllowed = false): string | null {
  if (scop.unanalysable) return scop.unanalysable;
  if (scop.loops.some((l) => l.whileLoop)) return 'it has a while loop, whose iterations isl cannot reorder';
  if (!plan.boundsChecked) return 'its accesses could not all be checked for bounds';
  // only the original order's printer checks them (codegen/cpu-variant.ts)
  if (plan.checkedIndices.size > 0) return 'an index is read from data and checked as the variant runs, in the original order';
  // helpers the guard has shown cannot raise print natively in the new order too;
  // raisingAllowed: the caller keeps the statements that may raise in place (locality.ts)
  if (!raisingAllowed && (scop.statements.some((s) => mayRaise(tf, plan, s)))) return 'a statement can raise a CPython exception, and reordering would change the writes before it';
  // the rescheduled nest runs with prange in the same Numba function
  const numba = numbaObstacle(tf);
  if (numba) return numba;
  for (const s of scop.statements) {
    if (s.conditional || !s.source) return 'it has data-dependent conditions';
    if (s.source.kind === 'return') return "it has a 'return'";
    if (s.loops.length > 0 && s.accesses.some((a) => a.scalar && a.kind === 'write')) return `the scalar '${s.accesses.find((a) => a.scalar && a.kind === 'write')!.array}' is assigned inside a loop`;
  }
  let live: string | null = null;
  walkStmts(tf.fn.body, (s: Stmt) => {
    if (s.kind === 'for' && liveAfter(tf.fn, s).has(s.target.id)) live ??= `the loop variable '${s.target.id}' is read after its loop`;
  });
  return live;
}

/** The statement can raise a CPython exception (a helper the guard has not shown safe). */
export function mayRaise(tf: TypedFunction, plan: ParallelPlan, s: ScopStatement): boolean {
  if (!s.source) return false;
  if (tf.augHelpers.has(s.source)) return true;
  let raises = false;
  for (const e of stmtExprs(s.source)) walkExpr(e, (x) => { if (tf.helpers.has(x) && !plan.safeHelpers.has(x) && !neverRaises(tf, x, tf.helpers.get(x)!.helper)) raises = true; });
  // a call of another function of the module may raise anything its body may (types/calls.ts)
  for (const e of stmtExprs(s.source)) walkExpr(e, (x) => { if (tf.calls.has(x)) raises = true; });
  return raises;
}

/** Depth of the outermost parallel loop of the worst nest (Infinity when a nest has none). */
/** `blocked`: loops run in parallel as fixed blocks (their verdict says sequential: a reduction), by source offset. */
export function originalParallelDepth(scop: Scop, verdicts: Map<number, LoopVerdict>, blocked: ReadonlySet<number> = new Set()): number {
  let worst = 0;
  const roots = scop.loops.filter((l) => l.depth === 0);
  for (const root of roots) {
    const inNest = scop.loops.filter((l) => l.span.start >= root.span.start && l.span.end <= root.span.end);
    const depths = inNest.filter((l) => verdicts.get(l.span.start)?.parallel || blocked.has(l.span.start)).map((l) => l.depth);
    worst = Math.max(worst, depths.length ? Math.min(...depths) : Infinity);
  }
  return worst;
}

/** Every flow, anti and output dependence of the original order: what a new schedule must respect. */
/** `pick`: the accesses whose dependences count (all by default). */
export function allDependences(ctx: IslContext, m: IslModel, pick: (a: ScopAccess) => boolean = () => true): IslUnionMap {
  return ctx.computeDependences({
    domain: m.domain,
    mustWrites: m.accesses((a) => pick(a) && a.kind === 'write' && a.must),
    mayWrites: m.accesses((a) => pick(a) && a.kind === 'write' && !a.must),
    reads: m.accesses((a) => pick(a) && a.kind === 'read'),
    schedule: m.schedule,
  }).all;
}

/** `tile`: tile permutable bands (TILE_SIZE); untiled, a schedule can be compared with a locality order. */
export function reschedule(ctx: IslContext, scop: Scop, tile = true): Rescheduled | null {
  return ctx.withQuota(MAX_SCHEDULE_OPERATIONS, () =>
    ctx.scope(() => {
      const m = islModel(scop);
      const deps = allDependences(ctx, m);
      const schedule = ctx.computeSchedule({
        domain: m.domain,
        validity: deps,
        coincidence: deps,
        proximity: deps,
        options: { outerCoincidence: true },
      });
      // Tile every permutable band of two or more members (innermost first, so
      // the paths of the bands still to tile do not move), for locality.
      let tiled = schedule;
      const tiledBands: number[] = [];
      for (const { path, band } of [...schedule.bands()].reverse()) {
        if (tile && band.permutable && band.coincident.length >= 2) {
          tiled = tiled.tile(path, band.coincident.map(() => TILE_SIZE));
          tiledBands.push(band.coincident.length);
        }
      }
      const flat = tiled.map();
      const text = flat.toString();
      const dims = scheduleDims(text);
      if (dims === null) return null;
      const timeDeps = deps.applyDomain(flat).applyRange(flat);
      const parallelDims = new Set<number>();
      for (let k = 0; k < dims; k++) if (!carries(ctx, m.head, timeDeps, dims, k)) parallelDims.add(k);
      const ast = ctx.generateAst(ctx.scheduleFromMap(m.domain, flat)).root;
      const untiled = schedule.map().toString();
      const what = describe(untiled) + (tiledBands.length ? `, then tiled ${tiledBands.map((n) => Array(n).fill(TILE_SIZE).join('x')).join(' and ')}` : '');
      return { ast, parallelDims, schedule: untiled.replace(/^\[[^\]]*\]\s*->\s*/, ''), transformation: what };
    }),
  );
}

/** Number of output dimensions of a flat schedule (all statements share them). */
export function scheduleDims(text: string): number | null {
  const m = /->\s*\[([^\]]*)\]/.exec(text.replace(/^\[[^\]]*\]\s*->\s*/, ''));
  if (!m) return null;
  return m[1].trim() === '' ? 0 : m[1].split(',').length;
}

/** Does some dependence cross different values of dimension k with all outer dimensions equal? */
export function carries(ctx: IslContext, head: string, timeDeps: IslUnionMap, dims: number, k: number): boolean {
  const x = Array.from({ length: dims }, (_, d) => `x${d}`);
  const y = Array.from({ length: dims }, (_, d) => `y${d}`);
  const eq = Array.from({ length: k }, (_, d) => `x${d} = y${d}`);
  const cond = [...eq, `(x${k} < y${k} or x${k} > y${k})`].join(' and ');
  const filter = ctx.unionMap(`${head} -> { [${x.join(', ')}] -> [${y.join(', ')}] : ${cond} }`);
  return !timeDeps.intersect(filter).isEmpty();
}

/** Interchanged when a dimension is another iterator; skewed when one mixes iterators. */
function describe(text: string): string {
  const pieces = text.replace(/^\[[^\]]*\]\s*->\s*\{|\}\s*$/g, '').split(';');
  let skewed = false;
  let interchanged = false;
  for (const p of pieces) {
    const m = /\[([^\]]*)\]\s*->\s*\[([^\]]*)\]/.exec(p);
    if (!m) continue;
    const iters = m[1].split(',').map((s) => s.trim()).filter(Boolean);
    const outs = m[2].split(',').map((s) => s.trim());
    const order: number[] = [];
    for (const o of outs) {
      const used = iters.filter((it) => new RegExp(`(?<![A-Za-z_])${it}(?![A-Za-z0-9_])`).test(o));
      if (used.length > 1) skewed = true;
      if (used.length === 1) order.push(iters.indexOf(used[0]));
    }
    if (order.some((v, i) => i > 0 && v < order[i - 1])) interchanged = true;
  }
  if (skewed) return 'skewed into a wavefront by isl';
  if (interchanged) return 'loops interchanged by isl';
  return 'rescheduled by isl';
}

/** Depth of the outermost parallel loop of the worst nest of an isl AST (Infinity when a nest has none). */
export function astParallelDepth(root: AstNode, parallelDims: Set<number>): number {
  const firstParallel = (n: AstNode, depth: number): number => {
    switch (n.kind) {
      case 'for': {
        const dim = Number(/^c(\d+)$/.exec(n.iterator)?.[1] ?? -1);
        if (!n.degenerate && parallelDims.has(dim)) return depth;
        return firstParallel(n.body, n.degenerate ? depth : depth + 1);
      }
      case 'block':
        return Math.min(Infinity, ...n.children.map((c) => firstParallel(c, depth)));
      case 'if':
        return Math.min(firstParallel(n.then, depth), n.else ? firstParallel(n.else, depth) : Infinity);
      case 'mark':
        return firstParallel(n.node, depth);
      case 'user':
        return Infinity;
    }
  };
  const nests: AstNode[] = [];
  const collect = (n: AstNode): void => {
    if (n.kind === 'for') nests.push(n);
    else if (n.kind === 'block') n.children.forEach(collect);
    else if (n.kind === 'if') {
      collect(n.then);
      if (n.else) collect(n.else);
    } else if (n.kind === 'mark') collect(n.node);
  };
  collect(root);
  return Math.max(0, ...nests.map((n) => firstParallel(n, 0)));
}
