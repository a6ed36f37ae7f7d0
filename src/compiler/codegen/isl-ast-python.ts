// Prints an isl AST (a rescheduled SCoP) as the body of the CPU variant. Each
// user node S(e0, e1, ...) is the original statement S with its loop variables
// replaced by the expressions isl computed for them; the outermost loop over a
// parallel schedule dimension on each path becomes a unit-step prange loop.
import type { AstExpr, AstFor, AstNode } from 'isl-wasm';
import type { Expr, Stmt } from '../parse/ast.js';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import { islExprToPython } from './isl-expr.js';
import { INT64, NUMPY, PRANGE } from './names.js';
import { foldedCounter } from './loop-range.js';
import { PythonPrinter, type Override } from './python-printer.js';
import type { LocalAccumulator, PrintedStmt } from './local-accumulators.js';

export class UnprintableAst extends Error {}

// isl names the AST's iterators c0, c1, ...; parameters keep the user's names.
const iteratorName = (id: string): string => (/^c\d+$/.test(id) ? `_polyray_${id}` : id);

/**
 * `balance`: fold the counter of a parallel loop whose inner loops' bounds read
 * its iterator (loop-range.ts); for untiled schedules, where that means a
 * triangular nest (in a tiled one every point loop reads its tile's iterator).
 */
export interface PrintHooks {
  /** How an expression prints instead (helpers), after the loop variables are substituted. */
  expr?: Override;
  /** How a statement prints instead (augmented assignments through helpers). */
  stmt?: (s: Stmt, indent: string, printer: PythonPrinter) => string[] | undefined;
  /** Reads an innermost loop over the given schedule dimension may load once before it (Rescheduled.hoistable). */
  hoistable?: Map<ScopAccess, number>;
  /** The elements an innermost loop's statements may update in locals (codegen/local-accumulators.ts). */
  accumulators?: (body: PrintedStmt[], iterator: string, tag: string) => LocalAccumulator[];
  /**
   * Parallel dimensions whose iterations each get their own copy of these
   * parameter arrays (Rescheduled.privateArrays), the last iteration the array
   * itself: no iteration's writes reach another's, and the final values are the last's.
   */
  privateArrays?: Map<number, { statements: string[]; arrays: string[] }[]>;
}

/** The statements (ids) an AST node runs. */
function statementIds(n: AstNode, out: Set<string> = new Set()): Set<string> {
  switch (n.kind) {
    case 'block':
      for (const c of n.children) statementIds(c, out);
      break;
    case 'for':
      statementIds(n.body, out);
      break;
    case 'if':
      statementIds(n.then, out);
      if (n.else) statementIds(n.else, out);
      break;
    case 'mark':
      statementIds(n.node, out);
      break;
    case 'user':
      if (n.expr.kind === 'op' && n.expr.args[0]?.kind === 'id') out.add(n.expr.args[0].name);
      else out.add('?');
      break;
  }
  return out;
}

/** The name of an array's per-iteration copy inside a privatizing prange loop. */
const privateName = (array: string): string => `_polyray_pv_${array}`;

