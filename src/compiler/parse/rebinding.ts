// A local re-bound in straight-line code to a value of another type (issue 17):
// `x = conv2d(x, w)` (float64 to float32), `x = np.reshape(x, (N, C))` (4-d to
// 2-d), as a network's forward pass writes it. The checker gives each local
// one type (the join of its assignments), so such a function would lose the
// dtype or the rank. Renaming each later binding (`x`, then `x__1`, `x__2`)
// makes each its own local; Python's meaning is unchanged, since every
// binding is a top-level statement of the body: a use between two bindings
// (nested loops and branches included) sees the earlier one.
//
// Only names whose every binding is a plain `name = value` at the top level
// of the body are renamed (a parameter counts as the first binding); a name
// also bound in a loop or a branch, by a `for`, an augmented assignment, an
// annotated assignment, or a statement outside the subset keeps its name.
// Pure: returns a renamed copy, or null when no name qualifies.
//
// Names local to loops are renamed the same way (loopLocal): a name bound only
// inside top-level `for` loops, each of which binds it before any other mention
// in its body (`gcv = 0.25 * (w[1:, :, k] + ...)` in each of vadv's sweeps), is
// read in no iteration but the one that bound it, so each loop's may be its own
// local (the second loop's `gcv__1`).
import { childExprs, walkExpr, walkStmts, stmtExprs, type Expr, type ForStmt, type FunctionDef, type Stmt } from './ast.js';

/** Every identifier the function's AST mentions (so new names do not collide). */
export function allNames(fn: FunctionDef): Set<string> {
  const names = new Set<string>(fn.params.map((p) => p.name));
  const visit = (e: Expr): void => {
    if (e.kind === 'name') names.add(e.id);
    for (const c of childExprs(e)) visit(c);
  };
  walkStmts(fn.body, (s) => {
    if (s.kind === 'for') names.add(s.target.id);
    for (const e of stmtExprs(s)) visit(e);
  });
  return names;
}

/** The names to rename: two or more bindings, all top-level plain assignments (a parameter being one). */
export function renamable(fn: FunctionDef): Set<string> {
  const top = new Map<string, number>();
  const excluded = new Set<string>();
  for (const u of fn.unsupported) for (const n of u.binds ?? []) excluded.add(n);
  for (const s of fn.body) {
    if (s.kind === 'assign' && s.target.kind === 'name' && !s.annotation) top.set(s.target.id, (top.get(s.target.id) ?? 0) + 1);
    else if (s.kind === 'assign' && s.target.kind === 'name') excluded.add(s.target.id);
  }
  walkStmts(fn.body, (s, depth) => {
    const nested = depth > 0 || !fn.body.includes(s);
    if (s.kind === 'for') excluded.add(s.target.id);
    if (s.kind === 'augassign' && s.target.kind === 'name') excluded.add(s.target.id);
    if (nested && s.kind === 'assign' && s.target.kind === 'name') excluded.add(s.target.id);
  });
  const params = new Set(fn.params.map((p) => p.name));
  const out = new Set<string>();
  for (const [name, count] of top) {
    if (!excluded.has(name) && count + (params.has(name) ? 1 : 0) >= 2) out.add(name);
  }
  return out;
}

/** Whether a statement, or one inside it, mentions the name (a ufunc's `out=` included). */
function mentions(s: Stmt, name: string): boolean {
  let found = false;
  walkStmts([s], (x) => {
    if (x.kind === 'for' && x.target.id === name) found = true;
    for (const e of [...stmtExprs(x), ...(x.kind === 'expr' && x.out ? [x.out] : [])]) walkExpr(e, (y) => { if (y.kind === 'name' && y.id === name) found = true; });
  });
  return found;
}

/**
 * Names local to two or more top-level `for` loops (the header's rule): every
 * top-level statement of the function that mentions the name is such a loop, whose
 * header does not, and the first statement of its body that mentions it is a plain
 * `name = value` whose value does not; no binding is a loop variable, an augmented
 * or annotated assignment or one the subset leaves out; no parameter has the name.
 * The loops that mention it, in order, by name.
 */
export function loopLocal(fn: FunctionDef): Map<string, ForStmt[]> {
  return new Map([...loopBound(fn)].filter(([, loops]) => loops.length >= 2));
}

