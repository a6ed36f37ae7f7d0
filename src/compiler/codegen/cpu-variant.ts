// The CPU variant: the function body printed for Numba's nopython mode, with
// the operators and math calls where CPython and Numba disagree routed through
// helpers that reproduce CPython (the runtime injects them as globals).
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { cpuName, helperName, INT64, NUMPY, PRANGE } from './names.js';
import { PythonPrinter } from './python-printer.js';
import { allocationCall } from './allocation-calls.js';
import { CHECKED_INDEX_HELPER, CHECKED_INT_HELPER, SPEC_CHECKED_INT_HELPER } from '../types/undo-helpers.js';
import { foldedCounter, rangeParts } from './loop-range.js';
import { printIslAst } from './isl-ast-python.js';
import type { Rescheduled } from '../poly/reschedule.js';
import type { CheckedIndex, Scop } from '../scop/scop.js';
import type { LoweredSlice } from '../poly/lower-slices.js';
import { element, ElementScope } from './element-loops.js';
import { islName } from '../scop/affine.js';
import type { BlockedReduction } from '../poly/blocked-reductions.js';
import { accumulatorName, blockedLoopLines } from './blocked-loops.js';
import type { BlockedArrayReduction } from '../poly/blocked-array-reductions.js';
import { blockedArrayLoopLines, partialArrayName } from './blocked-array-loops.js';
import type { ProductLoop } from '../poly/product-loops.js';
import { planeLines, productCondition, productHelpers, productLines, productUpdate, scatterAfter } from './product-loops.js';
import { localAccumulators, outlineSum, simdSums, splitSums, type AccumulatorContext, type LocalAccumulator, type PrintedStmt } from './local-accumulators.js';
import { specializeDefault } from './default-constants.js';
import { gatherDot } from './gather-dots.js';

export interface CpuVariantCode {
  name: string;
  lines: string[];
  helpers: string[];
  /** The variant takes a trailing flag array and may need its written arrays restored. */
  speculative: boolean;
  /** Close mode's SIMD sums, outlined (codegen/local-accumulators.ts): their definitions, compiled with fast-math flags. */
  sums: { name: string; lines: string[] }[];
}

/** The flag array a speculative variant receives as its last argument (see CpuVariant). */
export const FAIL_FLAG = '_polyray_fail';

/** prange takes unit steps from 0 and its counter is unsigned: the iterator is recomputed from a signed copy. */
function prangeHeader(s: ForStmt, print: (e: Expr) => string, indent: string): string[] {
  const v = s.target.id;
  const parts = rangeParts(s, print);
  if (!parts) throw new Error('prange loop without a constant step');
  const k = `_polyray_k_${v}`;
  if (boundsDependOn(s.body, v)) {
    const n = `_polyray_n_${v}`;
    const at = foldedCounter(`${INT64}(${k})`, n);
    return [`${indent}${n} = ${parts.count}`, `${indent}for ${k} in ${PRANGE}(${n}):`, `${indent}    ${v} = ${parts.plain ? at : `${parts.lo} + ${parts.step} * ${at}`}`];
  }
  if (parts.plain) return [`${indent}for ${k} in ${PRANGE}(${print(s.range.stop)}):`, `${indent}    ${v} = ${INT64}(${k})`];
  return [`${indent}for ${k} in ${PRANGE}(${parts.count}):`, `${indent}    ${v} = ${parts.lo} + ${parts.step} * ${INT64}(${k})`];
}

/** An array's copy private to each iteration of a prange plane loop (as codegen/isl-ast-python.ts names it). */
const privateName = (array: string): string => `_polyray_pv_${array}`;

/**
 * A prange plane loop whose arrays are private to each iteration (poly/product-parallel.ts parallelPlanes):
 * every iteration but the last works on a fresh copy, the last on the array itself, so the array ends with
 * the last iteration's values, as the original's.
 */
