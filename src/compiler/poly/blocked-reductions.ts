// Poly stage (plan part, issue 16): loops whose only carried dependences are
// scalar sums (`s += a[i] * b[i]`) run as blocks in parallel. The blocks are
// fixed by the iteration count, never by the thread count: each block adds its
// iterations in the original order (the first block starting from the
// scalar's value before the loop, the others from -0.0, the identity of
// float addition), and the partial sums are then added in block order. The
// same inputs therefore give the same bits with any number of threads, and in
// the serial form (prange as range). A float sum is reassociated by this, so
// only `close` mode does it, with a note and a bound (numerics.ts
// loopReductionNote); integer sums (int64, wrapping) give the same bits in any
// order, so both modes do.
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import type { Ty } from '../types/ty.js';
import { loopReductionNote } from '../numerics.js';

/** How a blocked loop's partial sums are typed: float64 (close mode) or int64 (both modes). */
export type ReducedKind = 'float' | 'int';

export interface BlockedReduction {
  /** The scalars summed across iterations, with the dtype of their partial sums. */
  scalars: { name: string; kind: ReducedKind }[];
}

/**
 * Iterations per block: at least MIN_BLOCK, and more once there would be more
 * than MAX_BLOCKS blocks. The generated code computes the same numbers
 * (codegen/blocked-loops.ts); close_bounds.loop_sum_bound in the runtime too.
 */
export const MIN_BLOCK = 4096;
export const MAX_BLOCKS = 4096;
export const BLOCKS_IN_WORDS = `n iterations in ceil(n/L) blocks of L = max(${MIN_BLOCK}, ceil(n/${MAX_BLOCKS}))`;

/**
 * Why the loop's sums cannot run in blocks, or null with the plan. `scalars`
 * are those loop-verdicts.ts found summed (and nothing else carried).
 */
export function blockedReduction(tf: TypedFunction, loop: ForStmt, scalars: string[]): { plan: BlockedReduction } | { why: string } {
  const out: BlockedReduction['scalars'] = [];
  for (const name of scalars) {
    const kind = reducedKind(tf.locals.get(name));
    if (kind === null) return { why: `the sum '${name}' is not a float64 or int64 scalar` };
    if (kind === 'float' && tf.numerics !== 'close') return { why: `exact mode keeps the original order of the float sum '${name}'` };
    // every value added must be of the sum's kind or narrower: a complex or unknown term would retype it
    let bad: string | null = null;
    walkLoopUpdates(loop.body, name, (value) => {
      const t = tf.types.get(value);
      if (!t || t.kind !== 'scalar' || !narrowerOrSame(t, kind)) bad ??= `a term added to '${name}' at line ${value.span.from.line} is not a real number of its kind`;
    });
    if (bad) return { why: bad };
    if (usedOutsideUpdates(loop.body, name)) return { why: `'${name}' is used in the loop other than by '${name} += ...'` };
    out.push({ name, kind });
  }
  return { plan: { scalars: out } };
}

function reducedKind(t: Ty | undefined): ReducedKind | null {
  if (!t || t.kind !== 'scalar') return null;
  if (t.scalar === 'float' && (t.dtype === undefined || t.dtype === 'float64')) return 'float';
  if (t.scalar === 'int' && (t.dtype === undefined || t.dtype === 'int64')) return 'int';
  return null;
}

function narrowerOrSame(t: Ty & { kind: 'scalar' }, kind: ReducedKind): boolean {
  if (t.scalar === 'bool') return true;
  if (t.scalar === 'int') return t.dtype === undefined || /^u?int(8|16|32)$|^int64$/.test(t.dtype);
  if (t.scalar === 'float') return kind === 'float' && (t.dtype === undefined || t.dtype === 'float64' || t.dtype === 'float32');
  return false;
}

/** The value of every `name += value` in the loop body. */
function walkLoopUpdates(body: Stmt[], name: string, visit: (value: Expr) => void): void {
  walkStmts(body, (s) => {
    if (s.kind === 'augassign' && s.target.kind === 'name' && s.target.id === name) visit(s.value);
  });
}

/**
 * Does the loop read or assign `name` other than through `name += value`?
 * loop-verdicts.ts's reduction test ensures it does not; checked again here
 * because the printed form renames the scalar inside the blocks.
 */
export function usedOutsideUpdates(body: Stmt[], name: string): boolean {
  let found = false;
  walkStmts(body, (s) => {
    const update = s.kind === 'augassign' && s.target.kind === 'name' && s.target.id === name;
    if (s.kind === 'assign' && s.target.kind === 'name' && s.target.id === name) found = true;
    if (s.kind === 'for' && s.target.id === name) found = true;
    for (const e of update ? [(s as Stmt & { kind: 'augassign' }).value] : stmtExprs(s)) walkExpr(e, (x) => { if (x.kind === 'name' && x.id === name) found = true; });
  });
  return found;
}

/** The close notes of a function's blocked float sums, one per `+=` line (numerics.ts loopReductionNote). */
export function closeNotesForBlocked(tf: TypedFunction, plan: { blocked: ReadonlyMap<number, BlockedReduction> }): void {
  if (plan.blocked.size === 0) return;
  walkStmts(tf.fn.body, (loop) => {
    const b = loop.kind === 'for' ? plan.blocked.get(loop.span.start) : undefined;
    if (!b || loop.kind !== 'for') return;
    for (const { name, kind } of b.scalars) {
      if (kind !== 'float') continue;
      walkStmts(loop.body, (s) => {
        if (s.kind !== 'augassign' || s.target.kind !== 'name' || s.target.id !== name) return;
        const { line, col } = s.span.from;
        if (!tf.closeNotes.some((n) => n.line === line && n.col === col)) tf.closeNotes.push(loopReductionNote(line, col, name, BLOCKS_IN_WORDS));
      });
    }
  });
  tf.closeNotes.sort((a, b) => a.line - b.line || a.col - b.col);
}
