// Poly stage (plan part): which loops the CPU variant runs with prange, and the
// condition on the parameters under which it must not (a subscript would leave
// its array's bounds, where Python would raise or wrap around and a parallel
// loop could not reproduce the same partial writes). The loop order is the
// original one: a loop gets prange only if no dependence is carried by it in
// the original schedule, and only the outermost such loop of each nest.
import type { AstExpr, IslContext } from 'isl-wasm';
import { childExprs, stmtExprs, walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import { liveAfter } from './liveness.js';
import { islModel } from './model.js';
import { islName } from '../scop/affine.js';
import { ALWAYS, helperPreconditions, type Precondition } from './preconditions.js';
import { distinctConditions, planSliceLowering, type LoweredSlice } from './lower-slices.js';
import { planImplicitLoops } from './implicit-loops.js';
import { literalStep } from '../codegen/loop-range.js';
import type { LoopVerdict } from '../stage-types.js';
import { CLOSE_REDUCTION_HELPERS } from '../types/reductions.js';
import { COMPLEX_HELPERS } from '../types/complex-ops.js';
import type { CheckedIndex, Scop } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import { isNumpyAllocation } from '../types/numpy-table.js';
import { tablePreconditions } from './table-preconditions.js';
import { blockedReduction, BLOCKS_IN_WORDS, type BlockedReduction } from './blocked-reductions.js';
import { blockedArrayReduction, ROW_BLOCKS_IN_WORDS, type BlockedArrayReduction } from './blocked-array-reductions.js';

export interface ShapeParam {
  name: string;
  array: string;
  dim: number;
}

export interface ParallelPlan {
  /** Source offsets of the `for` statements that become prange loops. */
  prangeLoops: Set<number>;
  /** Every loop that carries no dependence at its depth (the GPU variant's grid takes perfect nests of them). */
  provenParallel: Set<number>;
  /** Local arrays the model knows the shape of, which the guard checks (scop/temporaries.ts). */
  temporaries: Set<string>;
  /** Parameters under which some subscript is out of bounds (null: never). */
  outOfBounds: AstExpr | null;
  shapeParams: ShapeParam[];
  /**
   * Outermost parallel loops free of semantic obstacles (whether or not Numba's
   * prange can compile their bodies): what the Ray variant may split into blocks.
   */
  distributable: Set<number>;
  /** Why loops reported parallel do not get prange, for the report. */
  notes: Map<number, string>;
  /** Conditions the guard checks so that param-only helpers inside parallel loops cannot raise. */
  preconditions: Precondition[];
  /** The helper calls those conditions cover: a guarded variant may compute them natively. */
  safeHelpers: Set<Expr>;
  /** The bounds condition was computed: every access is exact and checked. */
  boundsChecked: boolean;
  /** Conditions the CPU variant needs whatever its loops (NumPy table rows: poly/table-preconditions.ts): the guard is emitted for them. */
  required?: Precondition[];
  /**
   * Math calls inside prange loops that may raise (an operand computed from
   * array data): the CPU variant runs those loops speculatively, flagging a
   * would-be exception instead of raising; the runtime then restores the
   * written arrays and runs the original, which raises exactly as Python does.
   */
  speculative: Set<Expr>;
  /** NumPy slice statements the CPU variant runs as element loops (their shape conditions are in preconditions). */
  lowered: Map<Stmt, LoweredSlice>;
  /** Loops whose scalar sums run as fixed blocks in parallel (poly/blocked-reductions.ts), by source offset. */
  blocked: Map<number, BlockedReduction>;
  /** Loops whose sums into array elements run as fixed blocks in parallel (poly/blocked-array-reductions.ts), by source offset. */
  blockedArrays: Map<number, BlockedArrayReduction>;
  /**
   * Indices read from data into fresh local arrays (Scop.checkedIndices), once
   * the guard checks every other access: the variant checks each as Python
   * does (runtime/index_checks.py).
   */
  checkedIndices: Map<Expr, CheckedIndex>;
  /** Those inside prange loops: they flag instead of raising (a speculative run, as `speculative`). */
  speculativeIndices: Set<Expr>;
}

/** Helpers that never raise (NumPy's pairwise sum and mean of a vector, close mode's reductions): no obstacle to a parallel loop. */
// (the sorting helpers too: their arguments are checked while typing, and they raise nothing at run time;
// np.sign of a float, row_helpers.sign_real, np.round with decimals and np.clip, round_helpers.py: comparisons and float operations alone)
export const NEVER_RAISING_HELPERS: ReadonlySet<string> = new Set(['pairwise_sum', 'pairwise_mean', ...CLOSE_REDUCTION_HELPERS, ...COMPLEX_HELPERS, 'sort', 'sort_inplace', 'argsort', 'unique', 'sign_real', 'round_decimals', 'clip_scalar_bounds']);

/** Helpers whose failure a parallel loop can flag without raising (numba_helpers.spec_*). */
export const SPECULABLE_HELPERS: ReadonlySet<string> = new Set(['sqrt', 'log', 'log10', 'log2', 'acos', 'asin', 'exp', 'mathpow']);

/** `reductions`: the loops whose only carried dependences are scalar sums (loop-verdicts.ts), candidates for blocks. */
export function planParallelLoops(ctx: IslContext, tf: TypedFunction, scop: Scop, verdicts: Map<number, LoopVerdict>, reductions: ReadonlyMap<number, string[]> = new Map(), arrayReductions: ReadonlyMap<number, string[]> = new Map()): ParallelPlan {
  const plan: ParallelPlan = { prangeLoops: new Set(), provenParallel: new Set(), temporaries: new Set(), distributable: new Set(), outOfBounds: null, shapeParams: [], notes: new Map(), boundsChecked: false, preconditions: [], safeHelpers: new Set(), speculative: new Set(), lowered: new Map(), blocked: new Map(), blockedArrays: new Map(), checkedIndices: new Map(), speculativeIndices: new Set() };
  const pre = helperPreconditions(tf);
  const required = [...tablePreconditions(tf), ...(tf.intPowerGuards ?? []).map((condition) => ({ condition, why: "a power of Python ints would leave int64 or have a negative exponent (CPython's exact int or float)" }))];
  plan.preconditions = [...[...pre.values()].filter((p) => p.condition !== ALWAYS), ...required];
  if (required.length > 0) plan.required = required;
  plan.safeHelpers = new Set(pre.keys());
  const parallel = scop.loops.filter((l) => verdicts.get(l.span.start)?.parallel);
  plan.provenParallel = new Set(parallel.map((l) => l.span.start));
  if (scop.unanalysable) return plan;
  // Slice statements as element loops (used only once the guard checks every index, below);
  // a function without loops gains only from them.
  // (fresh locals bound in a loop are arrays of their own too: scop/fresh-shapes.ts)
  const lowering = planSliceLowering(tf, new Map([...scop.temporaries, ...scop.freshLocals]));
  if (scop.loops.length === 0 && lowering.lowered.size === 0) return plan;
  const refuse = (why: string): ParallelPlan => {
    for (const l of parallel) plan.notes.set(l.span.start, why);
    for (const at of reductions.keys()) plan.notes.set(at, why);
    return plan;
  };
  // (an index read from data into a fresh local array is checked when the variant runs: ScopAccess.checked)
  // (so is a periodic index `e % n`, a range the guard bounds: ScopAccess.ranged)
  const inexact = scop.statements.flatMap((s) => s.accesses).find((a) => !a.scalar && !a.exact && !a.checked && !a.ranged);
  if (inexact) return refuse(`runs sequentially: the access ${inexact.text} is not affine, so its bounds cannot be checked before a parallel run`);
  if (scop.loops.some((l) => l.approximate)) return refuse('runs sequentially: a loop bound or step is not affine');

  // Bounds: every access's image over its domain must lie inside the array.
  const shapes = new Map<string, ShapeParam>();
  for (const p of tf.params) {
    if (p.kind === 'array' && p.ndim !== null) for (let d = 0; d < p.ndim; d++) shapes.set(`${islName(p.name)}_shape${d}`, { name: `${islName(p.name)}_shape${d}`, array: p.name, dim: d });
  }
  const localArrays = [...tf.locals].filter(([, t]) => t.kind === 'array').map(([n]) => n);
  for (const s of scop.statements) {
    for (const a of s.accesses) {
      if (!a.scalar && localArrays.includes(a.array) && !scop.localShapes.has(a.array)) {
        return refuse(`runs sequentially: the shape of the local array ${a.array} is not an affine expression of the parameters`);
      }
    }
  }
  const model = islModel(scop, [...shapes.keys()]);
  const head = model.head;
  // Bounds: every index of every access stays inside its dimension (a slice
  // is clipped by NumPy, but its bounds must not be negative).
  const outOfBounds = ctx.scope(() => {
    let badSet = ctx.unionSet(`${head} -> { BAD[] : 1 = 0 }`);
    const addBad = (dom: ReturnType<typeof ctx.unionSet>, tuple: string, cond: string): void => {
      const where = dom.intersect(ctx.unionSet(`${head} -> { ${tuple} : ${cond} }`)).params();
      if (!where.isEmpty()) badSet = badSet.union(ctx.unionSet(`${head} -> { BAD[] : ${paramsConstraints(where.toString())} }`));
    };
    for (const s of scop.statements) {
      const tuple = model.tuple(s);
      const dom = ctx.unionSet(`${head} -> { ${model.domainOf(s)} }`);
      for (const a of s.accesses) {
        if (a.scalar) continue;
        if (!a.dims) return 'unknown-rank';
        // (an index that may be negative reads from the end, as in Python: poly/negative-indices.ts)
        a.dims.forEach((d, k) => {
          if (d.index !== null) addBad(dom, tuple, `${d.index} < ${a.wraps?.includes(k) ? `-${d.extent}` : '0'} or ${d.index} >= ${d.extent}`);
        });
        // an index checked at run time: where it flags, the variant reads index 0 instead, which must exist
        for (const d of a.checked ?? []) addBad(dom, tuple, `${a.dims[d].extent} < 1`);
        for (const bound of a.nonNegative ?? []) addBad(dom, tuple, `${bound} < 0`);
      }
    }
    const ast = ctx.generateAst(ctx.scheduleFromMap(badSet.coalesce(), `${head} -> { BAD[] -> [0] }`));
    return ast.root;
  });
  if (outOfBounds === 'unknown-rank') return refuse('runs sequentially: an array rank is unknown');
  if (outOfBounds.kind === 'user') return refuse('runs sequentially: a subscript is out of bounds for every size');
  if (outOfBounds.kind === 'if') plan.outOfBounds = outOfBounds.cond;
  else if (outOfBounds.kind !== 'block' || outOfBounds.children.length > 0) return refuse('runs sequentially: the bounds condition is too complex');
  plan.shapeParams = [...shapes.values()];
  plan.boundsChecked = true;
  // the shapes the model gave temporaries hold only if their operands do not broadcast
  plan.preconditions.push(...scop.assumptions);
  plan.temporaries = new Set(scop.temporaries.keys());
  plan.checkedIndices = scop.checkedIndices;
  // `e % d` subscripts the guard above bounds (1 <= d): they cannot raise, so they print as Numba's own `%`
  const guarded = new Set([...scop.guardedDivisions ?? []].filter((e) => tf.helpers.has(e)));
  for (const e of guarded) plan.safeHelpers.add(e);
  // Every index is checked by the guard above: slice statements can run as element loops.
  plan.lowered = lowering.lowered;
  plan.preconditions = distinctConditions([...plan.preconditions, ...lowering.preconditions]);
  const shapesChecked = new Set<Stmt>([...plan.lowered.keys(), ...tf.fn.body.filter((s) => s.kind === 'assign' && s.target.kind === 'name' && scop.temporaries.has(s.target.id))]);
  // Implicit loops as prange put the whole function in Numba's parallel mode:
  // not while a NumPy operator between arrays remains (broadcastObstacle).
  const implicitPrange = broadcastObstacle(tf, shapesChecked) === null;
  if (parallel.length === 0 && reductions.size === 0) {
    if (implicitPrange) planImplicitLoops(tf.fn.body, plan.lowered, plan.prangeLoops);
    return plan;
  }

  // Outermost parallel loop of each nest, if its body can run as prange.
  const loopsBySpan = new Map<number, Stmt & { kind: 'for' }>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for') loopsBySpan.set(s.span.start, s);
  });
  const choose = (body: Stmt[], underDistributable: boolean): void => {
    for (const s of body) {
      if (s.kind === 'if') {
        choose(s.body, underDistributable);
        choose(s.orelse, underDistributable);
        continue;
      }
      // loops inside a while loop may run as prange, each time the while body runs; none is a Ray block
      if (s.kind === 'while') {
        choose(s.body, true);
        continue;
      }
      if (s.kind !== 'for') continue;
      let distributed = underDistributable;
      if (verdicts.get(s.span.start)?.parallel) {
        const semantic = prangeObstacle(tf, s, 'semantic', undefined, undefined, plan.checkedIndices, guarded);
        if (!semantic && !underDistributable) {
          plan.distributable.add(s.span.start);
          distributed = true;
        }
        // Only math calls that may raise stand in the way: run it speculatively.
        const speculate = semantic !== null && prangeObstacle(tf, s, 'speculative', undefined, undefined, plan.checkedIndices, guarded) === null;
        const why = (speculate ? null : semantic) ?? prangeObstacle(tf, s, 'numba', shapesChecked);
        if (!why) {
          plan.prangeLoops.add(s.span.start);
          if (speculate) {
            const calls = [...tf.helpers].filter(([e, h]) => within(e, s) && !plan.safeHelpers.has(e) && SPECULABLE_HELPERS.has(h.helper)).map(([e]) => e);
            for (const e of calls) plan.speculative.add(e);
            const indices = [...plan.checkedIndices.keys()].filter((e) => within(e, s));
            for (const e of indices) plan.speculativeIndices.add(e);
            const what = indices.length === 0 ? 'a math call in its body may raise' : calls.length === 0 ? 'an index read from data may be out of bounds' : 'a math call or an index read from data may raise';
            plan.notes.set(s.span.start, `runs as prange speculatively: ${what}, so the written arrays are saved first; if any iteration would raise, they are restored and the original runs (and raises as Python does)`);
          }
          continue;
        }
        plan.notes.set(s.span.start, `runs sequentially: ${why}`);
      } else if (reductions.has(s.span.start)) {
        // a loop carrying only scalar sums: fixed blocks in parallel, partial sums added in order
        const scalars = reductions.get(s.span.start)!;
        const r = blockedReduction(tf, s, scalars);
        const why = 'why' in r ? r.why : prangeObstacle(tf, s, 'semantic', shapesChecked, new Set(scalars), plan.checkedIndices, guarded) ?? prangeObstacle(tf, s, 'numba', shapesChecked);
        if (!why && 'plan' in r) {
          plan.blocked.set(s.span.start, r.plan);
          plan.notes.set(s.span.start, `runs in parallel as fixed blocks of iterations (${BLOCKS_IN_WORDS}), each summing ${scalars.map((n) => `'${n}'`).join(', ')} in the original order, the partial sums then added in block order: the same bits with any number of threads${r.plan.scalars.some((x) => x.kind === 'float') ? ' (close mode: a float sum reassociated, see closeNotes)' : ' (an integer sum: the same bits as the original)'}`);
          continue;
        }
        plan.notes.set(s.span.start, `runs sequentially: ${why}`);
      } else if (arrayReductions.has(s.span.start) && !underDistributable) {
        // a loop carrying only sums into array elements: fixed blocks in parallel, partial arrays added in order
        const arrays = arrayReductions.get(s.span.start)!;
        const r = blockedArrayReduction(tf, arrays);
        const why = 'why' in r ? r.why : prangeObstacle(tf, s, 'semantic', shapesChecked, new Set(), plan.checkedIndices, guarded) ?? prangeObstacle(tf, s, 'numba', shapesChecked);
        if (!why && 'plan' in r) {
          plan.blockedArrays.set(s.span.start, r.plan);
          plan.notes.set(s.span.start, `runs in parallel as fixed blocks of iterations (${ROW_BLOCKS_IN_WORDS}), each adding into its own partial ${arrays.map((n) => `'${n}'`).join(', ')} in the original order, the partial arrays then added in block order: the same bits with any number of threads (close mode: float sums reassociated, see closeNotes)`);
          continue;
        }
        plan.notes.set(s.span.start, `runs sequentially: ${why}`);
      }
      choose(s.body, distributed);
    }
  };
  choose(tf.fn.body, false);
  if (implicitPrange) planImplicitLoops(tf.fn.body, plan.lowered, plan.prangeLoops);
  return plan;
}

