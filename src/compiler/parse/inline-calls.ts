// Inlining of expression callees (issue 17). A call `g(a, b)` inside a loop of
// another function of the module whose body is assignments to locals and then
// returns, under ifs at most (`if c: return a` then `return b` is `a if c else
// b`), becomes that expression, the parameters replaced by the arguments and
// the locals by their values, before the types stage. The
// caller's loop around it is then modelled like any other: the callee's reads
// are the caller's reads (`dist(X[i], X[j])` reads rows i and j of X, not all
// of X), its math calls are the caller's helpers (which may run speculatively
// in prange, poly/parallel-plan.ts), its returned array has a shape.
//
// Python evaluates the arguments once, in order, then the body's statements in
// order. The expression evaluates each argument or local where it is first
// used, and again at later uses. That is Python's meaning when:
//   - every argument and local whose evaluation may raise (anything but a
//     name, a number or an attribute) is first used unconditionally (not inside
//     a branch of `x if c else y`, the right of `and`/`or`, a chained
//     comparison's later operand), and the operations that may raise run in
//     Python's order: the arguments' first, in order, then the locals' in
//     statement order, then the return expression's (checked by walking the
//     expression in evaluation order: the units' tags never decrease);
//   - a later use computes the same value: nothing in the callee writes (only
//     assignments to names; no `out=` and no method known to write in place),
//     and no argument calls a function of the module (which may write);
//   - a unit containing a call is used once (a second evaluation would cost
//     another call, another array).
// Free names of the callee (np, math, module constants) must mean the same in
// the caller: a caller binding one keeps the call. Recursion keeps the call.
// Inlined nodes take the call's span, so every analysis that asks whether an
// expression lies inside a loop (by span) sees them where the call was; the
// arguments keep their own spans. A call not inlined stays a call
// (types/calls.ts) and the note says why.
import type { Span } from '../diagnostics.js';
import { boundNames, childExprs, type Expr, type FunctionDef, type Module, type Stmt } from './ast.js';

export interface InlineResult {
  module: Module;
  /** Per function name: what was inlined there and which calls were kept, for the report. */
  notes: Map<string, string[]>;
  /** Per function name: the module functions inlined into it, through each other too (compiled code of its variants). */
  inlined: Map<string, Set<string>>;
}

/** A callee reduced to units (parameters, then locals in statement order) and one return expression. */
interface Template {
  fn: FunctionDef;
  /** Each local's value, in statement order. */
  locals: Expr[];
  result: Expr;
  /** Name nodes of the callee's expressions that stand for a unit: parameter k is unit k, local j unit params + j. */
  refs: Map<Expr, number>;
  /** Names the callee reads that it does not bind: they must mean the same in the caller. */
  free: Set<string>;
  /** The module functions inlined into the callee itself. */
  inlined: Set<string>;
}

type Built = { template: Template } | { why: string };

/** What happened to one callee's calls in one caller. */
interface Said {
  inlined: number[];
  kept?: { line: number; why: string };
}

/** Methods of NumPy arrays that write their object (a later use of it would see the write). */
const WRITING_METHODS = new Set(['sort', 'fill', 'resize', 'put', 'itemset', 'partition', 'setflags', 'setfield', 'byteswap']);
/** Defaults substituted as written: numbers and booleans. */
const LITERAL_DEFAULT = /^-?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)$/;
/** Above this many nodes an inlined expression is not worth its size (the call is kept). */
const MAX_NODES = 400;

export function inlineCalls(mod: Module): InlineResult {
  const fns = mod.body.filter((t): t is FunctionDef => t.kind === 'function');
  const defs = new Map([...fns, ...(mod.lifted ?? [])].map((fn) => [fn.name, fn]));
  const inliner = new Inliner(defs);
  const notes = new Map<string, string[]>();
  const inlined = new Map<string, Set<string>>();
  const rewrite = (fn: FunctionDef): FunctionDef => {
    const r = inliner.rewriteFunction(fn);
    if (r.notes.length > 0) notes.set(fn.name, r.notes);
    if (r.inlined.size > 0) inlined.set(fn.name, r.inlined);
    return r.fn;
  };
  const body = mod.body.map((t) => (t.kind === 'function' ? rewrite(t) : t));
  const lifted = mod.lifted?.map(rewrite);
  return { module: { ...mod, body, ...(lifted ? { lifted } : {}) }, notes, inlined };
}

