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
import { childExprs, walkStmts, stmtExprs, type Expr, type FunctionDef, type Stmt } from './ast.js';

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

/** The function with each later binding of a re-bound local given its own name; null when none qualifies. */
export function renameRebindings(fn: FunctionDef): FunctionDef | null {
  const names = renamable(fn);
  if (names.size === 0) return null;
  const taken = allNames(fn);
  const copy = structuredClone(fn);
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
  return copy;
}