/** isl prints a parameter set as `[n] -> {  : n > 0 and ... }`; keep the constraints. */
function paramsConstraints(text: string): string {
  const m = /\{\s*:?\s*(.*?)\s*\}\s*$/s.exec(text);
  if (!m) return '1 = 0';
  const body = m[1].replace(/^:\s*/, '');
  return body === '' ? '1 = 1' : body;
}

/**
 * A helper call that raises nothing whatever its operands: a never-raising helper, or NumPy's shift of two
 * integer scalars (int_helpers.np_rshift/np_lshift: a count outside 0 .. bits - 1 gives 0 or -1; a Python int
 * operand's range is checked where the checker placed it, nep50.ts). Shifts of arrays may raise ValueError
 * broadcasting. (It still prints as its helper: only the loop around it may run in parallel.)
 */
export function neverRaises(tf: TypedFunction, e: Expr, helper: string): boolean {
  if (NEVER_RAISING_HELPERS.has(helper)) return true;
  if ((helper === 'np_rshift' || helper === 'np_lshift') && e.kind === 'binary') return [e.left, e.right].every((x) => tf.types.get(x)?.kind === 'scalar');
  return false;
}

/**
 * Why a loop proven parallel still cannot run in parallel: 'semantic' reasons
 * hold for every parallel form (an exception's partial writes, a value live
 * after the loop); 'speculative' is the same but for math calls the CPU
 * variant can flag instead of raising; 'numba' reasons only for Numba's prange.
 */
