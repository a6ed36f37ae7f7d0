// Poly stage (issue 16): a parameter array used as scratch inside a loop
// (doitgen's `sum_`: every iteration of r writes sum_[0:np_] before reading
// it, then copies it into A[r, q, :]) carries only anti and output
// dependences between iterations. Each iteration may then work on a copy of
// its own, the loop running in parallel, as long as the array ends up with
// the original's final values: every iteration writes the same elements, so
// the last iteration's values are the final ones, and the CPU variant lets
// the last iteration write the array itself (codegen/isl-ast-python.ts).
//
// The rules, each needed:
// - X is an array parameter named only in element subscripts (no view, no
//   call, no whole-array use: nothing else reaches its memory); every access of
//   it is exact, every write a must-write (no data-dependent if around it);
// - no read of X inside the loop sees a value from before the iteration: each
//   read instance has a writer, and its last writer is in the same iteration
//   (isl's exact dataflow, one read access at a time);
// - the elements written are the same in every iteration of the loop (for the
//   same outer iterators), so the last iteration writes every element any
//   iteration writes;
// - with these arrays private, the loop's verdict is parallel (the rest of
//   loop-verdicts.ts's rules: scalars, other arrays).
// The verdicts themselves, the GPU and the Ray variants are unchanged (they
// have no private copies): only the CPU variant's locality order uses it.
import type { IslContext } from 'isl-wasm';
import { walkExpr, walkStmts, stmtExprs, type Expr } from '../parse/ast.js';
import type { Scop, ScopStatement } from '../scop/scop.js';
import type { TypedFunction } from '../types/check.js';
import type { LoopVerdict } from '../stage-types.js';
import { loopVerdicts } from './loop-verdicts.js';
import { islModel } from './model.js';

/** Loops (indices into scop.loops) that run in parallel with the named parameter arrays private to each iteration. */
export type PrivatizedLoops = Map<number, string[]>;

/** Whether `name` appears only as the array of scalar element subscripts (`X[i, j]`). */
function onlyElementUses(tf: TypedFunction, name: string): boolean {
  let ok = true;
  const subscripted = new Set<Expr>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for' && s.target.id === name) ok = false;
    const exprs = [...stmtExprs(s), ...(s.kind === 'expr' && s.out ? [s.out] : [])];
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && s.target.id === name) ok = false;
    for (const e of exprs) {
      walkExpr(e, (x) => {
        if (x.kind === 'subscript' && x.value.kind === 'name' && x.value.id === name) {
          const t = tf.types.get(x);
          if (t && t.kind !== 'array') subscripted.add(x.value);
          else ok = false;
        }
      });
      walkExpr(e, (x) => {
        if (x.kind === 'name' && x.id === name && !subscripted.has(x)) ok = false;
      });
    }
  });
  return ok;
}

/**
 * The loops that become parallel when some written array parameters are
 * private to each of their iterations; only loops no enclosing loop of which
 * is parallel, and only those whose verdict is sequential now.
 */
export function privatizableLoops(ctx: IslContext, tf: TypedFunction, scop: Scop, verdicts: Map<number, LoopVerdict>): PrivatizedLoops {
  const out: PrivatizedLoops = new Map();
  if (scop.unanalysable || scop.loops.some((l) => l.whileLoop)) return out;
  const params = tf.params.filter((p) => p.kind === 'array' && p.written).map((p) => p.name);
  if (params.length === 0) return out;
  scop.loops.forEach((loop, index) => {
    if (verdicts.get(loop.span.start)?.parallel !== false || loop.approximate) return;
    const inside = scop.statements.filter((s) => s.loops[loop.depth] === index);
    if (inside.length === 0) return;
    // an enclosing loop that is parallel already runs this one inside its iterations
    const enclosing = inside[0].loops.slice(0, loop.depth);
    if (enclosing.some((l) => verdicts.get(scop.loops[l].span.start)?.parallel !== false || scop.loops[l].approximate)) return;
    const arrays = params.filter((x) => inside.some((s) => s.accesses.some((a) => a.array === x && a.kind === 'write')) && privatizable(ctx, tf, scop, index, inside, x));
    if (arrays.length === 0) return;
    const trial: Scop = { ...scop, loops: scop.loops.map((l, k) => (k === index ? { ...l, privateArrays: [...(l.privateArrays ?? []), ...arrays] } : l)) };
    if (loopVerdicts(ctx, trial).get(loop.span.start)?.parallel) out.set(index, arrays);
  });
  return out;
}

function privatizable(ctx: IslContext, tf: TypedFunction, scop: Scop, index: number, inside: ScopStatement[], x: string): boolean {
  if (!onlyElementUses(tf, x)) return false;
  const uses = scop.statements.flatMap((s) => s.accesses.filter((a) => a.array === x).map((a) => ({ s, a })));
  if (uses.some(({ a }) => a.scalar || !a.exact || a.checked || a.ranged || a.wraps || (a.kind === 'write' && !a.must))) return false;
  if (inside.some((s) => s.conditional && s.accesses.some((a) => a.array === x))) return false;
  const d = scop.loops[index].depth;
  return ctx.withQuota(2_000_000, () =>
    ctx.scope(() => {
      const m = islModel(scop);
      const domain = ctx.unionSet(m.domain);
      const its = (s: ScopStatement): string[] => m.iterators(s).slice(0, d + 1);
      // each statement instance -> the iteration of the loop it belongs to
      const proj = ctx.unionMap(`${m.head} -> { ${inside.map((s) => `${m.tuple(s)} -> L[${its(s).join(', ')}]`).join('; ')} }`).intersectDomain(domain);
      const writes = ctx.unionMap(m.accesses((a) => a.array === x && a.kind === 'write'));
      // every read inside: a writer in the same iteration, never a value from before it
      const sameIteration = proj.applyRange(proj.reverse());
      for (const { s, a } of uses) {
        if (a.kind !== 'read' || !inside.includes(s)) continue;
        const read = `${m.head} -> { ${m.tuple(s)} -> ${a.element} }`;
        const flow = ctx.computeDependences({ domain: m.domain, mustWrites: m.accesses((b) => b.array === x && b.kind === 'write'), mayWrites: `${m.head} -> { }`, reads: read, schedule: m.schedule }).flow;
        const instances = ctx.unionMap(read).intersectDomain(domain).domain();
        if (!instances.isSubset(flow.range())) return false;
        if (!flow.isSubset(sameIteration)) return false;
      }
      // the same elements written in every iteration: the loop's iterations from its bounds (and its enclosing loops')
      const own = inside[0];
      const inner = m.iterators(own).slice(d + 1);
      const bounds = own.constraints.filter((c) => !inner.some((v) => new RegExp(`(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])`).test(c)));
      const iterations = ctx.unionSet(`${m.head} -> { L[${its(own).join(', ')}]${bounds.length ? ` : ${bounds.join(' and ')}` : ''} }`);
      const written = proj.reverse().applyRange(writes.intersectDomain(domain));
      const outer = its(own).slice(0, d);
      const iv = its(own)[d];
      const peers = ctx.unionMap(`${m.head} -> { L[${[...outer, iv].join(', ')}] -> L[${[...outer, `${iv}_peer`].join(', ')}] }`).intersectDomain(iterations).intersectRange(iterations);
      // what some iteration writes, asked of every iteration of the same execution of the loop
      return peers.applyRange(written).isSubset(written);
    }),
  );
}
