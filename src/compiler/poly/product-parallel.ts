// Poly stage (plan part, issue 16): the prange loops of a nest printed with its
// products (codegen/cpu-variant.ts's fast form). A scatter update
// (poly/product-scatter.ts: symm's `C[k, j] += alpha * B[i, j] * A[i, k]`,
// summed over the enclosing loop i) is what makes i carry a dependence in the
// original; once its additions move after the nest, the statements left in
// the nest may carry none, and the outer loop can run as prange instead of one
// parallel region per iteration of it (symm at MEDIUM: 200 regions of 240 tiny
// iterations, 1 region of 200 rows).
//
// The dependences of the fast form are a subset of those of the scop without
// the scatter updates (folded or not: poly/product-fold.ts): each product loop's update becomes `X[a, b] += c *
// T[a, b]` with T read-only and fresh, which touches X only where the original
// update did (under `if hi - lo > 0` for a triangle), so any dependence it
// carries the original update carried too. So the loops are planned again on
// that reduced scop, with the same rules (planParallelLoops); only loops inside
// the product nests take the new plan, and only when it needs no speculative
// run there (the variant's flags are sized for the original plan).
import type { IslContext } from 'isl-wasm';
import { walkStmts, type Stmt } from '../parse/ast.js';
import type { Scop } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import { loopVerdicts } from './loop-verdicts.js';
import { planParallelLoops, type ParallelPlan } from './parallel-plan.js';
import type { ProductLoop } from './product-loops.js';
import { privatizableLoops } from './private-params.js';

export interface ProductPrange {
  /** The prange loops of the fast form: the reduced plan's inside the product nests, the original's elsewhere. */
  loops: Set<number>;
  /** Product nests' loops that run as prange only in the fast form (for the report). */
  gained: number[];
  /** Every scatter folded into its loop's dot product (poly/product-fold.ts): none is added after the nest. */
  folded: boolean;
}

/** The fast form's prange loops, or null when they are the original's (no scatter, or nothing gained). */
export function productPrange(isl: IslContext, tf: TypedFunction, scop: Scop, products: ReadonlyMap<number, ProductLoop>, original: ParallelPlan): ProductPrange | null {
  const scatters = new Set<Stmt>([...products.values()].flatMap((p) => p.scatters.map((u) => u.update)));
  if (scatters.size === 0) return null;
  const reduced: Scop = { ...scop, statements: scop.statements.filter((s) => s.source === null || !scatters.has(s.source)) };
  let plan: ParallelPlan;
  try {
    plan = planParallelLoops(isl, tf, reduced, loopVerdicts(isl, reduced));
  } catch {
    return null;
  }
  // the loops of the nests printed with products
  const inNests = new Set<number>();
  for (const outer of new Set([...products.values()].map((p) => p.outer))) {
    walkStmts([outer], (s) => { if (s.kind === 'for') inNests.add(s.span.start); });
  }
  const within = (at: number): boolean => inNests.has(at);
  // a speculative run or a blocked sum the original plan does not know of: keep the original loops
  if ([...plan.prangeLoops].some((at) => within(at) && plan.notes.get(at)?.includes('speculatively'))) return null;
  if ([...plan.blocked.keys()].some(within) || plan.speculative.size > original.speculative.size || plan.speculativeIndices.size > original.speculativeIndices.size) return null;
  const loops = new Set<number>([...original.prangeLoops].filter((at) => !within(at)));
  for (const at of plan.prangeLoops) if (within(at)) loops.add(at);
  const gained = [...loops].filter((at) => !original.prangeLoops.has(at));
  if (gained.length === 0) return null;
  const withScatters = [...products.values()].filter((p) => p.scatters.length > 0);
  return { loops, gained, folded: withScatters.every((p) => p.fold !== null) };
}

