// Types stage: from parameter hints and simple local inference, decides whether
// a function is inside the subset the CPU variant reproduces exactly, and
// records what code generation and the dispatcher's guards need to know:
// each parameter's kind/dtype/rank and whether it is written, each
// expression's type, and which CPython-semantics helpers the variant calls.
//
// The Checker is a chain of layers, one file each (checker-base.ts, check-statements.ts,
// check-assignments.ts, check-expressions.ts, check-operators.ts, check-calls.ts,
// check-numpy-calls.ts, check-allocations.ts); this file holds the function-level
// pass (parameters, ranks, the fixed point) and the module entry point.
import { stmtExprs, walkExpr, walkStmts, type Expr, type FunctionDef, type Module } from '../parse/ast.js';
import { expandAliases, hintType, makeResolver } from './hints.js';
import { DEFAULT_DTYPE, sameTy, UNKNOWN } from './ty.js';
import { markCast } from './casts.js';
import type { Numerics } from '../numerics.js';
import { ModuleCalls } from './calls.js';
import { checkPreferringRenamed } from './rebinding-check.js';
import { AllocationChecker } from './check-allocations.js';
import { reshapeOperands } from './reshape-operands.js';
import { numpyFunction } from './numpy-table.js';
import type { ParamKind, ParamInfo, ReturnKind, TypedFunction } from './typed-function.js';
import { paramGroups } from './param-rotations.js';
import { OPERATOR_HELPERS, rootParamOrLocal, isNewAxis, chainDepth, countIntLike, numpyScalarType, elementwiseOperands, unpackedShapeBase } from './check-helpers.js';

