// The GPU form of a local array allocated outside the kernels (`t =
// np.zeros_like(x)`, `w = np.full((n, m), v)`, `c = x.copy()`, `s =
// x.astype(np.float32)`) that kernels then fill and read: made on the device
// where the host code binds it (cuda.device_array of the shape the host
// computes from the arguments), filled there by a kernel of its own (NumPy's
// fill value, or the source's elements converted as NumPy converts them),
// never copied to the host unless the function returns it (the runtime copies
// a returned device array back: runtime/gpu.py). Every binding of the name
// must be such an allocation, outside prange loops and lowered statements:
// then the name always denotes a device array, which the host only passes to
// kernels, asks for its shape, or returns (gpu-variant.ts gpuObstacle checks
// the uses). The bounds guard checks the shapes as for the CPU variant (the
// SCoP models the allocations: scop/extract.ts allocation).
import { walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { arrayMethod, numpyFunction } from '../types/numpy-table.js';
import { DEVICE_ALLOC } from './gpu-forms.js';

/** Element types a device allocation may have: NumPy's fills and these conversions are exact on CUDA. */
const DEVICE_DTYPES: ReadonlySet<string> = new Set(['float64', 'float32', 'int64', 'int32']);

export interface DeviceAllocation {
  name: string;
  dtype: string;
  ndim: number;
  /** The shape as the host computes it: an expression (`n`, `(n, m)`), or `x.shape` of the source or prototype. */
  shape: { of: Expr } | { like: Expr };
  /** What the fill kernel writes: a literal (zeros, ones), a host value (np.full), a source's elements (copies), or nothing (empty). */
  fill: { literal: string } | { value: Expr } | { source: Expr } | null;
}

/**
 * The conversions NumPy's astype and CUDA's element stores agree on: a float
 * narrowed or widened (round to nearest even), an int to a float (the same),
 * ints between int64 and int32 (both wrap). Float to int: NumPy's result for
 * NaN and out-of-range values is platform-defined (types/undo-helpers.ts).
 */
function convertible(from: string, to: string): boolean {
  return from === to || to.startsWith('float') || (from.startsWith('int') && to.startsWith('int'));
}

/** A name of an array parameter or another device allocation: the source of a copy or a `*_like` prototype. */
function deviceName(tf: TypedFunction, e: Expr, made: ReadonlySet<string>): e is Expr & { kind: 'name' } {
  return e.kind === 'name' && (tf.params.some((p) => p.name === e.id && p.kind === 'array') || made.has(e.id));
}

/**
 * Whether the host computes `e` without reading an element: arrays appear only
 * as `A.shape` or `len(A)` (their elements live on the device).
 */
function hostOnly(tf: TypedFunction, e: Expr): boolean {
  const shapeOnly = new Set<Expr>();
  walkExpr(e, (x) => {
    if (x.kind === 'attribute' && x.attr === 'shape') shapeOnly.add(x.value);
    if (x.kind === 'call' && x.func.kind === 'name' && x.func.id === 'len' && x.args.length === 1) shapeOnly.add(x.args[0]);
  });
  let ok = true;
  walkExpr(e, (x) => {
    if (x.kind === 'name' && !shapeOnly.has(x) && (tf.locals.get(x.id)?.kind === 'array' || tf.params.some((p) => p.name === x.id && p.kind === 'array'))) ok = false;
  });
  return ok;
}

/** The allocation a binding's value makes, or null when it has no device form. */
function allocationOf(tf: TypedFunction, name: string, v: Expr, made: ReadonlySet<string>): DeviceAllocation | null {
  const t = tf.locals.get(name);
  if (t?.kind !== 'array' || !t.dtype || !DEVICE_DTYPES.has(t.dtype) || t.ndim === null || t.ndim < 1 || t.ndim > 3) return null;
  if (v.kind !== 'call' || v.func.kind !== 'attribute') return null;
  const base = { name, dtype: t.dtype, ndim: t.ndim };
  const onModule = tf.types.get(v.func.value)?.kind === 'module';
  const fn = v.func.attr;
  const onlyDtype = v.keywords.every((k) => k.name === 'dtype');
  if (!onlyDtype) return null;
  const float = t.dtype.startsWith('float');
  if (onModule) {
    const row = numpyFunction(fn);
    if (row?.gpu !== DEVICE_ALLOC || v.args.length === 0) return null;
    if ((row.typing === 'alloc' || row.typing === 'full') && !hostOnly(tf, v.args[0])) return null;
    if (row.typing === 'alloc' && row.loop === 'allocation' && !row.helper && v.args.length <= 2) {
      const literal = fn === 'zeros' ? '0' : fn === 'ones' ? '1' : null;
      return { ...base, shape: { of: v.args[0] }, fill: literal === null ? null : { literal } };
    }
    if (row.typing === 'full' && v.args.length >= 2 && v.args.length <= 3) {
      // the fill value as NumPy stores it: an int or a float into a float array, an int into an int array
      const value = tf.types.get(v.args[1]);
      if (value?.kind !== 'scalar' || !(value.scalar === 'int' || (float && value.scalar === 'float')) || !hostOnly(tf, v.args[1])) return null;
      return { ...base, shape: { of: v.args[0] }, fill: { value: v.args[1] } };
    }
    if (row.typing === 'alloc_like' && v.args.length <= 2 && deviceName(tf, v.args[0], made)) {
      const literal = fn === 'zeros_like' ? '0' : fn === 'ones_like' ? '1' : null;
      return { ...base, shape: { like: v.args[0] }, fill: literal === null ? null : { literal } };
    }
    if (fn === 'copy' && v.args.length === 1 && v.keywords.length === 0 && deviceName(tf, v.args[0], made)) {
      return sourceCopy(tf, base, v.args[0]);
    }
    return null;
  }
  // x.copy(), x.astype(dtype)
  const row = arrayMethod(fn);
  const receiver = v.func.value;
  if (row?.gpu !== DEVICE_ALLOC || !deviceName(tf, receiver, made)) return null;
  if (fn === 'copy' && v.args.length === 0 && v.keywords.length === 0) return sourceCopy(tf, base, receiver);
  if (row.typing === 'astype' && v.args.length + v.keywords.length === 1) return sourceCopy(tf, base, receiver);
  return null;
}

function sourceCopy(tf: TypedFunction, base: { name: string; dtype: string; ndim: number }, source: Expr & { kind: 'name' }): DeviceAllocation | null {
  const s = tf.params.find((p) => p.name === source.id) ?? { ...tf.locals.get(source.id), name: source.id };
  const dtype = 'dtype' in s ? s.dtype : null;
  const ndim = 'ndim' in s ? s.ndim : null;
  if (!dtype || ndim !== base.ndim || !convertible(dtype, base.dtype)) return null;
  return { ...base, shape: { like: source }, fill: { source } };
}

/**
 * The host statements that bind a local array to an allocation with a device
 * form, for the names every binding of which is one (outside prange loops and
 * lowered statements: `onHost`); each name's allocations agree on dtype and rank.
 */
export function deviceAllocations(tf: TypedFunction, prangeLoops: ReadonlySet<number>, lowered: (s: Stmt) => boolean): Map<Stmt, DeviceAllocation> {
  const inKernels = new Set<Stmt>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for' && prangeLoops.has(s.span.start)) walkStmts((s as ForStmt).body, (x) => { inKernels.add(x); });
  });
  const bindings = new Map<string, Stmt[]>();
  walkStmts(tf.fn.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && tf.locals.get(s.target.id)?.kind === 'array') {
      bindings.set(s.target.id, [...(bindings.get(s.target.id) ?? []), s]);
    }
    if (s.kind === 'for' && tf.locals.get(s.target.id)?.kind === 'array') bindings.set(s.target.id, [...(bindings.get(s.target.id) ?? []), s]);
  });
  // a prototype or source made on the device first (`u = np.empty_like(t)` of a device t): found in rounds
  const made = new Set<string>();
  const out = new Map<Stmt, DeviceAllocation>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, stmts] of bindings) {
      if (made.has(name)) continue;
      const allocs = stmts.map((s) => (s.kind === 'assign' && !inKernels.has(s) && !lowered(s) ? allocationOf(tf, name, s.value, made) : null));
      if (allocs.some((a) => !a || a.ndim !== allocs[0]!.ndim || a.dtype !== allocs[0]!.dtype)) continue;
      made.add(name);
      stmts.forEach((s, k) => out.set(s, allocs[k]!));
      changed = true;
    }
  }
  return out;
}

