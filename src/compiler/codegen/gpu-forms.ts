// Which NumPy and math calls a CUDA kernel may make, and how it prints them:
// the NumPy table's `gpu` column (types/numpy-table.ts), read for every call
// that runs inside a kernel (the bodies of prange loops, lowered statements).
// A kernel is compiled by numba.cuda, whose typing knows math's functions and
// a few NumPy ufuncs on scalars (numba/cuda/ufuncs.py: maximum, minimum,
// fmax, fmin, the logical and comparison ufuncs, the trigonometric ones) and
// nothing else of NumPy, and whose math is CUDA's libdevice: the original's
// bits only for operations that are exact or correctly rounded everywhere.
// The CUDA simulator runs kernels as Python with NumPy, so it accepts every
// call and shows neither gap: the table is the rule, and a call of a row
// without a GPU form keeps the function off the GPU, with the row's reason.
import { stmtExprs, walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { mathFunction, numpyFunction, type TableRow } from '../types/numpy-table.js';
import { MATH } from './names.js';

/** The table row of a call `np.f(...)` / `math.f(...)`, with the module's name; null for other calls. */
export function moduleCallRow(tf: TypedFunction, e: Expr): { module: string; row: TableRow | undefined } | null {
  if (e.kind !== 'call' || e.func.kind !== 'attribute' || e.func.value.kind !== 'name') return null;
  const t = tf.types.get(e.func.value);
  if (t?.kind !== 'module' || (t.name !== 'numpy' && t.name !== 'math')) return null;
  return { module: t.name, row: t.name === 'math' ? mathFunction(e.func.attr) : numpyFunction(e.func.attr) };
}

/**
 * NumPy's exact complex operations with a device form (runtime/gpu_complex.py: CUDA's correctly
 * rounded + - * / sqrt and fma give NumPy's bits), which kernels call as `_polyray_hd_<helper>`
 * (gpu-variant.ts), whatever the row's own `gpu` says of real arguments. cexp and the general
 * power call exp/sin/cos/log, libdevice's on the device: none.
 */
export const COMPLEX_ON_DEVICE: ReadonlySet<string> = new Set(['cmul', 'csquare', 'csquare_scalar', 'creciprocal', 'cdiv', 'cabs']);

/** The `gpu` form of an allocation the host makes on the device (codegen/gpu-allocations.ts): none inside a kernel. */
export const DEVICE_ALLOC = 'device-alloc';

/** The prefix of a `gpu` form computed by a device function of runtime/gpu_elementwise.py. */
export const DEVICE_FORM = 'device:';

/**
 * A scalar argument's exact kind for the device forms: float64, int64 (NumPy's or Python's), else null.
 * A float64 array operand is one too: inside a kernel it can only be a lowered statement's operand
 * (poly/lower-slices.ts, rows with `lowers`), which the kernel prints as its element; anywhere
 * else in a kernel an array expression keeps the function off the GPU (gpuObstacle).
 */
function scalar64(tf: TypedFunction, a: Expr): 'float64' | 'int64' | null {
  const t = tf.types.get(a);
  if (t?.kind === 'array') return t.dtype === 'float64' ? 'float64' : null;
  if (t?.kind !== 'scalar') return null;
  if (t.scalar === 'float' && (t.dtype ?? 'float64') === 'float64') return 'float64';
  if (t.scalar === 'int' && (t.dtype ?? 'int64') === 'int64') return 'int64';
  return null;
}

/**
 * The device function (runtime/gpu_elementwise.py DEVICE_ELEMENTWISE) computing a call whose row's
 * form is `device:<name>`, or why it has none for these arguments: the forms are NumPy's bits on
 * float64 scalars (np.sign on int64 too: `np_sign_int`; np.where's values float64 or int64).
 */
export function deviceForm(tf: TypedFunction, e: Expr & { kind: 'call' }, row: TableRow): { helper: string } | { reason: string } {
  const helper = row.gpu!.slice(DEVICE_FORM.length);
  const call = `np.${row.name}`;
  if (e.keywords.length > 0) return { reason: `${call} with keyword arguments has no GPU form` };
  const kinds = e.args.map((a) => scalar64(tf, a));
  if (helper === 'np_round') {
    // np.round(x) is np.round(x, 0): the printer passes the 0
    if (kinds[0] !== 'float64' || e.args.length > 2 || (e.args.length === 2 && kinds[1] !== 'int64')) return { reason: `${call} has a GPU form of a float64 scalar and int decimals only` };
    return { helper };
  }
  if (helper === 'np_clip') {
    if (e.args.length !== 3 || kinds.some((k) => k === null)) return { reason: `${call} has a GPU form of a float64 or int64 scalar between number bounds only` };
    return { helper };
  }
  if (helper === 'np_where') {
    if (e.args.length !== 3 || kinds[1] === null || kinds[2] === null) return { reason: `${call} has a GPU form of three scalars whose values are float64 or int64` };
    return { helper };
  }
  if (e.args.length !== 1) return { reason: `${call} has a GPU form of one scalar` };
  if (helper === 'np_sign' && kinds[0] === 'int64') return { helper: 'np_sign_int' };
  if (kinds[0] !== 'float64') return { reason: `${call} has a GPU form of a float64 scalar${helper === 'np_sign' ? ' or an int64' : ''} only` };
  return { helper };
}

/** NumPy ufuncs numba.cuda types in a kernel but computes with libdevice (NumPy calls the C library). */
const LIBDEVICE_UFUNCS: ReadonlySet<string> = new Set(['hypot']);

/** Why a row has no GPU form (its `gpu` is null), in words for the report. */
export function gpuAbsence(row: TableRow): string {
  const call = `${row.where === 'math' ? 'math' : row.where === 'numpy' ? 'np' : 'a'}.${row.name}`;
  if (row.gpu === DEVICE_ALLOC) return `${call} allocates an array, which a kernel has only as a thread's array of a shape fixed in the source; outside kernels the host makes it on the device`;
  if (row.where === 'math' || LIBDEVICE_UFUNCS.has(row.name)) return `CUDA computes ${call} with libdevice, whose last bits are not the C library's`;
  if (row.numerics === 'ulp') return `${call} is NumPy's own math, compiled in close mode only, and CUDA's error bound for it is not measured`;
  if (row.loop === 'elementwise' || row.loop === 'scalar') return `numba.cuda has no scalar kernel form of ${call}`;
  return `${call} works on whole arrays, and a kernel computes one element`;
}

/**
 * A `math.*` form prints the call with CUDA's math on real (not complex)
 * values only: scalars, or arrays of a real dtype in a lowered statement,
 * whose kernel prints their elements.
 */
function realArguments(tf: TypedFunction, e: Expr & { kind: 'call' }): boolean {
  return e.args.every((a) => {
    const t = tf.types.get(a);
    if (t?.kind === 'array') return t.dtype !== null && !t.dtype.startsWith('complex');
    return t?.kind === 'scalar' && t.scalar !== 'complex';
  });
}

/**
 * The first call inside a kernel of these statements that has no GPU form,
 * as a one-line reason; null when every call has one.
 */
function firstCallWithoutForm(tf: TypedFunction, stmts: Stmt[], skip: ReadonlySet<Expr>): string | null {
  let reason: string | null = null;
  walkStmts(stmts, (s) => {
    for (const root of stmtExprs(s)) {
      walkExpr(root, (e) => {
        if (reason !== null || skip.has(e)) return;
        const call = moduleCallRow(tf, e);
        if (!call?.row || e.kind !== 'call') return;
        if (COMPLEX_ON_DEVICE.has(tf.helpers.get(e)?.helper ?? '')) return; // its device form (gpu_complex.py)
        const name = `${call.module === 'math' ? 'math' : 'np'}.${call.row.name}`;
        if (call.row.gpu === null || call.row.gpu === DEVICE_ALLOC) reason = `line ${e.span.from.line}: ${name} has no GPU form (${gpuAbsence(call.row)})`;
        else if (call.row.gpu.startsWith(DEVICE_FORM)) {
          const form = deviceForm(tf, e, call.row);
          if ('reason' in form) reason = `line ${e.span.from.line}: ${form.reason}`;
        }
        else if (call.row.gpu.startsWith('math.') && call.module === 'numpy' && !realArguments(tf, e)) {
          reason = `line ${e.span.from.line}: ${name} of a complex value has no GPU form (CUDA's ${call.row.gpu} takes a real scalar)`;
        }
      });
    }
  });
  return reason;
}

/**
 * The first NumPy or math call that would run inside a kernel (a prange loop's
 * body, a lowered statement that is a kernel or fused into one) and has no GPU
 * form; null when there is none. `skip`: calls the kernel prints its own way
 * (a thread's local array: codegen/gpu-local-arrays.ts).
 */
export function kernelCallObstacle(tf: TypedFunction, onDevice: (s: Stmt) => 'kernel' | 'loop' | null, skip: ReadonlySet<Expr> = new Set()): string | null {
  let reason: string | null = null;
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (reason !== null) return;
      const where = onDevice(s);
      if (where === 'loop' && s.kind === 'for') reason = firstCallWithoutForm(tf, s.body, skip);
      else if (where === 'kernel') reason = firstCallWithoutForm(tf, [s], skip);
      else if (s.kind === 'for' || s.kind === 'while') visit(s.body);
      else if (s.kind === 'if') {
        visit(s.body);
        visit(s.orelse);
      }
    }
  };
  visit(tf.fn.body);
  return reason;
}