class Checker extends AllocationChecker {
  run(): TypedFunction {
    const fn = this.fn;
    for (const u of fn.unsupported) this.error(u.span, u.message);
    for (const u of fn.unsupported) for (const name of u.binds ?? []) this.untyped.add(name);
    for (const [k, p] of fn.params.entries()) {
      const given = this.context.paramTypes?.[k];
      if (given) {
        this.params.set(p.name, given);
        continue;
      }
      if (!p.annotation) {
        this.error(p.span, `parameter '${p.name}' has no type hint`);
        this.params.set(p.name, UNKNOWN);
        continue;
      }
      const h = hintType(expandAliases(p.annotation, this.context.typeAliases), this.resolve);
      if (!h.ok) {
        this.error(p.annotation.span, `parameter '${p.name}': ${h.message}`);
        this.params.set(p.name, UNKNOWN);
      } else {
        this.params.set(p.name, h.ty);
      }
    }
    this.discoverRanks();
    this.checkHintedRanks();
    const staticDiagnostics = this.diagnostics.length;
    // Locals are typed to a fixed point: a second pass sees the joins of the first,
    // and array parameters the rank their subscripts showed.
    for (let pass = 0; pass < 4; pass++) {
      // (ranks too: a callee's may pin an argument's, moduleCall)
      const before = JSON.stringify([...this.locals, ...this.ndimSeen]);
      this.diagnostics.splice(staticDiagnostics);
      for (const [name, t] of this.params) {
        if (t.kind === 'array' && this.ndimSeen.has(name)) this.params.set(name, { ...t, ndim: this.ndimSeen.get(name)! });
      }
      this.helpers.clear();
      this.augHelpers.clear();
      this.arrayAug.clear();
      this.casts.clear();
      this.weakParams.clear();
      this.intRanges.clear();
      this.calls.clear();
      this.failedCalls.clear();
      this.callUntyped.clear();
      this.untypedUses.length = 0;
      this.returnTy = null;
      this.returnsValue = false;
      this.returnsView = false;
      this.block(fn.body);
      if (JSON.stringify([...this.locals, ...this.ndimSeen]) === before && pass > 0) break;
    }
    // every call of a module function is compiled (a specialization) or explained by a diagnostic
    if (this.diagnostics.length === 0) {
      walkStmts(fn.body, (st) => {
        for (const e of stmtExprs(st)) walkExpr(e, (x) => {
          const f = x.kind === 'call' ? this.types.get(x.func) : undefined;
          if (f?.kind === 'callable' && f.qualified.startsWith('module.') && !this.calls.has(x)) this.error(x.span, `the call of '${f.qualified.slice(7)}' could not be typed`);
        });
      });
    }
    const usesOperatorHelpers = [...this.helpers.values(), ...this.augHelpers.values()].some((h) => OPERATOR_HELPERS.has(h.helper));
    for (const [node, cast] of this.casts) markCast(node, cast);
    // a compiled callee that needs Python scalars (CPython's division by zero, NEP 50's weak numbers) gets them
    // from this function's parameters: a NumPy scalar passed here would reach it (found by the fuzz, seed 12000000510)
    const calleeNeedsPython = [...this.calls.values()].some((site) => site.spec.refusal === null && site.spec.tf.params.some((q) => q.exact));
    const params: ParamInfo[] = fn.params.map((p) => this.paramInfo(p.name, usesOperatorHelpers || calleeNeedsPython));
    // reshapes read once as operands may copy a non-contiguous array (types/reshape-operands.ts)
    reshapeOperands(fn, this.helpers, (call) => {
      const t = this.types.get(call.func);
      const row = t?.kind === 'callable' && t.qualified.startsWith('numpy.') ? numpyFunction(t.qualified.slice(6)) : undefined;
      return row !== undefined && row.loop !== 'view' && row.loop !== 'none';
    });
    return {
      fn,
      params,
      locals: this.locals,
      types: this.types,
      helpers: this.helpers,
      augHelpers: this.augHelpers,
      arrayAug: this.arrayAug,
      returns: this.returnKind(),
      ...(this.returnTy?.kind === 'tuple' ? { returnScalars: this.returnTy.elts.map(numpyScalarType) } : {}),
      ...(this.returnsValue && this.returnTy && numpyScalarType(this.returnTy) ? { returnScalar: numpyScalarType(this.returnTy)! } : {}),
      diagnostics: [...this.diagnostics].sort((a, b) => a.span.start - b.span.start),
      accelerated: this.diagnostics.length === 0,
      numerics: this.numerics,
      closeNotes: [...this.closeNotes].sort((a, b) => a.line - b.line || a.col - b.col),
      // computed Python ints range-checked by fit_int (types/casts.ts checked): the variants leave those out of range to the original
      ...([...this.casts.values()].some((c) => c.checked) ? { checkedInts: true } : {}),
      ...(this.constantsRead.size ? { constants: Object.fromEntries([...this.constantsRead].sort()) } : {}),
      ...(this.intPowerGuards.size ? { intPowerGuards: [...new Set(this.intPowerGuards.values())] } : {}),
      calls: this.calls,
      returnTy: this.returnsValue ? this.returnTy : null,
      returnsView: this.returnsView,
      ...(paramGroups(this.paramMoves, (n) => this.params.get(n)?.kind === 'array').length ? { paramRotations: paramGroups(this.paramMoves, (n) => this.params.get(n)?.kind === 'array') } : {}),
    };
  }

