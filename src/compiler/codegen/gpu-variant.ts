// The GPU variant (numba-cuda): each prange loop of the CPU plan becomes a
// kernel with one thread per iteration, over a 2-d or 3-d grid when
// parallel loops are perfectly nested in it (gridNest); the code around those loops stays on
// the host as plain Python (scalar work, sequential outer loops such as time
// steps), launching the kernels. A lowered NumPy statement outside prange
// loops is a kernel over its implicit loops (element-loops.ts); a product
// `D = A @ B` runs on the device through the library (deviceProducts). Only functions whose arrays are touched
// inside parallel loops alone get one: host code that indexed a device array
// would copy an element per access. The runtime's GpuVariant copies NumPy
// arguments to the device once per call and back afterwards.
import { COMPLEX_HELPERS } from '../types/complex-ops.js';
import { CHECKED_EXTREMA_HELPERS } from '../types/reductions.js';
import { LEFT_TO_ORIGINAL_HELPERS } from '../types/undo-helpers.js';
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction } from '../types/numpy-table.js';
import { rangeParts } from './loop-range.js';
import { PythonPrinter } from './python-printer.js';
import { element, ElementScope } from './element-loops.js';
import { DEVICE_DOT, helperName } from './names.js';
import { COMPLEX_ON_DEVICE, kernelCall, kernelCallObstacle } from './gpu-forms.js';
import { deviceLocalArrays, deviceLocalLines } from './gpu-local-arrays.js';
import { allocationLines, deviceAllocations, fillKernel } from './gpu-allocations.js';
import { FAIL_FLAG } from './cpu-variant.js';
import type { ParallelPlan } from '../poly/parallel-plan.js';
import type { LoweredSlice } from '../poly/lower-slices.js';

export interface GpuVariantCode {
  host: string;
  kernels: string[];
  lines: string[];
  arrays: string[];
  written: string[];
  /** Flagging math helpers the kernels call (the host takes the flag array last): a speculative variant. */
  speculative: string[];
  /** NumPy's exact complex operations the kernels call through their device forms (COMPLEX_ON_DEVICE). */
  deviceHelpers: string[];
}

/** Math helpers with a flagging device form (runtime/gpu.py, DEVICE_SPECULATIVE). */
export const SPECULABLE_ON_DEVICE: ReadonlySet<string> = new Set(['sqrt', 'log', 'log10', 'log2', 'acos', 'asin', 'exp', 'mathpow']);

const deviceHelperName = (helper: string): string => `_polyray_hd_${helper}`;

/** The expressions that run inside kernels: prange loops' bodies and lowered statements that are kernels. */
function kernelExprs(tf: TypedFunction, onDevice: (s: Stmt) => boolean): Set<Expr> {
  const inside = new Set<Expr>();
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (onDevice(s)) {
        walkStmts(s.kind === 'for' ? s.body : [s], (x) => stmtExprs(x).forEach((root) => walkExpr(root, (e) => inside.add(e))));
        // a prange loop's own range runs on the host
      } else if (s.kind === 'for' || s.kind === 'while') visit(s.body);
      else if (s.kind === 'if') {
        visit(s.body);
        visit(s.orelse);
      }
    }
  };
  visit(tf.fn.body);
  return inside;
}

/** What the GPU variant takes from the CPU variant's plan (poly/parallel-plan.ts). */
export type GpuPlan = Pick<ParallelPlan, 'prangeLoops' | 'provenParallel' | 'speculative' | 'lowered' | 'temporaries'> & Partial<Pick<ParallelPlan, 'checkedIndices'>>;

/**
 * `D = A @ B` (np.dot, np.matmul; transposes too) at the top level, whose
 * shape the guard checks: computed on the device by the library (cuBLAS
 * through CuPy where it is installed), D staying there for the kernels.
 */
