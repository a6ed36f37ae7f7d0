// The types stage's checker, layer 0: its state (what it records while walking a
// function), its constructor, the close-mode notes and the error sink. The layers
// check-statements.ts .. check-allocations.ts extend it one at a time, and check.ts's
// Checker ends the chain; methods a lower layer calls from a higher one are declared
// abstract here.
import { diagnostic, type Diagnostic, type Span } from '../diagnostics.js';
import type { Expr, FunctionDef, ModuleConstant, Stmt } from '../parse/ast.js';
import type { Resolve } from './hints.js';
import { UNKNOWN, type Ty } from './ty.js';
import type { NumericCast } from './casts.js';
import type { Plan, Side } from './nep50.js';
import type { Dtype } from './promotion.js';
import { productNote, productRefusal, reductionNote, ULP_BOUNDS, ulpNote, type CloseNote, type Numerics } from '../numerics.js';
import { AVERAGE_CALLS, AXIS_EXTREMA, CLOSE_REDUCTIONS, checkedExtreme, planCloseReduction, type ReductionName } from './reductions.js';
import type { TableRow } from './numpy-table.js';
import { ModuleCalls, type CallSite } from './calls.js';
import { IntRanges } from './int-ranges.js';
import type { Semantics } from './typed-function.js';
import { isComplex } from './check-helpers.js';
import { complexPowerNote, type ComplexOp } from './complex-ops.js';

export abstract class CheckerBase {
  protected readonly params = new Map<string, Ty>();
  protected readonly locals = new Map<string, Ty>();
  /** Local name -> the array parameter it views (writes through it write the parameter). */
  protected readonly aliases = new Map<string, string | null>();
  protected readonly written = new Set<string>();
  /**
   * Array parameters whose objects are moved between their names (`A, B = B, A`: types/param-rotations.ts):
   * each parameter -> another of its group (a union-find forest); and the locals holding a parameter's whole
   * object (`t0 = B` of the unpacking), each -> that parameter.
   */
  protected readonly paramMoves = new Map<string, string>();
  protected readonly paramObjects = new Map<string, string>();
  /** Array parameters whose object is bound to another name: a write through that name may reach it. */
  protected readonly movedOut = new Set<string>();
  protected readonly ndimSeen = new Map<string, number>();
  protected readonly types = new Map<Expr, Ty>();
  protected readonly helpers = new Map<Expr, Semantics>();
  protected readonly augHelpers = new Map<Stmt, Semantics>();
  protected readonly arrayAug = new Map<Stmt, number | null>();
  /** Where the variants must spell NumPy 2's dtypes (types/casts.ts), found by the last pass. */
  protected readonly casts = new Map<Expr | Stmt, NumericCast>();
  /** Scalar parameters beside a narrow dtype (ParamInfo.exact), with the range their ints must lie in. */
  protected readonly weakParams = new Map<string, [bigint, bigint] | null>();
  /** Ranges of Python int locals on the straight-line path (int-ranges.ts). */
  protected readonly intRanges = new IntRanges();
  protected readonly diagnostics: Diagnostic[] = [];
  protected returnTy: Ty | null = null;
  protected returnsValue = false;
  /**
   * Names bound by statements outside the subset (and locals computed from them):
   * known but untyped. An error whose span holds one of their uses is a follow-on
   * of the unsupported statement, already reported at its place, so it is dropped.
   */
  protected readonly untyped = new Set<string>();
  protected readonly untypedUses: Span[] = [];
  protected readonly calls = new Map<Expr, CallSite>();
  /**
   * Calls of module functions that stay in Python, and the locals bound from
   * them: untyped for the rest of the pass (one diagnostic, at the call). Per
   * pass: a call refused for the incomplete types of an early pass must not
   * silence the final pass's diagnostics.
   */
  protected readonly failedCalls = new Set<Expr>();
  /**
   * NumPy calls returning a tuple of arrays (np.histogram): a local may hold it
   * (`h, e = np.histogram(x)` unpacks through one), aliasing the array named
   * here (NumPy returns an edges argument itself), or none: fresh arrays.
   */
  protected readonly tupleCalls = new Map<Expr, string | null>();
  protected readonly callUntyped = new Set<string>();
  protected returnsView = false;

  constructor(
    protected readonly fn: FunctionDef,
    protected readonly imports: Map<string, string>,
    protected readonly resolve: Resolve,
    protected readonly topNames: Set<string>,
    protected readonly numerics: Numerics = 'exact',
    /** paramTypes: a callee checked with its call site's argument types instead of hints (types/calls.ts). */
    protected readonly context: { paramTypes?: Ty[]; calls?: ModuleCalls; constants?: Map<string, ModuleConstant>; typeAliases?: ReadonlyMap<string, Expr> } = {},
  ) {}

  protected readonly closeNotes: CloseNote[] = [];
  /** Guards under which `**` of Python ints stays in int64 (types/int-power-guard.ts), by the operator's offset. */
  protected readonly intPowerGuards = new Map<number, string>();
  /** The expression statement being checked, whose call may take a ufunc output argument (types/ufunc-out.ts). */
  protected statementCall: (Stmt & { kind: 'expr' }) | null = null;
  /** Module-level constants the function reads: name -> the literal as written. */
  protected readonly constantsRead = new Map<string, string>();

