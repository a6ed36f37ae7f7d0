// `for` loops over what is not a `range(...)` written out, as range loops the
// later stages already model: `for x in A` walks A's first axis
// (`for k in range(len(A)): x = A[k]`: a NumPy scalar for a 1-d A and a row
// view otherwise, as iterating the array gives), `enumerate(A[, start])`,
// `zip(A, B, ...)` (up to the shortest: `range(min(len(A), len(B)))`) and
// `reversed(range(...))` with an integer-literal step (the same numbers
// counted the other way: `range(n - 1, -1, -1)`). An iterable that is not a
// name, or a name the loop rebinds, goes to a temporary first: Python iterates
// the object the header evaluated, once. Lists and tuples written out stay
// outside: Numba needs one type per loop variable.
import type { Expr, NameExpr, RangeArgs, Stmt } from './ast.js';
import type { Span } from '../diagnostics.js';

/** The range loop a header means. */
export interface Iteration {
  /** Statements before the loop (temporaries holding the iterated arrays). */
  before: Stmt[];
  counter: NameExpr;
  range: RangeArgs;
  /** Statements that open every iteration (`x = A[k]`). */
  prologue: Stmt[];
}

export interface IterationContext {
  /** A local name the function does not use. */
  fresh: (prefix: string) => string;
  /** Names the loop's body binds (an iterated name among them goes through a temporary). */
  boundInBody: ReadonlySet<string>;
  /** `names = value` as plain assignments (parse/unpack.ts), or why not. */
  unpack: (span: Span, names: Expr[], value: Expr) => Stmt[] | string;
}

const clone = <T>(x: T): T => structuredClone(x);

function num(span: Span, n: number): Expr {
  const lit: Expr = { kind: 'number', span, text: String(Math.abs(n)), numberKind: 'int' };
  return n < 0 ? { kind: 'unary', span, op: '-', operand: lit } : lit;
}

function bin(span: Span, op: '+' | '-' | '*' | '//', left: Expr, right: Expr): Expr {
  return { kind: 'binary', span, op, left, right };
}

function name(span: Span, id: string): NameExpr {
  return { kind: 'name', span, id };
}

function call(span: Span, fn: string, args: Expr[]): Expr {
  return { kind: 'call', span, func: name(span, fn), args, keywords: [] };
}

/** An integer literal's value (`3`, `-2`), or null. */
export function intLiteral(e: Expr | null): number | null {
  if (!e) return null;
  if (e.kind === 'number' && e.numberKind === 'int' && /^\d+$/.test(e.text)) return Number(e.text);
  if (e.kind === 'unary' && e.op === '-') {
    const v = intLiteral(e.operand);
    return v === null ? null : -v;
  }
  return null;
}

/**
 * `reversed(range(a, b, s))` as a range: the same numbers, last first. With
 * s = 1, `range(b - 1, a - 1, -1)`; with another literal s > 0 the last number
 * is a + (b - a - 1) // s * s (for an empty range it lies below a, and the
 * reversed range is empty too), mirrored for s < 0.
 */
export function reversedRange(r: RangeArgs, span: Span): RangeArgs | string {
  const step = r.step ? intLiteral(r.step) : 1;
  if (step === null) return 'reversed(range(...)) is supported with an integer-literal step only';
  if (step === 0) return 'range() step must not be zero';
  const start = r.start ?? num(span, 0);
  const stop = r.stop;
  if (step === 1) return { start: bin(span, '-', clone(stop), num(span, 1)), stop: bin(span, '-', clone(start), num(span, 1)), step: num(span, -1) };
  if (step === -1) return { start: bin(span, '+', clone(stop), num(span, 1)), stop: bin(span, '+', clone(start), num(span, 1)), step: null };
  const k = Math.abs(step);
  const gap = step > 0 ? bin(span, '-', clone(stop), clone(start)) : bin(span, '-', clone(start), clone(stop));
  const offset = bin(span, '*', bin(span, '//', bin(span, '-', gap, num(span, 1)), num(span, k)), num(span, k));
  if (step > 0) return { start: bin(span, '+', clone(start), offset), stop: bin(span, '-', clone(start), num(span, 1)), step: num(span, -k) };
  return { start: bin(span, '-', clone(start), offset), stop: bin(span, '+', clone(start), num(span, 1)), step: num(span, k) };
}

/**
 * The loop binding `target` (a name, or a tuple of names to unpack) to the
 * items of `iter`: enumerate(), zip(), or an array along its first axis.
 */
