// Calls between functions of one module (issue 17). A call `g(x, y)` from a
// checked function to another function `g` of the same module is typed by
// checking g's body with the argument types of the call site (its hints, if
// any, are not what Python runs with): a *specialization*. A specialization
// that is inside the subset is printed once as a plain Numba function (its
// own sequential body, no guard, Numba's bounds checks on) which the caller's
// variant calls directly, so no Python dispatcher runs per call; one that is
// not keeps the caller in Python, and the caller's diagnostic names the
// callee's reason and line. Recursion (direct or through other functions) is
// refused. What the callee writes is known per parameter (ParamInfo.written):
// the caller marks the arrays it passes there as written, and the polyhedral
// stage models the call as reading every array argument and maybe writing
// every written one (scop/extract.ts), a statement that may raise.
import { walkStmts, type Expr, type FunctionDef, type Stmt } from '../parse/ast.js';
import type { CallSite, Specialization, TypedFunction } from './typed-function.js';
import { describe, scalar, type Ty } from './ty.js';
import { staticRange, type Range } from './int-ranges.js';

export type { CallSite, Specialization } from './typed-function.js';

/** What typing a call gives the caller. */
export type CallResult =
  | { ok: true; site: CallSite; returns: Ty; written: Expr[]; closeNotes: TypedFunction['closeNotes'] }
  | { ok: false; message: string };

/** Checks a definition with given parameter types, in the same module context. */
export type CheckWith = (fn: FunctionDef, paramTypes: Ty[], calls: ModuleCalls) => TypedFunction;

/** Defaults the variants can pass as written: numbers and booleans (other expressions would be evaluated once, in Python). */
const LITERAL_DEFAULT = /^(-?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)|True|False)$/;

export class ModuleCalls {
  private readonly specs = new Map<string, Specialization>();
  private readonly perCallee = new Map<string, number>();
  /** Functions being checked now, outermost first: a call to one of them is recursion. */
  private readonly stack: string[] = [];

  constructor(private readonly defs: Map<string, FunctionDef>, private readonly checkWith: CheckWith) {}

  /** Whether `name` is a function of the module. */
  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Runs `check` with `name` on the stack (a top-level function, or a specialization being checked). */
  within<T>(name: string, check: () => T): T {
    this.stack.push(name);
    try {
      return check();
    } finally {
      this.stack.pop();
    }
  }

  /** Types the call `e` of module function `name` with its arguments' types. */
  call(name: string, e: Expr & { kind: 'call' }, args: Ty[], keywords: Map<string, Ty>): CallResult {
    const fn = this.defs.get(name)!;
    if (this.stack.includes(name)) {
      const chain = [...this.stack.slice(this.stack.indexOf(name)), name].join(' -> ');
      return { ok: false, message: `recursive call of '${name}' (${chain}) is not supported` };
    }
    const bound = bindArguments(fn, e, args, keywords);
    if ('message' in bound) return { ok: false, message: bound.message };
    const key = `${name}(${bound.types.map(typeKey).join(', ')})`;
    let spec = this.specs.get(key);
    if (!spec) {
      const k = this.perCallee.get(name) ?? 0;
      this.perCallee.set(name, k + 1);
      const copy = structuredClone(fn);
      const tf = this.within(name, () => this.checkWith(copy, bound.types, this));
      spec = { callee: name, pyName: `_polyray_py_${name}_${k}`, callName: `_polyray_call_${name}_${k}`, tf, refusal: refusal(tf), returnRange: returnRange(tf) };
      this.specs.set(key, spec);
    }
    const where = `'${name}' (line ${fn.span.from.line})`;
    if (spec.refusal) return { ok: false, message: `${where} stays in Python for arguments (${bound.types.map(describe).join(', ')}): ${spec.refusal}` };
    if (spec.tf.returnsView) return { ok: false, message: `${where} returns a view of an argument, which the caller's analysis does not follow` };
    const written = spec.tf.params.flatMap((p, k) => (p.kind === 'array' && p.written && typeof bound.args[k] !== 'string' ? [bound.args[k] as Expr] : []));
    return { ok: true, site: { spec, args: bound.args }, returns: spec.tf.returnTy ?? { kind: 'none' }, written, closeNotes: spec.tf.closeNotes };
  }
}

