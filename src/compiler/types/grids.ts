// np.mgrid[a:b, c:d, ...] (issue 17): the dense grid of integer coordinates, as
// a helper call (python-bridge/polyray/runtime/array_helpers.py `mgrid`; Numba has
// no mgrid). Integer bounds and steps only: NumPy's float and complex-step forms
// count their points in floating point (a linspace), which is not built here.

import type { Span } from '../diagnostics.js';
import type { Expr } from '../parse/ast.js';
import type { Ty } from './ty.js';

/** The typing of `np.mgrid[...]`: the helper's arguments and the result, or why it is refused. */
export function mgridRule(e: Expr & { kind: 'subscript' }): { args: Expr[]; result: Ty } | { error: string } {
  const k = e.indices.length;
  if (k < 1 || k > 3) return { error: 'np.mgrid[...] is supported with one to three slices' };
  const starts: Expr[] = [];
  const stops: Expr[] = [];
  const steps: Expr[] = [];
  for (const [j, s] of e.indices.entries()) {
    if (s.kind !== 'slice' || s.upper === null) return { error: 'np.mgrid[...] takes slices with a stop (a:b or a:b:step)' };
    // (the checker requires each part of a slice to be an int: float and complex steps are refused there)
    // (a zero step: ZeroDivisionError in NumPy and in the helper)
    starts.push(s.lower ?? num(s.span, '0'));
    stops.push(s.upper);
    steps.push(s.step ?? num(s.span, '1'));
  }
  const tuple = (elts: Expr[]): Expr => ({ kind: 'tuple', span: e.span, elts: elts.map((x) => structuredClone(x)) });
  return { args: [tuple(starts), tuple(stops), tuple(steps)], result: { kind: 'array', dtype: 'int64', ndim: k === 1 ? 1 : k + 1 } };
}

function num(span: Span, text: string): Expr {
  return { kind: 'number', span, text, numberKind: 'int' } as Expr;
}
