// How one NumPy operator is computed under NumPy 2's promotion (NEP 50), and
// what the generated code must do so that Numba computes the same: which
// Python scalar operands to cast to a dtype, whether to cast the result back,
// which Python ints must be shown in range (NumPy raises OverflowError for
// `uint8_array + 300`), or why the operator is outside the subset.
// Pure: the checker (check.ts) describes the operands and applies the plan.
import { bitsOf, intRange, isDtype, kindOf, NARROW, resultType, type Dtype, type Operand, type PyKind } from './promotion.js';

/** One operand as the checker sees it. */
export type Side =
  | { kind: 'weak'; py: PyKind; /** the value of an int literal */ literal?: bigint; /** its static range (int-ranges.ts), when known */ range?: readonly [bigint, bigint] }
  | { kind: 'strong'; dtype: Dtype; array: boolean; /** its static range (int-ranges.ts), when known */ range?: readonly [bigint, bigint] }
  /** a NumPy value of unknown dtype (64-bit: see ty.ts), or a value that is a Python scalar on some paths */
  | { kind: 'other'; mixed: boolean };

export interface Plan {
  /** The result's dtype when NumPy's is known (null: a Python scalar, or unknown). */
  dtype: Dtype | null;
  /** Operands (0: left, 1: right) to print as `np.<dtype>(operand)`; `array`: an array operand, as `.astype(np.<dtype>)`. */
  casts: { side: 0 | 1; dtype: Dtype; array?: boolean }[];
  /** Python scalar operands beside a narrow dtype: a NumPy scalar there would promote differently (the dispatcher accepts Python scalars only). */
  weak: (0 | 1)[];
  /** Python int operands that are not literals: their value must lie in this dtype's range. */
  ranges: { side: 0 | 1; dtype: Dtype }[];
  /** Cast the (scalar) result back to this dtype after the operation. */
  wrap: Dtype | null;
  /** Why Numba cannot compute this as NumPy 2 does (the function keeps its original). */
  error: string | null;
  /**
   * A runtime helper that computes the operator as NumPy does (int_helpers.np_rshift/np_lshift: a
   * shift of two integer scalars by a count that may lie outside 0 .. bits - 1).
   */
  helper?: string;
  /**
   * With `error`: the casts under which close mode computes it anyway, within a
   * ULP bound (numerics.ts ULP_BOUNDS[ulp]): a float64 power of an integer
   * exponent, as the C library's pow of the exponent converted to float64.
   */
  close?: { casts: Plan['casts']; ulp: string };
}

const ARITH = new Set(['+', '-', '*']);
const BITWISE = new Set(['&', '|', '^']);
const SHIFT = new Set(['<<', '>>']);
/**
 * Two-operand ufuncs that promote their operands as an operator does, and that
 * operator: planBinary() then plans the ufunc's casts (types/ufunc-dtype.ts,
 * types/scalar-ufunc.ts).
 */
export const UFUNC_AS_OPERATOR: Readonly<Record<string, string>> = {
  add: '+', subtract: '-', multiply: '*', maximum: '+', minimum: '+', fmax: '+', fmin: '+', divide: '/', true_divide: '/',
};

export const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Both operands are integers or booleans (of a dtype or Python ones). */
const ints = (sides: readonly Side[]): boolean => sides.every((s) => (s.kind === 'weak' ? s.py === 'int' || s.py === 'bool' : s.kind === 'strong' && kindOf(s.dtype) !== 'float' && kindOf(s.dtype) !== 'complex'));

const operandOf = (s: Side): Operand | null => (s.kind === 'weak' ? { weak: s.py } : s.kind === 'strong' ? { dtype: s.dtype } : null);
const describeSide = (s: Side): string => (s.kind === 'weak' ? `a Python ${s.py}` : s.kind === 'strong' ? `${s.dtype}${s.array ? ' array' : ' scalar'}` : 'a value of unknown dtype');

/** Needs NumPy's dtype spelled out: Numba would widen it (or, for uint64, mix it with int64 into float64). */
const spelled = (d: Dtype): boolean => NARROW.has(d) || d === 'uint64';

/**
 * The plan for `left op right`. `rightLiteral` is the right operand's value
 * when it is an int literal (shift counts and powers are checked with it).
 */