/** The report's sentence: which loops the products free. */
export function describeProductPrange(tf: TypedFunction, fast: ProductPrange): string {
  const lines: number[] = [];
  walkStmts(tf.fn.body, (s) => { if (s.kind === 'for' && fast.gained.includes(s.span.start)) lines.push(s.span.from.line); });
  const moved = fast.folded ? 'are folded into the products' : 'run after the nest';
  return `with its products, prange on the loop${lines.length > 1 ? 's' : ''} at line ${lines.join(', ')}: the scattered additions ${moved}, so no dependence is left on ${lines.length > 1 ? 'them' : 'it'}`;
}

/**
 * A nest holding a stack of products (poly/product-loops.ts productTerm: doitgen's T[r, q, b], one BLAS
 * product per r before the nest): what is left inside copies rows, and the original plan's prange loops sit
 * inside the stack's loops r and q, which stay sequential (the reset row X[b] carries them): one parallel
 * region per (r, q), 2,000 regions of 60 copies each at MEDIUM, against one pass of copies. Those loops run
 * serially in the fast form; the prange loops elsewhere stay. Null where no stack's nest has such a loop.
 */
export function stackedSerial(products: ReadonlyMap<number, ProductLoop>, original: ParallelPlan, loops: ReadonlySet<number> = original.prangeLoops): Set<number> | null {
  const inside = new Set<number>();
  for (const p of products.values()) {
    const stack = new Set(p.updates.flatMap((u) => u.terms.flatMap((t) => t.stack)));
    if (stack.size === 0) continue;
    walkStmts([p.outer], (s) => {
      if (s.kind === 'for' && stack.has(s.target.id)) walkStmts(s.body, (t) => { if (t.kind === 'for') inside.add(t.span.start); });
    });
  }
  if (![...loops].some((at) => inside.has(at))) return null;
  return new Set([...loops].filter((at) => !inside.has(at)));
}

/**
 * A stack's plane loop (ProductLoop.plane, doitgen's r) that runs as prange in the form printed with
 * products, with the scratch arrays private to each iteration (poly/private-params.ts: doitgen's sum_, which
 * alone makes r sequential; every iteration but the last works on a copy of its own, the last writes the
 * array itself). Each iteration then computes its own plane's product and copies on one thread: one
 * parallel region a call. The fast form's dependences are a subset of the original's (as above: the k loop
 * replaced by reads of T_r, fresh and private to the iteration), so the original scop's proof holds for it.
 * By the plane loop's source offset, its private arrays; null where none qualifies.
 */
export function parallelPlanes(isl: IslContext, tf: TypedFunction, scop: Scop, products: ReadonlyMap<number, ProductLoop>, original: ParallelPlan): Map<number, string[]> | null {
  const planes = new Set([...products.values()].flatMap((p) => (p.plane ? [p.plane] : [])));
  if (planes.size === 0 || !original.boundsChecked) return null;
  if (original.lowered.size > 0 || original.speculative.size > 0 || original.blocked.size > 0 || original.speculativeIndices.size > 0) return null;
  try {
    const verdicts = loopVerdicts(isl, scop);
    const loops = privatizableLoops(isl, tf, scop, verdicts);
    const out = new Map<number, string[]>();
    for (const plane of planes) {
      const k = scop.loops.findIndex((l) => l.span.start === plane.span.start);
      const arrays = k >= 0 ? loops.get(k) : undefined;
      if (!arrays) continue;
      // the plan with those arrays private: every other rule for a prange loop still applies
      const trial: Scop = { ...scop, loops: scop.loops.map((l, j) => (j === k ? { ...l, privateArrays: [...(l.privateArrays ?? []), ...arrays] } : l)) };
      const plan = planParallelLoops(isl, tf, trial, loopVerdicts(isl, trial));
      if (!plan.prangeLoops.has(plane.span.start) || plan.speculative.size > 0 || plan.lowered.size > 0 || plan.blocked.size > 0) continue;
      out.set(plane.span.start, arrays);
    }
    return out.size > 0 ? out : null;
  } catch {
    return null;
  }
}