  /**
   * Ranks of array parameters whose hint does not give one, from how they are
   * subscripted: `A[i, j]` and `A[i][j]` show 2 dimensions; `row = A[i]` then
   * `row[j]` shows 2 as well. Done syntactically before typing, so that typing
   * sees the final ranks and `A[i]` is known to be a row, not an element.
   */
  protected discoverRanks(): void {
    const viewOf = new Map<string, { root: string; consumed: number }>();
    // A chain ending in an index reads elements at that depth: the rank is known.
    // One ending in a slice (`A[i, :]`) only shows the rank is at least that; it is
    // taken as the rank (the guard checks it) unless the array is only ever used
    // whole (`B[:]`), where any rank works and pinning one would only refuse calls.
    const exact = new Map<string, number>();
    const atLeast = new Map<string, number>();
    const partial = new Set<string>();
    const see = (root: string, depth: number, isExact: boolean): void => {
      if (this.params.get(root)?.kind !== 'array') return;
      const into = isExact ? exact : atLeast;
      into.set(root, Math.max(into.get(root) ?? 0, depth));
    };
    // `g(P[i])` of a module function: P[i] may be an element or a row, which g's
    // specialization tells (moduleCall pins the rank then); it shows no rank here
    const callArgs = new Set<Expr>();
    walkStmts(this.fn.body, (s) => {
      for (const e of stmtExprs(s)) walkExpr(e, (x) => {
        if (x.kind === 'call' && x.func.kind === 'name' && this.context.calls?.has(x.func.id) && !this.params.has(x.func.id)) {
          for (const a of [...x.args, ...x.keywords.map((k) => k.value)]) callArgs.add(a);
        }
      });
    });
    const visitExpr = (e: Expr): void =>
      walkExpr(e, (x) => {
        if (x.kind !== 'subscript' || callArgs.has(x)) return;
        const root = rootParamOrLocal(x);
        if (!root) return;
        const last = x.indices[x.indices.length - 1];
        const isExact = !!last && last.kind !== 'slice' && !isNewAxis(last);
        const bare = x.value.kind === 'name' && x.indices.every((i) => i.kind === 'slice' && !i.lower && !i.upper && !i.step);
        if (!bare) partial.add(viewOf.get(root)?.root ?? root);
        const view = viewOf.get(root);
        if (view) see(view.root, view.consumed + chainDepth(x), isExact);
        else see(root, chainDepth(x), isExact);
      });
    // `x[idx]`, `x[x > 0]`, `x[mask]` copy: an index array parameter, a comparison, or a local holding one
    const maskLocals = new Set<string>();
    walkStmts(this.fn.body, (s) => { if (s.kind === 'assign' && s.target.kind === 'name' && s.value.kind === 'compare') maskLocals.add(s.target.id); });
    const copies = (e: Expr & { kind: 'subscript' }): boolean =>
      e.indices.some((i) => i.kind === 'compare' || (i.kind === 'name' && (this.params.get(i.id)?.kind === 'array' || maskLocals.has(i.id))));
    walkStmts(this.fn.body, (s) => {
      if (s.kind === 'assign' && s.target.kind === 'name' && s.value.kind === 'subscript' && !copies(s.value)) {
        const root = rootParamOrLocal(s.value);
        if (root && this.params.get(root)?.kind === 'array') {
          viewOf.set(s.target.id, { root, consumed: countIntLike(s.value) });
        }
      }
    });
    walkStmts(this.fn.body, (s) => {
      for (const e of stmtExprs(s)) visitExpr(e);
      // `dx, dy = p[i] - p[i - 1]` shows that p[i] has a dimension more (parse/unpack.ts)
      if (s.kind === 'assign' && s.unpackedLength !== undefined) {
        for (const x of elementwiseOperands(s.value)) {
          const root = rootParamOrLocal(x);
          const last = x.indices[x.indices.length - 1];
          if (root && last && last.kind !== 'slice' && !isNewAxis(last)) see(viewOf.get(root)?.root ?? root, (viewOf.get(root)?.consumed ?? 0) + chainDepth(x) + 1, true);
        }
      }
      // `n, m = A.shape` shows the rank exactly (parse/unpack.ts)
      const base = unpackedShapeBase(s);
      if (base) see(viewOf.get(base)?.root ?? base, s.kind === 'assign' ? s.unpackedShape! : 0, true);
    });
    for (const root of new Set([...exact.keys(), ...atLeast.keys()])) {
      if (!exact.has(root) && !partial.has(root)) continue;
      this.ndimSeen.set(root, Math.max(exact.get(root) ?? 0, atLeast.get(root) ?? 0));
    }
  }


