// A loop whose sums into array elements run as fixed blocks in parallel
// (poly/blocked-array-reductions.ts), printed for the CPU variant:
//
//   n = <iterations>; S = max(y.size, ...)
//   L = max(16, ceil(n / 8), ceil(n * S / 2**22)); B = ceil(n / L)
//   if B <= 1:
//       <the loop as written>                 # one block: the original order
//   else:
//       part_y = np.empty((B,) + y.shape)
//       for b in prange(B):                   # blocks fixed by n and S, not by threads
//           acc_y = part_y[b]; acc_y[...] = -0.0   # -0.0: the identity of float +
//           for k in range(min(L, n - b * L)):
//               i = lo + step * (b * L + k)
//               <body, with `y` read and updated as `acc_y`>
//       for b in range(B): y += part_y[b]      # in block order, element by element
//
// An element no iteration of a block touches adds -0.0: y unchanged, bit for
// bit. The serial form (prange as range) runs the same blocks: the same bits.
import type { ForStmt } from '../parse/ast.js';
import type { BlockedArrayReduction } from '../poly/blocked-array-reductions.js';
import { MAX_ROW_BLOCKS, MIN_ROWS, PARTIAL_ELEMENTS } from '../poly/blocked-array-reductions.js';
import { INT64, NUMPY, PRANGE } from './names.js';
import { rangeParts } from './loop-range.js';
import { blockRowLines } from './blocked-loops.js';
import type { Expr } from '../parse/ast.js';

/** The block's partial array that the body updates in place of `name` (unique per loop). */
export function partialArrayName(loop: ForStmt, name: string): string {
  return `_polyray_pa_${name}_${loop.span.from.line}`;
}

/** Nested loops over every element of `array` (rank `rank`), `line` printing the innermost statement from the index names. */
function elementLoops(array: string, rank: number, tag: string, indent: string, line: (idx: string) => string): string[] {
  const out: string[] = [];
  const idx: string[] = [];
  for (let d = 0; d < rank; d++) {
    const e = `_polyray_pe${d}_${tag}`;
    out.push(`${indent}${'    '.repeat(d)}for ${e} in range(${array}.shape[${d}]):`);
    idx.push(e);
  }
  out.push(`${indent}${'    '.repeat(rank)}${line(idx.join(', '))}`);
  return out;
}

/**
 * The lines of the blocked loop; `body` prints the loop's body at an indent
 * (the caller prints each summed array as its partialArrayName while it does),
 * `sequential` the loop as written.
 */
export function blockedArrayLoopLines(loop: ForStmt, plan: BlockedArrayReduction, print: (e: Expr) => string, body: (indent: string) => string[], sequential: (indent: string) => string[], indent: string): string[] {
  const parts = rangeParts(loop, print);
  if (!parts) throw new Error('blocked loop without a constant step');
  const v = loop.target.id;
  const tag = `${v}_${loop.span.from.line}`;
  const n = `_polyray_an_${tag}`;
  const len = `_polyray_al_${tag}`;
  const blocks = `_polyray_ab_${tag}`;
  const size = `_polyray_as_${tag}`;
  const kb = `_polyray_akb_${tag}`;
  // (not the prange counter's name: Numba types that one unsigned)
  const b = `_polyray_abb_${tag}`;
  const kc = `_polyray_akc_${tag}`;
  const first = `_polyray_a0_${tag}`;
  const k = `_polyray_ak_${tag}`;
  const whole = (name: string): string => `_polyray_aw_${name}_${loop.span.from.line}`;
  const shape = (a: { name: string; rank: number }): string => Array.from({ length: a.rank }, (_, d) => `${a.name}.shape[${d}]`).join(', ');
  const head = [
    `${indent}${n} = ${parts.count}`,
    `${indent}${size} = max(1, ${plan.arrays.map((a) => `${a.name}.size`).join(', ')}${plan.arrays.length === 1 ? ', 1' : ''})`,
    `${indent}${len} = max(${MIN_ROWS}, (${n} + ${MAX_ROW_BLOCKS - 1}) // ${MAX_ROW_BLOCKS}, (${n} * ${size} + ${PARTIAL_ELEMENTS - 1}) // ${PARTIAL_ELEMENTS})`,
    `${indent}${blocks} = (${n} + ${len} - 1) // ${len}`,
    `${indent}if ${blocks} <= 1:`,
    ...sequential(`${indent}    `),
    `${indent}else:`,
  ];
  indent = `${indent}    `;
  const inner = `${indent}        `;
  return [
    ...head,
    ...plan.arrays.map((a) => `${indent}${whole(a.name)} = ${NUMPY}.empty((${blocks}, ${shape(a)}), ${NUMPY}.float64)`),
    `${indent}for ${kb} in ${PRANGE}(${blocks}):`,
    `${indent}    ${b} = ${INT64}(${kb})`,
    ...plan.arrays.flatMap((a) => [
      `${indent}    ${partialArrayName(loop, a.name)} = ${whole(a.name)}[${b}]`,
      ...elementLoops(partialArrayName(loop, a.name), a.rank, `${a.name}_${loop.span.from.line}`, `${indent}    `, (i) => `${partialArrayName(loop, a.name)}[${i}] = -0.0`),
    ]),
    ...blockRowLines(parts, v, { b, len, n, first, k }, `${indent}    `, inner, body),
    `${indent}for ${kc} in range(${blocks}):`,
    ...plan.arrays.flatMap((a) => elementLoops(a.name, a.rank, `${a.name}_${loop.span.from.line}`, `${indent}    `, (i) => `${a.name}[${i}] = ${a.name}[${i}] + ${whole(a.name)}[${kc}, ${i}]`)),
  ];
}