function privateHeader(s: ForStmt, arrays: string[], print: (e: Expr) => string, indent: string): string[] {
  const v = s.target.id;
  const parts = rangeParts(s, print);
  if (!parts) throw new Error('prange loop without a constant step');
  const [k, n] = [`_polyray_k_${v}`, `_polyray_n_${v}`];
  return [
    `${indent}${n} = ${parts.count}`,
    `${indent}for ${k} in ${PRANGE}(${n}):`,
    `${indent}    ${v} = ${parts.plain ? `${INT64}(${k})` : `${parts.lo} + ${parts.step} * ${INT64}(${k})`}`,
    ...arrays.map((a) => `${indent}    ${privateName(a)} = ${a} if ${k} == ${n} - 1 else ${NUMPY}.empty_like(${a})`),
  ];
}

/** Does the range of a loop nested in `body` read the variable `v` (a triangular nest)? */
function boundsDependOn(body: Stmt[], v: string): boolean {
  let found = false;
  walkStmts(body, (st) => {
    if (st.kind !== 'for') return;
    for (const e of stmtExprs(st)) walkExpr(e, (x) => { if (x.kind === 'name' && x.id === v) found = true; });
  });
  return found;
}

/** How the CPU variant orders its loops: the original order (some loops as prange), or an isl schedule. */
export type CpuLoopPlan =
  | {
      kind: 'original';
      prangeLoops: Set<number>;
      /**
       * Helper calls the guard has shown cannot raise: computed natively, since
       * a raise inside a prange loop keeps Numba from running it in parallel.
       */
      nativeHelpers?: Set<Expr>;
      /** Helper calls inside prange loops that flag a would-be exception in `_polyray_fail` instead of raising. */
      speculative?: Set<Expr>;
      /** NumPy slice statements to print as loops over their elements (poly/lower-slices.ts). */
      lowered?: Map<Stmt, LoweredSlice>;
      /** Loops whose scalar sums run as fixed blocks in parallel (poly/blocked-reductions.ts), by source offset. */
      blocked?: Map<number, BlockedReduction>;
      /** Loops whose sums into array elements run as fixed blocks in parallel (poly/blocked-array-reductions.ts), by source offset. */
      blockedArrays?: Map<number, BlockedArrayReduction>;
      /** Loops computing a matrix product, replaced by a BLAS product before their nest (poly/product-loops.ts), by source offset. */
      products?: Map<number, ProductLoop>;
      /**
       * The prange loops while a nest prints with its products, where they differ from
       * prangeLoops (poly/product-parallel.ts: a scatter's additions moved after the nest).
       */
      productPrange?: Set<number>;
      /**
       * Stack plane loops (ProductLoop.plane) that run as prange in the form printed with products, by source
       * offset: the arrays private to each of their iterations (poly/product-parallel.ts parallelPlanes).
       */
      planePrivate?: Map<number, string[]>;
      /** Innermost loops may accumulate into locals (codegen/local-accumulators.ts): set behind the bounds guard only. */
      accumulators?: LocalAccumulation;
      /** Indices read from data into fresh local arrays, checked as Python does (behind the bounds guard, which checks the rest). */
      checkedIndices?: ReadonlyMap<Expr, CheckedIndex>;
      /** Those inside prange loops: they flag in `_polyray_fail` instead of raising. */
      speculativeIndices?: ReadonlySet<Expr>;
    }
  | {
      kind: 'rescheduled';
      rescheduled: Rescheduled;
      scop: Scop;
      /** Helper calls the guard has shown cannot raise (computed natively); the others keep CPython's semantics. */
      nativeHelpers?: Set<Expr>;
      /** Helper calls that flag a would-be exception in `_polyray_fail` instead of raising (a locality order only). */
      speculative?: Set<Expr>;
      accumulators?: LocalAccumulation;
    };

/**
 * Local accumulators are on (behind the bounds guard); `fresh`: the function's
 * freshly allocated local arrays. `simd`: close mode may sum them in SIMD lanes,
 * only where the parallel and serial forms print the same loops (the original
 * order): a rescheduled nest splits a sum into tiles, and lanes within tiles
 * would not give the serial form's bits, so the result would depend on the form
 * the runtime picks, that is on the thread count.
 */
