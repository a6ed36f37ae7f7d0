// Calls of the module's own functions (calls.ts), dtype arguments, scalar constructors and array allocations.
// A layer of the types checker (checker-base.ts describes the chain).
import type { Span } from '../diagnostics.js';
import type { Expr } from '../parse/ast.js';
import { DEFAULT_DTYPE, describe, UNKNOWN, type Ty } from './ty.js';
import { BUILTIN_TYPE_DTYPES, dtypeOfString, markDtype } from './dtype-args.js';
import { planBinary } from './nep50.js';
import { isDtype, kindOf, type Dtype } from './promotion.js';
import type { TableRow } from './numpy-table.js';
import type { CallSite } from './calls.js';
import { NumpyCallChecker } from './check-numpy-calls.js';
import { rootParamOrLocal, isNewAxis, countIntLike } from './check-helpers.js';

export abstract class AllocationChecker extends NumpyCallChecker {
  /**
   * An array parameter of unknown rank passed to a callee, whole or indexed
   * (`g(P)`, `g(P[i])`): the callee's specialization found the rank its
   * parameter needs (none for a scalar one), so the parameter has that many
   * dimensions more than the indices consumed; the dispatcher then checks it
   * (the callee's code assumes it, and nothing else would check it).
   */
  protected pinRanks(site: CallSite): void {
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
  protected moduleCall(e: Expr & { kind: 'call' }, name: string, args: Ty[], kw: Map<string, Ty>): Ty {
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
  protected fillValue(e: Expr & { kind: 'call' }, v: Ty | undefined, dtype: string | null): string | null {
    if (!v || v.kind !== 'scalar') {
      if (v && v.kind !== 'unknown') this.error(e.span, `np.full(): the fill value must be a scalar, found ${describe(v)}`);
      return dtype;
    }
    if (dtype === null) return v.origin === 'np' && v.dtype ? v.dtype : DEFAULT_DTYPE[v.scalar];
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
  protected dtypeArgument(x: Expr): Ty {
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
  protected constructorRange(d: Dtype, t: Ty, x: Expr, span: Span, what = `np.${d}()`): void {
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

  protected allocation(e: Expr & { kind: 'call' }, row: TableRow, args: Ty[], kw: Map<string, Ty>): Ty {
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
