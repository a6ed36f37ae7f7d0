// Poly stage (analysis part): exact dependences from isl, one array at a time
// so that a blocked loop can name the array, the two source lines and the
// distance; then, for every loop, whether it carries a dependence at its depth
// in the original schedule. Scalars written before they are read in every
// iteration are private and do not block; `s += ...` is named as a reduction.
import type { IslContext, IslUnionMap } from 'isl-wasm';
import type { LoopVerdict } from '../stage-types.js';
import type { Scop, ScopAccess, ScopStatement } from '../scop/scop.js';
import { islModel, type IslModel } from './model.js';
import type { Expr, Stmt } from '../parse/ast.js';

const ORDINAL = ['', 'one', 'two', 'three', 'four', 'five'];

/** Bound on isl operations per function; past it the loops are reported sequential. */
export const MAX_ISL_OPERATIONS = 2_000_000;

/**
 * `reductions`, when given, receives the loops whose only carried dependences
 * are scalar `+=` reductions (loop start -> the scalars): the candidates for
 * close mode's blocked parallel reductions (poly/blocked-reductions.ts).
 */
export function loopVerdicts(ctx: IslContext, scop: Scop, reductions?: Map<number, string[]>, arrayReductions?: Map<number, string[]>): Map<number, LoopVerdict> {
  const verdicts = new Map<number, LoopVerdict>();
  if (scop.unanalysable) {
    for (const l of scop.loops) verdicts.set(l.span.start, { parallel: false, reason: `not analysed: ${scop.unanalysable}` });
    return verdicts;
  }
  try {
    return ctx.withQuota(MAX_ISL_OPERATIONS, () => ctx.scope(() => analyse(ctx, scop, reductions, arrayReductions)));
  } catch (e) {
    // Past the bound isl reports the next operation's failure (often a read), so
    // the reason names the bound first.
    const why = (e instanceof Error ? e.message.split('\n')[0] : String(e)).slice(0, 160);
    reductions?.clear();
    arrayReductions?.clear();
    for (const l of scop.loops) {
      verdicts.set(l.span.start, {
        parallel: false,
        reason: `sequential: dependence analysis stopped at the bound of ${MAX_ISL_OPERATIONS.toLocaleString('en')} isl operations per function or on an isl error (${why}); the original schedule is kept`,
      });
    }
    return verdicts;
  }
}

