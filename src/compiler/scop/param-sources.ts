// What each isl parameter of a SCoP stands for over the function's arguments:
// `A_shape1` is `A.shape[1]` of an array parameter of known rank, `n` an int
// parameter whose isl name is its own. One table, so that the guard's Python
// (scop/extract.ts), the extents of fresh locals and a temporary's extent as
// an expression (scop/temporaries.ts extentExpr) read parameters alike.
import type { TypedFunction } from '../types/check.js';
import { islName } from './affine.js';

/** An array parameter's extent along a dimension, or an int parameter. */
export type ParamSource = { kind: 'extent'; array: string; dim: number } | { kind: 'int'; name: string };

/** isl parameter name -> what it stands for. */
export function paramSources(tf: TypedFunction): Map<string, ParamSource> {
  const out = new Map<string, ParamSource>();
  for (const p of tf.params) {
    if (p.kind === 'array' && p.ndim !== null) for (let d = 0; d < p.ndim; d++) out.set(`${islName(p.name)}_shape${d}`, { kind: 'extent', array: p.name, dim: d });
    if (p.kind === 'int' && islName(p.name) === p.name) out.set(p.name, { kind: 'int', name: p.name });
  }
  return out;
}

/** The source as Python over the arguments: `A.shape[1]`, `n`. */
export function sourcePython(s: ParamSource): string {
  return s.kind === 'extent' ? `${s.array}.shape[${s.dim}]` : s.name;
}

/**
 * An isl expression over the parameters (`A_shape0 - 1`) in Python over the arguments (`A.shape[0] - 1`),
 * or null where it names anything else (a loop's iterator, a local).
 */
export function islToPython(sources: ReadonlyMap<string, ParamSource>, x: string): string | null {
  let ok = true;
  const out = x.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (id) => {
    const s = sources.get(id);
    if (s === undefined) ok = false;
    return s ? sourcePython(s) : id;
  });
  return ok ? out : null;
}
