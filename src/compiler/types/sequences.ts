// Arrays built from a written sequence (issue 17): np.concatenate / hstack /
// vstack / stack / column_stack / dstack of a tuple or list of arrays, and
// np.array of a list of arrays or of (nested lists of) scalars. The parser
// turns a list display there into the tuple Numba wants (parse/convert.ts
// SEQUENCE_FUNCTIONS); these rules type the tuple as NumPy types the list.
import type { Expr } from '../parse/ast.js';
import { DEFAULT_DTYPE, type Ty } from './ty.js';
import { isDtype, promoteTypes, type Dtype } from './promotion.js';
import { intLiteral } from './check-helpers.js';

/** `converted`: the parts (by index) to convert to the result's dtype first, as NumPy's join casts each input. */
export type SequenceResult = { ty: Ty; respell?: string; converted?: number[] } | { refuse: string };

/** The result's rank of a join of arrays of rank `nd` (NumPy's atleast_2d/3d rules). */
function joinedRank(name: string, nd: number): number {
  if (name === 'stack') return nd + 1;
  if (name === 'vstack' || name === 'column_stack') return Math.max(nd, 2);
  if (name === 'dstack') return Math.max(nd, 3);
  return nd;
}

/**
 * np.concatenate(seq, axis=k) and the other joins: arrays of one known rank,
 * axis= an int literal inside the result for concatenate and stack. Mixed
 * dtypes join in NumPy's promoted dtype (np.result_type of the arrays: int64
 * and float64 give float64, float32 and float64 float64); NumPy casts each
 * input to it (a safe cast: the same values as `.astype`), Numba's joins take
 * one dtype, so the parts of another dtype are `converted` first.
 */
export function joinRule(e: Expr & { kind: 'call' }, name: string, seq: Ty | undefined, positional: number, keywords: string[]): SequenceResult {
  const how = `np.${name}()`;
  const parts = seq?.kind === 'tuple' ? seq.elts : null;
  const takesAxis = name === 'concatenate' || name === 'stack';
  // the axis may come second, by position (`np.concatenate([a, b], 0)`)
  if (!parts || parts.length === 0 || positional < 1 || positional > (takesAxis ? 2 : 1)) {
    return { refuse: `${how} is supported on a written list or tuple of arrays (not a sequence held in a name)${takesAxis ? ' and an axis' : ''}` };
  }
  if (!parts.every((t) => t.kind === 'array' && t.dtype !== null && t.ndim !== null)) return { refuse: `${how} is supported on arrays of known dtype and rank` };
  const arrays = parts as { kind: 'array'; dtype: string; ndim: number }[];
  const first = arrays[0];
  if (arrays.some((t) => t.ndim !== first.ndim)) return { refuse: `${how} is supported on arrays of one dtype and rank (these differ in rank)` };
  if (!arrays.every((t) => isDtype(t.dtype))) return { refuse: `${how} is supported on arrays of NumPy's numeric dtypes` };
  const dtype = arrays.map((t) => t.dtype as Dtype).reduce((a, b) => promoteTypes(a, b));
  const converted = arrays.flatMap((t, k) => (t.dtype === dtype ? [] : [k]));
  const axisNode = e.args[1] ?? e.keywords.find((k) => k.name === 'axis')?.value;
  if (keywords.some((k) => k !== 'axis') || (positional === 2 && keywords.length > 0) || (axisNode && (!takesAxis || intLiteral(axisNode) === undefined))) {
    return { refuse: `${how} is supported with axis= an int literal (concatenate and stack only) and no other keyword` };
  }
  const ndim = joinedRank(name, first.ndim);
  const ax = axisNode ? Number(intLiteral(axisNode)) : 0;
  // NumPy raises AxisError outside the rank, Numba another error
  if (ax < -ndim || ax >= ndim || (name === 'concatenate' && first.ndim === 0)) return { refuse: `${how} with an axis inside the result's ${ndim} dimensions` };
  return { ty: { kind: 'array', dtype, ndim }, ...(converted.length ? { converted } : {}) };
}