export interface LocalAccumulation {
  fresh: ReadonlySet<string>;
  simd: boolean;
}

/**
 * The CPU variant keeps the original order's parallel loops (possibly reordered
 * inside them, Rescheduled.keepsParallelLoops): the GPU and Ray variants, which
 * follow that order, still apply.
 */
export function followsOriginalOrder(loops: CpuLoopPlan): boolean {
  return loops.kind === 'original' || loops.rescheduled.keepsParallelLoops === true;
}

/** fit_int, where the printer's casts range-check computed Python ints (types/casts.ts checked): imported, and undo= on. */
function checkedIntHelpers(tf: TypedFunction): string[] {
  return tf.checkedInts ? [CHECKED_INT_HELPER] : [];
}

/** `e` through its flagging helper when `speculative` has it (see FAIL_FLAG). */
function speculativeCall(tf: TypedFunction, e: Expr, print: (e: Expr) => string, speculative: Set<Expr>, used: Set<string>): string | undefined {
  const h = tf.helpers.get(e);
  if (!h || !speculative.has(e) || e.kind !== 'call') return undefined;
  used.add(`spec_${h.helper}`);
  return `${helperName(`spec_${h.helper}`)}(${[...e.args.map(print), FAIL_FLAG].join(', ')})`;
}

/**
 * An index read from data (Scop.checkedIndices) through runtime/index_checks.py:
 * `spec_index` inside a prange loop (it flags), `check_index` elsewhere (it
 * leaves the call to the original where Python raises IndexError). `printing`: the indices being printed
 * (the index itself prints without the check).
 */
function checkedIndexCall(e: Expr, print: (e: Expr) => string, checked: ReadonlyMap<Expr, CheckedIndex>, speculative: ReadonlySet<Expr>, used: Set<string>, printing: Set<Expr>): string | undefined {
  const c = checked.get(e);
  if (!c || printing.has(e)) return undefined;
  printing.add(e);
  try {
    const flag = speculative.has(e);
    const helper = flag ? 'spec_index' : CHECKED_INDEX_HELPER;
    used.add(helper);
    return `${helperName(helper)}(${[print(e), `${c.array}.shape[${c.dim}]`, ...(flag ? [FAIL_FLAG] : [])].join(', ')})`;
  } finally {
    printing.delete(e);
  }
}

/** `e` through its CPython-semantics helper, or undefined when it needs none (or `native` has it). */
function helperCall(tf: TypedFunction, e: Expr, print: (e: Expr) => string, native: Set<Expr>, used: Set<string>): string | undefined {
  const h = tf.helpers.get(e);
  if (!h || native.has(e)) return undefined;
  const fused = gatherDot(tf, e);
  if (fused) {
    used.add(fused.helper);
    return `${helperName(fused.helper)}(${print(fused.v)}, ${print(fused.x)}, ${print(fused.idx)})`;
  }
  used.add(h.helper);
  if (e.kind === 'binary') return `${helperName(h.helper)}(${print(e.left)}, ${print(e.right)})`;
  // `x[mask]`, `x[idx]` (types/index-arrays.ts)
  if (e.kind === 'subscript' && h.args) return `${helperName(h.helper)}(${h.args.map((a) => (typeof a === 'string' ? a : print(a))).join(', ')})`;
  if (e.kind === 'call' && h.args) return `${helperName(h.helper)}(${h.args.map((a) => (typeof a === 'string' ? a : print(a))).join(', ')})`;
  if (e.kind === 'call') {
    const args = h.receiver && e.func.kind === 'attribute' ? [e.func.value, ...e.args] : e.args;
    // keywords pass through by name (np.linspace(a, b, num=n, dtype=np.float64))
    return `${helperName(h.helper)}(${[...args.map(print), ...e.keywords.map((k) => `${k.name}=${print(k.value)}`)].join(', ')})`;
  }
  return undefined;
}

/**
 * A call of another function of the module as a call of its specialization's
 * jitted form (types/calls.ts), every parameter passed by position (defaults
 * as written), so that Numba calls it natively.
 */
