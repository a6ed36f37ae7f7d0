// Types stage: from parameter hints and simple local inference, decides whether
// a function is inside the subset the CPU variant reproduces exactly, and
// records what code generation and the dispatcher's guards need to know:
// each parameter's kind/dtype/rank and whether it is written, each
// expression's type, and which CPython-semantics helpers the variant calls.
import { diagnostic, type Diagnostic, type Span } from '../diagnostics.js';
import { stmtExprs, walkExpr, walkStmts, type Expr, type FunctionDef, type Module, type ModuleConstant, type Stmt } from '../parse/ast.js';
import { dtypeOf, dtypeScalar, hintType, makeResolver, type Resolve } from './hints.js';
import { describe, join, npScalar, sameTy, scalar, UNKNOWN, widerScalar, type Origin, type ScalarKind, type Ty } from './ty.js';
import { markCast, type NumericCast } from './casts.js';
import { callArgumentRefusal } from './call-args.js';
import { astypeRefusal, BUILTIN_TYPE_DTYPES, dtypeArgPosition, dtypeOfString, markDtype } from './dtype-args.js';
import { planBinary, planUnary, type Plan, type Side } from './nep50.js';
import { intRange, isDtype, kindOf, NARROW, promoteTypes, type Dtype } from './promotion.js';
import { productNote, productRefusal, reductionNote, ULP_BOUNDS, ulpNote, type CloseNote, type Numerics } from '../numerics.js';
import { CLOSE_REDUCTIONS, planCloseReduction, type ReductionName } from './reductions.js';
import { arrayAttribute, arrayMethod, isMathConstant, isNumpyConstant, isNumpySubmodule, mathFunction, numpyFunction, type TableRow } from './numpy-table.js';
import { ModuleCalls, type CallSite } from './calls.js';
import { covVariables } from './table-guards.js';
import { INT64, IntRanges, staticRange, within, type Range } from './int-ranges.js';
import { indexArrayRule, indexStoreRefusal, isIndexArray, STORE_HELPER, type IndexArrayHelper } from './index-arrays.js';

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

/** Helpers that reproduce CPython operators (math.* helpers apply to any scalar). */
const OPERATOR_HELPERS = new Set(['truediv', 'floordiv', 'mod', 'pow']);

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
  /** Augmented assignments on Python scalars that must go through a helper. */
  augHelpers: Map<Stmt, Semantics>;
  /**
   * Augmented assignments on arrays, printed as `t = t op v` by the variants;
   * the value is the rank of a whole-array name target (`C *= b` becomes
   * `C[:, :] = C * b`), null for a subscript target.
   */
  arrayAug: Map<Stmt, number | null>;
  returns: ReturnKind;
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
  /** Calls of other functions of the module, each a specialization the variants call directly (types/calls.ts). */
  calls: Map<Expr, CallSite>;
  /** The type of what it returns (`none` without a value), null when nothing is returned. */
  returnTy: Ty | null;
  /** Some returned array is (or may be) a view of a parameter. */
  returnsView: boolean;
}

/**
 * The dtype of a ufunc over float64 arrays (and int or float scalars): float64,
 * and of np.abs over complex128 too; null (unknown) otherwise.
 */
function ufuncFloatResult(row: TableRow, args: Ty[]): string | null {
  const arrays = args.filter((t): t is Ty & { kind: 'array' } => t.kind === 'array');
  const scalarsOk = args.every((t) => t.kind === 'array' || (t.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'int')));
  if (scalarsOk && arrays.every((t) => t.dtype === 'float64')) return 'float64';
  if (row.ufunc?.complexToReal && args.length === 1 && arrays[0]?.dtype === 'complex128') return 'float64';
  return null;
}
const BUILTIN_FUNCS = new Set(['min', 'max', 'abs', 'len', 'float', 'int', 'complex', 'bool', 'range']);

/** A float or complex scalar or array (what NumPy's own math loops compute on). */
function isFloatLike(t: Ty): boolean {
  if (t.kind === 'array') return t.dtype === null || !/^u?int|^bool/.test(t.dtype);
  return t.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'complex');
}

function isComplex(t: Ty): boolean {
  if (t.kind === 'array') return t.dtype !== null && dtypeScalar(t.dtype) === 'complex';
  return t.kind === 'scalar' && t.scalar === 'complex';
}

export function checkModule(mod: Module, numerics: Numerics = 'exact'): TypedFunction[] {
  const imports = new Map(mod.imports.map((b) => [b.local, b.qualified]));
  const resolve = makeResolver(imports);
  const topNames = new Set<string>();
  for (const t of mod.body) if (t.kind === 'function') topNames.add(t.name);
  const fns = mod.body.filter((t): t is FunctionDef => t.kind === 'function');
  // calls between the module's functions: callees checked with the call sites' argument types (types/calls.ts)
  const calls = new ModuleCalls(new Map(fns.map((fn) => [fn.name, fn])), (fn, paramTypes, ctx) => new Checker(fn, imports, resolve, topNames, numerics, { paramTypes, calls: ctx }).run());
  // module-level constants (parse/constants.ts), read by the functions the dispatcher guards (not by callees yet)
  const constants = new Map((mod.constants ?? []).filter((c) => !imports.has(c.name) && !topNames.has(c.name)).map((c) => [c.name, c]));
  return fns.map((fn) => calls.within(fn.name, () => new Checker(fn, imports, resolve, topNames, numerics, { calls, constants }).run()));
}


/** 'an int8', 'a uint8', 'a float64'. */
function article(word: string): string {
  return `${/^[aeio]/.test(word) ? 'an' : 'a'} ${word}`;
}

class Checker {
  private readonly params = new Map<string, Ty>();
  private readonly locals = new Map<string, Ty>();
  /** Local name -> the array parameter it views (writes through it write the parameter). */
  private readonly aliases = new Map<string, string | null>();
  private readonly written = new Set<string>();
  private readonly ndimSeen = new Map<string, number>();
  private readonly types = new Map<Expr, Ty>();
  private readonly helpers = new Map<Expr, Semantics>();
  private readonly augHelpers = new Map<Stmt, Semantics>();
  private readonly arrayAug = new Map<Stmt, number | null>();
  /** Where the variants must spell NumPy 2's dtypes (types/casts.ts), found by the last pass. */
  private readonly casts = new Map<Expr | Stmt, NumericCast>();
  /** Scalar parameters beside a narrow dtype (ParamInfo.exact), with the range their ints must lie in. */
  private readonly weakParams = new Map<string, [bigint, bigint] | null>();
  /** Ranges of Python int locals on the straight-line path (int-ranges.ts). */
  private readonly intRanges = new IntRanges();
  private readonly diagnostics: Diagnostic[] = [];
  private returnTy: Ty | null = null;
  private returnsValue = false;
  /**
   * Names bound by statements outside the subset (and locals computed from them):
   * known but untyped. An error whose span holds one of their uses is a follow-on
   * of the unsupported statement, already reported at its place, so it is dropped.
   */
  private readonly untyped = new Set<string>();
  private readonly untypedUses: Span[] = [];
  private readonly calls = new Map<Expr, CallSite>();
  /**
   * Calls of module functions that stay in Python, and the locals bound from
   * them: untyped for the rest of the pass (one diagnostic, at the call). Per
   * pass: a call refused for the incomplete types of an early pass must not
   * silence the final pass's diagnostics.
   */
  private readonly failedCalls = new Set<Expr>();
  private readonly callUntyped = new Set<string>();
  private returnsView = false;

  constructor(
    private readonly fn: FunctionDef,
    private readonly imports: Map<string, string>,
    private readonly resolve: Resolve,
    private readonly topNames: Set<string>,
    private readonly numerics: Numerics = 'exact',
    /** paramTypes: a callee checked with its call site's argument types instead of hints (types/calls.ts). */
    private readonly context: { paramTypes?: Ty[]; calls?: ModuleCalls; constants?: Map<string, ModuleConstant> } = {},
  ) {}

  private readonly closeNotes: CloseNote[] = [];
  /** Module-level constants the function reads: name -> the literal as written. */
  private readonly constantsRead = new Map<string, string>();

  /**
   * NumPy's own elementwise math on real floats: in `close` mode the variant calls
   * the C library's function instead, within ULP_BOUNDS (numerics.ts); in `exact`
   * mode (or on complex numbers, whose functions are unmeasured) it is refused.
   */
  private ownMath(span: Span, fn: string, operation: string, args: Ty[], refusal: string): void {
    // only a function with a measured bound (numerics.ts ULP_BOUNDS) is relaxed
    if (this.numerics === 'close' && !args.some(isComplex) && ULP_BOUNDS[fn] !== undefined) {
      if (!this.closeNotes.some((n) => n.line === span.from.line && n.col === span.from.col && n.operation === operation)) {
        this.closeNotes.push(ulpNote(span.from.line, span.from.col, fn, operation));
      }
      return;
    }
    this.error(span, refusal);
  }

  /**
   * A product of arrays through BLAS (numerics.ts productRefusal): exact when its
   * operands are integers; else refused in `exact` mode and noted in `close` mode.
   */
  private product(span: Span, operation: string, l: Ty | undefined, r: Ty | undefined): void {
    if (l?.kind !== 'array' || r?.kind !== 'array') return;
    const refusal = productRefusal(operation, [l.dtype, r.dtype]);
    if (refusal === null) return;
    if (this.numerics === 'exact') {
      this.error(span, refusal);
    } else if (!this.closeNotes.some((n) => n.line === span.from.line && n.col === span.from.col && n.operation === operation)) {
      this.closeNotes.push(productNote(span.from.line, span.from.col, operation));
    }
  }

  /**
   * np.sum/mean/var/std and their methods in close mode, along an axis or of a whole
   * array NumPy's own order cannot be followed for (types/reductions.ts); null when
   * the call is not one of those (the other rules apply).
   */
  private closeReduction(e: Expr & { kind: 'call' }, name: string, args: Ty[], kw: Map<string, Ty>, method: boolean): Ty | null {
    if (this.numerics !== 'close' || !CLOSE_REDUCTIONS.has(name)) return null;
    const operandExpr = method ? (e.func.kind === 'attribute' ? e.func.value : undefined) : e.args[0];
    const operand = method ? (operandExpr ? this.types.get(operandExpr) : undefined) : args[0];
    if (!operandExpr || !operand || operand.kind !== 'array') return null;
    const rest = method ? e.args : e.args.slice(1);
    const whole = rest.length === 0 && e.keywords.length === 0;
    const param = this.isParamName(operandExpr);
    // exactSum's pairwise_sum/_mean: NumPy's own order, bit for bit, so not relaxed
    const pairwiseExact = (name === 'sum' || name === 'mean') && operand.dtype === 'float64' && whole &&
      (operand.ndim === 1 || (operand.ndim !== null && operand.ndim >= 2 && param));
    const plan = planCloseReduction({
      name: name as ReductionName, operand, operandExpr, rest, keywords: e.keywords,
      restTypes: method ? args : args.slice(1), keywordTypes: kw,
    }, pairwiseExact);
    if (plan === null) return null;
    if (plan.kind === 'refuse') {
      this.error(e.span, plan.reason);
      return UNKNOWN;
    }
    this.helpers.set(e, { helper: plan.helper, args: plan.args });
    if (!this.closeNotes.some((n) => n.line === e.span.from.line && n.col === e.span.from.col)) {
      this.closeNotes.push(reductionNote(e.span.from.line, e.span.from.col, method ? `.${name}()` : `np.${name}`, plan.terms));
    }
    return plan.type;
  }

  private error(span: Span, message: string): void {
    if (this.untypedUses.some((u) => u.start >= span.start && u.end <= span.end)) return;
    if (!this.diagnostics.some((d) => d.span.start === span.start && d.message === message)) {
      this.diagnostics.push(diagnostic('error', span, message));
    }
  }

