// The poly stage for one function, in order: dependences and loop verdicts in
// the original schedule; the parallel plan (prange loops, bounds guard); and,
// when the original order leaves a nest without outer parallelism, an isl
// schedule verified by the exact dependence test. Any isl failure (quota,
// error) keeps the original order, and the report says so.
import type { IslContext } from 'isl-wasm';
import type { FunctionPlan } from '../codegen/module.js';
import { followsOriginalOrder } from '../codegen/cpu-variant.js';
import type { LoopVerdict } from '../stage-types.js';
import { extractScop } from '../scop/extract.js';
import type { TypedFunction } from '../types/check.js';
import { loopVerdicts } from './loop-verdicts.js';
import { privatizableLoops } from './private-params.js';
import { wrapNegativeIndices } from './negative-indices.js';
import { planParallelLoops } from './parallel-plan.js';
import { gpuObstacle, gridNest } from '../codegen/gpu-variant.js';
import { deviceAllocations } from '../codegen/gpu-allocations.js';
import { walkStmts } from '../parse/ast.js';
import { rayLoops } from '../codegen/ray-variant.js';
import { blockBoxes } from './footprint.js';
import { closeNotesForBlockedArrays } from './blocked-array-reductions.js';
import { astParallelDepth, mayRaise, MAX_SCHEDULE_OPERATIONS, originalParallelDepth, reschedule, rescheduleObstacle } from './reschedule.js';
import { invariantReads, localitySchedule, localityScore, scheduleTimes, serialLocalitySchedule } from './locality.js';
import { islModel } from './model.js';
import type { ParallelPlan } from './parallel-plan.js';
import type { Scop } from '../scop/scop.js';
import type { Rescheduled } from './reschedule.js';
import type { LoweredSlice } from './lower-slices.js';
import { closeNotesForBlocked } from './blocked-reductions.js';
import { closeNotesForProducts, describeProducts, productLoops, rowStreamsIn, streamsRows } from './product-loops.js';
import { describeProductPrange, parallelPlanes, productPrange, stackedSerial } from './product-parallel.js';
import { simdSumNotes } from '../codegen/local-accumulators.js';
import { bindReturnedArray, RETURNED } from './returned-arrays.js';
import { hoistScalarReductions } from './hoisted-reductions.js';
import { hoistColumnProducts } from './column-products.js';
import { hoistColumnDots } from './column-dots.js';
import type { CloseNote } from '../numerics.js';

/** Adds notes at places with none yet, in line order. */
function addCloseNotes(tf: TypedFunction, notes: CloseNote[]): void {
  for (const n of notes) if (!tf.closeNotes.some((m) => m.line === n.line && m.col === n.col)) tf.closeNotes.push(n);
  tf.closeNotes.sort((a, b) => a.line - b.line || a.col - b.col);
}

export interface PolyResult {
  verdicts: Map<number, LoopVerdict>;
  plan: FunctionPlan;
  transformations: string[];
}

