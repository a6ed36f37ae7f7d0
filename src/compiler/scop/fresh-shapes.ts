// The shape of a fresh local array bound inside a loop (scop/private-arrays.ts):
// an allocation (`np.zeros(m)`, `np.full((n, m), v)`, `np.empty_like(A[i])`) or
// a result computed from one array (`np.sort(A[i])`, `A[i].copy()`,
// `A[i] * 2.0`, `np.sqrt(row)`), as isl extents in the parameters. Only
// extents that do not change between iterations (no loop iterator in them):
// the model has one shape per local array, which the bounds guard checks
// every access against. Whatever needs broadcasting between two arrays is
// left out (its shape would hold only under a guarded condition).
import type { Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { arrayMethod, numpyFunction } from '../types/numpy-table.js';
import { affToIsl, toAff, type Aff } from './affine.js';

export interface ShapeContext {
  /** Affine form of an index or extent expression (iterators, parameters, sizes), or null. */
  aff: (e: Expr) => Aff | null;
  /** isl extent of dimension d of a parameter or a local array of known shape, or null. */
  extent: (array: string, d: number) => string | null;
  /** isl names of the enclosing loops' iterators. */
  iterators: ReadonlySet<string>;
}

/** isl extents of a fresh array value whose shape is the same in every iteration, or null. */
export function freshShape(tf: TypedFunction, value: Expr, ctx: ShapeContext): string[] | null {
  const t = tf.types.get(value);
  if (t?.kind !== 'array' || t.ndim === null) return null;
  const shape = allocationShape(tf, value, ctx) ?? valueShape(tf, value, ctx);
  return shape && shape.length === t.ndim ? shape : null;
}

/** `np.zeros(shape)`, `np.empty`, `np.ones`, `np.full(shape, v)`; `np.zeros_like(x)` and the like: x's shape. */
function allocationShape(tf: TypedFunction, x: Expr, ctx: ShapeContext): string[] | null {
  if (x.kind !== 'call' || x.func.kind !== 'attribute' || tf.types.get(x.func.value)?.kind !== 'module' || x.args.length === 0) return null;
  const row = numpyFunction(x.func.attr);
  if (row?.loop !== 'allocation') return null;
  if (row.typing === 'alloc_like') return x.keywords.some((k) => k.name === 'shape') ? null : valueShape(tf, x.args[0], ctx);
  if (row.typing !== 'alloc' && row.typing !== 'full') return null;
  const shape = x.args[0];
  const extents = (shape.kind === 'tuple' ? shape.elts : [shape]).map(ctx.aff);
  if (extents.some((e) => e === null || [...e.terms.keys()].some((v) => ctx.iterators.has(v)))) return null;
  return (extents as Aff[]).map(affToIsl);
}

/** The shape of an array expression of one array operand (views, elementwise results of it and scalars). */
function valueShape(tf: TypedFunction, x: Expr, ctx: ShapeContext): string[] | null {
  const of = (e: Expr): string[] | 'scalar' | null => {
    const t = tf.types.get(e);
    if (t?.kind === 'scalar') return 'scalar';
    if (t?.kind !== 'array') return null;
    return valueShape(tf, e, ctx);
  };
  switch (x.kind) {
    case 'name': {
      const rank = rankOf(tf, x.id);
      if (rank === null) return null;
      const dims = Array.from({ length: rank }, (_, d) => ctx.extent(x.id, d));
      return dims.every((d) => d !== null) ? (dims as string[]) : null;
    }
    case 'subscript':
      return subscriptShape(tf, x, ctx);
    case 'attribute': {
      if (x.attr !== 'T') return null;
      const s = of(x.value);
      return s && s !== 'scalar' && s.length === 2 ? [s[1], s[0]] : null;
    }
    case 'unary':
      return x.op === '-' || x.op === '+' ? arrayOnly(of(x.operand)) : null;
    case 'binary': {
      if (x.op === '@') return null;
      const [l, r] = [of(x.left), of(x.right)];
      if (l === 'scalar') return arrayOnly(r);
      if (r === 'scalar') return arrayOnly(l);
      return null;
    }
    case 'call': {
      if (x.func.kind !== 'attribute') return null;
      const onModule = tf.types.get(x.func.value)?.kind === 'module';
      const name = x.func.attr;
      // x.copy(), x.astype(d), np.copy(x), np.sort(x) along the last axis (axis=None flattens)
      if (!onModule && (name === 'copy' || name === 'astype') && x.keywords.every((k) => k.name === 'dtype')) return arrayOnly(of(x.func.value));
      if (!onModule) return null;
      if ((name === 'copy' || name === 'sort') && x.args.length === 1 && x.keywords.every((k) => k.name === 'kind')) return arrayOnly(of(x.args[0]));
      // a ufunc of one array and scalars (np.sqrt(row), np.maximum(row, 0.0))
      const row = numpyFunction(name);
      if (row?.typing !== 'ufunc' || row.loop !== 'elementwise' || x.keywords.length > 0) return null;
      const shapes = x.args.map(of);
      const arrays = shapes.filter((s) => s !== 'scalar');
      return arrays.length === 1 && shapes.every((s) => s !== null) ? arrayOnly(arrays[0]) : null;
    }
    default:
      return null;
  }
}

function arrayOnly(s: string[] | 'scalar' | null): string[] | null {
  return s === 'scalar' ? null : s;
}

function rankOf(tf: TypedFunction, name: string): number | null {
  const p = tf.params.find((q) => q.name === name);
  const t = p ? (p.kind === 'array' ? p : null) : tf.locals.get(name);
  return t && 'ndim' in t && typeof t.ndim === 'number' ? t.ndim : null;
}

/** `A[i]`, `A[i, :]`, `A[i, j, :]`: integer indices, then whole dimensions; the shape is the dimensions left. */
function subscriptShape(tf: TypedFunction, x: Expr & { kind: 'subscript' }, ctx: ShapeContext): string[] | null {
  if (x.value.kind !== 'name') return null;
  const array = x.value.id;
  const rank = rankOf(tf, array);
  if (rank === null || x.indices.length > rank) return null;
  const out: string[] = [];
  let slices = false;
  for (let d = 0; d < rank; d++) {
    const ix = x.indices[d];
    if (ix && ix.kind !== 'slice') {
      // an integer after a slice would still be fine in NumPy, but keep the simple form
      if (slices || !ctx.aff(ix) || tf.types.get(ix)?.kind !== 'scalar') return null;
      continue;
    }
    if (ix && (ix.lower || ix.upper || ix.step)) return null;
    slices = true;
    const extent = ctx.extent(array, d);
    if (extent === null) return null;
    out.push(extent);
  }
  return out;
}
