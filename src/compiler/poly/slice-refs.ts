// The model of a NumPy slice statement's array references that slice lowering
// (lower-slices.ts) builds and implicit-loop fusion (implicit-loops.ts) and the
// variants' element loops (codegen/element-loops.ts) read: its own file so that
// those modules import it one way.
import type { Expr, Stmt } from '../parse/ast.js';
import type { PythonPrinter } from '../codegen/python-printer.js';

/** One dimension of an array reference: a scalar index, or the k-th sliced dimension of the statement. */
export type RefDim = { index: Expr } | { slice: number; lo: Expr | null; hi: Expr | null };

export interface SliceRef {
  array: string;
  dims: RefDim[];
}

export interface LoweredSlice {
  stmt: Stmt & { kind: 'assign' | 'augassign' };
  /** Extent of each implicit loop, from the target: [lo, hi) of a dimension of the given length. */
  loops: { length: string; lo: Expr | null; hi: Expr | null }[];
  /** Every array reference of the statement, the target included. */
  refs: Map<Expr, SliceRef>;
  /** The statement makes a temporary (`t = a * b`): allocated with this shape, or never, when contracted. */
  defines?: { array: string; shape: string[]; dtype: string };
  /** np.where calls of the statement, printed per element as `x if c else y` (codegen/element-loops.ts). */
  conditionals?: Set<Expr>;
  /**
   * `np.add.outer(a, b)` and the like: printed per element as `a + b` (the operands' implicit loops
   * side by side), cast back to the result's dtype (`np.int32(a + b)` wraps around as NumPy's int32 does).
   */
  outers?: Map<Expr, { ufunc: string; dtype: string }>;
  /**
   * Parts of the target the statement reads at other elements than the one it writes (`path[:, k]` in
   * `path[:] = np.minimum(path, np.add.outer(path[:, k], path[k, :]))`): NumPy evaluates the whole right
   * side before it stores, so each is copied into `name` before the element loops, which read the copy
   * (its refs entry names `name`). Such a statement fuses with no other. `original`: the reference the copy
   * stands for; `ahead`: every element it reads lies after the one the statement writes, in the ascending
   * order of the element loops (`A[i, 2:]` in `A[i, 1:-1] += A[i, 2:]`): loops run in that order on one thread
   * read each before writing it, so they need no copy (a serial form: printWithoutAhead in cpu-variant.ts).
   */
  snapshots?: { name: string; source: Expr; original: SliceRef; ahead: boolean }[];
  /** The outermost implicit loop runs as prange (implicit-loops.ts). */
  parallel: boolean;
  /** On the first statement of a fused group: every member, itself first, printed in one loop nest. */
  fused?: LoweredSlice[];
  /** On the later members of a fused group: the group's first statement, which prints them. */
  fusedInto?: Stmt;
  /**
   * On the first statement of a group: temporaries it makes that nothing
   * outside the group reads, computed element by element as scalars.
   */
  contracted?: Set<string>;
}

/** Whether two references of one array name the same element at every point (`x` and `x[:]`). */
export function sameElements(a: SliceRef, b: SliceRef, print: PythonPrinter): boolean {
  return (
    a.array === b.array &&
    a.dims.length === b.dims.length &&
    a.dims.every((d, k) => {
      const e = b.dims[k];
      if ('index' in d || 'index' in e) return 'index' in d && 'index' in e && print.expr(d.index) === print.expr(e.index);
      if (d.slice !== e.slice) return false; // `A` and `A.T`
      const lo = (x: Expr | null): string => (x ? print.expr(x) : '0');
      const hi = (x: Expr | null): string => (x ? print.expr(x) : `${a.array}.shape[${k}]`);
      return lo(d.lo) === lo(e.lo) && hi(d.hi) === hi(e.hi);
    })
  );
}