export function planBinary(op: string, left: Side, right: Side): Plan {
  const plan: Plan = { dtype: null, casts: [], weak: [], ranges: [], wrap: null, error: null };
  const sides = [left, right] as const;
  const strong = sides.find((s) => s.kind === 'strong');
  if (!strong) return plan; // Python scalars, or NumPy values of 64-bit dtypes: as before
  const other = sides.find((s) => s !== strong)!;
  if (other.kind === 'other') {
    // beside a 64-bit dtype a Python or 64-bit NumPy value computes the same (a narrow one in a
    // mixed local is refused where the local is assigned)
    if (spelled((strong as { dtype: Dtype }).dtype)) {
      plan.error = `'${op}' on ${describeSide(strong)} and ${other.mixed ? 'a value that is a Python scalar on some paths and a NumPy scalar on others' : describeSide(other)}: NumPy 2's result dtype depends on which`;
    }
    return plan;
  }
  const l = operandOf(left)!;
  const r = operandOf(right)!;
  const promoted = (resultType(l, r) as { dtype: Dtype }).dtype;
  const what = `'${op}' on ${describeSide(left)} and ${describeSide(right)}`;
  const fail = (why: string): Plan => ({ ...plan, error: `${what}: ${why}` });
  if (op === '@') return plan;
  if (spelled(promoted) || spelled((strong as { dtype: Dtype }).dtype)) plan.weak = ([0, 1] as const).filter((k) => sides[k].kind === 'weak');
  const kind = kindOf(promoted);
  // the operator computes in `promoted`; its result's dtype
  let result: Dtype = promoted;
  if (COMPARISONS.has(op)) result = 'bool';
  else if (op === '/') result = kind === 'bool' || kind === 'int' ? 'float64' : promoted;

  if (COMPARISONS.has(op)) {
    // NumPy 2 compares a Python int with any integer dtype by value (no OverflowError), as Numba does,
    // except that Numba mixes uint64 with a signed integer as float64 (rounding large values)
    const ints = sides.map((s) => (s.kind === 'weak' ? s.py === 'int' || s.py === 'bool' : s.kind === 'strong' && (kindOf(s.dtype) === 'int' || kindOf(s.dtype) === 'bool')));
    if (ints[0] && ints[1]) {
      const signedBeside64 = sides.some((s) => s.kind === 'strong' && s.dtype === 'uint64')
        && sides.some((s) => s.kind === 'weak' || (s.kind === 'strong' && /^int/.test(s.dtype)));
      return signedBeside64 ? fail('Numba compares uint64 with a signed integer as float64') : { ...plan, dtype: 'bool' };
    }
    if (kindOf(promoted) === 'complex' && !['==', '!='].includes(op)) return fail('NumPy orders complex numbers lexicographically, Numba does not compile it');
  } else if (kind === 'float' && ints(sides) && op !== '/') {
    return fail(`NumPy computes ${op} of uint64 and a signed integer in float64, compiled code in int64`);
  } else if (sides.some((s) => s.kind === 'strong' && s.dtype === 'bool') && ['//', '%', '**'].includes(op)) {
    return fail(`NumPy's ${op} with a boolean operand differs from compiled code's (the sign of a nan)`);
  } else if (kind === 'float' && op === '**' && sides.some((s) => (s.kind === 'weak' ? s.py !== 'float' : kindOf((s as { dtype: Dtype }).dtype) !== 'float'))) {
    // float ** float calls the C library's pow in both; close mode converts the integer side (numerics.ts)
    const failed = fail("NumPy's power of a float and an integer (the C library's pow) differs from compiled code's in the last bits (it multiplies for an int exponent)");
    const intSides = ([0, 1] as const).filter((k) => (sides[k].kind === 'weak' ? (sides[k] as { py: PyKind }).py !== 'float' : kindOf((sides[k] as { dtype: Dtype }).dtype) !== 'float'));
    if (promoted === 'float64' && intSides.every((k) => sides[k].kind === 'weak' || (sides[k] as { dtype: Dtype }).dtype === 'int64' || NARROW.has((sides[k] as { dtype: Dtype }).dtype))) {
      failed.close = { ulp: 'power', casts: intSides.map((k) => ({ side: k, dtype: 'float64' as Dtype, ...(sides[k].kind === 'strong' && (sides[k] as { array: boolean }).array ? { array: true } : {}) })) };
    }
    return failed;
  } else if (kind === 'complex' && op === '**') {
    return fail("NumPy's complex power differs from compiled code's (0 ** z is 0 in NumPy, nan in Numba)");
  } else if (kind === 'bool') {
    if (!BITWISE.has(op)) return fail("NumPy's arithmetic on booleans (logical or/and, or a TypeError) is not Numba's");
  } else if (op === '**') {
    if (kind !== 'int' && spelled(promoted)) return fail(`NumPy's ${promoted} power differs from compiled code's in the last bits`);
    if (kind === 'int' && spelled(promoted)) {
      const exp = right.kind === 'weak' ? right.literal : undefined;
      if (exp === undefined || exp < 0n) return fail('an integer power of a narrow dtype needs a non-negative int literal exponent (NumPy raises on negative ones)');
    }
  } else if (op === '//' || op === '%') {
    if (kind !== 'int' && spelled(promoted)) return fail(`NumPy's ${promoted} floor division and remainder round differently from compiled code's`);
  } else if (SHIFT.has(op)) {
    if (kind === 'int') {
      // a count within 0 .. bits - 1 (a literal, `k & 7`): C's shift, which Numba computes too; another one
      // (NumPy gives 0, or -1 shifting a negative value right, where C's shift is undefined) through NumPy's
      // own rule (int_helpers.np_rshift/np_lshift: scalars, or arrays element by element, broadcast)
      const count = right.kind === 'weak' && right.literal !== undefined ? [right.literal, right.literal] as const : right.kind === 'other' ? undefined : right.range;
      if (!count || count[0] < 0n || count[1] >= BigInt(bitsOf(promoted))) {
        if (sides.some((s) => s.kind === 'strong' && s.dtype === 'bool')) {
          return fail(`a shift of a boolean operand needs a count known to lie from 0 to ${bitsOf(promoted) - 1} (an int literal, \`k & ${bitsOf(promoted) - 1}\`): NumPy and Numba differ outside`);
        }
        plan.helper = op === '>>' ? 'np_rshift' : 'np_lshift';
      }
    }
  } else if (kind === 'complex' && promoted === 'complex64' && (op === '*' || op === '/')) {
    return fail('complex64 products and quotients round differently in NumPy and compiled code');
  } else if (!ARITH.has(op) && !BITWISE.has(op) && op !== '/') {
    return plan;
  }
  plan.dtype = result;

  // Python scalars beside a strong operand take the promoted dtype: spell it where Numba would not
  const weakInt = (s: Side): boolean => s.kind === 'weak' && (s.py === 'int' || s.py === 'bool');
  const divisionOfInts = op === '/' && (kind === 'int' || kind === 'bool'); // computed in float64 by both
  sides.forEach((s, k) => {
    if (s.kind !== 'weak' || !spelled(promoted) || divisionOfInts) return;
    if (COMPARISONS.has(op) && weakInt(s) && kindOf(promoted) === 'int') return;
    const side = k as 0 | 1;
    if (s.py === 'int' && kindOf(promoted) === 'int') {
      const [lo, hi] = intRange(promoted)!;
      if (s.literal !== undefined) {
        if (s.literal < lo || s.literal > hi) plan.error = `${what}: NumPy 2 raises OverflowError (Python integer ${s.literal} out of bounds for ${promoted})`;
      } else {
        plan.ranges.push({ side, dtype: promoted });
      }
    }
    plan.casts.push({ side, dtype: promoted });
  });
  if (plan.error) return plan;
  // a NumPy scalar beside an array: Numba ignores a scalar of a lower kind when it picks the
  // array loop (NumPy 1's rule: complex64 array * np.int32(3) stayed complex64); cast to the
  // promoted dtype, it drives the loop as NumPy 2's does
  sides.forEach((s, k) => {
    const partner = sides[1 - k];
    if (s.kind === 'strong' && !s.array && partner.kind === 'strong' && partner.array && s.dtype !== promoted && !divisionOfInts) {
      plan.casts.push({ side: k as 0 | 1, dtype: promoted });
    }
  });
  // two arrays promoted to a wider float or complex: Numba may pick the narrower one's loop
  // (int64 array / float32 array in float32): the narrower float array is converted first
  if (sides.every((s) => s.kind === 'strong' && s.array) && (kindOf(promoted) === 'float' || kindOf(promoted) === 'complex')) {
    sides.forEach((s, k) => {
      if (s.kind === 'strong' && s.dtype !== promoted && kindOf(s.dtype) === kindOf(promoted)) plan.casts.push({ side: k as 0 | 1, dtype: promoted, array: true });
    });
  }
  // a narrow result is cast back after the operation (a scalar, or an array printed element by element)
  if (!COMPARISONS.has(op) && NARROW.has(result)) plan.wrap = result;
  // Numba picks the first NumPy loop its operands cast to: float32 for int8 / int8, where NumPy computes in float64
  if (divisionOfInts) sides.forEach((s, k) => { if (s.kind === 'strong' && s.array) plan.casts.push({ side: k as 0 | 1, dtype: 'float64', array: true }); });
  return plan;
}

/** The plan for a unary operator on a strong operand (`-x`, `~x`, `+x`). */
export function planUnary(op: string, operand: Side): Plan {
  const plan: Plan = { dtype: null, casts: [], weak: [], ranges: [], wrap: null, error: null };
  if (operand.kind !== 'strong' || op === 'not') return plan;
  const d = operand.dtype;
  plan.dtype = d;
  if (kindOf(d) === 'bool' && op !== '~') return { ...plan, error: `'${op}' on a NumPy bool: NumPy raises TypeError` };
  if (NARROW.has(d) || (d === 'uint64' && op === '-')) plan.wrap = d;
  return plan;
}

export { isDtype };
