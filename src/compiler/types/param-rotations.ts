// Array parameters whose objects move between their names: `A, B = B, A` at the end of each step of a
// two-buffer Jacobi or heat code (parse/unpack.ts makes it `t0 = B; t1 = A; A = t0; B = t1`). The checker
// gives every array name one root, and a parameter's root is itself, so such a function was refused. A
// binding of a parameter to a bare name holding another parameter's whole object (of one dtype and rank)
// only moves the caller's objects between the names: the variants run the same moves as the original, so
// every write lands in the same caller array. The checker records the moves as groups (a union-find
// forest); each parameter of a group counts as written when one is (the dispatcher then checks that no
// two of them share memory, guards.py), and scop/rotations.ts models the moves as whole-array copies, exact
// while no two live names denote one object, with one shape for the group (checked by the guard).

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

/** The groups of parameters related by moves, each sorted, in order of their first member. */
export function paramGroups(parent: ReadonlyMap<string, string>): string[][] {
  const groups = new Map<string, string[]>();
  for (const name of new Set([...parent.keys(), ...parent.values()])) {
    const root = moveRoot(parent, name);
    groups.set(root, [...(groups.get(root) ?? []), name]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => a[0].localeCompare(b[0]));
}