  run(): TypedFunction {
    const fn = this.fn;
    for (const u of fn.unsupported) this.error(u.span, u.message);
    for (const u of fn.unsupported) for (const name of u.binds ?? []) this.untyped.add(name);
    for (const [k, p] of fn.params.entries()) {
      const given = this.context.paramTypes?.[k];
      if (given) {
        this.params.set(p.name, given);
        continue;
      }
      if (!p.annotation) {
        this.error(p.span, `parameter '${p.name}' has no type hint`);
        this.params.set(p.name, UNKNOWN);
        continue;
      }
      const h = hintType(p.annotation, this.resolve);
      if (!h.ok) {
        this.error(p.annotation.span, `parameter '${p.name}': ${h.message}`);
        this.params.set(p.name, UNKNOWN);
      } else {
        this.params.set(p.name, h.ty);
      }
    }
    this.discoverRanks();
    this.checkHintedRanks();
    const staticDiagnostics = this.diagnostics.length;
    // Locals are typed to a fixed point: a second pass sees the joins of the first,
    // and array parameters the rank their subscripts showed.
    for (let pass = 0; pass < 4; pass++) {
      // (ranks too: a callee's may pin an argument's, moduleCall)
      const before = JSON.stringify([...this.locals, ...this.ndimSeen]);
      this.diagnostics.splice(staticDiagnostics);
      for (const [name, t] of this.params) {
        if (t.kind === 'array' && this.ndimSeen.has(name)) this.params.set(name, { ...t, ndim: this.ndimSeen.get(name)! });
      }
      this.helpers.clear();
      this.augHelpers.clear();
      this.arrayAug.clear();
      this.casts.clear();
      this.weakParams.clear();
      this.intRanges.clear();
      this.calls.clear();
      this.failedCalls.clear();
      this.callUntyped.clear();
      this.untypedUses.length = 0;
      this.returnTy = null;
      this.returnsValue = false;
      this.returnsView = false;
      this.block(fn.body);
      if (JSON.stringify([...this.locals, ...this.ndimSeen]) === before && pass > 0) break;
    }
    // every call of a module function is compiled (a specialization) or explained by a diagnostic
    if (this.diagnostics.length === 0) {
      walkStmts(fn.body, (st) => {
        for (const e of stmtExprs(st)) walkExpr(e, (x) => {
          const f = x.kind === 'call' ? this.types.get(x.func) : undefined;
          if (f?.kind === 'callable' && f.qualified.startsWith('module.') && !this.calls.has(x)) this.error(x.span, `the call of '${f.qualified.slice(7)}' could not be typed`);
        });
      });
    }
    const usesOperatorHelpers = [...this.helpers.values(), ...this.augHelpers.values()].some((h) => OPERATOR_HELPERS.has(h.helper));
    for (const [node, cast] of this.casts) markCast(node, cast);
    const params: ParamInfo[] = fn.params.map((p) => this.paramInfo(p.name, usesOperatorHelpers));
    return {
      fn,
      params,
      locals: this.locals,
      types: this.types,
      helpers: this.helpers,
      augHelpers: this.augHelpers,
      arrayAug: this.arrayAug,
      returns: this.returnKind(),
      ...(this.returnTy?.kind === 'tuple' ? { returnScalars: this.returnTy.elts.map(numpyScalarType) } : {}),
      ...(this.returnsValue && this.returnTy && numpyScalarType(this.returnTy) ? { returnScalar: numpyScalarType(this.returnTy)! } : {}),
      diagnostics: [...this.diagnostics].sort((a, b) => a.span.start - b.span.start),
      accelerated: this.diagnostics.length === 0,
      numerics: this.numerics,
      closeNotes: [...this.closeNotes].sort((a, b) => a.line - b.line || a.col - b.col),
      ...(this.constantsRead.size ? { constants: Object.fromEntries([...this.constantsRead].sort()) } : {}),
      calls: this.calls,
      returnTy: this.returnsValue ? this.returnTy : null,
      returnsView: this.returnsView,
    };
  }

  /**
   * Ranks of array parameters whose hint does not give one, from how they are
   * subscripted: `A[i, j]` and `A[i][j]` show 2 dimensions; `row = A[i]` then
   * `row[j]` shows 2 as well. Done syntactically before typing, so that typing
   * sees the final ranks and `A[i]` is known to be a row, not an element.
   */
  private discoverRanks(): void {
    const viewOf = new Map<string, { root: string; consumed: number }>();
    // A chain ending in an index reads elements at that depth: the rank is known.
    // One ending in a slice (`A[i, :]`) only shows the rank is at least that; it is
    // taken as the rank (the guard checks it) unless the array is only ever used
    // whole (`B[:]`), where any rank works and pinning one would only refuse calls.
    const exact = new Map<string, number>();
    const atLeast = new Map<string, number>();
    const partial = new Set<string>();
    const see = (root: string, depth: number, isExact: boolean): void => {
      if (this.params.get(root)?.kind !== 'array') return;
      const into = isExact ? exact : atLeast;
      into.set(root, Math.max(into.get(root) ?? 0, depth));
    };
    // `g(P[i])` of a module function: P[i] may be an element or a row, which g's
    // specialization tells (moduleCall pins the rank then); it shows no rank here
    const callArgs = new Set<Expr>();
    walkStmts(this.fn.body, (s) => {
      for (const e of stmtExprs(s)) walkExpr(e, (x) => {
        if (x.kind === 'call' && x.func.kind === 'name' && this.context.calls?.has(x.func.id) && !this.params.has(x.func.id)) {
          for (const a of [...x.args, ...x.keywords.map((k) => k.value)]) callArgs.add(a);
        }
      });
    });
    const visitExpr = (e: Expr): void =>
      walkExpr(e, (x) => {
        if (x.kind !== 'subscript' || callArgs.has(x)) return;
        const root = rootParamOrLocal(x);
        if (!root) return;
        const last = x.indices[x.indices.length - 1];
        const isExact = !!last && last.kind !== 'slice' && !isNewAxis(last);
        const bare = x.value.kind === 'name' && x.indices.every((i) => i.kind === 'slice' && !i.lower && !i.upper && !i.step);
        if (!bare) partial.add(viewOf.get(root)?.root ?? root);
        const view = viewOf.get(root);
        if (view) see(view.root, view.consumed + chainDepth(x), isExact);
        else see(root, chainDepth(x), isExact);
      });
    // `x[idx]`, `x[x > 0]`, `x[mask]` copy: an index array parameter, a comparison, or a local holding one
    const maskLocals = new Set<string>();
    walkStmts(this.fn.body, (s) => { if (s.kind === 'assign' && s.target.kind === 'name' && s.value.kind === 'compare') maskLocals.add(s.target.id); });
    const copies = (e: Expr & { kind: 'subscript' }): boolean =>
      e.indices.some((i) => i.kind === 'compare' || (i.kind === 'name' && (this.params.get(i.id)?.kind === 'array' || maskLocals.has(i.id))));
    walkStmts(this.fn.body, (s) => {
      if (s.kind === 'assign' && s.target.kind === 'name' && s.value.kind === 'subscript' && !copies(s.value)) {
        const root = rootParamOrLocal(s.value);
        if (root && this.params.get(root)?.kind === 'array') {
          viewOf.set(s.target.id, { root, consumed: countIntLike(s.value) });
        }
      }
    });
    walkStmts(this.fn.body, (s) => {
      for (const e of stmtExprs(s)) visitExpr(e);
      // `dx, dy = p[i] - p[i - 1]` shows that p[i] has a dimension more (parse/unpack.ts)
      if (s.kind === 'assign' && s.unpackedLength !== undefined) {
        for (const x of elementwiseOperands(s.value)) {
          const root = rootParamOrLocal(x);
          const last = x.indices[x.indices.length - 1];
          if (root && last && last.kind !== 'slice' && !isNewAxis(last)) see(viewOf.get(root)?.root ?? root, (viewOf.get(root)?.consumed ?? 0) + chainDepth(x) + 1, true);
        }
      }
      // `n, m = A.shape` shows the rank exactly (parse/unpack.ts)
      const base = unpackedShapeBase(s);
      if (base) see(viewOf.get(base)?.root ?? base, s.kind === 'assign' ? s.unpackedShape! : 0, true);
    });
    for (const root of new Set([...exact.keys(), ...atLeast.keys()])) {
      if (!exact.has(root) && !partial.has(root)) continue;
      this.ndimSeen.set(root, Math.max(exact.get(root) ?? 0, atLeast.get(root) ?? 0));
    }
  }


  /** A rank from the hint (np.ndarray[tuple[int, int], ...]) wins over the subscripts' if they agree. */
  private checkHintedRanks(): void {
    for (const p of this.fn.params) {
      const t = this.params.get(p.name);
      if (!t || t.kind !== 'array' || t.ndim === null || (!p.annotation && !this.context.paramTypes)) continue;
      const seen = this.ndimSeen.get(p.name);
      if (seen !== undefined && seen > t.ndim) this.error((p.annotation ?? p).span, `parameter '${p.name}' is ${p.annotation && !this.context.paramTypes ? 'hinted as' : 'passed'} ${t.ndim}-d but subscripted with ${seen} indices`);
      else this.ndimSeen.set(p.name, t.ndim);
    }
  }

