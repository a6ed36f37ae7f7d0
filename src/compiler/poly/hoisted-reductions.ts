// Scalar reductions inside a whole-array expression (`x - np.max(x)`,
// `(a - a.mean()) / a.std()`, `np.exp(x - x.max()) / np.sum(...)`) computed
// first, each into a fresh scalar local bound just before the statement:
// `_polyray_r0 = np.max(x); _polyray_ret = x - _polyray_r0`. lower-slices.ts
// then fills the array with one element loop that reads the scalar (per
// element it would reduce the whole array again), and the reduction is the
// statement `s = np.max(x)` the other stages already compile (exact mode's
// checked max/min and pairwise sums, close mode's bounds: docs/reliability.md).
//
// Python evaluates the reduction within the statement anyway; moving it before
// the statement's other operands changes no value: they are names, numbers,
// operators and NumPy elementwise calls of arrays, which have no side effects
// (no subscript of a scalar index that could raise first, no call of the
// module's functions). An error the reduction raises (np.max of an empty
// array: ValueError) is raised by the same statement. Only top-level
// statements, so that each local is bound once, outside loops and ifs; the
// same reduction written twice (`x.max()` in both halves of softmax) is
// computed once, as its operands cannot change within the statement.
import { walkExpr, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction } from '../types/numpy-table.js';
import { PythonPrinter } from '../codegen/python-printer.js';

/** The prefix of the locals that hold hoisted reductions in the variants. */
export const HOISTED = '_polyray_r';

/** Rewrites tf's top-level statements in place; the number of reductions hoisted. */
export function hoistScalarReductions(tf: TypedFunction): number {
  const print = new PythonPrinter();
  let count = 0;
  const body: Stmt[] = [];
  for (const s of tf.fn.body) {
    const value = s.kind === 'assign' || s.kind === 'return' ? s.value : null;
    const ty = value ? tf.types.get(value) : undefined;
    if (!value || ty?.kind !== 'array' || !pureElementwise(tf, value)) {
      body.push(s);
      continue;
    }
    const names = new Map<string, string>();
    const before: Stmt[] = [];
    /**
     * e with each reduction inside replaced by the name of its local, inner reductions first. The nodes
     * around are changed in place, so that what other stages keep per node (types, helpers, NumPy's
     * casts: types/casts.ts) still holds.
     */
    const hoist = (e: Expr): Expr => {
      hoistIn(e);
      if (!reduction(tf, e)) return e;
      const t = tf.types.get(e)!;
      const key = print.expr(e);
      let id = names.get(key);
      if (!id) {
        id = `${HOISTED}${count++}`;
        while (tf.locals.has(id)) id = `${HOISTED}${count++}`;
        const target: Expr = { kind: 'name', span: e.span, id };
        tf.types.set(target, t);
        tf.locals.set(id, t);
        before.push({ kind: 'assign', span: s.span, target, value: e, annotation: null });
        names.set(key, id);
      }
      const read: Expr = { kind: 'name', span: e.span, id };
      tf.types.set(read, t);
      return read;
    };
    const hoistIn = (e: Expr): void => {
      switch (e.kind) {
        case 'binary':
          e.left = hoist(e.left);
          e.right = hoist(e.right);
          return;
        case 'unary':
          e.operand = hoist(e.operand);
          return;
        case 'compare':
          e.left = hoist(e.left);
          e.comparators = e.comparators.map(hoist);
          return;
        case 'call':
          e.args = e.args.map(hoist);
          for (const k of e.keywords) k.value = hoist(k.value);
          return;
        default:
      }
    };
    const rewritten = hoist(value);
    if (s.kind === 'assign') s.value = rewritten;
    else if (s.kind === 'return') s.value = rewritten;
    body.push(...before, s);
  }
  if (count > 0) tf.fn = { ...tf.fn, body };
  return count;
}

/** A scalar computed from whole arrays by a NumPy function or an array method (`np.max(x)`, `x.mean()`). */
function reduction(tf: TypedFunction, e: Expr): boolean {
  if (e.kind !== 'call' || tf.calls.has(e) || tf.types.get(e)?.kind !== 'scalar' || e.func.kind !== 'attribute') return false;
  const receiver = e.func.value;
  const numpy = receiver.kind === 'name' && tf.types.get(receiver)?.kind === 'module';
  const method = tf.types.get(receiver)?.kind === 'array';
  if (!numpy && !method) return false;
  if (numpy && numpyFunction(e.func.attr)?.loop === 'elementwise') return false;
  return method || [...e.args, ...e.keywords.map((k) => k.value)].some((a) => tf.types.get(a)?.kind === 'array');
}

/**
 * Only names, numbers, operators, comparisons, `.T`, slices with scalar bounds and calls of NumPy
 * (elementwise functions and reductions): nothing in it has an effect or can raise before the reduction
 * would in Python but an operation on arrays of mismatched shapes (the guard sends those to the original).
 */
function pureElementwise(tf: TypedFunction, e: Expr): boolean {
  let ok = true;
  let reductions = 0;
  walkExpr(e, (x) => {
    if (x.kind === 'call') {
      if (reduction(tf, x)) reductions++;
      else if (tf.calls.has(x) || !(x.func.kind === 'attribute' && x.func.value.kind === 'name' && tf.types.get(x.func.value)?.kind === 'module' && numpyFunction(x.func.attr)?.loop === 'elementwise')) ok = false;
    }
    if (x.kind === 'subscript' && x.indices.some((i) => i.kind !== 'slice')) ok = false;
    if (x.kind === 'boolop' || x.kind === 'ifexp' || x.kind === 'string') ok = false;
  });
  return ok && reductions > 0;
}