function prangeObstacle(tf: TypedFunction, loop: Stmt & { kind: 'for' }, mode: 'semantic' | 'speculative' | 'numba', shapesChecked: ReadonlySet<Stmt> = new Set(), liveSums: ReadonlySet<string> = new Set(), checked: ReadonlyMap<Expr, CheckedIndex> = new Map(), guarded: ReadonlySet<Expr> = new Set()): string | null {
  if (mode === 'numba') return numbaObstacle(tf, loop, shapesChecked);
  let obstacle: string | null = literalStep(loop.range.step) === null ? 'its step is not an integer literal' : null;
  const assignedInside = new Set<string>();
  walkStmts(loop.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') assignedInside.add(s.target.id);
    if (s.kind === 'for') assignedInside.add(s.target.id);
    if (s.kind === 'return' || s.kind === 'break' || s.kind === 'continue') obstacle ??= `'${s.kind}' inside the loop`;
  });
  // Helpers raise CPython's exceptions; inside a parallel loop the partial writes before one would differ.
  const safe = helperPreconditions(tf);
  // (a periodic subscript's `% d`: the bounds guard requires d >= 1 where it runs, Scop.guardedDivisions)
  for (const [e, h] of tf.helpers) if (within(e, loop) && !safe.has(e) && !guarded.has(e) && !neverRaises(tf, e, h.helper) && !(mode === 'speculative' && SPECULABLE_HELPERS.has(h.helper))) obstacle ??= `${tf.fn.name}'s loop body can raise (${exprKind(e)}), and a parallel loop could not reproduce the partial writes before the exception`;
  for (const [s] of tf.augHelpers) if (s.span.start >= loop.span.start && s.span.end <= loop.span.end) obstacle ??= 'the loop body can raise a CPython exception';
  // an index read from data may raise IndexError: a speculative run flags it instead (runtime/index_checks.py)
  if (mode === 'semantic') for (const e of checked.keys()) if (within(e, loop)) obstacle ??= `the index at line ${e.span.from.line} is read from data and may be out of bounds, and a parallel loop could not reproduce the partial writes before the IndexError`;
  // a called function of the module may raise (and its accesses are modelled whole): the loop stays sequential
  for (const [e, site] of tf.calls) if (within(e, loop)) obstacle ??= `the loop body calls '${site.spec.callee}', which may raise, and a parallel loop could not reproduce the partial writes before the exception`;
  // Scalars assigned inside are private to each iteration in prange; the
  // sequential loop leaves the last iteration's value, so none may be read after it.
  assignedInside.add(loop.target.id);
  const live = liveAfter(tf.fn, loop);
  // (a blocked loop's sums are combined after it: they may be read)
  for (const n of assignedInside) if (live.has(n) && !liveSums.has(n)) obstacle ??= `'${n}' is assigned inside the loop and read after it`;
  return obstacle;
}

