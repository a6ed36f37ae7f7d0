// `return <whole-array expression>` as `_polyray_ret = <expression>; return
// _polyray_ret` (issues 17/18): the returned value becomes a fresh local bound
// once, which the SCoP models as a temporary (scop/temporaries.ts: the
// operands' shape, checked by the guard) and lower-slices.ts can fill with one
// element loop, instead of Numba's array expression. In Python both forms
// return the same new array; only the variants print the bound form (the
// original is the user's function as written).
//
// Rewritten only at the function's top level (a return in a loop or branch is
// no temporary: bound once, outside loops and ifs), and only for an expression
// that computes a new array elementwise: operators, comparisons, and calls of
// NumPy's elementwise functions. A bare name, a view (`A.T`, `A[1:]`) or any
// other call is returned as written.
import type { Expr, Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction } from '../types/numpy-table.js';

/** The local that holds a returned array expression in the variants. */
export const RETURNED = '_polyray_ret';

/** Rewrites tf's final top-level `return E` in place when E is a new array computed elementwise; whether it did. */
export function bindReturnedArray(tf: TypedFunction): boolean {
  const body = tf.fn.body;
  const last = body[body.length - 1];
  if (!last || last.kind !== 'return' || !last.value || tf.locals.has(RETURNED)) return false;
  const value = last.value;
  const ty = tf.types.get(value);
  if (ty?.kind !== 'array' || ty.ndim === null || ty.ndim === 0 || !ty.dtype || !elementwise(tf, value)) return false;
  const target: Expr = { kind: 'name', span: value.span, id: RETURNED };
  const read: Expr = { kind: 'name', span: value.span, id: RETURNED };
  const bind: Stmt = { kind: 'assign', span: last.span, target, value, annotation: null };
  const ret: Stmt = { kind: 'return', span: last.span, value: read };
  tf.fn = { ...tf.fn, body: [...body.slice(0, -1), bind, ret] };
  tf.locals.set(RETURNED, ty);
  tf.types.set(target, ty);
  tf.types.set(read, ty);
  return true;
}

/** An operator, comparison or NumPy elementwise call at the root: the result is a new array, never a view. */
function elementwise(tf: TypedFunction, e: Expr): boolean {
  if (e.kind === 'binary') return e.op !== '@';
  if (e.kind === 'unary' || e.kind === 'compare') return true;
  if (e.kind !== 'call' || tf.calls.has(e)) return false;
  const f = e.func;
  const numpy = f.kind === 'attribute' && f.value.kind === 'name' && tf.types.get(f.value)?.kind === 'module';
  return numpy && numpyFunction(f.attr)?.loop === 'elementwise' && numpyFunction(f.attr)?.typing !== 'same' && numpyFunction(f.attr)?.typing !== 'astype';
}
