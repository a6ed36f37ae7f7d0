// np.linalg.norm (issue 17): which of NumPy's formulas a call is
// (numpy/linalg/_linalg.py, `norm`), read from its literal ord= and axis=,
// and whether compiled code reproduces its bits. runtime/norms.py computes
// each formula; Numba's own np.linalg.norm is never called, as its scaled
// 2-norm stays finite where NumPy's sqrt(x.dot(x)) overflows to inf.
import type { Expr } from '../parse/ast.js';
import { npScalar, type Ty } from './ty.js';
import { intLiteral } from './check-helpers.js';

/** The ord codes runtime/norms.py reads (DEFAULT: None or 'fro', ONE, INF, NINF, TWO). */
const NORM_ORDS = { none: 0, one: 1, inf: 2, ninf: 3, two: 4, ntwo: 5 } as const;
type Ord = keyof typeof NORM_ORDS;

export type NormPlan =
  | { kind: 'refuse'; reason: string }
  | {
    kind: 'norm';
    /** the helper's arguments after the array: the ord code and the axis (a literal or None) */
    args: [string, string];
    /** runtime/norms.py's function: `norm`, or `norm_keepdims` (keepdims=True: the same values, x's rank) */
    helper: 'norm' | 'norm_keepdims';
    type: Ty;
    /** a matrix's 2 / -2 norm (an SVD): NumPy gives nan or raises LinAlgError on inf and NaN entries as its LAPACK build does, so the guard requires finite ones */
    singular?: true;
    /** why exact mode keeps the original (close mode compiles within `bound`), or null: NumPy's bits in both modes */
    closeOnly: { refusal: string; bound: string } | null;
  };

/** `ord` and `axis` as written (positionally or by keyword). */
export interface NormArguments {
  x: Ty | undefined;
  ord: Expr | undefined;
  axis: Expr | undefined;
  /** more than x, ord, axis, keepdims, or a keyword other than ord=, axis= and keepdims= */
  extra: boolean;
  /** keepdims= as written (positionally or by keyword), or undefined */
  keepdims: Expr | undefined;
  /** the module a name refers to (`np` -> numpy), for np.inf */
  moduleOf: (e: Expr) => string | null;
}

const USAGE = 'np.linalg.norm() is supported on a 1-d or 2-d float64, float32, complex128, integer or bool array with ord None, 1, 2, np.inf or -np.inf (a matrix without axis=: None, \'fro\', 1, 2, -2 or np.inf) and axis= an int literal';

/** The bound of sqrt(dot(x, x)) through another BLAS build (docs/reliability.md). */
export const NORM_DOT_BOUND = "sqrt(x.dot(x)) through BLAS (Numba's build, not NumPy's): <= (0.52*n + 1.01)*eps*||x|| from NumPy's, n the entries; inf and 0.0 where NumPy's overflows or underflows (no scaling in either), except for a sum of squares within that bound of the float's largest value";

export const USAGE_SINGULAR = 'np.linalg.norm(A, 2) and np.linalg.norm(A, -2) of a matrix';

/** A matrix's 2 / -2 norm: the largest / smallest singular value through two LAPACK builds (docs/reliability.md). */
export const NORM_SVD_BOUND = "the largest (ord=2) or smallest (ord=-2) singular value through LAPACK's gesdd in Numba (SciPy's build) and in NumPy (its own): each within p(m,n)*eps*s_max of the exact one (LAPACK Users' Guide 4.9, p taken as max(m,n)), so <= 2*max(m,n)*eps*s_max from NumPy's (an absolute bound: ord=-2's relative error grows with the condition number); measured <= 0.09*max(m,n)*eps*s_max";

/** Of complex x, sqrt(x.real.dot(x.real) + x.imag.dot(x.imag)): two dots and one more addition, bounded as one dot of twice the entries. */
export const NORM_COMPLEX_DOT_BOUND = "sqrt(x.real.dot(x.real) + x.imag.dot(x.imag)) through BLAS (Numba's build, not NumPy's): <= (1.04*n + 1.01)*eps*||x|| from NumPy's, n the complex entries (two dots of n terms and one addition, within one dot of 2n terms); inf and 0.0 where NumPy's overflows or underflows";

/** The bound of a sum along an axis of a matrix in close_reductions' blocks. */
const NORM_AXIS_BOUND = "add.reduce along the axis in blocks fixed by the length n (close_reductions.py): <= (D(n) + n - 1)*eps/2*sum|t| from NumPy's sum of the terms t (|x| or x*x; for the 2-norm, half that relative to the norm plus one rounding), D(n) <= ceil(log2 n) + 18";

