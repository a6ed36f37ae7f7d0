// Complex products and powers (issue 17): which runtime helper computes them as
// NumPy does (python-bridge/polyray/runtime/complex_helpers.py), and in which
// numerics class.
//
// NumPy multiplies complex arrays in SIMD loops that fuse each part's multiply
// and add on CPUs with FMA; its scalars and its power loop (nc_pow) do not.
// Numba never fuses, so a compiled `a * b` of complex arrays differed from
// NumPy's in the last bit of a quarter of the elements, also in `exact` mode.
// `cmul` asks NumPy once which it does and does the same: `exact` class.
//
// Powers: `a ** 2` on a complex array is np.square (NumPy's fast_scalar_power,
// the same SIMD product), `a ** -1` np.reciprocal, `a ** 0.5` (a Python float)
// np.sqrt, the C library's csqrt (`cpow_fop` decides per call, as NumPy does; its
// csqrt is glibc's, bit for bit, so the literal 0.5 is `exact`); NumPy scalars, np.power and
// other exponents run nc_pow: repeated squaring for an integer exponent of
// magnitude under 100 (bit for bit in `cpow`), the C library's cpow otherwise,
// which compiled code replaces with exp(b * log(a)): `ulp` class, `close` only.

import type { CloseNote } from '../numerics.js';
import type { Ty } from './ty.js';

/** The helpers of this file, none of which raises (a loop around them may run in parallel). */
export const COMPLEX_HELPERS: readonly string[] = ['cmul', 'csquare', 'creciprocal', 'cpow', 'cpow_op', 'cpow_fop', 'cexp', 'cabs', 'csquare_scalar'];

/** What a complex product or power needs: its helper, and why `exact` mode refuses it (null: exact). */
export interface ComplexOp {
  helper: 'cmul' | 'csquare' | 'csquare_scalar' | 'creciprocal' | 'cpow' | 'cpow_op' | 'cpow_fop' | 'cexp' | 'cabs';
  /** Set when only `close` mode compiles it: the refusal in `exact` mode. */
  closeOnly: string | null;
}

/** The bound of the power's general path (measured: python-bridge/tests/test_complex_helpers.py). */
export const COMPLEX_POWER_BOUND =
  "exp(b*log(a)) instead of the C library's cpow: |result - NumPy's| <= 16*eps*(1 + |b*log(a)|)*|a**b| where NumPy's is finite and normal; an integer exponent under 100 in magnitude gives NumPy's bits; inf/nan positions as NumPy's except an infinite exponent on a base of modulus 1 + tiny";

export function complexPowerNote(line: number, col: number, operation: string): CloseNote {
  return { line, col, operation, bound: COMPLEX_POWER_BOUND, kind: 'ulp', gpu: false };
}

const isComplexDtype = (d: string | null): boolean => d === 'complex128' || d === 'complex64';

function complexOf(t: Ty): boolean {
  if (t.kind === 'array') return isComplexDtype(t.dtype);
  return t.kind === 'scalar' && t.scalar === 'complex';
}

/** A complex64 operand: NumPy computes in complex64 there, the helpers in complex128. */
function narrow(t: Ty): boolean {
  return (t.kind === 'array' && t.dtype === 'complex64') || (t.kind === 'scalar' && t.origin === 'np' && t.dtype === 'complex64');
}

/** An integer the exponent is known to be: a literal (with its sign). */
export interface ExponentInfo {
  /** The exponent's integer value when it is a Python int literal. */
  literal?: bigint;
  /** The exponent is the float literal 0.5 (NumPy's `array ** 0.5` is np.sqrt). */
  half?: boolean;
  /** The exponent is a number literal (its Python type is known). */
  constant?: boolean;
}

const INT_PATH = (n: bigint): boolean => n > -100n && n < 100n;

/**
 * `l * r` (also `*=`) and np.multiply (`ufunc`): the helper when NumPy computes
 * it in its complex array loop (an array operand, or the ufunc called even on
 * scalars, and a complex result), else null (the operator on NumPy scalars and
 * Python complex numbers multiplies without fusing, as compiled code does).
 * A string: the refusal (complex64).
 */
