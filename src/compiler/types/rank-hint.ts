import type { Ty } from './ty.js';

/**
 * The refusal of a rank-dependent row (axis=, np.diag, np.trace, cumsum along an axis) on an array whose
 * hint names no rank (`npt.NDArray[np.float64]`): says so and how to give the rank. Without a call (the
 * CLI) nothing else tells it; @parallelize takes it from the call (python-bridge/polyray/rankless.py).
 * The list of these forms has one home, python-bridge/polyray/rank_forms.json (the runtime decides before
 * any compile, so Python reads it): a new caller of this function adds its form there, and
 * test/ts/rank-hint.test.ts checks each refusal against it.
 */
export function rankUnknown(what: string, a: Ty | undefined): string | undefined {
  if (a?.kind !== 'array' || a.ndim !== null) return undefined;
  const dtype = a.dtype ?? 'float64';
  return `${what}: the array's rank is unknown (its hint names no dimensions); give it, e.g. np.ndarray[tuple[int, int], np.dtype[np.${dtype}]], or let @parallelize take it from the call`;
}
