// Periodic and divided subscripts (`u[(i + 1) % n]`, `u[i % 3]`, `u[i // 2]`),
// as scientists write periodic boundaries and coarse grids. isl divides by
// integer constants: `e % c` and `e // c` with e affine and c a positive literal
// are exact accesses (isl's `mod` and `floor` floor as Python's do). By
// anything else (`% n`, n a parameter or a size) isl cannot: for c >= 1 Python's
// `e % c` lies in [0, c), so the access is a may-access of that range of the
// dimension, whatever e is; the bounds guard requires 1 <= c <= extent where it
// runs, so neither a ZeroDivisionError nor a negative index can happen there
// (the original runs otherwise, and raises as Python does). Only this access
// is approximated: the statement's other accesses stay exact.
import type { Expr } from '../parse/ast.js';
import { affIsConst, affToIsl, type Aff } from './affine.js';

export type WrappedIndex =
  /** An exact index (isl expression with mod or floor). */
  | { kind: 'exact'; index: string }
  /** Any element of [0, divisor): constraints on o<d>, bounds the guard checks (>= 0), the `%` it makes safe. */
  | { kind: 'range'; constraints: string[]; nonNegative: string[]; division: Expr & { kind: 'binary' } };

/**
 * `e % c` / `e // c` as an index of a dimension with extent `extent` (isl),
 * or null when the subscript is no such division (the caller approximates it
 * by the whole array). `aff` reads an affine expression or null.
 */
export function wrappedIndex(ix: Expr, dim: number, extent: string, aff: (e: Expr) => Aff | null, isInt: (e: Expr) => boolean): WrappedIndex | null {
  if (ix.kind !== 'binary' || (ix.op !== '%' && ix.op !== '//') || !isInt(ix.left) || !isInt(ix.right)) return null;
  const divisor = aff(ix.right);
  if (!divisor) return null;
  const dividend = aff(ix.left);
  const literal = affIsConst(divisor) && divisor.constant > 0 ? divisor.constant : null;
  if (literal !== null && dividend) {
    const e = affToIsl(dividend);
    return { kind: 'exact', index: ix.op === '%' ? `(${e}) mod ${literal}` : `floor((${e})/${literal})` };
  }
  if (ix.op !== '%') return null;
  const d = affToIsl(divisor);
  return {
    kind: 'range',
    constraints: [`0 <= o${dim} < ${d}`],
    // 1 <= d (no ZeroDivisionError, no negative index) and d <= extent
    nonNegative: [`${d} - 1`, `${extent} - (${d})`],
    division: ix,
  };
}
