// An array parameter re-bound inside the body (`state = state + dt * k` in an RK4 loop, `dist =
// np.minimum(dist, ...)` per Floyd-Warshall step; bench/everyday, issue 17): the checker gives each
// array local one root (what it aliases), and a parameter's root is itself, so such a function was
// refused. Where the function never writes the parameter's memory (the failed check's `written` is
// false: no store through it or a view of it, no callee writing it), a copy of the function reads it
// once into a fresh local (`state__p = state.copy()`) that every later use names: the values read
// are the same, the caller's array is untouched in both, and the fresh local may be re-bound to new
// arrays; top-level statements before the first binding keep reading the parameter (`n =
// cells.shape[0]` stays a size the SCoP and the guard see). (The copy costs one pass over the
// array per call; a returned unchanged parameter is an
// equal array, as Numba's returned arrays are new objects anyway.)
import { childExprs, walkStmts, stmtExprs, type Expr, type FunctionDef, type Stmt } from '../parse/ast.js';
import { allNames } from '../parse/rebinding.js';
import type { TypedFunction } from './typed-function.js';

const REBINDING = /^rebinding the array parameter '([^']+)'/;

/** The parameters a failed check refused only for re-binding, and that it found never written. */
function localizable(tf: TypedFunction): Set<string> {
  const named = new Set<string>();
  for (const d of tf.diagnostics) {
    const m = REBINDING.exec(d.message);
    if (m) named.add(m[1]);
  }
  const out = new Set<string>();
  for (const name of named) {
    const p = tf.params.find((x) => x.name === name);
    if (p && p.kind === 'array' && !p.written) out.add(name);
  }
  return out;
}

function rename(e: Expr, to: Map<string, string>): void {
  if (e.kind === 'name') {
    const now = to.get(e.id);
    if (now) e.id = now;
    return;
  }
  for (const c of childExprs(e)) rename(c, to);
}

/** A copy of fn whose never-written, re-bound array parameters are read into fresh locals first; null when none. */
export function localizeReboundParams(fn: FunctionDef, failed: TypedFunction): FunctionDef | null {
  const names = localizable(failed);
  if (names.size === 0) return null;
  let loopTarget = false;
  walkStmts(fn.body, (s) => {
    if (s.kind === 'for' && names.has(s.target.id)) loopTarget = true;
  });
  if (loopTarget) return null;
  const taken = allNames(fn);
  const copy = structuredClone(fn);
  const to = new Map<string, string>();
  for (const name of names) {
    let fresh = `${name}__p`;
    while (taken.has(fresh)) fresh += '_';
    taken.add(fresh);
    to.set(name, fresh);
  }
  // Top-level statements before the first that binds a parameter read the parameter itself (the same values, never
  // written): `n = cells.shape[0]` stays a size of the parameter, which the SCoP and the guard can use.
  const bound = new Map<string, string>();
  for (const top of copy.body) {
    walkStmts([top], (s) => {
      if (s.kind === 'assign' && s.target.kind === 'name' && to.has(s.target.id)) bound.set(s.target.id, to.get(s.target.id)!);
    });
    walkStmts([top], (s) => {
      for (const e of stmtExprs(s)) rename(e, bound);
    });
  }
  const span = copy.body[0]?.span ?? copy.span;
  const reads: Stmt[] = [...to].map(([name, fresh]) => ({
    kind: 'assign', span, annotation: null,
    target: { kind: 'name', span, id: fresh },
    value: { kind: 'call', span, func: { kind: 'attribute', span, value: { kind: 'name', span, id: name }, attr: 'copy' }, args: [], keywords: [] },
  }));
  // a docstring stays first
  const doc = copy.body[0]?.kind === 'expr' && copy.body[0].value.kind === 'string' ? 1 : 0;
  copy.body.splice(doc, 0, ...reads);
  return copy;
}