function ordOf(e: Expr | undefined, moduleOf: (e: Expr) => string | null): Ord | 'fro' | null {
  if (e === undefined || (e.kind === 'const' && e.value === 'None')) return 'none';
  // the literal as written, quotes included ('fro', "fro"); NumPy also accepts 'f'
  if (e.kind === 'string') return /^(['"])(fro|f)\1$/.test(e.text) ? 'fro' : null;
  const k = intLiteral(e);
  if (k === 1n) return 'one';
  if (k === 2n) return 'two';
  if (e.kind === 'unary' && e.op === '-' && intLiteral(e.operand) === 2n) return 'ntwo';
  const inf = (x: Expr): boolean => x.kind === 'attribute' && x.attr === 'inf' && ['numpy', 'math'].includes(moduleOf(x.value) ?? '');
  if (inf(e)) return 'inf';
  if (e.kind === 'unary' && e.op === '-' && inf(e.operand)) return 'ninf';
  return null;
}

/** Which of NumPy's norms a call is, or why it keeps the original. */
export function planNorm(a: NormArguments): NormPlan {
  const x = a.x;
  // integer and boolean arrays: NumPy's x.astype(float) first (runtime/norms.py), a float64 result
  const integral = x?.kind === 'array' && x.dtype !== null && /^(u?int\d+|bool)$/.test(x.dtype);
  // complex128: NumPy's terms through its own complex loops (runtime/norms.py), a float64 result
  const complex = x?.kind === 'array' && x.dtype === 'complex128';
  if (x?.kind !== 'array' || (x.dtype !== 'float64' && x.dtype !== 'float32' && !integral && !complex) || (x.ndim !== null && x.ndim !== 1 && x.ndim !== 2) || a.extra) {
    return { kind: 'refuse', reason: USAGE };
  }
  const dtype = integral || complex ? 'float64' : x.dtype!;
  const ord = ordOf(a.ord, a.moduleOf);
  const axisNone = a.axis === undefined || (a.axis.kind === 'const' && a.axis.value === 'None');
  const axis = axisNone ? undefined : intLiteral(a.axis!);
  if (ord === null || (!axisNone && (axis === undefined || x.ndim === null))) return { kind: 'refuse', reason: USAGE };
  // keepdims= a literal True or False (NumPy's reshape of the same values)
  const kd = a.keepdims;
  if (kd !== undefined && !(kd.kind === 'const' && (kd.value === 'True' || kd.value === 'False'))) return { kind: 'refuse', reason: `${USAGE}, keepdims= True or False written out` };
  const keepdims = kd?.kind === 'const' && kd.value === 'True';
  if (keepdims && x.ndim === null) return { kind: 'refuse', reason: `${USAGE} (keepdims=True: an array of known rank)` };
  // an axis outside the rank: NumPy's AxisError from the original
  if (axis !== undefined && (axis < -BigInt(x.ndim!) || axis >= BigInt(x.ndim!))) return { kind: 'refuse', reason: `${USAGE} (within the array's rank)` };
  // a vector's 'fro' raises ValueError in NumPy; a matrix's 1, 2, inf norms (max column sum, largest singular
  // value) are not compiled (of a rank known only at run time, runtime/norms.py types them out: the original runs)
  const matrix = x.ndim === 2;
  // a matrix's 1 and inf norms: the largest column or row sum of |x| (sums as along an axis, then their max)
  const matrixOrd = matrix && axisNone && (ord === 'one' || ord === 'inf');
  // a matrix's 2 and -2 norms: its largest and smallest singular values (LAPACK's SVD in both, close mode only)
  const singular = matrix && axisNone && (ord === 'two' || ord === 'ntwo');
  if (ord === 'ntwo' && !singular) return { kind: 'refuse', reason: USAGE };
  if ((ord === 'fro' && (x.ndim !== 2 || !axisNone)) || (matrix && axisNone && ord !== 'none' && ord !== 'fro' && !matrixOrd && !singular)) return { kind: 'refuse', reason: USAGE };
  const code = ord === 'fro' ? NORM_ORDS.none : NORM_ORDS[ord];
  const k = axis === undefined ? null : Number(axis < 0n ? axis + BigInt(x.ndim!) : axis);
  const type: Ty = keepdims ? { kind: 'array', dtype, ndim: x.ndim } : matrix && k !== null ? { kind: 'array', dtype, ndim: 1 } : npScalar(dtype);
  const args: [string, string] = [String(code), k === null ? 'None' : String(k)];
  const helper = keepdims ? 'norm_keepdims' : 'norm';
  const square = code === NORM_ORDS.none || code === NORM_ORDS.two;
  if (singular) {
    return { kind: 'norm', args, helper, type, singular: true, closeOnly: { refusal: `np.linalg.norm(A, ${ord === 'two' ? '2' : '-2'}) of a matrix: NumPy's singular values come from its LAPACK build (gesdd without vectors), compiled code's from SciPy's through Numba (with vectors), so the last bits could differ (exact mode keeps the original)`, bound: NORM_SVD_BOUND } };
  }
  if (square && k === null) {
    return { kind: 'norm', args, helper, type, closeOnly: { refusal: "np.linalg.norm(): NumPy computes sqrt(x.dot(x)) through its BLAS build and compiled code through SciPy's, so the last bits could differ (exact mode keeps the original)", bound: complex ? NORM_COMPLEX_DOT_BOUND : NORM_DOT_BOUND } };
  }
  if (matrixOrd) {
    return { kind: 'norm', args, helper, type, closeOnly: { refusal: `np.linalg.norm(A, ${ord === 'one' ? '1' : 'np.inf'}) of a matrix: NumPy adds each ${ord === 'one' ? 'column' : 'row'} of |A| pairwise or row after row depending on the layout, compiled code in its own blocks, so the last bits could differ (exact mode keeps the original)`, bound: `${NORM_AXIS_BOUND}; then the largest sum, NumPy's (a NaN first)` } };
  }
  if (matrix && (square || code === NORM_ORDS.one)) {
    return { kind: 'norm', args, helper, type, closeOnly: { refusal: 'np.linalg.norm() along an axis of a matrix: NumPy adds the line pairwise or row after row depending on the layout, compiled code in its own blocks, so the last bits could differ (exact mode keeps the original)', bound: NORM_AXIS_BOUND } };
  }
  // a vector's 1-norm and 2-norm along its axis (NumPy's pairwise sum of a fresh contiguous array), inf/-inf (comparisons): NumPy's bits
  return { kind: 'norm', args, helper, type, closeOnly: null };
}