/** The first reason a specialization stays in Python, with its line; null when it compiles. */
function refusal(tf: TypedFunction): string | null {
  const first = tf.diagnostics[0];
  if (first) return `line ${first.span.from.line}: ${first.message}`;
  // NumPy 2 range-checks a Python int meeting a narrow dtype (the dispatcher does it for a called-from-Python function)
  // Python returns None where the body ends without a return; compiled code would give the caller an optional value
  if (tf.returnTy && tf.returnTy.kind !== 'none' && !alwaysReturns(tf.fn.body)) return `line ${tf.fn.span.from.line}: it returns a value on some paths and None (by reaching its end) on others`;
  const bounded = tf.params.find((p) => p.bounds);
  if (bounded) return `its int parameter '${bounded.name}' meets a narrow dtype, whose range NumPy 2 checks and a call between compiled functions would not`;
  return null;
}

/**
 * The range of a returned Python int whose every return is an integer
 * constant (NumPy 2 range-checks a Python int meeting a narrow dtype: the
 * caller need not, where the constant fits): null otherwise.
 */
function returnRange(tf: TypedFunction): Range | null {
  const t = tf.returnTy;
  if (!t || t.kind !== 'scalar' || t.scalar !== 'int' || t.origin !== 'py') return null;
  let out: Range | null = null;
  let known = true;
  walkStmts(tf.fn.body, (s) => {
    if (s.kind !== 'return' || !s.value) return;
    // constants only: no local, no parameter, no call (ints, negated ints and their sums)
    const r = staticRange(s.value, () => undefined, () => true, () => null);
    if (!r) known = false;
    else out = out ? [out[0] < r[0] ? out[0] : r[0], out[1] > r[1] ? out[1] : r[1]] : r;
  });
  return known ? out : null;
}

/** Every path through the body ends in a return statement (syntactically: the last statement, or both branches of a last if). */
function alwaysReturns(body: Stmt[]): boolean {
  const last = body[body.length - 1];
  if (!last) return false;
  if (last.kind === 'return') return true;
  return last.kind === 'if' && alwaysReturns(last.body) && alwaysReturns(last.orelse);
}

/**
 * Python's binding of a call's arguments to the parameters: positional ones in
 * order, keywords by name, then literal defaults. Types per parameter (what
 * the callee is checked with) and what the variants pass (the argument, or the
 * default's text).
 */
function bindArguments(fn: FunctionDef, e: Expr & { kind: 'call' }, args: Ty[], keywords: Map<string, Ty>): { types: Ty[]; args: (Expr | string)[] } | { message: string } {
  const params = fn.params;
  if (e.args.length > params.length) return { message: `'${fn.name}' takes ${params.length} argument(s), ${e.args.length} given` };
  const types: (Ty | undefined)[] = params.map((_, k) => args[k]);
  const passed: (Expr | string | undefined)[] = params.map((_, k) => e.args[k]);
  for (const kw of e.keywords) {
    const k = params.findIndex((p) => p.name === kw.name);
    if (k < 0) return { message: `'${fn.name}' has no parameter '${kw.name}'` };
    if (passed[k] !== undefined) return { message: `'${fn.name}' got parameter '${kw.name}' twice` };
    types[k] = keywords.get(kw.name);
    passed[k] = kw.value;
  }
  for (const [k, p] of params.entries()) {
    if (passed[k] !== undefined) continue;
    const text = p.defaultText?.trim();
    if (text === undefined) return { message: `'${fn.name}' is called without its parameter '${p.name}'` };
    if (!LITERAL_DEFAULT.test(text)) return { message: `the default value of '${fn.name}''s parameter '${p.name}' is not a number or a bool written in the definition` };
    types[k] = text === 'True' || text === 'False' ? scalar('bool', 'py') : scalar(/^-?\d[\d_]*$/.test(text) ? 'int' : 'float', 'py');
    passed[k] = text;
  }
  for (const [k, t] of types.entries()) {
    if (!t || (t.kind !== 'array' && t.kind !== 'scalar')) return { message: `argument '${params[k].name}' of '${fn.name}' is ${t ? describe(t) : 'missing'}; only arrays and numbers are passed to compiled functions` };
  }
  return { types: types as Ty[], args: passed as (Expr | string)[] };
}

/** What distinguishes two specializations: every part of the argument types the checker reads. */
function typeKey(t: Ty): string {
  if (t.kind === 'array') return `array ${t.dtype ?? '?'} ${t.ndim ?? '?'}`;
  if (t.kind === 'scalar') return `${t.origin} ${t.scalar} ${t.dtype ?? ''}`.trim();
  return t.kind;
}