/**
 * How a kernel prints a NumPy call with a GPU form other than its own
 * spelling: `math.*` forms through the kernel's math module (np.sqrt and
 * np.isnan as math.sqrt and math.isnan: the same bits on a real scalar),
 * `abs` as the builtin, `device:*` forms as `_polyray_hd_<name>(...)`, the
 * device function named (added to `deviceHelpers`, which the runtime injects).
 * `np.*` forms print as written (numba.cuda types them).
 */
export function kernelCall(tf: TypedFunction, e: Expr, print: (e: Expr) => string, deviceHelpers?: Set<string>): string | undefined {
  const call = moduleCallRow(tf, e);
  if (!call?.row?.gpu || call.module !== 'numpy' || e.kind !== 'call') return undefined;
  const gpu = call.row.gpu;
  if (gpu.startsWith(DEVICE_FORM)) {
    const form = deviceForm(tf, e, call.row);
    if ('reason' in form) return undefined; // (kernelCallObstacle kept the function off the GPU)
    deviceHelpers?.add(form.helper);
    const args = e.args.map(print);
    return `_polyray_hd_${form.helper}(${(form.helper === 'np_round' && args.length === 1 ? [...args, '0'] : args).join(', ')})`;
  }
  if (gpu.startsWith('math.')) return `${MATH}.${gpu.slice('math.'.length)}(${e.args.map(print).join(', ')})`;
  if (gpu === 'abs' && e.args.length === 1) return `abs(${print(e.args[0])})`;
  return undefined;
}