  /**
   * NumPy's own elementwise math on real floats: in `close` mode the variant calls
   * the C library's function instead, within ULP_BOUNDS (numerics.ts); in `exact`
   * mode (or on complex numbers, whose functions are unmeasured) it is refused.
   */
  protected ownMath(span: Span, fn: string, operation: string, args: Ty[], refusal: string): void {
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
  protected product(span: Span, operation: string, l: Ty | undefined, r: Ty | undefined): void {
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
   * np.sum/mean/var/std and their methods in close mode, along axes or of a whole
   * array NumPy's own order cannot be followed for, and np.max/np.min along axes in
   * both modes (types/reductions.ts); null when
   * the call is not one of those (the other rules apply).
   */
  protected closeReduction(e: Expr & { kind: 'call' }, fname: string, args: Ty[], kw: Map<string, Ty>, method: boolean): Ty | null {
    // np.max/np.min along axes are exact (both modes); the sums, means, var, std close mode's only
    const name = AXIS_EXTREMA.get(fname) ?? fname;
    if (!AXIS_EXTREMA.has(fname) && (this.numerics !== 'close' || !CLOSE_REDUCTIONS.has(name))) return null;
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
    const helper = plan.helper === 'axis_mean' && AVERAGE_CALLS.has(e) ? 'axis_average' : plan.helper;
    this.helpers.set(e, { helper: checkedExtreme(this.numerics, fname, operand.dtype) ?? helper, args: plan.args });
    if (CLOSE_REDUCTIONS.has(name) && !this.closeNotes.some((n) => n.line === e.span.from.line && n.col === e.span.from.col)) {
      this.closeNotes.push(reductionNote(e.span.from.line, e.span.from.col, method ? `.${fname}()` : `np.${fname}`, plan.terms));
    }
    return plan.type;
  }

  /** A complex product or power's helper; `close` mode notes (and `exact` mode refuses) the C library's cpow (types/complex-ops.ts). */
  protected complexHelper(span: Span, op: ComplexOp, operation: string, needHelper: (h: Semantics) => void): void {
    needHelper({ helper: op.helper });
    if (op.closeOnly === null) return;
    if (this.numerics === 'exact') this.error(span, `${operation}: ${op.closeOnly}`);
    else if (!this.closeNotes.some((n) => n.line === span.from.line && n.col === span.from.col && n.operation === operation)) {
      this.closeNotes.push(complexPowerNote(span.from.line, span.from.col, operation));
    }
  }

  protected error(span: Span, message: string): void {
    if (this.untypedUses.some((u) => u.start >= span.start && u.end <= span.end)) return;
    if (!this.diagnostics.some((d) => d.span.start === span.start && d.message === message)) {
      this.diagnostics.push(diagnostic('error', span, message));
    }
  }

  // Implemented by a later layer of the chain (check-*.ts), called from an earlier one.
  protected abstract checkUnpackedArray(s: Stmt & { kind: 'assign' }): void;
  protected abstract checkUnpackedShape(s: Stmt & { kind: 'assign' }): void;
  protected abstract arrayAugAssign(s: Stmt & { kind: 'augassign' }, target: Ty & { kind: 'array' }, value: Ty, result: Ty): void;
  protected abstract indexArrayStore(s: Stmt & { kind: 'assign' }, valueTy: Ty): void;
  protected abstract assign(target: Expr, valueTy: Ty, value: Expr, span: Span): void;
  protected abstract scalarStore(into: Ty, value: Ty, span: Span, valueExpr?: Expr | (Stmt & { kind: 'augassign' })): void;
  protected abstract bindLocal(name: string, t: Ty, aliasOf: string | null, span: Span, arrayTuple?: boolean): void;
  protected abstract arrayRoot(e: Expr): string | null;
  protected abstract markWritten(target: Expr, span: Span): void;
  abstract expr(e: Expr): Ty;
  protected abstract isParamName(e: Expr | undefined): boolean;
  protected abstract binaryType(op: string, l: Ty, r: Ty, span: Span, needHelper: (h: Semantics) => void, e?: Expr, nep?: { operands: [Expr, Expr]; node: Expr | Stmt | null }): Ty;
  protected abstract side(t: Ty, e: Expr | undefined): Side;
  protected abstract applyPlan(plan: Plan, operands: [Expr, Expr] | undefined, span: Span, isArray: boolean, node: Expr | Stmt | null): void;
  protected abstract call(e: Expr & { kind: 'call' }): Ty;
  protected abstract numpyCall(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty;
  protected abstract arrayRule(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty | undefined;
  protected abstract moduleCall(e: Expr & { kind: 'call' }, name: string, args: Ty[], kw: Map<string, Ty>): Ty;
  protected abstract dtypeArgument(x: Expr): Ty;
  protected abstract constructorRange(d: Dtype, t: Ty, x: Expr, span: Span, what?: string): void;
  protected abstract allocation(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty;
}
