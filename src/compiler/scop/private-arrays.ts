// Array privatization (issue 17/18): a local array bound afresh at the top of
// every iteration of a loop (`row = np.sort(A[i])`, `tmp = np.zeros(m)`,
// `w = A[i] * 2.0`, `t = A[i].copy()`) is a new object in each iteration, so
// no value can flow through it from one iteration to another: its carried
// anti, output and flow dependences are artefacts of giving every iteration's
// object one name, and the loop may run in parallel with an object per
// iteration (Numba's prange allocates one per iteration).
//
// The rules (each is needed):
// - fresh: every binding of the name in the function is an allocation or a
//   computed result, never a view (`row = A[i]` writes A through `row`), and no
//   other name views it (`v = tmp[1:]` would reach an earlier iteration's object);
// - first: in the loop body, the first top-level statement that mentions the
//   name is that unconditional binding, and its value does not read the name
//   (`w = w * 2.0` reads the previous iteration's object);
// - dead after: the name is not read after the loop before being bound again
//   (prange would not leave the last iteration's object; poly/liveness.ts).
// Views, conditional allocations and an allocation hoisted before the loop
// therefore keep their dependences, and the loop its verdict.
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import { liveAfter } from '../poly/liveness.js';
import { viewOperand, type TypedFunction } from '../types/check.js';
import { arrayMethod, numpyFunction } from '../types/numpy-table.js';

/** NumPy functions that may return their argument itself rather than a new array. */
const MAY_RETURN_ARGUMENT: ReadonlySet<string> = new Set(['asarray', 'ascontiguousarray', 'asfortranarray', 'asanyarray', 'require', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'squeeze', 'diagonal', 'ravel', 'real', 'imag']);

/**
 * Whether an expression gives a new array that nothing else refers to: an
 * operator's result or a call of a NumPy function or array method that
 * computes one (not a view, not possibly its argument).
 */
export function isFreshArray(tf: TypedFunction, value: Expr): boolean {
  if (tf.types.get(value)?.kind !== 'array') return false;
  if (value.kind === 'binary' || value.kind === 'unary') return true;
  if (value.kind !== 'call' || value.func.kind !== 'attribute') return false;
  const onModule = tf.types.get(value.func.value)?.kind === 'module';
  const name = value.func.attr;
  const row = onModule ? numpyFunction(name) : arrayMethod(name);
  if (!row || row.loop === 'view' || MAY_RETURN_ARGUMENT.has(name)) return false;
  // np.diag of a matrix is its diagonal's view (check-helpers.ts)
  const rank = (x: Expr): number | null => { const t = tf.types.get(x); return t?.kind === 'array' ? t.ndim : null; };
  if (viewOperand(value, (x) => tf.types.get(x)?.kind === 'module', rank)) return false;
  // `a.astype(d, copy=False)` returns a itself when the dtype is a's
  if (value.keywords.some((k) => k.name === 'copy')) return false;
  return true;
}

/** Every name mentioned by a statement or the statements inside it. */
function mentions(s: Stmt, name: string): boolean {
  let found = false;
  walkStmts([s], (x) => {
    const exprs = [...stmtExprs(x), ...(x.kind === 'expr' && x.out ? [x.out] : [])];
    if (x.kind === 'for' && x.target.id === name) found = true;
    for (const e of exprs) walkExpr(e, (y) => { if (y.kind === 'name' && y.id === name) found = true; });
  });
  return found;
}

/** Names some other name views (`v = X[1:]`, `v = X`, `v = X.T`, `v = np.reshape(X, s)`): their objects outlive a rebinding. */
export function viewedNames(tf: TypedFunction, viewRoot: (value: Expr) => string | null): Set<string> {
  const out = new Set<string>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind !== 'assign' || s.target.kind !== 'name') return;
    if (tf.locals.get(s.target.id)?.kind !== 'array') return;
    const root = viewRoot(s.value);
    if (root && root !== s.target.id) {
      out.add(root);
      out.add(s.target.id);
    }
  });
  return out;
}

/**
 * The local arrays private to each iteration of `loop` (the rules above).
 * `aliased`: names involved in a view (viewedNames).
 */
export function privateArrays(tf: TypedFunction, loop: ForStmt, aliased: ReadonlySet<string>): string[] {
  const bindings = new Map<string, Expr[]>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'assign' && s.target.kind === 'name') bindings.set(s.target.id, [...(bindings.get(s.target.id) ?? []), s.value]);
    // (`x op= e` on an array updates the object in place: no binding; a loop variable is no array)
    if (s.kind === 'for') bindings.set(s.target.id, [...(bindings.get(s.target.id) ?? []), s.target]);
  });
  const candidates = new Set<string>();
  for (const [name, values] of bindings) {
    if (tf.locals.get(name)?.kind !== 'array' || aliased.has(name) || tf.params.some((p) => p.name === name)) continue;
    if (values.every((v) => isFreshArray(tf, v))) candidates.add(name);
  }
  const memo = new Map<ForStmt, string[]>();
  return privateTo(tf, loop, candidates, memo);
}

/**
 * The candidates private to `loop`: the first top-level statement of its body
 * that mentions the name binds it (without reading it), or every top-level
 * statement that mentions it is a loop it is private to (`pair = np.zeros(2)`
 * at the top of an inner loop's body); and it is dead after the loop.
 */
function privateTo(tf: TypedFunction, loop: ForStmt, candidates: ReadonlySet<string>, memo: Map<ForStmt, string[]>): string[] {
  const known = memo.get(loop);
  if (known) return known;
  const out: string[] = [];
  let live: Set<string> | null = null;
  for (const name of candidates) {
    const uses = loop.body.filter((b) => mentions(b, name));
    if (uses.length === 0) continue;
    const first = uses[0];
    let ok: boolean;
    if (first.kind === 'assign' && first.target.kind === 'name' && first.target.id === name) {
      let readsItself = false;
      walkExpr(first.value, (y) => { if (y.kind === 'name' && y.id === name) readsItself = true; });
      ok = !readsItself;
    } else {
      ok = uses.every((u) => u.kind === 'for' && u.target.id !== name && stmtExprs(u).every((e) => !mentionsExpr(e, name)) && privateTo(tf, u, candidates, memo).includes(name));
    }
    if (!ok) continue;
    live ??= liveAfter(tf.fn, loop);
    if (!live.has(name)) out.push(name);
  }
  memo.set(loop, out);
  return out;
}

function mentionsExpr(e: Expr, name: string): boolean {
  let found = false;
  walkExpr(e, (y) => { if (y.kind === 'name' && y.id === name) found = true; });
  return found;
}
