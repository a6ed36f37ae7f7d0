// Assembles the generated module: the input's text with each accelerated
// function's definition replaced by its variants, dispatcher and wrapper. Every
// other top-level statement (imports, constants, unaccelerated functions) is
// copied verbatim and stays in its place, so the module keeps the input's
// names, signatures and import side effects.
import type { FunctionDef, Module } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { COMPILER_VERSION } from '../version.js';
import type { GeneratedFunction } from '../stage-types.js';
import type { ParallelPlan } from '../poly/parallel-plan.js';
import type { CpuLoopPlan, CpuVariantCode } from './cpu-variant.js';
import { PRANGE } from './names.js';

/** What the poly stage decided for one function. */
export interface FunctionPlan {
  parallel: ParallelPlan;
  loops: CpuLoopPlan;
  /** The loops the Ray variant splits into blocks (in order), with their write boxes; or why there is no Ray variant. */
  ray: { loop: ForStmt; boxes: Box[] }[] | string;
}
import { emitBoundsGuard, guardName } from './bounds-guard.js';
import { tablePreconditions } from '../poly/table-preconditions.js';
import { copiesAhead, emitCpuVariant, followsOriginalOrder } from './cpu-variant.js';
import { emitGpuVariant, gpuObstacle } from './gpu-variant.js';
import { emitRayVariant } from './ray-variant.js';
import type { Box } from '../poly/footprint.js';
import type { ForStmt } from '../parse/ast.js';
import { emitDispatcher, emitWrapper, resultConverter, type VariantRef } from './dispatcher.js';
import { originalName, RUNTIME_ALIAS, RUNTIME_IMPORT } from './names.js';
import type { Numerics } from '../numerics.js';
import type { Specialization } from '../types/calls.js';
import { UNDOING_HELPERS } from '../types/undo-helpers.js';
import { PRANGE_HELPERS } from '../types/histogram.js';

/** The generated module's global naming its numerics mode. */
export const NUMERICS_GLOBAL = '_polyray_numerics';

export type Target = 'cpu' | 'gpu' | 'ray';

export type { GeneratedFunction } from '../stage-types.js';

export interface GeneratedModule {
  text: string;
  functions: GeneratedFunction[];
}