function within(e: Expr, loop: Stmt): boolean {
  return e.span.start >= loop.span.start && e.span.end <= loop.span.end;
}

function exprKind(e: Expr): string {
  return e.kind === 'binary' ? `'${e.op}' on Python scalars` : e.kind === 'call' ? 'a math function' : e.kind;
}

/**
 * Numba compiles prange bodies with array expressions only with its own array
 * parallelization on, which Polyray keeps off so that every parallel loop is proven.
 */
export function numbaObstacle(tf: TypedFunction, _loop?: Stmt & { kind: 'for' }, shapesChecked: ReadonlySet<Stmt> = new Set()): string | null {
  // Anywhere in the function: in parallel mode Numba's array analysis asserts
  // equal shapes for every array expression, where NumPy broadcasts or raises
  // ValueError. Slice statements lowered to element loops are not array
  // expressions; the guard checks the operand shapes of temporaries
  // (`D = A @ B`: scop/temporaries.ts), so Numba's assertions hold there.
  let obstacle: string | null = null;
  const isArray = (x: Expr): boolean => tf.types.get(x)?.kind === 'array';
  const visit = (x: Expr, operand: boolean): void => {
    // a view passed to a call (`np.sort(A[i])`, `A[i].copy()`, `np.sum(A[i, :])`) is no array expression
    const view = operand && isView(tf, x);
    if (isArray(x) && x.kind !== 'name' && !isAllocation(x) && !view && !oneArrayCall(tf, x)) {
      obstacle ??= `line ${x.span.from.line} applies a NumPy operator to arrays, whose shapes Numba's parallel mode checks differently from NumPy`;
    }
    if (x.kind === 'call') {
      const callsArray = x.func.kind === 'attribute' && isArray(x.func.value);
      if (x.func.kind === 'attribute') visit(x.func.value, callsArray);
      for (const a of [...x.args, ...x.keywords.map((k) => k.value)]) visit(a, true);
      return;
    }
    for (const c of childExprs(x)) visit(c, false);
  };
  walkStmts(tf.fn.body, (s) => {
    if (shapesChecked.has(s)) return;
    for (const e of stmtExprs(s)) visit(e, false);
  });
  return obstacle;
}

