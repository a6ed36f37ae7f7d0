// Calls of NumPy functions through the table (numpy-table.ts): ufuncs, reductions, products, array rules.
// A layer of the types checker (checker-base.ts describes the chain).
import { narrowFloatUfunc } from './ufunc-dtype.js';
import { scalarUfunc } from './scalar-ufunc.js';
import type { Expr } from '../parse/ast.js';
import { dtypeScalar } from './hints.js';
import { npScalar, scalar, UNKNOWN, widerScalar, type Ty } from './ty.js';
import { callArgumentRefusal, ufuncInputs } from './call-args.js';
import { ufuncOutArgument } from './ufunc-out.js';
import { complexPower, complexProduct, complexUnary } from './complex-ops.js';
import { planBinary } from './nep50.js';
import { isDtype, promoteTypes } from './promotion.js';
import { markCast } from './casts.js';
import { numpyFunction, type TableRow } from './numpy-table.js';
import { covVariables } from './table-guards.js';
import { planNorm } from './norms.js';
import { fftFreq, fftShift, fftTransform, type FftTyping } from './fft-calls.js';
import { AVERAGE_CALLS, checkedExtreme } from './reductions.js';
import { CallChecker } from './check-calls.js';
import { ufuncFloatResult, whereCast, whereNarrowBesidePython, isFloatLike, reductionScalar, intLiteral, isHalfLiteral, fastFloatPower } from './check-helpers.js';
import { searchsortedRule, sortRule, uniqueRule, type RuleResult } from './sort-rules.js';
import { arrayRule, joinRule } from './sequences.js';
import { histogramRule } from './histogram.js';
import { arangeRule, axisReduceRule, scanRule, traceRule } from './row-rules.js';
import { rankUnknown } from './rank-hint.js';
import { USAGE_SINGULAR } from './norms.js';