export function deviceProducts(tf: TypedFunction, temporaries: ReadonlySet<string>): Map<Stmt, { name: string; left: Expr; right: Expr }> {
  const out = new Map<Stmt, { name: string; left: Expr; right: Expr }>();
  for (const s of tf.fn.body) {
    if (s.kind !== 'assign' || s.target.kind !== 'name' || !temporaries.has(s.target.id)) continue;
    const v = s.value;
    const numpyCall = v.kind === 'call' && v.func.kind === 'attribute' && v.func.value.kind === 'name' && tf.types.get(v.func.value)?.kind === 'module'
      && numpyFunction(v.func.attr)?.gpu === 'device-matmul' && v.args.length === 2 && v.keywords.length === 0;
    const operands = v.kind === 'binary' && v.op === '@' ? [v.left, v.right] : numpyCall && v.kind === 'call' ? v.args : null;
    const plain = (e: Expr): boolean => e.kind === 'name' || (e.kind === 'attribute' && e.attr === 'T' && e.value.kind === 'name');
    if (operands && operands.every(plain)) out.set(s, { name: s.target.id, left: operands[0], right: operands[1] });
  }
  return out;
}

export function gpuObstacle(tf: TypedFunction, plan: GpuPlan): string | null {
  const { prangeLoops, speculative, lowered } = plan;
  // close mode's elementwise math is measured against the C library only: CUDA's
  // math functions have other (documented, unverified here) ULP bounds
  // (products are the exception: cuBLAS or the host's BLAS, within the same bound)
  const cpuOnly = tf.closeNotes.find((n) => !n.gpu);
  if (cpuOnly) return `${cpuOnly.operation} (close mode) is verified on the CPU only`;
  // a called function would need a CUDA device function of its own (types/calls.ts): not generated
  const call = tf.calls.values().next().value;
  if (call) return `it calls '${call.spec.callee}', for which no CUDA device function is generated`;
  const products = deviceProducts(tf, plan.temporaries);
  const onDevice = new Set([...products.values()].map((p) => p.name));
  const implicitKernels = [...lowered.values()].filter((l) => l.parallel && !l.fusedInto);
  // (its copies of the target, taken before the loops, are made on the host only)
  const copying = [...lowered.values()].find((l) => l.snapshots);
  if (copying) return `line ${copying.stmt.span.from.line}: a NumPy statement that reads its target elsewhere copies those parts first, on the host only`;
  if (prangeLoops.size === 0 && implicitKernels.length === 0) return 'no loop runs in parallel';
  // (the CPU variant checks them: runtime/index_checks.py; no kernel prints them)
  const index = plan.checkedIndices?.keys().next().value;
  if (index) return `line ${index.span.from.line}: an index read from data is checked as the CPU variant runs, which no kernel does`;
  // A kernel cannot raise: a math call that may raise flags instead (speculativeCalls), and
  // the runtime then discards the device copies and runs the original, which raises.
  if (speculative.size > 0 && [...speculative].some((e) => !SPECULABLE_ON_DEVICE.has(tf.helpers.get(e)?.helper ?? ''))) {
    return 'a math call inside a parallel loop may raise, and its flagging form has no device version';
  }
  // a NumPy or math call inside a kernel needs a GPU form in the NumPy table (gpu-forms.ts)
  // private arrays of a literal shape are a thread's own (gpu-local-arrays.ts): their allocations print as local arrays
  const locals = deviceLocalArrays(tf, prangeLoops, (s) => lowered.has(s));
  const allocations = new Set<Expr>([...locals.keys()].flatMap((s) => (s.kind === 'assign' ? [s.value] : [])));
  for (const l of locals.values()) onDevice.add(l.name);
  // arrays allocated by the host code (np.zeros_like(x), x.copy(), ...): made and filled on the device (gpu-allocations.ts)
  const madeOnDevice = deviceAllocations(tf, prangeLoops, (s) => lowered.has(s));
  const made = new Set([...madeOnDevice.values()].map((a) => a.name));
  for (const name of made) onDevice.add(name);
  const deviceCall = kernelCallObstacle(tf, (s) => (s.kind === 'for' && prangeLoops.has(s.span.start) ? 'loop'
    : lowered.get(s)?.parallel || lowered.get(s)?.fusedInto ? 'kernel' : null), allocations);
  if (deviceCall) return deviceCall;
  // a prange body may hold array operations Numba runs as calls (a row view sorted or copied,
  // an array allocated per iteration: parallel-plan.ts numbaObstacle); a kernel computes scalars
  let arrayOp: string | null = null;
  walkStmts(tf.fn.body, (s) => {
    if (s.kind !== 'for' || !prangeLoops.has(s.span.start)) return;
    walkStmts(s.body, (b) => {
      if (lowered.has(b)) return;
      for (const e of stmtExprs(b)) walkExpr(e, (x) => {
        if (x.kind !== 'name' && tf.types.get(x)?.kind === 'array' && !allocations.has(x)) arrayOp ??= `line ${x.span.from.line}: an array operation inside a parallel loop (a view, a copy, a sort or an allocation per iteration) has no device form`;
      });
    });
  });
  if (arrayOp) return arrayOp;
  for (const h of tf.helpers.values()) if (h.helper.startsWith('pairwise_')) return "a float sum or mean in NumPy's pairwise order has no device form";
  for (const h of tf.helpers.values()) if (h.helper === 'axis_max' || h.helper === 'axis_min') return 'np.max/np.min along axes (runtime/axis_extrema.py) have no device form';
  for (const h of tf.helpers.values()) if (CHECKED_EXTREMA_HELPERS.has(h.helper)) return "exact mode's float np.max/np.min (runtime/axis_extrema.py checked_*) have no device form";
  if (tf.checkedInts) return 'a computed Python int range-checked as NumPy 2 does (runtime/int_helpers.py fit_int) has no device form';
  for (const h of tf.helpers.values()) if (LEFT_TO_ORIGINAL_HELPERS.has(h.helper)) return `int() or .astype() of floats to integers (runtime/int_helpers.py ${h.helper}) has no device form`;
  // NumPy's exact complex operations run on the device inside kernels only (their device forms take scalars)
  const inKernels = kernelExprs(tf, (s) => (s.kind === 'for' && prangeLoops.has(s.span.start)) || !!lowered.get(s)?.parallel || !!lowered.get(s)?.fusedInto);
  for (const [e, h] of tf.helpers) {
    if (COMPLEX_ON_DEVICE.has(h.helper) && !inKernels.has(e)) return `NumPy's complex operation at line ${e.span.from.line} would run on the host, where its helper works on arrays`;
  }
  if ([...tf.augHelpers.values()].some((h) => COMPLEX_HELPERS.includes(h.helper) || h.helper === 'cdiv')) return 'an in-place complex update (`z *= w`) has no device form';
  // NumPy's complex products fuse or not by its CPU's loops; CUDA contracts by its own rules (unmeasured)
  const hostComplex = [...tf.helpers.values()].find((h) => COMPLEX_HELPERS.includes(h.helper) && !COMPLEX_ON_DEVICE.has(h.helper));
  if (hostComplex) return `NumPy's complex ${hostComplex.helper === 'cexp' ? 'exp' : 'power'} (runtime/complex_helpers.py ${hostComplex.helper}) has no device form: CUDA's exp, sin, cos and log are libdevice's, with other last bits`;
  if ([...tf.helpers.values()].some((h) => /^((np|rf)_i?r?fft[2n]?|fftfreq)$/.test(h.helper))) return 'np.fft has no device form (runtime/fft_helpers.py: NumPy through objmode or rocket-fft, on the host)';
  if (tf.helpers.size > 0 && [...tf.helpers.values()].some((h) => h.helper === 'ipow')) return 'a guarded power of Python ints (numba_helpers.ipow) has no device form';
  if ([...tf.helpers.values(), ...tf.augHelpers.values()].some((h) => h.helper === 'np_rshift' || h.helper === 'np_lshift')) return "NumPy's shift by a count outside 0 .. bits - 1 (runtime/int_helpers.py np_rshift/np_lshift) has no device form";
  if (tf.paramRotations) return 'array parameters move between names (`A, B = B, A`: types/param-rotations.ts), which the device copies of each parameter do not follow';
  const indexing = new Set(['mask_get', 'mask_rows', 'take', 'mask_set', 'put', 'take_nd', 'put_nd']);
  if ([...tf.helpers.values(), ...tf.augHelpers.values()].some((h) => indexing.has(h.helper))) return 'a boolean mask or an index array (x[mask], x[idx]) has no device form';
  // (close mode's reductions have a note without `gpu` and stop above: CUDA's would need their own bound)
  const arrays = new Set(tf.params.filter((p) => p.kind === 'array').map((p) => p.name));
  // temporaries of lowered statements are made on the device (or never, contracted to scalars)
  for (const l of lowered.values()) if (l.defines) onDevice.add(l.defines.array);
  for (const [name, t] of tf.locals) if (t.kind === 'array' && !onDevice.has(name)) return `the local array '${name}' would live on the host`;
  let obstacle: string | null = null;
  // the host passes a device allocation to kernels, reads its shape, or returns it (the runtime copies it back)
  for (const name of made) arrays.add(name);
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (madeOnDevice.has(s) || (s.kind === 'return' && s.value?.kind === 'name' && made.has(s.value.id))) continue;
      // A prange loop's body is scalar code: the plan gives no function with
      // NumPy operators on arrays a prange loop (parallel-plan.ts, numbaObstacle).
      if (s.kind === 'for' && prangeLoops.has(s.span.start)) continue;
      // a lowered statement outside prange loops is a kernel of its own (with the statements fused into it)
      const low = lowered.get(s);
      if ((low && (low.parallel || low.fusedInto)) || products.has(s)) continue;
      for (const e of stmtExprs(s)) {
        // its shape is host metadata (`n = A.shape[0]`, `len(A)`): no element crosses
        const shapeOnly = new Set<Expr>();
        walkExpr(e, (x) => {
          if (x.kind === 'attribute' && x.attr === 'shape') shapeOnly.add(x.value);
          if (x.kind === 'call' && x.func.kind === 'name' && x.func.id === 'len' && x.args.length === 1) shapeOnly.add(x.args[0]);
        });
        walkExpr(e, (x) => {
          if (x.kind === 'name' && arrays.has(x.id) && !shapeOnly.has(x)) obstacle ??= `line ${x.span.from.line} uses the array '${x.id}' outside a parallel loop`;
        });
      }
      if (s.kind === 'for' || s.kind === 'while') visit(s.body);
      if (s.kind === 'if') {
        visit(s.body);
        visit(s.orelse);
      }
    }
  };
  visit(tf.fn.body);
  return obstacle;
}


