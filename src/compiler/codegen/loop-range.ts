// A `range(lo, hi, step)` loop as an iteration counter: prange, GPU threads and
// Ray blocks all count iterations 0 <= k < count and recompute v = lo + step*k.
import type { Expr, ForStmt } from '../parse/ast.js';

export interface RangeParts {
  lo: string;
  step: string;
  count: string;
  /** The step is the literal 1 and the start 0: `range(n)`. */
  plain: boolean;
}

/** Value of a constant step (`2`, `-1`), or null when it is not a literal. */
export function literalStep(step: Expr | null): number | null {
  if (!step) return 1;
  if (step.kind === 'number' && step.numberKind === 'int') return Number(step.text);
  if (step.kind === 'unary' && step.op === '-' && step.operand.kind === 'number' && step.operand.numberKind === 'int') return -Number(step.operand.text);
  return null;
}

export function rangeParts(s: ForStmt, print: (e: Expr) => string): RangeParts | null {
  const { start, stop, step } = s.range;
  const st = literalStep(step);
  if (st === null || st === 0) return null;
  const lo = start ? print(start) : '0';
  const hi = print(stop);
  const count = st > 0 ? `max(0, ((${hi}) - (${lo}) + ${st - 1}) // ${st})` : `max(0, ((${lo}) - (${hi}) + ${-st - 1}) // ${-st})`;
  return { lo, step: String(st), count, plain: !start && !step };
}

/**
 * The body of a parallel loop whose inner loops shrink or grow with its
 * iterator (a triangular nest: `for j in range(i, m)`) has iterations of
 * unequal cost, and prange hands each thread one contiguous chunk: with two
 * threads the first gets 3/4 of the work. Folding the counter pairs the
 * first iteration with the last, the second with the one before, and so on
 * (0, n-1, 1, n-2, ...), so every chunk gets about the same work. The loop is
 * parallel, so the order of its iterations does not matter.
 *
 * `k` is the signed counter and `n` the iteration count (a name: it is read
 * twice); returns the iteration index that counter runs.
 */
export function foldedCounter(k: string, n: string): string {
  return `(${k} // 2 if ${k} % 2 == 0 else ${n} - 1 - ${k} // 2)`;
}
