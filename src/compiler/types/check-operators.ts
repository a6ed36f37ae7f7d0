// Operators: binary and unary operators on scalars and arrays, with NumPy 2 promotion (nep50.ts) and the CPython-semantics helpers.
// A layer of the types checker (checker-base.ts describes the chain).
import type { Span } from '../diagnostics.js';
import { walkExpr, type Expr, type Stmt } from '../parse/ast.js';
import { dtypeScalar } from './hints.js';
import { DEFAULT_DTYPE, describe, npScalar, scalar, UNKNOWN, widerScalar, type Origin, type ScalarKind, type Ty } from './ty.js';
import { planBinary, type Plan, type Side } from './nep50.js';
import { intRange, isDtype } from './promotion.js';
import { INT64, within } from './int-ranges.js';
import { ExpressionChecker } from './check-expressions.js';
import type { Semantics } from './typed-function.js';
import { isFloatLike, isComplex, intLiteral, isHalfLiteral, fastFloatPower } from './check-helpers.js';
import { complexPower, complexProduct } from './complex-ops.js';
import { intPowerGuard } from './int-power-guard.js';

export abstract class OperatorChecker extends ExpressionChecker {
  protected binaryType(op: string, l: Ty, r: Ty, span: Span, needHelper: (h: Semantics) => void, e?: Expr, nep?: { operands: [Expr, Expr]; node: Expr | Stmt | null }): Ty {
    const operands: [Expr, Expr] | undefined = nep?.operands ?? (e && e.kind === 'binary' ? [e.left, e.right] : undefined);
    let plan = op === '@' ? null : planBinary(op, this.side(l, operands?.[0]), this.side(r, operands?.[1]));
    // complex products and powers through NumPy's own algorithms (types/complex-ops.ts)
    const cx = op === '*' ? complexProduct(l, r) : op === '**' ? complexPower(l, r, { literal: operands ? intLiteral(operands[1]) : undefined, half: isHalfLiteral(operands?.[1]), constant: operands?.[1].kind === 'number' || (operands?.[1].kind === 'unary' && operands[1].operand.kind === 'number') }, true) : null;
    if (plan && typeof cx === 'string') plan = { ...plan, error: plan.error ?? `'${op}': ${cx}` };
    else if (plan && cx) plan = { ...plan, error: null, dtype: 'complex128' };
    if (plan) this.applyPlan(plan, operands, span, l.kind === 'array' || r.kind === 'array', nep ? nep.node : e ?? null);
    if (plan?.helper && !plan.error) {
      // (`x <<= k` on a narrow scalar local prints as `x = np_lshift(x, k)`, without the cast back to x's dtype)
      if (nep?.node && 'kind' in nep.node && nep.node.kind === 'augassign') this.error(span, `'${op}=' on a narrow integer scalar by a count that may lie outside 0 .. bits - 1 is not supported (x = x ${op} k is)`);
      else needHelper({ helper: plan.helper });
    }
    if (cx && typeof cx !== 'string') this.complexHelper(span, cx, `'${op}'`, needHelper);
    if (op === '**' && !cx && [l, r].some((t) => t.kind === 'array') && [l, r].some(isFloatLike)) {
      // `a ** x` on a float64 array with a float scalar x: NumPy takes np.sqrt for 0.5
      // (-0.0 ** 0.5 is -0.0 and -inf ** 0.5 nan there, +0.0 and inf in pow): numba_helpers.pow_fop decides
      // per call; the literal 0.5 is np.sqrt's bits, `exact`
      const fastPower = fastFloatPower(l, r, false);
      if (fastPower) needHelper({ helper: 'pow_fop' });
      // `a ** y` on a float array is np.power, one of NumPy's own implementations (its row's class is 'ulp')
      if (!(fastPower && isHalfLiteral(operands?.[1]))) this.ownMath(span, 'power', "'**'", [l, r], "'**' on a floating-point array: NumPy's power differs from the C library's pow in the last bits");
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
    const divisionLike = op === '/' || op === '//' || op === '%' || (op === '**' && !cx);
    if (divisionLike) {
      if (origin === 'mixed') {
        this.error(span, `'${op}' on a value that is a Python scalar on some paths and a NumPy scalar on others: CPython and NumPy disagree on its edge cases`);
      } else if (origin === 'py') {
        const helper = op === '/' ? 'truediv' : op === '//' ? 'floordiv' : op === '%' ? 'mod' : 'pow';
        needHelper({ helper });
        if (op === '**' && l.scalar !== 'float' && r.scalar !== 'float' && kind === 'int') {
          const exp = e && e.kind === 'binary' ? e.right : null;
          const small = exp && exp.kind === 'number' && exp.numberKind === 'int' && Number(exp.text) >= 0 && Number(exp.text) <= 2;
          // parameters and loop counters: the dispatcher checks that every power fits (types/int-power-guard.ts)
          const intParams = new Set([...this.params].filter(([n, t]) => t.kind === 'scalar' && t.scalar === 'int' && t.origin === 'py' && this.isParamName({ kind: 'name', span, id: n } as Expr)).map(([n]) => n));
          const guard = !small && e && e.kind === 'binary' ? intPowerGuard(this.fn, e, intParams) : null;
          if (guard) {
            this.intPowerGuards.set(span.start, guard);
            needHelper({ helper: 'ipow' }); // numba_helpers.ipow: exact int64 (pow would give a float)
          }
          if (!small && !guard) this.error(span, "'**' on Python ints may exceed 64 bits, where Numba would wrap around");
          if (small || guard) kind = 'int';
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
  protected side(t: Ty, e: Expr | undefined): Side {
    if (t.kind === 'scalar') {
      if (t.origin === 'py') {
        const literal = e ? intLiteral(e) : undefined;
        const range = e && literal === undefined && t.scalar === 'int' ? this.rangeOf(e) : null;
        return literal !== undefined ? { kind: 'weak', py: t.scalar, literal } : range ? { kind: 'weak', py: t.scalar, range } : { kind: 'weak', py: t.scalar };
      }
      if (t.origin === 'np' && isDtype(t.dtype)) {
        const range = e && t.scalar === 'int' ? this.rangeOf(e) : null;
        return range ? { kind: 'strong', dtype: t.dtype, array: false, range } : { kind: 'strong', dtype: t.dtype, array: false };
      }
      return { kind: 'other', mixed: t.origin === 'mixed' };
    }
    if (t.kind === 'array' && isDtype(t.dtype)) return { kind: 'strong', dtype: t.dtype, array: true };
    return { kind: 'other', mixed: false };
  }

  /**
   * The Python scalar parameters whose values a weak operand may carry: those it names (`a`, `a * 2.0`), and
   * for a local Python scalar (`b = a * 2.0; x * b`) every one (what flowed into it is not tracked). Each
   * must be given as a Python number: a NumPy scalar there would be strong (float64 beside float32 arrays).
   */
  protected weakSources(x: Expr | undefined): string[] {
    if (!x) return [];
    const names = new Set<string>();
    let local = false;
    walkExpr(x, (n) => {
      if (n.kind !== 'name') return;
      const p = this.params.get(n.id);
      if (p) {
        if (p.kind === 'scalar' && p.origin === 'py') names.add(n.id);
      } else if (this.locals.get(n.id)?.kind === 'scalar') {
        local = true;
      }
    });
    if (local) for (const [name, t] of this.params) if (t.kind === 'scalar' && t.origin === 'py') names.add(name);
    return [...names];
  }

  /** As side(), with a NumPy scalar of unknown dtype read as its kind's 64-bit dtype (ty.ts). */
  protected scalarSide(t: Ty, e: Expr | undefined): Side {
    if (t.kind === 'scalar' && t.origin === 'np' && !isDtype(t.dtype)) return { kind: 'strong', dtype: DEFAULT_DTYPE[t.scalar], array: false };
    return this.side(t, e);
  }

  /**
   * Records what a NEP 50 plan asks of the variants: casts of Python scalars
   * and of narrow results, and Python int parameters whose range the
   * dispatcher checks (other Python ints of unknown range leave the subset).
   */
  protected applyPlan(plan: Plan, operands: [Expr, Expr] | undefined, span: Span, isArray: boolean, node: Expr | Stmt | null): void {
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
      for (const name of this.weakSources(operands?.[k])) if (!this.weakParams.has(name)) this.weakParams.set(name, null);
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
      if (!name && x) {
        // NumPy 2 raises OverflowError where it does not fit, compiled code would wrap around: the value goes
        // through fit_int, which leaves one out of range to the original (runtime/int_helpers.py, undo=)
        const [lo, hi] = intRange(r.dtype)!;
        const prior = this.casts.get(x);
        this.casts.set(x, { dtype: prior && !prior.array ? prior.dtype : r.dtype, array: false, checked: [lo, hi < INT64[1] ? hi : INT64[1]] }); // (compiled code's Python int is an int64)
        continue;
      }
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
}