function analyse(ctx: IslContext, scop: Scop, reductions?: Map<number, string[]>, arrayReductions?: Map<number, string[]>): Map<number, LoopVerdict> {
  const model = islModel(scop);
  const params = model.head;
  const iters = model.iterators;
  const arrays = [...new Set(scop.statements.flatMap((s) => s.accesses.map((a) => a.array)))];
  const accessMap = (arr: string, pick: (a: ScopAccess) => boolean): string => model.accesses((a) => a.array === arr && pick(a));
  const verdicts = new Map<number, LoopVerdict>();
  // Dependences of each array, as pairs of statements.
  const deps = arrays.map((arr) => {
    // (only the statements that access the array: the others neither depend nor kill, and parsing the whole
    // function's domain and schedule once per array ran vadv's 41 statements past the bound on isl operations)
    const own = model.restricted((s) => s.accesses.some((a) => a.array === arr));
    const d = ctx.computeDependences({
      domain: own.domain,
      mustWrites: accessMap(arr, (a) => a.kind === 'write' && a.must),
      mayWrites: accessMap(arr, (a) => a.kind === 'write' && !a.must),
      reads: accessMap(arr, (a) => a.kind === 'read'),
      schedule: own.schedule,
    });
    return { arr, kinds: [['flow', d.flow], ['anti', d.anti], ['output', d.output]] as const };
  });
  scop.loops.forEach((loop, index) => {
    if (loop.whileLoop) {
      verdicts.set(loop.span.start, { parallel: false, reason: 'a while loop: whether an iteration runs depends on the ones before it' });
      return;
    }
    const inside = scop.statements.filter((s) => s.loops.includes(index));
    const d = loop.depth;
    const blockers: string[] = [];
    let reduction: string | null = null;
    const reduced = new Set<string>();
    let sumsOnly = true;
    // arrays whose every access in the loop is one update `R[e] = R[e] + t` / `R[e] += t` / `R[e] -= t`
    const summedArrays = new Set<string>();
    let otherBlockers = false;
    const privateArrays = new Set(loop.privateArrays ?? []);
    const outside = scop.statements.filter((s) => !s.loops.includes(index));
    // (the loop's filters of carried pairs, read once for all its arrays and kinds)
    const filters = new Map<string, IslUnionMap>();
    for (const { arr, kinds } of deps) {
      // an array bound afresh at the top of every iteration (scop/private-arrays.ts): a new object per iteration
      if (privateArrays.has(arr)) continue;
      // A scalar redefined first in every iteration is private: its anti and
      // output dependences are not carried. Its value flows in from an earlier
      // iteration only where the redefinition may not run (an empty loop
      // inside, a while loop): that flow is still carried, and a value
      // flowing in from before the loop makes it shared.
      const flow = kinds[0][1];
      const candidate = isPrivateScalar(arr, inside);
      const dominated = candidate && readsAfterDefinition(arr, inside, d);
      const privateScalar = candidate && (dominated || !flowsIn(ctx, params, flow, outside, inside, iters));
      for (const [kind, rel] of kinds) {
        if (privateScalar && (dominated || kind !== 'flow')) continue;
        const carried = carriedPairs(ctx, params, rel, inside, d, iters, filters);
        if (carried.length === 0) continue;
        const red = reductionOf(arr, inside);
        if (red) {
          reduction ??= red;
          reduced.add(arr);
          if (!sumReduction(arr, inside)) sumsOnly = false;
          continue;
        }
        // (still named as what blocks the loop: close mode may run it in blocks, exact mode not)
        if (arraySumOf(arr, inside)) summedArrays.add(arr);
        else otherBlockers = true;
        const [src, dst, distance, hit] = carried[0];
        const [a, b] = participatingAccesses(ctx, model, kind, arr, src, dst, hit);
        blockers.push(describeDependence(kind, a, b, src, dst, loop.label ?? loop.variable, distance) + approximation(a, b, scop, src, dst));
      }
    }
    if (blockers.length > 0) {
      verdicts.set(loop.span.start, { parallel: false, reason: blockers[0] });
      if (!otherBlockers && !reduction && summedArrays.size > 0) arrayReductions?.set(loop.span.start, [...summedArrays].sort());
    } else if (reduction) {
      if (sumsOnly) reductions?.set(loop.span.start, [...reduced].sort());
      const how = sumsOnly ? '' : '; only sums are reassociated, so it runs sequentially';
      verdicts.set(loop.span.start, { parallel: false, reason: `${reduction}: a reduction across iterations of ${loop.label ?? loop.variable}${how}` });
    } else {
      const approx = loop.approximate ? ' (bounds over-approximated)' : '';
      const names = [...privateArrays].map((n) => `'${n}'`).join(', ');
      const own = privateArrays.size === 0 ? '' : ` (${names} ${privateArrays.size === 1 ? 'is' : 'are'} allocated afresh in every iteration: private to it)`;
      // (test/verdicts/permute.py reads this note: negative subscripts are then inside the claim)
      const wrapped = inside.flatMap((s) => s.accesses).find((a) => a.wraps);
      const wraps = wrapped ? ` (${wrapped.text} reads from the end where its index is negative, as in Python)` : '';
      verdicts.set(loop.span.start, {
        parallel: true,
        reason: `no dependence is carried by ${loop.label ?? loop.variable}${approx}${own}${wraps}: its iterations are independent whenever every subscript is in bounds`,
      });
    }
  });
  return verdicts;
}

/** Statement pairs (and the distance, when constant) whose dependence crosses iterations at `depth`. */
function carriedPairs(
  ctx: IslContext,
  params: string,
  rel: IslUnionMap,
  inside: ScopStatement[],
  depth: number,
  iters: (s: ScopStatement) => string[],
  filters: Map<string, IslUnionMap>,
): [ScopStatement, ScopStatement, number | null, IslUnionMap][] {
  const out: [ScopStatement, ScopStatement, number | null, IslUnionMap][] = [];
  if (rel.isEmpty()) return out;
  const filter = (key: string, pairs: string[]): IslUnionMap => {
    let f = filters.get(key);
    if (!f) filters.set(key, (f = ctx.unionMap(`${params} -> { ${pairs.join('; ')} }`)));
    return f;
  };
  const pair = (s: ScopStatement, t: ScopStatement): string => {
    const sv = iters(s).map((_, k) => `s${k}`);
    const tv = iters(t).map((_, k) => `t${k}`);
    const eq = Array.from({ length: depth }, (_, k) => `s${k} = t${k}`);
    const cond = [...eq, `(s${depth} < t${depth} or s${depth} > t${depth})`].join(' and ');
    return `${s.id}[${sv.join(', ')}] -> ${t.id}[${tv.join(', ')}] : ${cond}`;
  };
  // one intersection for the loop first, then per source statement, then per pair only where those hit: the
  // pairs are quadratic in the loop's statements, and most arrays carry nothing (vadv's 12-statement sweeps
  // ran past the bound on isl operations pair by pair)
  if (rel.intersect(filter('*', inside.flatMap((s) => inside.map((t) => pair(s, t))))).isEmpty()) return out;
  for (const s of inside) {
    if (rel.intersect(filter(s.id, inside.map((t) => pair(s, t)))).isEmpty()) continue;
    for (const t of inside) {
      const hit = rel.intersect(filter(`${s.id} ${t.id}`, [pair(s, t)]));
      if (!hit.isEmpty()) {
        let distance: number | null = null;
        if (s === t) {
          const m = /\{\s*\w+\[([^\]]*)\]/.exec(hit.deltas().toString());
          const parts = m ? m[1].split(',').map((x) => x.replace(/^.*=/, '').trim()) : [];
          if (parts.length > depth && /^-?\d+$/.test(parts[depth])) distance = Math.abs(Number(parts[depth]));
        }
        out.push([s, t, distance, hit]);
      }
    }
  }
  return out;
}

