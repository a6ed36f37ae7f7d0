// Local accumulators (issue 16): an innermost loop that updates one array
// element on every iteration (`y[i] += A[i, j] * x[j]` over j, `s[j] = s[j] +
// r[i] * A[i, j]` over i) reads and writes memory each time, and LLVM cannot
// keep the element in a register while it cannot prove it apart from the
// arrays the loop reads. The CPU variant loads the element into a local
// before the loop, updates the local, and stores it once after:
//
//   if <the loop runs>:
//       _polyray_acc_y_9 = y[i]
//       for j in range(n):
//           _polyray_acc_y_9 += A[i, j] * x[j]
//       y[i] = _polyray_acc_y_9
//
// The same operations in the same order on the same values: exact, so both
// numerics modes do it. What makes it so, checked here:
// - the location is the same on every iteration: every access to the array in
//   the loop prints the same index, which reads neither the loop's variable
//   nor a name the loop assigns (names, numbers and arithmetic only);
// - nothing else reaches the location: every array the loop touches is a
//   parameter (the dispatcher sends calls with a written array sharing memory
//   with another argument to the original: runtime/guards.py) or a fresh
//   allocation of the function; the array appears in the loop only through
//   that element; no call of another function;
// - nothing can raise midway (the partial store would be missing): the caller
//   applies it only behind the bounds guard (no IndexError), and the loop holds
//   no helper with CPython's exceptions, no break, continue or return;
// - the element is written unconditionally on every iteration by a statement
//   of the loop's own body, so the load and the store touch an element the
//   original touches (in bounds by the guard), and only when the loop runs;
// - the local keeps the element's dtype: float64 or int64 elements, every
//   value stored of that kind or one that widens to it exactly as Numba types
//   the local (no per-iteration narrowing cast that the local would skip).
import { childExprs, walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import type { Ty } from '../types/ty.js';
import { simdSumNote, type CloseNote } from '../numerics.js';
import { PythonPrinter } from './python-printer.js';

export interface LocalAccumulator {
  array: string;
  /** The local's name. */
  name: string;
  /** Every subscript of the loop body that reads or writes the element (printed as the local). */
  nodes: Expr[];
  /** The element as it prints (`y[i]`), for the load and the store. */
  text: string;
}

/** A loop body's statement and how its expressions print (the isl printer substitutes loop variables per statement). */
export interface PrintedStmt {
  stmt: Stmt;
  print: (e: Expr) => string;
}

export interface AccumulatorContext {
  tf: TypedFunction;
  /** Helper calls the guard has shown cannot raise (computed natively). */
  native: ReadonlySet<Expr>;
  /** Local arrays that are fresh allocations (scop localShapes): apart from every other array. */
  fresh: ReadonlySet<string>;
}

/**
 * The elements an innermost loop may accumulate in locals; `iterator` is the
 * loop variable as it prints, `tag` makes the locals' names unique.
 */
export function localAccumulators(ctx: AccumulatorContext, body: PrintedStmt[], iterator: string, tag: string): LocalAccumulator[] {
  const { tf } = ctx;
  if (body.length === 0) return [];
  // names the loop binds (its locals): an index reading one is not invariant
  const bound = new Set<string>();
  let plain = true;
  walkStmts(body.map((b) => b.stmt), (s) => {
    if (s.kind === 'for' || s.kind === 'while' || s.kind === 'break' || s.kind === 'continue' || s.kind === 'return') plain = false;
    if (s.kind === 'expr' && s.value.kind !== 'string') plain = false;
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') bound.add(s.target.id);
    if ((s.kind === 'assign' || s.kind === 'augassign') && (tf.augHelpers.has(s) || tf.arrayAug.has(s))) plain = false;
    if (s.kind === 'assign' && s.unpackedLength !== undefined) plain = false;
  });
  if (!plain) return [];
  // every expression: no call but abs/min/max, no helper that may raise, scalar subscripts only
  const arrays = new Set<string>();
  let safe = true;
  forEachExpr(body, (e) => {
    if (tf.helpers.has(e) && !ctx.native.has(e)) safe = false;
    if (tf.calls.has(e)) safe = false;
    if (e.kind === 'call' && !(e.func.kind === 'name' && ['abs', 'min', 'max'].includes(e.func.id) && e.keywords.length === 0)) safe = false;
    if (e.kind === 'subscript') {
      if (e.value.kind !== 'name' || tf.types.get(e)?.kind !== 'scalar' || e.indices.some((i) => i.kind === 'slice')) safe = false;
      else arrays.add(e.value.id);
    }
    if (e.kind === 'name' && tf.locals.get(e.id)?.kind === 'array') arrays.add(e.id);
    if (e.kind === 'name' && tf.params.some((p) => p.name === e.id && p.kind === 'array')) arrays.add(e.id);
  });
  if (!safe) return [];
  // every array apart from every other (see the file's comment)
  for (const a of arrays) if (!tf.params.some((p) => p.name === a && p.kind === 'array') && !ctx.fresh.has(a)) return [];
  const out: LocalAccumulator[] = [];
  const top = new Set(body.map((b) => b.stmt));
  for (const array of arrays) {
    const acc = accumulatorOf(ctx, body, array, iterator, bound, top);
    if (acc) out.push({ array, name: `_polyray_acc_${array}_${tag}`, ...acc });
  }
  return out;
}

function accumulatorOf(ctx: AccumulatorContext, body: PrintedStmt[], array: string, iterator: string, bound: Set<string>, top: Set<Stmt>): { nodes: Expr[]; text: string } | null {
  const { tf } = ctx;
  const elementTy = tf.params.find((p) => p.name === array)?.dtype ?? arrayDtype(tf.locals.get(array));
  if (elementTy !== 'float64' && elementTy !== 'int64') return null;
  const nodes: Expr[] = [];
  let index: string | null = null;
  let element = '';
  let ok = true;
  let writtenAtTop = false;
  const iter = new RegExp(`(?<![A-Za-z0-9_])${iterator}(?![A-Za-z0-9_])`);
  for (const { stmt, print } of body) {
    // every use of the array is a subscript of one index; `array.shape` reads no element
    const uses = (e: Expr, parent: Expr | null): void => {
      if (e.kind === 'name' && e.id === array) {
        if (parent?.kind === 'attribute' && parent.attr === 'shape') return;
        if (parent?.kind !== 'subscript' || parent.value !== e) { ok = false; return; }
        const text = parent.indices.map(print).join(', ');
        if (index === null) {
          index = text;
          element = print(parent);
        }
        if (index !== text || iter.test(text) || !invariantIndex(parent, bound)) ok = false;
        nodes.push(parent);
      }
      for (const c of childExprs(e)) uses(c, e);
    };
    walkStmts([stmt], (s) => {
      for (const e of ownExprs(s)) uses(e, null);
      if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'subscript' && s.target.value.kind === 'name' && s.target.value.id === array) {
        if (top.has(s)) writtenAtTop = true;
        if (!storesKeepKind(tf, s, elementTy)) ok = false;
      }
      if (s.kind === 'assign' && s.target.kind === 'name' && s.target.id === array) ok = false;
    });
    if (!ok) return null;
  }
  if (!writtenAtTop || nodes.length === 0) return null;
  return { nodes, text: element };
}