export abstract class NumpyCallChecker extends CallChecker {
  /** np.<name>(...): the result type by its row's typing rule (types/numpy-table.ts). */
  protected numpyCall(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty {
    const name = row.name;
    // `np.add(a, b, c)` / `np.add(a, b, out=c)` as a statement: `c[:] = np.add(a, b)` (types/ufunc-out.ts)
    const stmt = this.statementCall;
    if (row.typing === 'ufunc' && row.where === 'numpy' && stmt?.value === e) {
      const found = ufuncOutArgument(e, ufuncInputs(row));
      if (found && 'error' in found) {
        this.error(e.span, `np.${name}(): ${found.error} is not supported`);
        return UNKNOWN;
      }
      if (found) {
        // from here on the call is the ufunc of its inputs, the statement a store into out
        e.args = found.inputs;
        e.keywords = [];
        stmt.out = found.out;
        return this.numpyCall(e, row, args.slice(0, found.inputs.length), new Map());
      }
    }
    // np.average(a, weights=w) of vectors: NumPy's two pairwise sums (array_helpers.average_weighted)
    if (name === 'average' && row.where === 'numpy' && kw.has('weights')) return this.weightedAverage(e, args, kw);
    // np.average(a[, axis=], returned=True) without weights: (NumPy's a.mean(axis), a.size / avg.size in avg's dtype)
    if (name === 'average' && row.where === 'numpy' && kw.has('returned') && e.func.kind === 'attribute') return this.averageReturned(e, row, args, kw);
    // np.average(a[, axis=]) without weights is NumPy's a.mean(axis): the call becomes np.mean, with mean's rules
    if (name === 'average' && row.where === 'numpy' && e.func.kind === 'attribute') {
      const mean = numpyFunction('mean');
      if (args.length !== 1 || e.args.length !== 1 || [...kw.keys()].some((k) => k !== 'axis' && k !== 'keepdims') || !mean) {
        this.error(e.span, 'np.average() is supported without weights (np.average(a) or np.average(a, axis=k)): weights, returned= and a positional axis keep the original');
        return UNKNOWN;
      }
      e.func.attr = 'mean';
      AVERAGE_CALLS.add(e); // (the next passes see np.mean: closeReduction prints it as np.average along an axis)
      return this.numpyCall(e, mean, args, kw);
    }
    // rules added with the table check their arguments themselves: an argument of unknown type was reported where it came from
    const checked = ['reshape', 'flip', 'tri', 'ufunc_outer', 'linalg_square', 'norm'];
    if (checked.includes(row.typing) && args.some((t) => t.kind === 'unknown')) return UNKNOWN;
    const refusal = callArgumentRefusal(row, `np.${name}`, [...kw.keys()], args.length);
    if (refusal) this.error(e.span, refusal);
    switch (row.typing) {
      case 'ufunc': {
        const rule = row.ufunc!;
        // complex multiply, square, reciprocal and power: NumPy's loops, even on NumPy scalars (types/complex-ops.ts)
        const cx = name === 'multiply' && args.length === 2 ? complexProduct(args[0], args[1], true)
          : name === 'power' && args.length === 2 ? complexPower(args[0], args[1], { literal: e.args[1] ? intLiteral(e.args[1]) : undefined }, false)
            : args.length === 1 ? complexUnary(name, args[0]) : null;
        if (typeof cx === 'string') this.error(e.span, `np.${name}(): ${cx}`);
        else if (cx) this.complexHelper(e.span, cx, `np.${name}`, (h) => this.helpers.set(e, h));
        // np.sign of real floats: NumPy's +0.0 for -0.0, which Numba keeps (runtime/row_helpers.sign_real)
        const real = (t: Ty | undefined) => (t?.kind === 'array' && (t.dtype === 'float64' || t.dtype === 'float32')) || (t?.kind === 'scalar' && t.scalar === 'float');
        if (name === 'sign' && args.length === 1 && kw.size === 0 && real(args[0])) this.helpers.set(e, { helper: 'sign_real' });
        // Numba's np.sign of an unsigned integer is its -1 (255 for a uint8) from 2**(bits - 1) up, NumPy's 1 (fuzz, seed 12000000358)
        if (name === 'sign' && args.some((t) => (t.kind === 'array' || t.kind === 'scalar') && /^uint/.test(t.dtype ?? ''))) {
          this.error(e.span, "np.sign() of unsigned integers: Numba's gives 2**bits - 1 for values from 2**(bits - 1) up, NumPy's 1");
        }
        // np.power(x, 0.5) of float64s with a scalar exponent: NumPy's loop takes sqrt (numba_helpers.pow_fop)
        const fastPower = !cx && name === 'power' && args.length === 2 && kw.size === 0 && fastFloatPower(args[0], args[1], true);
        if (fastPower) this.helpers.set(e, { helper: 'pow_fop' });
        // NumPy's own math (SIMD loops): exact on integers only where the result stays integer (np.power)
        if (!cx && row.numerics === 'ulp' && !(fastPower && isHalfLiteral(e.args[1])) && (rule.ints !== 'keep' || args.some((t) => isFloatLike(t)))) {
          const exact = row.mathEquivalent;
          this.ownMath(e.span, name, `np.${name}`, args, `np.${name}(): NumPy computes it with its own (vectorized) implementation and compiled code with the C library's, so the last bits differ${exact ? `; math.${exact}() on scalars is the same in both` : ''}`);
        }
        if (rule.compare) {
          if (args.length !== 2 || kw.size > 0) this.error(e.span, `np.${name}() takes two operands`);
          // NumPy 2 compares in the promoted dtype, as the operator does
          else this.applyPlan(planBinary(rule.compare, this.side(args[0], e.args[0]), this.side(args[1], e.args[1])), [e.args[0], e.args[1]], e.span, false, null);
        }
        if (name === 'where' && args.length === 3) {
          const refusal = whereNarrowBesidePython(args[1], args[2]);
          if (refusal) this.error(e.span, refusal);
          // a float32 array beside a Python number: NumPy 2 computes in float32 (NEP 50), so the number is cast
          // to np.float32 and a float parameter must come as a Python float (the plan of `+`, which promotes alike)
          else if (whereCast(args[1], args[2])) this.applyPlan(planBinary('+', this.side(args[1], e.args[1]), this.side(args[2], e.args[2])), [e.args[1], e.args[2]], e.span, true, null);
        }
        if (args.some((t) => t.kind === 'array')) {
          const arr = args.find((t) => t.kind === 'array') as Ty & { kind: 'array' };
          // float32 operands (types/ufunc-dtype.ts): NumPy 2's dtype, Python scalars cast so Numba computes it too
          const narrow = narrowFloatUfunc(row, args, (k) => this.scalarSide(args[k], e.args[k]));
          if (narrow?.plan) this.applyPlan(narrow.plan, [e.args[0], e.args[1]], e.span, true, null);
          const cxDtype = cx && typeof cx !== 'string' ? (cx.helper === 'cabs' ? 'float64' : 'complex128') : null;
          return { kind: 'array', dtype: rule.bool ? 'bool' : cxDtype ?? narrow?.dtype ?? ufuncFloatResult(row, args), ndim: arr.ndim };
        }
        // NumPy scalars of a narrow dtype (float32 elements, np.min of an int16 array): NumPy 2's dtype (types/scalar-ufunc.ts)
        const narrow = args.every((t) => t.kind === 'scalar') ? scalarUfunc(row, args.map((t, k) => this.scalarSide(t, e.args[k]))) : null;
        if (narrow && 'error' in narrow) this.error(e.span, narrow.error);
        else if (narrow) {
          if (narrow.plan) this.applyPlan(narrow.plan, [e.args[0], e.args[1]], e.span, false, null);
          return npScalar(narrow.dtype);
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
        // np.trace of float64 or int64: NumPy's own order (types/row-rules.ts traceRule)
        const trace = name === 'trace' && e.args[0] ? traceRule(a0, e.args[0], e.args[1] ?? e.keywords.find((w) => w.name === 'offset')?.value, args[1] ?? kw.get('offset'),
          e.args.length > 2 || [...kw.keys()].some((k) => k !== 'offset') || (e.args.length > 1 && kw.has('offset'))) : undefined;
        if (trace && 'refuse' in trace) {
          this.error(e.span, `np.${trace.refuse}`);
          return UNKNOWN;
        }
        if (trace) {
          this.helpers.set(e, trace.helper);
          return trace.ty;
        }
        this.exactSum(e.span, name, a0 && a0.kind === 'array' ? a0.dtype : null, e, {
          ndim: a0?.kind === 'array' ? a0.ndim : null, whole: args.length === 1 && e.keywords.length === 0, method: false, param: this.isParamName(e.args[0]),
        });
        // exact mode's float max/min of the whole array: the checked helper (types/reductions.ts checkedExtreme)
        const checked = args.length === 1 && e.keywords.length === 0 && a0?.kind === 'array' ? checkedExtreme(this.numerics, name, a0.dtype, false) : null;
        if (checked) this.helpers.set(e, { helper: checked });
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
        // np.ravel(a): a view exactly where NumPy's is (runtime/row_helpers.ravel)
        if (name === 'ravel' && (e.args.length !== 1 || kw.size > 0)) {
          this.error(e.span, 'np.ravel() is supported on one array, without an order (C order)');
          return UNKNOWN;
        }
        if (row.helper && a?.kind === 'array') this.helpers.set(e, { helper: row.helper });
        return a?.kind === 'array' ? { kind: 'array', dtype: a.dtype, ndim: row.typing === 'flat' ? 1 : a.ndim } : UNKNOWN;
      }
      case 'scan': {
        // np.cumsum(a[, axis]) / np.cumprod: NumPy's accumulation (types/row-rules.ts scanRule, runtime/row_helpers.py)
        if (args[0]?.kind === 'unknown') return UNKNOWN;
        const axisAt = e.args[1] ?? e.keywords.find((w) => w.name === 'axis')?.value;
        const dtypeAt = e.args[2] ?? e.keywords.find((w) => w.name === 'dtype')?.value;
        const extra = e.args.length > 3 || e.args.length === 0 || [...kw.keys()].some((k) => k !== 'axis' && k !== 'dtype') ||
          (e.args.length > 1 && kw.has('axis')) || (e.args.length > 2 && kw.has('dtype'));
        const r = scanRule(name as 'cumsum' | 'cumprod', args[0], e.args[0], axisAt, extra, dtypeAt && { ty: args[2] ?? kw.get('dtype'), node: dtypeAt });
        return this.scanResult(e, `np.${name}`, r);
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
      case 'arange': {
        // NumPy's formula and exceptions (types/row-rules.ts, runtime/row_helpers.py)
        if (args.some((t) => t.kind === 'unknown') || [...kw.values()].some((t) => t.kind === 'unknown')) return UNKNOWN;
        const r = arangeRule(e, args, kw);
        if ('refuse' in r) {
          this.error(e.span, r.refuse);
          return UNKNOWN;
        }
        this.helpers.set(e, r.helper);
        return r.ty;
      }
      case 'histogram': {
        // types/histogram.ts: array_helpers.histogram(a, bins, weights, range)
        const r = histogramRule(e, args, kw);
        if ('refuse' in r) {
          this.error(e.span, r.refuse);
          return UNKNOWN;
        }
        this.helpers.set(e, { helper: r.helper, args: r.args });
        // a tuple of fresh arrays, but for an edges array, which NumPy returns itself
        this.tupleCalls.set(e, r.aliases ? this.arrayRoot(r.aliases) : null);
        return r.ty;
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
      case 'norm': {
        // NumPy's formula for the literal ord and axis (types/norms.ts, runtime/norms.py)
        const at = (k: number, name: string): Expr | undefined => e.args[k] ?? e.keywords.find((w) => w.name === name)?.value;
        const plan = planNorm({
          x: args[0], ord: at(1, 'ord'), axis: at(2, 'axis'), keepdims: at(3, 'keepdims'),
          extra: e.args.length > 4 || e.args.length === 0 || e.keywords.some((w, i) => !((w.name === 'ord' && e.args.length < 2) || (w.name === 'axis' && e.args.length < 3) || (w.name === 'keepdims' && e.args.length < 4)) || e.keywords.findIndex((v) => v.name === w.name) !== i),
          moduleOf: (x) => { const t = this.types.get(x); return t?.kind === 'module' ? t.name : null; },
        });
        if (plan.kind === 'refuse') {
          this.error(e.span, plan.reason);
          return UNKNOWN;
        }
        // a matrix's 2 / -2 norm: the guard checks a parameter's entries are finite (poly/table-preconditions.ts)
        const x0 = e.args[0];
        if (plan.singular && !(x0?.kind === 'name' && this.params.get(x0.id)?.kind === 'array')) {
          this.error(e.span, `${USAGE_SINGULAR}: the matrix must be a parameter, whose entries the guard checks are finite`);
          return UNKNOWN;
        }
        if (plan.closeOnly && this.numerics === 'exact') this.error(e.span, plan.closeOnly.refusal);
        else if (plan.closeOnly && !this.closeNotes.some((n) => n.line === e.span.from.line && n.col === e.span.from.col)) {
          this.closeNotes.push({ line: e.span.from.line, col: e.span.from.col, operation: 'np.linalg.norm', bound: plan.closeOnly.bound, kind: 'reduction', gpu: false });
        }
        this.helpers.set(e, { helper: plan.helper, args: [e.args[0], ...plan.args] });
        return plan.type;
      }
      case 'fft':
      case 'fftfreq':
      case 'fftshift': {
        if (args.some((t) => t.kind === 'unknown') || [...kw.values()].some((t) => t.kind === 'unknown')) return UNKNOWN;
        const f = name.slice('fft.'.length);
        // `x.shape` as fft2's s: the rank of x
        const shapeRank = (node: Expr): number | null => {
          const t = node.kind === 'attribute' && node.attr === 'shape' ? this.types.get(node.value) : undefined;
          return t?.kind === 'array' ? t.ndim : null;
        };
        const typed: FftTyping = row.typing === 'fft' ? fftTransform(f, e, args, kw, this.numerics, shapeRank)
          : row.typing === 'fftfreq' ? fftFreq(e, args, kw) : fftShift(f, e, args, kw);
        if ('error' in typed) {
          this.error(e.span, typed.error);
          return UNKNOWN;
        }
        // close mode: rocket-fft's last bits, within the row's bound (exact mode calls NumPy's transform)
        if (row.typing === 'fft' && this.numerics === 'close') this.productRow(e.span, row);
        if (typed.helper) this.helpers.set(e, typed.helper);
        return typed.ty;
      }
      case 'linalg_square': {
        const a = args[0];
        // inv also of complex128 (LAPACK's zgesv in NumPy, zgetrf/zgetri in Numba: the same product-class bound)
        const complexOk = name === 'linalg.inv' && a?.kind === 'array' && a.dtype === 'complex128';
        if (args.length !== 1 || kw.size > 0 || a?.kind !== 'array' || a.ndim !== 2 || (a.dtype !== 'float64' && a.dtype !== 'float32' && !complexOk)) {
          this.error(e.span, `np.${name}() is supported on one 2-d float64 or float32 array${name === 'linalg.inv' ? ' (or complex128)' : ''}`);
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
   * np.average(a, weights=w[, returned=False]) of a float64 or int64 vector and float64 weights:
   * NumPy's w.sum() and (a * w).sum() are pairwise sums of runs in memory, reproduced bit for bit
   * in both modes, with its ZeroDivisionError (weights summing to 0) and TypeError (lengths differ).
   */
  private weightedAverage(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): Ty {
    const [a, w] = [args[0], kw.get('weights')];
    const returned = e.keywords.find((k) => k.name === 'returned')?.value;
    const axisNode = e.keywords.find((k) => k.name === 'axis')?.value;
    const written = returned?.kind === 'const' && (returned.value === 'False' || returned.value === 'True');
    if (axisNode) return this.weightedAverageAlong(e, a, w, axisNode, [...kw.keys()].every((k) => k === 'weights' || k === 'axis' || (k === 'returned' && written)), returned?.kind === 'const' && returned.value === 'True');
    const literal = returned?.kind === 'const' && (returned.value === 'False' || returned.value === 'True');
    const okKeys = [...kw.keys()].every((k) => k === 'weights' || (k === 'returned' && literal));
    if (args.length !== 1 || !okKeys || a?.kind !== 'array' || a.ndim !== 1 || (a.dtype !== 'float64' && a.dtype !== 'int64') || w?.kind !== 'array' || w.ndim !== 1 || w.dtype !== 'float64') {
      this.error(e.span, 'np.average(a, weights=w) is supported on a float64 or int64 vector with float64 weights (no axis=, returned= True or False written out)');
      return UNKNOWN;
    }
    // returned=True: (the average, the sum of the weights), both NumPy float64 scalars
    const both = returned?.kind === 'const' && returned.value === 'True';
    this.helpers.set(e, { helper: both ? 'average_weighted_returned' : 'average_weighted', args: [e.args[0], e.keywords.find((k) => k.name === 'weights')!.value] });
    return both ? { kind: 'tuple', elts: [npScalar('float64'), npScalar('float64')] } : npScalar('float64');
  }

  /**
   * np.average(a[, axis=k][, keepdims=...], returned=True|False) without weights. NumPy computes avg =
   * a.mean(axis) and, returned, scl = avg.dtype.type(a.size / avg.size) broadcast to avg's shape. The
   * mean is typed and printed by mean's rules on a copy of the call without returned= (so each
   * numerics mode keeps its own mean); array_helpers.average_returned adds the count.
   */
  private averageReturned(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty {
    const flag = e.keywords.find((k) => k.name === 'returned')!.value;
    if (flag.kind !== 'const' || (flag.value !== 'True' && flag.value !== 'False')) {
      this.error(e.span, 'np.average(): returned= must be written True or False');
      return UNKNOWN;
    }
    const rest = new Map([...kw].filter(([k]) => k !== 'returned'));
    if (e.func.kind !== 'attribute') return UNKNOWN;
    const mean: Expr & { kind: 'call' } = { ...e, func: { ...e.func }, keywords: e.keywords.filter((k) => k.name !== 'returned') };
    if (flag.value === 'False') {
      // the same call without the keyword
      e.keywords = mean.keywords;
      return this.numpyCall(e, row, args, rest);
    }
    const meanRow = numpyFunction('mean');
    if (args.length !== 1 || e.args.length !== 1 || [...rest.keys()].some((k) => k !== 'axis' && k !== 'keepdims') || !meanRow || mean.func.kind !== 'attribute') {
      this.error(e.span, 'np.average(a, returned=True) is supported without weights as np.average(a[, axis=k][, keepdims=...], returned=True) (a positional axis keeps the original)');
      return UNKNOWN;
    }
    // the rewrite the plain call gets (above), on the copy: close mode's reduction, else mean's own rules
    mean.func.attr = 'mean';
    AVERAGE_CALLS.add(mean);
    const avg = this.closeReduction(mean, 'mean', args, rest, false) ?? this.numpyCall(mean, meanRow, args, rest);
    if (avg.kind === 'unknown') return UNKNOWN;
    this.types.set(mean, avg);
    this.helpers.set(e, { helper: 'average_returned', args: [mean, e.args[0]] });
    this.tupleCalls.set(e, null); // (the average and a fresh array of counts, or two scalars)
    return { kind: 'tuple', elts: [avg, avg] };
  }

  /**
   * np.average(A, axis=k, weights=w) of a float64 matrix, w of A's shape or a float64 vector along
   * axis k, returned= True or False: both sums along the axis in close_reductions' blocks
   * (array_helpers.average_weighted_axis, average_weighted_axis_returned: with the weights' sums),
   * close mode only (NumPy adds a line pairwise or row after row depending on the layout).
   */
  private weightedAverageAlong(e: Expr & { kind: 'call' }, a: Ty | undefined, w: Ty | undefined, axisNode: Expr, okKeys: boolean, both: boolean): Ty {
    const k = intLiteral(axisNode);
    if (e.args.length !== 1 || !okKeys || a?.kind !== 'array' || a.ndim !== 2 || a.dtype !== 'float64' || w?.kind !== 'array' || (w.ndim !== 1 && w.ndim !== 2) || w.dtype !== 'float64'
      || k === undefined || k < -2n || k > 1n) {
      this.error(e.span, 'np.average(A, axis=k, weights=w) is supported on a float64 matrix, an int literal axis and float64 weights of its shape or along the axis (returned= True or False written out)');
      return UNKNOWN;
    }
    if (this.numerics === 'exact') {
      this.error(e.span, 'np.average(A, axis=k, weights=w): NumPy adds along an axis of a matrix pairwise or row after row depending on the layout, compiled code in its own blocks, so the last bits could differ (exact mode keeps the original)');
      return UNKNOWN;
    }
    if (!this.closeNotes.some((n) => n.line === e.span.from.line && n.col === e.span.from.col)) {
      this.closeNotes.push({
        line: e.span.from.line, col: e.span.from.col, operation: 'np.average', kind: 'reduction', gpu: false,
        bound: 'the weighted sum N and the weights\' sum S along the axis in blocks fixed by the length n (close_reductions.py), each within the sum row\'s bound (D(n) + n - 1)*eps/2*sum|t| of NumPy\'s; the quotient within bound_N/|N| + bound_S/|S| relatively, plus one rounding',
      });
    }
    // returned=True: (the averages, the weights' sums along the axis), two fresh vectors
    this.helpers.set(e, { helper: both ? 'average_weighted_axis_returned' : 'average_weighted_axis', args: [e.args[0], e.keywords.find((x) => x.name === 'weights')!.value, String(k)] });
    if (!both) return { kind: 'array', dtype: 'float64', ndim: 1 };
    this.tupleCalls.set(e, null);
    return { kind: 'tuple', elts: [{ kind: 'array', dtype: 'float64', ndim: 1 }, { kind: 'array', dtype: 'float64', ndim: 1 }] };
  }

  /**
   * Rules of rows whose function and method forms agree (`np.argmax(a)` and
   * `a.argmax()`): `args` holds the array first. Each refuses what Numba would
   * compute differently (axis=, other dtypes, where NumPy 2 promotes).
   */
  protected arrayRule(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty | undefined {
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
      case 'count_nonzero':
        // (along an axis NumPy returns an array, which Numba's count_nonzero does not give)
        if (a?.kind !== 'array' || args.length !== 1 || kw.size > 0) return refuse('on one array, without axis=');
        return npScalar('int64');
      case 'arg_reduce':
      case 'bool_reduce': {
        // along an axis (np.argmax(a, axis=1), a.all(0), np.any(m, axis=(0, 1), keepdims=True)): types/row-rules.ts
        const method = row.where === 'ndarray' && e.func.kind === 'attribute';
        const given = method ? e.args : e.args.slice(1);
        const axisNode = given[0] ?? e.keywords.find((k) => k.name === 'axis')?.value;
        const keepNode = e.keywords.find((k) => k.name === 'keepdims')?.value;
        if (axisNode !== undefined && given.length <= 1 && [...kw.keys()].every((k) => k === 'axis' || k === 'keepdims') && !(given.length === 1 && kw.has('axis'))) {
          const array = method && e.func.kind === 'attribute' ? e.func.value : e.args[0];
          const r = axisReduceRule(row.name, a, array, axisNode, keepNode);
          if ('refuse' in r) {
            this.error(e.span, `${name}: ${r.refuse}`);
            return UNKNOWN;
          }
          this.helpers.set(e, r.helper);
          return r.ty;
        }
        if (a?.kind !== 'array' || given.length > 0 || kw.size > 0) return refuse('on one array, with axis= an int literal (a tuple of them for any/all) and keepdims= True or False if any');
        return row.typing === 'arg_reduce' ? npScalar('int64') : npScalar('bool');
      }
      case 'clip': {
        const [lo, hi] = [args[1] ?? kw.get('a_min') ?? kw.get('min'), args[2] ?? kw.get('a_max') ?? kw.get('max')];
        const fits = (t: Ty | undefined, dtype: string): boolean => t !== undefined && (dtype === 'float64' ? realScalar(t) || (t.kind === 'array' && t.dtype === 'float64') || (t.kind === 'scalar' && t.dtype === 'float64')
          : (t.kind === 'scalar' && t.scalar === 'int' && (t.origin === 'py' || t.dtype === 'int64')) || (t.kind === 'array' && t.dtype === 'int64'));
        // np.clip of a float64 or int64 scalar too (an element in a loop: NumPy's np.float64 / np.int64); not the
        // method of a scalar, which a GPU kernel could not print
        const scalarDtype = row.where !== 'numpy' ? null : a?.kind === 'scalar' && a.scalar === 'float' && (a.dtype ?? 'float64') === 'float64' ? 'float64'
          : a?.kind === 'scalar' && a.scalar === 'int' && (a.dtype ?? 'int64') === 'int64' && a.origin !== 'py' ? 'int64' : null;
        const dtype = a?.kind === 'array' ? a.dtype : scalarDtype;
        if ((dtype !== 'float64' && dtype !== 'int64') || args.length + kw.size !== 3 || !fits(lo, dtype) || !fits(hi, dtype)) {
          return refuse('on a float64 or int64 array or scalar with bounds of its kind (Python numbers or arrays of its dtype)');
        }
        // bounds that are numbers: NumPy's NaN bounds and its order of comparisons (runtime/round_helpers.py; Numba's
        // np.clip ignores a NaN bound and has no scalar form); arrays as bounds keep Numba's np.clip
        if (lo?.kind === 'scalar' && hi?.kind === 'scalar') {
          const nodes = row.where === 'ndarray' && e.func.kind === 'attribute' ? [e.func.value, ...e.args] : [...e.args];
          const named = (...keys: string[]): Expr | undefined => e.keywords.find((k) => keys.includes(k.name))?.value;
          const [x, loNode, hiNode] = [nodes[0], nodes[1] ?? named('a_min', 'min'), nodes[2] ?? named('a_max', 'max')];
          if (x && loNode && hiNode) this.helpers.set(e, { helper: 'clip_scalar_bounds', args: [x, loNode, hiNode] });
        }
        if (a?.kind !== 'array') return npScalar(dtype);
        const ranks = [lo, hi].map((t) => (t?.kind === 'array' ? t.ndim : 0));
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim === null || ranks.includes(null) ? null : Math.max(a.ndim, ...(ranks as number[])) };
      }
      case 'round': {
        const decimals = args[1] ?? kw.get('decimals');
        const f64Scalar = a?.kind === 'scalar' && a.scalar === 'float' && (a.dtype ?? 'float64') === 'float64';
        if (!(f64Scalar || (a?.kind === 'array' && a.dtype === 'float64')) || args.length + kw.size > 2 || [...kw.keys()].some((k) => k !== 'decimals') || (decimals !== undefined && !int(decimals))) {
          return refuse('on a float64 array or scalar with int decimals');
        }
        // with decimals, NumPy's own steps (rint(a * 10**d) / 10**d): Numba's keeps x where the product
        // overflows and splits 10**d past 1e22 (runtime/round_helpers.py)
        const decimalsNode = e.args[1] ?? e.keywords.find((k) => k.name === 'decimals')?.value;
        if (decimalsNode && intLiteral(decimalsNode) !== 0n) this.helpers.set(e, { helper: 'round_decimals', args: [e.args[0], decimalsNode] });
        return f64Scalar ? npScalar('float64') : { kind: 'array', dtype: 'float64', ndim: (a as Ty & { kind: 'array' }).ndim };
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
      case 'diag':
      case 'diagonal': {
        // np.diag(v, k) of a vector: a fresh matrix (Numba's); np.diag(A, k), np.diagonal(A, offset), A.diagonal(offset)
        // of a matrix: NumPy's read-only view (runtime/row_helpers.diag_view; check-helpers.ts viewOperand)
        const method = row.where === 'ndarray' && e.func.kind === 'attribute';
        const key = row.typing === 'diag' ? 'k' : 'offset';
        const kNode = (method ? e.args[0] : e.args[1]) ?? e.keywords.find((w) => w.name === key)?.value;
        const k = method ? args[1] ?? kw.get(key) : args[1] ?? kw.get(key);
        const vector = row.typing === 'diag' && a?.kind === 'array' && a.ndim === 1;
        if (a?.kind !== 'array' || (a.ndim !== 2 && !vector) || args.length + kw.size > 2 || [...kw.keys()].some((x) => x !== key) || (k !== undefined && !int(k))) {
          const unknown = rankUnknown(`${row.typing === 'diag' ? 'np.diag' : 'diagonal'}() needs a vector or a matrix`, a);
          if (unknown !== undefined) {
            this.error(e.span, unknown);
            return UNKNOWN;
          }
          return refuse(`on a ${row.typing === 'diag' ? 'vector or a ' : ''}matrix of known rank and an int ${key}`);
        }
        if (vector) return { kind: 'array', dtype: a.dtype, ndim: 2 };
        const array = method && e.func.kind === 'attribute' ? e.func.value : e.args[0];
        this.helpers.set(e, { helper: 'diag_view', args: [array, kNode ?? '0'] });
        return { kind: 'array', dtype: a.dtype, ndim: 1 };
      }
      case 'join':
      case 'array': {
        // types/sequences.ts: a written list or tuple of arrays (np.array: or of numbers)
        const positional = e.args.length;
        const r = row.typing === 'join' ? joinRule(e, row.name, a, positional, [...kw.keys()]) : arrayRule(e, a, kw.get('dtype'), positional, [...kw.keys()]);
        if ('refuse' in r) {
          this.error(e.span, r.refuse);
          return UNKNOWN;
        }
        if (r.respell && e.func.kind === 'attribute') e.func.attr = r.respell; // np.array of arrays is np.stack of them
        // mixed dtypes: the parts of another dtype converted to the result's, as NumPy's join casts them
        const seq = e.args[0];
        if (r.converted && r.ty.kind === 'array' && isDtype(r.ty.dtype) && seq?.kind === 'tuple') {
          for (const k of r.converted) markCast(seq.elts[k], { dtype: r.ty.dtype, array: true, operand: true });
        }
        return r.ty;
      }
      case 'bincount': {
        const weights = args[1] ?? kw.get('weights');
        const minlength = kw.get('minlength') ?? args[2];
        // x of any integer dtype NumPy casts safely to intp (an 8-bit image's pixels), as Numba's bincount takes them;
        // uint64 is not one of them (Numba has no loop for it)
        const xDtypes = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32']);
        if (a?.kind !== 'array' || !xDtypes.has(a.dtype ?? '') || args.length > 3 || [...kw.keys()].some((k) => k !== 'weights' && k !== 'minlength')
          || (weights !== undefined && !(weights.kind === 'array' && weights.dtype === 'float64')) || (minlength !== undefined && !int(minlength))) {
          return refuse('on an integer array (int8 to int64, uint8 to uint32), with float64 weights and an int minlength');
        }
        // of an empty x NumPy returns int64 zeros even with weights: the guard runs the original there
        // (poly/table-preconditions.ts), so x must be a parameter the function never rebinds
        if (weights !== undefined && !this.isParamName(e.args[0])) return refuse('with weights on an int64 parameter x (NumPy returns int64 zeros for an empty x, which the guard checks a parameter for)');
        this.helpers.set(e, { helper: row.helper! }); // array_helpers.bincount: NumPy's ValueError for any negative value
        return { kind: 'array', dtype: weights ? 'float64' : 'int64', ndim: 1 };
      }
      case 'repeat': {
        // np.repeat(a, n) of the flattened array, or along a literal axis (array_helpers.repeat)
        const n = args[1] ?? kw.get('repeats');
        const axisNode = e.args[2] ?? e.keywords.find((k) => k.name === 'axis')?.value;
        const axis = axisNode ? intLiteral(axisNode) : undefined;
        const okKeys = [...kw.keys()].every((k) => k === 'axis');
        if (a?.kind !== 'array' || a.ndim === null || a.dtype === null || !(n?.kind === 'scalar' && n.scalar === 'int') || args.length > 3 || !okKeys
          || (axisNode !== undefined && (axis === undefined || axis < -BigInt(a.ndim) || axis >= BigInt(a.ndim)))) {
          return refuse('as np.repeat(a, n) or np.repeat(a, n, axis=k) with an int count and an int literal axis within the rank of an array of known rank and dtype');
        }
        const k = axis === undefined ? -1 : Number(axis < 0n ? axis + BigInt(a.ndim) : axis);
        this.helpers.set(e, { helper: 'repeat', args: [e.args[0], e.args[1], String(k)] });
        return { kind: 'array', dtype: a.dtype, ndim: axis === undefined ? 1 : a.ndim };
      }
      case 'roll': {
        // np.roll(a, shift) of the flattened array, or along one literal axis (array_helpers.roll: Numba's has no axis=)
        const shift = args[1] ?? kw.get('shift');
        const axisNode = e.args[2] ?? e.keywords.find((k) => k.name === 'axis')?.value;
        const axis = axisNode ? intLiteral(axisNode) : undefined;
        const okKeys = [...kw.keys()].every((k) => k === 'axis');
        if (a?.kind !== 'array' || a.dtype === null || !int(shift) || args.length > 3 || e.args.length < 2 || !okKeys
          || (axisNode !== undefined && (a.ndim === null || axis === undefined || axis < -BigInt(a.ndim) || axis >= BigInt(a.ndim)))) {
          return refuse('as np.roll(a, shift) or np.roll(a, shift, axis=k) with an int shift and an int literal axis within the rank of an array of known dtype (and rank, with axis=)');
        }
        const k = axis === undefined || a.ndim === null ? -1 : Number(axis < 0n ? axis + BigInt(a.ndim) : axis);
        this.helpers.set(e, { helper: 'roll', args: [e.args[0], e.args[1], String(k)] });
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim };
      }
      case 'swapaxes': {
        // np.swapaxes(a, i, j) / a.swapaxes(i, j): a view with two axes exchanged; literal axes, so a bad one (NumPy's
        // AxisError) keeps the original. Numba has no method: the method prints as array_helpers.swapaxes of its receiver
        const method = row.where === 'ndarray';
        const given = method ? e.args : e.args.slice(1);
        const axes = given.map((x) => intLiteral(x));
        if (a?.kind !== 'array' || a.ndim === null || args.length !== 3 || given.length !== 2 || kw.size > 0
          || axes.some((x) => x === undefined || x < -BigInt(a.ndim!) || x >= BigInt(a.ndim!))) {
          return refuse(`as ${method ? 'a.swapaxes(i, j)' : 'np.swapaxes(a, i, j)'} with int literal axes within the rank of an array of known rank`);
        }
        if (method) this.helpers.set(e, { helper: 'swapaxes', receiver: true });
        return { kind: 'array', dtype: a.dtype, ndim: a.ndim };
      }
      case 'tile': {
        // np.tile(a, n) or np.tile(a, (n0, ..., nk)) of an array of any rank (array_helpers.tile: Numba has no np.tile)
        const reps = args[1];
        const d = reps?.kind === 'tuple' ? reps.elts.length : 1;
        const repsOk = int(reps) || (reps?.kind === 'tuple' && d >= 1 && reps.elts.every(int));
        if (a?.kind !== 'array' || a.dtype === null || a.ndim === null || a.ndim < 1 || args.length !== 2 || e.args.length !== 2 || kw.size > 0 || !repsOk) {
          return refuse('as np.tile(a, n) or np.tile(a, (n0, n1, ...)) with int repetitions of an array of known dtype and rank');
        }
        this.helpers.set(e, { helper: 'tile' });
        return { kind: 'array', dtype: a.dtype, ndim: Math.max(a.ndim, d) };
      }
      case 'sort':
      case 'sort_inplace':
      case 'unique':
      case 'searchsorted': {
        // types/sort-rules.ts; the array is e.args[0] for np.<f>, the receiver for a method
        const method = row.where === 'ndarray' && e.func.kind === 'attribute';
        const array = method && e.func.kind === 'attribute' ? e.func.value : e.args[0];
        const what = row.typing === 'sort_inplace' ? 'sort_inplace' : row.name === 'argsort' ? 'argsort' : 'sort';
        const r: RuleResult = row.typing === 'unique' ? uniqueRule(e, a) : row.typing === 'searchsorted' ? searchsortedRule(e, a, args[1])
          : array ? sortRule(e, what, a, array, method ? 0 : 1) : { refuse: `${name} needs an array` };
        if ('refuse' in r) {
          this.error(e.span, r.refuse);
          return UNKNOWN;
        }
        if (r.helper) this.helpers.set(e, r.helper);
        // a.sort() writes its receiver (the dependence model sees it: scop/extract.ts)
        if (row.typing === 'sort_inplace' && method && e.func.kind === 'attribute') this.markWritten(e.func.value, e.span);
        return r.ty;
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
        // runtime/covariance.py: the centred rows times their transpose through syrk, as NumPy's dot computes it
        this.helpers.set(e, { helper: 'cov' });
        return { kind: 'array', dtype: 'float64', ndim: 2 };
      }
      case 'linalg_solve': {
        const b = args[1];
        const dt = a?.kind === 'array' ? a.dtype : null;
        if (a?.kind !== 'array' || b?.kind !== 'array' || args.length !== 2 || kw.size > 0 || a.ndim !== 2 || (dt !== 'float64' && dt !== 'complex128') || b.dtype !== dt || (b.ndim !== 1 && b.ndim !== 2)) {
          return refuse('on a 2-d float64 (complex128) array and a float64 (complex128) vector or matrix');
        }
        this.productRow(e.span, row);
        // array_helpers.solve: NumPy's ValueError for b's rows (Numba raises LinAlgError)
        this.helpers.set(e, { helper: 'solve' });
        return { kind: 'array', dtype: dt, ndim: b.ndim };
      }
    }
    return undefined;
  }
}
