// close mode's reductions (issue 16, numerics class `reduction`): np.sum,
// np.mean, np.var, np.std and their methods along a constant axis or tuple of
// axes (keepdims, ddof), of a whole array of any layout or rank, and means of
// integer arrays; float32 arrays in float32, NumPy's result dtype (issue 17).
// Also np.max/np.min along axes, exact in both modes (runtime/axis_extrema.py).
// The runtime adds each line pairwise in its dtype with blocks fixed by its
// length (python-bridge/polyray/runtime/close_reductions.py), so the results
// are deterministic and within the bound of REDUCTION_BOUND (numerics.ts)
// of NumPy's. Pure: the checker gives the operand's type and the call's
// syntax, and gets back the helper to print, the result type and the note, or
// the reason to refuse, or null where the call is not one of these forms (the
// checker's other rules apply: `exact` mode, pairwise sums NumPy's own order
// gives bit for bit, integer sums, max/min).
import type { Expr } from '../parse/ast.js';
import { npScalar, type Ty } from './ty.js';

export type ReductionName = 'sum' | 'mean' | 'var' | 'std' | 'max' | 'min';

export const CLOSE_REDUCTIONS: ReadonlySet<string> = new Set(['sum', 'mean', 'var', 'std']);

/** np.max/np.min (and np.amax/np.amin) along axes: exact (runtime/axis_extrema.py), in both modes. */
export const AXIS_EXTREMA: ReadonlyMap<string, ReductionName> = new Map([['max', 'max'], ['min', 'min'], ['amax', 'max'], ['amin', 'min']]);

/**
 * Exact mode's np.max/np.min (np.amax/np.amin, the methods) of float elements, whole or along
 * axes: the checked helper (runtime/axis_extrema.py `checked_max`, `checked_axis_max`) that
 * leaves to the original the calls whose bits NumPy's SIMD lanes decide (a zero extreme
 * present with both signs, a NaN of other bits than NumPy's own); null for other calls.
 */
export function checkedExtreme(numerics: 'exact' | 'close', fname: string, dtype: string | null, axes = true): string | null {
  const name = AXIS_EXTREMA.get(fname);
  if (numerics !== 'exact' || !name || (dtype !== 'float64' && dtype !== 'float32')) return null;
  return axes ? `checked_axis_${name}` : `checked_${name}`;
}

/** The checked helpers: their variants restore written arrays when one leaves the call to the original (CpuVariant undo=). */
export const CHECKED_EXTREMA_HELPERS: ReadonlySet<string> = new Set(['checked_max', 'checked_min', 'checked_axis_max', 'checked_axis_min']);

/** The runtime helpers (close_reductions.py, axis_extrema.py), which the GPU variant has no form of. */
export const CLOSE_REDUCTION_HELPERS: ReadonlySet<string> = new Set(
  ['sum', 'mean', 'var', 'std'].flatMap((n) => [`axis_${n}`, `whole_${n}`]),
);
/**
 * The calls written np.average(a[, axis=]) without weights, which the checker rewrites to np.mean
 * (check-numpy-calls.ts) before its later passes: along an axis they print close_reductions.axis_average,
 * the same mean then NumPy's ZeroDivisionError for an empty result (average divides a.size by its size).
 * Kept on the node, not the checker, because the rewritten node is all a later pass or checker sees.
 */
export const AVERAGE_CALLS = new WeakSet<Expr>();

export interface ReductionCall {
  name: ReductionName;
  /** The reduced array's type and expression (the receiver of a method). */
  operand: Ty;
  operandExpr: Expr;
  /** Positional arguments after the operand, and keywords, as written. */
  rest: Expr[];
  keywords: { name: string; value: Expr }[];
  /** Types of the positional arguments after the operand and of the keywords. */
  restTypes: Ty[];
  keywordTypes: Map<string, Ty>;
}

export type ReductionPlan =
  | { kind: 'compile'; helper: string; args: (Expr | string)[]; type: Ty; terms: string }
  | { kind: 'refuse'; reason: string };

const POSITIONAL: Record<ReductionName, string[]> = {
  // np.sum(a, axis, dtype, out, keepdims), np.var(a, axis, dtype, out, ddof, keepdims)
  sum: ['axis', 'dtype', 'out', 'keepdims'],
  // np.max(a, axis, out, keepdims)
  max: ['axis', 'out', 'keepdims'],
  min: ['axis', 'out', 'keepdims'],
  mean: ['axis', 'dtype', 'out', 'keepdims'],
  var: ['axis', 'dtype', 'out', 'ddof', 'keepdims'],
  std: ['axis', 'dtype', 'out', 'ddof', 'keepdims'],
};

/** An int literal, signed (`-1`), or null. */
function intLiteral(e: Expr): number | null {
  if (e.kind === 'number' && e.numberKind === 'int' && /^\d+$/.test(e.text)) return Number(e.text);
  if (e.kind === 'unary' && (e.op === '-' || e.op === '+')) {
    const v = intLiteral(e.operand);
    return v === null ? null : e.op === '-' ? -v : v;
  }
  return null;
}

/**
 * Which elements the runtime reduces: float64 and float32 (in their own dtype, as NumPy's
 * result has it), (mean, var, std) integers and booleans as float64 as NumPy does; max and
 * min any real dtype (comparisons round nothing).
 */
function elementsOk(name: ReductionName, dtype: string | null): boolean {
  if (dtype === 'float64' || dtype === 'float32') return true;
  if (dtype === null) return false;
  if (name === 'max' || name === 'min') return /^(u?int\d+|bool)$/.test(dtype);
  return name !== 'sum' && /^(u?int\d+|bool)$/.test(dtype);
}

