// NumPy 2 computes a uint8 + 1 in uint8 (wrapping around) and float32 * 0.1 in
// float32; Numba widens scalar integers to 64 bits and reads 0.1 as a
// float64. The typing stage marks where the generated code must name the
// dtype: a Python scalar beside a narrow operand is cast to the promoted dtype
// (`np.uint32(9) * a`: Numba's array expressions then pick NumPy's own loop),
// and a result of a narrow dtype is cast back after each operation
// (`np.uint8(x + y)`: truncating the exact 64-bit value is NumPy's
// wraparound; rounding a float64 sum, difference, product or quotient of two
// float32 values is float32 arithmetic). Numba's fused array expressions
// compute integer intermediates in 64 bits too ((a + b) // 2 on uint16 arrays
// does not wrap a + b), so a narrow integer array result is cast back with
// `.astype` (float32 ones are computed in float32 there: measured, no cast).
// The marks live beside the nodes, like
// their spans, so every printer of the same function (CPU, GPU, Ray,
// rescheduled and element-wise forms) applies them.
import type { Expr, Stmt } from '../parse/ast.js';
import type { Dtype } from './promotion.js';

export interface NumericCast {
  dtype: Dtype;
  /**
   * The node is an array: `np.<dtype>(x)` where it prints element by element
   * (lowered slice statements), `x.astype(np.<dtype>)` for an integer dtype
   * elsewhere, nothing for a float one.
   */
  array: boolean;
  /** An array operand converted before the operation: `.astype` outside element loops whatever the dtype. */
  operand?: boolean;
  /**
   * A Python int computed in the function meeting this integer dtype, whose range analysis cannot show
   * it fits: printed `np.<dtype>(fit_int(x, lo, hi))` (runtime/int_helpers.py), which leaves a value out
   * of [lo, hi] to the original (NumPy 2 raises OverflowError there, compiled code would wrap around).
   */
  checked?: readonly [bigint, bigint];
}

const casts = new WeakMap<Expr | Stmt, NumericCast>();

/** Marks `node` (an expression, or an augmented assignment on a scalar) to print as `np.<dtype>(...)`. */
export function markCast(node: Expr | Stmt, cast: NumericCast): void {
  casts.set(node, cast);
}

export function unmarkCast(node: Expr | Stmt): void {
  casts.delete(node);
}

export function castOf(node: Expr | Stmt): NumericCast | undefined {
  return casts.get(node);
}