export function complexProduct(l: Ty, r: Ty, ufunc = false): ComplexOp | string | null {
  if ((!ufunc && ![l, r].some((t) => t.kind === 'array')) || ![l, r].some(complexOf)) return null;
  if ([l, r].some(narrow)) return 'complex64 products round differently in NumPy and compiled code';
  if ([l, r].some((t) => t.kind === 'array' && t.dtype === null)) return 'a product of a complex value and an array of unknown dtype';
  return { helper: 'cmul', closeOnly: null };
}

/**
 * np.square / np.reciprocal / np.exp / np.abs of a complex array or scalar: their ufunc loops
 * (the square fused as `*`; exp the C library's cexp, whose glibc algorithm `cexp`
 * follows with the same library's exp, sin and cos: NumPy's bits where NumPy runs on glibc;
 * abs NumPy's SIMD loop, larger * sqrt(fma(r, r, 1)) and not the C library's hypot, which
 * Numba's np.abs and abs() of a complex number call: a third of the results differed).
 */
export function complexUnary(name: string, a: Ty): ComplexOp | string | null {
  const helper = ({ square: 'csquare', reciprocal: 'creciprocal', exp: 'cexp', abs: 'cabs', absolute: 'cabs' } as const)[name as 'square' | 'reciprocal' | 'exp' | 'abs' | 'absolute'];
  if (!complexOf(a) || helper === undefined) return null;
  if (narrow(a)) return `np.${name} of complex64: NumPy computes it in complex64, compiled code in complex128`;
  // np.square of one complex number: NumPy's scalar path multiplies without fusing (its array loop fuses)
  if (helper === 'csquare' && a.kind !== 'array') return { helper: 'csquare_scalar', closeOnly: null };
  return { helper, closeOnly: null };
}

/**
 * `base ** exp` (operator: `op` true) or np.power(base, exp) with a complex
 * operand. The operator on an array with a Python int exponent is NumPy's
 * fast path (square for 2, reciprocal for -1, decided at run time), `cpow_op`.
 */
export function complexPower(base: Ty, exp: Ty, info: ExponentInfo, operator: boolean): ComplexOp | string | null {
  if (!complexOf(base) && !complexOf(exp)) return null;
  if ([base, exp].some(narrow)) return "complex64 powers: NumPy computes them in complex64, compiled code in complex128";
  if ([base, exp].some((t) => t.kind === 'array' && t.dtype === null)) return 'a complex power with an array of unknown dtype';
  // Python complex numbers alone: CPython's power, the existing `pow` helper's business
  if (base.kind !== 'array' && exp.kind !== 'array' && !(base.kind === 'scalar' && base.origin === 'np') && !(exp.kind === 'scalar' && exp.origin === 'np')) return null;
  const pyInt = exp.kind === 'scalar' && exp.origin === 'py' && (exp.scalar === 'int' || exp.scalar === 'bool');
  const lit = info.literal;
  const exactExponent = lit !== undefined && INT_PATH(lit);
  const closeOnly = exactExponent ? null
    : "NumPy's complex power of a non-integer exponent (or one of 100 or more in magnitude) is the C library's cpow, which compiled code computes as exp(b*log(a)): the last bits differ";
  // cpow_op picks square for 2 and reciprocal for -1 at run time, as NumPy does
  if (operator && base.kind === 'array' && pyInt && exp.kind === 'scalar' && exp.scalar === 'int') return { helper: 'cpow_op', closeOnly };
  // cpow_fop: np.sqrt for a Python float 0.5 (NumPy's bits: glibc's csqrt), np.power for any other;
  // a float variable may be np.float64(0.5) at run time, for which NumPy takes cpow: compiled code
  // receives both as one float64 and cannot tell them apart (they differ at infinite parts)
  if (operator && base.kind === 'array' && exp.kind === 'scalar' && exp.scalar === 'float') {
    if (info.half) return { helper: 'cpow_fop', closeOnly: null };
    if (!info.constant) return "'**' of a complex array by a float variable: NumPy takes np.sqrt for a Python float 0.5 and the C library's cpow for np.float64(0.5), which compiled code cannot tell apart (write np.sqrt or np.power)";
  }
  return { helper: 'cpow', closeOnly };
}
