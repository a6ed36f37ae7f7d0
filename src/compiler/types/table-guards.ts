// Argument forms for which a row of the NumPy table (numpy-table.ts) relies on a
// guard over the parameters' sizes (poly/table-preconditions.ts prints it):
// the checker accepts the call only in these forms.
import type { Expr } from '../parse/ast.js';

/**
 * np.cov's argument as the parameter whose dimension holds the variables: `P`
 * (its rows), `P.T` or `np.transpose(P)` (its columns); null for any other form.
 * `isMatrixParam` says whether a name is a 2-d array parameter, `isModule` whether it is numpy.
 */
export function covVariables(arg: Expr, isMatrixParam: (name: string) => boolean, isModule: (e: Expr) => boolean): { param: string; dim: number } | null {
  const isParam = (e: Expr): e is Expr & { kind: 'name' } => e.kind === 'name' && isMatrixParam(e.id);
  if (isParam(arg)) return { param: arg.id, dim: 0 };
  if (arg.kind === 'attribute' && arg.attr === 'T' && isParam(arg.value)) return { param: arg.value.id, dim: 1 };
  if (arg.kind === 'call' && arg.func.kind === 'attribute' && arg.func.attr === 'transpose' && isModule(arg.func.value)
    && arg.args.length === 1 && arg.keywords.length === 0 && isParam(arg.args[0])) {
    return { param: arg.args[0].id, dim: 1 };
  }
  return null;
}