/** A kernel that fills a device allocation: its text's lines, given its name (null: np.empty's, nothing to fill). */
export function fillKernel(a: DeviceAllocation, kernel: string): string[] | null {
  if (a.fill === null) return null;
  const k = Array.from({ length: a.ndim }, (_, d) => d);
  const counts = k.map((d) => `_polyray_count${d}`);
  const at = `[${k.map((d) => `_polyray_t${d}`).join(', ')}]`;
  const value = 'literal' in a.fill ? a.fill.literal : 'value' in a.fill ? '_polyray_value' : `_polyray_source${at}`;
  const param = 'literal' in a.fill ? [] : 'value' in a.fill ? ['_polyray_value'] : ['_polyray_source'];
  return [
    `def ${kernel}(${[...counts, '_polyray_dest', ...param].join(', ')}):`,
    `    ${[...k].reverse().map((d) => `_polyray_t${d}`).join(', ')} = _polyray_cuda.grid(${a.ndim})`,
    `    if ${k.map((d) => `_polyray_t${d} < _polyray_count${d}`).join(' and ')}:`,
    `        _polyray_dest${at} = ${value}`,
  ];
}

/**
 * The host's lines for a binding: the device array, then the launch of its
 * fill kernel over every element (x the fastest-varying: the last dimension).
 */
export function allocationLines(a: DeviceAllocation, kernel: string | null, print: (e: Expr) => string, indent: string): string[] {
  const shape = 'of' in a.shape ? print(a.shape.of) : `${print(a.shape.like)}.shape`;
  const lines = [`${indent}${a.name} = _polyray_cuda.device_array(${shape}, _polyray_np.${a.dtype})`];
  if (kernel === null || a.fill === null) return lines;
  const k = Array.from({ length: a.ndim }, (_, d) => d);
  const counts = k.map((d) => `_polyray_count${d}`);
  k.forEach((d) => lines.push(`${indent}_polyray_count${d} = ${a.name}.shape[${d}]`));
  const extra = 'literal' in a.fill ? [] : 'value' in a.fill ? [print(a.fill.value)] : [print(a.fill.source)];
  const grid = a.ndim === 1 ? counts[0] : `(${[...counts].reverse().join(', ')})`;
  lines.push(`${indent}_polyray_launch(${kernel}, ${grid}, (${[...counts, a.name, ...extra].join(', ')}))`);
  return lines;
}
