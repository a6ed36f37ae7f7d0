// The result dtype of a ufunc call on float32 arrays (issue 17: float32 stays
// float32 through np.exp, np.maximum(x, 0), np.sqrt ... so the reductions and
// operators after them know it). NumPy 2 (NEP 50): a float32 array with Python
// scalars computes in float32, with float64 arrays in float64. Numba types a
// Python float beside a float32 array as float64 (np.maximum(x, 0.0) would be
// float64 compiled), so a two-operand call takes its promotion plan from
// types/nep50.ts, whose casts print the Python scalar as np.float32. Pure.
import type { TableRow } from './numpy-table.js';
import { planBinary, UFUNC_AS_OPERATOR, type Plan, type Side } from './nep50.js';
import type { Ty } from './ty.js';

/**
 * Float-only ufuncs whose two operands promote as `/` does here: the operands
 * are float arrays and Python or 64-bit NumPy numbers (with integer NumPy
 * scalars np.arctan2 and `/` differ, so scalar-ufunc.ts does not take this).
 */
const FLOAT_AS_DIVIDE = new Set(['hypot', 'arctan2']);

export type NarrowUfunc =
  /** a float32 computation: the result's dtype, and the plan for a two-operand call's casts */
  | { dtype: string; plan: Plan | null }
  /** not a float32 computation the subset follows: the checker's other rules apply */
  | null;

/**
 * The dtype of `np.<row>(args)` when a float32 array takes part; null when
 * none does, or when an operand is not a float array or a Python number
 * (the checker then leaves the dtype unknown, as before).
 */
export function narrowFloatUfunc(row: TableRow, args: Ty[], side: (k: number) => Side): NarrowUfunc {
  const rule = row.ufunc;
  if (!rule || rule.bool || rule.compare || args.length === 0 || args.length > 2) return null;
  const arrays = args.filter((t): t is Ty & { kind: 'array' } => t.kind === 'array');
  if (!arrays.some((t) => t.dtype === 'float32')) return null;
  if (!arrays.every((t) => t.dtype === 'float32' || t.dtype === 'float64')) return null;
  // Python numbers (weak), and NumPy scalars (strong: np.float32 beside a float32 array stays float32, np.float64 promotes)
  const numberOperand = (t: Ty): boolean => t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float')
    && (t.origin === 'py' || (t.origin === 'np' && (t.dtype === undefined || t.dtype === 'float32' || t.dtype === 'float64' || t.dtype === 'int64')));
  if (!args.every((t) => t.kind === 'array' || numberOperand(t))) return null;
  const strongScalar64 = args.some((t) => t.kind === 'scalar' && t.origin === 'np' && t.dtype !== 'float32');
  const dtype = arrays.some((t) => t.dtype === 'float64') || strongScalar64 ? 'float64' : 'float32';
  if (args.length === 1) return { dtype, plan: null };
  const op = UFUNC_AS_OPERATOR[row.name] ?? (FLOAT_AS_DIVIDE.has(row.name) ? '/' : null);
  if (op === null) return null;
  const plan = planBinary(op, side(0), side(1));
  if (plan.error || plan.dtype !== dtype) return null;
  return { dtype, plan };
}
