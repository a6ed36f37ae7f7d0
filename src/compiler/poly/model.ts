// The SCoP in isl's textual syntax: parameters, iteration domains, the
// original (2d+1) schedule and access relations. One place, so that the
// analysis, the bounds guard and the rescheduler read the same model.
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';

export interface IslModel {
  /** `[n, m]`: the parameter tuple every string starts with. */
  head: string;
  iterators(s: ScopStatement): string[];
  /** `S3[i_0, j_1]`. */
  tuple(s: ScopStatement): string;
  /** `S3[i_0, j_1] : <its domain constraints and any extra ones>`, for inside `{ ... }`. */
  domainOf(s: ScopStatement, extra?: string[]): string;
  domain: string;
  schedule: string;
  /** The domain and schedule of only the statements `pick` selects (one array's dependences need only its statements). */
  restricted(pick: (s: ScopStatement) => boolean): { domain: string; schedule: string };
  /** Access relation of the accesses `pick` selects. */
  accesses(pick: (a: ScopAccess) => boolean): string;
}

export function islModel(scop: Scop, extraParams: string[] = []): IslModel {
  const params = [...new Set([...scop.params, ...extraParams])];
  const head = `[${params.join(', ')}]`;
  const depth = Math.max(1, ...scop.statements.map((s) => s.loops.length));
  const iterators = (s: ScopStatement): string[] => s.loops.map((l) => scop.loops[l].iterator);
  const tuple = (s: ScopStatement): string => `${s.id}[${iterators(s).join(', ')}]`;
  const domainOf = (s: ScopStatement, extra: string[] = []): string => {
    const cs = [...s.constraints, ...extra];
    return `${tuple(s)}${cs.length ? ` : ${cs.join(' and ')}` : ''}`;
  };
  const scheduleOf = (s: ScopStatement): string => {
    const out: string[] = [];
    const its = iterators(s);
    // A loop with a negative step runs its iterator downwards: time is -i.
    const time = (k: number): string => (k < its.length ? (scop.loops[s.loops[k]].descending ? `-${its[k]}` : its[k]) : '0');
    for (let k = 0; k <= depth; k++) {
      out.push(String(s.positions[k] ?? 0));
      if (k < depth) out.push(time(k));
    }
    return `${tuple(s)} -> [${out.join(', ')}]`;
  };
  const restricted = (pick: (s: ScopStatement) => boolean): { domain: string; schedule: string } => {
    const ss = scop.statements.filter(pick);
    return { domain: `${head} -> { ${ss.map((s) => domainOf(s)).join('; ')} }`, schedule: `${head} -> { ${ss.map(scheduleOf).join('; ')} }` };
  };
  const { domain, schedule } = restricted(() => true);
  const accesses = (pick: (a: ScopAccess) => boolean): string =>
    `${head} -> { ${scop.statements.flatMap((s) => s.accesses.filter(pick).map((a) => `${tuple(s)} -> ${a.element}`)).join('; ')} }`;
  return { head, iterators, tuple, domainOf, domain, schedule, restricted, accesses };
}