class Inliner {
  private readonly templates = new Map<string, Built>();
  private readonly building: string[] = [];

  constructor(private readonly defs: Map<string, FunctionDef>) {}

  /** The function with every call it can inline inlined, and notes on each callee (once per callee). */
  rewriteFunction(fn: FunctionDef, asCallee = false): { fn: FunctionDef; notes: string[]; inlined: Set<string> } {
    if (fn.unsupported.length > 0) return { fn, notes: [], inlined: new Set() };
    const bound = new Set([...fn.params.map((p) => p.name), ...boundNames(fn.body), ...fn.unsupported.flatMap((u) => u.binds ?? [])]);
    const said = new Map<string, Said>();
    // a callee being inlined will sit inside its caller's loop: its own calls are inlined wherever they are
    const site = new CallSiteRewriter(this, bound, fn.name, said, asCallee ? 1 : 0);
    const body = site.body(fn.body);
    const notes = [...said.entries()].map(([name, s]) => {
      const lines = s.inlined.length > 0 ? `inlined '${name}' (line ${this.defs.get(name)!.span.from.line}) at line ${[...new Set(s.inlined)].join(', ')}: its expression replaces the call, so its reads and exceptions are the caller's` : null;
      const kept = s.kept ? `kept the call of '${name}' at line ${s.kept.line} (not inlined: ${s.kept.why})` : null;
      return [lines, kept].filter((x) => x !== null).join('; ');
    });
    return { fn: { ...fn, body }, notes, inlined: site.inlined };
  }

  /** ` (why)` where the named function's template was refused. */
  private whyNot(name: string): string {
    const built = this.templates.get(name);
    return built && 'why' in built ? ` (${built.why})` : '';
  }

  isModuleFunction(name: string): boolean {
    return this.defs.has(name);
  }

  template(name: string): Built {
    const known = this.templates.get(name);
    if (known) return known;
    if (this.building.includes(name)) return { why: `it is recursive (${[...this.building.slice(this.building.indexOf(name)), name].join(' -> ')})` };
    this.building.push(name);
    let built: Built;
    try {
      built = this.build(this.defs.get(name)!);
    } finally {
      this.building.pop();
    }
    this.templates.set(name, built);
    return built;
  }

  private build(original: FunctionDef): Built {
    if (original.unsupported.length > 0) return { why: 'its body is outside the subset' };
    if (/[*/]/.test(original.paramsText.replace(/=[^,)]*/g, ''))) return { why: 'it takes * or / parameters' };
    // the callee's own calls first (its callees inlined into it, or kept)
    const { fn, inlined } = this.rewriteFunction(original, true);
    const params = fn.params.map((p) => p.name);
    const env = new Map(params.map((p, k) => [p, k]));
    const refs = new Map<Expr, number>();
    const free = new Set<string>();
    const locals: Expr[] = [];
    const resolve = (e: Expr): void => {
      if (e.kind === 'name') {
        const unit = env.get(e.id);
        if (unit !== undefined) refs.set(e, unit);
        else free.add(e.id);
      }
      for (const c of childExprs(e)) resolve(c);
    };
    const stmts = fn.body.filter(kept);
    // assignments to names, then returns under ifs: `if c: return a` / `else: return b` is `a if c else b`
    const k = stmts.findIndex((s) => s.kind !== 'assign');
    const head = k < 0 ? stmts : stmts.slice(0, k);
    const result = k < 0 ? null : returnTree(stmts.slice(k));
    if (!result) {
      const at = k < 0 ? fn.span.from.line : stmts[k].span.from.line;
      return { why: `line ${at}: its body is not assignments to names and then returns (under ifs at most): loops, writes and other statements keep the call` };
    }
    for (const s of head) {
      if (s.kind !== 'assign' || s.target.kind !== 'name' || s.unpackedShape !== undefined || s.unpackedLength !== undefined) {
        return { why: `line ${s.span.from.line}: its body is not assignments to names and then returns (under ifs at most): loops, writes and other statements keep the call` };
      }
      resolve(s.value);
      env.set(s.target.id, params.length + locals.length);
      locals.push(s.value);
    }
    resolve(result);
    // a name the callee assigns is its local everywhere in it (Python's rule): read before its assignment it raises UnboundLocalError
    const assigned = head.map((s) => (s as Stmt & { kind: 'assign' }).target as Expr & { kind: 'name' });
    const early = assigned.find((n) => free.has(n.id));
    if (early) return { why: `it reads '${early.id}' before assigning it` };
    const exprs = [...locals, result];
    for (const e of exprs) {
      let why: string | null = null;
      walk(e, (x) => {
        if (x.kind !== 'call') return;
        if (x.func.kind === 'name' && free.has(x.func.id) && this.defs.has(x.func.id)) why ??= this.building.includes(x.func.id) ? `it is recursive (${[...this.building.slice(this.building.indexOf(x.func.id)), x.func.id].join(' -> ')})` : `it calls '${x.func.id}', which is not inlined${this.whyNot(x.func.id)}`;
        if (x.keywords.some((k) => k.name === 'out')) why ??= 'it writes through `out=`';
        if (x.func.kind === 'attribute' && WRITING_METHODS.has(x.func.attr)) why ??= `'.${x.func.attr}()' writes its array`;
      });
      if (why) return { why };
    }
    return { template: { fn, locals, result, refs, free, inlined } };
  }
}