export function moduleCallText(tf: TypedFunction, e: Expr, print: (e: Expr) => string): string | undefined {
  const site = tf.calls.get(e);
  if (!site) return undefined;
  return `${site.spec.callName}(${site.args.map((a) => (typeof a === 'string' ? a : print(a))).join(', ')})`;
}

/** An augmented assignment whose operator needs a helper, as `t = helper(t, v)`. */
function augHelperLines(tf: TypedFunction, s: Stmt, indent: string, printer: PythonPrinter, used: Set<string>): string[] | undefined {
  // `x[mask] = v`, `x[idx] = v` as a store helper's call (types/index-arrays.ts)
  if (s.kind === 'assign') {
    const st = tf.augHelpers.get(s);
    if (!st?.args) return undefined;
    used.add(st.helper);
    return [`${indent}${helperName(st.helper)}(${st.args.map((a) => (typeof a === 'string' ? a : printer.expr(a))).join(', ')})`];
  }
  if (s.kind !== 'augassign') return undefined;
  const h = tf.augHelpers.get(s);
  if (!h) return undefined;
  used.add(h.helper);
  const target = printer.expr(s.target);
  // an array target is written in place (`C[:, :] = cmul(C, v)`), as NumPy's `C *= v` does
  const rank = tf.arrayAug.get(s);
  const store = tf.arrayAug.has(s) && rank !== null && rank !== undefined ? `${target}[${Array(Math.max(rank, 1)).fill(':').join(', ')}]` : target;
  return [`${indent}${store} = ${helperName(h.helper)}(${target}, ${printer.expr(s.value)})`];
}

/**
 * isl's AST names an array parameter's extents as the model does (`C_shape0`,
 * scop/extract.ts: `n, m = C.shape` seen through); the variant defines the
 * ones its loops use, as the bounds guard does.
 */
function shapeDefinitions(tf: TypedFunction, body: string[]): string[] {
  const text = body.join('\n');
  const out: string[] = [];
  for (const p of tf.params) {
    if (p.kind !== 'array' || p.ndim === null) continue;
    for (let d = 0; d < p.ndim; d++) {
      const name = `${islName(p.name)}_shape${d}`;
      if (new RegExp(`\\b${name}\\b`).test(text)) out.push(`    ${name} = ${p.name}.shape[${d}]`);
    }
  }
  return out;
}

/**
 * A lowered statement as a serial form prints it (`inOrder`: one thread, its element loops ascending): without
 * the copies of what it reads ahead of its writes (LoweredSlice.snapshots' `ahead`), which those loops read
 * before they write them (NPBench's seidel_2d: `A[i, 2:]` copied per row cost 0.16 of 0.78 ms). A fused group
 * keeps them (another member may write what the copy holds).
 */
function withoutAheadCopies(low: LoweredSlice): LoweredSlice {
  if (low.fused || !low.snapshots?.some((c) => c.ahead)) return low;
  const refs = new Map(low.refs);
  for (const c of low.snapshots) if (c.ahead) refs.set(c.source, c.original);
  return { ...low, refs, snapshots: low.snapshots.filter((c) => !c.ahead) };
}

/** Whether some lowered statement of the plan copies what it reads ahead (a serial form without those copies). */
export function copiesAhead(loopPlan: CpuLoopPlan): boolean {
  const lowered = loopPlan.kind === 'original' ? loopPlan.lowered : undefined;
  return [...(lowered?.values() ?? [])].some((low) => !low.fused && (low.snapshots ?? []).some((c) => c.ahead));
}

/**
 * `name`: the variant's function name (a serial form has its own). `raising`: the serial form of a
 * parallel variant in the original order (compiled without parallel=True, its prange loops run as
 * range loops in Python's order): its math calls, indices read from data and range-checked ints raise
 * as Python's do, where the parallel form flags them; it then needs no flag, no copy of the written
 * arrays and no rollback (issue 18: the flagging helpers cost 1.5x a raising math.log per element).
 * Its prange loops print as the original loops (Python's order); a plan with products (whose scatter
 * additions move after their nest) has no raising form (raisingSerialForm, module.ts).
 */