export function printIslAst(root: AstNode, scop: Scop, parallelDims: Set<number>, indent: string, arrayAug: Map<Stmt, number | null> = new Map(), balance = false, hooks: PrintHooks = {}): string[] {
  const byId = new Map(scop.statements.map((s) => [s.id, s]));
  const expr = (e: AstExpr): string => islExprToPython(e, iteratorName);
  const lines: string[] = [];

  // while an innermost loop's body prints: its hoisted reads, by expression node
  let hoisted = new Map<Expr, string>();
  let hoists = 0;
  // inside a privatizing prange loop: its arrays, as their per-iteration copies
  const renames = new Map<string, string>();
  const statementPrinter = (call: AstExpr): [ScopStatement, PythonPrinter] => {
    if (call.kind !== 'op' || call.op !== 'call' || call.args[0]?.kind !== 'id') throw new UnprintableAst('unexpected user node');
    const s = byId.get(call.args[0].name);
    if (!s || !s.source) throw new UnprintableAst(`unknown statement ${call.args[0].name}`);
    const subst = new Map<string, string>();
    s.loops.forEach((l, k) => subst.set(scop.loops[l].variable, `(${expr(call.args[k + 1])})`));
    const printer: PythonPrinter = new PythonPrinter(
      (e: Expr, print) => hoisted.get(e) ?? (e.kind === 'name' && subst.has(e.id) ? subst.get(e.id) : e.kind === 'name' && renames.has(e.id) ? renames.get(e.id) : hooks.expr?.(e, print)),
      arrayAug,
      { inElements: () => false },
    );
    return [s, printer];
  };
  const statement = (call: AstExpr, ind: string): void => {
    const [s, printer] = statementPrinter(call);
    const stmtHook = hooks.stmt;
    lines.push(...printer.stmts([s.source!], ind, stmtHook ? (st, i) => stmtHook(st, i, printer) : undefined));
  };
  /** `name = read` lines for the hoistable reads of an innermost loop's statements that do not use its iterator. */
  const hoistReads = (body: AstNode, iterator: string, dim: number): string[] => {
    const users = body.kind === 'user' ? [body] : body.kind === 'block' && body.children.every((c) => c.kind === 'user') ? body.children : null;
    if (!users || !hooks.hoistable?.size) return [];
    const ids = users.map((u) => (u.kind === 'user' && u.expr.kind === 'op' && u.expr.args[0]?.kind === 'id' ? u.expr.args[0].name : ''));
    if (new Set(ids).size !== ids.length) return []; // a statement twice: its nodes would need two names
    const out: string[] = [];
    for (const u of users) {
      if (u.kind !== 'user') continue;
      const [s, printer] = statementPrinter(u.expr);
      for (const a of s.accesses) {
        if (!a.node || hooks.hoistable.get(a) !== dim || hoisted.has(a.node)) continue;
        const text = printer.expr(a.node);
        if (new RegExp(`(?<![A-Za-z0-9_])${iterator}(?![A-Za-z0-9_])`).test(text)) continue;
        const name = `_polyray_v${hoists++}`;
        out.push(`${name} = ${text}`);
        hoisted.set(a.node, name);
      }
    }
    return out;
  };

  /** The local accumulators of an innermost loop whose body is statements only, each once (their nodes then print as the locals). */
  let accumulatorCount = 0;
  const accumulate = (body: AstNode, iterator: string): LocalAccumulator[] => {
    const users = body.kind === 'user' ? [body] : body.kind === 'block' && body.children.every((c) => c.kind === 'user') ? body.children : null;
    if (!users || !hooks.accumulators) return [];
    const ids = users.map((u) => (u.kind === 'user' && u.expr.kind === 'op' && u.expr.args[0]?.kind === 'id' ? u.expr.args[0].name : ''));
    if (new Set(ids).size !== ids.length) return [];
    const printed: PrintedStmt[] = users.map((u) => {
      const [s, printer] = statementPrinter((u as AstNode & { kind: 'user' }).expr);
      return { stmt: s.source!, print: (e: Expr) => printer.expr(e) };
    });
    const accs = hooks.accumulators(printed, iterator, String(accumulatorCount));
    if (accs.length > 0) accumulatorCount++;
    return accs;
  };

  const forLoop = (f: AstFor, ind: string, inParallel: boolean): void => {
    const it = iteratorName(f.iterator);
    const init = expr(f.init);
    if (f.degenerate) {
      lines.push(`${ind}${it} = ${init}`);
      node(f.body, ind, inParallel);
      return;
    }
    const c = f.cond;
    if (c.kind !== 'op' || (c.op !== 'le' && c.op !== 'lt') || c.args[0]?.kind !== 'id' || c.args[0].name !== f.iterator) {
      throw new UnprintableAst('loop condition is not an upper bound on its iterator');
    }
    if (f.inc.kind !== 'int' || f.inc.value <= 0) throw new UnprintableAst('loop step is not a positive constant');
    const upper = c.op === 'le' ? `${expr(c.args[1])} + 1` : expr(c.args[1]);
    const step = f.inc.value;
    let accs: LocalAccumulator[] = [];
    const dim = Number(/^c(\d+)$/.exec(f.iterator)?.[1] ?? -1);
    const parallel = !inParallel && parallelDims.has(dim);
    // the arrays private to each iteration of this loop: those of the privatized loop all its statements belong to
    let privates: string[] = [];
    if (parallel && hooks.privateArrays?.has(dim)) {
      const ids = [...statementIds(f.body)];
      privates = hooks.privateArrays.get(dim)!.find((p) => ids.every((id) => p.statements.includes(id)))?.arrays ?? [];
    }
    if (parallel) {
      const k = `_polyray_k${dim}`;
      const count = `max(0, (${upper} - ${init} + ${step - 1}) // ${step})`;
      if (balance && innerBoundsUse(f.body, f.iterator)) {
        // a triangular nest: balance the threads' chunks (loop-range.ts)
        const n = `_polyray_n${dim}`;
        lines.push(`${ind}${n} = ${count}`);
        lines.push(`${ind}for ${k} in ${PRANGE}(${n}):`);
        lines.push(`${ind}    ${it} = ${init} + ${step} * ${foldedCounter(`${INT64}(${k})`, n)}`);
      } else if (privates.length > 0) {
        // the last iteration writes the arrays themselves: their final values are the original's
        const n = `_polyray_n${dim}`;
        lines.push(`${ind}${n} = ${count}`);
        lines.push(`${ind}for ${k} in ${PRANGE}(${n}):`);
        lines.push(`${ind}    ${it} = ${init} + ${step} * ${INT64}(${k})`);
        for (const a of privates) {
          lines.push(`${ind}    ${privateName(a)} = ${a} if ${k} == ${n} - 1 else ${NUMPY}.empty_like(${a})`);
          renames.set(a, privateName(a));
        }
      } else {
        lines.push(`${ind}for ${k} in ${PRANGE}(${count}):`);
        lines.push(`${ind}    ${it} = ${init} + ${step} * ${INT64}(${k})`);
      }
    } else {
      const pre = hoistReads(f.body, it, dim);
      // printed before the hoisted reads print as their names: the loads read the array
      accs = accumulate(f.body, it);
      const loads = accs.map((a) => `${a.name} = ${a.text}`);
      for (const a of accs) for (const n of a.nodes) hoisted.set(n, a.name);
      if (pre.length > 0 || loads.length > 0) {
        // loaded once, and only when the loop runs (an empty loop reads nothing)
        lines.push(`${ind}if ${upper} > ${init}:`, ...[...pre, ...loads].map((l) => `${ind}    ${l}`));
        ind = `${ind}    `;
      }
      lines.push(`${ind}for ${it} in range(${init}, ${upper}${step === 1 ? '' : `, ${step}`}):`);
    }
    const before = lines.length;
    node(f.body, `${ind}    `, inParallel || parallel);
    for (const a of privates) renames.delete(a);
    hoisted = new Map();
    if (lines.length === before) lines.push(`${ind}    pass`);
    // each local stored back once, after the loop
    for (const a of accs) lines.push(`${ind}${a.text} = ${a.name}`);
  };

  const node = (n: AstNode, ind: string, inParallel: boolean): void => {
    switch (n.kind) {
      case 'block':
        for (const c of n.children) node(c, ind, inParallel);
        return;
      case 'for':
        forLoop(n, ind, inParallel);
        return;
      case 'if': {
        lines.push(`${ind}if ${expr(n.cond)}:`);
        const before = lines.length;
        node(n.then, `${ind}    `, inParallel);
        if (lines.length === before) lines.push(`${ind}    pass`);
        if (n.else) {
          lines.push(`${ind}else:`);
          node(n.else, `${ind}    `, inParallel);
        }
        return;
      }
      case 'mark':
        node(n.node, ind, inParallel);
        return;
      case 'user':
        statement(n.expr, ind);
        return;
    }
  };
  node(root, indent, false);
  if (lines.length === 0) lines.push(`${indent}pass`);
  return lines;
}

/** Does a loop or condition inside `n` read the iterator `it` (a triangular nest)? */
function innerBoundsUse(n: AstNode, it: string): boolean {
  const uses = (e: AstExpr): boolean => (e.kind === 'id' ? e.name === it : e.kind === 'op' && e.args.some(uses));
  switch (n.kind) {
    case 'for':
      return uses(n.init) || uses(n.cond) || innerBoundsUse(n.body, it);
    case 'if':
      return uses(n.cond) || innerBoundsUse(n.then, it) || (n.else !== null && innerBoundsUse(n.else, it));
    case 'block':
      return n.children.some((c) => innerBoundsUse(c, it));
    case 'mark':
      return innerBoundsUse(n.node, it);
    case 'user':
      return false;
  }
}