export function generateModule(
  mod: Module,
  typed: TypedFunction[],
  targets: Target[],
  fileName: string,
  plans: Map<TypedFunction, FunctionPlan> = new Map(),
  numerics: Numerics = 'exact',
): GeneratedModule {
  const src = mod.source;
  // by position: a checked function may be a renamed copy of its definition (parse/rebinding.ts)
  const byFn = new Map(typed.map((t) => [t.fn.span.start, t]));
  const pieces: string[] = [];
  const functions: GeneratedFunction[] = [];
  let cursor = 0;
  let importPlaced = false;
  // the specializations of called functions, defined before any dispatcher names them (types/calls.ts)
  const callees = new Map<string, { spec: Specialization; lines: string[]; helpers: string[] }>();
  if (targets.includes('cpu')) {
    for (const tf of typed) if (tf.accelerated) for (const spec of reachableSpecs(tf)) callees.set(spec.pyName, { spec, ...calleeFunction(spec) });
  }
  const placeImport = (): void => {
    if (!importPlaced) {
      pieces.push(`${RUNTIME_IMPORT}\n${numericsLine(numerics)}\n\n`);
      for (const c of callees.values()) pieces.push(`${c.lines.join('\n')}\n\n\n`);
    }
    importPlaced = true;
  };
  for (const top of mod.body) {
    if (top.kind !== 'function') continue;
    const tf = byFn.get(top.span.start)!;
    pieces.push(src.slice(cursor, top.span.start));
    cursor = top.span.end;
    placeImport();
    if (!tf.accelerated) {
      pieces.push(src.slice(top.span.start, top.span.end));
      functions.push({ name: top.name, variants: ['original'] });
      continue;
    }
    const variants: VariantRef[] = [];
    const blocks: string[][] = [renamedOriginal(src, top)];
    let guard: string | null = null;
    if (targets.includes('cpu')) {
      const fp = plans.get(tf);
      const cpu = emitCpuVariant(tf, fp?.loops);
      // (a helper with its own prange loop makes the variant parallel too: types/histogram.ts PRANGE_HELPERS)
      const parallel = cpu.lines.some((l) => l.includes(`${PRANGE}(`)) || cpu.helpers.some((h) => PRANGE_HELPERS.has(h));
      const reordered = fp?.loops.kind === 'rescheduled';
      // Wherever isl checked every access (always so for prange, rescheduled and
      // lowered code, which the plan offers only then), the variant runs behind
      // the guard: parallel or reordered code could not reproduce Python's partial
      // writes before an IndexError, lowered slices need its shape conditions, and
      // sequential code is spared Numba's per-access checks (25% of adi's time).
      const guarded = fp !== undefined && (fp.parallel.boundsChecked || fp.parallel.required !== undefined);
      // a NumPy table row's size conditions hold the variant even where the polyhedral stage did not run
      const tableGuard = fp === undefined ? tablePreconditions(tf) : [];
      const guardLines = guarded ? emitBoundsGuard(top, fp.parallel)
        : tableGuard.length > 0 ? emitBoundsGuard(top, { outOfBounds: null, shapeParams: [], preconditions: tableGuard }) : null;
      if (guardLines) {
        blocks.push(guardLines);
        guard = guardName(top.name);
      }
      // close mode's SIMD sums (codegen/local-accumulators.ts), defined before the variant that calls them
      const sums = [...cpu.sums];
      for (const sum of cpu.sums) blocks.push(sum.lines);
      blocks.push(cpu.lines);
      // A rescheduled nest's serial form: reorderedSerialForm.
      // A speculative variant's serial form in the original order is the same code with
      // raising helpers (emitCpuVariant's `raising`): one thread runs it in Python's order,
      // so it raises as Python does, writes before the raise included, and needs neither
      // the flag nor the copies of the written arrays (issue 18).
      let serialForm = '';
      let serialHelpers: string[] = [];
      const seqName = `_polyray_seq_${top.name}`;
      const seq = reordered && parallel && fp ? reorderedSerialForm(tf, fp, seqName)
        : cpu.speculative && parallel && fp ? raisingSerialForm(tf, fp, seqName)
        : parallel && fp ? inOrderSerialForm(fp, tf, seqName) : undefined;
      if (seq) {
        for (const sum of seq.sums) {
          sums.push(sum);
          blocks.push(sum.lines);
        }
        blocks.push(seq.lines);
        // A serial form that flags (a locality order's) takes the flag as the parallel form does; one that
        // raises takes none: without prange its calls raise as Python's do, in Python's order.
        serialForm = `, serial=${seq.name}${cpu.speculative && !seq.speculative ? ', serial_raises=True' : ''}`;
        serialHelpers = seq.helpers;
      }
      // the runtime injects the helpers of both forms, and of the functions they call
      const called = reachableSpecs(tf).map((spec) => callees.get(spec.pyName)!);
      const used = [...new Set([...cpu.helpers, ...serialHelpers, ...called.flatMap((c) => c.helpers)])].sort();
      const helpers = used.length ? `(${used.map((h) => JSON.stringify(h)).join(', ')},)` : '()';
      // Behind isl's bounds guard Python's IndexError/wrap-around cannot happen: no boundscheck needed.
      let options = `parallel=${parallel ? 'True' : 'False'}${guarded ? ', boundscheck=False' : ''}`;
      // positions of the arrays the function writes: saved before a speculative run, restored if it flags;
      // saved too where a helper may leave the call to the original (types/undo-helpers.ts)
      const written = tf.params.map((p, k) => (p.kind === 'array' && p.written ? k : -1)).filter((k) => k >= 0);
      const positions = `(${written.join(', ')}${written.length === 1 ? ',' : ''})`;
      if (cpu.speculative) options += `, rollback=${positions}`;
      // (a speculative variant's undo= serves its raising serial form: the parallel form's rollback covers its own)
      if (used.some((h) => UNDOING_HELPERS.has(h))) options += `, undo=${positions}`;
      const bound = [...called.map((c) => `${JSON.stringify(c.spec.callName)}: ${c.spec.pyName}`), ...sums.map((f) => `${JSON.stringify(f.name)}: ${f.name}`)];
      if (bound.length) options += `, callees={${bound.join(', ')}}`;
      if (sums.length) options += `, fastmath=(${sums.map((f) => JSON.stringify(f.name)).join(', ')},)`;
      variants.push({ target: 'cpu', constructor: `${RUNTIME_ALIAS}.CpuVariant(${cpu.name}, helpers=${helpers}, ${options}${serialForm})` });
    }
    const fpl = plans.get(tf);
    // GPU kernels follow the original order's parallel loops, also when the CPU variant reorders inside them
    const followsOriginal = fpl !== undefined && followsOriginalOrder(fpl.loops);
    if (targets.includes('gpu') && fpl && followsOriginal && !gpuObstacle(tf, fpl.parallel)) {
      const gpu = emitGpuVariant(tf, fpl.parallel);
      blocks.push(gpu.lines);
      const names = (xs: string[]): string => `(${xs.map((x) => JSON.stringify(x)).join(', ')}${xs.length === 1 ? ',' : ''})`;
      variants.push({
        target: 'gpu',
        constructor: `${RUNTIME_ALIAS}.GpuVariant(${gpu.host}, kernels=${names(gpu.kernels)}, arrays=${names(gpu.arrays)}, written=${names(gpu.written)}${gpu.speculative.length ? `, speculative=${names(gpu.speculative)}` : ''}${gpu.deviceHelpers.length ? `, device_helpers=${names(gpu.deviceHelpers)}` : ''})`,
      });
    }
    if (targets.includes('ray') && fpl && typeof fpl.ray !== 'string') {
      const ray = emitRayVariant(tf, fpl.ray, fpl.parallel.shapeParams);
      blocks.push(ray.lines);
      variants.push({ target: 'ray', constructor: ray.constructor });
    }
    if (variants.length > 0 && !guard && fpl && (variants.some((v) => v.target !== 'cpu'))) {
      // GPU and Ray variants run without bounds checks: they need the guard too.
      const guardLines = emitBoundsGuard(top, fpl.parallel);
      if (guardLines) {
        blocks.splice(1, 0, guardLines);
        guard = guardName(top.name);
      }
    }
    blocks.push(emitDispatcher(top, tf.params, variants, tf.returns, guard, tf.constants, resultConverter(tf.returnScalars, tf.returnScalar)));
    blocks.push(emitWrapper(top, tf.params, src));
    pieces.push(blocks.map((b) => b.join('\n')).join('\n\n\n'));
    functions.push({ name: top.name, variants: ['original', ...variants.map((v) => v.target)] });
  }
  pieces.push(src.slice(cursor));
  if (!importPlaced) pieces.push(`\n${RUNTIME_IMPORT}\n${numericsLine(numerics)}\n`);
  return { text: header(src, fileName) + pieces.join(''), functions };
}

