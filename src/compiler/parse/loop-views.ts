// A view bound at the top of a loop body and only read there (`datacol = dcol[:, :, k]`,
// then `data_col[:] = datacol` and `... * (datacol - u_pos[:, :, k])`, NPBench's vadv) is
// read through its subscript instead (`data_col[:] = dcol[:, :, k]`), before the types
// stage: a view is an alias the model cannot bound (scop/extract.ts reads a whole array
// through it), so one such name kept every access of the function from being checked
// and the function from running element by element.
//
// Python's meaning is unchanged when every later use reads the same elements the view
// would: in the statements from the binding to the view's last use (nested ones included)
//   - nothing writes the viewed array: it is a local bound only to fresh arrays (an
//     allocation or an operator's result: no parameter, which another argument may
//     alias), and no statement writes it or a name bound to a value that mentions it
//     (`w = dcol[1:]`, transitively), assigns to the view, calls anything with it, the
//     array or a name mentioning it as an argument, or is an expression statement or a
//     while loop;
//   - the subscript's names (`k`) are not re-bound, and its indices are names, numbers
//     and arithmetic (no call evaluated again at each use);
//   - the statement right after the binding reads the view in its value, so that an
//     index out of range raises where the binding would have, before anything is written;
//   - the view is local to its loops (parse/rebinding.ts loopBound): no use reads another
//     iteration's or loop's binding, and the binding is its only one in the loop.
// Pure: returns the rewritten copies and notes for the report.
import { childExprs, stmtExprs, walkExpr, walkStmts, type Expr, type FunctionDef, type Module, type Stmt } from './ast.js';
import { loopBound } from './rebinding.js';

/** NumPy functions whose result is a new array (a local bound only to these, or to operators' results, is fresh). */
const ALLOCATIONS: ReadonlySet<string> = new Set(['ndarray', 'empty', 'zeros', 'ones', 'full', 'empty_like', 'zeros_like', 'ones_like', 'full_like']);

export interface LoopViewsResult {
  module: Module;
  /** Per function name: the views read through their subscripts. */
  notes: Map<string, string[]>;
}

export function inlineLoopViews(mod: Module): LoopViewsResult {
  const notes = new Map<string, string[]>();
  const body = mod.body.map((t) => {
    if (t.kind !== 'function') return t;
    const r = inlineViews(t);
    if (r.notes.length > 0) notes.set(t.name, r.notes);
    return r.fn;
  });
  return { module: { ...mod, body }, notes };
}

function mentionsExpr(e: Expr, names: ReadonlySet<string>): boolean {
  let found = false;
  walkExpr(e, (y) => { if (y.kind === 'name' && names.has(y.id)) found = true; });
  return found;
}

function mentions(s: Stmt, names: ReadonlySet<string>): boolean {
  let found = false;
  walkStmts([s], (x) => {
    if (x.kind === 'for' && names.has(x.target.id)) found = true;
    for (const e of [...stmtExprs(x), ...(x.kind === 'expr' && x.out ? [x.out] : [])]) if (mentionsExpr(e, names)) found = true;
  });
  return found;
}

/** Names whose value may view `array`: itself, and any name bound to a value mentioning one of them. */
function viewsOf(fn: FunctionDef, array: string): Set<string> {
  const out = new Set([array]);
  for (let grew = true; grew;) {
    grew = false;
    walkStmts(fn.body, (s) => {
      if (s.kind === 'assign' && s.target.kind === 'name' && !out.has(s.target.id) && mentionsExpr(s.value, out)) {
        out.add(s.target.id);
        grew = true;
      }
    });
  }
  return out;
}

/** Every binding of the local is a fresh array (an allocation, an operator's result) and it is no parameter. */
function freshLocal(fn: FunctionDef, name: string): boolean {
  if (fn.params.some((p) => p.name === name) || fn.unsupported.some((u) => u.binds?.includes(name))) return false;
  let ok = true;
  let bound = false;
  walkStmts(fn.body, (s) => {
    if (s.kind === 'for' && s.target.id === name) ok = false;
    if (s.kind !== 'assign' || s.target.kind !== 'name' || s.target.id !== name) return;
    bound = true;
    const v = s.value;
    const allocation = v.kind === 'call' && v.func.kind === 'attribute' && ALLOCATIONS.has(v.func.attr);
    if (!allocation && v.kind !== 'binary' && v.kind !== 'unary') ok = false;
  });
  return ok && bound;
}