/** The dtype np.array discovers for one scalar: a NumPy scalar's own, a Python bool/int/float/complex's default (not weak). */
function discovered(t: Ty): Dtype | null {
  if (t.kind !== 'scalar') return null;
  if (t.origin === 'np' && t.dtype) return isDtype(t.dtype) ? t.dtype : null;
  const d = DEFAULT_DTYPE[t.scalar];
  // (a scalar that is a NumPy one of another width on some runs: which dtype NumPy discovers depends on the run)
  return t.dtype && t.dtype !== d ? null : d;
}

/** The rank and the dtypes of a nested tuple of scalars, or why it is no regular array. */
function scalarGrid(t: Ty): { shape: number[]; dtypes: Dtype[] } | string {
  if (t.kind === 'scalar') {
    const d = discovered(t);
    return d ? { shape: [], dtypes: [d] } : 'its scalars must be Python or NumPy numbers of known dtype';
  }
  if (t.kind !== 'tuple' || t.elts.length === 0) return 'lists of numbers (nested lists of one length per level), not empty';
  const inner = t.elts.map(scalarGrid);
  const bad = inner.find((g): g is string => typeof g === 'string');
  if (bad) return bad;
  const grids = inner as { shape: number[]; dtypes: Dtype[] }[];
  const shape = grids[0].shape;
  // NumPy raises ValueError on ragged lists: a ragged literal is refused here
  if (grids.some((g) => g.shape.join(',') !== shape.join(','))) return 'nested lists of one length per level (NumPy raises ValueError on ragged ones)';
  return { shape: [t.elts.length, ...shape], dtypes: grids.flatMap((g) => g.dtypes) };
}

/**
 * np.array(seq[, dtype=d]): a list of arrays of one dtype and rank is np.stack of
 * them (the same array, and ValueError for shapes that differ in both); a list
 * of numbers, nested to any depth with one length per level, is typed by
 * NumPy's discovery (each Python number at its default dtype, then
 * np.result_type, as Numba unifies them), and dtype= only where every element
 * casts to it safely. An array argument (a copy, order 'K') is refused.
 */
export function arrayRule(e: Expr & { kind: 'call' }, seq: Ty | undefined, dtypeArg: Ty | undefined, positional: number, keywords: string[]): SequenceResult {
  const how = 'np.array()';
  if (positional !== 1 || keywords.some((k) => k !== 'dtype')) return { refuse: `${how} is supported as np.array(list) or np.array(list, dtype=d)` };
  if (seq?.kind === 'array') return { refuse: `${how} of an array (a copy in its own memory order) is not supported: a.copy() is` };
  if (seq?.kind === 'tuple' && seq.elts.length > 0 && seq.elts.every((t) => t.kind === 'array')) {
    if (dtypeArg) return { refuse: `${how} of a list of arrays is supported without dtype=` };
    const joined = joinRule({ ...e, keywords: [] }, 'stack', seq, 1, []);
    if ('refuse' in joined) return { refuse: joined.refuse.replace('np.stack()', `${how} of a list of arrays`) };
    return { ty: joined.ty, respell: 'stack', ...(joined.converted ? { converted: joined.converted } : {}) };
  }
  const grid = seq ? scalarGrid(seq) : 'a list';
  if (typeof grid === 'string') return { refuse: `${how} is supported on a written list of arrays, or of ${grid}` };
  let dtype = grid.dtypes.reduce((a, b) => promoteTypes(a, b));
  if (dtypeArg) {
    const want = dtypeArg.kind === 'dtype' ? dtypeArg.dtype : null;
    if (!want || !isDtype(want) || promoteTypes(dtype, want) !== want) return { refuse: `${how} with dtype= a dtype every element casts to safely (elements: ${dtype})` };
    dtype = want;
  }
  return { ty: { kind: 'array', dtype, ndim: grid.shape.length } };
}