export function emitCpuVariant(tf: TypedFunction, loopPlan: CpuLoopPlan = { kind: 'original', prangeLoops: new Set() }, name = cpuName(tf.fn.name),
  raising = false, inOrder = raising): CpuVariantCode {
  const params = tf.fn.params.map((p) => p.name).join(', ');
  if (loopPlan.kind === 'rescheduled') {
    // Statements that may raise are never among the reordered ones (rescheduleObstacle, locality.ts):
    // they keep CPython's semantics through their helpers.
    const r = loopPlan.rescheduled;
    const used = new Set<string>(checkedIntHelpers(tf));
    const native = loopPlan.nativeHelpers ?? new Set<Expr>();
    const speculative = loopPlan.speculative ?? new Set<Expr>();
    const sums: CpuVariantCode['sums'] = [];
    const body = printIslAst(r.ast, loopPlan.scop, r.parallelDims, '    ', tf.arrayAug, r.keepsParallelLoops === true, {
      expr: (e, print) => moduleCallText(tf, e, print) ?? (native.has(e) ? undefined : speculativeCall(tf, e, print, speculative, used) ?? helperCall(tf, e, print, native, used)),
      stmt: (st, indent, printer) => augHelperLines(tf, st, indent, printer, used),
      hoistable: r.hoistable,
      privateArrays: r.privateArrays,
      accumulators: loopPlan.accumulators ? (body, iterator, tag) => localAccumulators({ tf, native, fresh: loopPlan.accumulators!.fresh }, body, iterator, tag) : undefined,
    });
    const spec = [...used].some((h) => h.startsWith('spec_'));
    const signature = spec ? [params, FAIL_FLAG].filter((x) => x !== '').join(', ') : params;
    return { name, lines: specializeDefault(tf, [`def ${name}(${signature}):`, ...shapeDefinitions(tf, body), ...body]), helpers: [...used].sort(), speculative: spec, sums: [] };
  }
  const prangeLoops = loopPlan.prangeLoops;
  const used = new Set<string>(checkedIntHelpers(tf));
  const native = prangeLoops.size > 0 || (loopPlan.productPrange?.size ?? 0) > 0 ? loopPlan.nativeHelpers ?? new Set<Expr>() : new Set<Expr>();
  const flags = prangeLoops.size > 0 && !raising;
  const speculative = flags ? loopPlan.speculative ?? new Set<Expr>() : new Set<Expr>();
  const checkedIndices = loopPlan.checkedIndices ?? new Map<Expr, CheckedIndex>();
  const speculativeIndices = flags ? loopPlan.speculativeIndices ?? new Set<Expr>() : new Set<Expr>();
  const printingIndices = new Set<Expr>();
  const lowered = loopPlan.lowered ?? new Map<Stmt, LoweredSlice>();
  const blocked = loopPlan.blocked ?? new Map<number, BlockedReduction>();
  const blockedArrays = loopPlan.blockedArrays ?? new Map<number, BlockedArrayReduction>();
  // inside a blocked loop, its sums print as the block's accumulators
  const renames = new Map<string, string>();
  // product loops by the nest they sit in; while a nest prints with its products, `withProducts` holds it
  const products = loopPlan.products ?? new Map<number, ProductLoop>();
  const productPrange = loopPlan.productPrange ?? prangeLoops;
  const nests = new Map<Stmt, ProductLoop[]>();
  for (const p of products.values()) nests.set(p.outer, [...(nests.get(p.outer) ?? []), p]);
  const printing = new Set<Stmt>();
  let withProducts = false;
  // while an innermost loop with local accumulators prints: its element accesses, as the locals
  const accumulated = new Map<Expr, string>();
  const accContext: AccumulatorContext | null = loopPlan.accumulators ? { tf, native, fresh: loopPlan.accumulators.fresh } : null;
  const sums: CpuVariantCode['sums'] = [];
  const simd = loopPlan.accumulators?.simd ? simdOutliner(tf, name, sums) : () => undefined;
  // While a lowered statement prints: its array references as elements of the implicit loops.
  const elements = new ElementScope();
  // Inside a prange loop (its body, or a lowered statement's parallel element loop) a range-checked Python int
  // flags `_polyray_fail` instead of raising (int_helpers.spec_fit_int): a raise keeps Numba from running the
  // loop in parallel. The variant is then speculative: its written arrays are saved before the run and
  // restored if any iteration flagged, and the original runs (and raises NumPy's OverflowError).
  let inPrange = 0;
  const numeric = {
    inElements: elements.numeric.inElements,
    checked: (text: string, lo: bigint, hi: bigint): string | undefined => {
      if (inPrange === 0 || raising) return undefined;
      used.add(SPEC_CHECKED_INT_HELPER);
      return `${helperName(SPEC_CHECKED_INT_HELPER)}(${text}, ${lo}, ${hi}, ${FAIL_FLAG})`;
    },
  };
  const inParallel = <T>(f: () => T): T => {
    inPrange++;
    try {
      return f();
    } finally {
      inPrange--;
    }
  };
  const printer = new PythonPrinter((e: Expr, print) => {
    const el = elements.print(e, print);
    if (el !== undefined) return el;
    const acc = accumulated.get(e);
    if (acc !== undefined) return acc;
    if (e.kind === 'name' && renames.has(e.id)) return renames.get(e.id);
    const index = checkedIndexCall(e, print, checkedIndices, speculativeIndices, used, printingIndices);
    if (index !== undefined) return index;
    const call = moduleCallText(tf, e, print);
    if (call !== undefined) return call;
    if (native.has(e)) return undefined;
    return speculativeCall(tf, e, print, speculative, used) ?? helperCall(tf, e, print, native, used) ?? allocationCall(tf, e, print);
  }, tf.arrayAug, numeric);
  /**
   * A lowered statement (or a fused group) as loops over its elements, the
   * outermost one prange when no enclosing loop is; the guard has checked that
   * every operand spans the target's extents, inside its array.
   */
  const elementLoops = (given: LoweredSlice, indent: string): string[] => {
    const low = inOrder ? withoutAheadCopies(given) : given;
    const allocations = [...elements.snapshotLines(low, printer, indent), ...elements.allocations(low, indent)];
    if (!low.parallel) return [...allocations, ...elements.serialLoops(low, printer, indent)];
    // prange's counter is unsigned: the element index is a signed copy
    const head = [`${indent}for _polyray_ke0 in ${PRANGE}(${elements.extents(low, printer)[0]}):`, `${indent}    ${element(0)} = ${INT64}(_polyray_ke0)`];
    return [...allocations, ...head, ...inParallel(() => elements.serialLoops(low, printer, `${indent}    `, 1))];
  };
  /** The k loop of the nest whose condition failed (printing its `else:` branch): its range is empty there. */
  let emptyK: Stmt | null = null;
  const override = (s: Stmt, indent: string): string[] | undefined => {
    const nest = nests.get(s);
    if (nest && !printing.has(s)) {
      const print = (e: Expr): string => printer.expr(e);
      printing.add(s);
      try {
        withProducts = true;
        const fast = printer.stmts([s], `${indent}    `, override);
        withProducts = false;
        // The nest as written runs where the condition fails. When that condition is only one invariant k range
        // being non-empty, that range is empty there: its k loop adds nothing, and is left out (its sums
        // would each be a Numba compile of their own: issue 18's first-call line, k2mm 0.3 CPU s).
        const only = nest.length === 1 ? nest[0] : undefined;
        if (only && only.rangeVar === null && only.scatters.length === 0 && only.updates.every((u) => u.terms.every((t) => t.mask === null))) {
          emptyK = only.loop;
        }
        const slow = printer.stmts([s], `${indent}    `, override);
        emptyK = null;
        const printAs = (e: Expr, from: string, to: string): string => {
          renames.set(from, to);
          try {
            return printer.expr(e);
          } finally {
            renames.delete(from);
          }
        };
        const after = nest.flatMap((p) => scatterAfter(p, print, `${indent}    `));
        // BLAS as many threads as Numba has, for the products only (runtime/blas_threads.py)
        // (one BLAS thread each where the planes' products run on Numba's threads: a prange plane loop)
        const inPrange = nest.some((p) => p.plane !== null && productPrange.has(p.plane.span.start));
        const setter = inPrange ? 'blas_threads_one' : 'blas_threads_match';
        used.add(setter);
        used.add('blas_threads_restore');
        for (const h of nest.flatMap(productHelpers)) used.add(h);
        const threads = [`${indent}    _polyray_blas_prev = ${helperName(setter)}()`];
        const restore = [`${indent}    ${helperName('blas_threads_restore')}(_polyray_blas_prev)`];
        const dots = nest.flatMap((p) => productLines(p, print, printAs, `${indent}    `));
        // (products computed per plane inside the nest keep BLAS's threads until it ends)
        const perPlane = nest.some((p) => p.plane !== null);
        const head = [`${indent}if ${productCondition(nest, print)}:`, ...threads, ...dots];
        if (perPlane) return [...head, ...fast, ...restore, ...after, `${indent}else:`, ...slow];
        return [...head, ...restore, ...fast, ...after, `${indent}else:`, ...slow];
      } finally {
        printing.delete(s);
        withProducts = false;
        emptyK = null;
      }
    }
    if (emptyK !== null && s.kind === 'for' && s.span.start === emptyK.span.start) return [`${indent}pass`];
    const product = withProducts && s.kind === 'for' ? products.get(s.span.start) : undefined;
    if (product) return productUpdate(product, (e) => printer.expr(e), indent);
    // a stack's plane loop: each iteration's planes first (codegen/product-loops.ts planeLines)
    const planes = withProducts && s.kind === 'for' ? [...products.values()].filter((p) => p.plane === s) : [];
    if (planes.length > 0 && s.kind === 'for') {
      const lines = (x: Stmt, i: string): string[] | undefined => (x === s ? undefined : override(x, i));
      const parallel = productPrange.has(s.span.start);
      const privates = parallel ? loopPlan.planePrivate?.get(s.span.start) ?? [] : [];
      const header = privates.length > 0 ? privateHeader(s, privates, (e) => printer.expr(e), indent)
        : parallel ? prangeHeader(s, (e) => printer.expr(e), indent) : [printer.stmts([s], indent, lines)[0]];
      for (const a of privates) renames.set(a, privateName(a));
      try {
        const computed = planes.flatMap((p) => planeLines(p, (e) => printer.expr(e), `${indent}    `));
        const body = parallel ? inParallel(() => printer.stmts(s.body, `${indent}    `, override)) : printer.stmts(s.body, `${indent}    `, override);
        return [...header, ...computed, ...body];
      } finally {
        for (const a of privates) renames.delete(a);
      }
    }
    const low = lowered.get(s);
    if (low) return low.fusedInto ? [] : elementLoops(low, indent);
    if (s.kind === 'for' && (withProducts ? productPrange : prangeLoops).has(s.span.start)) {
      // the raising form's loops run in Python's order: a triangular prange loop's balanced order
      // (prangeHeader's folded counter) would raise at another iteration first
      if (raising) return undefined;
      const header = prangeHeader(s, (e) => printer.expr(e), indent);
      return [...header, ...inParallel(() => printer.stmts(s.body, `${indent}    `, override))];
    }
    const block = s.kind === 'for' ? blocked.get(s.span.start) : undefined;
    if (block && s.kind === 'for') {
      return blockedLoopLines(s, block, (e) => printer.expr(e), (inner) => {
        for (const x of block.scalars) renames.set(x.name, accumulatorName(s, x.name));
        try {
          return printer.stmts(s.body, inner, override);
        } finally {
          renames.clear();
        }
      }, (inner) => printer.stmts([s], inner, (x, i) => (x === s ? undefined : override(x, i))), indent);
    }
    const arrays = s.kind === 'for' ? blockedArrays.get(s.span.start) : undefined;
    if (arrays && s.kind === 'for') {
      return blockedArrayLoopLines(s, arrays, (e) => printer.expr(e), (inner) => {
        for (const a of arrays.arrays) renames.set(a.name, partialArrayName(s, a.name));
        try {
          return printer.stmts(s.body, inner, override);
        } finally {
          renames.clear();
        }
      }, (inner) => printer.stmts([s], inner, (x, i) => (x === s ? undefined : override(x, i))), indent);
    }
    if (s.kind === 'for' && accContext) {
      const lines = accumulatedLoop(s, indent);
      if (lines) return lines;
    }
    return augHelperLines(tf, s, indent, printer, used);
  };
  /** An innermost loop with its updated elements in locals (codegen/local-accumulators.ts), or undefined. */
  const accumulatedLoop = (s: ForStmt, indent: string): string[] | undefined => {
    const print = (e: Expr): string => printer.expr(e);
    const parts = rangeParts(s, print);
    if (!parts || !accContext) return undefined;
    const body = s.body.map((stmt) => ({ stmt, print }));
    const accs = localAccumulators(accContext, body, s.target.id, `${s.span.from.line}_${s.span.from.col}`);
    if (accs.length === 0) return undefined;
    for (const a of accs) for (const n of a.nodes) accumulated.set(n, a.name);
    try {
      const printed = printer.stmts([s], `${indent}    `, (x, i) => (x === s ? undefined : override(x, i)));
      const split = splitLoop(s, `${indent}    `, accs, body);
      const loop = simd(printed, `${indent}    `, accs, body, s.target.id) ?? split ?? printed;
      // loaded and stored only when the loop runs: the element is then one it writes
      return [`${indent}if ${parts.count} > 0:`, ...accs.map((a) => `${indent}    ${a.name} = ${a.text}`), ...loop, ...accs.map((a) => `${indent}    ${a.text} = ${a.name}`)];
    } finally {
      for (const a of accs) for (const n of a.nodes) accumulated.delete(n);
    }
  };
  /**
   * The loop as two over the same range, its SIMD sums outlined and the rest as written
   * (local-accumulators.ts splitSums), or undefined where it stays one loop.
   */
  const splitLoop = (s: ForStmt, indent: string, accs: LocalAccumulator[], body: PrintedStmt[]): string[] | undefined => {
    if (!loopPlan.accumulators?.simd || simdSums(tf, body, accs)) return undefined;
    const split = splitSums(tf, body, accs);
    if (!split) return undefined;
    const part = (group: PrintedStmt[]): ForStmt => ({ ...s, body: group.map((b) => b.stmt) });
    const lines = (group: PrintedStmt[], sums: boolean): string[] => {
      const loop = part(group);
      const printed = printer.stmts([loop], indent, (x, i) => (x === loop ? undefined : override(x, i)));
      return sums ? simd(printed, indent, accs, group, s.target.id) ?? printed : printed;
    };
    return [...lines(split.first, split.sums === 'first'), ...lines(split.second, split.sums === 'second')];
  };
  const body = printer.stmts(tf.fn.body, '    ', override);
  const spec = [...used].some((h) => h.startsWith('spec_'));
  const signature = spec ? [params, FAIL_FLAG].filter((x) => x !== '').join(', ') : params;
  return { name, lines: specializeDefault(tf, [`def ${name}(${signature}):`, ...body]), helpers: [...used].sort(), speculative: spec, sums };
}

/**
 * Close mode: a printed accumulation loop whose updates may run as SIMD lanes
 * (simdSums), as a call of its outlined function (added to `sums`); undefined
 * to keep it as printed.
 */
function simdOutliner(tf: TypedFunction, variant: string, sums: CpuVariantCode['sums']) {
  return (loop: string[], indent: string, accs: LocalAccumulator[], body: PrintedStmt[], iterator: string): string[] | undefined => {
    if (!simdSums(tf, body, accs)) return undefined;
    // (not prefixed by the variant's name, which tests and tools search the module for)
    const name = `_polyray_sum${sums.length}${variant.replace(/^_polyray/, '')}`;
    const { def, call } = outlineSum(name, loop, indent, iterator, accs.map((a) => a.name));
    sums.push({ name, lines: def });
    return [call];
  };
}
