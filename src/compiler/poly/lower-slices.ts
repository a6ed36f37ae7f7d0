// The implicit loops of NumPy slice statements, made explicit for the CPU
// variant: `C[i, 0:n] = A[i, 0:n] * alpha` becomes a loop over the elements.
// The SCoP already models such a statement element by element; lowering it
// lets Numba compile the function with prange (its parallel mode checks array
// expressions' shapes differently from NumPy), and keeps every operand's
// broadcasting and clipping rules out of compiled code: a statement is lowered
// only when the guard can show, from the parameters alone, that no slice bound
// of unknown sign is negative (NumPy would count it from the end; a negative
// constant is read from the end here too: fromEnd) and that all operands have
// the target's extents after NumPy's clipping (no dimension of length 1 stretched). Otherwise the guard fails and
// the original runs, with NumPy's own behaviour and errors.
//
// Whole 2-d arrays may appear transposed (`A.T`): the implicit loops index
// them in reverse. An operand of lower rank broadcasts as in NumPy, along the
// target's last dimensions, where its extents must equal the target's (a
// dimension of length 1 stretched is left to NumPy: the guard fails).
//
// Only exact elementwise operations are lowered (+ - * / and unary minus on
// float64 or complex128 elements, and the table's `lowers` rows on float64: np.sqrt,
// np.abs, np.fabs, np.floor, np.ceil, np.trunc, np.rint): NumPy's SIMD loops and
// compiled scalar code give the same bits for those, not for exp, sin and the
// like. A statement that reads its target at other positions (x[1:] = x[:-1],
// Floyd-Warshall's `path[:] = np.minimum(path, np.add.outer(path[:, k],
// path[k, :]))`) keeps NumPy's copy-then-write semantics by copying those
// parts first (snapshots, printed before the element loops), whether or not
// the loops would overwrite them: the copy is as large as the part read.
//
// int32 elements: + - * only where the typing stage casts each result back
// (types/casts.ts: `np.int32(a + b)` truncates the 64-bit value as NumPy's
// int32 wraps around). np.add.outer (and subtract, multiply, minimum,
// maximum) puts its operands' implicit loops side by side.
import { walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction, type TableRow } from '../types/numpy-table.js';
import { PythonPrinter } from '../codegen/python-printer.js';
import type { Precondition } from './preconditions.js';
import { sameElements, type LoweredSlice, type RefDim, type SliceRef } from './slice-refs.js';
import { invariantLocals } from '../scop/invariant-locals.js';
import { extentExpr, type Shape } from '../scop/temporaries.js';
import { affAdd, toAff } from '../scop/affine.js';
import { castOf } from '../types/casts.js';

export type { RefDim, SliceRef, LoweredSlice } from './slice-refs.js';

// Targets and operands: float64, float32 and complex128 (IEEE operations), int64 (+ - * wrap alike
// in NumPy and compiled code) and bool (comparisons, np.where's condition).
const ELEMENT_DTYPES = new Set(['float64', 'float32', 'complex128', 'int64', 'int32', 'bool']);
const ELEMENT_OPS = new Set(['+', '-', '*', '/']);
/** Operators per element dtype: int64 `/` is float64 (another dtype); int64 `//` and `%` by a safe divisor only (visit). */
const OPS_OF: Record<string, ReadonlySet<string>> = {
  float64: new Set([...ELEMENT_OPS, '**']),
  // float32 with float32 is float32 in compiled code too; a result is cast back to float32 after each
  // operation and a Python number to float32 before it (types/casts.ts: rounding the exact float64 result
  // of + - * / of two float32 values is float32 arithmetic)
  float32: new Set(ELEMENT_OPS),
  // NumPy's complex division and complex sqrt/abs use their own algorithms
  complex128: new Set(['+', '-', '*']),
  int64: new Set(['+', '-', '*']),
  // (each result cast back to int32 by the typing stage, checked in visit: NARROW_INTS)
  int32: new Set(['+', '-', '*']),
  bool: new Set(),
};
/** Integer dtypes Numba computes in 64 bits: an operation on them is lowered only with its cast back (types/casts.ts). */
const NARROW_INTS = new Set(['int32']);
/** `np.<ufunc>.outer` calls lowered per element: the operator, or the function of two scalars. */
const OUTER_UFUNCS: Record<string, string> = { add: '+', subtract: '-', multiply: '*', minimum: 'minimum', maximum: 'maximum' };
/** NumPy functions of two or three operands an element loop computes as NumPy does, per element dtype. */
const ELEMENT_CALLS: Record<string, ReadonlySet<string>> = {
  float64: new Set(['minimum', 'maximum', 'where', 'clip']),
  float32: new Set(['minimum', 'maximum', 'where']),
  int64: new Set(['minimum', 'maximum', 'where', 'clip']),
  int32: new Set(['minimum', 'maximum', 'where']),
  bool: new Set(['where']),
  complex128: new Set(),
};

