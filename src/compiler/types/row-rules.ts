// Typing rules of rows whose Numba form differs from NumPy's (issue 17): np.arange, and
// argmax/argmin/any/all along an axis. Pure functions of the call and its argument types,
// used by the checker (types/check-numpy-calls.ts); the helpers they name are
// python-bridge/polyray/runtime/row_helpers.py, which compute NumPy's results bit for bit
// (NumPy's arange formula start + i*((start + step) - start), its first NaN for argmax) and
// call NumPy itself through objmode where NumPy raises (a zero step, a NaN length).
import type { Expr } from '../parse/ast.js';
import type { Semantics } from './typed-function.js';
import { npScalar, type Ty } from './ty.js';
import { intLiteral } from './check-helpers.js';
import { rankUnknown } from './rank-hint.js';

export type RowResult = { ty: Ty; helper: Semantics } | { refuse: string };

/** A real scalar the helpers take as NumPy's Python arithmetic does: a Python int or float, an int64 or float64 scalar. */
function realKind(t: Ty | undefined): 'int' | 'float' | null {
  if (t?.kind !== 'scalar' || (t.scalar !== 'int' && t.scalar !== 'float')) return null;
  if (t.dtype && t.dtype !== 'int64' && t.dtype !== 'float64') return null;
  return t.scalar;
}

const ARANGE_FORMS = 'np.arange(stop), np.arange(start, stop) or np.arange(start, stop, step) of Python ints or floats (int64/float64 scalars), dtype= np.int64 or np.float64 if any';

/**
 * np.arange(stop) / (start, stop) / (start, stop, step), keywords start=/stop=/step=/dtype=
 * as NumPy names them: int64 when every argument is an int, else float64; dtype= float64 on
 * any arguments, int64 on ints only (of floats NumPy casts start and start + step first).
 */
export function arangeRule(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): RowResult {
  const refuse = { refuse: `np.arange() is supported as ${ARANGE_FORMS}` };
  const names = ['start', 'stop', 'step'];
  if (args.length > 4 || [...kw.keys()].some((k) => !names.includes(k) && k !== 'dtype')) return refuse;
  // positional first, then keywords by name (np.arange(0, n, step=2))
  const given: (Expr | undefined)[] = [...e.args.slice(0, 3)];
  const types: (Ty | undefined)[] = args.slice(0, 3);
  for (const [k, name] of names.entries()) {
    const w = e.keywords.find((x) => x.name === name);
    if (!w) continue;
    if (given[k] !== undefined) return refuse;
    given[k] = w.value;
    types[k] = kw.get(name);
  }
  // np.arange(stop): the one argument is the stop (NumPy's signature, arange(start_or_stop, ...))
  const one = given.filter((x) => x !== undefined).length === 1 && given[0] !== undefined && given[1] === undefined;
  const [start, stop, step] = one ? [undefined, given[0], undefined] : given;
  const [tStart, tStop, tStep] = one ? [undefined, types[0], undefined] : types;
  if (stop === undefined || (start === undefined && !one) || (step !== undefined && given[1] === undefined)) return refuse;
  const kinds = [tStart, tStop, tStep].filter((t) => t !== undefined).map(realKind);
  if (kinds.some((k) => k === null)) return refuse;
  const dtypeTy = args[3] ?? kw.get('dtype');
  if (args[3] !== undefined && kw.has('dtype')) return refuse;
  const floats = kinds.includes('float');
  let dtype = floats ? 'float64' : 'int64';
  if (dtypeTy !== undefined) {
    if (dtypeTy.kind !== 'dtype' || (dtypeTy.dtype !== 'float64' && dtypeTy.dtype !== 'int64')) return refuse;
    if (dtypeTy.dtype === 'int64' && floats) return { refuse: 'np.arange(..., dtype=np.int64) of floats is not supported (NumPy casts start and start + step, then steps in ints)' };
    dtype = dtypeTy.dtype;
  }
  // ints as floats (dtype=np.float64 of ints): NumPy's length and second element from the ints
  const helper = dtype === 'float64' && !floats ? 'arange_float64' : 'arange';
  return {
    ty: { kind: 'array', dtype, ndim: 1 },
    helper: { helper, args: [start ?? '0', stop, step ?? '1'] },
  };
}

/**
 * np.argmax(a, axis) / a.argmax(axis=k) and argmin (one int literal axis), np.any(a, axis) /
 * a.all(axis=...) (an int literal or a tuple of them), keepdims= written True or False.
 * `axisNode`: the axis as written; `keepNode`: keepdims as written. The helper reduces lines
 * along the axes (runtime/row_helpers.py); the result is an array of one rank less (the same
 * rank with keepdims), a NumPy scalar when every axis goes.
 */