/**
 * Rewrites one function's statements, inlining the calls it can: those inside
 * loops (where the analyses gain most; `loops` counts the enclosing ones).
 */
class CallSiteRewriter {
  /** The module functions inlined here, through each other too. */
  readonly inlined = new Set<string>();

  constructor(private readonly inliner: Inliner, private readonly bound: Set<string>, private readonly caller: string, private readonly said: Map<string, Said>, private loops: number) {}

  body(stmts: Stmt[]): Stmt[] {
    return stmts.map((s) => this.stmt(s));
  }

  private loopBody(stmts: Stmt[]): Stmt[] {
    this.loops += 1;
    try {
      return this.body(stmts);
    } finally {
      this.loops -= 1;
    }
  }

  private stmt(s: Stmt): Stmt {
    const e = (x: Expr): Expr => this.expr(x);
    switch (s.kind) {
      case 'for':
        return { ...s, range: { start: s.range.start && e(s.range.start), stop: e(s.range.stop), step: s.range.step && e(s.range.step) }, body: this.loopBody(s.body) };
      case 'while':
        return { ...s, test: e(s.test), body: this.loopBody(s.body) };
      case 'if':
        return { ...s, test: e(s.test), body: this.body(s.body), orelse: this.body(s.orelse) };
      // targets are left as written (a call in a subscript target is rare, and is evaluated twice by `op=`)
      case 'assign':
      case 'augassign':
        return { ...s, value: e(s.value) };
      // a call as a statement of its own is a call for its effects: inlining would leave a bare expression
      case 'expr':
        return s.value.kind === 'call' ? { ...s, value: { ...s.value, args: s.value.args.map(e), keywords: s.value.keywords.map((k) => ({ ...k, value: e(k.value) })) } } : { ...s, value: e(s.value) };
      case 'return':
        return s.value ? { ...s, value: e(s.value) } : s;
      default:
        return s;
    }
  }

  /** The expression with its inlinable calls inlined, innermost (arguments) first. */
  private expr(x: Expr): Expr {
    const out = mapChildren(x, (c) => this.expr(c));
    if (out.kind !== 'call' || out.func.kind !== 'name' || this.loops === 0) return out;
    const name = out.func.id;
    if (!this.inliner.isModuleFunction(name) || this.bound.has(name) || name === this.caller) return out;
    const built = this.inliner.template(name);
    const r = 'why' in built ? { why: built.why } : this.inline(built.template, out);
    const said = this.said.get(name) ?? { inlined: [] };
    this.said.set(name, said);
    if ('why' in r) {
      said.kept ??= { line: out.span.from.line, why: r.why };
      return out;
    }
    said.inlined.push(out.span.from.line);
    this.inlined.add(name);
    for (const g of (built as { template: Template }).template.inlined) this.inlined.add(g);
    return r.expr;
  }