  private paramInfo(name: string, exactScalars: boolean): ParamInfo {
    const t = this.params.get(name) ?? UNKNOWN;
    if (t.kind === 'array') {
      return { name, kind: 'array', dtype: t.dtype, ndim: this.ndimSeen.get(name) ?? null, written: this.written.has(name), exact: false };
    }
    const kind: ParamKind = t.kind === 'scalar' ? t.scalar : 'unknown';
    const weak = this.weakParams.get(name);
    const info: ParamInfo = { name, kind, dtype: null, ndim: null, written: false, exact: (exactScalars || weak !== undefined) && t.kind === 'scalar' };
    if (weak) info.bounds = [Number(weak[0]), Number(weak[1])];
    if (t.kind === 'scalar' && t.origin === 'np') {
      // a NumPy scalar keeps NumPy's rules: neither CPython's helpers nor a Python scalar's weak promotion apply
      info.exact = false;
      delete info.bounds;
      info.scalarDtype = t.dtype ?? { bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128' }[t.scalar];
    }
    return info;
  }

  private returnKind(): ReturnKind {
    if (!this.returnsValue || !this.returnTy) return 'none';
    const t = this.returnTy;
    if (t.kind === 'scalar') return t.scalar;
    if (t.kind === 'array') return 'array';
    if (t.kind === 'none') return 'none';
    return 'any'; // tuples too: the dispatcher passes results through as they are
  }

  private block(body: Stmt[]): void {
    for (const s of body) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'for': {
        for (const e of [s.range.start, s.range.stop, s.range.step]) {
          if (!e) continue;
          const t = this.expr(e);
          if (!(t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool'))) {
            this.error(e.span, `range() argument must be an int, found ${describe(t)}`);
          }
        }
        if (s.range.step && s.range.step.kind === 'number' && Number(s.range.step.text) === 0) {
          this.error(s.range.step.span, 'range() step must not be zero');
        }
        if (this.params.has(s.target.id)) this.error(s.target.span, `loop variable '${s.target.id}' rebinds a parameter`);
        this.bindLocal(s.target.id, scalar('int', 'py'), null, s.target.span);
        this.intRanges.loop(s, () => this.block(s.body));
        return;
      }
      case 'if':
        this.expr(s.test);
        this.intRanges.branches(s, () => this.block(s.body), () => this.block(s.orelse));
        return;
      case 'while': {
        // any scalar is a condition (its truth as in Python); an array's truth raises for more than one element
        const t = this.expr(s.test);
        if (t.kind !== 'scalar' && t.kind !== 'unknown') this.error(s.test.span, `a while condition must be a scalar, found ${describe(t)}`);
        this.intRanges.loop(s, () => this.block(s.body));
        return;
      }
      case 'assign': {
        const valueTy = this.expr(s.value);
        this.assign(s.target, valueTy, s.value, s.span);
        this.indexArrayStore(s, valueTy);
        if (s.target.kind === 'name') this.intRanges.assigned(s.target.id, this.isPyInt(s.value) ? this.rangeOf(s.value) : null);
        if (s.unpackedShape !== undefined) this.checkUnpackedShape(s);
        if (s.unpackedLength !== undefined) this.checkUnpackedArray(s);
        return;
      }
      case 'augassign': {
        const targetTy = this.expr(s.target);
        const valueTy = this.expr(s.value);
        // a narrow scalar target is cast back (`t = np.uint8(t + v)`); an array element is by its store
        const scalarTarget = s.target.kind === 'name' && targetTy.kind === 'scalar';
        const result = this.binaryType(s.op, targetTy, valueTy, s.span, (h) => this.augHelpers.set(s, h), undefined, { operands: [s.target, s.value], node: scalarTarget ? s : null });
        if (s.target.kind === 'name' && targetTy.kind === 'scalar' && targetTy.scalar === 'int' && targetTy.origin !== 'np' && (s.op === '*' || s.op === '**' || s.op === '<<')) {
          this.error(s.span, `'${s.target.id} ${s.op}= ...' on a Python int may exceed 64 bits, where Numba would wrap around`);
        }
        if (s.target.kind === 'subscript' && this.helpers.has(s.target) && isIndexHelper(this.helpers.get(s.target)!.helper)) {
          this.error(s.span, `'${s.op}=' through an index array is not supported (NumPy applies it once per distinct index)`);
        }
        if (targetTy.kind === 'array') this.arrayAugAssign(s, targetTy, valueTy);
        if (s.target.kind === 'subscript') {
          this.scalarStore(targetTy, result, s.span);
          this.markWritten(s.target, s.span);
        } else if (s.target.kind === 'name') {
          if (targetTy.kind === 'array') this.markWritten(s.target, s.span);
          else this.bindLocal(s.target.id, result, null, s.span);
          const combined: Expr = { kind: 'binary', span: s.span, op: s.op, left: s.target, right: s.value };
          this.intRanges.assigned(s.target.id, result.kind === 'scalar' && result.scalar === 'int' && result.origin === 'py' ? this.rangeOf(combined, combined) : null);
        } else {
          this.error(s.target.span, 'unsupported assignment target');
        }
        return;
      }
      case 'expr':
        if (s.value.kind === 'string') return; // docstring
        this.expr(s.value);
        return;
      case 'return':
        this.returnsValue ||= s.value !== null;
        if (s.value) {
          const t = this.expr(s.value);
          // a returned view of a parameter: a caller's analysis would not know what it aliases (types/calls.ts)
          const returned = s.value.kind === 'tuple' ? s.value.elts : [s.value];
          if (returned.some((x) => this.types.get(x)?.kind === 'array' && this.arrayRoot(x) !== null)) this.returnsView = true;
          // `return a, b`: a tuple of scalars and arrays, which Numba returns as the same tuple
          if (t.kind === 'tuple' && !t.elts.every((x) => x.kind === 'scalar' || x.kind === 'array')) this.error(s.value.span, `returning a tuple of ${t.elts.map(describe).join(', ')} is not supported`);
          // Numba unifies the returns into one type, where Python returns each as it is
          if (this.returnTy && (this.returnTy.kind === 'tuple' || t.kind === 'tuple') && !sameTy(this.returnTy, t)) this.error(s.value.span, `returns a ${describe(t)} here and a ${describe(this.returnTy)} elsewhere`);
          this.returnTy = this.returnTy && !sameTy(this.returnTy, t) ? join(this.returnTy, t) : t; // (join makes two equal tuples unknown)
        }
        return;
      case 'pass':
      case 'break':
      case 'continue':
        return;
    }
  }

  /** A Python int (or bool): arithmetic on it does not wrap. Nodes made here have no type: their operands decide. */
  private isPyInt(e: Expr): boolean {
    const t = this.types.get(e);
    if (t) return t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool') && t.origin === 'py';
    if (e.kind === 'binary') return this.isPyInt(e.left) && this.isPyInt(e.right);
    return false;
  }

  /** The static range of an integer expression (int-ranges.ts); `pyIntNode`: a made node known to be a Python int. */
  private rangeOf(e: Expr, pyIntNode: Expr | null = null): Range | null {
    return staticRange(e, (n) => this.intRanges.get(n), (x) => x === pyIntNode || this.isPyInt(x), (c) => this.calls.get(c)?.spec.returnRange ?? null);
  }

  /** `t[k]` of a tuple (`q, r = f(x)` reads the items so): a constant index, each item its own type. */
  private tupleItem(e: Expr & { kind: 'subscript' }, base: Ty & { kind: 'tuple' }): Ty {
    const ix = e.indices.length === 1 ? e.indices[0] : null;
    const k = ix && ix.kind === 'number' && ix.numberKind === 'int' && /^\d+$/.test(ix.text) ? Number(ix.text) : null;
    if (k === null || k >= base.elts.length) {
      this.error(e.span, k === null ? 'a tuple is indexed by an integer literal only' : `tuple index ${k} is out of range for ${base.elts.length} items`);
      return UNKNOWN;
    }
    return base.elts[k];
  }

  /**
   * `a, b = E` unpacks E's first dimension (an array of known rank) or E's
   * items (a tuple of that many: a module function's `return q, r`).
   */
  private checkUnpackedArray(s: Stmt & { kind: 'assign' }): void {
    const t = this.types.get(s.value);
    if (t?.kind === 'array' && t.ndim !== null && t.ndim >= 1) return;
    if (t?.kind === 'tuple' && t.elts.length === s.unpackedLength) return;
    if (t?.kind === 'tuple') {
      this.error(s.span, `unpacking a tuple of ${t.elts.length} items into ${s.unpackedLength} names raises ValueError`);
      if (s.target.kind === 'name') this.untyped.add(s.target.id);
      return;
    }
    // a value refused on its own (`np.mgrid[...]`): its diagnostic says why, the unpacking adds nothing
    const inValue = (d: { span: Span }): boolean => d.span.start >= s.value.span.start && d.span.end <= s.value.span.end;
    if ((!t || t.kind === 'unknown') && this.diagnostics.some(inValue)) {
      if (s.target.kind === 'name') this.untyped.add(s.target.id);
      return;
    }
    const message = `unpacking ${t ? describe(t) : 'a value'} into ${s.unpackedLength} names is not supported (only a written tuple, a shape or an array of known rank)`;
    // one diagnostic: the temporary's uses (`a = t[0]`, and what reads a) are its follow-ons
    if (!this.diagnostics.some((d) => d.span.start === s.span.start && d.message === message)) this.diagnostics.push(diagnostic('error', s.span, message));
    if (s.target.kind === 'name') this.untyped.add(s.target.id);
  }

  /** `n, m = A.shape` binds only when A has exactly that rank (Python raises ValueError otherwise). */
  private checkUnpackedShape(s: Stmt & { kind: 'assign' }): void {
    const base = s.value.kind === 'subscript' && s.value.value.kind === 'attribute' ? s.value.value.value : null;
    const t = base ? this.types.get(base) : undefined;
    if (t?.kind === 'array' && t.ndim === s.unpackedShape) return;
    const rank = t?.kind === 'array' ? (t.ndim === null ? 'an unknown rank' : `rank ${t.ndim}`) : 'no known rank';
    this.error(s.span, `unpacking a shape of ${rank} into ${s.unpackedShape} names`);
  }

  /**
   * `A[i, :] += X` on an array: Numba's in-place operator on a slice neither
   * broadcasts nor checks shapes as NumPy does, so the variants print it as
   * `A[i, :] = A[i, :] + X`, which is the same for NumPy (it buffers
   * overlapping operands) and makes Numba check the shapes. Only when the
   * casting cannot differ: NumPy refuses `int_array += float`, an assignment
   * would cast silently.
   */
  private arrayAugAssign(s: Stmt & { kind: 'augassign' }, target: Ty & { kind: 'array' }, value: Ty): void {
    const targetKind = target.dtype === null ? null : dtypeScalar(target.dtype);
    const valueKind = value.kind === 'scalar' ? value.scalar : value.kind === 'array' ? (value.dtype === null ? null : dtypeScalar(value.dtype)) : null;
    const rank: Record<string, number> = { bool: 0, int: 1, float: 2, complex: 3 };
    if (targetKind === null || valueKind === null || rank[valueKind] > rank[targetKind] || (s.op === '/' && targetKind !== 'float' && targetKind !== 'complex')) {
      this.error(s.span, `'${s.op}=' on an array whose dtype NumPy could refuse to cast in place (${target.dtype ?? 'any dtype'} ${s.op}= ${describe(value)})`);
      return;
    }
    if (s.target.kind === 'name') {
      if (target.ndim === null) {
        this.error(s.span, `'${s.target.id} ${s.op}= ...' on an array of unknown rank`);
        return;
      }
      this.arrayAug.set(s, target.ndim);
    } else {
      this.arrayAug.set(s, null);
    }
  }

  /** `x[mask] = v`, `x[idx] = v`: the target's read helper becomes the statement's store helper. */
  private indexArrayStore(s: Stmt & { kind: 'assign' }, valueTy: Ty): void {
    if (s.target.kind !== 'subscript') return;
    const h = this.helpers.get(s.target);
    if (!h || !isIndexHelper(h.helper)) return;
    this.helpers.delete(s.target);
    const base = this.types.get(s.target.value);
    if (base?.kind !== 'array') return;
    const refusal = indexStoreRefusal(base, valueTy);
    if (refusal) {
      this.error(s.value.span, refusal);
      return;
    }
    this.augHelpers.set(s, { helper: STORE_HELPER[h.helper as IndexArrayHelper], args: [s.target.value, s.target.indices[0], s.value] });
  }

  private assign(target: Expr, valueTy: Ty, value: Expr, span: Span): void {
    if (target.kind === 'name') {
      if (this.params.has(target.id)) {
        const pt = this.params.get(target.id)!;
        if (pt.kind === 'array' || valueTy.kind === 'array') {
          // once per statement: `A, B = B, A` (parse/unpack.ts) rebinds both
          const already = this.diagnostics.some((d) => d.span.start === span.start && d.message.startsWith('rebinding the array parameter'));
          if (!already) this.error(span, `rebinding the array parameter '${target.id}' is not supported`);
          return;
        }
        if (valueTy.kind === 'scalar' && pt.kind === 'scalar' && valueTy.scalar !== pt.scalar) {
          this.error(span, `parameter '${target.id}' is rebound to a ${valueTy.scalar}`);
        }
        return;
      }
      if (valueTy.kind === 'scalar' && valueTy.scalar === 'int' && valueTy.origin !== 'np' && isSelfProduct(target.id, value)) {
        this.error(span, `'${target.id} = ${target.id} * ...' on a Python int may exceed 64 bits, where Numba would wrap around`);
      }
      if (this.usesFailedCall(value)) this.callUntyped.add(target.id);
      else if (this.usesUntyped(value)) this.untyped.add(target.id);
      this.bindLocal(target.id, valueTy, valueTy.kind === 'array' ? this.arrayRoot(value) : null, span);
      return;
    }
    if (target.kind === 'subscript') {
      const into = this.expr(target);
      // NumPy 2 raises OverflowError storing a Python int out of the array's range (`u16[i] = -107`)
      const dtype = into.kind === 'array' ? into.dtype : into.kind === 'scalar' ? into.dtype : null;
      if (isDtype(dtype) && valueTy.kind === 'scalar' && valueTy.origin === 'py' && valueTy.scalar === 'int') {
        this.constructorRange(dtype, valueTy, value, span, `storing a Python int into a ${dtype} array`);
      }
      this.scalarStore(into, valueTy, span);
      this.markWritten(target, span);
      return;
    }
    this.error(target.span, 'unsupported assignment target');
  }

  /**
   * NumPy 2 stores a scalar into an integer array (an element or a slice)
   * through a Python int, range-checked: `i16[k] = np.int32(70000)` or
   * `i16[k] = 1e9` raise OverflowError and a NaN raises ValueError, where
   * compiled code wraps or converts with undefined results. So a NumPy integer
   * scalar is stored only where its dtype casts safely to the array's, and no
   * float or complex scalar is stored into an integer array. (Python ints are
   * range-checked with the operands: constructorRange.) Fuzz seed 42's finding.
   */
  private scalarStore(into: Ty, value: Ty, span: Span): void {
    const target = into.kind === 'array' || into.kind === 'scalar' ? into.dtype : null;
    if (!isDtype(target) || target === 'bool' || kindOf(target) !== 'int' || value.kind !== 'scalar') return;
    if (value.scalar === 'float' || value.scalar === 'complex') {
      this.error(span, `storing a ${value.scalar} into ${article(target)} array: NumPy 2 raises OverflowError (ValueError for NaN) where it does not fit, compiled code's conversion is undefined there`);
      return;
    }
    if (value.origin === 'py') return;
    const from: Dtype = isDtype(value.dtype) ? value.dtype : value.scalar === 'bool' ? 'bool' : 'int64';
    if (promoteTypes(from, target) !== target) {
      this.error(span, `storing ${article(from)} value into ${article(target)} array: NumPy 2 raises OverflowError where it does not fit, compiled code would wrap around`);
    }
  }

  /** Whether an expression reads a name bound by an unsupported statement. */
  private usesUntyped(e: Expr): boolean {
    let found = false;
    walkExpr(e, (x) => { if (x.kind === 'name' && this.untyped.has(x.id)) found = true; });
    return found;
  }

  /** Whether an expression holds a refused module call or reads a local bound from one (this pass). */
  private usesFailedCall(e: Expr): boolean {
    let found = false;
    walkExpr(e, (x) => { if (this.failedCalls.has(x) || (x.kind === 'name' && this.callUntyped.has(x.id))) found = true; });
    return found;
  }

  private bindLocal(name: string, t: Ty, aliasOf: string | null, span: Span): void {
    // a tuple of scalars (what `q, r = f(x)` unpacks) is a value; one holding arrays could alias the caller's
    const scalarTuple = t.kind === 'tuple' && t.elts.every((x) => x.kind === 'scalar');
    if (t.kind === 'tuple' && !scalarTuple) {
      this.error(span, `local '${name}' holds a tuple of ${t.elts.map(describe).join(', ')}: only tuples of scalars are supported`);
    } else if (t.kind === 'module' || t.kind === 'callable' || t.kind === 'shape' || (t.kind === 'dtype' && t.dtype === null)) {
      this.error(span, `local '${name}' holds a ${t.kind}, which is not supported`);
    }
    const prev = this.locals.get(name);
    // `dt = A.dtype` then `np.zeros(n, dt)`: one known dtype per local (types/dtype-args.ts)
    if (t.kind === 'dtype' && prev?.kind === 'dtype' && prev.dtype !== t.dtype) this.error(span, `local '${name}' holds the dtypes ${prev.dtype} and ${t.dtype}`);
    if (scalarTuple && prev && !sameTy(prev, t)) this.error(span, `local '${name}' changes between ${describe(prev)} and ${describe(t)}`);
    const next = scalarTuple ? t : prev ? join(prev, t) : t;
    if (prev?.kind === 'scalar' && t.kind === 'scalar' && exactScalarType(prev) !== exactScalarType(t) && [prev, t].some((x) => NARROW.has(exactScalarType(x) as Dtype) || exactScalarType(x) === 'uint64')) {
      // NumPy 2 keeps each value's own type (a Python float, then a float32 after `s += x[i]`); Numba unifies the local into one
      this.error(span, `local '${name}' is ${describe(prev)} and ${describe(t)} on different paths: NumPy 2 computes with each, compiled code with one type`);
    }
    if (prev && prev.kind !== 'unknown' && t.kind !== 'unknown' && prev.kind !== t.kind) {
      this.error(span, `local '${name}' changes between ${describe(prev)} and ${describe(t)}`);
    }
    this.locals.set(name, next);
    if (t.kind === 'array') {
      const prevAlias = this.aliases.get(name);
      if (prevAlias !== undefined && prevAlias !== aliasOf) this.error(span, `local array '${name}' is rebound to a different array`);
      this.aliases.set(name, aliasOf);
    }
  }

  /** The array parameter an array-valued expression is a view of, if any. */
  private arrayRoot(e: Expr): string | null {
    if (e.kind === 'name') {
      if (this.params.has(e.id)) return e.id;
      return this.aliases.get(e.id) ?? null;
    }
    // `x[mask]`, `x[idx]` are copies (types/index-arrays.ts)
    if (e.kind === 'subscript') return isIndexHelper(this.helpers.get(e)?.helper ?? '') ? null : this.arrayRoot(e.value);
    if (e.kind === 'attribute' && (e.attr === 'T' || e.attr === 'real' || e.attr === 'imag')) return this.arrayRoot(e.value);
    if (e.kind === 'call' && e.func.kind === 'attribute' && (e.func.attr === 'transpose' || e.func.attr === 'ravel')) return this.arrayRoot(e.func.value);
    // a view NumPy returns (np.reshape, np.flip, a.reshape(...)): writes through it write its array
    const viewed = viewOperand(e, (x) => this.types.get(x)?.kind === 'module');
    if (viewed) return this.arrayRoot(viewed);
    return null;
  }

  private markWritten(target: Expr, span: Span): void {
    let base: Expr = target;
    while (base.kind === 'subscript' || (base.kind === 'attribute' && (base.attr === 'T' || base.attr === 'real' || base.attr === 'imag'))) base = base.value;
    if (base.kind !== 'name') {
      this.error(span, 'unsupported assignment target');
      return;
    }
    const t = this.params.get(base.id) ?? this.locals.get(base.id);
    if (!t || t.kind !== 'array') {
      this.error(span, `'${base.id}' is assigned by subscript but is not an array`);
      return;
    }
    const root = this.params.has(base.id) ? base.id : this.aliases.get(base.id) ?? null;
    if (root) this.written.add(root);
  }

  private note(e: Expr, t: Ty): Ty {
    this.types.set(e, t);
    return t;
  }

  expr(e: Expr): Ty {
    return this.note(e, this.exprInner(e));
  }

  private exprInner(e: Expr): Ty {
    switch (e.kind) {
      case 'number':
        return scalar(e.numberKind, 'py');
      case 'const':
        return e.value === 'None' ? { kind: 'none' } : scalar('bool', 'py');
      case 'string':
        this.error(e.span, 'strings are not supported in accelerated code');
        return UNKNOWN;
      case 'name':
        return this.name(e.id, e.span);
      case 'attribute':
        return this.attribute(e);
      case 'subscript':
        return this.subscript(e);
      case 'slice':
        for (const p of [e.lower, e.upper, e.step]) if (p) this.expectInt(p);
        return UNKNOWN;
      case 'tuple':
        return { kind: 'tuple', elts: e.elts.map((x) => this.expr(x)) };
      case 'unary': {
        const t = this.expr(e.operand);
        if (e.op === 'not') return scalar('bool', t.kind === 'scalar' ? t.origin : 'np');
        if (e.op === '~' && t.kind === 'scalar' && t.scalar === 'bool') this.error(e.span, "'~' on a bool is not supported");
        const plan = planUnary(e.op, this.side(t, e.operand));
        this.applyPlan(plan, undefined, e.span, t.kind === 'array', e);
        if (t.kind === 'scalar' && t.scalar === 'bool' && e.op !== '~') return scalar('int', t.origin);
        return t;
      }
      case 'binary':
        return this.binaryType(e.op, this.expr(e.left), this.expr(e.right), e.span, (h) => this.helpers.set(e, h), e);
      case 'compare': {
        const ts = [this.expr(e.left), ...e.comparators.map((c) => this.expr(c))];
        const xs = [e.left, ...e.comparators];
        e.ops.forEach((op, k) => {
          // NumPy 2 compares in the promoted dtype: float32 beside 0.1 compares with float32(0.1)
          const plan = planBinary(op, this.side(ts[k], xs[k]), this.side(ts[k + 1], xs[k + 1]));
          this.applyPlan(plan, [xs[k], xs[k + 1]], e.span, false, null);
        });
        if (ts.some((t) => t.kind === 'array')) {
          // broadcasting: the rank of the widest operand (a mask `x > t` is 1-d for a 1-d x)
          const ranks = ts.map((t) => (t.kind === 'array' ? t.ndim : 0));
          const ndim = e.ops.length === 1 && ranks.every((r) => r !== null) ? Math.max(...(ranks as number[])) : null;
          return { kind: 'array', dtype: 'bool', ndim };
        }
        return scalar('bool', ts.every((t) => t.kind === 'scalar' && t.origin === 'py') ? 'py' : 'np');
      }
      case 'boolop': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        for (const [t, x] of [[l, e.left], [r, e.right]] as const) {
          if (!(t.kind === 'scalar' && t.scalar === 'bool')) this.error(x.span, `'${e.op}' is supported on bools only, found ${describe(t)}`);
        }
        return scalar('bool', 'mixed');
      }
      case 'ifexp': {
        this.expr(e.test);
        return join(this.expr(e.body), this.expr(e.orelse));
      }
      case 'call':
        return this.call(e);
    }
  }

