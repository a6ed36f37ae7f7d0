// Array buffers rotated between the steps of a loop (issue 17/18): `cur, nxt =
// nxt, cur` (two-buffer Jacobi, heat, Game of Life; parse/unpack.ts makes it
// `t0 = nxt; t1 = cur; cur = t0; nxt = t1`), `cells = new` after `new =
// np.zeros_like(cells)` in every step. The model names arrays by the names
// that reach them, so a name rebound to another name's array looked like an
// alias of it, every access through it inexact, and the space loops
// sequential.
//
// Such a binding `x = y` is modelled as copying every element of y's array
// into x's (a must-write of the whole of x, a read of the whole of y). That is
// what the rebinding means for every later access, as long as no two live
// names ever denote one object: then writing through one name never changes
// what another name reads. It holds when (the rules below, each needed):
// - every binding of a member is a fresh array (an allocation, a copy, an
//   operator's result: a new object) or a bare member name y that is dead after
//   the binding (not read again before being bound again: a move, so x and y
//   are never both used while they denote one object);
// - nothing else gets hold of a member's object: every other assignment whose
//   value mentions a member gives a scalar or a fresh array (no view `row =
//   cur[i]`, no `v = np.asarray(cur)`);
// - members are locals, or array parameters whose only bindings are such moves
//   (types/param-rotations.ts): each starts with its caller's object, which the
//   dispatcher shows shares no memory with another argument (the group's
//   parameters count as written), so the objects are distinct as fresh ones are.
// Names related by moves form a group with one shape, that of its fresh
// bindings (checked equal by the caller; scop/extract.ts): then every access
// through a member is as exact as through a fresh local of that shape.
import { walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import { liveAfter } from '../poly/liveness.js';
import type { TypedFunction } from '../types/check.js';
import { isFreshArray } from './private-arrays.js';

export interface RotationGroup {
  /** The names whose objects are moved between each other. */
  names: Set<string>;
  /** The fresh values bound to members (their shapes must agree). */
  fresh: Expr[];
  /** The array parameters among the names, in order (their shapes and the fresh values' must agree). */
  params: string[];
}

/** The groups of rotated array locals in a function (the rules above); each has at least one move. */
export function rotationGroups(tf: TypedFunction): RotationGroup[] {
  const params = new Set(tf.params.map((p) => p.name));
  const movedParams = new Set((tf.paramRotations ?? []).flat());
  const isArrayLocal = (n: string): boolean => (tf.locals.get(n)?.kind === 'array' && !params.has(n)) || movedParams.has(n);
  const bindings = new Map<string, (Stmt & { kind: 'assign' })[]>();
  const loopTargets = new Set<string>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'assign' && s.target.kind === 'name') bindings.set(s.target.id, [...(bindings.get(s.target.id) ?? []), s]);
    if (s.kind === 'for') loopTargets.add(s.target.id);
  });
  // candidates: array locals bound only to fresh arrays or bare names of array locals
  const members = new Set<string>();
  for (const [name, bs] of bindings) {
    if (!isArrayLocal(name) || loopTargets.has(name)) continue;
    // (a parameter's object is the caller's: it is only moved, never bound to a fresh array)
    if (bs.every((b) => (isFreshArray(tf, b.value) && !params.has(name)) || (b.value.kind === 'name' && isArrayLocal(b.value.id)))) members.add(name);
  }
  // drop until stable: a move from a non-member or from a name live after it; a member reached otherwise
  let changed = true;
  const live = new Map<Stmt, Set<string>>();
  const liveAt = (s: Stmt): Set<string> => {
    let l = live.get(s);
    if (!l) live.set(s, (l = liveAfter(tf.fn, s)));
    return l;
  };
  while (changed) {
    changed = false;
    for (const name of [...members]) {
      const ok = bindings.get(name)!.every((b) => b.value.kind !== 'name' || (members.has(b.value.id) && !liveAt(b).has(b.value.id)));
      if (!ok) {
        members.delete(name);
        changed = true;
      }
    }
    // a member moved into a non-member, or mentioned by another assignment that may keep its object
    walkStmts(tf.fn.body, (s) => {
      // (a store into an element or slice copies the values: no object is kept)
      if (s.kind !== 'assign' || s.target.kind !== 'name' || members.has(s.target.id)) return;
      const t = tf.types.get(s.value);
      const keeps = !(t?.kind === 'scalar' || isFreshArray(tf, s.value));
      if (!keeps) return;
      walkExpr(s.value, (x) => {
        if (x.kind === 'name' && members.has(x.id)) {
          members.delete(x.id);
          changed = true;
        }
      });
    });
  }
  // groups: members connected by moves
  const parent = new Map<string, string>([...members].map((m) => [m, m]));
  const find = (m: string): string => {
    while (parent.get(m) !== m) m = parent.get(m)!;
    return m;
  };
  const moved = new Set<string>();
  for (const name of members) {
    for (const b of bindings.get(name)!) {
      if (b.value.kind !== 'name') continue;
      parent.set(find(name), find(b.value.id));
      moved.add(name);
    }
  }
  const groups = new Map<string, RotationGroup>();
  for (const name of members) {
    const root = find(name);
    const g = groups.get(root) ?? { names: new Set<string>(), fresh: [], params: [] };
    g.names.add(name);
    if (params.has(name)) g.params.push(name);
    for (const b of bindings.get(name)!) if (b.value.kind !== 'name') g.fresh.push(b.value);
    groups.set(root, g);
  }
  for (const g of groups.values()) g.params = tf.params.map((p) => p.name).filter((n) => g.names.has(n));
  // (a member dropped above drops every member moved from it, until stable: a cycle of moves goes whole)
  return [...groups.values()].filter((g) => [...g.names].some((n) => moved.has(n)) && (g.fresh.length > 0 || g.params.length > 0));
}
