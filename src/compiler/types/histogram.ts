// np.histogram (issues 17, 18): the forms runtime/histogram.py computes as NumPy 2
// does, bit for bit: an int number of bins over the data's range or over
// range=(lo, hi), of a float64, int64 or int32 array (ints binned as float64,
// NumPy's edges dtype), with weights= of float64, float32, int64 or int32 (the
// counts then have the weights' dtype, NumPy's ntype) or without (int64 counts);
// or an array of float64 edges (bins=edges, without weights: NumPy's cumulative
// path, counts only, of float64 data). density=True: float64 data or ints, float64
// weights or none. The result is the tuple (counts, edges); with an edges array
// NumPy returns that array itself as the second item, so the tuple aliases it.
import type { Expr } from '../parse/ast.js';
import type { Ty } from './ty.js';

/**
 * Helpers whose body runs a prange loop (runtime/histogram.py: NumPy's blocks of 65536 values in parallel, merged
 * in block order, so exact): a variant calling one is compiled with parallel=True (codegen/module.ts), which gives
 * it a serial form too (prange as range) and the runtime's choice between the two forms. (An array of edges is
 * histogram_edges, without prange; histogram_density is compiled apart, where its histogram's prange is a range.)
 */
export const PRANGE_HELPERS: ReadonlySet<string> = new Set(['histogram']);

/** `helper`: histogram, histogram_edges (bins an array of edges), or histogram_density (density=True: NumPy's n / db / n.sum() after the same counts). */
export type HistogramResult = { ty: Ty; args: (Expr | string)[]; aliases: Expr | null; helper: 'histogram' | 'histogram_edges' | 'histogram_density' } | { refuse: string };

const REFUSAL = 'np.histogram() is supported on a float64, int64 or int32 array with bins an int (with range=(lo, hi) and weights= of float64, float32, int64 or int32, or not), or on a float64 array with bins a 1-d float64 array of edges (without weights or range), density= True or False written out';

/** The data's dtypes (ints binned as float64), and the weights' (the counts' dtype is theirs). */
const DATA = new Set(['float64', 'int64', 'int32']);
const WEIGHTS = new Set(['float64', 'float32', 'int64', 'int32']);

/** `args`/`kw`: the call's argument types; the helper is called as histogram(a, bins, weights, range). */
export function histogramRule(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): HistogramResult {
  const a = args[0];
  const binsNode = e.args[1] ?? e.keywords.find((k) => k.name === 'bins')?.value;
  const bins = args[1] ?? kw.get('bins');
  const weights = kw.get('weights');
  // NumPy's order: histogram(a, bins=10, range=None, density=None, weights=None); range may be positional
  const range = args[2] ?? kw.get('range');
  const okKeys = [...kw.keys()].every((k) => k === 'weights' || (k === 'range' && args.length <= 2) || k === 'density' || (k === 'bins' && args.length === 1));
  const densityNode = e.keywords.find((k) => k.name === 'density')?.value;
  if (densityNode && !(densityNode.kind === 'const' && (densityNode.value === 'True' || densityNode.value === 'False'))) return { refuse: REFUSAL };
  const density = densityNode?.kind === 'const' && densityNode.value === 'True';
  if (a?.kind !== 'array' || a.dtype === null || !DATA.has(a.dtype) || args.length > 3 || !okKeys) return { refuse: REFUSAL };
  if (weights !== undefined && !(weights.kind === 'array' && weights.dtype !== null && WEIGHTS.has(weights.dtype))) return { refuse: REFUSAL };
  if (density && weights?.kind === 'array' && weights.dtype !== 'float64') return { refuse: `${REFUSAL} (density=True with float64 weights= only)` };
  const number = (t: Ty): boolean => t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float');
  if (range !== undefined && !(range.kind === 'tuple' && range.elts.length === 2 && range.elts.every(number))) return { refuse: `${REFUSAL}; range= a pair of numbers` };
  const intBins = bins === undefined || (bins.kind === 'scalar' && bins.scalar === 'int');
  const edges = bins?.kind === 'array' && bins.dtype === 'float64' && bins.ndim === 1;
  if (!intBins && !edges) return { refuse: REFUSAL };
  if (edges && a.dtype !== 'float64') return { refuse: `${REFUSAL} (an array of edges with float64 data only)` };
  if (edges && (weights !== undefined || range !== undefined)) return { refuse: `${REFUSAL} (with an array of edges NumPy sorts the weights by an unstable sort)` };
  const at = (name: string): Expr | string => e.keywords.find((k) => k.name === name)?.value ?? 'None';
  // NumPy's ntype: int64 (intp) counts, or the weights' dtype; density divides them into float64
  const dtype = density ? 'float64' : weights?.kind === 'array' ? weights.dtype : 'int64';
  const counts: Ty = { kind: 'array', dtype, ndim: 1 };
  return {
    helper: density ? 'histogram_density' : edges ? 'histogram_edges' : 'histogram',
    ty: { kind: 'tuple', elts: [counts, { kind: 'array', dtype: 'float64', ndim: 1 }] },
    args: [e.args[0], binsNode ?? '10', at('weights'), e.args[2] ?? at('range')],
    aliases: edges ? binsNode! : null,
  };
}