/** `A[i]`, `A[i, :]`, `A[i, 1:n]`: integer indices and unit-step slices of a name, a view Numba makes without array expressions. */
function isView(tf: TypedFunction, x: Expr): boolean {
  if (x.kind !== 'subscript' || x.value.kind !== 'name') return false;
  return x.indices.every((ix) => (ix.kind === 'slice' ? !ix.step : tf.types.get(ix)?.kind === 'scalar' && (tf.types.get(ix) as { scalar?: string }).scalar === 'int'));
}

/**
 * A call Numba compiles as one opaque call on one array, with no array
 * expression of its own: a copy (`x.copy()`, `np.copy(x)`, `x.astype(d)`), a
 * sort (`np.sort(x)`, `np.argsort(x)`: sort_helpers). Its array operand is
 * a name or a view.
 */
function oneArrayCall(tf: TypedFunction, x: Expr): boolean {
  if (x.kind !== 'call' || x.func.kind !== 'attribute') return false;
  const onModule = tf.types.get(x.func.value)?.kind === 'module';
  const name = x.func.attr;
  const safe = onModule ? ['copy', 'sort', 'argsort'].includes(name) : ['copy', 'astype', 'argsort'].includes(name);
  if (!safe) return false;
  const operands = onModule ? x.args : [x.func.value, ...x.args];
  const arrays = operands.filter((a) => tf.types.get(a)?.kind === 'array' || (a.kind === 'name' && tf.params.some((p) => p.name === a.id && p.kind === 'array')));
  return arrays.length === 1 && (arrays[0].kind === 'name' || isView(tf, arrays[0])) && x.keywords.every((k) => k.name === 'kind' || k.name === 'dtype');
}

