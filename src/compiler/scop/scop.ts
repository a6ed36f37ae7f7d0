// The static control part of a function as data: statements with iteration
// domains (isl syntax), their place in the original execution order, and
// their array accesses. Scalar locals are modelled as 0-d arrays.
import type { Span } from '../diagnostics.js';
import type { Expr, Stmt } from '../parse/ast.js';
import type { Shape } from './temporaries.js';

export interface ScopAccess {
  kind: 'read' | 'write';
  /** false: the access may or may not happen (inside a data-dependent if, non-affine subscript). */
  must: boolean;
  array: string;
  /** isl tuple of the accessed element, e.g. `A[i, j + 1]`; `A[o0, o1]` with unconstrained o's for a whole-array access. */
  element: string;
  /** How the access reads in the source, for people. */
  text: string;
  scalar: boolean;
  /** The element is known exactly (affine subscripts, known rank); false for a whole-array approximation. */
  exact: boolean;
  /** A plain assignment `s = ...` (not `s += ...`): the scalar is redefined. */
  redefines: boolean;
  /**
   * Slice bounds (isl expressions) that must not be negative: NumPy reads a
   * negative bound from the end, which the model does not; the guard checks them.
   */
  nonNegative?: string[];
  /**
   * For exact array accesses: per dimension, the index (isl expression; null
   * for a slice, which NumPy clips) and the extent it must stay below.
   */
  dims?: { index: string | null; extent: string; fromEnd?: boolean }[];
  /**
   * Dimensions whose index is an integer read from data (`c[X[i, j]]`,
   * `row[m // 2]`) on a fresh local array of known shape: a may-access of the
   * whole dimension, its index checked when the variant runs (checkedIndices).
   */
  checked?: number[];
  /**
   * Dimensions whose index is `e % d` with d not a positive literal
   * (scop/wrapped-index.ts): a may-access of [0, d), the guard checking
   * 1 <= d <= extent (nonNegative) where the access runs.
   */
  ranged?: number[];
  /**
   * Dimensions whose affine index may be negative where the access runs
   * (poly/negative-indices.ts): the element is Python's (idx + extent below
   * 0), and the guard requires only -extent <= idx < extent.
   */
  wraps?: number[];
  /** `s += e` / `s *= e` on a scalar: a candidate reduction. */
  reductionOp: string | null;
  /** The subscript expression of an exact array access (codegen may hoist a read: poly/locality.ts). */
  node?: Expr;
}

export interface CheckedIndex {
  array: string;
  dim: number;
}

export interface ScopStatement {
  id: string;
  span: Span;
  /** Enclosing loops, outermost first (indices into Scop.loops). */
  loops: number[];
  /** Iteration domain constraints, e.g. `0 <= i < ni`; iterators are the loops' isl names. */
  constraints: string[];
  /** 2d+1 schedule: textual position at each nesting level. */
  positions: number[];
  accesses: ScopAccess[];
  /** Inside a data-dependent `if`. */
  conditional: boolean;
  /** The statement itself (null for the test of an `if`, which is a statement of its own). */
  source: Stmt | null;
}

export interface ScopLoop {
  span: Span;
  variable: string;
  /** How the loop's variable reads in messages (the target as written for a rewritten loop). */
  label?: string;
  /** Unique isl name of the iterator. */
  iterator: string;
  depth: number;
  /** A negative step: the original order runs the iterator downwards. */
  descending: boolean;
  /** Loop whose bounds or step could not be expressed exactly (its statements' accesses are may-accesses). */
  approximate: boolean;
  /**
   * A `while` loop: iterations 0, 1, ... with no upper bound in the model (the
   * real ones are a prefix of them, so its dependences are a superset of the
   * real ones); its first statement is the test. Never parallel.
   */
  whileLoop?: boolean;
  /**
   * Local arrays bound afresh at the top of every iteration and dead after the
   * loop (scop/private-arrays.ts): private to the iteration, so their
   * dependences are not carried by this loop.
   */
  privateArrays?: string[];
}

export interface Scop {
  params: string[];
  loops: ScopLoop[];
  statements: ScopStatement[];
  /** Extents (isl expressions in the parameters) of local arrays allocated with affine shapes. */
  localShapes: Map<string, string[]>;
  /**
   * Temporaries made by NumPy operators over whole arrays (`t = a * b + c`,
   * `D = A @ B`): name -> shape (scop/temporaries.ts). The model gives them
   * that shape, so the guard must check the `assumptions`.
   */
  temporaries: Map<string, Shape>;
  /**
   * Fresh local arrays bound once, inside a loop, with a shape the same in every
   * iteration (scop/fresh-shapes.ts): name -> shape, its Python form in the
   * arguments only. Slice statements over them may run as element loops
   * (poly/lower-slices.ts), as over temporaries.
   */
  freshLocals: Map<string, Shape>;
  /**
   * Index expressions read from data into a fresh local array (ScopAccess.checked):
   * index -> the array and its dimension. The variant prints each through
   * runtime/index_checks.py (IndexError where Python raises, or the speculative flag).
   */
  checkedIndices: Map<Expr, CheckedIndex>;
  /**
   * `e % d` subscripts modelled as ranges (ScopAccess.ranged): the bounds guard
   * requires d >= 1 wherever they run, so they cannot raise ZeroDivisionError there.
   */
  guardedDivisions?: ReadonlySet<Expr>;
  /** Python conditions on the arguments the model relies on (the operands of a temporary do not broadcast). */
  assumptions: { condition: string; why: string }[];
  /** Set when the function has no static control part Polyray can analyse. */
  unanalysable: string | null;
}