export function axisReduceRule(name: string, a: Ty | undefined, array: Expr, axisNode: Expr, keepNode: Expr | undefined): RowResult {
  const arg = name === 'argmax' || name === 'argmin';
  const what = arg ? `${name}(a, axis=k) with an int literal axis` : `${name}(a, axis=k) with an int literal axis or a tuple of them`;
  if (axisNode.kind === 'const' && axisNode.value === 'None') return { refuse: `${name}(a, axis=None) is not supported: write ${name}(a)` };
  if (a?.kind !== 'array' || a.ndim === null || a.ndim === 0 || a.dtype === null || a.dtype.startsWith('complex')) {
    return { refuse: rankUnknown(what, a) ?? `${what} is supported on a real or bool array of known rank` };
  }
  let keep = false;
  if (keepNode !== undefined) {
    if (keepNode.kind !== 'const' || (keepNode.value !== 'True' && keepNode.value !== 'False')) return { refuse: `${name}(): keepdims must be written True or False` };
    keep = keepNode.value === 'True';
  }
  const one = intLiteral(axisNode);
  const axes = one !== undefined ? [one] : !arg && axisNode.kind === 'tuple' && axisNode.elts.length > 0 ? axisNode.elts.map(intLiteral) : [undefined];
  if (axes.some((x) => x === undefined)) return { refuse: `${what} is supported (a computed axis is not)` };
  const nd = BigInt(a.ndim);
  const norm = (axes as bigint[]).map((x) => (x < 0n ? x + nd : x));
  // NumPy raises AxisError (or ValueError for a repeated axis): the original runs and raises it
  if (norm.some((x) => x < 0n || x >= nd) || new Set(norm).size !== norm.length) return { refuse: `${name}(): the axis is outside the array's ${a.ndim} dimensions or repeated` };
  const rank = keep ? a.ndim : a.ndim - norm.length;
  const dtype = arg ? 'int64' : 'bool';
  return {
    ty: rank === 0 ? npScalar(dtype) : { kind: 'array', dtype, ndim: rank },
    helper: { helper: `${name}_axis`, args: [array, axisNode, keep ? 'True' : 'False'] },
  };
}

/**
 * np.trace(A[, offset]) / A.trace([offset]) of a 2-d float64 or int64 array (offset= by name too):
 * runtime/row_helpers.trace_pairwise, NumPy's pairwise sum of the diagonal's view (float64) or its
 * sum in int64, so NumPy's bits in both numerics modes. undefined: not this form (another rule decides).
 */
export function traceRule(a: Ty | undefined, array: Expr, offset: Expr | undefined, offsetTy: Ty | undefined, extra: boolean): RowResult | undefined {
  if (a?.kind !== 'array' || (a.dtype !== 'float64' && a.dtype !== 'int64')) return undefined;
  if (a.ndim !== 2 || extra || (offsetTy !== undefined && !(offsetTy.kind === 'scalar' && offsetTy.scalar === 'int'))) {
    return { refuse: rankUnknown('trace() needs a 2-d array', a) ?? 'trace() is supported on a 2-d float64 or int64 array with an int offset (no axis1=, axis2=, dtype=, out=)' };
  }
  return { ty: npScalar(a.dtype), helper: { helper: 'trace_pairwise', args: [array, offset ?? '0'] } };
}

/** NumPy's dtype of add/multiply.accumulate without dtype=: bool and integers narrower than int64 widen to (u)int64. */
export function accumulateDtype(dtype: string | null): string | null {
  if (dtype === 'bool' || dtype === 'int8' || dtype === 'int16' || dtype === 'int32') return 'int64';
  if (dtype === 'uint8' || dtype === 'uint16' || dtype === 'uint32') return 'uint64';
  return dtype;
}

