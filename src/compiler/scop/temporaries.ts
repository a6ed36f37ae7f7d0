// The shape of a temporary made by a NumPy operator over whole arrays:
// `t = a * b + c` (elementwise: the operands' common shape, a lower-rank
// operand lining up with the last dimensions as NumPy broadcasts) and
// `D = A @ B` / `np.dot(A, B)` / `np.matmul(A, B)` (transposes `A.T`
// included: rows of the left, columns of the right), unit-step slices of a
// parameter array or of an earlier temporary (`4.0 * a[1:n + 1, :] - a[0:n, :]`,
// `lap[1:, :] - lap[:-1, :]`: the stencils NumPy code writes), and integer sums along
// an axis (`A.sum(axis=0)`: A's shape without that dimension). The model gives the
// temporary that shape; it holds only if the operands fit (no dimension of length 1 stretched,
// matching inner dimensions, slice bounds inside their dimension so that NumPy
// clips none), which are the conditions returned for the guard to check.
// Otherwise NumPy would stretch or clip it, or raise, and the original runs.
import type { Expr } from '../parse/ast.js';
import type { Span } from '../diagnostics.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction } from '../types/numpy-table.js';
import { affAdd, affConst, affIsConst, affToIsl, affVar, type Aff } from './affine.js';
import { paramSources } from './param-sources.js';

/** Extents per dimension, as Python (for the guard and allocation) and as isl (for the model). */
export interface Shape {
  py: string[];
  isl: string[];
  /** The extents' affine forms over the SCoP's parameters, where known (slices of the array need them). */
  aff?: (Aff | null)[];
}

/** What the shape of a temporary is read with: the SCoP's names for extents and slice bounds. */
export interface TemporaryContext {
  /** isl name of a parameter array's extent (the extractor records it as a parameter of the SCoP) */
  extent: (array: string, d: number) => string;
  /** A slice bound's affine form over the SCoP's parameters (`n`, `I + 1` with `I = A.shape[0]`), or null. */
  aff: (e: Expr) => Aff | null;
  /** An isl expression over the parameters in Python over the arguments (for the guard), or null. */
  toPython: (isl: string) => string | null;
  /** The shape of a local array allocated once before (`ccol = np.empty((I, J, K))`), or null. */
  local?: (name: string) => Shape | null;
  /** Whether an isl parameter is an array's extent (never negative); temporaryShape fills it. */
  isExtent?: (v: string) => boolean;
}

/**
 * Whether an affine form is never negative: a non-negative constant plus extents
 * with non-negative coefficients (an int parameter may be negative).
 */
function nonNegative(a: Aff, isExtent: (v: string) => boolean): boolean {
  return a.constant >= 0 && [...a.terms].every(([v, c]) => c >= 0 && isExtent(v));
}

/**
 * A NumPy function whose result a temporary may hold: a product its row marks, or
 * an elementwise function of broadcast operands (a ufunc, np.where, np.clip).
 */
function temporaryModel(name: string): 'elementwise' | 'product' | null {
  const row = numpyFunction(name);
  if (row?.loop === 'elementwise' && (row.temporary || row.typing === 'ufunc' || row.typing === 'clip')) return 'elementwise';
  return row?.temporary && row.loop === 'product' ? 'product' : null;
}

/** The shape of `value` and the conditions under which it holds, or null when it is no such operator. */
export function temporaryShape(
  tf: TypedFunction,
  value: Expr,
  ndim: number,
  known: ReadonlyMap<string, Shape>,
  ctx: TemporaryContext,
): { shape: Shape; conditions: string[] } | null {
  const conditions: string[] = [];
  /** NumPy's broadcasting without stretching: the shorter shape lines up with the longer one's last dimensions, which must be equal. */
  const same = (a: Shape, b: Shape): Shape => {
    const [short, long] = a.py.length < b.py.length ? [a, b] : [b, a]; // equal ranks: the left one
    const off = long.py.length - short.py.length;
    short.py.forEach((x, d) => { if (x !== long.py[d + off]) conditions.push(`${x} == ${long.py[d + off]}`); });
    return long;
  };
  const sources = paramSources(tf);
  const shape = shapeOf(tf, value, known, same, conditions, { ...ctx, isExtent: (v) => sources.get(v)?.kind === 'extent' });
  return shape && shape !== 'scalar' && shape.py.length === ndim ? { shape, conditions } : null;
}