/**
 * Every read of the scalar follows its first (redefining) statement in the same
 * iteration: that statement is in the loop's own body, or every statement using
 * the scalar is in the same innermost loop body after it (`r = x % y; y = r` in a
 * while loop). Then no value reaches a read from elsewhere.
 */
function readsAfterDefinition(arr: string, inside: ScopStatement[], depth: number): boolean {
  const uses = inside.filter((s) => s.accesses.some((a) => a.array === arr));
  const def = uses[0];
  if (!def) return false;
  if (def.loops.length === depth + 1) return true;
  return uses.every((s) => s.loops.length === def.loops.length && s.loops.every((l, k) => l === def.loops[k]));
}

/** Whether a flow dependence runs from a statement outside the loop to one inside it (a value live into the loop). */
function flowsIn(ctx: IslContext, params: string, flow: IslUnionMap, outside: ScopStatement[], inside: ScopStatement[], iters: (s: ScopStatement) => string[]): boolean {
  if (outside.length === 0 || flow.isEmpty()) return false;
  const tuples = (ss: ScopStatement[]): string => ss.map((s) => `${s.id}[${iters(s).map((_, k) => `x${k}`).join(', ')}]`).join('; ');
  return !flow.intersectDomain(ctx.unionSet(`${params} -> { ${tuples(outside)} }`)).intersectRange(ctx.unionSet(`${params} -> { ${tuples(inside)} }`)).isEmpty();
}

/** A scalar whose first access in every iteration is a plain, unconditional redefinition. */
function isPrivateScalar(arr: string, inside: ScopStatement[]): boolean {
  for (const s of inside) {
    const accs = s.accesses.filter((a) => a.array === arr);
    if (accs.length === 0) continue;
    if (!accs[0].scalar) return false;
    const reads = accs.some((a) => a.kind === 'read');
    const def = accs.find((a) => a.kind === 'write');
    return !reads && !!def && def.redefines && !s.conditional;
  }
  return false;
}

/** `s += e` (or `*=`) is the only use of scalar s inside the loop: a reduction. */
function reductionOf(arr: string, inside: ScopStatement[]): string | null {
  const uses = inside.filter((s) => s.accesses.some((a) => a.array === arr));
  if (uses.length === 0) return null;
  const ok = uses.every((s) => {
    const accs = s.accesses.filter((a) => a.array === arr);
    const writes = accs.filter((a) => a.kind === 'write');
    return accs.every((a) => a.scalar) && writes.length > 0 && writes.every((a) => a.reductionOp) && accs.filter((a) => a.kind === 'read').length === 1;
  });
  if (!ok) return null;
  const op = uses[0].accesses.find((a) => a.reductionOp)!.reductionOp;
  return `'${arr} ${op}= ...' at line ${uses[0].span.from.line}`;
}

/**
 * Every access of array `arr` in the loop is an exact element updated by one
 * statement that reads it once and adds or subtracts a term reading no element
 * of it: `R[e] = R[e] + t`, `R[e] = t + R[e]`, `R[e] += t`, `R[e] -= t`. Then the
 * loop's iterations only add into R's elements (close mode may sum them in
 * blocks: poly/blocked-array-reductions.ts).
 */
function arraySumOf(arr: string, inside: ScopStatement[]): boolean {
  const uses = inside.filter((s) => s.accesses.some((a) => a.array === arr));
  if (uses.length === 0) return false;
  for (const s of uses) {
    const accs = s.accesses.filter((a) => a.array === arr);
    const reads = accs.filter((a) => a.kind === 'read');
    const writes = accs.filter((a) => a.kind === 'write');
    if (accs.some((a) => a.scalar || !a.exact || !a.must) || reads.length !== 1 || writes.length !== 1 || reads[0].element !== writes[0].element) return false;
    if (s.conditional || !s.source || !updatesBySum(s.source)) return false;
  }
  return true;
}

