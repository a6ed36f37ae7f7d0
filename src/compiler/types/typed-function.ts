// What the types stage (check.ts) records about a function for the later stages: its
// parameters, locals, expression types, helpers, diagnostics and close-mode notes,
// and the calls of the module's other functions it makes (calls.ts).
import type { Diagnostic } from '../diagnostics.js';
import type { Expr, FunctionDef, Stmt } from '../parse/ast.js';
import type { Ty } from './ty.js';
import type { CloseNote, Numerics } from '../numerics.js';
import type { Range } from './int-ranges.js';

export type ParamKind = 'array' | 'int' | 'float' | 'complex' | 'bool' | 'unknown';

export interface ParamInfo {
  name: string;
  kind: ParamKind;
  dtype: string | null;
  ndim: number | null;
  written: boolean;
  /**
   * The variant gives this scalar CPython semantics (its operators go through
   * helpers), so the dispatcher must accept only Python scalars for it: a NumPy
   * scalar would make the original follow NumPy's rules instead. Also a scalar
   * that meets a narrow dtype (NumPy 2 treats Python scalars as weak, NumPy
   * scalars not: types/nep50.ts).
   */
  exact: boolean;
  /**
   * An int that meets a narrow integer dtype: NumPy 2 raises OverflowError
   * outside its range, so the dispatcher sends such calls to the original.
   */
  bounds?: [number, number];
  /** A scalar hinted with a NumPy scalar type (`np.int64`): the dispatcher accepts exactly that type. */
  scalarDtype?: string;
}


export type ReturnKind = 'none' | 'float' | 'int' | 'complex' | 'bool' | 'array' | 'any';

/** How code generation must print a division-like operator or math call. */
/** A helper a variant calls instead (numba_helpers); `receiver`: a method call whose object is its first argument (`x.sum()`). */
/** args: what the helper is called with, where not the call's own arguments (strings are printed as they are). */
export type Semantics = { helper: string; receiver?: boolean; args?: (Expr | string)[] };

export interface TypedFunction {
  fn: FunctionDef;
  params: ParamInfo[];
  locals: Map<string, Ty>;
  types: Map<Expr, Ty>;
  /** Operators and calls that must go through a CPython-semantics helper. */
  helpers: Map<Expr, Semantics>;
  /** Some computed Python int meets an integer dtype through fit_int (types/casts.ts NumericCast.checked). */
  checkedInts?: true;
  /** Augmented assignments on Python scalars that must go through a helper. */
  augHelpers: Map<Stmt, Semantics>;
  /**
   * Augmented assignments on arrays, printed as `t = t op v` by the variants;
   * the value is the rank of a whole-array name target (`C *= b` becomes
   * `C[:, :] = C * b`), null for a subscript target.
   */
  arrayAug: Map<Stmt, number | null>;
  returns: ReturnKind;
  /** Array parameters whose objects move between their names (`A, B = B, A`), by group (types/param-rotations.ts). */
  paramRotations?: string[][];
  /**
   * `return a, b`: per element, the NumPy scalar type (`float64`) the wrapper
   * turns Numba's Python number back into, where the original returns a NumPy
   * scalar; null where it passes through (Python scalars, arrays, and a value
   * that is a NumPy scalar on some paths only, `s = 0.0; s += x[i]`, which
   * comes back as Numba's Python number). Absent when the function returns no tuple.
   */
  returnScalars?: (string | null)[];
  /** The same for a single returned scalar: its NumPy scalar type where the original returns one. */
  returnScalar?: string;
  /** Errors: reasons the function keeps only its original version. */
  diagnostics: Diagnostic[];
  accelerated: boolean;
  /** The numerics mode it was checked for (numerics.ts). */
  numerics: Numerics;
  /** In `close` mode, where its results may differ from the original's by rounding, and how much. */
  closeNotes: CloseNote[];
  /** Module-level constants it reads (name -> literal), frozen into the variants and checked by the dispatcher. */
  constants?: Record<string, string>;
  /** Python conditions under which every `**` of Python ints stays in int64 (types/int-power-guard.ts): required guards. */
  intPowerGuards?: string[];
  /** Calls of other functions of the module, each a specialization the variants call directly (types/calls.ts). */
  calls: Map<Expr, CallSite>;
  /** The type of what it returns (`none` without a value), null when nothing is returned. */
  returnTy: Ty | null;
  /** Some returned array is (or may be) a view of a parameter. */
  returnsView: boolean;
}

/** One callee checked for one list of argument types. */
export interface Specialization {
  /** The callee's name in the module. */
  callee: string;
  /** The Python function the generated module defines for it (Numba compiles it). */
  pyName: string;
  /** The global the runtime binds to its jitted form: what callers' variants call. */
  callName: string;
  /** The callee's definition (a copy: casts and types are per specialization) checked with these types. */
  tf: TypedFunction;
  /** Why it stays in Python ('line 7: ...'); null when it compiles. */
  refusal: string | null;
  /** The range of the Python int it returns, when every return gives a constant one (`return 1` / `return 0`). */
  returnRange: Range | null;
}

/** A call site the variants print as a call of the specialization. */
export interface CallSite {
  spec: Specialization;
  /** Per callee parameter in order: the argument expression, or the default value's source text. */
  args: (Expr | string)[];
}