/** As loopLocal, for names local to one top-level loop or more. */
export function loopBound(fn: FunctionDef): Map<string, ForStmt[]> {
  const excluded = new Set<string>(fn.params.map((p) => p.name));
  for (const u of fn.unsupported) for (const n of u.binds ?? []) excluded.add(n);
  const candidates = new Set<string>();
  walkStmts(fn.body, (s) => {
    if (s.kind === 'for') excluded.add(s.target.id);
    if (s.kind === 'augassign' && s.target.kind === 'name') excluded.add(s.target.id);
    if (s.kind === 'assign' && s.target.kind === 'name') (s.annotation ? excluded : candidates).add(s.target.id);
  });
  const out = new Map<string, ForStmt[]>();
  for (const name of candidates) {
    if (excluded.has(name)) continue;
    const loops: ForStmt[] = [];
    const ok = fn.body.filter((s) => mentions(s, name)).every((s) => {
      if (s.kind !== 'for' || stmtExprs(s).some((e) => mentionsExpr(e, name))) return false;
      const first = s.body.find((b) => mentions(b, name));
      if (!first || first.kind !== 'assign' || first.target.kind !== 'name' || first.target.id !== name || mentionsExpr(first.value, name)) return false;
      loops.push(s);
      return true;
    });
    if (ok && loops.length >= 1) out.set(name, loops);
  }
  return out;
}

function mentionsExpr(e: Expr, name: string): boolean {
  let found = false;
  walkExpr(e, (y) => { if (y.kind === 'name' && y.id === name) found = true; });
  return found;
}

/** Renames the uses in an expression tree (in place, on the copy) by the current versions. */
function renameUses(e: Expr, current: Map<string, string>): void {
  if (e.kind === 'name') {
    const now = current.get(e.id);
    if (now) e.id = now;
    return;
  }
  for (const c of childExprs(e)) renameUses(c, current);
}

function renameNested(body: Stmt[], current: Map<string, string>): void {
  walkStmts(body, (s) => {
    for (const e of stmtExprs(s)) renameUses(e, current);
  });
}

/**
 * The function with each later binding of a re-bound local given its own name, and each later loop's
 * own local of a name local to loops that `renameLoop` accepts (loopLocal); null when none qualifies.
 */
export function renameRebindings(fn: FunctionDef, renameLoop: (name: string) => boolean = () => false): FunctionDef | null {
  const names = renamable(fn);
  const local = [...loopLocal(fn).keys()].filter(renameLoop);
  if (names.size === 0 && local.length === 0) return null;
  const taken = allNames(fn);
  const copy = structuredClone(fn);
  renameTopLevel(copy, names, taken);
  // (after the top-level renaming, which renames no name local to loops: every binding of those is in a loop)
  const loops = loopLocal(copy);
  for (const name of local) {
    loops.get(name)!.forEach((loop, k) => {
      if (k === 0) return; // the first loop's keeps the name
      let fresh = `${name}__${k}`;
      while (taken.has(fresh)) fresh += '_';
      taken.add(fresh);
      const current = new Map([[name, fresh]]);
      walkStmts(loop.body, (s) => {
        for (const e of [...stmtExprs(s), ...(s.kind === 'expr' && s.out ? [s.out] : [])]) renameUses(e, current);
      });
    });
  }
  return copy;
}

/** Each later top-level binding of `names` (in place, on the copy) given its own name. */
function renameTopLevel(copy: FunctionDef, names: ReadonlySet<string>, taken: Set<string>): void {
  const fn = copy;
  const current = new Map<string, string>();
  const seen = new Map<string, number>();
  const params = new Set(fn.params.map((p) => p.name));
  for (const s of copy.body) {
    if (s.kind === 'assign' && s.target.kind === 'name' && names.has(s.target.id)) {
      const name = s.target.id;
      renameUses(s.value, current); // `x = f(x)`: the value reads the binding before
      const k = (seen.get(name) ?? (params.has(name) ? 1 : 0)) + 0;
      seen.set(name, k + 1);
      if (k === 0) continue; // the first binding keeps the name
      let fresh = `${name}__${k}`;
      while (taken.has(fresh)) fresh += '_';
      taken.add(fresh);
      current.set(name, fresh);
      s.target.id = fresh;
      continue;
    }
    for (const e of stmtExprs(s)) renameUses(e, current);
    if (s.kind === 'for' || s.kind === 'while') renameNested(s.body, current);
    if (s.kind === 'if') {
      renameNested(s.body, current);
      renameNested(s.orelse, current);
    }
  }
}