/**
 * The loops a kernel's grid covers: the prange loop and, up to three in all,
 * the loops perfectly nested in it that carry no dependence either (then no
 * two points of the band depend on each other) and whose ranges do not
 * depend on the loops outside them (the host computes every count before
 * the launch).
 */
export function gridNest(loop: ForStmt, provenParallel: ReadonlySet<number>): ForStmt[] {
  const nest = [loop];
  for (;;) {
    const last = nest[nest.length - 1];
    const inner = last.body.length === 1 ? last.body[0] : null;
    if (nest.length === 3 || !inner || inner.kind !== 'for' || !provenParallel.has(inner.span.start) || !rangeParts(inner, () => '')) break;
    const outer = new Set(nest.map((l) => l.target.id));
    let dependent = false;
    for (const e of stmtExprs(inner)) walkExpr(e, (x) => { if (x.kind === 'name' && outer.has(x.id)) dependent = true; });
    if (dependent) break;
    nest.push(inner);
  }
  return nest;
}

export function emitGpuVariant(tf: TypedFunction, plan: GpuPlan): GpuVariantCode {
  const { prangeLoops, provenParallel, lowered } = plan;
  const products = deviceProducts(tf, plan.temporaries);
  const fn = tf.fn.name;
  const host = `_polyray_gpu_${fn}`;
  const params = tf.fn.params.map((p) => p.name);
  const elements = new ElementScope();
  // a math call that may raise flags in `_polyray_fail` instead (the runtime runs the original then)
  const flagging = new Set<string>();
  const speculativeCall = (e: Expr, print: (e: Expr) => string): string | undefined => {
    const h = tf.helpers.get(e);
    if (!h || !plan.speculative.has(e) || e.kind !== 'call') return undefined;
    flagging.add(h.helper);
    return `${helperName(`spec_${h.helper}`)}(${[...e.args.map(print), FAIL_FLAG].join(', ')})`;
  };
  // NumPy's exact complex operations through their device forms (COMPLEX_ON_DEVICE; gpuObstacle kept them inside kernels)
  const deviceHelpers = new Set<string>();
  const deviceComplexCall = (e: Expr, print: (e: Expr) => string): string | undefined => {
    const h = tf.helpers.get(e);
    if (!h || !COMPLEX_ON_DEVICE.has(h.helper)) return undefined;
    const args = e.kind === 'binary' ? [e.left, e.right] : e.kind === 'call' ? e.args : null;
    if (!args) return undefined;
    deviceHelpers.add(h.helper);
    return `${deviceHelperName(h.helper)}(${args.map(print).join(', ')})`;
  };
  const printer = new PythonPrinter((e, print) => elements.print(e, print) ?? speculativeCall(e, print) ?? deviceComplexCall(e, print) ?? kernelCall(tf, e, print, deviceHelpers), tf.arrayAug, elements.numeric);
  const kernels: string[] = [];
  const kernelLines: string[][] = [];
  // a private array of a literal shape: the thread's own local array (gpu-local-arrays.ts)
  const locals = deviceLocalArrays(tf, prangeLoops, (s) => lowered.has(s));
  // inside a thread, a lowered statement runs as plain loops over its elements
  const inThread = (s: Stmt, indent: string): string[] | undefined => {
    const local = locals.get(s);
    if (local) return deviceLocalLines(local, (e) => printer.expr(e), '_polyray_cuda', '_polyray_np', indent);
    const low = lowered.get(s);
    return low ? (low.fusedInto ? [] : elements.serialLoops(low, printer, indent)) : undefined;
  };
  // local arrays the host allocates: made on the device, filled by a kernel of their own (gpu-allocations.ts)
  const madeOnDevice = deviceAllocations(tf, prangeLoops, (s) => lowered.has(s));
  const override = (s: Stmt, indent: string): string[] | undefined => {
    const made = madeOnDevice.get(s);
    if (made) {
      const name = `_polyray_gpuk_${fn}_${kernels.length}`;
      const fill = fillKernel(made, name);
      if (fill) {
        kernels.push(name);
        kernelLines.push(fill);
      }
      return allocationLines(made, fill ? name : null, (e) => printer.expr(e), indent);
    }
    const product = products.get(s);
    if (product) {
      // operand, transposed? (a transposed device array is a strided view: the runtime transposes where it can)
      const operand = (e: Expr): string => (e.kind === 'attribute' ? `${printer.expr(e.value)}, True` : `${printer.expr(e)}, False`);
      return [`${indent}${product.name} = ${DEVICE_DOT}(${operand(product.left)}, ${operand(product.right)})`];
    }
    const low = lowered.get(s);
    if (low?.fusedInto) return [];
    if (low?.parallel) return implicitKernel(low, indent);
    if (s.kind !== 'for' || !prangeLoops.has(s.span.start)) return undefined;
    const name = `_polyray_gpuk_${fn}_${kernels.length}`;
    kernels.push(name);
    const free = freeNames([s], params, tf);
    const nest = gridNest(s, provenParallel);
    const passed = `${[...params, ...free].join(', ')}${params.length + free.length === 1 ? ',' : ''}`;
    if (nest.length === 1) {
      const parts = rangeParts(s, (e) => printer.expr(e))!;
      const args = ['_polyray_lo', '_polyray_count', '_polyray_step', ...params, ...free];
      kernelLines.push([
        `def ${name}(${args.join(', ')}):`,
        `    _polyray_t = _polyray_cuda.grid(1)`,
        `    if _polyray_t < _polyray_count:`,
        `        ${s.target.id} = _polyray_lo + _polyray_step * _polyray_t`,
        ...printer.stmts(s.body, '        ', inThread),
      ]);
      return [
        `${indent}_polyray_lo = ${parts.lo}`,
        `${indent}_polyray_count = ${parts.count}`,
        `${indent}_polyray_launch(${name}, _polyray_count, (_polyray_lo, _polyray_count, ${parts.step}, ${passed}))`,
      ];
    }
    // A grid of nest.length dimensions: x (the fastest-varying, so a warp's
    // threads touch neighbouring elements) is the innermost loop.
    const parts = nest.map((l) => rangeParts(l, (e) => printer.expr(e))!);
    const k = nest.map((_, d) => d);
    const perLoop = k.flatMap((d) => [`_polyray_lo${d}`, `_polyray_count${d}`, `_polyray_step${d}`]);
    const reversed = (f: (d: number) => string): string => [...k].reverse().map(f).join(', ');
    kernelLines.push([
      `def ${name}(${[...perLoop, ...params, ...free].join(', ')}):`,
      `    ${reversed((d) => `_polyray_t${d}`)} = _polyray_cuda.grid(${nest.length})`,
      `    if ${k.map((d) => `_polyray_t${d} < _polyray_count${d}`).join(' and ')}:`,
      ...nest.map((l, d) => `        ${l.target.id} = _polyray_lo${d} + _polyray_step${d} * _polyray_t${d}`),
      ...printer.stmts(nest[nest.length - 1].body, '        ', inThread),
    ]);
    return [
      ...k.flatMap((d) => [`${indent}_polyray_lo${d} = ${parts[d].lo}`, `${indent}_polyray_count${d} = ${parts[d].count}`]),
      `${indent}_polyray_launch(${name}, (${reversed((d) => `_polyray_count${d}`)}), (${k.map((d) => `_polyray_lo${d}, _polyray_count${d}, ${parts[d].step}`).join(', ')}, ${passed}))`,
    ];
  };
  /**
   * A lowered statement outside prange loops (with the statements fused into
   * it): a kernel whose grid covers its first three implicit loops, one thread
   * per element; further implicit loops run inside the thread.
   */
  const implicitKernel = (low: LoweredSlice, indent: string): string[] => {
    const name = `_polyray_gpuk_${fn}_${kernels.length}`;
    kernels.push(name);
    const members = (low.fused ?? [low]).map((m) => m.stmt);
    // the temporaries the group makes on the device are the kernel's to fill
    const free = [...freeNames(members, params, tf), ...elements.madeArrays(low).map((d) => d.array)];
    const extents = elements.extents(low, printer);
    const k = extents.slice(0, 3).map((_, d) => d);
    const counts = k.map((d) => `_polyray_count${d}`);
    kernelLines.push([
      `def ${name}(${[...counts, ...params, ...free].join(', ')}):`,
      `    ${[...k].reverse().map((d) => `_polyray_t${d}`).join(', ')} = _polyray_cuda.grid(${k.length})`,
      `    if ${k.map((d) => `_polyray_t${d} < _polyray_count${d}`).join(' and ')}:`,
      ...k.map((d) => `        ${element(d)} = _polyray_t${d}`),
      ...elements.serialLoops(low, printer, '        ', k.length),
    ]);
    const grid = k.length === 1 ? counts[0] : `(${[...counts].reverse().join(', ')})`;
    return [
      // temporaries the group does not contract: allocated on the device, filled by the kernel
      ...elements.allocations(low, indent, '_polyray_cuda.device_array'),
      ...k.map((d) => `${indent}_polyray_count${d} = ${extents[d]}`),
      `${indent}_polyray_launch(${name}, ${grid}, (${[...counts, ...params, ...free].join(', ')}${counts.length + params.length + free.length === 1 ? ',' : ''}))`,
    ];
  };
  const body = printer.stmts(tf.fn.body, '    ', override);
  // the flag array: the host's last parameter, every kernel's last argument
  const flag = flagging.size > 0;
  const withFlag = (line: string): string => (!flag ? line
    : line.startsWith('def ') ? line.replace(/\):$/, `, ${FAIL_FLAG}):`)
      : line.replace(/^(\s*_polyray_launch\(.*, \()(.*)\)\)$/, (_, head: string, args: string) => `${head}${args.replace(/,$/, '')}, ${FAIL_FLAG}))`));
  const lines = [...kernelLines.flatMap((k) => [withFlag(k[0]), ...k.slice(1), '', '']), withFlag(`def ${host}(${params.join(', ')}):`), ...body.map(withFlag)];
  const arrays = tf.params.filter((p) => p.kind === 'array');
  return { host, kernels, lines, arrays: arrays.map((p) => p.name), written: arrays.filter((p) => p.written).map((p) => p.name), speculative: [...flagging].sort(), deviceHelpers: [...deviceHelpers].sort() };
}

/** Host locals (and enclosing loop variables) the kernel's statements read: they become kernel arguments. */
function freeNames(stmts: Stmt[], params: string[], tf: TypedFunction): string[] {
  const assigned = new Set<string>();
  walkStmts(stmts, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') assigned.add(s.target.id);
    if (s.kind === 'for') assigned.add(s.target.id);
  });
  const read = new Set<string>();
  walkStmts(stmts, (s) => {
    // a loop's own range is read on the host (the launch's counts), its body in the kernel
    if (s.kind === 'for' && stmts.includes(s)) return;
    for (const e of stmtExprs(s)) walkExpr(e, (x) => x.kind === 'name' && read.add(x.id));
  });
  // Imports (np, math) and builtins stay globals; only the function's own locals are passed.
  return [...read].filter((n) => !assigned.has(n) && !params.includes(n) && tf.locals.has(n)).sort();
}
