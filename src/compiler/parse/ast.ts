// The typed AST for the subset of Python that Polyray handles. Nodes are
// discriminated unions on `kind`; every node keeps its source span so that
// diagnostics and the report can point at lines and columns.
import type { Span } from '../diagnostics.js';

export interface Module {
  kind: 'module';
  source: string;
  body: TopLevel[];
  imports: ImportBinding[];
  /** Module-level constants functions may read (parse/constants.ts). */
  constants?: ModuleConstant[];
  /** Module-level type aliases hints may name (parse/type-aliases.ts): name -> the aliased expression. */
  typeAliases?: Map<string, Expr>;
  /** Nested defs lifted to module-level helpers (parse/nested.ts): called, never wrapped. */
  lifted?: FunctionDef[];
}

/** `N = 100` at module level: bound once, to a number or bool literal. */
export interface ModuleConstant {
  name: string;
  /** The literal as written (`-1.5e-3`, `True`). */
  text: string;
  kind: 'int' | 'float' | 'complex' | 'bool';
}

export type TopLevel = FunctionDef | OtherTopLevel;

/** A top-level statement Polyray copies verbatim (imports, constants, classes...). */
export interface OtherTopLevel {
  kind: 'other';
  span: Span;
}

/** A name bound by a top-level import: `import numpy as np` binds np -> numpy. */
export interface ImportBinding {
  local: string;
  qualified: string;
}

export interface Param {
  name: string;
  annotation: Expr | null;
  /** Source text of the default value, copied verbatim into the wrapper. */
  defaultText: string | null;
  span: Span;
}

export interface FunctionDef {
  kind: 'function';
  name: string;
  nameSpan: Span;
  span: Span;
  params: Param[];
  returns: Expr | null;
  /** Source text of the parameter list, e.g. `(a: int, b: float = 1.0)`. */
  paramsText: string;
  /** Source text of the return annotation, or null. */
  returnsText: string | null;
  body: Stmt[];
  /** Every `for` statement in the source of this function (the report lists them all). */
  forLoops: { span: Span; variable: string }[];
  /** Why this function is outside the subset; empty when it is inside. */
  unsupported: Unsupported[];
}

export interface Unsupported {
  span: Span;
  message: string;
  /** Names the dropped statement binds (parse/bound-names.ts): known to the checker, but untyped. */
  binds?: string[];
}

export type Stmt =
  | ForStmt
  | WhileStmt
  | IfStmt
  | AssignStmt
  | AugAssignStmt
  | ExprStmt
  | ReturnStmt
  | PassStmt
  | BreakStmt
  | ContinueStmt;

export interface RangeArgs {
  start: Expr | null;
  stop: Expr;
  step: Expr | null;
}

export interface ForStmt {
  kind: 'for';
  span: Span;
  target: NameExpr;
  /** The target as written where the loop is a rewritten one (`for x in A`: 'x'; parse/iteration.ts), for people. */
  label?: string;
  range: RangeArgs;
  body: Stmt[];
}

/** `while test: body`: the test is any scalar expression; break and continue end or skip an iteration. */
export interface WhileStmt {
  kind: 'while';
  span: Span;
  test: Expr;
  body: Stmt[];
}

export interface IfStmt {
  kind: 'if';
  span: Span;
  test: Expr;
  body: Stmt[];
  orelse: Stmt[];
}

