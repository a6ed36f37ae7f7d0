// Array parameters whose objects move between names: `A, B = B, A` at the end of each step of a two-buffer
// Jacobi or heat code, or `u, un = un, u` with `un = np.empty_like(u)` a fresh work array (parse/unpack.ts
// makes a swap `t0 = B; t1 = A; A = t0; B = t1`). The checker gives every array name one root, and a
// parameter's root is itself, so such a function was refused. A binding of a parameter to a bare name
// holding a whole object of the same dtype and rank (another parameter's, or a fresh local's: never a view
// of a parameter), and of a local to or from such a name, only moves objects between the names: the
// variants run the same moves as the original, so every write lands in the same caller array. The checker
// records the moves as groups (a union-find forest over names); a parameter whose object is bound to
// another name counts as written (a write through that name may reach it: the dispatcher then checks that it
// shares no memory with another argument, guards.py; `cells = new` of a fresh `new` leaves the caller's
// object unreachable, unwritten), and scop/rotations.ts models the moves as whole-array copies,
// exact while no two live names denote one object, with one shape for the group (checked by the guard).

/** Joins the groups of two parameters in a union-find forest (parent links). */
export function unionMove(parent: Map<string, string>, a: string, b: string): void {
  const [x, y] = [moveRoot(parent, a), moveRoot(parent, b)];
  if (x !== y) parent.set(x, y);
}

/** The representative of a parameter's group (itself when it never moves). */
export function moveRoot(parent: ReadonlyMap<string, string>, a: string): string {
  while (parent.has(a) && parent.get(a) !== a) a = parent.get(a)!;
  return a;
}

/** The parameters of each group of names related by moves (groups without one left out), sorted. */
export function paramGroups(parent: ReadonlyMap<string, string>, isParam: (name: string) => boolean): string[][] {
  const groups = new Map<string, string[]>();
  for (const name of new Set([...parent.keys(), ...parent.values()])) {
    if (!isParam(name)) continue;
    const root = moveRoot(parent, name);
    groups.set(root, [...(groups.get(root) ?? []), name]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => a[0].localeCompare(b[0]));
}
