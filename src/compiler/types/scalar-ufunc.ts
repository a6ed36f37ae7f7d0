// The dtype of a ufunc called on NumPy scalars of a narrow dtype (an element
// of a float32 or int16 array, np.min of a float32 array), as NumPy 2 gives it
// and Numba computes it. NumPy keeps the operands' dtype (np.minimum of two
// float32 scalars is float32, np.sqrt of an int16 is float32) and NEP 50 makes
// a Python number beside them weak (np.maximum(x32, 0.5) is float32); Numba
// agrees on the dtype of one operand or two of the same dtype, but widens a
// Python number's partner to 64 bits. So the checker types the call with
// NumPy's dtype (a scalar typed float64 here lets later rules accept what they
// would refuse on float32, and the variant returns float64), and a Python
// number beside a narrow scalar is cast to its dtype (the NEP 50 plan of the
// operator with the same promotion), or the call keeps the original.
// test/ts/scalar-ufunc.test.ts checks every ufunc of the table and dtype
// against a fixture measured with the .venv's NumPy and Numba. Pure.
import type { TableRow } from './numpy-table.js';
import { planBinary, UFUNC_AS_OPERATOR, type Plan, type Side } from './nep50.js';
import { bitsOf, kindOf, NARROW, promoteTypes, type Dtype } from './promotion.js';

export type ScalarUfunc =
  /** NumPy's result dtype, and the plan whose casts make Numba compute in it (two operands with a Python number) */
  | { dtype: Dtype; plan: Plan | null }
  /** why compiled code would not compute what NumPy does */
  | { error: string };

/** Ufuncs that NumPy 2 computes in an integer operand's own dtype (np.floor of an int32 is int32). */
const KEEPS_INTS = new Set([
  'abs', 'absolute', 'negative', 'square', 'floor', 'ceil', 'trunc', 'maximum', 'minimum', 'fmax', 'fmin',
  'sign', 'conj', 'conjugate', 'real', 'imag', 'add', 'subtract', 'multiply',
]);
/** Ufuncs NumPy refuses on complex numbers (TypeError): the original raises it. */
const REAL_ONLY = new Set(['fabs', 'floor', 'ceil', 'trunc', 'radians', 'deg2rad', 'hypot', 'arctan2', 'maximum', 'minimum', 'fmax', 'fmin']);
/** complex64 ufuncs computed the same way by both (no rounding of a product or quotient). */
const COMPLEX64_SAME = new Set(['abs', 'absolute', 'negative', 'conj', 'conjugate', 'real', 'imag', 'add', 'subtract']);

/** A dtype the checker must spell out: Numba would widen it (or mix uint64 with int64 into float64). */
export const isNarrowScalarDtype = (d: Dtype): boolean => NARROW.has(d) || d === 'uint64' || d === 'bool';

/**
 * NumPy 2's dtype of `np.<row>(operands)` where a NumPy scalar of a narrow
 * dtype takes part, or why it is refused; null when none does (the caller's
 * 64-bit rules apply). `sides` describe the operands (types/nep50.ts).
 */
export function scalarUfunc(row: TableRow, sides: readonly Side[]): ScalarUfunc | null {
  const rule = row.ufunc;
  if (!rule || row.name === 'where' || sides.length === 0 || sides.length > 2) return null;
  if (!sides.some((s) => s.kind === 'strong' && isNarrowScalarDtype(s.dtype))) return null;
  const what = `np.${row.name}() of ${sides.map(describe).join(' and ')}`;
  if (sides.some((s) => s.kind === 'other')) return { error: `${what}: NumPy 2's result dtype depends on the other operand's, which is not known` };
  if (rule.bool) return { dtype: 'bool', plan: null };
  let plan: Plan | null = null;
  let dtype: Dtype;
  if (sides.length === 2 && sides.some((s) => s.kind === 'weak')) {
    // a Python number beside the narrow scalar: NEP 50 keeps the scalar's dtype, Numba widens; cast it
    const op = UFUNC_AS_OPERATOR[row.name];
    if (!op) return { error: `${what}: NumPy 2 computes it in the NumPy scalar's dtype (NEP 50), compiled code in 64 bits` };
    plan = planBinary(op, sides[0], sides[1]);
    if (plan.error) return { error: plan.error.replace(/^'[^']*'/, `np.${row.name}()`) };
    if (plan.dtype === null) return { error: `${what}: NumPy 2's result dtype is not known` };
    dtype = op === '/' ? operandDtype(sides, plan.dtype) : plan.dtype;
  } else {
    const [a, b] = sides.map((s) => (s as { dtype: Dtype }).dtype);
    // two dtypes: Numba picks another loop than NumPy's where the kinds differ (float32 and int32: float32,
    // NumPy float64) or a float loop serves integers (np.arctan2 of int8 and uint8: NumPy's float16)
    if (b !== undefined && a !== b && (kindOf(a) !== kindOf(b) || (kindOf(a) === 'int' && !KEEPS_INTS.has(row.name)))) {
      return { error: `${what}: NumPy 2 and compiled code compute it in different dtypes` };
    }
    dtype = b === undefined ? a : promoteTypes(a, b);
  }
  const result = loopResult(row.name, rule.complexToReal === true, dtype);
  return 'refusal' in result ? { error: `${what}: ${result.refusal}` } : { dtype: result.dtype, plan };
}

/** The dtype both operands are computed in once a divide's Python number is cast (its plan's dtype is the quotient's). */
function operandDtype(sides: readonly Side[], quotient: Dtype): Dtype {
  const strong = sides.find((s): s is Side & { kind: 'strong' } => s.kind === 'strong')!;
  return kindOf(strong.dtype) === 'int' || kindOf(strong.dtype) === 'bool' ? strong.dtype : quotient;
}

/** The ufunc's loop for operands of dtype `d` (one, or two promoted to it): its result, or why it is refused. */
function loopResult(name: string, complexToReal: boolean, d: Dtype): { dtype: Dtype } | { refusal: string } {
  const kind = kindOf(d);
  if (kind === 'bool') return { refusal: 'NumPy computes it on booleans in int8 or float16, or raises; compiled code differs' };
  if (kind === 'complex') {
    if (REAL_ONLY.has(name)) return { refusal: 'NumPy raises TypeError on complex numbers' };
    if (complexToReal || name === 'real' || name === 'imag') return { dtype: d === 'complex64' ? 'float32' : 'float64' };
    if (d === 'complex64' && !COMPLEX64_SAME.has(name)) return { refusal: 'complex64 arithmetic and math round differently in NumPy and compiled code' };
    return { dtype: d };
  }
  if (name === 'power' || name === 'reciprocal') return { refusal: `NumPy's ${d} ${name} differs from compiled code's (rounding, or the result of a negative or zero operand)` };
  if (kind === 'float') return { dtype: d };
  // integers
  if (KEEPS_INTS.has(name)) return { dtype: d };
  const bits = bitsOf(d);
  if (name === 'divide' || name === 'true_divide') return bits <= 16 ? { refusal: `Numba divides ${d} scalars in float32, NumPy in float64` } : { dtype: 'float64' };
  if (bits <= 8) return { refusal: `NumPy computes it on ${d} in float16, which compiled code does not have` };
  return { dtype: bits === 16 ? 'float32' : 'float64' };
}

function describe(s: Side): string {
  return s.kind === 'weak' ? `a Python ${s.py}` : s.kind === 'strong' ? `a ${s.dtype} ${s.array ? 'array' : 'scalar'}` : 'a value of unknown dtype';
}
