// Statements: the walk over a function body (loops, ifs, returns, asserts), statement by statement.
// A layer of the types checker (checker-base.ts describes the chain).
import type { Expr, Stmt } from '../parse/ast.js';
import { describe, join, sameTy, scalar, UNKNOWN, type Ty } from './ty.js';
import { staticRange, type Range } from './int-ranges.js';
import { CheckerBase } from './checker-base.js';
import { isIndexHelper } from './check-helpers.js';
import { castsFreeInTest } from './tested-casts.js';

export abstract class StatementChecker extends CheckerBase {
  /**
   * The store of a ufunc into its output argument (types/ufunc-out.ts): an array
   * name of the result's dtype and at least its rank, written whole.
   */
  protected ufuncOutStore(s: Stmt & { kind: 'expr' }, out: Expr, result: Ty): void {
    const target = this.expr(out);
    const resultDtype = result.kind === 'array' ? result.dtype : result.kind === 'scalar' && result.origin === 'np' ? result.dtype ?? null : null;
    const resultRank = result.kind === 'array' ? result.ndim : 0;
    if (result.kind === 'unknown' || target.kind === 'unknown') return;
    if (target.kind !== 'array' || target.ndim === null || target.ndim < 1 || resultRank === null || resultRank > target.ndim) {
      this.error(s.span, `a ufunc's output argument must be an array of known rank, at least the result's (${describe(result)} into ${describe(target)})`);
      return;
    }
    if (resultDtype === null || resultDtype !== target.dtype) {
      this.error(s.span, `a ufunc's output argument of another dtype than its result (${describe(result)} into ${describe(target)}): NumPy's casting rules are not reproduced`);
      return;
    }
    this.markWritten(out, s.span);
    this.arrayAug.set(s, target.ndim);
  }

  protected block(body: Stmt[]): void {
    for (const s of body) this.stmt(s);
  }

  protected stmt(s: Stmt): void {
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
        this.dropTestedCasts(s.test);
        this.intRanges.branches(s, () => this.block(s.body), () => this.block(s.orelse));
        return;
      case 'while': {
        // any scalar is a condition (its truth as in Python); an array's truth raises for more than one element
        const t = this.expr(s.test);
        if (t.kind !== 'scalar' && t.kind !== 'unknown') this.error(s.test.span, `a while condition must be a scalar, found ${describe(t)}`);
        // (the ranges the test is evaluated with each time: those the body's assignments leave, forgotten here)
        this.intRanges.loop(s, () => {
          this.dropTestedCasts(s.test);
          this.block(s.body);
        });
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
        if (targetTy.kind === 'array') this.arrayAugAssign(s, targetTy, valueTy, result);
        if (s.target.kind === 'subscript') {
          this.scalarStore(targetTy, result, s.span, s);
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
        this.statementCall = s;
        this.expr(s.value);
        this.statementCall = null;
        // a ufunc's output argument, taken out of the call when first seen (check-numpy-calls.ts)
        if (s.out) this.ufuncOutStore(s, s.out, this.types.get(s.value) ?? UNKNOWN);
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

  /** The casts of a condition that change none of its bits (types/tested-casts.ts), dropped. */
  protected dropTestedCasts(test: Expr): void {
    for (const e of castsFreeInTest(test, this.casts, (x) => this.rangeOf(x))) this.casts.delete(e);
  }

  /** A Python int (or bool): arithmetic on it does not wrap. Nodes made here have no type: their operands decide. */
  protected isPyInt(e: Expr): boolean {
    const t = this.types.get(e);
    if (t) return t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool') && t.origin === 'py';
    if (e.kind === 'binary') return this.isPyInt(e.left) && this.isPyInt(e.right);
    return false;
  }

  /** The static range of an integer expression (int-ranges.ts); `pyIntNode`: a made node known to be a Python int. */
  protected rangeOf(e: Expr, pyIntNode: Expr | null = null): Range | null {
    return staticRange(e, (n) => this.intRanges.get(n), (x) => x === pyIntNode || this.isPyInt(x), (c) => this.calls.get(c)?.spec.returnRange ?? null);
  }
}