/** The index reads names the loop does not bind, numbers and arithmetic only (no element of another array, no call). */
function invariantIndex(sub: Expr & { kind: 'subscript' }, bound: Set<string>): boolean {
  let ok = true;
  for (const i of sub.indices) walkExpr(i, (x) => {
    if (x.kind === 'name' && bound.has(x.id)) ok = false;
    if (x.kind !== 'name' && x.kind !== 'number' && x.kind !== 'binary' && x.kind !== 'unary') ok = false;
  });
  return ok;
}

/** The value stored into a float64/int64 element keeps the local's Numba type (float64: any real; int64: ints and bools). */
function storesKeepKind(tf: TypedFunction, s: Stmt & ({ kind: 'assign' } | { kind: 'augassign' }), dtype: 'float64' | 'int64'): boolean {
  const t = tf.types.get(s.value);
  if (!t || t.kind !== 'scalar') return false;
  if (s.kind === 'augassign' && !['+', '-', '*'].includes(s.op) && !(dtype === 'int64' && ['&', '|', '^'].includes(s.op))) return false;
  if (dtype === 'float64') return t.scalar === 'float' || t.scalar === 'int';
  return (t.scalar === 'int' && (t.dtype === undefined || /^int(8|16|32|64)$|^uint(8|16|32)$/.test(t.dtype))) || t.scalar === 'bool';
}