  private expectInt(e: Expr): void {
    const t = this.expr(e);
    if (!(t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool')) && t.kind !== 'none') {
      this.error(e.span, `expected an int, found ${describe(t)}`);
    }
  }

  private name(id: string, span: Span): Ty {
    if (this.untyped.has(id) || this.callUntyped.has(id)) {
      this.untypedUses.push(span);
      return this.params.get(id) ?? this.locals.get(id) ?? UNKNOWN;
    }
    const p = this.params.get(id);
    if (p) return p;
    const l = this.locals.get(id);
    if (l) return l;
    const q = this.imports.get(id);
    if (q !== undefined) {
      if (q === 'numpy' || q === 'math') return { kind: 'module', name: q };
      const dtype = dtypeOf(q);
      if (dtype) return { kind: 'dtype', dtype };
      return { kind: 'callable', qualified: q };
    }
    if (BUILTIN_FUNCS.has(id)) return { kind: 'callable', qualified: `builtins.${id}` };
    if (this.topNames.has(id)) {
      if (this.context.calls?.has(id)) return { kind: 'callable', qualified: `module.${id}` };
      this.error(span, `calls to other functions ('${id}') are not supported yet`);
      return UNKNOWN;
    }
    const c = this.context.constants?.get(id);
    if (c && !this.bindsName(id)) {
      // frozen into the variants; the dispatcher checks the original's module still binds this value
      this.constantsRead.set(id, c.text);
      return scalar(c.kind, 'py');
    }
    this.error(span, `'${id}' is not a parameter, local or import (a module-level name is read only as a constant: bound once to a number or bool literal, which the variants freeze)`);
    return UNKNOWN;
  }

  /** Whether the function binds `id` anywhere (then it is a local throughout, in Python, never the module's). */
  private bindsName(id: string): boolean {
    let binds = false;
    walkStmts(this.fn.body, (s) => {
      if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && s.target.id === id) binds = true;
      if (s.kind === 'for' && s.target.id === id) binds = true;
    });
    return binds;
  }

  private attribute(e: Expr & { kind: 'attribute' }): Ty {
    const base = this.expr(e.value);
    if (base.kind === 'module') {
      const q = `${base.name}.${e.attr}`;
      if (base.name === 'math' && isMathConstant(e.attr)) return scalar('float', 'py');
      if (base.name === 'numpy' && isNumpyConstant(e.attr)) return scalar('float', 'py');
      if (base.name === 'numpy' && isNumpySubmodule(e.attr)) return { kind: 'module', name: q };
      const dtype = dtypeOf(q);
      if (dtype) return { kind: 'dtype', dtype };
      return { kind: 'callable', qualified: q };
    }
    if (base.kind === 'array') {
      const row = arrayAttribute(e.attr);
      switch (row?.typing) {
        case 'shape':
          return { kind: 'shape' };
        case 'int':
          return scalar('int', 'py');
        case 'same':
          return base;
        case 'real_part':
          return { kind: 'array', dtype: base.dtype === 'complex64' ? 'float32' : base.dtype === null ? null : 'float64', ndim: base.ndim };
        case 'dtype':
          return { kind: 'dtype', dtype: base.dtype };
        default:
          return { kind: 'callable', qualified: `ndarray.${e.attr}` };
      }
    }
    // np.add.outer: a method of a ufunc, a row of its own
    if (base.kind === 'callable' && base.qualified.startsWith('numpy.') && numpyFunction(`${base.qualified.slice(6)}.${e.attr}`)) {
      return { kind: 'callable', qualified: `${base.qualified}.${e.attr}` };
    }
    if (base.kind === 'scalar') {
      if (e.attr === 'real' || e.attr === 'imag') return scalar('float', base.origin);
      return { kind: 'callable', qualified: `scalar.${e.attr}` };
    }
    this.error(e.span, `attribute '.${e.attr}' is not supported here`);
    return UNKNOWN;
  }

  private subscript(e: Expr & { kind: 'subscript' }): Ty {
    const base = this.expr(e.value);
    const idx = e.indices.map((i) => this.expr(i));
    if (base.kind === 'shape') {
      if (e.indices.length !== 1 || !(idx[0].kind === 'scalar' && idx[0].scalar === 'int')) this.error(e.span, 'shape must be indexed by one int');
      return scalar('int', 'py');
    }
    if (base.kind === 'tuple') return this.tupleItem(e, base);
    if (base.kind !== 'array') {
      this.error(e.span, `subscript of ${describe(base)} is not supported`);
      return UNKNOWN;
    }
    // `x[mask]`, `x[idx]`: a copy through a checking helper (types/index-arrays.ts)
    if (idx.some(isIndexArray)) {
      const rule = indexArrayRule(base, idx);
      if ('error' in rule) {
        this.error(e.span, rule.error);
        return UNKNOWN;
      }
      this.helpers.set(e, { helper: rule.helper, args: [e.value, e.indices[0]] });
      return rule.result;
    }
    // Count the dimensions this access consumes; `A[i][j]` chains count through the root.
    let consumed = 0;
    let sliced = 0;
    // `None` / `np.newaxis` adds a dimension of length 1 and consumes none
    let added = 0;
    for (let k = 0; k < idx.length; k++) {
      const t = idx[k];
      if (isNewAxis(e.indices[k])) {
        added++;
      } else if (t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool')) {
        if (t.scalar === 'bool') this.error(e.indices[k].span, 'boolean indices are not supported');
        consumed++;
      } else if (e.indices[k].kind === 'slice') {
        sliced++;
      } else {
        this.error(e.indices[k].span, `index must be an int or a slice, found ${describe(t)}`);
      }
    }
    const rootName = rootParamOrLocal(e);
    const ndim = base.ndim === null ? null : base.ndim - consumed;
    if (ndim !== null && ndim < 0) {
      this.error(e.span, `too many indices for a ${base.ndim}-d array`);
      return UNKNOWN;
    }
    if ((ndim === 0 && added === 0) || (base.ndim === null && sliced === 0 && added === 0 && rootName && this.isFullIndex(e))) {
      return npScalar(base.dtype);
    }
    return { kind: 'array', dtype: base.dtype, ndim: ndim === null ? null : ndim + added };
  }

  /** With the rank unknown from the hint, a subscript chain at full observed depth reads one element. */
  private isFullIndex(e: Expr & { kind: 'subscript' }): boolean {
    const root = rootParamOrLocal(e);
    if (!root) return false;
    return chainDepth(e) >= (this.ndimSeen.get(root) ?? 0) && e.indices.every((i) => i.kind !== 'slice');
  }

