// Boolean masks and integer index arrays as subscripts (`x[mask]`, `x[idx]`,
// `x[mask] = v`, `x[idx] = v`): which forms the CPU variant compiles, and through
// which helper (python-bridge/polyray/runtime/index_helpers.py). Numba compiles
// one advanced index per subscript but checks neither bounds nor mask lengths,
// and does not index by a mask of several dimensions (a store through a 2-d mask
// does not type); the helpers check as NumPy does and loop over a mask of any
// rank, so the forms they cover are accepted and every other one is refused here.

import type { Ty } from './ty.js';
import { describe } from './ty.js';

/** The helpers a subscript with an index array reads or stores through. */
export type IndexArrayHelper = 'mask_get' | 'take' | 'take_nd' | 'mask_rows';
// (a store through `X[mask]` selecting rows is refused before its helper is asked: check-assignments.ts)
export const STORE_HELPER: Record<IndexArrayHelper, 'mask_set' | 'put' | 'put_nd'> = { mask_get: 'mask_set', take: 'put', take_nd: 'put_nd', mask_rows: 'mask_set' };

const INT_DTYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

/** True when a subscript's index is an array (an advanced index), the case this module decides. */
export function isIndexArray(t: Ty): boolean {
  return t.kind === 'array';
}

/**
 * The typing of `base[index]` where index is an array: the helper and the
 * result (a 1-d copy of base's dtype), or the one-line reason it is refused.
 */
export function indexArrayRule(base: Ty & { kind: 'array' }, indices: Ty[]): { helper: IndexArrayHelper; result: Ty } | { error: string } {
  if (indices.length > 1) {
    // `N[I, J]`: one 1-d integer array per dimension, broadcast together (index_helpers.take_nd)
    const ints = indices.every((t) => t.kind === 'array' && t.ndim === 1 && t.dtype !== null && INT_DTYPES.has(t.dtype));
    if (ints && base.ndim === indices.length && (base.ndim === 2 || base.ndim === 3)) return { helper: 'take_nd', result: { kind: 'array', dtype: base.dtype, ndim: 1 } };
    return { error: 'an index array combined with other indices is not supported (only x[mask], x[idx], or one 1-d integer array per dimension of a 2-d or 3-d array)' };
  }
  const ix = indices[0];
  if (ix.kind !== 'array') return { error: `index must be an int, a slice or a 1-d array, found ${describe(ix)}` };
  // a mask of the array's own rank selects its elements in C order (helpers loop over np.ndindex)
  if (ix.dtype === 'bool' && base.ndim !== null && base.ndim >= 2 && ix.ndim === base.ndim) return { helper: 'mask_get', result: { kind: 'array', dtype: base.dtype, ndim: 1 } };
  // `X[labels == j]`: the rows of a 2-d array where a 1-d mask is true, a 2-d copy (index_helpers.mask_rows)
  if (ix.dtype === 'bool' && ix.ndim === 1 && base.ndim === 2) return { helper: 'mask_rows', result: { kind: 'array', dtype: base.dtype, ndim: 2 } };
  if (base.ndim !== 1) return { error: `indexing a ${base.ndim === null ? 'unknown-rank' : `${base.ndim}-d`} array by ${describe(ix)} is not supported (only a 1-d array by a 1-d index array, a 2-d array's rows by a 1-d mask, or any array by a mask of its own rank)` };
  // an integer index array of several dimensions gives a result of its shape
  if (ix.ndim !== null && ix.ndim >= 2 && ix.dtype !== null && INT_DTYPES.has(ix.dtype)) return { helper: 'take', result: { kind: 'array', dtype: base.dtype, ndim: ix.ndim } };
  if (ix.ndim !== 1) return { error: `the index array must be 1-d (or integer), found ${describe(ix)}` };
  if (ix.dtype === 'bool') return { helper: 'mask_get', result: { kind: 'array', dtype: base.dtype, ndim: 1 } };
  if (ix.dtype !== null && INT_DTYPES.has(ix.dtype)) return { helper: 'take', result: { kind: 'array', dtype: base.dtype, ndim: 1 } };
  return { error: `an index array must hold booleans or integers, found ${describe(ix)}` };
}

/** The value stored through `x[mask] = v` / `x[idx] = v`: a number or a 1-d array of a kind that keeps its value. */
export function indexStoreRefusal(target: Ty & { kind: 'array' }, value: Ty): string | null {
  const floatValue = (value.kind === 'scalar' && (value.scalar === 'float' || value.scalar === 'complex')) || (value.kind === 'array' && value.dtype !== null && /^(float|complex)/.test(value.dtype));
  const intTarget = target.dtype !== null && (INT_DTYPES.has(target.dtype) || target.dtype === 'bool');
  if (value.kind === 'array' && value.ndim !== 1) return `the values stored through an index array must be a number or a 1-d array, found ${describe(value)}`;
  if (value.kind !== 'array' && value.kind !== 'scalar') return `the values stored through an index array must be a number or a 1-d array, found ${describe(value)}`;
  if (value.kind === 'scalar' && value.scalar === 'complex') return 'storing a complex number through an index array is not supported';
  if (intTarget && floatValue) return `storing floats into a ${target.dtype} array through an index array is not supported: NaN, inf and out-of-range values convert differently`;
  return null;
}