function arrayDtype(t: Ty | undefined): string | null {
  return t?.kind === 'array' ? t.dtype : null;
}

/** The expressions a statement evaluates itself (not its nested statements'). */
function ownExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case 'if':
      return [s.test];
    case 'assign':
    case 'augassign':
      return [s.target, s.value];
    default:
      return [];
  }
}

function forEachExpr(body: PrintedStmt[], visit: (e: Expr) => void): void {
  walkStmts(body.map((b) => b.stmt), (s) => {
    for (const e of ownExprs(s)) walkExpr(e, visit);
  });
}

/**
 * Close mode: the loop only adds terms into float64 locals (`a = a + t`,
 * `a = t + a`, `a += t`, `a -= t`, one statement per update), the terms read
 * no accumulator and use + - * and abs only. Such a loop may run as SIMD lanes
 * (outlineSum): reassociating the additions (and the products inside a term)
 * changes the rounding only, within the bound of docs/reliability.md.
 */
export function simdSums(tf: TypedFunction, body: PrintedStmt[], accs: LocalAccumulator[]): boolean {
  if (tf.numerics !== 'close' || accs.length === 0) return false;
  const nodes = new Set(accs.flatMap((a) => a.nodes));
  for (const a of accs) if (tf.params.find((p) => p.name === a.array)?.dtype !== 'float64' && arrayDtype(tf.locals.get(a.array)) !== 'float64') return false;
  const isAcc = (e: Expr): boolean => nodes.has(e);
  const termOk = (t: Expr): boolean => {
    let ok = true;
    walkExpr(t, (x) => {
      if (nodes.has(x)) ok = false;
      if (x.kind === 'binary' && !['+', '-', '*'].includes(x.op)) ok = false;
      if (x.kind === 'call' && !(x.func.kind === 'name' && x.func.id === 'abs')) ok = false;
      if (['compare', 'boolop', 'ifexp', 'attribute'].includes(x.kind)) ok = false;
      if (x.kind === 'unary' && x.op !== '-' && x.op !== '+') ok = false;
    });
    return ok && tf.types.get(t)?.kind === 'scalar';
  };
  for (const { stmt: s } of body) {
    if (s.kind === 'augassign') {
      if (!isAcc(s.target) || (s.op !== '+' && s.op !== '-') || !termOk(s.value)) return false;
    } else if (s.kind === 'assign') {
      const v = s.value;
      if (!isAcc(s.target) || v.kind !== 'binary' || v.op !== '+') return false;
      const sameElement = (e: Expr): boolean => isAcc(e) && accs.some((a) => a.nodes.includes(e) && a.nodes.includes(s.target));
      if (!(sameElement(v.left) && termOk(v.right)) && !(sameElement(v.right) && termOk(v.left))) return false;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * Close mode: an innermost loop whose body mixes SIMD sums (simdSums) with
 * statements that never touch the accumulated elements (bicg's `s[j] = s[j] +
 * r[i] * A[i, j]` beside `q[i] = q[i] + A[i, j] * p[j]`, over j) as two loops
 * over the same range, the sums outlined in SIMD lanes and the rest as written
 * (a loop with a plain store in it vectorizes on its own; the two together do
 * not: the sum needs reassociation, which the store's loop must not get).
 * Splitting moves no statement past one it depends on, checked per statement:
 * the rest reads no accumulated element (nor writes one: every access to its
 * array in the loop is that element, localAccumulators), the sums read no array
 * nor local name the rest writes, and the sums bind no name. The arrays are
 * parameters (the dispatcher sends calls whose written arrays share memory with
 * another argument to the original) or fresh allocations, so distinct names are
 * distinct memory; nothing in the loop raises (localAccumulators' conditions).
 * The groups in the order of their first statements; null to keep one loop.
 */
export function splitSums(tf: TypedFunction, body: PrintedStmt[], accs: LocalAccumulator[]): { first: PrintedStmt[]; second: PrintedStmt[]; sums: 'first' | 'second' } | null {
  if (tf.numerics !== 'close' || accs.length === 0) return null;
  const nodes = new Set(accs.flatMap((a) => a.nodes));
  const touches = (s: Stmt): boolean => {
    let hit = false;
    walkStmts([s], (x) => { for (const e of ownExprs(x)) walkExpr(e, (n) => { if (nodes.has(n)) hit = true; }); });
    return hit;
  };
  const sums = body.filter((b) => touches(b.stmt));
  const rest = body.filter((b) => !touches(b.stmt));
  if (sums.length === 0 || rest.length === 0 || !simdSums(tf, sums, accs)) return null;
  // what the rest writes: arrays (subscript targets) and names
  const written = new Set<string>();
  walkStmts(rest.map((b) => b.stmt), (x) => {
    if (x.kind !== 'assign' && x.kind !== 'augassign') return;
    if (x.target.kind === 'name') written.add(x.target.id);
    else if (x.target.kind === 'subscript' && x.target.value.kind === 'name') written.add(x.target.value.id);
    else written.add('');
  });
  if (written.has('')) return null;
  let reads = false;
  forEachExpr(sums, (e) => { if (e.kind === 'name' && written.has(e.id)) reads = true; });
  if (reads) return null;
  const sumsFirst = sums[0] === body[0];
  return sumsFirst ? { first: sums, second: rest, sums: 'first' } : { first: rest, second: sums, sums: 'second' };
}

const BUILTINS = new Set(['for', 'in', 'range', 'if', 'else', 'and', 'or', 'not', 'abs', 'min', 'max', 'True', 'False', 'None', 'return']);

/**
 * A printed loop (its `for` line first, at `indent`) moved into a function of
 * its own, `name`, which takes the names the loop reads and the accumulators'
 * values and returns the accumulators: the runtime compiles it with fast-math
 * flags limited to reassociation and contraction (runtime/cpu.py FASTMATH),
 * which Numba sets per function, so they touch nothing but this loop.
 */
export function outlineSum(name: string, loop: string[], indent: string, iterator: string, accs: string[]): { def: string[]; call: string } {
  const own = new Set([iterator, ...accs]);
  const free: string[] = [];
  for (const line of loop) {
    // identifiers, not attribute names (`.shape`) nor parts of numbers (`1e-3`)
    const text = line.replace(/\b\d[\w.]*(e[+-]\d+)?/gi, ' ');
    for (const m of text.matchAll(/(?<![\w.])[A-Za-z_]\w*/g)) {
      const id = m[0];
      if (BUILTINS.has(id) || own.has(id) || free.includes(id) || /^_polyray_(np|int64|h_)/.test(id)) continue;
      free.push(id);
    }
  }
  const args = [...free, ...accs].join(', ');
  const result = accs.length === 1 ? accs[0] : accs.join(', ');
  return {
    def: [`def ${name}(${args}):`, ...loop.map((l) => `    ${l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()}`), `    return ${result}`],
    call: `${indent}${result} = ${name}(${args})`,
  };
}

/**
 * The close notes of a function's SIMD sums (numerics.ts simdSumNote): each
 * update statement of an innermost loop printed in the original order whose
 * updates simdSums accepts (or, split from the rest of the loop, splitSums),
 * as the CPU variant prints them (cpu-variant.ts).
 */
export function simdSumNotes(ctx: AccumulatorContext): CloseNote[] {
  const { tf } = ctx;
  const printer = new PythonPrinter();
  const print = (e: Expr): string => printer.expr(e);
  const notes: CloseNote[] = [];
  walkStmts(tf.fn.body, (loop) => {
    if (loop.kind !== 'for') return;
    const body = loop.body.map((stmt) => ({ stmt, print }));
    const accs = localAccumulators(ctx, body, loop.target.id, '');
    const split = simdSums(tf, body, accs) ? null : splitSums(tf, body, accs);
    if (!split && !simdSums(tf, body, accs)) return;
    const summed = split ? split[split.sums].map((b) => b.stmt) : loop.body;
    for (const s of summed) {
      const target = s.kind === 'assign' || s.kind === 'augassign' ? printer.expr(s.target) : '';
      notes.push(simdSumNote(s.span.from.line, s.span.from.col, s.kind === 'augassign' ? `${target} ${s.op}= ...` : `${target} = ${target} + ...`));
    }
  });
  return notes;
}