  private inline(t: Template, call: Expr & { kind: 'call' }): { expr: Expr } | { why: string } {
    const args = bindArguments(t.fn, call);
    if ('why' in args) return args;
    for (const n of t.free) if (this.bound.has(n)) return { why: `the caller binds '${n}', a name the callee reads from the module` };
    for (const a of args.units) {
      let calls = false;
      walk(a, (x) => { if (x.kind === 'call' && x.func.kind === 'name' && this.inliner.isModuleFunction(x.func.id) && !this.bound.has(x.func.id)) calls = true; });
      if (calls) return { why: 'an argument calls a function of the module, which may write what another argument reads' };
    }
    const units = [...args.units, ...t.locals];
    const order = evaluationOrder(t, units);
    if (order) return { why: order };
    const counts = new Array<number>(units.length).fill(0);
    let size = 0;
    const expand = (e: Expr, span: Span | null): Expr => {
      const unit = t.refs.get(e);
      if (unit !== undefined) {
        counts[unit] += 1;
        // arguments keep their own spans (they are the caller's expressions); locals take the call's
        return unit < args.units.length ? expand(units[unit], null) : expand(units[unit], call.span);
      }
      size += 1;
      return mapChildren({ ...e, span: span ?? e.span } as Expr, (c) => expand(c, span));
    };
    const expr = expand(t.result, call.span);
    if (size > MAX_NODES) return { why: `the inlined expression would have ${size} nodes` };
    for (const [k, n] of counts.entries()) {
      if (n > 1 && containsCall(units[k])) return { why: `${k < args.units.length ? `the argument for '${t.fn.params[k].name}'` : 'a local'} holds a call and is used ${n} times (each use would call again)` };
    }
    return { expr };
  }
}

/**
 * Null when evaluating the expression gives Python's order of everything that
 * may raise (see the file comment), else why not.
 */
function evaluationOrder(t: Template, units: Expr[]): string | null {
  const evaluated = new Set<number>();
  let tag = 0;
  let why: string | null = null;
  const E = units.length;
  const op = (at: number): void => {
    if (at < tag) why ??= 'it would run the callee\'s operations in another order than Python (an argument or local evaluated after work that may raise)';
    tag = Math.max(tag, at);
  };
  const visit = (e: Expr, at: number, conditional: boolean): void => {
    const unit = t.refs.get(e);
    if (unit !== undefined) {
      if (evaluated.has(unit)) return;
      if (conditional && mayRaise(units[unit])) {
        why ??= 'an argument or local that may raise is first used in only one branch';
        return;
      }
      evaluated.add(unit);
      visit(units[unit], unit, conditional);
      return;
    }
    switch (e.kind) {
      case 'boolop':
        visit(e.left, at, conditional);
        op(at);
        visit(e.right, at, true);
        return;
      case 'ifexp':
        visit(e.test, at, conditional);
        op(at);
        visit(e.body, at, true);
        visit(e.orelse, at, true);
        return;
      case 'compare':
        visit(e.left, at, conditional);
        e.comparators.forEach((c, k) => visit(c, at, conditional || k > 0));
        op(at);
        return;
      default:
        for (const c of childExprs(e)) visit(c, at, conditional);
        if (isOperation(e)) op(at);
    }
  };
  visit(t.result, E, false);
  units.forEach((u, k) => {
    if (!evaluated.has(k) && mayRaise(u)) why ??= `${k < t.fn.params.length ? `its parameter '${t.fn.params[k].name}'` : 'a local'} is not used, but evaluating it may raise`;
  });
  return why;
}

/** Statements that do nothing: `pass` and docstrings. */
function kept(s: Stmt): boolean {
  return s.kind !== 'pass' && !(s.kind === 'expr' && s.value.kind === 'string');
}

/**
 * The value returned by statements that are only returns under ifs, as one
 * expression: `if c: <A>` then `<B>` (or `else: <B>`; a branch that does not
 * return goes on with what follows the if) is `A if c else B` (Python tests `c`
 * for truth the same way); statements after a return never run; null for
 * anything else (an assignment in a branch, a path reaching the end).
 */