export interface SliceLowering {
  lowered: Map<Stmt, LoweredSlice>;
  preconditions: Precondition[];
}

export function planSliceLowering(tf: TypedFunction, temporaries: ReadonlyMap<string, Shape> = new Map()): SliceLowering {
  const out: SliceLowering = { lowered: new Map(), preconditions: [] };
  const arrays = new Map<string, { dtype: string | null; ndim: number | null }>(tf.params.filter((p) => p.kind === 'array' && p.ndim !== null).map((p) => [p.name, p]));
  // a temporary (scop.temporaries) is an array of its own: made once, by a NumPy operator, with the shape the model gave it
  for (const [name, shape] of temporaries) {
    const t = tf.locals.get(name);
    if (t?.kind === 'array') arrays.set(name, { dtype: t.dtype, ndim: shape.py.length });
  }
  /** Length of a dimension: a temporary does not exist yet when the guard runs, its shape's expression does. */
  const length = (array: string, d: number): string => temporaries.get(array)?.py[d] ?? `${array}.shape[${d}]`;
  const scalars = new Set(tf.params.filter((p) => p.kind === 'int').map((p) => p.name));
  const print = new PythonPrinter();
  // the guard runs before the body: a local that names a size prints as its definition
  const sizes = invariantLocals(tf);
  const guardPrint = new PythonPrinter((e, p) => (e.kind === 'name' && sizes.has(e.id) ? `(${p(sizes.get(e.id)!)})` : undefined));
  // names given another value in the function: a scalar by `=` or `op=`, an array only by `=`
  // (`x *= 2.0` updates the array in place)
  const assignedLocals = new Set<string>();
  const reboundArrays = new Set<string>();
  walkStmts(tf.fn.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') assignedLocals.add(s.target.id);
    if (s.kind === 'assign' && s.target.kind === 'name' && !temporaries.has(s.target.id)) reboundArrays.add(s.target.id);
    if (s.kind === 'for') assignedLocals.add(s.target.id);
  });

  /** A slice bound the guard can evaluate: int parameters, `X.shape[k]`, `len(X)`, literals, + - *. */
  const paramOnly = (e: Expr): boolean => {
    let ok = true;
    walkExpr(e, (x) => {
      if (x.kind === 'name' && !(scalars.has(x.id) && !assignedLocals.has(x.id)) && !sizes.has(x.id) && !arrays.has(x.id) && tf.types.get(x)?.kind !== 'module') ok = false;
      if (x.kind === 'call' && !(x.func.kind === 'name' && x.func.id === 'len')) ok = false;
      if (x.kind === 'binary' && !['+', '-', '*'].includes(x.op)) ok = false;
      if (x.kind === 'number' && x.numberKind !== 'int') ok = false;
      if (x.kind === 'attribute' && x.attr !== 'shape') ok = false;
    });
    return ok;
  };

  // A negative constant index or slice bound counts from the end of its
  // dimension, as in NumPy: `A[-1]` is `A[A.shape[0] - 1]` (the SCoP's
  // bounds check keeps it inside), `A[1:-1]` is `A[1:max(0, A.shape[0] - 1)]`
  // (clipped at 0 as NumPy clips). Those expressions are made here, so that
  // the element loops, their extents and the guard all print the normalized
  // bound; a bound of unknown sign stays as written and the guard requires it
  // to be non-negative.
  const normalized = new Set<Expr>();
  const fromEnd = (b: Expr, array: string, d: number, clip: boolean): Expr | null => {
    const k = negativeConstant(b);
    if (k === null) return b;
    const at = b.span;
    const n = (text: string): Expr => ({ kind: 'number', span: at, text, numberKind: 'int' });
    // a temporary's length is its shape's expression over the arguments (it may never be allocated)
    const temporary = temporaries.get(array);
    const length: Expr | null = temporary
      ? extentExpr(tf, temporary, d, at)
      : { kind: 'subscript', span: at, value: { kind: 'attribute', span: at, value: { kind: 'name', span: at, id: array }, attr: 'shape' }, indices: [n(String(d))] };
    if (!length) return null;
    const diff: Expr = { kind: 'binary', span: at, op: '-', left: length, right: n(String(k)) };
    const out: Expr = clip ? { kind: 'call', span: at, func: { kind: 'name', span: at, id: 'max' }, args: [n('0'), diff], keywords: [] } : diff;
    normalized.add(out);
    return out;
  };

  /** The reference's dimensions, or null if it cannot be lowered. */
  const refOf = (e: Expr, dtype: string): SliceRef | null => {
    if (e.kind === 'attribute' && e.attr === 'T') {
      // `A.T` of a whole 2-d array: its dimensions are the implicit loops in reverse
      const whole = e.value.kind === 'name' ? refOf(e.value, dtype) : null;
      return whole && whole.dims.length === 2 ? { array: whole.array, dims: [...whole.dims].reverse() } : null;
    }
    const base = e.kind === 'subscript' ? e.value : e;
    if (base.kind !== 'name') return null;
    const p = arrays.get(base.id);
    if (!p || p.dtype !== dtype || p.ndim === null || reboundArrays.has(base.id)) return null;
    const indices = e.kind === 'subscript' ? e.indices : [];
    if (indices.length > p.ndim) return null;
    const dims: RefDim[] = [];
    let k = 0;
    for (let d = 0; d < p.ndim; d++) {
      const ix = indices[d];
      if (ix && ix.kind !== 'slice') {
        const t = tf.types.get(ix);
        if (!t || t.kind !== 'scalar' || t.scalar !== 'int') return null;
        const index = fromEnd(ix, base.id, d, false);
        if (!index) return null;
        dims.push({ index });
        continue;
      }
      if (ix && ix.step && !(ix.step.kind === 'number' && ix.step.text === '1')) return null;
      if ((ix?.lower && !paramOnly(ix.lower)) || (ix?.upper && !paramOnly(ix.upper))) return null;
      const lo = ix?.lower ? fromEnd(ix.lower, base.id, d, true) : null;
      const hi = ix?.upper ? fromEnd(ix.upper, base.id, d, true) : null;
      if ((ix?.lower && !lo) || (ix?.upper && !hi)) return null;
      dims.push({ slice: k++, lo, hi });
    }
    return { array: base.id, dims };
  };
  /**
   * The dtype of an array operand NumPy casts to `want` as compiled code does (float32 and int64 elements in a
   * float64 operation: the same conversion, exact for float32, round to nearest for int64), else `want`.
   */
  const widened = (e: Expr, want: string): string => {
    const base = e.kind === 'subscript' ? e.value : e.kind === 'attribute' ? e.value : e;
    const dtype = base.kind === 'name' ? arrays.get(base.id)?.dtype : undefined;
    return want === 'float64' && dtype && ['float32', 'int64'].includes(dtype) ? dtype : want;
  };
  const slicedCount = (r: SliceRef): number => r.dims.filter((d) => 'slice' in d).length;
  // copies of parts of a target read elsewhere, numbered through the function
  let snapshotCount = 0;
  /** The reference's implicit loops moved `by` places inwards (a broadcast operand). */
  const shifted = (r: SliceRef, by: number): SliceRef => ({ array: r.array, dims: r.dims.map((d) => ('slice' in d ? { ...d, slice: d.slice + by } : d)) });
  /** The extent NumPy gives a slice with non-negative bounds: both clipped to the dimension. */
  const extent = (r: SliceRef, d: number): string => {
    const dim = r.dims[d] as { lo: Expr | null; hi: Expr | null };
    const len = length(r.array, d);
    const hi = dim.hi ? `min(${guardPrint.expr(dim.hi)}, ${len})` : len;
    return dim.lo ? `max(0, ${hi} - min(${guardPrint.expr(dim.lo)}, ${len}))` : hi;
  };

  walkStmts(tf.fn.body, (s) => {
    if (s.kind !== 'assign' && s.kind !== 'augassign') return;
    const defines = s.kind === 'assign' && s.target.kind === 'name' && temporaries.has(s.target.id) ? s.target.id : null;
    // (`out[i] = t` of a 2-d out: its trailing dimension is whole, a slice too)
    const partial = (x: Expr & { kind: 'subscript' }): boolean => x.value.kind === 'name' && x.indices.length < (arrays.get(x.value.id)?.ndim ?? 0);
    if (s.kind === 'assign' && !defines && (s.target.kind !== 'subscript' || !(s.target.indices.some((i) => i.kind === 'slice') || partial(s.target)))) return;
    const rootT = s.target.kind === 'subscript' ? s.target.value : s.target;
    if (rootT.kind !== 'name') return;
    const tp = arrays.get(rootT.id);
    if (!tp || !tp.dtype || !ELEMENT_DTYPES.has(tp.dtype)) return;
    const ops = OPS_OF[tp.dtype];
    if (s.kind === 'augassign' && (!ops.has(s.op) || s.op === '**')) return;
    const target = refOf(s.target, tp.dtype);
    if (!target || slicedCount(target) === 0) return;
    const refs = new Map<Expr, SliceRef>([[s.target, target]]);
    const conditionals = new Set<Expr>();
    const outers = new Map<Expr, { ufunc: string; dtype: string }>();
    /** References of the target at other elements: read from a copy made before the loops. */
    const elsewhere = new Map<Expr, SliceRef>();
    let ok = true;
    /** Guard conditions that an int parameter dividing the elements is neither 0 nor -1. */
    const divisorChecks: string[] = [];
    /** true for an int literal other than 0 and -1, the guard's condition for an unchanged int parameter, else null. */
    const safeDivisor = (d: Expr): true | string | null => {
      const k = d.kind === 'number' || d.kind === 'unary' ? toAff(d, () => null) : null;
      if (k && k.terms.size === 0) return k.constant !== 0 && k.constant !== -1 && Math.abs(k.constant) < 2 ** 31 ? true : null;
      if (d.kind === 'name' && scalars.has(d.id) && !assignedLocals.has(d.id)) return `${d.id} != 0 and ${d.id} != -1`;
      return null;
    };
    /** The element dtype of an operand: an array's, a NumPy scalar's, null for a Python scalar (weak: NEP 50). */
    const dtypeOf = (e: Expr): string | null | undefined => {
      const t = tf.types.get(e) ?? (e.kind === 'name' ? arrays.get(e.id) && { kind: 'array' as const, dtype: arrays.get(e.id)!.dtype } : undefined);
      if (e.kind === 'number') return null;
      if (!t) return undefined;
      if (t.kind === 'array') return t.dtype ?? undefined;
      if (t.kind !== 'scalar') return undefined;
      return t.origin === 'py' ? null : t.dtype ?? undefined;
    };
    /** A scalar operand of an operation on `want` elements: a Python one of a kind that stays `want`, or a NumPy one of that dtype. */
    const scalarFits = (t: { scalar: string; origin: string; dtype?: string }, want: string): boolean => {
      if (t.origin !== 'py') return t.dtype === want;
      // (float32: NumPy casts a Python number to float32 first, and so does the printed code: types/casts.ts)
      // (int32: a Python int is cast to int32, its range checked by the dispatcher: types/check-operators.ts)
      const kinds: Record<string, string[]> = { float64: ['int', 'float'], float32: ['int', 'float'], complex128: ['int', 'float', 'complex'], int64: ['int'], int32: ['int'], bool: ['bool'] };
      return kinds[want]?.includes(t.scalar) ?? false;
    };
    /** An operation on `want` elements that compiled code computes in 64 bits is cast back to `want` (types/casts.ts). */
    const castBack = (e: Expr, want: string): boolean => !NARROW_INTS.has(want) || (castOf(e)?.dtype === want && castOf(e)?.array === true);
    /** The rank of an array operand (a bare parameter name has no recorded type), else null. */
    const rankOf = (e: Expr): number | null => {
      const t = tf.types.get(e);
      if (t?.kind === 'array') return t.ndim;
      return e.kind === 'name' ? arrays.get(e.id)?.ndim ?? null : null;
    };
    /**
     * `e`, an operand whose elements must be `want` (NumPy's result dtype there): lowerable, and its references
     * recorded. `at`: the implicit loops its value spans, `rank` of them from `base` (the whole target's, or an
     * outer product's operand's share); a lower-rank operand lines up with the last of them, as NumPy broadcasts.
     */
    const visit = (e: Expr, want: string, at: { base: number; rank: number } = { base: 0, rank: slicedCount(target) }): void => {
      if (!ok) return;
      const t = tf.types.get(e);
      // (the checker records no type for a bare parameter name)
      const transposed = e.kind === 'attribute' && e.attr === 'T' && e.value.kind === 'name' && arrays.has(e.value.id);
      if ((t?.kind === 'array' && e.kind === 'subscript') || (e.kind === 'name' && arrays.has(e.id)) || transposed) {
        const found = refOf(e, want) ?? refOf(e, widened(e, want));
        // NumPy's rank broadcasting: an operand with fewer sliced dimensions
        // lines up with the target's last ones (`A[:, :] - mean` reads mean[e1]);
        // the target is read only at the same element
        const missing = found ? at.rank - slicedCount(found) : -1;
        const r = found && at.base + missing > 0 ? shifted(found, at.base + missing) : found;
        if (!r || missing < 0) {
          ok = false;
          return;
        }
        // the target elsewhere: NumPy reads it before the store writes any element
        if (r.array === target.array && !sameElements(r, target, print)) {
          if (defines) {
            ok = false;
            return;
          }
          // (a reference with a slice never counts from the end, poly/negative-indices.ts: the guard bounds its
          // indices inside the array, so indices that differ name different elements)
          if (!disjoint(r, target)) elsewhere.set(e, r);
        }
        refs.set(e, r);
        return;
      }
      // an array-valued node computes `want` elements itself
      if (t?.kind === 'array' && t.dtype !== want) {
        ok = false;
        return;
      }
      // a scalar subexpression (`n * m`, `alpha / 2`) is one value per statement (the default case)
      const kind = t?.kind === 'scalar' && e.kind !== 'call' && e.kind !== 'number' ? 'scalar' : e.kind;
      switch (kind) {
        case 'binary':
          if (e.kind !== 'binary') return;
          if (e.op === '//' || e.op === '%') {
            // int64 floor division and remainder (Python's and NumPy's: the sign of the divisor) by a divisor
            // known to be neither 0 (NumPy: 0 and a warning; compiled: ZeroDivisionError) nor -1 (the most
            // negative int64 overflows, with a warning in NumPy)
            const divisor = want === 'int64' && t?.kind === 'array' ? safeDivisor(e.right) : null;
            if (divisor === null) ok = false;
            else if (divisor !== true) divisorChecks.push(divisor);
            visit(e.left, want, at);
            visit(e.right, want, at);
            return;
          }
          if (t?.kind !== 'array' || !OPS_OF[want]?.has(e.op) || !castBack(e, want)) ok = false;
          // (x ** 2: the exponent a Python int or float, or float64 elements)
          visit(e.left, want, at);
          if (e.op === '**' && dtypeOf(e.right) === null) return;
          visit(e.right, want, at);
          return;
        case 'unary':
          if (e.kind !== 'unary') return;
          if (e.op !== '-' || want === 'bool' || !castBack(e, want)) ok = false;
          visit(e.operand, want, at);
          return;
        case 'compare': {
          if (e.kind !== 'compare') return;
          // one comparison of two operands of one dtype (float64 or int64): a bool per element
          if (want !== 'bool' || e.ops.length !== 1) {
            ok = false;
            return;
          }
          const operand = [e.left, e.comparators[0]].map(dtypeOf).find((d) => d);
          if (!operand || !['float64', 'float32', 'int64', 'int32'].includes(operand)) {
            ok = false;
            return;
          }
          visit(e.left, operand, at);
          visit(e.comparators[0], operand, at);
          return;
        }
        case 'call': {
          if (e.kind !== 'call') return;
          const f = e.func;
          // a call of a module function runs once per statement, never once per element (types/calls.ts)
          if (tf.calls.has(e)) {
            ok = false;
            return;
          }
          const outer = outerUfunc(tf, e);
          if (outer !== null) {
            // np.add.outer(a, b)[i..., j...] = a[i...] + b[j...]: a's implicit loops, then b's, lined up
            // with the last of the loops the call's value spans
            const [a, b] = e.args;
            const p = a ? rankOf(a) : null;
            const q = b ? rankOf(b) : null;
            const op = OUTER_UFUNCS[outer];
            const computes = OPS_OF[want]?.has(op) || ELEMENT_CALLS[want]?.has(op);
            if (t?.kind !== 'array' || e.args.length !== 2 || e.keywords.length > 0 || !p || !q || p + q > at.rank || !computes) {
              ok = false;
              return;
            }
            const from = at.base + at.rank - (p + q);
            visit(a, want, { base: from, rank: p });
            visit(b, want, { base: from + p, rank: q });
            outers.set(e, { ufunc: outer, dtype: want });
            return;
          }
          const name = f.kind === 'attribute' && f.value.kind === 'name' && tf.types.get(f.value)?.kind === 'module' ? f.attr : null;
          const row = name ? numpyFunction(name) : undefined;
          if (t?.kind === 'array' && row && e.keywords.length === 0 && elementCall(tf, name!, row, e, want)) {
            if (name === 'where') {
              // the condition's elements are bools; the branches' the result's (printed `x if c else y`)
              visit(e.args[0], 'bool', at);
              visit(e.args[1], want, at);
              visit(e.args[2], want, at);
              conditionals.add(e);
              return;
            }
            for (const a of e.args) visit(a, want, at);
            return;
          }
          // a scalar call of scalars (math.sqrt(alpha)) is fine as it is; an array one is not lowered, nor a
          // scalar one of arrays (`x - np.max(x)`): per element it would reduce the whole array again (n^2),
          // and a checked max/min (exact mode) could not leave the call to the original from inside prange
          const ofArrays = [...e.args, ...e.keywords.map((k) => k.value)].some((a) => tf.types.get(a)?.kind !== 'scalar');
          if (t?.kind !== 'scalar' || ofArrays || !scalarFits(t, want)) ok = false;
          return;
        }
        case 'number':
          if (e.kind !== 'number') return;
          if (!scalarFits({ scalar: e.numberKind === 'int' ? 'int' : e.numberKind === 'complex' ? 'complex' : 'float', origin: 'py' }, want)) ok = false;
          return;
        default:
          // other scalar expressions (parameters, locals, loop variables) are per-element constants,
          // but not an element of the target: NumPy reads it before the statement writes any
          if (t?.kind !== 'scalar' || !scalarFits(t, want)) ok = false;
          walkExpr(e, (x) => {
            if (x.kind === 'name' && x.id === target.array) ok = false;
          });
      }
    };
    visit(s.value, tp.dtype);
    if (!ok) return;
    // a temporary's extents are its shape's (it may never exist: implicit-loops.ts)
    const loops = target.dims.flatMap((d, k) => ('slice' in d ? [{ length: length(target.array, k), lo: d.lo, hi: d.hi }] : []));
    out.lowered.set(s, { stmt: s, loops, refs, parallel: false, ...(conditionals.size > 0 ? { conditionals } : {}), ...(outers.size > 0 ? { outers } : {}), ...(defines ? { defines: { array: defines, shape: temporaries.get(defines)!.py, dtype: tp.dtype } } : {}) });
    const line = s.span.from.line;
    for (const c of divisorChecks) out.preconditions.push({ condition: c, why: `a divisor at line ${line} would be 0 or -1 (NumPy warns and gives 0 or wraps)` });
    for (const r of refs.values()) {
      r.dims.forEach((d, k) => {
        if (!('slice' in d)) return;
        for (const b of [d.lo, d.hi]) {
          if (b && b.kind !== 'number' && !normalized.has(b)) out.preconditions.push({ condition: `${guardPrint.expr(b)} >= 0`, why: `a bound of the slice of ${r.array} at line ${line} would count from the end` });
        }
      });
      if (r === target) continue;
      // the array dimension of each implicit loop (a transpose reverses them)
      const dimOf = (x: SliceRef, j: number): number => x.dims.findIndex((d) => 'slice' in d && d.slice === j);
      const tk = target.dims.map((d, k) => ('slice' in d ? k : -1)).filter((k) => k >= 0);
      const rk = tk.map((_, j) => dimOf(r, j));
      tk.forEach((t, j) => {
        if (rk[j] < 0) return; // an implicit loop a broadcast operand does not have
        out.preconditions.push({
          condition: `${extent(r, rk[j])} == ${extent(target, t)}`,
          why: `the operands at line ${line} would broadcast a dimension of length 1, or not fit`,
        });
      });
    }
    // (after the guard's conditions, which name the target's own extents and bounds)
    if (elsewhere.size > 0) out.lowered.get(s)!.snapshots = [...elsewhere].map(([e, r]) => {
      const name = `_polyray_snap${snapshotCount++}`;
      // the copy's dimensions are the view's: its implicit loops in order (`A.T`'s reversed back), from 0
      const slices = r.dims.flatMap((d) => ('slice' in d ? [d.slice] : [])).sort((a, b) => a - b);
      refs.set(e, { array: name, dims: slices.map((k) => ({ slice: k, lo: null, hi: null })) });
      return { name, source: e, original: r, ahead: readsAhead(target, r) };
    });
  });
  out.preconditions = distinctConditions(out.preconditions);
  return out;
}

