// A loop whose scalar sums run as fixed blocks in parallel (poly/blocked-reductions.ts),
// printed for the CPU variant:
//
//   n = <iterations>; L = max(4096, ceil(n / 4096)); B = ceil(n / L)
//   if B <= 1:
//       <the loop as written>                 # one block: the original order
//   else:
//       parts = np.empty(B)
//       for b in prange(B):                   # blocks fixed by n, not by threads
//           acc = s if b == 0 else -0.0       # -0.0: the identity of float +
//           for k in range(min(L, n - b * L)):
//               i = lo + step * (b * L + k)
//               <body, with `s` read and updated as `acc`>
//           parts[b] = acc
//       s = parts[0]
//       for b in range(1, B): s += parts[b]   # in block order
//
// The serial form (prange as range) runs the same blocks: the same bits. One
// block adds in the original order, so the loop as written computes it (with
// no parallel region or allocation: a short sum inside a sequential loop, as
// in durbin, costs nothing more).
import type { Expr, ForStmt } from '../parse/ast.js';
import type { BlockedReduction } from '../poly/blocked-reductions.js';
import { MAX_BLOCKS, MIN_BLOCK } from '../poly/blocked-reductions.js';
import { INT64, NUMPY, PRANGE } from './names.js';
import { rangeParts, type RangeParts } from './loop-range.js';

/** The accumulator a blocked loop's body updates in place of the sum `name` (unique per loop). */
export function accumulatorName(loop: ForStmt, name: string): string {
  return `_polyray_ra_${name}_${loop.span.from.line}`;
}

/**
 * One block's share of a blocked loop's iterations: block `b` of `len` rows, counted from 0
 * within the block (LLVM then drops the negative-index checks: 2x on a dot product), the
 * loop's own variable `v` set from the counter, then the body at `inner`. Shared by the
 * scalar sums here and the sums into array elements (blocked-array-loops.ts).
 */
export function blockRowLines(parts: RangeParts, v: string, names: { b: string; len: string; n: string; first: string; k: string }, indent: string, inner: string, body: (indent: string) => string[]): string[] {
  const { b, len, n, first, k } = names;
  return [
    `${indent}${first} = ${b} * ${len}`,
    `${indent}for ${k} in range(min(${len}, ${n} - ${first})):`,
    `${inner}${v} = ${parts.plain ? `${first} + ${k}` : `${parts.lo} + ${parts.step} * (${first} + ${k})`}`,
    ...body(inner),
  ];
}

/**
 * The lines of the blocked loop; `body` prints the loop's body at an indent
 * (the caller renames each sum to its accumulatorName while it does).
 */
export function blockedLoopLines(loop: ForStmt, plan: BlockedReduction, print: (e: Expr) => string, body: (indent: string) => string[], sequential: (indent: string) => string[], indent: string): string[] {
  const parts = rangeParts(loop, print);
  if (!parts) throw new Error('blocked loop without a constant step');
  const v = loop.target.id;
  const tag = `${v}_${loop.span.from.line}`;
  const n = `_polyray_rn_${tag}`;
  const len = `_polyray_rl_${tag}`;
  const blocks = `_polyray_rb_${tag}`;
  const kb = `_polyray_kb_${tag}`;
  const b = `_polyray_b_${tag}`;
  // (not the prange counter's name: Numba types that one unsigned)
  const kc = `_polyray_kc_${tag}`;
  const first = `_polyray_r0_${tag}`;
  const k = `_polyray_k_${tag}`;
  const partial = (name: string): string => `_polyray_rp_${name}_${loop.span.from.line}`;
  const head = [
    `${indent}${n} = ${parts.count}`,
    `${indent}${len} = max(${MIN_BLOCK}, (${n} + ${MAX_BLOCKS - 1}) // ${MAX_BLOCKS})`,
    `${indent}${blocks} = (${n} + ${len} - 1) // ${len}`,
    `${indent}if ${blocks} <= 1:`,
    ...sequential(`${indent}    `),
    `${indent}else:`,
  ];
  indent = `${indent}    `;
  const inner = `${indent}        `;
  const lines = [
    ...head,
    ...plan.scalars.map((s) => `${indent}${partial(s.name)} = ${NUMPY}.empty(${blocks}, ${NUMPY}.${s.kind === 'float' ? 'float64' : 'int64'})`),
    `${indent}for ${kb} in ${PRANGE}(${blocks}):`,
    `${indent}    ${b} = ${INT64}(${kb})`,
    ...plan.scalars.map((s) => `${indent}    ${accumulatorName(loop, s.name)} = ${s.name} if ${b} == 0 else ${s.kind === 'float' ? '-0.0' : '0'}`),
    ...blockRowLines(parts, v, { b, len, n, first, k }, `${indent}    `, inner, body),
    ...plan.scalars.map((s) => `${indent}    ${partial(s.name)}[${b}] = ${accumulatorName(loop, s.name)}`),
    ...plan.scalars.map((s) => `${indent}${s.name} = ${partial(s.name)}[0]`),
    `${indent}for ${kc} in range(1, ${blocks}):`,
    ...plan.scalars.map((s) => `${indent}    ${s.name} += ${partial(s.name)}[${kc}]`),
  ];
  return lines;
}
