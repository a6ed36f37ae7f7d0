// The plan the poly stage hands codegen for a loop that computes a matrix product
// (poly/product-loops.ts finds them, poly/product-fold.ts folds a scatter into
// one): types only, in a module of their own so that the finders and the
// printers import them without importing one another.
import type { ForStmt, Stmt } from '../parse/ast.js';
import type { ScatterUpdate } from './product-scatter.js';
import type { ProductTerm } from './product-terms.js';

/** One update of a product loop: `X[a, b] += c * Y[a, k] * Z[k, b]`, or a sum of such terms (syr2k). */
export interface ProductUpdate {
  /** The update statement (its target is printed as written). */
  update: Stmt & ({ kind: 'augassign' } | { kind: 'assign' });
  /** X's subscripts: the loop variables naming T's rows (and columns); a scalar target: the operands' other indices. */
  subscripts: string[];
  /** The target is a float scalar (`s += Y[a, k] * Z[k, b]`: symm's temp2), not an array element. */
  scalar: boolean;
  /** The terms added, in the order written. */
  terms: ProductTerm[];
}

export interface ProductLoop {
  /** The k loop that the updates replace. */
  loop: ForStmt;
  /**
   * Loops between the k loop and a single update (gemm's `for k: for j: C[i, j] += ...`),
   * kept around the replacement: each element's terms are still added in k order
   * in the original, since these ranges do not depend on k.
   */
  inner: ForStmt[];
  /**
   * The updates, in order: one, or several on distinct targets that none of them
   * reads (gesummv's `tmp[i] = A[i, j] * x[j] + tmp[i]` and `y[i] = B[i, j] * x[j] + y[i]`).
   */
  updates: ProductUpdate[];
  /** The outermost loop around it, before which the products are computed. */
  outer: Stmt;
  /** The enclosing loop variable the k range depends on (a triangle), or null when the range is invariant in the nest. */
  rangeVar: string | null;
  /** Updates of X[k, b] summing over an enclosing loop instead (poly/product-scatter.ts), added after the nest. */
  scatters: ScatterUpdate[];
  /**
   * A stack's plane loop (planeLoop): the nest's outermost loop, over the stack's first index r. Each
   * plane's product T_r = Y[r] @ Z is then computed at the start of its iteration r, into a plane-sized
   * temporary that the nest's rows read while it is in cache; null: the stacks' products before the nest.
   */
  plane: ForStmt | null;
  /**
   * The scatter folded into the dot product (poly/product-fold.ts: symm's two masked products as one, their
   * left operands summed into one buffer); null: each computed on its own, the scatter's totals after the nest.
   */
  fold: ProductFold | null;
}

/** How a product loop's scatter is folded into its dot product (poly/product-fold.ts). */
export interface ProductFold {
  /** S: the statement after the k loop that adds `c' * s` into X[a, b]; printed as written. */
  into: Stmt;
  /** The scatter's operand enters the summed buffer subtracted (its sign differs from the dot's through S). */
  negated: boolean;
}
