// Locals that only name a size: `n = A.shape[0]`, `m = n - 1`, assigned once
// at the function's top level before any use, from int parameters that are
// never reassigned, array shapes, `len()` and integer literals with + - *.
// NumPy code reads shapes into locals first; the SCoP and the guard see
// through them to the parameters (the guard runs before the body, so it
// prints the defining expression in place of the name).
import { assignmentCounts, stmtExprs, walkExpr, walkStmts, type Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';

/** name -> its defining expression, in terms of parameters and earlier such locals. */
export function invariantLocals(tf: TypedFunction): Map<string, Expr> {
  const out = new Map<string, Expr>();
  const assignments = assignmentCounts(tf.fn.body);
  const intParams = new Set(tf.params.filter((p) => p.kind === 'int' && !assignments.has(p.name)).map((p) => p.name));
  const arrayParams = new Set(tf.params.filter((p) => p.kind === 'array').map((p) => p.name));
  const sizeExpr = (e: Expr): boolean => {
    let ok = true;
    walkExpr(e, (x) => {
      if (x.kind === 'name') {
        // (`len` itself: the walk visits the callee's name of `len(A)`, checked below)
        if (!intParams.has(x.id) && !arrayParams.has(x.id) && !out.has(x.id) && x.id !== 'len') ok = false;
      } else if (x.kind === 'attribute') {
        if (x.attr !== 'shape' || x.value.kind !== 'name' || !arrayParams.has(x.value.id)) ok = false;
      } else if (x.kind === 'subscript') {
        if (!(x.value.kind === 'attribute' && x.value.attr === 'shape' && x.indices.length === 1 && x.indices[0].kind === 'number')) ok = false;
      } else if (x.kind === 'call') {
        if (!(x.func.kind === 'name' && x.func.id === 'len' && x.args.length === 1 && x.args[0].kind === 'name' && arrayParams.has(x.args[0].id))) ok = false;
      } else if (x.kind === 'number') {
        if (x.numberKind !== 'int') ok = false;
      } else if (!(x.kind === 'binary' && ['+', '-', '*'].includes(x.op)) && !(x.kind === 'unary' && x.op === '-')) {
        ok = false;
      }
    });
    return ok;
  };
  const seen = new Set<string>();
  // top-level statements in order: a name read before its assignment is no invariant
  for (const s of tf.fn.body) {
    if (s.kind === 'assign' && s.target.kind === 'name' && assignments.get(s.target.id) === 1 && !seen.has(s.target.id) && sizeExpr(s.value)) {
      const t = tf.locals.get(s.target.id);
      if (t?.kind === 'scalar' && t.scalar === 'int') out.set(s.target.id, s.value);
    }
    walkStmts([s], (x) => {
      for (const e of stmtExprs(x)) walkExpr(e, (y) => { if (y.kind === 'name') seen.add(y.id); });
    });
  }
  return out;
}
