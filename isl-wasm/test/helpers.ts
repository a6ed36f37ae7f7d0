// Dependence-based checks used by the tests (independent of isl's
// coincident flags): which schedule dimensions carry a dependence, and
// whether a schedule respects all dependences.
import type { IslContext, IslUnionMap } from '../src/index.js';

/** The dependences as pairs of schedule times: { t_src -> t_dst }. */
function timePairs(deps: IslUnionMap, schedule: IslUnionMap): IslUnionMap {
  return deps.applyDomain(schedule).applyRange(schedule);
}

function vars(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/**
 * For a schedule map with `n` output dimensions, dimension d is parallel
 * when no dependence between instances with equal times at 0..d-1 has
 * different times at d.
 */
export function parallelDims(ctx: IslContext, deps: IslUnionMap, schedule: IslUnionMap, n: number): boolean[] {
  return ctx.scope(() => {
    const pairs = timePairs(deps, schedule);
    const params = pairs.params().toString().replace(/\{.*$/, ''); // "[n] -> " or ""
    const t = vars('t', n);
    const u = vars('u', n);
    const out: boolean[] = [];
    for (let d = 0; d < n; ++d) {
      const eq = [...t.slice(0, d).map((v, i) => `${v} = ${u[i]}`), `${t[d]} != ${u[d]}`].join(' and ');
      const carried = ctx.unionMap(`${params}{ [${t.join(', ')}] -> [${u.join(', ')}] : ${eq} }`);
      out.push(pairs.intersect(carried).isEmpty());
    }
    return out;
  });
}

/** Does every dependence go forward in time under `schedule`? */
export function respects(ctx: IslContext, deps: IslUnionMap, schedule: IslUnionMap): boolean {
  return ctx.scope(() => {
    const pairs = timePairs(deps, schedule);
    const times = pairs.domain().union(pairs.range());
    if (times.isEmpty()) return true;
    return pairs.isSubset(times.lexLt(times));
  });
}