function shapeOf(
  tf: TypedFunction,
  x: Expr,
  known: ReadonlyMap<string, Shape>,
  same: (a: Shape, b: Shape) => Shape,
  conditions: string[],
  ctx: TemporaryContext,
): Shape | 'scalar' | null {
  const of = (e: Expr): Shape | 'scalar' | null => shapeOf(tf, e, known, same, conditions, ctx);
  /** Two operands of an elementwise operator: the array's shape, which both must have. */
  const both = (l: Shape | 'scalar' | null, r: Shape | 'scalar' | null): Shape | 'scalar' | null => {
    if (!l || !r) return null;
    if (l === 'scalar') return r;
    if (r === 'scalar') return l;
    return same(l, r);
  };
  switch (x.kind) {
    case 'name': {
      const t = known.get(x.id);
      if (t) return t;
      const p = tf.params.find((q) => q.name === x.id);
      if (p?.kind === 'array') {
        if (p.ndim === null) return null;
        const dims = Array.from({ length: p.ndim }, (_, d) => d);
        const isl = dims.map((d) => ctx.extent(x.id, d));
        return { py: dims.map((d) => `${x.id}.shape[${d}]`), isl, aff: isl.map(affVar) };
      }
      if (p) return p.kind === 'unknown' ? null : 'scalar';
      const local = tf.locals.get(x.id);
      if (local?.kind === 'array') return ctx.local?.(x.id) ?? null;
      // (a local scalar, or a module constant frozen into the variants: parse/constants.ts)
      return local?.kind === 'scalar' || tf.types.get(x)?.kind === 'scalar' ? 'scalar' : null;
    }
    case 'attribute': {
      // A.T of a 2-d array: its dimensions swapped
      if (x.attr !== 'T') return null;
      const s = of(x.value);
      return s && s !== 'scalar' && s.py.length === 2 ? { py: [s.py[1], s.py[0]], isl: [s.isl[1], s.isl[0]] } : null;
    }
    case 'subscript': {
      const base = x.value.kind === 'name' ? of(x.value) : null;
      return base && base !== 'scalar' ? sliceShape(x, base, ctx, conditions) : null;
    }
    case 'number':
      return 'scalar';
    case 'unary':
      return x.op === '-' ? of(x.operand) : null;
    case 'binary':
      if (x.op === '@') return matmul(of(x.left), of(x.right), conditions);
      // (int64 `//` and `%`: lower-slices.ts fills them when the divisor is safe; float ones stay NumPy's)
      const intDivision = ['//', '%'].includes(x.op) && (tf.types.get(x) as { dtype?: string } | undefined)?.dtype === 'int64';
      return ['+', '-', '*', '/', '**'].includes(x.op) || intDivision ? both(of(x.left), of(x.right)) : null;
    case 'compare':
      return x.ops.length === 1 ? both(of(x.left), of(x.comparators[0])) : null;
    case 'call': {
      const f = x.func;
      const numpy = f.kind === 'attribute' && f.value.kind === 'name' && tf.types.get(f.value)?.kind === 'module';
      const reduced = integerSumAlongAxis(tf, x, numpy);
      if (reduced) {
        const s = of(reduced.array);
        if (!s || s === 'scalar' || reduced.axis >= s.py.length) return null;
        return { py: s.py.filter((_, d) => d !== reduced.axis), isl: s.isl.filter((_, d) => d !== reduced.axis) };
      }
      if (!numpy || x.keywords.length > 0) return null;
      const model = temporaryModel(f.attr);
      if (model === 'product' && x.args.length === 2) return matmul(of(x.args[0]), of(x.args[1]), conditions);
      if (model !== 'elementwise' || x.args.length === 0) return null;
      return x.args.map(of).reduce(both);
    }
    default:
      return null;
  }
}

/**
 * `A[lo:hi, :, lo2:]`: unit-step slices (trailing dimensions whole), each of
 * extent hi - lo. A negative constant bound counts from the end, as in NumPy;
 * the guard checks that every bound is inside its dimension and lo <= hi, so
 * that NumPy clips nothing (otherwise the original runs). An affine integer
 * index drops its dimension (`a[1:, :, k + 1]` is 2-d); where it is a loop's
 * iterator the temporary is bound inside that loop (scop/extract.ts).
 */