export interface AssignStmt {
  kind: 'assign';
  span: Span;
  target: Expr;
  value: Expr;
  annotation: Expr | null;
  /**
   * Set on `x = A.shape[k]` made from `x0, ..., xn = A.shape` (parse/unpack.ts):
   * the number of names, which Python requires to be A's rank (ValueError
   * otherwise), so the checker requires it too.
   */
  unpackedShape?: number;
  /**
   * Set on `t = E` made from `a, b = E` with E an array (parse/unpack.ts): the
   * number of names. Variants check `t.shape[0]` against it after this
   * statement and raise ValueError as Python does; `a = t[0]`, `b = t[1]` follow.
   */
  unpackedLength?: number;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '@' | '&' | '|' | '^' | '<<' | '>>';

export interface AugAssignStmt {
  kind: 'augassign';
  span: Span;
  target: Expr;
  op: BinaryOperator;
  value: Expr;
}

export interface ExprStmt {
  kind: 'expr';
  span: Span;
  value: Expr;
  /** A ufunc call's output array (`np.add(a, b, out=c)`), set by the checker (types/ufunc-out.ts): printed `c[:] = np.add(a, b)`. */
  out?: Expr;
}

export interface ReturnStmt {
  kind: 'return';
  span: Span;
  value: Expr | null;
}

export interface PassStmt {
  kind: 'pass';
  span: Span;
}

export interface BreakStmt {
  kind: 'break';
  span: Span;
}

export interface ContinueStmt {
  kind: 'continue';
  span: Span;
}

export type Expr =
  | NameExpr
  | NumberExpr
  | ConstExpr
  | StringExpr
  | BinaryExpr
  | UnaryExpr
  | CompareExpr
  | BoolOpExpr
  | CallExpr
  | AttributeExpr
  | SubscriptExpr
  | SliceExpr
  | TupleExpr
  | IfExpr;

export interface NameExpr {
  kind: 'name';
  span: Span;
  id: string;
}

export interface NumberExpr {
  kind: 'number';
  span: Span;
  /** The literal as written, e.g. `1e-3`, `2j`, `0x10`. */
  text: string;
  numberKind: 'int' | 'float' | 'complex';
}

export interface ConstExpr {
  kind: 'const';
  span: Span;
  value: 'True' | 'False' | 'None';
}

export interface StringExpr {
  kind: 'string';
  span: Span;
  text: string;
}

export interface BinaryExpr {
  kind: 'binary';
  span: Span;
  op: BinaryOperator;
  left: Expr;
  right: Expr;
}

export interface UnaryExpr {
  kind: 'unary';
  span: Span;
  op: '-' | '+' | 'not' | '~';
  operand: Expr;
}

export type CompareOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface CompareExpr {
  kind: 'compare';
  span: Span;
  left: Expr;
  ops: CompareOperator[];
  comparators: Expr[];
}

export interface BoolOpExpr {
  kind: 'boolop';
  span: Span;
  op: 'and' | 'or';
  left: Expr;
  right: Expr;
}

export interface Keyword {
  name: string;
  value: Expr;
}

export interface CallExpr {
  kind: 'call';
  span: Span;
  func: Expr;
  args: Expr[];
  keywords: Keyword[];
}

export interface AttributeExpr {
  kind: 'attribute';
  span: Span;
  value: Expr;
  attr: string;
}

/** `A[i, j]` has two indices; `A[i][j]` is a subscript of a subscript. */
export interface SubscriptExpr {
  kind: 'subscript';
  span: Span;
  value: Expr;
  indices: Expr[];
}

export interface SliceExpr {
  kind: 'slice';
  span: Span;
  lower: Expr | null;
  upper: Expr | null;
  step: Expr | null;
}

export interface TupleExpr {
  kind: 'tuple';
  span: Span;
  elts: Expr[];
}

export interface IfExpr {
  kind: 'ifexp';
  span: Span;
  body: Expr;
  test: Expr;
  orelse: Expr;
}

/** Calls `visit` on every statement of a body, depth first, in source order. */
export function walkStmts(body: Stmt[], visit: (s: Stmt, depth: number) => void, depth = 0): void {
  for (const s of body) {
    visit(s, depth);
    if (s.kind === 'for' || s.kind === 'while') walkStmts(s.body, visit, depth + 1);
    if (s.kind === 'if') {
      walkStmts(s.body, visit, depth);
      walkStmts(s.orelse, visit, depth);
    }
  }
}

/** How many times each name is bound in a body: `x = ...`, `x op= ...` and `for x in ...` each count once. */
export function assignmentCounts(body: Stmt[]): Map<string, number> {
  const counts = new Map<string, number>();
  const bind = (name: string): void => { counts.set(name, (counts.get(name) ?? 0) + 1); };
  walkStmts(body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') bind(s.target.id);
    if (s.kind === 'for') bind(s.target.id);
  });
  return counts;
}

/** The names a body binds (`x = ...`, `x op= ...`, `for x in ...`): assignmentCounts' keys. */
export function boundNames(body: Stmt[]): Set<string> {
  return new Set(assignmentCounts(body).keys());
}

/** The direct sub-expressions of an expression. */
export function childExprs(e: Expr): Expr[] {
  switch (e.kind) {
    case 'binary':
      return [e.left, e.right];
    case 'unary':
      return [e.operand];
    case 'compare':
      return [e.left, ...e.comparators];
    case 'boolop':
      return [e.left, e.right];
    case 'call':
      return [e.func, ...e.args, ...e.keywords.map((k) => k.value)];
    case 'attribute':
      return [e.value];
    case 'subscript':
      return [e.value, ...e.indices];
    case 'slice':
      return [e.lower, e.upper, e.step].filter((x): x is Expr => x !== null);
    case 'tuple':
      return e.elts;
    case 'ifexp':
      return [e.body, e.test, e.orelse];
    default:
      return [];
  }
}

/** Calls `visit` on an expression and all its sub-expressions, pre-order. */
export function walkExpr(e: Expr, visit: (x: Expr) => void): void {
  visit(e);
  for (const c of childExprs(e)) walkExpr(c, visit);
}

/** The expressions a statement evaluates itself (not those of nested statements). */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case 'for':
      return [s.range.start, s.range.stop, s.range.step].filter((x): x is Expr => x !== null);
    case 'if':
    case 'while':
      return [s.test];
    case 'assign':
    case 'augassign':
      return [s.target, s.value];
    case 'expr':
      return s.value.kind === 'string' ? [] : [s.value];
    case 'return':
      return s.value ? [s.value] : [];
    default:
      return [];
  }
}