  /**
   * NumPy adds floating-point elements pairwise (8 running sums, then halves),
   * Numba one after another: the last bits of a sum, mean or trace would differ.
   * Integer sums are exact either way.
   */
  /** A parameter named as it is (never rebound in the function). */
  private isParamName(e: Expr | undefined): boolean {
    if (!e || e.kind !== 'name' || !this.params.has(e.id)) return false;
    let rebound = false;
    walkStmts(this.fn.body, (s) => { if (s.kind === 'assign' && s.target.kind === 'name' && s.target.id === e.id) rebound = true; });
    return !rebound;
  }

  private exactSum(span: Span, name: string, dtype: string | null, call?: Expr, operand?: { ndim: number | null; whole: boolean; method: boolean; param: boolean }): void {
    if (name !== 'sum' && name !== 'mean' && name !== 'trace') return;
    const kind = dtype === null ? null : dtypeScalar(dtype);
    // numba_helpers.pairwise_sum/_mean add in NumPy's own order: any float64 vector, and a
    // parameter of more dimensions (NumPy walks a contiguous one in memory order; a strided
    // one fails to compile, so the original runs). Not an expression of several
    // dimensions: NumPy's temporary takes its operands' layout, the variant's is C.
    const vectorOrParam = operand !== undefined && (operand.ndim === 1 || (operand.ndim !== null && operand.ndim >= 2 && operand.param));
    if (call && operand && dtype === 'float64' && vectorOrParam && operand.whole && name !== 'trace') {
      this.helpers.set(call, { helper: name === 'sum' ? 'pairwise_sum' : 'pairwise_mean', ...(operand.method ? { receiver: true } : {}) });
      return;
    }
    if (name === 'mean' && (kind === 'int' || kind === 'bool')) {
      // NumPy converts them to float64 in buffered chunks and adds pairwise; compiled code does not (measured: 1e18-sized ints)
      this.error(span, `mean() of ${dtype} elements: NumPy adds them as float64 in its own order, compiled code differently, so the last bits could differ`);
      return;
    }
    if (kind !== 'int' && kind !== 'bool') {
      this.error(span, `${name}() of ${dtype ?? 'unknown-dtype'} elements: NumPy adds them pairwise and compiled code in order, so the last bits could differ`);
    }
  }

  private binaryType(op: string, l: Ty, r: Ty, span: Span, needHelper: (h: Semantics) => void, e?: Expr, nep?: { operands: [Expr, Expr]; node: Expr | Stmt | null }): Ty {
    const operands: [Expr, Expr] | undefined = nep?.operands ?? (e && e.kind === 'binary' ? [e.left, e.right] : undefined);
    const plan = op === '@' ? null : planBinary(op, this.side(l, operands?.[0]), this.side(r, operands?.[1]));
    if (plan) this.applyPlan(plan, operands, span, l.kind === 'array' || r.kind === 'array', nep ? nep.node : e ?? null);
    if (op === '**' && [l, r].some((t) => t.kind === 'array') && [l, r].some(isFloatLike)) {
      // `a ** y` on a float array is np.power, one of NumPy's own implementations (its row's class is 'ulp')
      this.ownMath(span, 'power', "'**'", [l, r], "'**' on a floating-point array: NumPy's power differs from the C library's pow in the last bits");
    }
    if (op === '/' && [l, r].some(isComplex) && [l, r].some((t) => t.kind === 'array' || (t.kind === 'scalar' && t.origin !== 'py'))) {
      // NumPy divides complex numbers with its own scaling (Smith's method); Numba does not (and raises
      // on a zero divisor): numba_helpers.cdiv is NumPy's complex128 loop (which its scalars use too), bit for bit
      const wide = (t: Ty): boolean => (t.kind === 'array' ? t.dtype === null || /^(complex128|float64|u?int(8|16|32|64)|bool)$/.test(t.dtype) : t.kind === 'scalar' && (t.origin === 'py' || !t.dtype || /^(complex128|float64|int64)$/.test(t.dtype)));
      if ([l, r].every(wide)) needHelper({ helper: 'cdiv' });
      else this.error(span, 'division of NumPy complex numbers: NumPy and compiled code round it differently');
    }
    if (op === '@') {
      if (l.kind !== 'array' || r.kind !== 'array') this.error(span, "'@' needs two arrays");
      // Numba skips NumPy's core-dimension check when an operand is empty
      needHelper({ helper: 'matmul' });
      this.product(span, e?.kind === 'call' ? 'np.matmul' : "'@'", l, r);
      const nd = l.kind === 'array' && r.kind === 'array' && l.ndim !== null && r.ndim !== null ? l.ndim + r.ndim - 2 : null;
      const dt = l.kind === 'array' && r.kind === 'array' && l.dtype === r.dtype ? l.dtype : null;
      if (nd === 0) return scalar(dtypeScalar(dt), 'np');
      return { kind: 'array', dtype: dt, ndim: nd };
    }
    if (l.kind === 'array' || r.kind === 'array') {
      const ndims = [l, r].filter((t): t is Ty & { kind: 'array' } => t.kind === 'array').map((t) => t.ndim);
      const nd = ndims.includes(null) ? null : Math.max(...(ndims as number[]));
      const dt = l.kind === 'array' && r.kind === 'array' ? (l.dtype === r.dtype ? l.dtype : null) : l.kind === 'array' ? l.dtype : (r as { dtype: string | null }).dtype;
      if (plan?.dtype) return { kind: 'array', dtype: plan.dtype, ndim: nd };
      return { kind: 'array', dtype: op === '/' && dt !== null && dtypeScalar(dt) !== 'complex' ? 'float64' : dt, ndim: nd };
    }
    if (l.kind !== 'scalar' || r.kind !== 'scalar') {
      if (l.kind !== 'unknown' && r.kind !== 'unknown') this.error(span, `operator '${op}' on ${describe(l)} and ${describe(r)} is not supported`);
      return UNKNOWN;
    }
    const origin: Origin = l.origin === 'np' || r.origin === 'np' ? 'np' : l.origin === 'py' && r.origin === 'py' ? 'py' : 'mixed';
    let kind: ScalarKind = widerScalar(l.scalar, r.scalar);
    if (kind === 'bool' && ['+', '-', '*', '/', '//', '%', '**'].includes(op)) kind = 'int';
    if (op === '/' && kind !== 'complex') kind = 'float';
    const divisionLike = op === '/' || op === '//' || op === '%' || op === '**';
    if (divisionLike) {
      if (origin === 'mixed') {
        this.error(span, `'${op}' on a value that is a Python scalar on some paths and a NumPy scalar on others: CPython and NumPy disagree on its edge cases`);
      } else if (origin === 'py') {
        const helper = op === '/' ? 'truediv' : op === '//' ? 'floordiv' : op === '%' ? 'mod' : 'pow';
        needHelper({ helper });
        if (op === '**' && l.scalar !== 'float' && r.scalar !== 'float' && kind === 'int') {
          const exp = e && e.kind === 'binary' ? e.right : null;
          const small = exp && exp.kind === 'number' && exp.numberKind === 'int' && Number(exp.text) >= 0 && Number(exp.text) <= 2;
          if (!small) this.error(span, "'**' on Python ints may exceed 64 bits, where Numba would wrap around");
          if (small) kind = 'int';
        }
        if (op === '**' && kind === 'int' && r.scalar === 'int') kind = 'int';
      }
    }
    if ((op === '<<' || op === '>>' || op === '&' || op === '|' || op === '^') && (l.scalar === 'float' || r.scalar === 'float')) {
      this.error(span, `'${op}' on floats`);
    }
    const shifted: Expr | null = operands ? { kind: 'binary', span, op: '<<', left: operands[0], right: operands[1] } : null;
    if (op === '<<' && origin !== 'np' && !(origin === 'py' && shifted && within(this.rangeOf(shifted, shifted), INT64))) {
      this.error(span, "'<<' on Python ints may exceed 64 bits");
    }
    if (plan?.dtype) return npScalar(plan.dtype);
    return scalar(kind, origin);
  }

  /** How NumPy 2's promotion sees an operand (types/nep50.ts); `e` gives int literals' values. */
  private side(t: Ty, e: Expr | undefined): Side {
    if (t.kind === 'scalar') {
      if (t.origin === 'py') {
        const literal = e ? intLiteral(e) : undefined;
        return literal === undefined ? { kind: 'weak', py: t.scalar } : { kind: 'weak', py: t.scalar, literal };
      }
      if (t.origin === 'np' && isDtype(t.dtype)) return { kind: 'strong', dtype: t.dtype, array: false };
      return { kind: 'other', mixed: t.origin === 'mixed' };
    }
    if (t.kind === 'array' && isDtype(t.dtype)) return { kind: 'strong', dtype: t.dtype, array: true };
    return { kind: 'other', mixed: false };
  }

  /**
   * Records what a NEP 50 plan asks of the variants: casts of Python scalars
   * and of narrow results, and Python int parameters whose range the
   * dispatcher checks (other Python ints of unknown range leave the subset).
   */
  private applyPlan(plan: Plan, operands: [Expr, Expr] | undefined, span: Span, isArray: boolean, node: Expr | Stmt | null): void {
    if (plan.error && plan.close && this.numerics === 'close' && operands) {
      // close mode: the integer side converted to float64, the C library's pow within its ULP bound
      this.ownMath(span, plan.close.ulp, "'**'", [], plan.error);
      plan = { ...plan, error: null, casts: [...plan.casts, ...plan.close.casts], dtype: 'float64' };
    }
    if (plan.error) {
      this.error(span, plan.error);
      return;
    }
    const paramOf = (x: Expr | undefined): string | null => (x && x.kind === 'name' && this.params.has(x.id) ? x.id : null);
    for (const k of plan.weak) {
      const name = paramOf(operands?.[k]);
      if (name && !this.weakParams.has(name)) this.weakParams.set(name, null);
    }
    for (const c of plan.casts) {
      const x = operands?.[c.side];
      if (x) this.casts.set(x, c.array ? { dtype: c.dtype, array: true, operand: true } : { dtype: c.dtype, array: false });
    }
    for (const r of plan.ranges) {
      const name = paramOf(operands?.[r.side]);
      const x = operands?.[r.side];
      // a value whose every possible range fits (`crc & 0x0001` meeting a uint8): NumPy cannot raise
      if (!name && x && within(this.rangeOf(x), intRange(r.dtype)!)) continue;
      if (!name) {
        this.error(span, `a Python int computed in the function meets ${r.dtype}: NumPy 2 raises OverflowError when it is out of ${r.dtype}'s range, where compiled code would wrap around`);
        continue;
      }
      const [lo, hi] = intRange(r.dtype)!;
      const prev = this.weakParams.get(name);
      this.weakParams.set(name, prev ? [prev[0] > lo ? prev[0] : lo, prev[1] < hi ? prev[1] : hi] : [lo, hi]);
    }
    if (plan.wrap && node) this.casts.set(node, { dtype: plan.wrap, array: isArray });
  }