/** Indices of names, numbers and arithmetic only (slices of them too). */
function plainIndex(e: Expr): boolean {
  if (e.kind === 'slice') return [e.lower, e.upper, e.step].every((x) => x === null || plainIndex(x));
  if (e.kind === 'name' || e.kind === 'number') return true;
  if (e.kind === 'binary' || e.kind === 'unary') return childExprs(e).every(plainIndex);
  return false;
}

function inlineViews(fn: FunctionDef): { fn: FunctionDef; notes: string[] } {
  if (fn.unsupported.length > 0) return { fn, notes: [] };
  const copy = structuredClone(fn);
  const notes: string[] = [];
  for (const [view, loops] of loopBound(copy)) {
    for (const loop of loops) {
      const at = loop.body.findIndex((b) => mentions(b, new Set([view])));
      const binding = loop.body[at];
      if (binding.kind !== 'assign' || binding.target.kind !== 'name') continue;
      const sub = binding.value;
      if (sub.kind !== 'subscript' || sub.value.kind !== 'name' || !sub.indices.every(plainIndex)) continue;
      const array = sub.value.id;
      if (!freshLocal(copy, array)) continue;
      let last = -1;
      loop.body.forEach((b, k) => { if (k > at && mentions(b, new Set([view]))) last = k; });
      const range = loop.body.slice(at + 1, last + 1);
      const next = range[0];
      if (!next || next.kind !== 'assign' || !mentionsExpr(next.value, new Set([view]))) continue;
      if (!safeRange(copy, range, view, array, sub)) continue;
      // read through the subscript: each use a copy of it, the binding dropped
      for (const s of range) {
        walkStmts([s], (x) => {
          for (const e of stmtExprs(x)) replaceName(e, view, sub);
        });
      }
      loop.body.splice(at, 1);
      notes.push(`view '${view}' (line ${binding.span.from.line}) read through its subscript at each use: nothing writes its array '${array}' before its last use`);
    }
  }
  return { fn: notes.length > 0 ? copy : fn, notes };
}

/** The rules of the header for the statements after the binding, up to the view's last use. */
function safeRange(fn: FunctionDef, range: Stmt[], view: string, array: string, sub: Expr & { kind: 'subscript' }): boolean {
  const viewing = viewsOf(fn, array);
  const fixed = new Set([view, array]);
  for (const ix of sub.indices) walkExpr(ix, (y) => { if (y.kind === 'name') fixed.add(y.id); });
  const guarded = new Set([...viewing, view]);
  let ok = true;
  const writesGuarded = (target: Expr): boolean => {
    if (target.kind === 'name') return fixed.has(target.id);
    if (target.kind === 'subscript') return target.value.kind !== 'name' || guarded.has(target.value.id) || fixed.has(target.value.id);
    return true;
  };
  walkStmts(range, (s) => {
    if (s.kind === 'expr' || s.kind === 'while' || s.kind === 'return') ok = false;
    if (s.kind === 'for' && fixed.has(s.target.id)) ok = false;
    if ((s.kind === 'assign' || s.kind === 'augassign') && writesGuarded(s.target)) ok = false;
    for (const e of stmtExprs(s)) {
      walkExpr(e, (y) => {
        if (y.kind === 'call' && [...y.args, ...y.keywords.map((k) => k.value)].some((a) => mentionsExpr(a, guarded))) ok = false;
        if (y.kind === 'call' && y.keywords.some((k) => k.name === 'out')) ok = false;
      });
    }
  });
  return ok;
}

/** Every `name` node of the view in the expression becomes a copy of its subscript (in place, on the copy). */
function replaceName(e: Expr, view: string, sub: Expr): void {
  walkExpr(e, (y) => {
    if (y.kind !== 'name' || y.id !== view) return;
    const node = y as unknown as Record<string, unknown>;
    for (const k of Object.keys(node)) delete node[k];
    Object.assign(node, structuredClone(sub));
  });
}
