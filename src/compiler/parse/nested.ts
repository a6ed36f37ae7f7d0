// Nested functions (issue 17): a `def` at the top level of a function's body
// is lifted to a module-level helper that takes the enclosing locals it reads
// (its *captured* names) as extra leading parameters, and every call of it in
// the enclosing body becomes a call of the helper with those names first. The
// helper then compiles like any function of the module (types/calls.ts).
//
// That is Python's meaning only while each captured name holds, at every call,
// the value it had at the definition: so a captured name may not be bound by
// any statement after the def (a closure would see the new value; the helper
// would get whatever is passed at the call, which is the same, but a binding
// in a loop or branch after the def makes "the same" hard to see, so any
// later binding is refused). Arrays are passed by reference, so writes
// through a captured array are seen by both, as in Python. A name the helper
// binds itself is its own local (Python's rule), never captured. Refused, with
// the def's line and column: a nested function used as a value (passed,
// returned, stored, rebound), called before its def, recursive, calling
// another nested function, with a default value that is not a literal, or
// whose own body is outside the subset.
import type { Span } from '../diagnostics.js';
import { childExprs, stmtExprs, walkStmts, type Expr, type FunctionDef, type Stmt, type Unsupported } from './ast.js';

/** A nested def found at the top level of a body: `at` is the index its successors start from in the converted body. */
export interface NestedDef {
  fn: FunctionDef;
  at: number;
}

export interface Lifted {
  body: Stmt[];
  lifted: FunctionDef[];
  refused: Unsupported[];
}

/** Defaults a nested def may have: literals only (others are evaluated at the def, with the enclosing locals). */
const LITERAL = /^(-?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)|True|False|None)$/;

/** Names a body binds: `x = `, `x op= `, `for x in`, and what dropped statements bind. */
function boundIn(body: Stmt[], unsupported: Unsupported[] = []): Set<string> {
  const out = new Set<string>();
  walkStmts(body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') out.add(s.target.id);
    if (s.kind === 'for') out.add(s.target.id);
  });
  for (const u of unsupported) for (const n of u.binds ?? []) out.add(n);
  return out;
}

/** Every name expression of a body (reads, and targets too), in source order. */
function namesIn(body: Stmt[]): { id: string; span: Span }[] {
  const out: { id: string; span: Span }[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'name') out.push({ id: e.id, span: e.span });
    for (const c of childExprs(e)) visit(c);
  };
  walkStmts(body, (s) => {
    for (const e of stmtExprs(s)) visit(e);
  });
  return out;
}

/** Rewrites, in place, every call `name(...)` to `helper(captured..., ...)`. */
function rewriteCalls(body: Stmt[], name: string, helper: string, captured: string[]): void {
  const visit = (e: Expr): void => {
    for (const c of childExprs(e)) visit(c);
    if (e.kind === 'call' && e.func.kind === 'name' && e.func.id === name) {
      const span = e.func.span;
      e.func = { kind: 'name', span, id: helper };
      e.args = [...captured.map((id): Expr => ({ kind: 'name', span, id })), ...e.args];
    }
  };
  walkStmts(body, (s) => {
    for (const e of stmtExprs(s)) visit(e);
  });
}

function where(span: Span): string {
  return `line ${span.from.line}`;
}

/**
 * Lifts the nested defs of `outer` (its converted body, without the defs).
 * Pure but for the call nodes of `body`, which it rewrites in place. `taken`
 * holds the names the module already uses (the helpers' names avoid them).
 */
export function liftNested(outer: { name: string; params: string[]; body: Stmt[]; unsupported: Unsupported[] }, defs: NestedDef[], taken: Set<string>): Lifted {
  const refused: Unsupported[] = [];
  const lifted: FunctionDef[] = [];
  const nestedNames = new Set(defs.map((d) => d.fn.name));
  const outerLocals = new Set([...outer.params, ...boundIn(outer.body, outer.unsupported)]);
  for (const { fn, at } of defs) {
    // binds: the checker knows the name (a refused def still binds it), so no second error says it is unknown
    const refuse = (span: Span, message: string): void => { refused.push({ span, message, binds: [fn.name] }); };
    const before = outer.body.slice(0, at);
    const after = outer.body.slice(at);
    if (fn.unsupported.length > 0) {
      const u = fn.unsupported[0];
      refuse(fn.span, `nested function '${fn.name}' is outside the subset (${where(u.span)}: ${u.message})`);
      continue;
    }
    if (defs.filter((d) => d.fn.name === fn.name).length > 1 || outerLocals.has(fn.name)) {
      refuse(fn.span, `nested function '${fn.name}' is defined or bound more than once`);
      continue;
    }
    const badDefault = fn.params.find((p) => p.defaultText !== null && !LITERAL.test(p.defaultText.trim()));
    if (badDefault) {
      refuse(badDefault.span, `the default value of nested function '${fn.name}''s parameter '${badDefault.name}' is not a literal (it is evaluated at the def)`);
      continue;
    }
    const own = new Set([...fn.params.map((p) => p.name), ...boundIn(fn.body)]);
    const reads = namesIn(fn.body).filter((n) => !own.has(n.id));
    const self = reads.find((n) => n.id === fn.name);
    if (self) {
      refuse(self.span, `nested function '${fn.name}' calls itself (recursion is not supported)`);
      continue;
    }
    const sibling = reads.find((n) => nestedNames.has(n.id));
    if (sibling) {
      refuse(sibling.span, `nested function '${fn.name}' uses another nested function '${sibling.id}' (not supported)`);
      continue;
    }
    const captured = [...new Set(reads.map((n) => n.id).filter((id) => outerLocals.has(id)))];
    const later = boundIn(after);
    const rebound = captured.find((id) => later.has(id));
    if (rebound) {
      refuse(fn.span, `nested function '${fn.name}' reads '${rebound}', which is bound again after the def (a closure would see the new value)`);
      continue;
    }
    const early = namesIn(before).find((n) => n.id === fn.name);
    if (early) {
      refuse(early.span, `nested function '${fn.name}' is used before its def`);
      continue;
    }
    let helper = `_polyray_nested_${outer.name}_${fn.name}`;
    for (let k = 1; taken.has(helper); k++) helper = `_polyray_nested_${outer.name}_${fn.name}_${k}`;
    // a working copy: rewrite, then look for the uses that are not calls
    const rewritten = structuredClone(after);
    rewriteCalls(rewritten, fn.name, helper, captured);
    const asValue = namesIn(rewritten).find((n) => n.id === fn.name);
    if (asValue) {
      refuse(asValue.span, `nested function '${fn.name}' is used as a value (passed, returned or stored), not only called`);
      continue;
    }
    outer.body.splice(at, after.length, ...rewritten);
    taken.add(helper);
    const params = [...captured.map((name) => ({ name, annotation: null, defaultText: null, span: fn.nameSpan })), ...fn.params];
    lifted.push({ ...fn, name: helper, params, paramsText: `(${params.map((p) => p.name).join(', ')})`, returnsText: null, returns: null });
  }
  return { body: outer.body, lifted, refused };
}