/**
 * Whether a NumPy call whose result has `want` elements is computed per element
 * as NumPy computes it: the exact ufuncs the table marks (float64), NumPy's own
 * math where the checker relaxed it (close mode: the C library's function per
 * element, the bound of docs/reliability.md, as Numba's array expression gives),
 * np.minimum/np.maximum, np.clip with number bounds (round_helpers' scalar form)
 * and np.where (a conditional expression per element).
 */
function elementCall(tf: TypedFunction, name: string, row: TableRow, e: Expr & { kind: 'call' }, want: string): boolean {
  const n = e.args.length;
  // (float32: sqrt is correctly rounded and abs exact in both; the others are not measured in float32)
  if (row.lowers) return (want === 'float64' || (want === 'float32' && ['sqrt', 'abs'].includes(name))) && n === 1;
  if (row.numerics === 'ulp') return tf.numerics === 'close' && want === 'float64' && row.typing === 'ufunc' && n === (['arctan2', 'power'].includes(name) ? 2 : 1);
  if (!ELEMENT_CALLS[want]?.has(name)) return false;
  if (name === 'clip') return n === 3 && tf.helpers.get(e)?.helper === 'clip_scalar_bounds';
  return n === (name === 'where' ? 3 : 2);
}

/**
 * Whether `read`, a reference of the target's array, names in each element loop's iteration an element that
 * the loops (ascending, nested in the target's dimension order) write only later: both are the same but in
 * the last dimension, the same implicit loop there with a lower bound larger by a positive constant
 * (`A[i, 2:]` against the target `A[i, 1:-1]`). Bounds are compared as printed: the same text, or two int
 * literals.
 */