/** `X = X + t`, `X = t + X`, `X += t` or `X -= t` for an element X (the one read and written). */
function updatesBySum(s: Stmt): boolean {
  if (s.kind === 'augassign') return (s.op === '+' || s.op === '-') && s.target.kind === 'subscript';
  if (s.kind !== 'assign' || s.target.kind !== 'subscript' || s.value.kind !== 'binary' || s.value.op !== '+') return false;
  const same = (e: Expr): boolean => e.kind === 'subscript' && sameText(e, s.target);
  return same(s.value.left) || same(s.value.right);
}

function sameText(a: Expr, b: Expr): boolean {
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** The expression without its source positions (two spellings of one element compare equal). */
function strip(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(strip);
  if (e && typeof e === 'object') return Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'span').map(([k, v]) => [k, strip(v)]));
  return e;
}

/** Every update of the reduction scalar is `+=` (sums may be reassociated in close mode; products are not). */
function sumReduction(arr: string, inside: ScopStatement[]): boolean {
  return inside.every((s) => s.accesses.every((a) => a.array !== arr || a.kind !== 'write' || a.reductionOp === '+'));
}

/**
 * The two accesses behind a carried dependence: the pair (source access, sink
 * access) of the right kinds whose elements meet on some dependent instances.
 */
function participatingAccesses(
  ctx: IslContext,
  model: IslModel,
  kind: string,
  arr: string,
  src: ScopStatement,
  dst: ScopStatement,
  hit: IslUnionMap,
): [ScopAccess | string, ScopAccess | string] {
  const srcKind = kind === 'anti' ? 'read' : 'write';
  const dstKind = kind === 'flow' ? 'read' : 'write';
  const srcs = src.accesses.filter((a) => a.array === arr && a.kind === srcKind);
  const dsts = dst.accesses.filter((a) => a.array === arr && a.kind === dstKind);
  for (const a of srcs) {
    for (const b of dsts) {
      const meet = ctx
        .unionMap(`${model.head} -> { ${model.tuple(src)} -> ${a.element} }`)
        .applyRange(ctx.unionMap(`${model.head} -> { ${model.tuple(dst)} -> ${b.element} }`).reverse());
      if (!meet.intersect(hit).isEmpty()) return [a, b];
    }
  }
  return [srcs[0] ?? arr, dsts[0] ?? arr];
}

/**
 * Why a blocking dependence may exist only in the model: an access it cannot
 * place (a whole-array approximation: a subscript or a local array's shape it
 * does not model) or a loop whose bounds it over-approximates. Said, so that a
 * reader does not take `out[i] is written again` at face value.
 */
function approximation(a: ScopAccess | string, b: ScopAccess | string, scop: Scop, src: ScopStatement, dst: ScopStatement): string {
  const vague = [a, b].find((x): x is ScopAccess => typeof x !== 'string' && !x.scalar && !x.exact && !x.ranged);
  if (vague) return ` (the model cannot place ${vague.text}: it stands for any element of ${vague.array}, so the dependence may not be real)`;
  // (for arrays: a scalar's dependence through such a loop is as the source says)
  const arrays = [a, b].every((x) => typeof x !== 'string' && !x.scalar);
  const loose = arrays ? [...src.loops, ...dst.loops].map((l) => scop.loops[l]).find((l) => l.approximate) : undefined;
  if (loose) return ` (the bounds or step of the loop over ${loose.label ?? loose.variable} are not affine, so the model over-approximates its iterations)`;
  return '';
}

function describeDependence(kind: string, a0: ScopAccess | string, b0: ScopAccess | string, src: ScopStatement, dst: ScopStatement, variable: string, distance: number | null): string {
  const a = typeof a0 === 'string' ? a0 : a0.text;
  const b = typeof b0 === 'string' ? b0 : b0.text;
  const later = distance === null ? `in a later iteration of ${variable}` : `${ORDINAL[distance] ?? distance} iteration${distance === 1 ? '' : 's'} of ${variable} later`;
  const at = (s: ScopStatement): string => `line ${s.span.from.line}`;
  if (kind === 'flow') return `${a} written at ${at(src)} is read (as ${b}) at ${at(dst)} ${later}`;
  if (kind === 'anti') return `${a} read at ${at(src)} is overwritten (as ${b}) at ${at(dst)} ${later}`;
  return `${a} written at ${at(src)} is written again (as ${b}) at ${at(dst)} ${later}`;
}
