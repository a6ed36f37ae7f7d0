// Expressions: names, attributes, subscripts and slices, and the exact sums the pairwise helpers reproduce.
// A layer of the types checker (checker-base.ts describes the chain).
import type { Span } from '../diagnostics.js';
import { walkStmts, type Expr } from '../parse/ast.js';
import { dtypeOf, dtypeScalar } from './hints.js';
import { describe, join, npScalar, scalar, UNKNOWN, type Ty } from './ty.js';
import { planBinary, planUnary } from './nep50.js';
import { arrayAttribute, isMathConstant, isNumpyConstant, isNumpySubmodule, numpyFunction } from './numpy-table.js';
import { indexArrayRule, isIndexArray } from './index-arrays.js';
import { mgridRule } from './grids.js';
import { AssignmentChecker } from './check-assignments.js';
import { BUILTIN_FUNCS, rootParamOrLocal, isNewAxis, chainDepth } from './check-helpers.js';

export abstract class ExpressionChecker extends AssignmentChecker {
  protected note(e: Expr, t: Ty): Ty {
    this.types.set(e, t);
    return t;
  }

  expr(e: Expr): Ty {
    return this.note(e, this.exprInner(e));
  }

  protected exprInner(e: Expr): Ty {
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
        this.dropTestedCasts(e.test);
        return join(this.expr(e.body), this.expr(e.orelse));
      }
      case 'call':
        return this.call(e);
    }
  }

  protected expectInt(e: Expr): void {
    const t = this.expr(e);
    if (!(t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool')) && t.kind !== 'none') {
      this.error(e.span, `expected an int, found ${describe(t)}`);
    }
  }

  protected name(id: string, span: Span): Ty {
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
  protected bindsName(id: string): boolean {
    let binds = false;
    walkStmts(this.fn.body, (s) => {
      if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && s.target.id === id) binds = true;
      if (s.kind === 'for' && s.target.id === id) binds = true;
    });
    return binds;
  }

  protected attribute(e: Expr & { kind: 'attribute' }): Ty {
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

  protected subscript(e: Expr & { kind: 'subscript' }): Ty {
    const base = this.expr(e.value);
    const idx = e.indices.map((i) => this.expr(i));
    if (base.kind === 'shape') {
      if (e.indices.length !== 1 || !(idx[0].kind === 'scalar' && idx[0].scalar === 'int')) this.error(e.span, 'shape must be indexed by one int');
      return scalar('int', 'py');
    }
    if (base.kind === 'tuple') return this.tupleItem(e, base);
    if (base.kind === 'callable' && base.qualified.startsWith('numpy.') && numpyFunction(base.qualified.slice(6))?.typing === 'grid') {
      // np.mgrid[a:b, c:d]: array_helpers.mgrid (types/grids.ts)
      const rule = mgridRule(e);
      if ('error' in rule) {
        this.error(e.span, rule.error);
        return UNKNOWN;
      }
      this.helpers.set(e, { helper: 'mgrid', args: rule.args });
      return rule.result;
    }
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
      const index: Expr = e.indices.length === 1 ? e.indices[0] : { kind: 'tuple', span: e.span, elts: e.indices };
      this.helpers.set(e, { helper: rule.helper, args: [e.value, index] });
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
  protected isFullIndex(e: Expr & { kind: 'subscript' }): boolean {
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
  protected isParamName(e: Expr | undefined): boolean {
    if (!e || e.kind !== 'name' || !this.params.has(e.id)) return false;
    let rebound = false;
    walkStmts(this.fn.body, (s) => { if (s.kind === 'assign' && s.target.kind === 'name' && s.target.id === e.id) rebound = true; });
    return !rebound;
  }

  protected exactSum(span: Span, name: string, dtype: string | null, call?: Expr, operand?: { ndim: number | null; whole: boolean; method: boolean; param: boolean }): void {
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
}
