// Typing rules of the sorting rows (issue 17): np.sort / a.sort(), np.argsort /
// a.argsort(), np.unique and np.searchsorted. Pure functions of the call and its
// argument types, used by the checker's arrayRule (types/check-numpy-calls.ts)
// and by call() for the string options these calls take (kind=, side=).
//
// Results must be NumPy's bit for bit in both numerics modes: the helpers
// (python-bridge/polyray/runtime/sort_helpers.py) sort with Numba and ask NumPy
// itself where its unstable order could matter (zeros of both signs, NaNs of
// other bits, equal keys of an argsort). What the rules refuse keeps the
// original: complex arrays (NumPy's lexicographic order with its NaN rules),
// kinds other than the default and the stable ones, order=, sorter=, and the
// extra results of np.unique, which Numba's np.unique does not have.
import type { Expr } from '../parse/ast.js';
import type { Semantics } from './typed-function.js';
import { npScalar, type Ty } from './ty.js';
import { intLiteral } from './check-helpers.js';

/** The dtypes the helpers sort (NumPy's real dtypes Numba compares as NumPy does). */
const SORTABLE = new Set(['bool', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'float32', 'float64']);

/** The calls whose string arguments are options, not values: (qualified name) -> their option keywords and positions. */
const OPTIONS: Record<string, { keyword: string; position: number }> = {
  'numpy.sort': { keyword: 'kind', position: 2 },
  'numpy.argsort': { keyword: 'kind', position: 2 },
  'ndarray.sort': { keyword: 'kind', position: 1 },
  'ndarray.argsort': { keyword: 'kind', position: 1 },
  'numpy.searchsorted': { keyword: 'side', position: 2 },
  // np.fft's norm= ('backward', 'ortho', 'forward'): read by types/fft-calls.ts
  ...Object.fromEntries(['fft', 'ifft', 'rfft', 'irfft', 'fft2', 'ifft2', 'rfft2', 'irfft2', 'fftn', 'ifftn', 'rfftn', 'irfftn']
    .map((f) => [`numpy.fft.${f}`, { keyword: 'norm', position: 3 }])),
};

/** Whether argument `x` (positional `k`, or keyword `name`) of a call of `qualified` is a string option the rule reads itself. */
export function isOptionString(qualified: string, x: Expr, k: number | string): boolean {
  const o = OPTIONS[qualified];
  return o !== undefined && x.kind === 'string' && (k === o.keyword || k === o.position);
}

