// `R ** K` on Python ints (issue 17, NPBench stockham_fft's `R**K`, `R**(K - i - 1)`):
// CPython computes an exact big int, and a negative exponent gives a float; compiled
// code computes in int64 and would wrap around. When the base is built from int
// parameters and the exponent from int parameters and the counters of enclosing
// `range` loops with parameter bounds, the dispatcher can check before the call that
// every power the function computes is a non-negative exponent and fits in int64:
// the exponent is affine in each counter, so its extremes are at the ends of the
// counters' ranges, and the guard (a Python expression, run by the dispatcher)
// tests each combination of ends. When it fails, the original runs.
import { walkExpr, walkStmts, type Expr, type FunctionDef, type ForStmt } from '../parse/ast.js';

const INT64_MAX = '9223372036854775807';

/** A Python expression of the forms this module accepts: names, int literals, + - * and unary minus. */
function text(e: Expr, subst: Map<string, string>): string | null {
  switch (e.kind) {
    case 'name':
      return subst.get(e.id) ?? e.id;
    case 'number':
      return e.numberKind === 'int' ? e.text : null;
    case 'unary': {
      const x = e.op === '-' ? text(e.operand, subst) : null;
      return x === null ? null : `(-${x})`;
    }
    case 'binary': {
      if (!['+', '-', '*'].includes(e.op)) return null;
      const l = text(e.left, subst);
      const r = text(e.right, subst);
      return l === null || r === null ? null : `(${l} ${e.op} ${r})`;
    }
    default:
      return null;
  }
}

/** The names an expression reads. */
function names(e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (x) => { if (x.kind === 'name') out.add(x.id); });
  return out;
}

/**
 * The guard under which `e` (a `**` of Python ints) never leaves int64 nor
 * gets a negative exponent, or null when its operands are not of the forms above.
 * `intParams`: the function's Python int parameters that it never rebinds.
 */
export function intPowerGuard(fn: FunctionDef, e: Expr & { kind: 'binary' }, intParams: ReadonlySet<string>): string | null {
  const assigned = new Set<string>();
  const loops: ForStmt[] = [];
  walkStmts(fn.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') assigned.add(s.target.id);
    // a parameter rebound as a loop counter is no longer the value the guard sees
    if (s.kind === 'for' && intParams.has(s.target.id)) assigned.add(s.target.id);
    if (s.kind === 'for' && s.span.start <= e.span.start && e.span.end <= s.span.end) loops.push(s);
  });
  const paramOnly = (x: Expr | null): boolean => x === null || [...names(x)].every((n) => intParams.has(n) && !assigned.has(n));
  if (!paramOnly(e.left) || text(e.left, new Map()) === null) return null;
  // the counters the exponent reads: enclosing loops over range(a, b) with parameter bounds and a unit step
  const counters: { name: string; lo: string; hi: string; nonEmpty: string }[] = [];
  for (const n of names(e.right)) {
    if (intParams.has(n) && !assigned.has(n)) continue;
    const loop = loops.find((l) => l.target.id === n);
    if (!loop || assigned.has(n) || !paramOnly(loop.range.start) || !paramOnly(loop.range.stop)) return null;
    if (loop.range.step !== null && !(loop.range.step.kind === 'number' && loop.range.step.text === '1')) return null;
    const a = loop.range.start ? text(loop.range.start, new Map()) : '0';
    const b = text(loop.range.stop, new Map());
    if (a === null || b === null) return null;
    counters.push({ name: n, lo: a, hi: `(${b} - 1)`, nonEmpty: `${a} < ${b}` });
  }
  if (counters.length > 2) return null;
  const base = text(e.left, new Map())!;
  const corners: string[] = [];
  for (let mask = 0; mask < 1 << counters.length; mask++) {
    const subst = new Map(counters.map((c, k) => [c.name, mask & (1 << k) ? c.hi : c.lo]));
    const x = text(e.right, subst);
    if (x === null) return null;
    corners.push(`(${x} >= 0 and (abs(${base}) <= 1 or (${x} <= 63 and abs(${base}) ** ${x} <= ${INT64_MAX})))`);
  }
  const fits = corners.join(' and ');
  return counters.length === 0 ? fits : `(not (${counters.map((c) => c.nonEmpty).join(' and ')}) or (${fits}))`;
}