/** Every specialization a function calls, directly or through others, each once, callees first. */
/**
 * A rescheduled nest's serial form is the original order without prange: the
 * skewed or tiled order only pays when it runs in parallel (floyd-warshall).
 * A locality order's serial form is that order without prange, a strip-mined
 * loop moved innermost whole (Rescheduled.serial): one thread runs only the
 * serial form, and doitgen's original order strides down a column (2.7x slower).
 */
function reorderedSerialForm(tf: TypedFunction, fp: FunctionPlan, name: string): CpuVariantCode {
  const loops = fp.loops;
  const order = loops.kind === 'rescheduled' ? loops.rescheduled.serial : undefined;
  return loops.kind === 'rescheduled' && order !== undefined
    ? emitCpuVariant(tf, { ...loops, rescheduled: { ...(order === 'same' ? loops.rescheduled : order), parallelDims: new Set() } }, name)
    : emitCpuVariant(tf, { kind: 'original', prangeLoops: new Set(), accumulators: fp.loops.accumulators, checkedIndices: fp.parallel.checkedIndices }, name);
}

/**
 * A speculative variant's serial form in the original order, its calls raising (emitCpuVariant's
 * `raising`), where every statement that may raise runs in Python's order: not where a product
 * nest moves a scatter's additions after the nest (poly/product-parallel.ts), which would be
 * missing before a raise inside it. Undefined: the serial form is the parallel form's code, flagging.
 */
function raisingSerialForm(tf: TypedFunction, fp: FunctionPlan, name: string): CpuVariantCode | undefined {
  const loops = fp.loops;
  if (loops.kind !== 'original' || (loops.products?.size ?? 0) > 0) return undefined;
  return emitCpuVariant(tf, loops, name, true);
}

/**
 * A parallel variant's serial form where its element loops read ahead of their writes from copies that only
 * the parallel order needs (cpu-variant.ts withoutAheadCopies): the same code without them. Undefined: the
 * serial form is the parallel form's code.
 */
function inOrderSerialForm(fp: FunctionPlan, tf: TypedFunction, name: string): CpuVariantCode | undefined {
  const loops = fp.loops;
  if (loops.kind !== 'original' || !copiesAhead(loops)) return undefined;
  return emitCpuVariant(tf, loops, name, false, true);
}

export function reachableSpecs(tf: TypedFunction): Specialization[] {
  const out = new Map<string, Specialization>();
  const visit = (t: TypedFunction): void => {
    for (const site of t.calls.values()) {
      if (out.has(site.spec.pyName)) continue;
      visit(site.spec.tf);
      out.set(site.spec.pyName, site.spec);
    }
  };
  visit(tf);
  return [...out.values()];
}

/**
 * A specialization as the plain Numba function its callers call: its own body
 * in the original order, sequential, with its CPython-semantics helpers; the
 * runtime compiles it with Numba's bounds checks (nothing guards its indices).
 */
function calleeFunction(spec: Specialization): { lines: string[]; helpers: string[] } {
  const cpu = emitCpuVariant(spec.tf);
  return { lines: [cpu.lines[0].replace(cpu.name, spec.pyName), ...cpu.lines.slice(1)], helpers: cpu.helpers };
}

/** The original definition, verbatim but for its name. */
function renamedOriginal(src: string, fn: FunctionDef): string[] {
  const text = src.slice(fn.span.start, fn.nameSpan.start) + originalName(fn.name) + src.slice(fn.nameSpan.end, fn.span.end);
  return text.split('\n');
}

/**
 * The mode the module was compiled for (numerics.ts), as a global beside the
 * runtime import: the cache and the runtime read it, people see it.
 */
function numericsLine(numerics: Numerics): string {
  return `${NUMERICS_GLOBAL} = ${JSON.stringify(numerics)}`;
}

/** A header comment, after a shebang or coding line if the input starts with one. */
function header(src: string, fileName: string): string {
  const note = `# Generated by Polyray ${COMPILER_VERSION} from ${fileName.split(/[\\/]/).pop()}. Do not edit: recompile instead.\n`;
  return /^(#!|#.*coding[:=])/.test(src) ? '' : note;
}