function readsAhead(target: SliceRef, read: SliceRef): boolean {
  const print = new PythonPrinter();
  const n = target.dims.length;
  if (n === 0 || read.dims.length !== n) return false;
  const text = (e: Expr | null): string => (e === null ? '0' : print.expr(e));
  for (let k = 0; k < n; k++) {
    const t = target.dims[k];
    const r = read.dims[k];
    if (('slice' in t) !== ('slice' in r)) return false;
    if (!('slice' in t) || !('slice' in r)) {
      if (!('index' in t) || !('index' in r) || print.expr(t.index) !== print.expr(r.index)) return false;
      continue;
    }
    if (t.slice !== r.slice) return false;
    if (k < n - 1) {
      if (text(t.lo) !== text(r.lo)) return false;
      continue;
    }
    const lo = (e: Expr | null): number | null => (e === null ? 0 : e.kind === 'number' && e.numberKind === 'int' && /^[0-9]+$/.test(e.text) ? Number(e.text) : null);
    const a = lo(t.lo);
    const b = lo(r.lo);
    if (a === null || b === null || !(b > a)) return false;
  }
  return true;
}

/**
 * Whether two references of one array never name the same element: in some dimension both are indices that
 * differ by a non-zero constant (`A[i - 1, 1:-1]` and `A[i, 1:-1]`). Such a read needs no copy: the statement
 * writes none of it.
 */