export function polyStage(isl: IslContext, tf: TypedFunction, source: string): PolyResult {
  // scalar reductions inside whole-array expressions first (hoisted-reductions.ts), then
  // a returned array expression is a temporary of the variants (returned-arrays.ts)
  hoistScalarReductions(tf);
  // per-column products of a loop as one product before it (column-products.ts, close mode)
  const columnProducts = hoistColumnProducts(tf);
  // a loop's dots with the columns of one row block as one vector-matrix product before it (column-dots.ts, close mode)
  const columnDots = hoistColumnDots(tf);
  const returned = bindReturnedArray(tf);
  const scop = wrapNegativeIndices(isl, extractScop(tf, source));
  const reductions = new Map<number, string[]>();
  const arrayReductions = new Map<number, string[]>();
  const verdicts = loopVerdicts(isl, scop, reductions, arrayReductions);
  const parallel = planParallelLoops(isl, tf, scop, verdicts, reductions, arrayReductions);
  // matrix products through BLAS (close mode): printed in the original order, so no nest is reordered
  const products = productLoops(isl, tf, scop, parallel.boundsChecked);
  // a nest with a product through BLAS keeps its plan: no blocked sum into array elements around or inside it;
  // except where every such product walks its matrix's rows and scatters only into sums over the blocked loop
  // (bicg's `s[j] += r[i] * A[i, j]` beside its row sums): then the blocked loop is one pass over the rows and
  // the products stay loops (product-loops.ts rowStreamsIn)
  for (const at of [...parallel.blockedArrays.keys()]) {
    const end = loopEnd(tf, at) ?? at;
    // (a row-streaming matrix-vector product stays a loop in the original order: below)
    const around = (p: { outer: { span: { start: number; end: number } } }): boolean => (p.outer.span.start <= at && at < p.outer.span.end) || (at <= p.outer.span.start && p.outer.span.start < end);
    const near = [...products].filter(([, p]) => !streamsRows(p) && around(p));
    if (near.length > 0 && near.every(([, p]) => rowStreamsIn(p, at))) {
      for (const [k] of near) products.delete(k);
    } else if (near.length > 0) {
      parallel.blockedArrays.delete(at);
      parallel.notes.delete(at);
    }
  }
  const transformations: string[] = [];
  if (columnDots > 0) transformations.push(`${columnDots} dot product${columnDots > 1 ? 's' : ''} of a loop with the columns of a row block computed as one vector-matrix product before it (column-dots.ts)`);
  if (columnProducts > 0) transformations.push(`${columnProducts} per-column product${columnProducts > 1 ? 's' : ''} of a loop computed as one matrix product before it, where that costs at most twice the loop's (column-products.ts)`);
  let plan: FunctionPlan = {
    parallel,
    loops: { kind: 'original', prangeLoops: parallel.prangeLoops, nativeHelpers: parallel.safeHelpers, speculative: parallel.speculative, lowered: parallel.lowered, blocked: parallel.blocked, blockedArrays: parallel.blockedArrays, checkedIndices: parallel.checkedIndices, speculativeIndices: parallel.speculativeIndices },
    ray: 'no loop runs in parallel',
  };
  // a loop summing into array elements in fixed blocks runs in parallel in the original order
  const before = originalParallelDepth(scop, verdicts, new Set(parallel.blockedArrays.keys()));
  // First the locality order inside the original parallel loops (it keeps the
  // GPU and Ray variants); then isl's scheduler, only if it finds more outer
  // parallelism than both.
  let local: Rescheduled | null = null;
  // (a loop summing into array elements in blocks prints in the original order only)
  if (parallel.prangeLoops.size > 0 && parallel.lowered.size === 0 && parallel.blockedArrays.size === 0 && !rescheduleObstacle(tf, scop, parallel, true)) {
    try {
      const raising = new Set(scop.statements.filter((s) => mayRaise(tf, parallel, s)));
      local = localitySchedule(isl, scop, parallel.prangeLoops, raising);
      if (local && astParallelDepth(local.ast, local.parallelDims) > before) local = null;
      // The serial form follows the locality order too (one thread runs only that form),
      // except where speculative calls would flag in it: its calls raise as Python's do,
      // in the original order.
      if (local && parallel.speculative.size === 0) {
        const serial = serialLocalitySchedule(isl, scop, parallel.prangeLoops, raising, local);
        if (serial) local = { ...local, serial: serial === local ? 'same' : serial };
      }
    } catch (e) {
      transformations.push(`kept the loop order inside the parallel loops (isl gave up: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  const privatized = privatizedOrder(isl, tf, scop, verdicts, parallel, local, before);
  if (privatized) {
    local = privatized.order;
    transformations.push(privatized.note);
  }
  const wanted = local ? Math.min(before, astParallelDepth(local.ast, local.parallelDims)) : before;
  const obstacle = wanted > 0 && scop.loops.length > 0 ? rescheduleObstacle(tf, scop, parallel) : 'not needed';
  const matrixProducts = [...products.values()].some((p) => p.updates.some((u) => u.terms.some((t) => t.right.rank === 2)));
  if (wanted > 0 && scop.loops.length > 0 && obstacle) {
    transformations.push(`kept the original loop order (isl rescheduling not tried: ${obstacle})`);
  } else if (!obstacle && matrixProducts) {
    // a matrix-matrix product through BLAS outruns any loop order isl finds for it
    transformations.push('kept the original loop order (its matrix products run through BLAS instead)');
  } else if (!obstacle) {
    try {
      const r = reschedule(isl, scop);
      const chosen = r && astParallelDepth(r.ast, r.parallelDims) < wanted ? r
        : r && local && astParallelDepth(r.ast, r.parallelDims) === wanted ? islOrderForLocality(isl, tf, scop, parallel, local, wanted) : null;
      if (chosen) {
        plan = { parallel, loops: { kind: 'rescheduled', rescheduled: chosen, scop, nativeHelpers: parallel.safeHelpers }, ray: 'the nest is rescheduled (Ray blocks follow the original order only)' };
        transformations.push(`${chosen.transformation}: ${chosen.schedule}; parallel schedule dimensions: ${dimNames(chosen)}`);
        local = null;
      } else {
        transformations.push('kept the original loop order (isl found no schedule with more outer parallelism)');
      }
    } catch (e) {
      transformations.push(`kept the original loop order (isl scheduling gave up: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  // Products through BLAS print in the original order: they take the place of the
  // order inside the parallel loops, not of an isl schedule with more parallelism.
  if (plan.loops.kind === 'original' && products.size > 0) {
    // row-streaming matrix-vector products stay loops (local sums in SIMD lanes: faster than gemv, streamsRows)
    for (const [at, p] of products) if (streamsRows(p)) products.delete(at);
    local = null;
  }
  if (plan.loops.kind === 'original' && products.size > 0) {
    plan = { ...plan, loops: { ...plan.loops, products } };
    // the products take the place of a privatized order (doitgen's sum_ in close mode): its note no longer holds
    const stale = privatized ? transformations.indexOf(privatized.note) : -1;
    if (stale >= 0) transformations.splice(stale, 1);
    transformations.push(describeProducts(products));
    // with a scatter's additions after the nest, an outer loop may run as prange (poly/product-parallel.ts)
    const fast = productPrange(isl, tf, scop, products, parallel);
    if (fast && plan.loops.kind === 'original') {
      plan = { ...plan, loops: { ...plan.loops, productPrange: fast.loops } };
      transformations.push(describeProductPrange(tf, fast));
    }
    // a stack of products: the copies left inside its sequential loops run serially, not a region per (r, q)
    const serial = plan.loops.kind === 'original' ? stackedSerial(products, parallel, plan.loops.productPrange ?? parallel.prangeLoops) : null;
    if (serial && plan.loops.kind === 'original') {
      plan = { ...plan, loops: { ...plan.loops, productPrange: serial } };
      transformations.push('with its products per stack, the loops inside the stack\'s loops run serially (one pass of copies, not a parallel region per row of the stack)');
    }
    // a stack's plane loop with its scratch rows private: prange over the planes, each computing its own product
    const planes = plan.loops.kind === 'original' ? parallelPlanes(isl, tf, scop, products, parallel) : null;
    if (planes && plan.loops.kind === 'original') {
      const loops = new Set([...(plan.loops.productPrange ?? parallel.prangeLoops), ...planes.keys()]);
      plan = { ...plan, loops: { ...plan.loops, productPrange: loops, planePrivate: planes } };
      const named = [...planes].map(([at, arrays]) => {
        const loop = scop.loops.find((l) => l.span.start === at);
        return `${arrays.map((a) => `'${a}'`).join(', ')} private to each iteration of ${loop?.variable ?? '?'} (line ${loop?.span.from.line ?? '?'})`;
      });
      transformations.push(`with its products per plane, ${named.join('; ')}: that loop runs as prange, each iteration computing its plane's product with one BLAS thread; every iteration but the last works on a copy of its own, the last writes the array itself`);
    }
    local = null;
  } else {
    products.clear();
  }
  if (plan.loops.kind === 'original' && local) {
    // speculative math calls may raise: locality.ts distributes no loop around them (they count as raising)
    plan = { ...plan, loops: { kind: 'rescheduled', rescheduled: local, scop, nativeHelpers: parallel.safeHelpers, speculative: parallel.speculative } };
    transformations.push(`${local.transformation}; parallel schedule dimensions: ${dimNames(local)}`);
  }
  const followsOriginal = followsOriginalOrder(plan.loops);
  if (followsOriginal && (parallel.distributable.size > 0 || parallel.prangeLoops.size > 0)) {
    if (parallel.prangeLoops.size > 0) transformations.push('prange on the outermost parallel loop of each nest');
    if (parallel.speculative.size > 0) transformations.push(`speculative prange: ${parallel.speculative.size} math call(s) that may raise are flagged instead; the written arrays are saved before the call and restored if one would raise`);
    transformations.push(describeGpu(tf, parallel));
    // prange loops that are not distributable are speculative ones: a Ray block could not undo its writes
    const loops = tf.paramRotations ? "array parameters move between names (`A, B = B, A`: types/param-rotations.ts), which the boxes Ray writes back per parameter do not follow"
      : parallel.checkedIndices.size > 0 ? 'an index read from data is checked as the CPU variant runs (runtime/index_checks.py), which its Ray tasks do not do'
      : parallel.distributable.size > 0 ? rayLoops(tf, parallel.distributable) : 'a math call in its parallel loops may raise, and only the CPU variant can undo a speculative run';
    if (typeof loops === 'string') {
      plan.ray = loops;
    } else {
      try {
        const stages = loops.map((loop) => ({ loop, boxes: blockBoxes(isl, scop, loop, parallel.shapeParams.map((p) => p.name)) }));
        plan.ray = stages.every((st) => st.boxes) ? stages.map((st) => ({ loop: st.loop, boxes: st.boxes! })) : 'the write footprint of a block could not be computed';
      } catch (e) {
        plan.ray = `the write footprint of a block could not be computed (${(e as Error).message.split('\n')[0]})`;
      }
    }
    const lines = typeof plan.ray === 'string' ? '' : plan.ray.map((st) => st.loop.span.from.line).join(', ');
    transformations.push(typeof plan.ray === 'string' ? `no Ray variant: ${plan.ray}`
      : plan.ray.length === 1 ? `Ray variant: the loop at line ${lines} split into blocks, one task each; written boxes per block from isl`
        : `Ray variant: the loops at lines ${lines} each split into blocks, one task each, run in order (each writes back before the next); written boxes per block from isl`);
  }
  if (followsOriginal && parallel.lowered.size > 0) {
    transformations.push(...describeLowering([...parallel.lowered.values()]));
    const made = returned ? [...parallel.lowered.values()].find((l) => l.defines?.array === RETURNED) : undefined;
    if (made) transformations.push(`the array returned at line ${made.stmt.span.from.line} is allocated once (NumPy's dtype and the operands' shape) and filled by its element loop`);
    // (unless the parallel loops' paragraph above described it)
    if (parallel.distributable.size === 0 && parallel.prangeLoops.size === 0) transformations.push(describeGpu(tf, parallel));
  }
  // blocked sums print in the original order only (a rescheduled nest never has a scalar assigned in a loop)
  if (plan.loops.kind === 'original') {
    closeNotesForBlocked(tf, parallel);
    closeNotesForBlockedArrays(tf, parallel.blockedArrays);
    closeNotesForProducts(tf, products);
  } else {
    parallel.blocked.clear();
    parallel.blockedArrays.clear();
  }
  // behind the bounds guard, innermost loops may keep an updated element in a local (codegen/local-accumulators.ts)
  // (close mode's SIMD sums only in the original order: see LocalAccumulation)
  if (parallel.boundsChecked) {
    const accumulators = { fresh: new Set(scop.localShapes.keys()), simd: plan.loops.kind === 'original' };
    plan = { ...plan, loops: { ...plan.loops, accumulators } };
    if (accumulators.simd) addCloseNotes(tf, simdSumNotes({ tf, native: parallel.safeHelpers, fresh: accumulators.fresh }));
  }
  // Reasons per loop: what the CPU variant does with it.
  const out = new Map<number, LoopVerdict>();
  for (const [at, v] of verdicts) {
    let note = '';
    if (plan.loops.kind === 'rescheduled' && !followsOriginal) note = `; the CPU variant runs this nest ${plan.loops.rescheduled.transformation}`;
    else if (parallel.prangeLoops.has(at)) note = `; ${parallel.notes.get(at) ?? 'runs as prange in the CPU variant'}`;
    else if (parallel.notes.has(at)) note = `; ${parallel.notes.get(at)}`;
    out.set(at, { ...v, reason: v.reason + note });
  }
  return { verdicts: out, plan, transformations };
}

/**
 * The locality order with a loop made parallel by scratch parameter arrays
 * private to each of its iterations (private-params.ts, doitgen's sum_), for
 * the CPU variant only, when it runs in parallel further out than the order
 * found without it (`local`, else the original's depth `before`); with the
 * sentence for the report. Null otherwise. `verdicts` are polyStage's, of the same scop (computing them again
 * was a third of the dependence analysis of a function with many arrays).
 */
function privatizedOrder(isl: IslContext, tf: TypedFunction, scop: Scop, verdicts: Map<number, LoopVerdict>, parallel: ParallelPlan, local: Rescheduled | null, before: number): { order: Rescheduled; note: string } | null {
  if (!parallel.boundsChecked || parallel.lowered.size > 0 || parallel.speculative.size > 0 || parallel.blocked.size > 0 || parallel.blockedArrays.size > 0) return null;
  if (rescheduleObstacle(tf, scop, parallel, true)) return null;
  try {
    const loops = privatizableLoops(isl, tf, scop, verdicts);
    if (loops.size === 0) return null;
    // the parallel plan with those arrays private: every other rule for a prange loop still applies
    const trial: Scop = { ...scop, loops: scop.loops.map((l, k) => (loops.has(k) ? { ...l, privateArrays: [...(l.privateArrays ?? []), ...loops.get(k)!] } : l)) };
    const plan = planParallelLoops(isl, tf, trial, loopVerdicts(isl, trial));
    for (const k of [...loops.keys()]) if (!plan.prangeLoops.has(scop.loops[k].span.start)) loops.delete(k);
    if (loops.size === 0 || plan.speculative.size > 0 || plan.lowered.size > 0 || plan.blocked.size > 0) return null;
    const raising = new Set(scop.statements.filter((s) => mayRaise(tf, plan, s)));
    const order = localitySchedule(isl, scop, plan.prangeLoops, raising, loops);
    if (!order?.privateArrays) return null;
    const depth = astParallelDepth(order.ast, order.parallelDims);
    if (depth >= (local ? astParallelDepth(local.ast, local.parallelDims) : before)) return null;
    const serial = order.stripMined ? serialLocalitySchedule(isl, scop, plan.prangeLoops, raising, order) : order;
    if (!serial) return null;
    const named = [...loops].map(([k, arrays]) => `${arrays.map((a) => `'${a}'`).join(', ')} private to each iteration of ${scop.loops[k].label ?? scop.loops[k].variable} (line ${scop.loops[k].span.from.line})`);
    return {
      order: { ...order, serial: serial === order ? 'same' : serial },
      note: `CPU variant: ${named.join('; ')}: written before being read in every iteration, the same elements each time, so every iteration but the last works on a copy of its own and the last writes the array itself; that loop runs as prange`,
    };
  } catch {
    return null;
  }
}

/** The GPU variant in words: its kernels (per parallel loop, per lowered statement), grids, flagging; or why there is none. */
function describeGpu(tf: TypedFunction, parallel: ParallelPlan): string {
  const gpu = gpuObstacle(tf, parallel);
  if (gpu) return `no GPU variant: ${gpu}`;
  const implicit = [...parallel.lowered.values()].filter((l) => l.parallel && !l.fusedInto).length;
  const loops = parallel.prangeLoops.size;
  const threads = loops === 0 ? 'one thread per element of the implicit loops'
    : `one thread per iteration of each parallel loop${implicit ? ' or element of the implicit loops' : ''}`;
  const flagging = parallel.speculative.size > 0 ? '; math calls that may raise flag instead, and if one does the device results are discarded and the original runs' : '';
  const made = [...deviceAllocations(tf, parallel.prangeLoops, (s) => parallel.lowered.has(s))].map(([s, a]) => `${a.name} (line ${s.span.from.line})`);
  const allocations = made.length ? `; local arrays made on the device and filled there (copied back only if returned): ${made.join(', ')}` : '';
  return `GPU variant: ${loops + implicit} kernel(s), ${threads}${describeGrids(tf, parallel)}${flagging}${allocations}`;
}

/** The kernels whose grid covers a perfect nest of parallel loops: `; a 2-d grid over the loops at lines 5, 6`. */
function describeGrids(tf: TypedFunction, parallel: ParallelPlan): string {
  const grids: string[] = [];
  walkStmts(tf.fn.body, (s) => {
    if (s.kind !== 'for' || !parallel.prangeLoops.has(s.span.start)) return;
    const nest = gridNest(s, parallel.provenParallel);
    if (nest.length > 1) grids.push(`a ${nest.length}-d grid over the loops at lines ${nest.map((l) => l.span.from.line).join(', ')}`);
  });
  return grids.length ? `; ${grids.join('; ')}` : '';
}

/** The implicit loops of lowered slice statements in words: lowered, fused, parallel. */
function describeLowering(lowered: LoweredSlice[]): string[] {
  const line = (l: LoweredSlice): number => l.stmt.span.from.line;
  const out = [`NumPy slice statement(s) at line ${lowered.map(line).join(', ')} run as loops over their elements (the guard checks that the operands fit: no dimension of length 1 stretched, no slice clipped)`];
  for (const l of lowered) if (l.fused) out.push(`the implicit loops of the slice statements at lines ${l.fused.map(line).join(', ')} fused into one loop nest`);
  const contracted = lowered.flatMap((l) => [...(l.contracted ?? [])]);
  if (contracted.length > 0) out.push(`temporaries ${contracted.join(', ')} computed element by element as scalars (never allocated)`);
  for (const l of lowered) if (l.snapshots) out.push(`the statement at line ${line(l)} reads its target at other elements: ${l.snapshots.length === 1 ? 'that part is' : 'those parts are'} copied before its loops, as NumPy evaluates the right side before it stores`);
  const parallel = lowered.filter((l) => l.parallel && !l.fusedInto);
  if (parallel.length > 0) out.push(`implicit loops run as prange (each element written once, its operands read at that element only): the statement(s) at line ${parallel.map(line).join(', ')}`);
  return out;
}

/** The AST iterators of a schedule's parallel dimensions, for the report: `c1, c4`. */
const dimNames = (r: Rescheduled): string => [...r.parallelDims].map((d) => `c${d}`).join(', ') || 'none';

/**
 * isl's schedule, untiled, when it has as much outer parallelism as the
 * locality order but its innermost loops walk memory better (lu's
 * right-looking order: k outermost, rows in parallel, a row update
 * innermost), and no GPU or Ray variant is lost by leaving the original
 * order; with its invariant reads hoisted. Null otherwise.
 */
function islOrderForLocality(isl: IslContext, tf: TypedFunction, scop: Scop, parallel: ParallelPlan, local: Rescheduled, depth: number): Rescheduled | null {
  if (!gpuObstacle(tf, parallel)) return null;
  if (parallel.distributable.size > 0 && typeof rayLoops(tf, parallel.distributable) !== 'string') return null;
  const r = reschedule(isl, scop, false);
  if (!r || astParallelDepth(r.ast, r.parallelDims) !== depth) return null;
  const times = scheduleTimes(scop, r.schedule);
  const localTimes = scheduleTimes(scop, local.schedule);
  if (!times || !localTimes || localityScore(scop, times) <= localityScore(scop, localTimes)) return null;
  const hoistable = isl.withQuota(MAX_SCHEDULE_OPERATIONS, () =>
    isl.scope(() => {
      const m = islModel(scop);
      return invariantReads(isl, m, scop, times, isl.unionMap(`${m.head} -> ${r.schedule}`), times[0]?.length ?? 0);
    }),
  );
  return { ...r, hoistable, transformation: `${r.transformation} (its innermost loops walk memory better than the order inside the original parallel loops)` };
}

/** The end offset of the loop starting at `at` in the function's source. */
function loopEnd(tf: TypedFunction, at: number): number | undefined {
  let end: number | undefined;
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for' && s.span.start === at) end = s.span.end;
  });
  return end;
}