function sliceShape(x: Expr & { kind: 'subscript' }, base: Shape, ctx: TemporaryContext, conditions: string[]): Shape | null {
  if (x.indices.length > base.py.length) return null;
  const out: Shape = { py: [], isl: [], aff: [] };
  for (let d = 0; d < base.py.length; d++) {
    const ix = x.indices[d];
    // an integer index (`wcon[1:, :, k + 1]`, affine in the loops' iterators and the parameters) drops its
    // dimension, as NumPy does; the model's access of the element is bounds-checked as any other
    if (ix && ix.kind !== 'slice') {
      if (!ctx.aff(ix)) return null;
      continue;
    }
    if (ix && ix.step && !(ix.step.kind === 'number' && ix.step.text === '1')) return null;
    if (!ix || (!ix.lower && !ix.upper)) {
      out.py.push(base.py[d]);
      out.isl.push(base.isl[d]);
      out.aff!.push(base.aff?.[d] ?? null);
      continue;
    }
    const n = base.aff?.[d];
    if (!n) return null;
    const bound = (b: Expr | null, whole: Aff): Aff | null => {
      if (!b) return whole;
      const a = ctx.aff(b);
      // (-1 counts from the end; a bound of unknown sign must be non-negative: checked below)
      return a && affIsConst(a) && a.constant < 0 ? affAdd(n, a) : a;
    };
    const lo = bound(ix.lower, affConst(0));
    const hi = bound(ix.upper, n);
    if (!lo || !hi) return null;
    const extent = affAdd(hi, lo, -1);
    const [loPy, hiPy, nPy, extentPy] = [lo, hi, n, extent].map((a) => ctx.toPython(affToIsl(a)));
    if (loPy === null || hiPy === null || nPy === null || extentPy === null) return null;
    // (a bound whose difference is never negative holds for every argument: `1 <= out.shape[0] + 1` is left out)
    const isExtent = ctx.isExtent ?? (() => false);
    if (!nonNegative(lo, isExtent)) conditions.push(`0 <= ${loPy}`);
    if (!nonNegative(extent, isExtent)) conditions.push(`${loPy} <= ${hiPy}`);
    if (hiPy !== nPy && !nonNegative(affAdd(n, hi, -1), isExtent)) conditions.push(`${hiPy} <= ${nPy}`);
    out.py.push(extentPy);
    out.isl.push(affToIsl(extent));
    out.aff!.push(extent);
  }
  return out;
}

/**
 * `np.sum(A, axis=k)` or `A.sum(axis=k)` with an integer result: A's shape
 * without dimension k (exact in any order, unlike a floating-point sum, which
 * is outside the subset). Nothing can fail: an empty axis sums to 0.
 */
function integerSumAlongAxis(tf: TypedFunction, x: Expr & { kind: 'call' }, numpy: boolean): { array: Expr; axis: number } | null {
  const t = tf.types.get(x);
  if (t?.kind !== 'array' || !t.dtype || !/^u?int/.test(t.dtype) || x.func.kind !== 'attribute' || x.func.attr !== 'sum') return null;
  const axisKw = x.keywords.length === 1 && x.keywords[0].name === 'axis' ? x.keywords[0].value : null;
  const array = numpy ? (x.args.length === 1 ? x.args[0] : null) : x.args.length === 0 ? x.func.value : null;
  if (!array || !axisKw || axisKw.kind !== 'number' || !/^\d+$/.test(axisKw.text)) return null;
  return { array, axis: Number(axisKw.text) };
}

/** A 2-d or 1-d product (np.dot and @ agree there): rows of the left, columns of the right. */
function matmul(l: Shape | 'scalar' | null, r: Shape | 'scalar' | null, conditions: string[]): Shape | null {
  if (!l || !r || l === 'scalar' || r === 'scalar' || l.py.length === 0 || r.py.length === 0 || l.py.length > 2 || r.py.length > 2) return null;
  const inner = (s: Shape, d: number): string => s.py[d];
  conditions.push(`${inner(l, l.py.length - 1)} == ${inner(r, 0)}`);
  const py = [...(l.py.length === 2 ? [l.py[0]] : []), ...(r.py.length === 2 ? [r.py[1]] : [])];
  const isl = [...(l.py.length === 2 ? [l.isl[0]] : []), ...(r.py.length === 2 ? [r.isl[1]] : [])];
  return { py, isl };
}

/**
 * Extent d of a temporary as an expression over the arguments (`out.shape[0] + 2`), for a slice bound that counts
 * from its end (poly/lower-slices.ts: the temporary may never be allocated, so its own `.shape` cannot be read); null
 * where its affine form is not known.
 */
export function extentExpr(tf: TypedFunction, shape: Shape, d: number, at: Span): Expr | null {
  const a = shape.aff?.[d];
  if (!a) return null;
  const num = (k: number): Expr => ({ kind: 'number', span: at, text: String(k), numberKind: 'int' });
  const sources = paramSources(tf);
  const named = (v: string): Expr | null => {
    const s = sources.get(v);
    if (!s) return null;
    if (s.kind === 'int') return { kind: 'name', span: at, id: s.name };
    const shapeOf: Expr = { kind: 'attribute', span: at, value: { kind: 'name', span: at, id: s.array }, attr: 'shape' };
    return { kind: 'subscript', span: at, value: shapeOf, indices: [num(s.dim)] };
  };
  let out: Expr | null = null;
  const add = (x: Expr, sign: number): void => {
    out = out === null ? (sign < 0 ? { kind: 'unary', span: at, op: '-', operand: x } : x) : { kind: 'binary', span: at, op: sign < 0 ? '-' : '+', left: out, right: x };
  };
  for (const [v, c] of a.terms) {
    const x = named(v);
    if (!x) return null;
    add(Math.abs(c) === 1 ? x : { kind: 'binary', span: at, op: '*', left: num(Math.abs(c)), right: x }, c);
  }
  if (a.constant !== 0 || out === null) add(num(Math.abs(a.constant)), a.constant);
  return out;
}
