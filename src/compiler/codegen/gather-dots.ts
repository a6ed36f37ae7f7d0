// Codegen (CPU variant, close mode): `v @ x[idx]`, `x[idx] @ v`, `np.dot(v, x[idx])`
// and `np.matmul(...)` of 1-d float64 arrays as one loop over idx
// (runtime/gather_dots.py), without the gathered temporary `x[idx]` that
// index_helpers.take allocates (issue 18, NPBench spmv: a CSR row loop gathers
// x[cols] for every row, two elements on average at preset M, so the
// allocation and the BLAS call cost more than the products).
//
// Close mode only: NumPy's dot of float64 vectors is BLAS's ddot, whose order
// of additions is its own; the loop adds in index order, a sum of the same
// products within close mode's bound for a product (docs/reliability.md).
// Exact mode keeps take and the BLAS product. The helper raises what the two
// helpers it replaces raise: IndexError for an index outside x (checked first,
// as NumPy gathers before it multiplies), then ValueError where v and idx differ
// in length.
import type { Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';

/** Index dtypes but uint64 (which, meeting x's int64 length, Numba computes in float64). */
const INDEX_DTYPES: ReadonlySet<string> = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32']);

/** The helper `gather_dot` (matmul's shape message) or `gather_dot_np` (np.dot's). */
export type GatherDotHelper = 'gather_dot' | 'gather_dot_np';

export interface GatherDot {
  helper: GatherDotHelper;
  /** The vector multiplied, the array gathered from, the index array. */
  v: Expr;
  x: Expr;
  idx: Expr;
}

/** `e` as a fused gather-dot, or null (exact mode, other dtypes or ranks, a keyword, another product). */
export function gatherDot(tf: TypedFunction, e: Expr): GatherDot | null {
  if (tf.numerics !== 'close') return null;
  const h = tf.helpers.get(e)?.helper;
  let operands: [Expr, Expr] | null = null;
  if (h === 'matmul' && e.kind === 'binary' && e.op === '@') operands = [e.left, e.right];
  else if ((h === 'matmul' || h === 'dot') && e.kind === 'call' && e.args.length === 2 && e.keywords.length === 0) operands = [e.args[0], e.args[1]];
  if (!operands) return null;
  const vector = (x: Expr, dtypes: ReadonlySet<string>): boolean => {
    const t = tf.types.get(x);
    return t?.kind === 'array' && t.ndim === 1 && t.dtype !== null && dtypes.has(t.dtype);
  };
  const FLOAT64 = new Set(['float64']);
  for (const [v, g] of [operands, [operands[1], operands[0]]] as const) {
    const take = tf.helpers.get(g);
    if (g.kind !== 'subscript' || take?.helper !== 'take' || !take.args || take.args.length !== 2) continue;
    const [x, idx] = take.args;
    if (typeof x === 'string' || typeof idx === 'string') continue;
    if (vector(v, FLOAT64) && vector(x, FLOAT64) && vector(idx, INDEX_DTYPES) && vector(g, FLOAT64)) {
      return { helper: h === 'dot' ? 'gather_dot_np' : 'gather_dot', v, x, idx };
    }
  }
  return null;
}