  private call(e: Expr & { kind: 'call' }): Ty {
    const f = this.expr(e.func);
    // a dtype argument may be a string or a Python type (types/dtype-args.ts)
    const dtypeAt = f.kind === 'callable' ? dtypeArgPosition(f.qualified) : undefined;
    const args = e.args.map((a, k) => (k === dtypeAt ? this.dtypeArgument(a) : this.expr(a)));
    const numpyCall = f.kind === 'callable' && (f.qualified.startsWith('numpy.') || f.qualified.startsWith('ndarray.'));
    const kw = new Map(e.keywords.map((k) => [k.name, k.name === 'dtype' && numpyCall ? this.dtypeArgument(k.value) : this.expr(k.value)]));
    if (f.kind === 'dtype') {
      if (f.dtype === null) {
        this.error(e.span, 'calling a dtype known only at run time is not supported');
        return UNKNOWN;
      }
      // np.float64(x): a NumPy scalar of that dtype.
      if (args.length !== 1) this.error(e.span, 'dtype constructors take one argument');
      if (args.length === 1 && isDtype(f.dtype)) this.constructorRange(f.dtype, args[0], e.args[0], e.span);
      return npScalar(f.dtype);
    }
    if (f.kind !== 'callable') {
      if (f.kind !== 'unknown') this.error(e.span, `calling ${describe(f)} is not supported`);
      return UNKNOWN;
    }
    const q = f.qualified;
    const allScalars = args.every((t) => t.kind === 'scalar');
    const originOf = (ts: Ty[]): Origin =>
      ts.some((t) => t.kind === 'scalar' && t.origin === 'np') ? 'np' : ts.every((t) => t.kind === 'scalar' && t.origin === 'py') ? 'py' : 'mixed';
    if (q.startsWith('module.')) return this.moduleCall(e, q.slice(7), args, kw);
    if (e.keywords.length > 0 && !q.startsWith('numpy.') && !q.startsWith('ndarray.')) {
      this.error(e.span, 'keyword arguments are supported for NumPy functions only');
    }
    if (q.startsWith('builtins.')) {
      const name = q.slice(9);
      switch (name) {
        case 'range':
          this.error(e.span, 'range() is supported only as the iterable of a for loop');
          return UNKNOWN;
        case 'len':
          if (args.length !== 1 || args[0].kind !== 'array') this.error(e.span, 'len() takes one array');
          return scalar('int', 'py');
        case 'abs':
          if (args.length !== 1) this.error(e.span, 'abs() takes one argument');
          if (args[0]?.kind === 'scalar') return scalar(args[0].scalar === 'complex' ? 'float' : args[0].scalar === 'bool' ? 'int' : args[0].scalar, args[0].origin);
          if (args[0]?.kind === 'array') {
            // abs() of an array is np.absolute (Numba has no abs() of arrays): a complex array's magnitudes are real
            this.helpers.set(e, { helper: 'abs_array' });
            if (args[0].dtype === 'complex128' || args[0].dtype === 'complex64') return { ...args[0], dtype: args[0].dtype === 'complex64' ? 'float32' : 'float64' };
          }
          return args[0] ?? UNKNOWN;
        case 'min':
        case 'max': {
          if (args.length < 2 || !allScalars) {
            // an argument of unknown type was refused where it is computed
            if (!args.some((t) => t.kind === 'unknown')) this.error(e.span, `${name}() is supported on two or more scalars (of an array, np.${name}() or ${name === 'max' ? '.max()' : '.min()'})`);
            return UNKNOWN;
          }
          const scalars = args as (Ty & { kind: 'scalar' })[];
          const kinds = scalars.map((t) => t.scalar);
          if (kinds.includes('complex')) this.error(e.span, `${name}() of complex numbers`);
          const k = kinds.reduce(widerScalar);
          // CPython returns one of the arguments unchanged (Numba's max and min pick the same one,
          // NaN and -0.0 included); when their types differ the result's type depends on the
          // values, which Numba cannot reproduce: a Python and a NumPy scalar make a 'mixed' one
          if (new Set(kinds).size > 1) this.error(e.span, `${name}() of mixed int and float returns either type in CPython`);
          const numpyTypes = new Set(scalars.filter((t) => t.origin === 'np').map(exactScalarType));
          if (numpyTypes.size > 1 && new Set(kinds).size === 1) {
            this.error(e.span, `${name}() of ${[...numpyTypes].join(' and ')} returns either type, depending on the values`);
          }
          const origin: Origin = scalars.every((t) => t.origin === 'np') ? 'np' : scalars.every((t) => t.origin === 'py') ? 'py' : 'mixed';
          // NumPy scalars of one dtype (elements of an int32 table): that dtype
          return origin === 'np' && numpyTypes.size === 1 ? scalars[0] : scalar(k, origin);
        }
        case 'float':
          if (args.length !== 1 || !allScalars) this.error(e.span, 'float() takes one scalar');
          if (args[0]?.kind === 'scalar' && args[0].scalar === 'complex') this.error(e.span, 'float() of a complex');
          return scalar('float', 'py');
        case 'int':
          if (args.length !== 1 || !(args[0]?.kind === 'scalar' && (args[0].scalar === 'int' || args[0].scalar === 'bool'))) {
            this.error(e.span, 'int() is supported on ints only (CPython raises on nan and inf where Numba does not)');
          }
          return scalar('int', 'py');
        case 'complex':
          if (!allScalars || args.length < 1 || args.length > 2) this.error(e.span, 'complex() takes one or two scalars');
          return scalar('complex', 'py');
        case 'bool':
          if (args.length !== 1 || !allScalars) this.error(e.span, 'bool() takes one scalar');
          return scalar('bool', 'py');
      }
    }
    if (q.startsWith('math.')) {
      const name = q.slice(5);
      if (!allScalars) this.error(e.span, `math.${name}() takes scalars`);
      if (args.some((t) => t.kind === 'scalar' && t.scalar === 'complex')) this.error(e.span, `math.${name}() of a complex`);
      const row = mathFunction(name);
      if (row?.helper) this.helpers.set(e, { helper: row.helper });
      if (row?.typing === 'py_float') return scalar('float', 'py');
      if (row?.typing === 'py_int') return scalar('int', 'py');
      if (row?.typing === 'py_bool') return scalar('bool', 'py');
      this.error(e.span, `math.${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('numpy.')) {
      const name = q.slice(6);
      const reduced = this.closeReduction(e, name, args, kw, false);
      if (reduced) return reduced;
      const row = numpyFunction(name);
      if (row) return this.numpyCall(e, row, args, kw);
      this.error(e.span, `numpy.${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('ndarray.')) {
      const name = q.slice(8);
      const recv = e.func.kind === 'attribute' ? this.types.get(e.func.value) : undefined;
      const arr = recv && recv.kind === 'array' ? recv : { kind: 'array' as const, dtype: null, ndim: null };
      const reduced = this.closeReduction(e, name, args, kw, true);
      if (reduced) return reduced;
      const row = arrayMethod(name);
      const refusal = row ? callArgumentRefusal(row, `.${name}`, [...kw.keys()], args.length) : null;
      if (refusal) this.error(e.span, refusal);
      switch (row?.typing) {
        case 'reduction':
        case 'item':
          this.exactSum(e.span, name, arr.dtype, e, {
            ndim: arr.ndim, whole: args.length === 0 && e.keywords.length === 0, method: true, param: e.func.kind === 'attribute' && this.isParamName(e.func.value),
          });
          if (kw.has('axis') || args.length > 0) return { kind: 'array', dtype: arr.dtype, ndim: arr.ndim !== null ? arr.ndim - 1 : null };
          return reductionScalar(name, arr.dtype);
        case 'same':
          return { kind: 'array', dtype: arr.dtype, ndim: arr.ndim };
        case 'flat':
          return { kind: 'array', dtype: arr.dtype, ndim: 1 };
        case 'fill':
          if (e.func.kind === 'attribute') this.markWritten(e.func.value, e.span);
          return { kind: 'none' };
        case 'astype': {
          const to = args[0];
          if (args.length !== 1 || e.keywords.length > 0 || to?.kind !== 'dtype') {
            if (to?.kind !== 'unknown') this.error(e.span, '.astype() takes one dtype (np.float32, float, A.dtype or a string such as \'float32\'), without keywords');
            return UNKNOWN;
          }
          const refusal = astypeRefusal(arr.dtype, to.dtype);
          if (refusal) this.error(e.span, refusal);
          return { kind: 'array', dtype: to.dtype, ndim: arr.ndim };
        }
        case 'reshape':
          return this.reshape(e, row, arr, args.length === 1 ? args[0] : { kind: 'tuple', elts: args }, e.args.length === 1 ? e.args[0] : e);
      }
      // rules shared with the np.<name> form: the receiver is the first operand
      if (row) {
        const t = this.arrayRule(e, row, [arr, ...args], kw);
        if (t) return t;
      }
      this.error(e.span, `array method .${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('scalar.')) {
      const name = q.slice(7);
      const recv = e.func.kind === 'attribute' ? this.types.get(e.func.value) : undefined;
      if ((name === 'conjugate' || name === 'conj') && recv?.kind === 'scalar') return recv;
      this.error(e.span, `scalar method .${name}() is not supported`);
      return UNKNOWN;
    }
    this.error(e.span, `calls to '${q}' are not supported`);
    return UNKNOWN;
  }

  /**
   * A 'product' row (LAPACK through Numba): another build of the same
   * algorithm, so `exact` keeps the original and `close` notes the bound.
   */
  private productRow(span: Span, row: TableRow): void {
    const operation = `np.${row.name}`;
    if (this.numerics === 'close' && row.closeBound) {
      if (!this.closeNotes.some((n) => n.line === span.from.line && n.col === span.from.col)) {
        this.closeNotes.push({ line: span.from.line, col: span.from.col, operation, bound: row.closeBound, kind: 'product', gpu: false });
      }
      return;
    }
    this.error(span, `${operation}(): compiled code calls another BLAS/LAPACK build than NumPy's, so the last bits could differ`);
  }

  /**
   * np.reshape(a, shape) / a.reshape(shape) / a.reshape(d0, d1): the shape's
   * rank (an int is one dimension; `B.shape` gives an unknown rank).
   * numba_helpers.reshape keeps Numba's reshape to C-contiguous arrays.
   */
  private reshape(e: Expr & { kind: 'call' }, row: TableRow, a: Ty & { kind: 'array' }, shape: Ty, at: Expr): Ty {
    const int = (t: Ty): boolean => t.kind === 'scalar' && t.scalar === 'int';
    let ndim: number | null = null;
    if (shape.kind === 'tuple' && shape.elts.length > 0 && shape.elts.every(int)) ndim = shape.elts.length;
    else if (int(shape)) ndim = 1;
    else if (shape.kind !== 'shape') {
      this.error(at.span, `${row.where === 'numpy' ? 'np.reshape()' : '.reshape()'} needs a shape of ints`);
      return UNKNOWN;
    }
    if (e.keywords.length > 0) this.error(e.span, 'reshape() with keywords (order=) is not supported');
    this.helpers.set(e, { helper: row.helper!, ...(row.where === 'ndarray' ? { receiver: true } : {}) });
    return { kind: 'array', dtype: a.dtype, ndim };
  }

  /** np.linspace(start, stop, num=50, dtype=np.float64): real scalars in, float64 out, as NumPy computes it. */
  private linspace(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): Ty {
    const real = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float');
    const num = args[2] ?? kw.get('num');
    const dtype = kw.get('dtype');
    const okKeys = [...kw.keys()].every((k) => k === 'num' || k === 'dtype') && !(args.length > 2 && kw.has('num'));
    if (args.length < 2 || args.length > 3 || !real(args[0]) || !real(args[1]) || (num !== undefined && !(num.kind === 'scalar' && num.scalar === 'int')) || !okKeys
      || (dtype !== undefined && !(dtype.kind === 'dtype' && dtype.dtype === 'float64'))) {
      this.error(e.span, 'np.linspace() is supported as np.linspace(start, stop, num) with int or float start and stop, an int num, and dtype np.float64 if any');
      return UNKNOWN;
    }
    this.helpers.set(e, { helper: 'linspace' });
    return { kind: 'array', dtype: 'float64', ndim: 1 };
  }

  /** np.<name>(...): the result type by its row's typing rule (types/numpy-table.ts). */
  private numpyCall(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty {
    const name = row.name;
    // rules added with the table check their arguments themselves: an argument of unknown type was reported where it came from
    const checked = ['reshape', 'flip', 'tri', 'ufunc_outer', 'linalg_square'];
    if (checked.includes(row.typing) && args.some((t) => t.kind === 'unknown')) return UNKNOWN;
    const refusal = callArgumentRefusal(row, `np.${name}`, [...kw.keys()], args.length);
    if (refusal) this.error(e.span, refusal);
    switch (row.typing) {
      case 'ufunc': {
        const rule = row.ufunc!;
        // NumPy's own math (SIMD loops): exact on integers only where the result stays integer (np.power)
        if (row.numerics === 'ulp' && (rule.ints !== 'keep' || args.some((t) => isFloatLike(t)))) {
          const exact = row.mathEquivalent;
          this.ownMath(e.span, name, `np.${name}`, args, `np.${name}(): NumPy computes it with its own (vectorized) implementation and compiled code with the C library's, so the last bits differ${exact ? `; math.${exact}() on scalars is the same in both` : ''}`);
        }
        if (rule.compare) {
          if (args.length !== 2 || kw.size > 0) this.error(e.span, `np.${name}() takes two operands`);
          // NumPy 2 compares in the promoted dtype, as the operator does
          else this.applyPlan(planBinary(rule.compare, this.side(args[0], e.args[0]), this.side(args[1], e.args[1])), [e.args[0], e.args[1]], e.span, false, null);
        }
        if (args.some((t) => t.kind === 'array')) {
          const arr = args.find((t) => t.kind === 'array') as Ty & { kind: 'array' };
          return { kind: 'array', dtype: rule.bool ? 'bool' : ufuncFloatResult(row, args), ndim: arr.ndim };
        }
        const kinds = args.filter((t): t is Ty & { kind: 'scalar' } => t.kind === 'scalar').map((t) => t.scalar);
        if (rule.bool) return scalar('bool', 'np');
        const k = kinds.length ? kinds.reduce(widerScalar) : 'float';
        // ufuncs that keep integers integer (np.power(k, 2), np.maximum(i, j) are int64); the others give float64
        const intResult = k === 'int' && rule.ints === 'keep';
        return scalar(rule.complexToReal ? (k === 'complex' ? 'float' : k) : intResult ? 'int' : k === 'int' || k === 'bool' ? 'float' : k, 'np');
      }
      case 'alloc':
      case 'full':
      case 'alloc_like':
        return this.allocation(e, row, args, kw);
      case 'reduction':
      case 'dot': {
        const a0 = args[0];
        this.exactSum(e.span, name, a0 && a0.kind === 'array' ? a0.dtype : null, e, {
          ndim: a0?.kind === 'array' ? a0.ndim : null, whole: args.length === 1 && e.keywords.length === 0, method: false, param: this.isParamName(e.args[0]),
        });
        if (kw.has('axis')) {
          const a = args[0];
          return { kind: 'array', dtype: a?.kind === 'array' ? a.dtype : null, ndim: a?.kind === 'array' && a.ndim !== null ? a.ndim - 1 : null };
        }
        if (name === 'vdot') this.product(e.span, 'np.vdot', args[0], args[1]);
        if (row.typing === 'dot') {
          const [a, b] = args;
          this.helpers.set(e, { helper: row.helper! }); // shapes checked as NumPy does (numba_helpers.dot)
          this.product(e.span, 'np.dot', a, b);
          if (a?.kind === 'array' && b?.kind === 'array' && a.ndim === 1 && b.ndim === 1) return scalar(dtypeScalar(a.dtype), 'np');
          if (a?.kind === 'array' && b?.kind === 'array') return { kind: 'array', dtype: a.dtype === b.dtype ? a.dtype : null, ndim: a.ndim !== null && b.ndim !== null ? a.ndim + b.ndim - 2 : null };
        }
        const a = args[0];
        return a?.kind === 'array' ? reductionScalar(name, a.dtype) : scalar('float', 'np');
      }
      case 'matmul':
        return this.binaryType('@', args[0] ?? UNKNOWN, args[1] ?? UNKNOWN, e.span, (h) => this.helpers.set(e, h), e);
      case 'outer': {
        // the product of every pair: the operands' promoted dtype (np.outer(u, v) of float64 vectors is float64)
        const [a, b] = args.map((t) => (t?.kind === 'array' ? t.dtype : null));
        return { kind: 'array', dtype: isDtype(a) && isDtype(b) ? promoteTypes(a, b) : null, ndim: 2 };
      }
      case 'same':
      case 'flat': {
        const a = args[0];
        return a?.kind === 'array' ? { kind: 'array', dtype: a.dtype, ndim: row.typing === 'flat' ? 1 : a.ndim } : UNKNOWN;
      }
      case 'reshape': {
        const a = args[0];
        if (a?.kind !== 'array' || args.length !== 2) {
          this.error(e.span, `np.${name}() takes an array and a shape`);
          return UNKNOWN;
        }
        return this.reshape(e, row, a, args[1], e.args[1]);
      }
      case 'flip':
      case 'tri': {
        const a = args[0];
        const extra = row.typing === 'tri' ? args.length <= 2 && [...kw.keys()].every((k) => k === 'k') && [args[1], kw.get('k')].every((t) => t === undefined || (t.kind === 'scalar' && t.scalar === 'int')) : args.length === 1 && kw.size === 0;
        const ndimOk = a?.kind === 'array' && (row.typing === 'tri' || name === 'fliplr' ? a.ndim === 2 : name === 'flipud' ? a.ndim !== null && a.ndim >= 1 : true);
        if (a?.kind !== 'array' || !extra || !ndimOk) {
          this.error(e.span, row.typing === 'tri' ? `np.${name}() is supported on a 2-d array and an int k` : `np.${name}() is supported on one array${name === 'fliplr' ? ' of 2 dimensions' : ''}, without axis=`);
          return UNKNOWN;
        }
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim };
      }
      case 'linspace':
        return this.linspace(e, args, kw);
      case 'histogram': {
        const [a, bins] = [args[0], args[1] ?? kw.get('bins')];
        const weights = kw.get('weights');
        const okKeys = [...kw.keys()].every((k) => k === 'weights' || (k === 'bins' && args.length === 1));
        if (a?.kind !== 'array' || a.dtype !== 'float64' || args.length > 2 || !okKeys || (bins !== undefined && !(bins.kind === 'scalar' && bins.scalar === 'int'))
          || (weights !== undefined && !(weights.kind === 'array' && weights.dtype === 'float64'))) {
          this.error(e.span, 'np.histogram() is supported on a float64 array with an int number of bins and float64 weights= (no range= or density=)');
          return UNKNOWN;
        }
        this.helpers.set(e, { helper: row.helper! });
        return { kind: 'tuple', elts: [{ kind: 'array', dtype: weights ? 'float64' : 'int64', ndim: 1 }, { kind: 'array', dtype: 'float64', ndim: 1 }] };
      }
      case 'ufunc_outer': {
        const [a, b] = args;
        if (args.length !== 2 || kw.size > 0 || a?.kind !== 'array' || b?.kind !== 'array') {
          this.error(e.span, `np.${name}() is supported on two arrays`);
          return UNKNOWN;
        }
        const ndim = a.ndim !== null && b.ndim !== null ? a.ndim + b.ndim : null;
        this.helpers.set(e, { helper: row.helper! });
        return { kind: 'array', dtype: ufuncFloatResult(row, args), ndim };
      }
      case 'linalg_square': {
        const a = args[0];
        if (args.length !== 1 || kw.size > 0 || a?.kind !== 'array' || a.ndim !== 2 || (a.dtype !== 'float64' && a.dtype !== 'float32')) {
          this.error(e.span, `np.${name}() is supported on one 2-d float64 or float32 array`);
          return UNKNOWN;
        }
        this.productRow(e.span, row);
        return { kind: 'array', dtype: a.dtype, ndim: 2 };
      }
    }
    const t = this.arrayRule(e, row, args, kw);
    if (t) return t;
    this.error(e.span, `numpy.${name}() is not supported`);
    return UNKNOWN;
  }

  /**
   * Rules of rows whose function and method forms agree (`np.argmax(a)` and
   * `a.argmax()`): `args` holds the array first. Each refuses what Numba would
   * compute differently (axis=, other dtypes, where NumPy 2 promotes).
   */
  private arrayRule(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty | undefined {
    const name = row.where === 'numpy' ? `np.${row.name}()` : `.${row.name}()`;
    const a = args[0];
    const int = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && t.scalar === 'int';
    const realScalar = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float') && t.origin === 'py';
    if (args.some((t) => t.kind === 'unknown') || [...kw.values()].some((t) => t.kind === 'unknown')) return UNKNOWN;
    const refuse = (what: string): Ty => {
      this.error(e.span, `${name} is supported ${what}`);
      return UNKNOWN;
    };
    switch (row.typing) {
      case 'arg_reduce':
      case 'bool_reduce':
        if (a?.kind !== 'array' || args.length !== 1 || kw.size > 0) return refuse('on one array, without axis=');
        return row.typing === 'arg_reduce' ? npScalar('int64') : npScalar('bool');
      case 'clip': {
        const [lo, hi] = [args[1] ?? kw.get('a_min') ?? kw.get('min'), args[2] ?? kw.get('a_max') ?? kw.get('max')];
        const fits = (t: Ty | undefined, dtype: string): boolean => t !== undefined && (dtype === 'float64' ? realScalar(t) || (t.kind === 'array' && t.dtype === 'float64') || (t.kind === 'scalar' && t.dtype === 'float64')
          : (t.kind === 'scalar' && t.scalar === 'int' && (t.origin === 'py' || t.dtype === 'int64')) || (t.kind === 'array' && t.dtype === 'int64'));
        if (a?.kind !== 'array' || (a.dtype !== 'float64' && a.dtype !== 'int64') || args.length + kw.size !== 3 || !fits(lo, a.dtype) || !fits(hi, a.dtype)) {
          return refuse('on a float64 or int64 array with bounds of its kind (Python numbers or arrays of its dtype)');
        }
        const ranks = [lo, hi].map((t) => (t?.kind === 'array' ? t.ndim : 0));
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim === null || ranks.includes(null) ? null : Math.max(a.ndim, ...(ranks as number[])) };
      }
      case 'round': {
        const decimals = args[1] ?? kw.get('decimals');
        if (a?.kind !== 'array' || a.dtype !== 'float64' || args.length + kw.size > 2 || (decimals !== undefined && !int(decimals))) return refuse('on a float64 array with int decimals');
        return { kind: 'array', dtype: 'float64', ndim: a.ndim };
      }
      case 'eye': {
        const dtype = kw.get('dtype');
        const shape = row.name === 'identity' ? args.slice(0, 1) : [...args, ...['M', 'k'].map((k) => kw.get(k)).filter((t): t is Ty => t !== undefined)];
        const okKeys = [...kw.keys()].every((k) => k === 'dtype' || (row.name === 'eye' && (k === 'M' || k === 'k')));
        if (shape.length === 0 || shape.length > (row.name === 'identity' ? 1 : 3) || !shape.every(int) || !okKeys || (dtype !== undefined && !(dtype.kind === 'dtype' && dtype.dtype === 'float64'))) {
          return refuse('with int sizes (and k), dtype np.float64 if any');
        }
        return { kind: 'array', dtype: 'float64', ndim: 2 };
      }
      case 'diag': {
        const k = args[1] ?? kw.get('k');
        if (a?.kind !== 'array' || a.ndim !== 1 || args.length + kw.size > 2 || (k !== undefined && !int(k))) return refuse('on a vector (a matrix\'s diagonal is a read-only view in NumPy) and an int k');
        return { kind: 'array', dtype: a.dtype, ndim: 2 };
      }
      case 'join': {
        const parts = a?.kind === 'tuple' ? a.elts : [];
        const axis = kw.get('axis');
        const axisNode = e.keywords.find((k) => k.name === 'axis')?.value;
        const first = parts[0];
        const same = first?.kind === 'array' && first.dtype !== null && first.ndim !== null && parts.every((t) => t.kind === 'array' && t.dtype === first.dtype && t.ndim === first.ndim);
        const axisOk = axis === undefined || (axisNode !== undefined && intLiteral(axisNode) !== undefined && (row.name === 'concatenate' || row.name === 'stack'));
        if (args.length !== 1 || !same || !axisOk || [...kw.keys()].some((k) => k !== 'axis')) {
          return refuse('on a written tuple of arrays of one dtype and rank (axis= an int literal for concatenate and stack)');
        }
        const nd = (first as { ndim: number }).ndim;
        const ndim = row.name === 'stack' ? nd + 1 : row.name === 'vstack' ? Math.max(nd, 2) : nd;
        const ax = axisNode ? Number(intLiteral(axisNode)) : 0;
        // NumPy raises AxisError outside the rank, Numba another error
        if (ax < -ndim || ax >= ndim || (row.name === 'concatenate' && nd === 0)) return refuse(`with an axis inside the result's ${ndim} dimensions`);
        return { kind: 'array', dtype: (first as { dtype: string }).dtype, ndim };
      }
      case 'bincount': {
        const weights = args[1] ?? kw.get('weights');
        const minlength = kw.get('minlength') ?? args[2];
        if (a?.kind !== 'array' || a.dtype !== 'int64' || args.length > 3 || [...kw.keys()].some((k) => k !== 'weights' && k !== 'minlength')
          || (weights !== undefined && !(weights.kind === 'array' && weights.dtype === 'float64')) || (minlength !== undefined && !int(minlength))) {
          return refuse('on an int64 array, with float64 weights and an int minlength');
        }
        return { kind: 'array', dtype: weights ? 'float64' : 'int64', ndim: 1 };
      }
      case 'kron': {
        const b = args[1];
        if (a?.kind !== 'array' || b?.kind !== 'array' || args.length !== 2 || kw.size > 0 || a.dtype === null || a.dtype !== b.dtype) return refuse('on two arrays of one dtype');
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim !== null && b.ndim !== null ? Math.max(a.ndim, b.ndim) : null };
      }
      case 'cov': {
        // only a parameter's rows or columns: the guard checks there is more than one variable
        if (args.length !== 1 || kw.size > 0 || a?.kind !== 'array' || a.dtype !== 'float64' || a.ndim !== 2 || !covVariables(e.args[0], (n) => { const t = this.params.get(n); return t?.kind === 'array' && (this.ndimSeen.get(n) ?? t.ndim) === 2 && this.isParamName({ kind: 'name', id: n } as Expr); }, (x) => x.kind === 'name' && this.types.get(x)?.kind === 'module')) {
          return refuse('on a 2-d float64 parameter P, P.T or np.transpose(P), without keywords');
        }
        this.productRow(e.span, row);
        return { kind: 'array', dtype: 'float64', ndim: 2 };
      }
      case 'linalg_solve': {
        const b = args[1];
        if (a?.kind !== 'array' || b?.kind !== 'array' || args.length !== 2 || kw.size > 0 || a.ndim !== 2 || a.dtype !== 'float64' || b.dtype !== 'float64' || (b.ndim !== 1 && b.ndim !== 2)) {
          return refuse('on a 2-d float64 array and a float64 vector or matrix');
        }
        this.productRow(e.span, row);
        return { kind: 'array', dtype: 'float64', ndim: b.ndim };
      }
    }
    return undefined;
  }

  /**
   * An array parameter of unknown rank passed to a callee, whole or indexed
   * (`g(P)`, `g(P[i])`): the callee's specialization found the rank its
   * parameter needs (none for a scalar one), so the parameter has that many
   * dimensions more than the indices consumed; the dispatcher then checks it
   * (the callee's code assumes it, and nothing else would check it).
   */
  private pinRanks(site: CallSite): void {
    site.spec.tf.params.forEach((p, k) => {
      const arg = site.args[k];
      if (typeof arg === 'string' || (p.kind === 'array' && p.ndim === null)) return;
      const root = rootParamOrLocal(arg);
      const t = root ? this.params.get(root) : undefined;
      if (!root || t?.kind !== 'array' || t.ndim !== null || this.ndimSeen.has(root)) return;
      let chain: Expr = arg;
      while (chain.kind === 'subscript') {
        if (chain.indices.some((i) => i.kind === 'slice' || isNewAxis(i))) return;
        chain = chain.value;
      }
      // a scalar parameter: the indices read one element, as anywhere else in the function
      this.ndimSeen.set(root, countIntLike(arg) + (p.kind === 'array' ? p.ndim! : 0));
    });
  }

  /**
   * `g(x, y)` of another function of the module: typed by g's specialization for
   * these argument types (types/calls.ts); the arrays g writes are written here.
   */
  private moduleCall(e: Expr & { kind: 'call' }, name: string, args: Ty[], kw: Map<string, Ty>): Ty {
    if (e.func.kind !== 'name') {
      this.error(e.span, `calling '${name}' this way is not supported`);
      return UNKNOWN;
    }
    const r = this.context.calls!.call(name, e, args, kw);
    if (!r.ok) {
      this.error(e.span, r.message);
      this.failedCalls.add(e);
      return UNKNOWN;
    }
    this.calls.set(e, r.site);
    this.pinRanks(r.site);
    // an argument that is (a view of) a parameter is written by the call; a local array or a temporary only locally
    for (const arg of r.written) {
      const root = this.arrayRoot(arg);
      if (root !== null) this.written.add(root);
    }
    for (const n of r.closeNotes) if (!this.closeNotes.some((m) => m.line === n.line && m.col === n.col)) this.closeNotes.push(n);
    return r.returns;
  }

  /**
   * np.full(shape, v[, dtype]): without a dtype, NumPy takes v's (a Python int
   * gives int64, a NumPy scalar its own); with one, v is stored as into an
   * element (a Python int out of range raises OverflowError in NumPy 2, a
   * float into integers is undefined out of range), so the same rules apply.
   */
  private fillValue(e: Expr & { kind: 'call' }, v: Ty | undefined, dtype: string | null): string | null {
    if (!v || v.kind !== 'scalar') {
      if (v && v.kind !== 'unknown') this.error(e.span, `np.full(): the fill value must be a scalar, found ${describe(v)}`);
      return dtype;
    }
    if (dtype === null) return v.origin === 'np' && v.dtype ? v.dtype : { bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128' }[v.scalar];
    if (isDtype(dtype) && v.origin === 'py' && v.scalar === 'int') this.constructorRange(dtype, v, e.args[1], e.span, `np.full() of a Python int as ${dtype}`);
    if (isDtype(dtype) && kindOf(dtype) === 'int' && (v.scalar === 'float' || v.scalar === 'complex')) {
      this.error(e.span, `np.full() of a ${v.scalar} as ${dtype}: NaN and values out of ${dtype}'s range convert differently in NumPy and in compiled code`);
    } else {
      this.scalarStore({ kind: 'array', dtype, ndim: null }, v, e.span);
    }
    return dtype;
  }

  /**
   * A dtype argument (types/dtype-args.ts): `np.float64`, `float`, `A.dtype`,
   * `'float64'`; resolved ones print as `np.<dtype>` in the variants.
   */
  private dtypeArgument(x: Expr): Ty {
    if (x.kind === 'string') {
      const dtype = dtypeOfString(x.text);
      if (!dtype) {
        this.error(x.span, `dtype ${x.text} is not one of the numeric dtypes compiled code has (such as 'float64', 'int32', 'f8')`);
        return this.note(x, UNKNOWN);
      }
      markDtype(x, dtype);
      return this.note(x, { kind: 'dtype', dtype });
    }
    let t = this.expr(x);
    if (t.kind === 'callable' && t.qualified.startsWith('builtins.') && BUILTIN_TYPE_DTYPES[t.qualified.slice(9)]) {
      t = this.note(x, { kind: 'dtype', dtype: BUILTIN_TYPE_DTYPES[t.qualified.slice(9)] });
    }
    if (t.kind === 'dtype' && t.dtype !== null) markDtype(x, t.dtype);
    return t;
  }

  /**
   * np.uint8(x): NumPy 2 raises OverflowError for a Python int out of the
   * dtype's range (Numba truncates), and a float out of an integer's range is
   * undefined in compiled code.
   */
  private constructorRange(d: Dtype, t: Ty, x: Expr, span: Span, what = `np.${d}()`): void {
    if (t.kind !== 'scalar' || d === 'int64' || kindOf(d) !== 'int') return;
    if (t.scalar === 'float' || t.scalar === 'complex') {
      this.error(span, `np.${d}() of a ${t.scalar}: compiled code's conversion differs from NumPy's out of ${d}'s range`);
      return;
    }
    if (t.origin !== 'py' || t.scalar !== 'int') return; // a NumPy integer is cast (wrapping) by both
    const plan = planBinary('+', { kind: 'strong', dtype: d, array: false }, this.side(t, x));
    if (plan.error) this.error(span, `${what}: ${plan.error.replace(/^.*?: /, '')}`);
    else this.applyPlan({ ...plan, casts: [], wrap: null }, [x, x], span, false, null);
  }

  private allocation(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty {
    const name = row.name;
    // np.ndarray(shape, dtype): printed through its helper (Numba has no ndarray constructor)
    if (row.helper) this.helpers.set(e, { helper: row.helper });
    const dtypeTy = kw.get('dtype') ?? (row.dtypeArg !== undefined ? args[row.dtypeArg] : undefined);
    let dtype: string | null = 'float64';
    if (dtypeTy) dtype = dtypeTy.kind === 'dtype' ? dtypeTy.dtype : null;
    if (dtypeTy && dtypeTy.kind !== 'dtype' && dtypeTy.kind !== 'unknown') this.error(e.span, `np.${name}(): dtype must be a dtype (np.float64, float, A.dtype or a string such as 'float64')`);
    if (row.typing === 'full') dtype = this.fillValue(e, args[1], dtypeTy ? dtype : null);
    if (row.typing === 'alloc_like') {
      const a = args[0];
      return a?.kind === 'array' ? { kind: 'array', dtype: dtypeTy ? dtype : a.dtype, ndim: a.ndim } : UNKNOWN;
    }
    const shape = args[0];
    let ndim: number | null = null;
    if (shape?.kind === 'tuple') {
      ndim = shape.elts.length;
      for (const [k, t] of shape.elts.entries()) if (!(t.kind === 'scalar' && t.scalar === 'int')) this.error(e.args[0].span, `shape element ${k} must be an int`);
    } else if (shape?.kind === 'scalar' && shape.scalar === 'int') {
      ndim = 1;
    } else if (shape?.kind === 'shape') {
      // `np.empty(A.shape)`: A's rank
      const of = e.args[0]?.kind === 'attribute' ? this.types.get(e.args[0].value) : undefined;
      ndim = of?.kind === 'array' ? of.ndim : null;
    } else {
      this.error(e.span, `np.${name}() needs a shape of ints`);
    }
    return { kind: 'array', dtype, ndim };
  }
}

/**
 * The NumPy scalar a whole-array reduction returns: sums and products of
 * small integers in 64 bits (unsigned ones in uint64), max/min in the
 * array's dtype, means in float64.
 */
function reductionScalar(name: string, dtype: string | null): Ty {
  if (name === 'mean') return scalar('float', 'np');
  if (!isDtype(dtype)) return scalar(dtypeScalar(dtype), 'np');
  if (['sum', 'prod', 'trace'].includes(name) && (kindOf(dtype) === 'int' || kindOf(dtype) === 'bool')) {
    return npScalar(dtype.startsWith('uint') ? 'uint64' : 'int64');
  }
  return npScalar(dtype);
}

/** A scalar's exact type: a NumPy dtype, or 'py <kind>' for a Python scalar. */
function exactScalarType(t: Ty & { kind: 'scalar' }): string {
  if (t.origin === 'np') return t.dtype ?? { bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128' }[t.scalar];
  return `${t.origin} ${t.scalar}`;
}

/** The value of an int literal (`300`, `-1`, `0xff`), or undefined. */
function intLiteral(e: Expr): bigint | undefined {
  if (e.kind === 'unary' && e.op === '-') {
    const v = intLiteral(e.operand);
    return v === undefined ? undefined : -v;
  }
  if (e.kind !== 'number' || e.numberKind !== 'int') return undefined;
  try {
    return BigInt(e.text.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}

function rootParamOrLocal(e: Expr): string | null {
  let b: Expr = e;
  while (b.kind === 'subscript') b = b.value;
  return b.kind === 'name' ? b.id : null;
}

/**
 * `None` or `np.newaxis` in a subscript (a new dimension of length 1). Read from the
 * syntax: `newaxis` is an attribute of NumPy only, and rebinding `np` is outside the subset.
 */
function isIndexHelper(helper: string): boolean {
  return helper in STORE_HELPER;
}

export function isNewAxis(e: Expr): boolean {
  return (e.kind === 'const' && e.value === 'None') || (e.kind === 'attribute' && e.attr === 'newaxis' && e.value.kind === 'name');
}

/**
 * Number of its root's dimensions a subscript chain indexes: `A[i][j, k]` -> 3.
 * `None` indexes none but adds a dimension that a later subscript in the chain
 * may index: `y[:, None][:, 0]` indexes one dimension of y.
 */
function chainDepth(e: Expr): number {
  const chain: Expr[][] = [];
  let b: Expr = e;
  while (b.kind === 'subscript') {
    chain.unshift(b.indices);
    b = b.value;
  }
  let rootDims = 0;
  // the leading dimensions of the value so far: one of the root's, or a new one
  let view: ('root' | 'new')[] = [];
  for (const indices of chain) {
    const out: ('root' | 'new')[] = [];
    let p = 0;
    for (const ix of indices) {
      if (isNewAxis(ix)) {
        out.push('new');
        continue;
      }
      let dim: 'root' | 'new' = 'root';
      if (p < view.length) dim = view[p];
      else rootDims++;
      p++;
      if (ix.kind === 'slice') out.push(dim);
    }
    view = [...out, ...view.slice(p)];
  }
  return rootDims;
}

/** Index positions of a subscript chain that are not slices. */
function countIntLike(e: Expr): number {
  let n = 0;
  let b: Expr = e;
  while (b.kind === 'subscript') {
    n += b.indices.filter((i) => i.kind !== 'slice' && !isNewAxis(i)).length;
    b = b.value;
  }
  return n;
}


/** The NumPy scalar type a returned value has in the original when it is a NumPy scalar (Numba returns a Python number). */
function numpyScalarType(t: Ty): string | null {
  if (t.kind !== 'scalar' || t.origin !== 'np') return null;
  return t.dtype ?? { bool: 'bool_', int: 'int64', float: 'float64', complex: 'complex128' }[t.scalar];
}

/** The subscripts an elementwise expression combines (`p[i] - p[i - 1]`: both), not those inside indices or calls. */
function elementwiseOperands(e: Expr): (Expr & { kind: 'subscript' })[] {
  if (e.kind === 'subscript') return [e];
  if (e.kind === 'binary') return [...elementwiseOperands(e.left), ...elementwiseOperands(e.right)];
  if (e.kind === 'unary') return elementwiseOperands(e.operand);
  return [];
}

/** The array name of `x = A.shape[k]` made by unpacking `A.shape`, if `s` is one. */
function unpackedShapeBase(s: Stmt): string | null {
  if (s.kind !== 'assign' || s.unpackedShape === undefined || s.value.kind !== 'subscript') return null;
  const attr = s.value.value;
  return attr.kind === 'attribute' && attr.value.kind === 'name' ? attr.value.id : null;
}

function isSelfProduct(name: string, value: Expr): boolean {
  if (value.kind !== 'binary' || (value.op !== '*' && value.op !== '**' && value.op !== '<<')) return false;
  const mentions = (x: Expr): boolean => (x.kind === 'name' && x.id === name) || (x.kind === 'binary' && (mentions(x.left) || mentions(x.right)));
  return mentions(value.left) || mentions(value.right);
}

/**
 * The array a call returns a view of, when its row's loop model is 'view'
 * (`np.reshape(A, s)`, `np.flip(A)`, `A.reshape(s)`): writes through the
 * result write that array. `isModule` says whether a name is a module.
 */
export function viewOperand(e: Expr, isModule: (x: Expr) => boolean): Expr | null {
  if (e.kind !== 'call' || e.func.kind !== 'attribute') return null;
  const onModule = e.func.value.kind === 'name' && isModule(e.func.value);
  const row = onModule ? numpyFunction(e.func.attr) : arrayMethod(e.func.attr);
  if (row?.loop !== 'view') return null;
  return onModule ? e.args[0] ?? null : e.func.value;
}

export { walkStmts, sameTy };