/** The text of a plain string literal ('stable', "left"), or undefined. */
function stringValue(x: Expr | undefined): string | undefined {
  if (x?.kind !== 'string') return undefined;
  const m = /^(['"])([A-Za-z_]*)\1$/.exec(x.text);
  return m ? m[2] : undefined;
}

/** A positional argument `k` of the call (after the array) or its keyword `name`. */
function option(e: Expr & { kind: 'call' }, offset: number, k: number, name: string): Expr | undefined {
  return e.args[k - 1 + offset] ?? e.keywords.find((w) => w.name === name)?.value;
}

export type RuleResult = { ty: Ty; helper?: Semantics } | { refuse: string };

/**
 * np.sort(a, axis=-1, kind=None) / np.argsort(...) / a.sort(axis=-1, kind=None) /
 * a.argsort(...). `array` is the array's expression (the receiver for methods),
 * `offset` 1 for np.<f> (the array is e.args[0]), 0 for a method.
 */
export function sortRule(e: Expr & { kind: 'call' }, what: 'sort' | 'argsort' | 'sort_inplace', a: Ty | undefined, array: Expr, offset: number): RuleResult {
  const how = what === 'sort_inplace' ? 'a.sort(axis=k, kind=...)' : `np.${what}(a, axis=k, kind=...)`;
  const refuse = (why: string): RuleResult => ({ refuse: `${how} is supported ${why}` });
  if (a?.kind !== 'array' || (a.ndim !== null && a.ndim < 1) || a.dtype === null || !SORTABLE.has(a.dtype)) {
    return refuse('on an array of at least one dimension and a real dtype (NumPy orders complex numbers by its own rules)');
  }
  const known = ['axis', 'kind'];
  // (order= names the fields of structured arrays, which compiled code has none of)
  if (e.keywords.some((w) => !known.includes(w.name)) || e.args.length + (1 - offset) > 3) return refuse('with axis= and kind= only');
  const axisNode = option(e, offset, 1, 'axis');
  // the axis normalized where the rank is known; of an array of any rank (npt.NDArray) the helper
  // normalizes it while typing, and one outside the rank gives no implementation: the original raises AxisError
  let axis: number | null;
  if (axisNode === undefined) axis = a.ndim === null ? -1 : a.ndim - 1;
  else if (axisNode.kind === 'const' && axisNode.value === 'None' && what !== 'sort_inplace') axis = null;
  else {
    const v = intLiteral(axisNode);
    if (v === undefined || (a.ndim !== null && (v < -BigInt(a.ndim) || v >= BigInt(a.ndim)))) {
      return refuse(`with an int literal axis within the array's ${a.ndim ?? ''} dimensions${what === 'sort_inplace' ? '' : ' or None'}`.replace('  ', ' '));
    }
    axis = Number(a.ndim !== null && v < 0n ? v + BigInt(a.ndim) : v);
  }
  const kindNode = option(e, offset, 2, 'kind');
  const kind = kindNode === undefined || (kindNode.kind === 'const' && kindNode.value === 'None') ? 'quicksort' : stringValue(kindNode);
  // heapsort orders equal elements its own way, which the helpers' NumPy fallback (the default kind) would not give
  if (kind !== 'quicksort' && kind !== 'stable' && kind !== 'mergesort') return refuse("with kind 'quicksort', 'stable' or 'mergesort' (a string literal)");
  const stable = kind === 'stable' || kind === 'mergesort' ? 'True' : 'False';
  const args = [array, axis === null ? 'None' : String(axis), stable];
  if (what === 'sort_inplace') return { ty: { kind: 'none' }, helper: { helper: 'sort_inplace', args } };
  const ndim = axis === null ? 1 : a.ndim;
  return { ty: { kind: 'array', dtype: what === 'argsort' ? 'int64' : a.dtype, ndim }, helper: { helper: what, args } };
}

/** np.unique(a): the sorted distinct values, flattened (return_index=, return_counts=, axis=: not in Numba's np.unique). */
export function uniqueRule(e: Expr & { kind: 'call' }, a: Ty | undefined): RuleResult {
  if (e.args.length !== 1 || e.keywords.length > 0) {
    return { refuse: 'np.unique() is supported as np.unique(a) only: Numba\'s np.unique has no return_index, return_inverse, return_counts or axis' };
  }
  if (a?.kind !== 'array' || a.dtype === null || !SORTABLE.has(a.dtype)) return { refuse: 'np.unique() is supported on an array of a real dtype' };
  return { ty: { kind: 'array', dtype: a.dtype, ndim: 1 }, helper: { helper: 'unique', args: [e.args[0]] } };
}

/**
 * np.searchsorted(a, v, side='left'): Numba's own, which is NumPy's binary search
 * (the same comparisons, NaN last, and the same reuse of the previous key's
 * bounds for an array of keys), so also the same answer for an unsorted a.
 * Keys of a's dtype, or Python numbers where NumPy compares in a's dtype too.
 */
export function searchsortedRule(e: Expr & { kind: 'call' }, a: Ty | undefined, v: Ty | undefined): RuleResult {
  const refuse: RuleResult = {
    refuse: "np.searchsorted() is supported as np.searchsorted(a, v, side='left' or 'right') on a 1-d int64, int32, float64 or float32 array a with keys of its dtype (or Python ints, or floats for a float64 a)",
  };
  if (a?.kind !== 'array' || (a.ndim !== null && a.ndim !== 1) || a.dtype === null || !['int64', 'int32', 'float64', 'float32'].includes(a.dtype)) return refuse;
  if (e.keywords.some((w) => w.name !== 'side') || e.args.length < 2 || e.args.length > 3 || (e.args.length === 3 && e.keywords.length > 0)) return refuse;
  const sideNode = e.args[2] ?? e.keywords.find((w) => w.name === 'side')?.value;
  if (sideNode !== undefined && !['left', 'right'].includes(stringValue(sideNode) ?? '')) return refuse;
  const intA = a.dtype.startsWith('int');
  // a Python number is cast to a's dtype by NumPy 2 (NEP 50) and compared there; Numba compares it as int64 or
  // float64, the same values only where a is 64-bit (a float32 a and a Python float would differ)
  const keyOk = (t: Ty): boolean => (t.kind === 'scalar' && t.origin === 'py' && (t.scalar === 'int' ? a.dtype === 'int64' || a.dtype === 'float64' : t.scalar === 'float' && a.dtype === 'float64'))
    || (t.kind === 'scalar' && t.origin === 'np' && t.dtype === a.dtype)
    || (t.kind === 'array' && t.dtype === a.dtype);
  if (v === undefined || !keyOk(v) || (intA && v.kind === 'scalar' && v.scalar === 'float')) return refuse;
  return { ty: v.kind === 'array' ? { kind: 'array', dtype: 'int64', ndim: v.ndim } : npScalar('int64') };
}