function returnTree(stmts: Stmt[]): Expr | null {
  const [s, ...rest] = stmts.filter(kept);
  if (!s) return null;
  if (s.kind === 'return') return s.value;
  if (s.kind !== 'if') return null;
  const body = returnTree([...s.body, ...rest]);
  const orelse = body && returnTree([...s.orelse, ...rest]);
  return body && orelse ? { kind: 'ifexp', span: s.span, test: s.test, body, orelse } : null;
}

/** Python's binding of the call's arguments: positional, keywords, then literal defaults (as number expressions). */
function bindArguments(fn: FunctionDef, call: Expr & { kind: 'call' }): { units: Expr[] } | { why: string } {
  if (call.args.length > fn.params.length) return { why: 'too many arguments' };
  const units: (Expr | undefined)[] = fn.params.map((_, k) => call.args[k]);
  for (const kw of call.keywords) {
    const k = fn.params.findIndex((p) => p.name === kw.name);
    if (k < 0 || units[k] !== undefined) return { why: `keyword '${kw.name}' does not bind a free parameter` };
    units[k] = kw.value;
  }
  // keywords run after the positional arguments, in the order written: keep that order only if it is the parameters' order
  const kwOrder = call.keywords.map((kw) => fn.params.findIndex((p) => p.name === kw.name));
  if (kwOrder.some((k, i) => i > 0 && k < kwOrder[i - 1]) && call.keywords.filter((kw) => mayRaise(kw.value)).length > 1) return { why: 'keywords out of the parameters\' order' };
  for (const [k, p] of fn.params.entries()) {
    if (units[k] !== undefined) continue;
    const text = p.defaultText?.trim();
    if (text === undefined) return { why: `parameter '${p.name}' has no argument` };
    const literal = defaultExpr(text, call.span);
    if (!literal) return { why: `the default of '${p.name}' is not a number or a bool` };
    units[k] = literal;
  }
  return { units: units as Expr[] };
}

function defaultExpr(text: string, span: Span): Expr | null {
  if (text === 'True' || text === 'False') return { kind: 'const', span, value: text };
  if (!LITERAL_DEFAULT.test(text)) return null;
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const number: Expr = { kind: 'number', span, text: digits, numberKind: /^\d[\d_]*$/.test(digits) ? 'int' : 'float' };
  return negative ? { kind: 'unary', span, op: '-', operand: number } : number;
}

/** Whether evaluating `e` does anything that may raise (names, numbers, strings and attributes never do). */
function mayRaise(e: Expr): boolean {
  let any = false;
  walk(e, (x) => { if (isOperation(x)) any = true; });
  return any;
}

function isOperation(e: Expr): boolean {
  // (a negative literal never raises)
  if (e.kind === 'unary') return e.operand.kind !== 'number';
  return e.kind === 'binary' || e.kind === 'compare' || e.kind === 'boolop' || e.kind === 'call' || e.kind === 'subscript' || e.kind === 'ifexp';
}

function containsCall(e: Expr): boolean {
  let any = false;
  walk(e, (x) => { if (x.kind === 'call') any = true; });
  return any;
}

function walk(e: Expr, visit: (x: Expr) => void): void {
  visit(e);
  for (const c of childExprs(e)) walk(c, visit);
}

/** A copy of `e` with each direct sub-expression replaced by `f` of it. */
function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'binary':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'unary':
      return { ...e, operand: f(e.operand) };
    case 'compare':
      return { ...e, left: f(e.left), comparators: e.comparators.map(f) };
    case 'boolop':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'call':
      return { ...e, func: f(e.func), args: e.args.map(f), keywords: e.keywords.map((k) => ({ ...k, value: f(k.value) })) };
    case 'attribute':
      return { ...e, value: f(e.value) };
    case 'subscript':
      return { ...e, value: f(e.value), indices: e.indices.map(f) };
    case 'slice':
      return { ...e, lower: e.lower && f(e.lower), upper: e.upper && f(e.upper), step: e.step && f(e.step) };
    case 'tuple':
      return { ...e, elts: e.elts.map(f) };
    case 'ifexp':
      return { ...e, body: f(e.body), test: f(e.test), orelse: f(e.orelse) };
    default:
      return { ...e };
  }
}