export function iterationOf(target: Expr, iter: Expr, ctx: IterationContext): Iteration | string {
  const span = iter.span;
  if (iter.kind === 'tuple') return 'loops over a tuple written out are not supported (Numba needs one type per loop variable)';
  const before: Stmt[] = [];
  const targetNames = namesIn(target);
  const sequence = (e: Expr): Expr => {
    if (e.kind === 'name' && !ctx.boundInBody.has(e.id) && !targetNames.includes(e.id)) return e;
    const temp = name(e.span, ctx.fresh('__iterated'));
    before.push({ kind: 'assign', span: e.span, target: temp, value: e, annotation: null });
    return temp;
  };
  const element = (seq: Expr, k: NameExpr): Expr => ({ kind: 'subscript', span: seq.span, value: clone(seq), indices: [clone(k)] });
  const bind = (t: Expr, value: Expr): Stmt[] | string => {
    if (t.kind === 'name') return [{ kind: 'assign', span: t.span, target: clone(t), value, annotation: null }];
    if (t.kind !== 'tuple') return 'a for loop must bind names';
    if (t.elts.some((x) => x.kind !== 'name')) return 'nested unpacking targets in a for loop are not supported';
    return ctx.unpack(t.span, t.elts, value);
  };
  const callOf = (fn: string): (Expr & { kind: 'call' }) | null => (iter.kind === 'call' && iter.func.kind === 'name' && iter.func.id === fn ? iter : null);
  const enumerate = callOf('enumerate');
  if (enumerate) {
    if (enumerate.keywords.length > 0 || enumerate.args.length < 1 || enumerate.args.length > 2) return 'enumerate() takes an array and an optional start, by position';
    if (target.kind !== 'tuple' || target.elts.length !== 2 || target.elts[0].kind !== 'name') return 'a loop over enumerate() must unpack an index name and an item (`for i, x in enumerate(A)`)';
    const [index, item] = target.elts as [NameExpr, Expr];
    const seq = sequence(enumerate.args[0]);
    const start = enumerate.args[1] ?? null;
    const k = start ? name(index.span, ctx.fresh('__position')) : clone(index);
    const prologue: Stmt[] = start ? [{ kind: 'assign', span: index.span, target: clone(index), value: bin(start.span, '+', clone(k), clone(start)), annotation: null }] : [];
    const bound = bind(item, element(seq, k));
    if (typeof bound === 'string') return bound;
    return { before, counter: k, range: { start: null, stop: call(span, 'len', [clone(seq)]), step: null }, prologue: [...prologue, ...bound] };
  }
  const zip = callOf('zip');
  if (zip) {
    if (zip.keywords.length > 0 || zip.args.length < 1) return 'zip() takes arrays by position (strict= is not supported)';
    if (target.kind !== 'tuple' || target.elts.length !== zip.args.length) return `a loop over zip() of ${zip.args.length} arrays must unpack ${zip.args.length} names`;
    const seqs = zip.args.map(sequence);
    const k = name(target.span, ctx.fresh('__position'));
    const prologue: Stmt[] = [];
    for (let j = 0; j < seqs.length; j++) {
      const bound = bind(target.elts[j], element(seqs[j], k));
      if (typeof bound === 'string') return bound;
      prologue.push(...bound);
    }
    const lengths = seqs.map((s) => call(span, 'len', [clone(s)]));
    return { before, counter: k, range: { start: null, stop: lengths.length === 1 ? lengths[0] : call(span, 'min', lengths), step: null }, prologue };
  }
  if (iter.kind === 'call' && iter.func.kind === 'name' && ['reversed', 'sorted', 'iter', 'map', 'filter', 'list', 'tuple', 'set', 'dict', 'range'].includes(iter.func.id)) {
    return `loops over ${iter.func.id}(...) are not supported (only range(), reversed(range()), enumerate(), zip() and arrays)`;
  }
  const seq = sequence(iter);
  const k = name(target.span, ctx.fresh('__position'));
  const bound = bind(target, element(seq, k));
  if (typeof bound === 'string') return bound;
  return { before, counter: k, range: { start: null, stop: call(span, 'len', [clone(seq)]), step: null }, prologue: bound };
}

function namesIn(t: Expr): string[] {
  if (t.kind === 'name') return [t.id];
  if (t.kind === 'tuple') return t.elts.flatMap(namesIn);
  return [];
}
