// Static ranges of integer expressions, so that bit manipulation with masks
// (`crc & 0x0001`, `(~crc & 0xFFFF) << 8`, `h % 65521`) is not refused for
// what could only happen to values it cannot hold: a Python int meeting a
// narrow NumPy integer must fit it (NumPy 2 raises OverflowError otherwise),
// and `<<` on Python ints must stay within 64 bits (Numba would wrap).
// Only rules that hold for every value of the operands: `x & c` with c >= 0
// lies in [0, c] whatever x is (also negative, in two's complement), `x % c`
// with c > 0 in [0, c - 1]; `+`, `-`, `<<` only on Python ints, which do not
// wrap. Locals' ranges come from their last assignment on the straight-line
// path (IntRanges), forgotten where a loop or branch may have changed them.
import { boundNames, type Expr, type Stmt } from '../parse/ast.js';

export type Range = readonly [bigint, bigint];

export const INT64: Range = [-(2n ** 63n), 2n ** 63n - 1n];

export function within(r: Range | null, bounds: Range): boolean {
  return r !== null && r[0] >= bounds[0] && r[1] <= bounds[1];
}

function literal(e: Expr): bigint | null {
  if (e.kind !== 'number' || e.numberKind !== 'int') return null;
  try {
    return BigInt(e.text.replace(/_/g, ''));
  } catch {
    return null;
  }
}

/** The smallest all-ones number at least n: the bound of `a | b` and `a ^ b` for 0 <= a, b <= n. */
function ones(n: bigint): bigint {
  let m = 0n;
  while (m < n) m = m * 2n + 1n;
  return m;
}

/**
 * The range of an integer expression, or null when it is not known.
 * `known` gives a local's range; `pyInt` says whether an expression is a
 * Python int (arithmetic that could wrap in a NumPy integer is bounded only then).
 */
export function staticRange(e: Expr, known: (name: string) => Range | undefined, pyInt: (x: Expr) => boolean, called?: (call: Expr) => Range | null): Range | null {
  const r = (x: Expr): Range | null => staticRange(x, known, pyInt, called);
  const v = literal(e);
  if (v !== null) return [v, v];
  if (e.kind === 'name') return known(e.id) ?? null;
  // a call of a module function: the range of what it returns (types/calls.ts)
  if (e.kind === 'call') return called?.(e) ?? null;
  // either branch's value (an inlined `if c: return 1` / `return 0`, parse/inline-calls.ts)
  if (e.kind === 'ifexp') {
    const [a, b] = [r(e.body), r(e.orelse)];
    return a && b && pyInt(e) ? [a[0] < b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1]] : null;
  }
  if (e.kind === 'unary' && e.op === '-') {
    const a = r(e.operand);
    return a && pyInt(e) ? [-a[1], -a[0]] : null;
  }
  if (e.kind === 'unary' && e.op === '~') {
    const a = r(e.operand);
    return a && pyInt(e) ? [-a[1] - 1n, -a[0] - 1n] : null;
  }
  if (e.kind !== 'binary') return null;
  const [a, b] = [r(e.left), r(e.right)];
  const nonNegative = (x: Range | null): x is Range => x !== null && x[0] >= 0n;
  switch (e.op) {
    case '&': {
      const his = [a, b].filter(nonNegative).map((x) => x[1]);
      return his.length ? [0n, his.reduce((p, q) => (p < q ? p : q))] : null;
    }
    case '|':
    case '^':
      return nonNegative(a) && nonNegative(b) ? [0n, ones(a[1] > b[1] ? a[1] : b[1])] : null;
    case '%': {
      const c = literal(e.right);
      return c !== null && c > 0n ? [0n, c - 1n] : null;
    }
    case '>>': {
      const k = literal(e.right);
      return nonNegative(a) && k !== null && k >= 0n && k < 64n ? [a[0] >> k, a[1] >> k] : null;
    }
    case '<<': {
      const k = literal(e.right);
      return nonNegative(a) && k !== null && k >= 0n && k < 64n && pyInt(e) ? [a[0] << k, a[1] << k] : null;
    }
    case '+':
      return a && b && pyInt(e) ? [a[0] + b[0], a[1] + b[1]] : null;
    case '-':
      return a && b && pyInt(e) ? [a[0] - b[1], a[1] - b[0]] : null;
    default:
      return null;
  }
}

/**
 * Ranges of Python int locals along the checker's walk: set by an assignment
 * whose value has one, forgotten by any other; a loop forgets what its body
 * binds (before it, for the back edge, and after it), an if what either
 * branch binds.
 */
export class IntRanges {
  private ranges = new Map<string, Range>();

  get(name: string): Range | undefined {
    return this.ranges.get(name);
  }

  clear(): void {
    this.ranges.clear();
  }

  assigned(name: string, r: Range | null): void {
    if (r) this.ranges.set(name, r);
    else this.ranges.delete(name);
  }

  /** Around a loop: `run` checks its body. */
  loop(s: Stmt & { kind: 'for' | 'while' }, run: () => void): void {
    const bound = boundNames(s.body);
    if (s.kind === 'for') bound.add(s.target.id);
    for (const n of bound) this.ranges.delete(n);
    run();
    for (const n of bound) this.ranges.delete(n);
  }

  /** Around an if: each branch starts from the ranges before it. */
  branches(s: Stmt & { kind: 'if' }, body: () => void, orelse: () => void): void {
    const before = new Map(this.ranges);
    body();
    this.ranges = new Map(before);
    orelse();
    this.ranges = before;
    for (const n of boundNames([...s.body, ...s.orelse])) this.ranges.delete(n);
  }
}