/**
 * np.cumsum(a[, axis[, dtype]]) / a.cumsum([axis[, dtype]]) and cumprod (axis by position or by name, an
 * int literal or None; dtype= as allocations take it, types/dtype-args.ts): flattened without an axis,
 * the array's rank along one. The dtype is NumPy's accumulation dtype (accumulateDtype), or dtype='s.
 * Helpers (runtime/row_helpers.py): NumPy's accumulation from the first element along the axis (Numba's
 * starts from 0, turning a leading -0.0 into +0.0), and without an axis of floats and complex numbers;
 * integer and bool sums and real products need none (0 + x and 1 * x are x). With dtype= (cumsum_dtype,
 * cumprod_dtype): each element cast to it first, then accumulated in it (a narrow integer wraps, float32
 * rounds), as NumPy 2 does; a float cast to an integer out of its range or NaN leaves the call to the
 * original (undefined in C). Complex products (cumprod_dtype too): compiled where every partial product
 * is finite, else the original (Numba's 1 * x turns an infinity into NaN, and NumPy's complex multiply
 * treats infinities and NaNs its own way). A bool dtype= (logical or/and) and a complex array to a real
 * dtype= (NumPy's ComplexWarning) keep the original.
 * `extra`: an argument or keyword the rule does not read (out=, a fourth argument).
 * `dtypeArg`: dtype= as typed and its expression (printed np.<dtype>, types/dtype-args.ts), if written.
 * `flat`: no axis (or axis=None, which the caller drops: Numba's cumprod takes none).
 */
export type ScanResult = { ty: Ty; helper: Semantics | null; flat: boolean } | { refuse: string };

export function scanRule(name: 'cumsum' | 'cumprod', a: Ty | undefined, array: Expr, axisNode: Expr | undefined, extra: boolean,
  dtypeArg?: { ty: Ty | undefined; node: Expr }): ScanResult {
  const forms = `${name}(a) or ${name}(a, axis=k, dtype=d) with an int literal axis`;
  if (extra) return { refuse: `${forms} is supported (no out= or further argument)` };
  if (a?.kind !== 'array') return { refuse: `${forms} is supported on an array` };
  if (a.dtype !== null && !/^(bool|u?int\d+|float\d+|complex\d+)$/.test(a.dtype)) return { refuse: `${name}() of ${a.dtype} keeps the original (not a number dtype)` };
  const flatAxis = axisNode === undefined || (axisNode.kind === 'const' && axisNode.value === 'None');
  const axis = flatAxis ? undefined : intLiteral(axisNode);
  if (!flatAxis && axis === undefined) return { refuse: `${forms} is supported (a computed axis is not)` };
  if (!flatAxis && a.ndim === null) return { refuse: rankUnknown(`${name}(a, axis=k)`, a) ?? `${name}(a, axis=k) needs the array's rank` };
  const norm = axis === undefined ? 0n : axis < 0n ? axis + BigInt(a.ndim ?? 0) : axis;
  // NumPy raises AxisError: the original runs and raises it
  if (axis !== undefined && (norm < 0n || norm >= BigInt(a.ndim ?? 0))) return { refuse: `${name}(): axis ${axis} is outside the array's ${a.ndim} dimensions` };
  const ndim = flatAxis ? 1 : a.ndim;
  const axisArg: Expr | string = flatAxis ? 'None' : (axisNode as Expr);
  if (dtypeArg) {
    const to = dtypeArg.ty?.kind === 'dtype' ? dtypeArg.ty.dtype : null;
    if (to === null || a.dtype === null) return { refuse: `${name}(a, dtype=d) needs the array's dtype and d known when compiling (np.int32, float, 'float32', A.dtype of a hinted array)` };
    if (to === 'bool') return { refuse: `${name}(a, dtype=bool) keeps the original (NumPy accumulates bools as logical or/and)` };
    if (!/^(u?int\d+|float\d+|complex\d+)$/.test(to)) return { refuse: `${name}(a, dtype=${to}) keeps the original (not a number dtype)` };
    if (a.dtype.startsWith('complex') && !to.startsWith('complex')) return { refuse: `${name}() of ${a.dtype} elements to ${to} drops the imaginary part with NumPy's ComplexWarning, which compiled code does not give` };
    return { ty: { kind: 'array', dtype: to, ndim }, helper: { helper: `${name}_dtype`, args: [array, axisArg, dtypeArg.node] }, flat: false };
  }
  const dtype = accumulateDtype(a.dtype);
  // complex products: from the first element, finite ones only (cumprod_dtype with NumPy's accumulation dtype)
  if (name === 'cumprod' && a.dtype?.startsWith('complex')) return { ty: { kind: 'array', dtype, ndim }, helper: { helper: 'cumprod_dtype', args: [array, axisArg, 'None'] }, flat: false };
  if (flatAxis) {
    const flatHelper = name === 'cumsum' && a.dtype !== null && /^(float|complex)/.test(a.dtype);
    return { ty: { kind: 'array', dtype, ndim: 1 }, helper: flatHelper ? { helper: 'cumsum_flat', args: [array] } : null, flat: true };
  }
  return { ty: { kind: 'array', dtype, ndim: a.ndim }, helper: { helper: `${name}_axis`, args: [array, axisNode as Expr] }, flat: false };
}
