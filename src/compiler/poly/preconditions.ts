// CPython-semantics helpers whose operands are scalar parameters only (loop
// invariants such as `math.sqrt(float_n)` or `alpha / beta`) can be checked
// once, before the call: if the dispatcher's guard finds that they cannot
// raise, the loops around them may run in parallel after all.
import { walkExpr, type Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { PythonPrinter } from '../codegen/python-printer.js';

export interface Precondition {
  /** A Python expression over the parameters that holds when the helper cannot raise. */
  condition: string;
  why: string;
}

/** The condition under which each param-only helper call cannot raise; helpers not listed may. */
export function helperPreconditions(tf: TypedFunction): Map<Expr, Precondition> {
  const scalars = new Set(tf.params.filter((p) => p.kind === 'int' || p.kind === 'float').map((p) => p.name));
  const paramOnly = (e: Expr): boolean => {
    let ok = true;
    walkExpr(e, (x) => {
      if (x.kind === 'name' && !scalars.has(x.id) && tf.types.get(x)?.kind !== 'module') ok = false;
      if (x.kind === 'subscript' || x.kind === 'call' && x.func.kind !== 'attribute') ok = false;
    });
    return ok;
  };
  const print = new PythonPrinter();
  const out = new Map<Expr, Precondition>();
  for (const [e, h] of tf.helpers) {
    if (e.kind === 'binary' && literalDivisor(tf, e)) {
      // `m // 2`, `k % 3` of Python ints: no ZeroDivisionError, and Numba's int `//` and `%` floor as CPython's do
      out.set(e, { condition: ALWAYS, why: `${print.expr(e)} cannot raise` });
      continue;
    }
    const args = e.kind === 'binary' ? [e.left, e.right] : e.kind === 'call' ? e.args : [];
    if (args.length === 0 || !args.every(paramOnly)) continue;
    const a = `(${print.expr(args[0])})`;
    const b = args[1] ? `(${print.expr(args[1])})` : '';
    const text = print.expr(e);
    const cond: Record<string, string> = {
      sqrt: `${a} >= 0`,
      log: `${a} > 0`,
      log10: `${a} > 0`,
      log2: `${a} > 0`,
      acos: `-1 <= ${a} <= 1`,
      asin: `-1 <= ${a} <= 1`,
      truediv: `${b} != 0`,
      floordiv: `${b} != 0`,
      mod: `${b} != 0`,
    };
    if (cond[h.helper]) out.set(e, { condition: cond[h.helper], why: `${text} would raise` });
  }
  return out;
}

/** The condition of a helper call that cannot raise whatever the arguments (the guard leaves it out). */
export const ALWAYS = 'True';

/** `a // k` or `a % k` of Python ints with k a non-zero int literal. */
function literalDivisor(tf: TypedFunction, e: Expr & { kind: 'binary' }): boolean {
  if (e.op !== '//' && e.op !== '%') return false;
  const pyInt = (x: Expr): boolean => { const t = tf.types.get(x); return t?.kind === 'scalar' && t.scalar === 'int' && t.origin === 'py'; };
  const k = e.right;
  const literal = k.kind === 'number' && k.numberKind === 'int' && !/^0+$|^0[xob]0+$/i.test(k.text.replace(/_/g, ''));
  return literal && pyInt(e.left) && pyInt(k);
}
