// Negative subscripts as Python reads them: `u[i - 1]` at i = 0 is u[-1], the
// last element (how scientists write a periodic left neighbour). The SCoP
// models an affine index as the element it names; where isl finds that it is
// negative in some instance whenever the statement runs, the access becomes the element
// Python reads: `idx` where idx >= 0, `idx + extent` where it is negative
// (ScopAccess.wraps), and the bounds guard then requires only
// -extent <= idx < extent. Without this the guard refused every call whose
// loop reached i = 0, so such a loop, reported parallel, never ran compiled.
// Numba's basic indexing wraps a negative integer index as Python does, on
// the CPU and in CUDA kernels alike.
import type { IslContext } from 'isl-wasm';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import { islName } from '../scop/affine.js';
import { islModel } from './model.js';

/** The SCoP with each access that may index from the end modelled as Python reads it. */
export function wrapNegativeIndices(ctx: IslContext, scop: Scop): Scop {
  if (scop.unanalysable) return scop;
  try {
    return ctx.scope(() => {
      const model = islModel(scop);
      let changed = false;
      const statements = scop.statements.map((s): ScopStatement => {
        const accesses = s.accesses.map((a): ScopAccess => {
          const wraps = candidateDims(a).filter((d) => alwaysReachesBelowZero(ctx, model.head, model.domainOf(s), `${a.dims![d].index} < 0`));
          if (wraps.length === 0) return a;
          changed = true;
          return { ...a, wraps, element: wrappedElement(a, wraps) };
        });
        return accesses === s.accesses ? s : { ...s, accesses };
      });
      return changed ? { ...scop, statements } : scop;
    });
  } catch {
    // (isl gave up: the plain model stands, and the guard refuses a negative index as before)
    return scop;
  }
}

/** Dimensions of an exact element access (no slice, no range) whose index is not a constant. */
function candidateDims(a: ScopAccess): number[] {
  if (a.scalar || !a.exact || !a.dims || a.ranged || a.checked || a.dims.some((d) => d.index === null)) return [];
  // (a negative constant already counts from the end: scop/extract.ts normalizedBound; a constant is never negative)
  return a.dims.flatMap((d, k) => (!d.fromEnd && /[A-Za-z_]/.test(d.index!) ? [k] : []));
}

/**
 * Whether the index is negative in some instance for every parameter value for
 * which the statement runs at all (`u[i - 1]` over range(n) at i = 0): the wrap
 * is how the code is written, not an edge case. An index negative only for some
 * parameters (`x[start + i]`, start < 0) keeps the plain model: its dependences
 * assume no wrap, and the guard sends those calls to the original.
 */
function alwaysReachesBelowZero(ctx: IslContext, head: string, domain: string, negative: string): boolean {
  const runs = ctx.unionSet(`${head} -> { ${domain} }`);
  const below = runs.intersect(ctx.unionSet(`${head} -> { ${domain.split(' : ')[0]} : ${negative} }`));
  return !below.isEmpty() && runs.params().isSubset(below.params());
}

/** `u[o0] : (i - 1 >= 0 and o0 = i - 1) or (i - 1 < 0 and o0 = i - 1 + u_shape0)`. */
function wrappedElement(a: ScopAccess, wraps: number[]): string {
  const dims = a.dims!;
  const parts = dims.map((d, k) => {
    const ix = d.index!;
    return wraps.includes(k) ? `((${ix} >= 0 and o${k} = ${ix}) or (${ix} < 0 and o${k} = ${ix} + ${d.extent}))` : `o${k} = ${ix}`;
  });
  return `${islName(a.array)}[${dims.map((_, k) => `o${k}`).join(', ')}] : ${parts.join(' and ')}`;
}
