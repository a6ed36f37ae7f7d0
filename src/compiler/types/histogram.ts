// np.histogram (issue 17): the forms runtime/array_helpers.histogram computes as
// NumPy 2 does, bit for bit: an int number of bins over a float64 array's range
// or over range=(lo, hi), with float64 weights= or without; or an array of
// float64 edges (bins=edges, without weights: NumPy's cumulative path, counts
// only). The result is the tuple (counts, edges); with an edges array NumPy
// returns that array itself as the second item, so the tuple aliases it.
import type { Expr } from '../parse/ast.js';
import type { Ty } from './ty.js';

/** `helper`: histogram, or histogram_density (density=True: NumPy's n / db / n.sum() after the same counts). */
export type HistogramResult = { ty: Ty; args: (Expr | string)[]; aliases: Expr | null; helper: 'histogram' | 'histogram_density' } | { refuse: string };

const REFUSAL = 'np.histogram() is supported on a float64 array with bins an int (with range=(lo, hi) and float64 weights= or not) or a 1-d float64 array of edges (without weights or range), density= True or False written out';

/** `args`/`kw`: the call's argument types; the helper is called as histogram(a, bins, weights, range). */
export function histogramRule(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): HistogramResult {
  const a = args[0];
  const binsNode = e.args[1] ?? e.keywords.find((k) => k.name === 'bins')?.value;
  const bins = args[1] ?? kw.get('bins');
  const weights = kw.get('weights');
  const range = kw.get('range');
  const okKeys = [...kw.keys()].every((k) => k === 'weights' || k === 'range' || k === 'density' || (k === 'bins' && args.length === 1));
  const densityNode = e.keywords.find((k) => k.name === 'density')?.value;
  if (densityNode && !(densityNode.kind === 'const' && (densityNode.value === 'True' || densityNode.value === 'False'))) return { refuse: REFUSAL };
  const density = densityNode?.kind === 'const' && densityNode.value === 'True';
  if (a?.kind !== 'array' || a.dtype !== 'float64' || args.length > 2 || !okKeys) return { refuse: REFUSAL };
  if (weights !== undefined && !(weights.kind === 'array' && weights.dtype === 'float64')) return { refuse: REFUSAL };
  const number = (t: Ty): boolean => t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float');
  if (range !== undefined && !(range.kind === 'tuple' && range.elts.length === 2 && range.elts.every(number))) return { refuse: `${REFUSAL}; range= a pair of numbers` };
  const intBins = bins === undefined || (bins.kind === 'scalar' && bins.scalar === 'int');
  const edges = bins?.kind === 'array' && bins.dtype === 'float64' && bins.ndim === 1;
  if (!intBins && !edges) return { refuse: REFUSAL };
  if (edges && (weights !== undefined || range !== undefined)) return { refuse: `${REFUSAL} (with an array of edges NumPy sorts the weights by an unstable sort)` };
  const at = (name: string): Expr | string => e.keywords.find((k) => k.name === name)?.value ?? 'None';
  const counts: Ty = { kind: 'array', dtype: weights || density ? 'float64' : 'int64', ndim: 1 };
  return {
    helper: density ? 'histogram_density' : 'histogram',
    ty: { kind: 'tuple', elts: [counts, { kind: 'array', dtype: 'float64', ndim: 1 }] },
    args: [e.args[0], binsNode ?? '10', at('weights'), at('range')],
    aliases: edges ? binsNode! : null,
  };
}
