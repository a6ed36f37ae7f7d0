// np.reshape / .reshape() whose result is only an operand (issue 17, stockham_fft's
// `np.reshape(np.transpose(yv, axes), (N,)) * np.reshape(D, (N,))`): NumPy returns
// a view where it can and a copy otherwise, and compiled code can only view a
// C-contiguous array (array_helpers.reshape; for others the variant does not
// compile). Where the result is read once as an operand of an operator or of a
// NumPy function that computes a new array, no one can see whether it was a view
// or a copy, so `reshape_value` may copy a non-contiguous array first: the same
// values in the same order. Bound to a name, returned, passed to a module function
// or to a view (np.transpose), the result keeps `reshape`.
import { childExprs, stmtExprs, walkStmts, type Expr, type FunctionDef } from '../parse/ast.js';
import type { Semantics } from './typed-function.js';

/** Switches the reshape helper of operand-only reshapes to reshape_value. `computes(call)`: a NumPy call making a new array. */
export function reshapeOperands(fn: FunctionDef, helpers: Map<Expr, Semantics>, computes: (call: Expr & { kind: 'call' }) => boolean): void {
  const visit = (e: Expr, parentReads: boolean): void => {
    const h = helpers.get(e);
    if (h?.helper === 'reshape' && parentReads) helpers.set(e, { ...h, helper: 'reshape_value' });
    const reads = e.kind === 'binary' || e.kind === 'compare' || (e.kind === 'call' && computes(e));
    for (const c of childExprs(e)) visit(c, reads && !(e.kind === 'call' && c === e.func));
  };
  walkStmts(fn.body, (s) => {
    for (const root of stmtExprs(s)) visit(root, false);
  });
}
