// Poly stage (plan part, issue 16, close mode): a loop whose only carried
// dependences are sums into array elements (`y[j] = y[j] + A[i, j] * t`, over
// an outer i: atax's transposed product, bicg's `s[j] += r[i] * A[i, j]`) runs
// as fixed blocks of iterations in parallel, each adding into a partial array
// of its own (starting from -0.0, the identity of float addition), the
// partial arrays then added to the array in block order. The blocks are fixed
// by the iteration count and the array's size, never by the thread count, so
// the serial form (prange as range) and any number of threads give the same
// bits. A float sum is reassociated by this, so only close mode does it
// (numerics.ts arraySumNote). Within a block the loop body runs as written:
// atax's row sum in SIMD lanes and the row's update of y, one pass over A.
import { walkStmts, type ForStmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { arraySumNote } from '../numerics.js';

export interface BlockedArrayReduction {
  /** The arrays summed into across iterations (float64 parameters), with their ranks. */
  arrays: { name: string; rank: number }[];
}

/**
 * Iterations per block: at least MIN_ROWS, at most MAX_ROW_BLOCKS blocks, and
 * no more blocks than keep the partial arrays under PARTIAL_ELEMENTS elements
 * in all. The generated code computes these (codegen/blocked-array-loops.ts).
 */
export const MIN_ROWS = 16;
export const MAX_ROW_BLOCKS = 8;
export const PARTIAL_ELEMENTS = 1 << 22;
export const ROW_BLOCKS_IN_WORDS = `n iterations in B = ceil(n/L) blocks of L = max(${MIN_ROWS}, ceil(n/${MAX_ROW_BLOCKS}), ceil(n*S/${PARTIAL_ELEMENTS})), S the largest summed array's size`;

/** Why the loop's array sums cannot run in blocks, or null with the plan. `arrays`: those loop-verdicts.ts found summed. */
export function blockedArrayReduction(tf: TypedFunction, arrays: string[]): { plan: BlockedArrayReduction } | { why: string } {
  if (tf.numerics !== 'close') return { why: 'exact mode keeps the original order of the sums into array elements' };
  const out: BlockedArrayReduction['arrays'] = [];
  for (const name of arrays) {
    const p = tf.params.find((q) => q.name === name);
    if (!p || p.kind !== 'array' || p.dtype !== 'float64' || p.ndim === null || p.ndim < 1) return { why: `the array '${name}' summed into is not a float64 array parameter` };
    out.push({ name, rank: p.ndim });
  }
  return { plan: { arrays: out } };
}

/** Close notes (numerics.ts arraySumNote) at each update of a blocked loop's arrays. */
export function closeNotesForBlockedArrays(tf: TypedFunction, blocked: ReadonlyMap<number, BlockedArrayReduction>): void {
  if (blocked.size === 0) return;
  walkStmts(tf.fn.body, (loop) => {
    const b = loop.kind === 'for' ? blocked.get(loop.span.start) : undefined;
    if (!b || loop.kind !== 'for') return;
    const names = new Set(b.arrays.map((a) => a.name));
    walkStmts((loop as ForStmt).body, (s) => {
      if ((s.kind !== 'augassign' && s.kind !== 'assign') || s.target.kind !== 'subscript' || s.target.value.kind !== 'name' || !names.has(s.target.value.id)) return;
      const { line, col } = s.span.from;
      if (!tf.closeNotes.some((n) => n.line === line && n.col === col)) tf.closeNotes.push(arraySumNote(line, col, s.target.value.id, ROW_BLOCKS_IN_WORDS));
    });
  });
  tf.closeNotes.sort((a, b) => a.line - b.line || a.col - b.col);
}