/**
 * A NumPy operator between two arrays (`a * b`, `a @ b`, `np.maximum(a, b)`)
 * outside the statements whose shapes the guard checks: in parallel mode,
 * Numba's array analysis asserts that their shapes match (AssertionError)
 * where NumPy broadcasts or raises ValueError. An array with scalars
 * (`x[0, :] * 2.0`) and an assignment (`A[:, :] = x`) are checked as NumPy does.
 */
export function broadcastObstacle(tf: TypedFunction, shapesChecked: ReadonlySet<Stmt> = new Set()): string | null {
  let obstacle: string | null = null;
  const isArray = (x: Expr): boolean => tf.types.get(x)?.kind === 'array' || (x.kind === 'name' && (tf.params.some((p) => p.name === x.id && p.kind === 'array') || tf.locals.get(x.id)?.kind === 'array'));
  walkStmts(tf.fn.body, (s) => {
    if (shapesChecked.has(s)) return;
    const operands: Expr[][] = [];
    for (const e of stmtExprs(s)) {
      walkExpr(e, (x) => {
        if (x.kind === 'binary') operands.push([x.left, x.right]);
        if (x.kind === 'call' && !isAllocation(x)) operands.push(x.args);
      });
    }
    if (s.kind === 'augassign') operands.push([s.target, s.value]);
    if (operands.some((xs) => xs.filter(isArray).length >= 2)) obstacle ??= `line ${s.span.from.line} applies a NumPy operator to two arrays, whose shapes Numba's parallel mode checks differently from NumPy`;
  });
  return obstacle;
}

/** `np.zeros(shape)` and the like allocate without broadcasting, which Numba's parallel mode handles as NumPy does. */
function isAllocation(e: Expr): boolean {
  return e.kind === 'call' && e.func.kind === 'attribute' && e.func.value.kind === 'name' && isNumpyAllocation(e.func.attr);
}