  /** A rank from the hint (np.ndarray[tuple[int, int], ...]) wins over the subscripts' if they agree. */
  protected checkHintedRanks(): void {
    for (const p of this.fn.params) {
      const t = this.params.get(p.name);
      if (!t || t.kind !== 'array' || t.ndim === null || (!p.annotation && !this.context.paramTypes)) continue;
      const seen = this.ndimSeen.get(p.name);
      if (seen !== undefined && seen > t.ndim) this.error((p.annotation ?? p).span, `parameter '${p.name}' is ${p.annotation && !this.context.paramTypes ? 'hinted as' : 'passed'} ${t.ndim}-d but subscripted with ${seen} indices`);
      else this.ndimSeen.set(p.name, t.ndim);
    }
  }

  protected paramInfo(name: string, exactScalars: boolean): ParamInfo {
    const t = this.params.get(name) ?? UNKNOWN;
    if (t.kind === 'array') {
      // a parameter whose object moves to another name (`A, B = B, A`, `u, un = un, u`) counts as written: a write
      // through that name may reach it (types/param-rotations.ts); one only re-bound (`cells = new`) does not
      const written = this.written.has(name) || this.movedOut.has(name);
      return { name, kind: 'array', dtype: t.dtype, ndim: this.ndimSeen.get(name) ?? null, written, exact: false };
    }
    const kind: ParamKind = t.kind === 'scalar' ? t.scalar : 'unknown';
    const weak = this.weakParams.get(name);
    const info: ParamInfo = { name, kind, dtype: null, ndim: null, written: false, exact: (exactScalars || weak !== undefined) && t.kind === 'scalar' };
    if (weak) info.bounds = [Number(weak[0]), Number(weak[1])];
    if (t.kind === 'scalar' && t.origin === 'np') {
      // a NumPy scalar keeps NumPy's rules: neither CPython's helpers nor a Python scalar's weak promotion apply
      info.exact = false;
      delete info.bounds;
      info.scalarDtype = t.dtype ?? DEFAULT_DTYPE[t.scalar];
    }
    return info;
  }

  protected returnKind(): ReturnKind {
    if (!this.returnsValue || !this.returnTy) return 'none';
    const t = this.returnTy;
    if (t.kind === 'scalar') return t.scalar;
    if (t.kind === 'array') return 'array';
    if (t.kind === 'none') return 'none';
    return 'any'; // tuples too: the dispatcher passes results through as they are
  }
}

export function checkModule(mod: Module, numerics: Numerics = 'exact'): TypedFunction[] {
  const imports = new Map(mod.imports.map((b) => [b.local, b.qualified]));
  const resolve = makeResolver(imports);
  const topNames = new Set<string>();
  // type aliases hints may name (parse/type-aliases.ts), unless a function or import takes the name
  const typeAliases = new Map([...(mod.typeAliases ?? [])].filter(([name]) => !imports.has(name)));
  for (const t of mod.body) if (t.kind === 'function') topNames.add(t.name);
  const fns = mod.body.filter((t): t is FunctionDef => t.kind === 'function');
  // lifted nested defs (parse/nested.ts) are callees only
  for (const fn of mod.lifted ?? []) topNames.add(fn.name);
  // calls between the module's functions: callees checked with the call sites' argument types (types/calls.ts)
  const calls = new ModuleCalls(new Map([...fns, ...(mod.lifted ?? [])].map((fn) => [fn.name, fn])), (fn, paramTypes, ctx) => checkPreferringRenamed(fn, (f) => new Checker(f, imports, resolve, topNames, numerics, { paramTypes, calls: ctx, typeAliases }).run()));
  // module-level constants (parse/constants.ts), read by the functions the dispatcher guards (not by callees yet)
  const constants = new Map((mod.constants ?? []).filter((c) => !imports.has(c.name) && !topNames.has(c.name)).map((c) => [c.name, c]));
  return fns.map((fn) => calls.within(fn.name, () => checkPreferringRenamed(fn, (f) => new Checker(f, imports, resolve, topNames, numerics, { calls, constants, typeAliases }).run())));
}

export type { ParamKind, ParamInfo, ReturnKind, Semantics, TypedFunction } from './typed-function.js';
export { isNewAxis, viewOperand } from './check-helpers.js';
export { walkStmts, sameTy };
