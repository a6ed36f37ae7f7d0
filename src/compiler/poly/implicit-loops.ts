// Parallel marks and fusion for the implicit loops of lowered NumPy slice
// statements (lower-slices.ts).
//
// Parallel: a lowered statement writes each element of its target once and
// reads its target only at that element (lower-slices.ts refuses the rest),
// and the dispatcher's guard has ruled out a written argument sharing memory
// with another: its element iterations are independent, so its outermost
// implicit loop runs as prange unless an enclosing loop already does (prange
// on the outermost parallel loop of a nest only).
//
// Fusion: consecutive lowered statements of one block run in one loop nest,
// element by element (`t[:] = a * b; out[:] = t + c` reads t[e] right after
// writing it, instead of a second pass over memory). Two statements fuse when
// (1) they reference a common array at the same elements (same slice bounds,
// same indices), so the guard's "the operands fit" conditions of both
// give them the same extents, and (2) every array one of them writes is
// named by the other only in references to those same elements: then each
// element's statements see exactly the values they saw unfused. A statement
// that names such an array any other way (`x[0]` as a scalar) ends the group.
//
// Contraction: a temporary (`t = a * b`) that nothing outside its group
// reads is computed element by element into a scalar and never allocated.
import { stmtExprs, walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import { PythonPrinter } from '../codegen/python-printer.js';
import { sameElements, type LoweredSlice, type SliceRef } from './slice-refs.js';

export function planImplicitLoops(body: Stmt[], lowered: Map<Stmt, LoweredSlice>, prangeLoops: ReadonlySet<number>): void {
  if (lowered.size === 0) return;
  const print = new PythonPrinter();
  const block = (stmts: Stmt[], insidePrange: boolean): void => {
    let group: LoweredSlice[] = [];
    const close = (): void => {
      if (group.length > 1) {
        group[0].fused = group;
        for (const m of group.slice(1)) m.fusedInto = group[0].stmt;
      }
      // a temporary read nowhere outside its group is a scalar per element: never allocated
      const contracted = group.filter((m) => m.defines && nameCountIn(body, m.defines.array) === sum(group.map((g) => nameCount(g.stmt, m.defines!.array))));
      if (contracted.length > 0) group[0].contracted = new Set(contracted.map((m) => m.defines!.array));
      group = [];
    };
    for (const s of stmts) {
      const low = lowered.get(s);
      if (!low) {
        close();
        if (s.kind === 'for') block(s.body, insidePrange || prangeLoops.has(s.span.start));
        if (s.kind === 'while') block(s.body, insidePrange);
        if (s.kind === 'if') {
          block(s.body, insidePrange);
          block(s.orelse, insidePrange);
        }
        continue;
      }
      low.parallel = !insidePrange;
      if (group.length > 0 && !fusable(group, low, print)) close();
      group.push(low);
    }
    close();
  };
  block(body, false);
}

function fusable(group: LoweredSlice[], next: LoweredSlice, print: PythonPrinter): boolean {
  if (next.loops.length !== group[0].loops.length) return false;
  // copies of a target read elsewhere are taken before the statement's own loops, after the statements before it
  if (next.snapshots || group.some((g) => g.snapshots)) return false;
  const refs = (l: LoweredSlice): SliceRef[] => [...l.refs.values()];
  const all = [...group, next];
  // every index of every reference is a plain affine name expression: nothing the group writes
  if (all.some((l) => refs(l).some((r) => r.dims.some((d) => 'index' in d && !plainIndex(d.index))))) return false;
  const linked = refs(next).some((r) => group.some((g) => refs(g).some((q) => q.array === r.array && sameElements(q, r, print))));
  if (!linked) return false;
  for (const writer of all) {
    const x = (writer.refs.get(writer.stmt.target) as SliceRef).array;
    const target = writer.refs.get(writer.stmt.target) as SliceRef;
    for (const other of all) {
      if (other === writer) continue;
      const named = nameCount(other.stmt, x);
      const asRefs = refs(other).filter((r) => r.array === x);
      if (named !== asRefs.length || asRefs.some((r) => !sameElements(r, target, print))) return false;
    }
  }
  return true;
}

/** Names, numbers and + - * of them: no element read, no call. */
function plainIndex(e: Expr): boolean {
  let ok = true;
  walkExpr(e, (x) => {
    if (!(x.kind === 'name' || x.kind === 'number' || (x.kind === 'binary' && ['+', '-', '*'].includes(x.op)) || (x.kind === 'unary' && x.op === '-'))) ok = false;
  });
  return ok;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Occurrences of a name anywhere in a body, nested statements included. */
function nameCountIn(body: Stmt[], id: string): number {
  let n = 0;
  walkStmts(body, (s) => { n += nameCount(s, id); });
  return n;
}

function nameCount(s: Stmt, id: string): number {
  let n = 0;
  for (const e of stmtExprs(s)) walkExpr(e, (x) => { if (x.kind === 'name' && x.id === id) n++; });
  return n;
}
