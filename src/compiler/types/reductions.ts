// close mode's reductions (issue 16, numerics class `reduction`): np.sum,
// np.mean, np.var, np.std and their methods along one constant axis (keepdims,
// ddof), of a whole array of any layout or rank, and means of integer arrays.
// The runtime adds each line pairwise in float64 with blocks fixed by its
// length (python-bridge/polyray/runtime/close_reductions.py), so the results
// are deterministic and within the bound of REDUCTION_BOUND (numerics.ts)
// of NumPy's. Pure: the checker gives the operand's type and the call's
// syntax, and gets back the helper to print, the result type and the note, or
// the reason to refuse, or null where the call is not one of these forms (the
// checker's other rules apply: `exact` mode, pairwise sums NumPy's own order
// gives bit for bit, integer sums, max/min).
import type { Expr } from '../parse/ast.js';
import { npScalar, type Ty } from './ty.js';

export type ReductionName = 'sum' | 'mean' | 'var' | 'std';

export const CLOSE_REDUCTIONS: ReadonlySet<string> = new Set(['sum', 'mean', 'var', 'std']);

/** The runtime helpers (close_reductions.py), which the GPU variant has no form of. */
export const CLOSE_REDUCTION_HELPERS: ReadonlySet<string> = new Set(
  ['sum', 'mean', 'var', 'std'].flatMap((n) => [`axis_${n}`, `whole_${n}`]),
);

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

/** Which elements the runtime adds: float64, or (mean, var, std) integers and booleans as float64, as NumPy does. */
function elementsOk(name: ReductionName, dtype: string | null): boolean {
  if (dtype === 'float64') return true;
  return name !== 'sum' && dtype !== null && /^(u?int\d+|bool)$/.test(dtype);
}

/**
 * The plan for a reduction call in close mode. `pairwiseExact` says the
 * checker already compiles this whole-array sum or mean in NumPy's own order
 * (numba_helpers.pairwise_sum): then it is not ours.
 */
export function planCloseReduction(call: ReductionCall, pairwiseExact: boolean): ReductionPlan | null {
  const { name, operand } = call;
  if (operand.kind !== 'array') return null;
  const given = new Map<string, Expr>();
  for (const [k, e] of call.rest.entries()) given.set(POSITIONAL[name][k] ?? `#${k}`, e);
  for (const k of call.keywords) given.set(k.name, k.value);
  for (const key of given.keys()) {
    if (!['axis', 'keepdims', 'ddof'].includes(key)) return null; // dtype=, out=, where=: the checker's rules
  }
  const axisExpr = given.get('axis');
  const axisNone = axisExpr?.kind === 'const' && axisExpr.value === 'None';
  if ((!axisExpr || axisNone) && !given.has('keepdims') && pairwiseExact) return null;
  if (!elementsOk(name, operand.dtype)) return null;
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
  const terms = `${operand.dtype === 'float64' ? '' : `${operand.dtype} elements as float64, `}pairwise in float64`;
  if (!axisExpr || axisNone) {
    if (keep) return { kind: 'refuse', reason: `${name}(): keepdims=True of a whole array is not supported` };
    return { kind: 'compile', helper: `whole_${name}`, args: [call.operandExpr, ...ddof], type: npScalar('float64'), terms };
  }
  const axis = intLiteral(axisExpr);
  if (axis === null) return { kind: 'refuse', reason: `${name}(): the axis must be an int literal (a tuple of axes or a computed axis is not supported)` };
  const ndim = operand.ndim;
  if (ndim !== null && (axis < -ndim || axis >= ndim)) {
    return { kind: 'refuse', reason: `${name}(): axis ${axis} is out of bounds for an array of ${ndim} dimension${ndim === 1 ? '' : 's'}` };
  }
  // Of unknown rank, the result is an array: the helper declines a vector reduced to a
  // scalar then (vector_ok False), and an axis out of the rank, so the original runs and raises
  const rank = ndim === null ? null : keep ? ndim : ndim - 1;
  const type: Ty = rank === 0 ? npScalar('float64') : { kind: 'array', dtype: 'float64', ndim: rank };
  const flags = [keep ? 'True' : 'False', ndim === null ? 'False' : 'True'];
  return { kind: 'compile', helper: `axis_${name}`, args: [call.operandExpr, String(axis), ...flags, ...ddof], type, terms };
}
