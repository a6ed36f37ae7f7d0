// The dtype argument of an allocation or `.astype()` as scientists write it:
// `dtype=np.float64`, `dtype=float`, `dtype=A.dtype`, `dtype='float64'`, or
// positionally (`np.empty(n, A.dtype)`). The checker resolves it to a dtype
// name where the types tell it, and marks the expression so that every
// variant printer spells it `np.<dtype>` (Numba refuses `dtype=int`,
// `dtype=bool` and `.astype(float)`, which NumPy accepts); `A.dtype` of an
// array whose dtype is known only at run time stays as written (Numba types
// it from the argument).
import type { Expr } from '../parse/ast.js';
import { isDtype, kindOf } from './promotion.js';
import { arrayMethod, numpyFunction } from './numpy-table.js';

/** The Python types NumPy accepts as dtypes: `float` is float64, `int` is NumPy's default int (int64 here). */
export const BUILTIN_TYPE_DTYPES: Record<string, string> = { float: 'float64', int: 'int64', complex: 'complex128', bool: 'bool' };

/** The names NumPy's dtype() reads in a string, for the dtypes Numba compiles. */
const DTYPE_STRINGS: Record<string, string> = {
  ...BUILTIN_TYPE_DTYPES,
  float64: 'float64', float32: 'float32', double: 'float64', single: 'float32', f8: 'float64', f4: 'float32', d: 'float64', f: 'float32',
  int64: 'int64', int32: 'int32', int16: 'int16', int8: 'int8', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8',
  uint64: 'uint64', uint32: 'uint32', uint16: 'uint16', uint8: 'uint8', u8: 'uint64', u4: 'uint32', u2: 'uint16', u1: 'uint8',
  complex128: 'complex128', complex64: 'complex64', c16: 'complex128', c8: 'complex64', bool_: 'bool', '?': 'bool',
};

/** The dtype a string literal names (`'float64'`, `"f4"`), or null (prefixes, byte orders and other dtypes). */
export function dtypeOfString(text: string): string | null {
  const m = /^(['"])(.*)\1$/.exec(text);
  if (!m) return null;
  return DTYPE_STRINGS[m[2]] ?? null;
}

/** Where a call (`numpy.zeros`, `ndarray.astype`) takes its dtype positionally (its table row's dtypeArg). */
export function dtypeArgPosition(qualified: string): number | undefined {
  if (qualified.startsWith('numpy.')) return numpyFunction(qualified.slice(6))?.dtypeArg;
  if (qualified.startsWith('ndarray.')) return arrayMethod(qualified.slice(8))?.dtypeArg;
  return undefined;
}

const spellings = new WeakMap<Expr, string>();

/** Marks a dtype argument to print as `np.<dtype>` in the variants. */
export function markDtype(e: Expr, dtype: string): void {
  spellings.set(e, dtype);
}

/** The dtype a printer spells for this expression (`np.<dtype>`), if it is a resolved dtype argument. */
export function dtypeSpelling(e: Expr): string | undefined {
  return spellings.get(e);
}

/**
 * Why `.astype(to)` on elements of `from` keeps the original, or null when
 * compiled code converts exactly as NumPy does: any dtype to bool (nonzero),
 * integers to integers (both wrap), integers and floats to floats and complex
 * (both round to nearest), complex to complex. A float or complex to an
 * integer is undefined in C outside the integer's range and for NaN (NumPy's
 * and compiled code's results differ there), and complex to a real type
 * drops the imaginary part with a ComplexWarning in NumPy.
 */
/** A real float dtype to an integer one (the conversion runtime/int_helpers.py astype_int checks). */
export function floatToInt(from: string | null, to: string | null): boolean {
  return isDtype(from) && isDtype(to) && kindOf(from) === 'float' && kindOf(to) === 'int';
}

export function astypeRefusal(from: string | null, to: string | null): string | null {
  if (!isDtype(to)) return `.astype() to a dtype known only at run time (an array hinted without a dtype): the conversion cannot be checked`;
  if (!isDtype(from)) return `.astype(np.${to}) of an array of unknown dtype: the conversion cannot be checked`;
  const f = kindOf(from);
  const t = kindOf(to);
  if ((f === 'float' || f === 'complex') && t === 'int') {
    return `.astype(np.${to}) of ${from} elements: NaN and values out of ${to}'s range convert differently in NumPy and in compiled code (undefined in C)`;
  }
  if (f === 'complex' && t === 'float') return `.astype(np.${to}) of ${from} elements drops the imaginary part with NumPy's ComplexWarning, which compiled code does not give`;
  return null;
}
