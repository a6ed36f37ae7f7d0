// Keyword and positional arguments of NumPy calls that the typing rules do not
// read, but that change what the call does: `out=` (and a ufunc's positional
// output, `np.maximum(a, b, c)`) writes an array the checker would not see
// written, `where=` leaves elements unwritten, `dtype=` where the row takes no
// dtype argument (np.sum(x, dtype=np.float32)) changes the arithmetic,
// `casting=`, `initial=`, `order=`, `subok=`, `signature=` likewise. Such calls
// keep the original, with a diagnostic at the call; the keywords a row's
// typing reads (`axis=`, `keepdims=`, `ddof=`, `dtype=` of an allocation) pass.
import type { TableRow } from './numpy-table.js';

const CHANGES_THE_CALL = new Set(['out', 'where', 'casting', 'initial', 'order', 'subok', 'signature', 'extobj']);

/**
 * NumPy ufuncs of two inputs (`nin == 2`): a third positional argument is their
 * output. np.where takes three inputs; every other ufunc of the table one.
 */
const TWO_INPUTS = new Set([
  'maximum', 'minimum', 'fmax', 'fmin', 'hypot', 'arctan2', 'power', 'float_power', 'copysign', 'nextafter', 'ldexp',
  'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'mod', 'remainder', 'fmod', 'logaddexp',
  'logaddexp2', 'heaviside', 'gcd', 'lcm', 'logical_and', 'logical_or', 'logical_xor', 'bitwise_and', 'bitwise_or',
  'bitwise_xor', 'left_shift', 'right_shift', 'greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal',
]);

/**
 * The typing rules that read no keyword but `axis=`, `keepdims=`, `ddof=` and
 * an allocation's `dtype=`; rules that read more (np.linspace's dtype=,
 * np.reshape's order=) check their own keywords.
 */
const PLAIN_RULES = new Set(['ufunc', 'reduction', 'dot', 'matmul', 'outer', 'same', 'flat', 'scan', 'alloc', 'full', 'alloc_like', 'item', 'fill', 'astype']);

/** How many inputs a ufunc row takes (its further positional argument is the output). */
export function ufuncInputs(row: TableRow): number {
  return row.name === 'where' ? 3 : TWO_INPUTS.has(row.name) ? 2 : 1;
}

/** Why a call of `row` with these keywords and this many positional arguments keeps the original, or null. */
export function callArgumentRefusal(row: TableRow, call: string, keywords: string[], positional: number): string | null {
  if (!PLAIN_RULES.has(row.typing)) return null;
  for (const k of keywords) {
    if (CHANGES_THE_CALL.has(k) || (k === 'dtype' && row.dtypeArg === undefined)) {
      return `${call}(..., ${k}=...): the keyword changes what NumPy computes or writes, which compiled code does not reproduce here`;
    }
  }
  if (row.where === 'numpy' && row.typing === 'ufunc') {
    const nin = ufuncInputs(row);
    if (positional > nin) return `${call}() with an output argument: write the result by assignment (c[:] = ${call}(...))`;
  }
  return null;
}