/** NumPy's result dtype: max and min keep the elements', float32 stays float32, the rest is float64. */
function resultDtype(name: ReductionName, dtype: string): string {
  if (name === 'max' || name === 'min') return dtype;
  return dtype === 'float32' ? 'float32' : 'float64';
}

/** The axes written (an int literal or a tuple of them), or null when they are not literals. */
function writtenAxes(e: Expr): number[] | null {
  const one = intLiteral(e);
  if (one !== null) return [one];
  if (e.kind !== 'tuple' || e.elts.length === 0) return null;
  const all = e.elts.map(intLiteral);
  return all.every((v): v is number => v !== null) ? all : null;
}

/**
 * The plan for a reduction call: sum/mean/var/std in close mode, max/min along
 * axes in both. `pairwiseExact` says the checker already compiles this
 * whole-array sum or mean in NumPy's own order (numba_helpers.pairwise_sum):
 * then it is not ours.
 */
export function planCloseReduction(call: ReductionCall, pairwiseExact: boolean): ReductionPlan | null {
  const { name, operand } = call;
  if (operand.kind !== 'array') return null;
  const extremum = name === 'max' || name === 'min';
  const given = new Map<string, Expr>();
  for (const [k, e] of call.rest.entries()) given.set(POSITIONAL[name][k] ?? `#${k}`, e);
  for (const k of call.keywords) given.set(k.name, k.value);
  for (const key of given.keys()) {
    if (!['axis', 'keepdims', 'ddof'].includes(key)) return null; // dtype=, out=, where=: the checker's rules
  }
  const axisExpr = given.get('axis');
  const axisNone = axisExpr?.kind === 'const' && axisExpr.value === 'None';
  // the whole array without keywords: Numba's np.max (the table's rule)
  if (extremum && (!axisExpr || axisNone) && given.size === 0) return null;
  if ((!axisExpr || axisNone) && !given.has('keepdims') && pairwiseExact) return null;
  if (!elementsOk(name, operand.dtype)) return null;
  const dtype = resultDtype(name, operand.dtype!);
  const keepExpr = given.get('keepdims');
  let keep = false;
  if (keepExpr) {
    if (keepExpr.kind !== 'const' || keepExpr.value === 'None') return { kind: 'refuse', reason: `${name}(): keepdims must be written True or False` };
    keep = keepExpr.value === 'True';
  }
  const ddofExpr = given.get('ddof');
  if (ddofExpr) {
    const t = call.keywordTypes.get('ddof') ?? call.restTypes[POSITIONAL[name].indexOf('ddof')];
    if (t?.kind !== 'scalar' || t.scalar !== 'int') return { kind: 'refuse', reason: `${name}(): ddof must be an int` };
  }
  const ddof: (Expr | string)[] = name === 'var' || name === 'std' ? [ddofExpr ?? '0'] : [];
  const own = operand.dtype === 'float64' || operand.dtype === 'float32';
  const terms = `${own ? '' : `${operand.dtype} elements as float64, `}pairwise in ${dtype}`;
  if (!axisExpr || axisNone) {
    if (keep || extremum) {
      // every axis at once (keepdims=True: an array of ones in shape; max/min with keywords: Numba's takes none)
      const nd = operand.ndim;
      if (nd === null || nd === 0) return { kind: 'refuse', reason: `${name}(): ${keep ? 'keepdims=True' : 'axis=None or keepdims'} of an array of unknown rank is not supported` };
      const all = `(${Array.from({ length: nd }, (_, k) => k).join(', ')}${nd === 1 ? ',' : ''})`;
      const type: Ty = keep ? { kind: 'array', dtype, ndim: nd } : npScalar(dtype);
      return { kind: 'compile', helper: `axis_${name}`, args: [call.operandExpr, all, keep ? 'True' : 'False', 'True', ...ddof], type, terms };
    }
    return { kind: 'compile', helper: `whole_${name}`, args: [call.operandExpr, ...ddof], type: npScalar(dtype), terms };
  }
  const axes = writtenAxes(axisExpr);
  if (axes === null) return { kind: 'refuse', reason: `${name}(): the axis must be an int literal or a tuple of them (a computed axis is not supported)` };
  const ndim = operand.ndim;
  const norm = ndim === null ? axes : axes.map((a) => (a < 0 ? a + ndim : a));
  if (ndim !== null) {
    const bad = axes.find((a) => a < -ndim || a >= ndim);
    if (bad !== undefined) return { kind: 'refuse', reason: `${name}(): axis ${bad} is out of bounds for an array of ${ndim} dimension${ndim === 1 ? '' : 's'}` };
  }
  if (new Set(norm).size !== norm.length) return { kind: 'refuse', reason: `${name}(): an axis is repeated in the tuple (NumPy raises ValueError)` };
  // Of unknown rank, the result is an array: the helper declines a vector reduced to a
  // scalar then (vector_ok False), and an axis out of the rank, so the original runs and raises
  const rank = ndim === null ? null : keep ? ndim : ndim - axes.length;
  const type: Ty = rank === 0 ? npScalar(dtype) : { kind: 'array', dtype, ndim: rank };
  const flags = [keep ? 'True' : 'False', ndim === null ? 'False' : 'True'];
  return { kind: 'compile', helper: `axis_${name}`, args: [call.operandExpr, axisExpr, ...flags, ...ddof], type, terms };
}