function disjoint(a: SliceRef, b: SliceRef): boolean {
  const names = (e: Expr): string | null => (e.kind === 'name' ? e.id : null);
  return a.dims.some((d, k) => {
    const e = b.dims[k];
    if (!e || !('index' in d) || !('index' in e)) return false;
    const x = toAff(d.index, names);
    const y = toAff(e.index, names);
    const diff = x && y ? affAdd(x, y, -1) : null;
    return diff !== null && diff.terms.size === 0 && diff.constant !== 0;
  });
}

/** `u` for a call `np.<u>.outer(a, b)` of a ufunc lowered per element (OUTER_UFUNCS), else null. */
function outerUfunc(tf: TypedFunction, e: Expr & { kind: 'call' }): string | null {
  const f = e.func;
  if (f.kind !== 'attribute' || f.attr !== 'outer' || f.value.kind !== 'attribute') return null;
  const u = f.value;
  if (u.value.kind !== 'name' || tf.types.get(u.value)?.kind !== 'module' || !(u.attr in OUTER_UFUNCS)) return null;
  return tf.helpers.get(e)?.helper === `outer_${u.attr}` ? u.attr : null;
}

/** k for a constant integer expression of value -k (`-1`, `1 - 3`; k > 0), else null (the SCoP reads it alike). */
function negativeConstant(e: Expr): number | null {
  const a = toAff(e, () => null);
  return a && a.terms.size === 0 && a.constant < 0 ? -a.constant : null;
}

/** Each condition once, and none that compares an expression with itself. */
export function distinctConditions(ps: Precondition[]): Precondition[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const eq = /^(.*) == (.*)$/.exec(p.condition);
    if ((eq && eq[1] === eq[2]) || seen.has(p.condition)) return false;
    seen.add(p.condition);
    return true;
  });
}
