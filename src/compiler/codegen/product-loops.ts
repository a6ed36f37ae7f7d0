// Product loops through BLAS (poly/product-loops.ts), printed for the CPU variant:
//
//   if (hi) - (lo) > 0:
//       T = np.dot(Y[:, lo:hi], Z[lo:hi, :])     # (Y[lo:hi, :].T, Z[:, lo:hi].T, z[lo:hi])
//       <the nest, its k loop replaced by: X[a, b] += c * T[a, b]>
//   else:
//       <the nest as written>
//
// A stack (doitgen's T[r, q, b]) whose plane loop r is the nest's outermost computes each plane T_r at the
// start of iteration r instead (planeLines), and the nest reads T_r[q, b].
//
// A triangular k range (lo or hi a function of T's row or column variable v)
// copies the operand walking v with zeros outside the range, so T = M @ Z holds
// exactly the original's terms (plus exact zeros):
//
//   if np.isfinite(Z).all():                  # 0 * inf would be a NaN the original never makes
//       M = np.zeros((R, K))
//       for r in range(R):
//           for k in range(max(lo(r), 0), min(hi(r), K, Y.shape[...])):
//               M[r, k] = Y[r, k]
//       T = np.dot(M, Z)
//       <the nest, its k loop replaced by: if hi - lo > 0: X[a, b] += c * T[a, b]>
import type { Expr } from '../parse/ast.js';
import type { ProductLoop, ProductUpdate } from '../poly/product-loops.js';
import type { ProductOperand, ProductTerm } from '../poly/product-terms.js';
import type { ScatterUpdate } from '../poly/product-scatter.js';
import { helperName, INT64, NUMPY, PRANGE } from './names.js';

/**
 * Every product is printed as a call of runtime/blas_products.py's blas_dot (np.dot compiled once per argument
 * types and cached on disk), not np.dot: typing Numba's np.dot in each variant cost 0.4 to 0.5 CPU s per pair of
 * operand types (issue 18's first-call line). The variant asks for the helper by name (cpu-variant.ts).
 */
export const BLAS_DOT = 'blas_dot';
const DOT = helperName(BLAS_DOT);
export const BLAS_DOT_ROWS = 'blas_dot_rows';
const DOT_ROWS = helperName(BLAS_DOT_ROWS);

/**
 * The product helpers a nest's lines call: blas_dot_rows where a left mask or a scatter multiplies in row blocks
 * (a scatter folded into the dot product is one plain product: foldLines).
 */
export function productHelpers(p: ProductLoop): string[] {
  if (p.fold) return [BLAS_DOT];
  const blocked = p.scatters.length > 0 || p.updates.some((u) => u.terms.some((t) => t.mask === 'left'));
  return blocked ? [BLAS_DOT, BLAS_DOT_ROWS] : [BLAS_DOT];
}

function operandText(o: ProductOperand, side: 'left' | 'right', lo: string, hi: string, whole = false): string {
  // the whole operand: Numba keeps its layout ('C', or 'F' transposed), and BLAS reads it in place
  if (whole) return o.rank === 1 || (o.kDim === 0) === (side === 'right') ? o.array : `${o.array}.T`;
  const k = `${lo}:${hi}`;
  if (o.rank === 1) return `${o.array}[${k}]`;
  // the left operand is indexed [row, k], the right one [k, column]
  const kFirst = side === 'right';
  if ((o.kDim === 0) === kFirst) return o.kDim === 0 ? `${o.array}[${k}, :]` : `${o.array}[:, ${k}]`;
  return o.kDim === 0 ? `${o.array}[${k}, :].T` : `${o.array}[:, ${k}].T`;
}

/** The k range's bounds as printed. */
export function productRange(p: ProductLoop, print: (e: Expr) => string): { lo: string; hi: string } {
  return { lo: p.loop.range.start ? print(p.loop.range.start) : '0', hi: print(p.loop.range.stop) };
}

/**
 * The condition under which the nest runs with its products: every invariant k
 * range non-empty; for a triangular one, the operand that meets the mask's zeros finite.
 */
export function productCondition(ps: ProductLoop[], print: (e: Expr) => string): string {
  return ps.flatMap((p) => {
    const { lo, hi } = productRange(p, print);
    const nonEmpty = p.rangeVar === null ? [`(${hi}) - (${lo}) > 0`] : [];
    const masked = [...p.updates.flatMap((u) => u.terms.filter((t) => t.mask)), ...p.scatters.map((u) => u.term)];
    const others = new Set(masked.map((t) => (t.mask === 'left' ? t.right : t.left).array));
    return [...nonEmpty, ...[...others].map((a) => `${NUMPY}.isfinite(${a}).all()`)];
  }).join(' and ');
}

/** `print` with the name `from` printed as `to` (a mask's row variable). */
export type PrintRenamed = (e: Expr, from: string, to: string) => string;

/** Row blocks of a left mask: each block multiplies only the columns its rows keep (a triangle: about half the work). */
const MASK_BLOCKS = 8;

/**
 * T = M @ Z for a left mask M (rows x depth) whose kept columns per block of
 * rows are [lo[b], hi[b]) (the fill lines keep them): one BLAS product per
 * block over those columns; rows of blocks that keep nothing stay 0. Each block is
 * stored by blas_dot_rows (T[r0:r1] = M[...] @ Z[...], compiled and cached there):
 * Numba's slice assignment typed in the variant cost 2.4 CPU s (its error message).
 */
function blockedDot(t: ProductTerm, other: ProductOperand, rows: string, indent: string): string[] {
  const m = `${t.name}_m`;
  const [lo, hi, bs, blk, r0, r1] = ['lo', 'hi', 'bs', 'b', 'r0', 'r1'].map((x) => `${t.name}_${x}`);
  const whole = operandText(other, 'right', '', '', true);
  const shape = other.rank === 1 ? rows : `(${rows}, ${other.array}.shape[${1 - other.kDim}])`;
  return [
    `${indent}${t.name} = ${NUMPY}.zeros(${shape})`,
    `${indent}for ${blk} in range(${MASK_BLOCKS}):`,
    `${indent}    ${r0} = ${blk} * ${bs}`,
    `${indent}    ${r1} = min(${rows}, ${r0} + ${bs})`,
    `${indent}    if ${r1} > ${r0} and ${hi}[${blk}] > ${lo}[${blk}]:`,
    `${indent}        ${DOT_ROWS}(${t.name}, ${r0}, ${r1}, ${m}[${r0}:${r1}, ${lo}[${blk}]:${hi}[${blk}]], ${whole}[${lo}[${blk}]:${hi}[${blk}]])`,
  ];
}

/** The mask, its block supports' arrays and the block size: the lines before a left mask's fill. */
function maskStart(t: ProductTerm, rows: string, depth: string, indent: string): string[] {
  const [m, lo, hi, bs] = ['m', 'lo', 'hi', 'bs'].map((x) => `${t.name}_${x}`);
  return [
    `${indent}${m} = ${NUMPY}.zeros((${rows}, ${depth}))`,
    `${indent}${lo} = ${NUMPY}.full(${MASK_BLOCKS}, ${depth}, ${NUMPY}.int64)`,
    `${indent}${hi} = ${NUMPY}.zeros(${MASK_BLOCKS}, ${NUMPY}.int64)`,
    `${indent}${bs} = max(1, (${rows} + ${MASK_BLOCKS - 1}) // ${MASK_BLOCKS})`,
  ];
}

/** A masked term's product: its operand copied with zeros outside the k range, times the other one whole. */
function maskedLines(p: ProductLoop, t: ProductTerm, printAs: PrintRenamed, indent: string): string[] {
  const v = p.rangeVar as string;
  const masked = t.mask === 'left' ? t.left : t.right;
  const other = t.mask === 'left' ? t.right : t.left;
  const [m, r, k, k0, k1, lo, hi, bs] = ['m', 'r', 'k', 'k0', 'k1', 'lo', 'hi', 'bs'].map((x) => `${t.name}_${x}`);
  const rows = `${masked.array}.shape[${1 - masked.kDim}]`;
  const depth = `${other.array}.shape[${other.kDim}]`;
  const start = p.loop.range.start ? printAs(p.loop.range.start, v, r) : '0';
  const stop = printAs(p.loop.range.stop, v, r);
  const element = masked.kDim === 0 ? `${masked.array}[${k}, ${r}]` : `${masked.array}[${r}, ${k}]`;
  const fill = [
    `${indent}for ${r} in range(${rows}):`,
    `${indent}    ${k0} = max(${start}, 0)`,
    `${indent}    ${k1} = min(min(${stop}, ${depth}), ${masked.array}.shape[${masked.kDim}])`,
    `${indent}    for ${k} in range(${k0}, ${k1}):`,
    `${indent}        ${t.mask === 'left' ? `${m}[${r}, ${k}]` : `${m}[${k}, ${r}]`} = ${element}`,
  ];
  if (t.mask === 'left') {
    return [
      ...maskStart(t, rows, depth, indent),
      ...fill,
      `${indent}    if ${k1} > ${k0}:`,
      `${indent}        ${lo}[${r} // ${bs}] = min(${lo}[${r} // ${bs}], ${k0})`,
      `${indent}        ${hi}[${r} // ${bs}] = max(${hi}[${r} // ${bs}], ${k1})`,
      ...blockedDot(t, other, rows, indent),
    ];
  }
  // a right mask (T's columns triangular): one product
  return [`${indent}${m} = ${NUMPY}.zeros((${depth}, ${rows}))`, ...fill, `${indent}${t.name} = ${DOT}(${operandText(other, 'left', '', '', true)}, ${m})`];
}

/**
 * A scatter's product (poly/product-scatter.ts): T[k, b] = sum over the a of its
 * loop with k in the k range at a, of Y[a, k] * Z[a, b]; the count of those a per
 * k says which elements the original touches.
 */
function scatterLines(p: ProductLoop, u: ScatterUpdate, printAs: PrintRenamed, indent: string): string[] {
  const t = u.term;
  const [m, a, k, lo, hi, bs, n] = ['m', 'a', 'k', 'lo', 'hi', 'bs', 'n'].map((x) => `${t.name}_${x}`);
  const y = t.left;
  const rows = `${y.array}.shape[${1 - y.kDim}]`;
  const depth = `${t.right.array}.shape[${t.right.kDim}]`;
  const aVar = u.reduceLoop.target.id;
  const print = (e: Expr): string => printAs(e, aVar, a);
  const aStart = u.reduceLoop.range.start ? print(u.reduceLoop.range.start) : '0';
  const aStop = print(u.reduceLoop.range.stop);
  const kStart = p.loop.range.start ? print(p.loop.range.start) : '0';
  const kStop = print(p.loop.range.stop);
  const element = y.kDim === 0 ? `${y.array}[${a}, ${k}]` : `${y.array}[${k}, ${a}]`;
  const [k0, k1, blk] = ['k0', 'k1', 'kb'].map((x) => `${t.name}_${x}`);
  return [
    ...maskStart(t, rows, depth, indent),
    `${indent}${n} = ${NUMPY}.zeros(${rows}, ${NUMPY}.int64)`,
    `${indent}for ${a} in range(max(${aStart}, 0), min(min(${aStop}, ${depth}), ${y.array}.shape[${y.kDim}])):`,
    `${indent}    ${k0} = max(${kStart}, 0)`,
    `${indent}    ${k1} = min(${kStop}, ${rows})`,
    `${indent}    for ${k} in range(${k0}, ${k1}):`,
    `${indent}        ${m}[${k}, ${a}] = ${element}`,
    `${indent}        ${n}[${k}] += 1`,
    // the row blocks this a's k range meets keep column a (once per a, not per element)
    `${indent}    if ${k1} > ${k0}:`,
    `${indent}        for ${blk} in range(${k0} // ${bs}, (${k1} - 1) // ${bs} + 1):`,
    `${indent}            ${lo}[${blk}] = min(${lo}[${blk}], ${a})`,
    `${indent}            ${hi}[${blk}] = max(${hi}[${blk}], ${a} + 1)`,
    ...blockedDot(t, t.right, rows, indent),
  ];
}

/**
 * A scatter folded into the dot product (poly/product-fold.ts): one buffer M holding both masked left
 * operands, the dot's at its rows (Y2[r, k] over the k range at r) and the scatter's transposed (Y1[a, k] at
 * M[k, a] over the a and k the loops visit, a count per row k), then ONE product T = M @ Z, read by the dot's
 * update. M's rows: X's along k (the rows S writes, which hold every row T is read at); its columns: Z's
 * along the summed axis.
 */
function foldLines(p: ProductLoop, printAs: PrintRenamed, indent: string): string[] {
  const t = p.updates[0].terms[0];
  const sc = p.scatters[0];
  const [m, n, r, a, k, k0, k1] = ['m', 'n', 'r', 'a', 'k', 'k0', 'k1'].map((x) => `${t.name}_${x}`);
  const rows = `${sc.target}.shape[${sc.subscripts.indexOf(p.loop.target.id)}]`;
  const depth = `${t.right.array}.shape[${t.right.kDim}]`;
  const row = sc.reduceLoop.target.id;
  const y2 = t.left;
  const y1 = sc.term.left;
  const at = (e: Expr | null, fallback: string, v: string): string => (e ? printAs(e, row, v) : fallback);
  return [
    `${indent}${m} = ${NUMPY}.zeros((${rows}, ${depth}))`,
    `${indent}${n} = ${NUMPY}.zeros(${rows}, ${NUMPY}.int64)`,
    // the dot's operand by rows
    `${indent}for ${r} in range(min(${rows}, ${y2.array}.shape[${1 - y2.kDim}])):`,
    `${indent}    ${k0} = max(${at(p.loop.range.start, '0', r)}, 0)`,
    `${indent}    ${k1} = min(min(${at(p.loop.range.stop, '0', r)}, ${depth}), ${y2.array}.shape[${y2.kDim}])`,
    `${indent}    for ${k} in range(${k0}, ${k1}):`,
    `${indent}        ${m}[${r}, ${k}] = ${y2.kDim === 1 ? `${y2.array}[${r}, ${k}]` : `${y2.array}[${k}, ${r}]`}`,
    // the scatter's, transposed, added
    `${indent}for ${a} in range(max(${at(sc.reduceLoop.range.start, '0', a)}, 0), min(min(${at(sc.reduceLoop.range.stop, '0', a)}, ${depth}), ${y1.array}.shape[${y1.kDim}])):`,
    `${indent}    ${k0} = max(${at(p.loop.range.start, '0', a)}, 0)`,
    `${indent}    ${k1} = min(min(${at(p.loop.range.stop, '0', a)}, ${rows}), ${y1.array}.shape[${1 - y1.kDim}])`,
    `${indent}    for ${k} in range(${k0}, ${k1}):`,
    `${indent}        ${m}[${k}, ${a}] ${p.fold?.negated ? '-' : '+'}= ${y1.kDim === 0 ? `${y1.array}[${a}, ${k}]` : `${y1.array}[${k}, ${a}]`}`,
    `${indent}        ${n}[${k}] += 1`,
    `${indent}${t.name} = ${DOT}(${m}, ${operandText(t.right, 'right', '', '', true)})`,
  ];
}

/** After the nest: each scatter's total added to the elements the original touched (a folded one: none). */
export function scatterAfter(p: ProductLoop, print: (e: Expr) => string, indent: string): string[] {
  if (p.fold) return [];
  return p.scatters.flatMap((u) => {
    const t = u.term;
    const k = `${t.name}_k`;
    const b = `${t.name}_j`;
    const kVar = p.loop.target.id;
    const at = u.subscripts.map((v) => (v === kVar ? k : b)).join(', ');
    const value = [...t.factors.map((f) => print(f)), `${t.name}[${k}${u.otherLoop ? `, ${b}` : ''}]`].join(' * ');
    const add = `${u.target}[${at}] ${t.negated ? '-' : '+'}= ${value}`;
    // Each (k, b) names its own element, so the outer of the two loops runs as prange
    // (one parallel region after the nest; prange's counter is unsigned, the index a signed copy).
    const parallel = (v: string, extent: string): string[] => [`for ${v}_p in ${PRANGE}(${extent}):`, `    ${v} = ${INT64}(${v}_p)`];
    const rows = (outer: boolean): string[] => [
      ...(outer ? parallel(k, `${t.name}_n.shape[0]`) : [`for ${k} in range(${t.name}_n.shape[0]):`]),
      `    if ${t.name}_n[${k}] > 0:`,
    ];
    if (!u.otherLoop) return [...rows(true), `        ${add}`].map((l) => `${indent}${l}`);
    const [start, stop] = [u.otherLoop.range.start, u.otherLoop.range.stop].map((e) => (e === null ? null : print(e)));
    const cols = `for ${b} in range(${[start, stop].filter((e) => e !== null).join(', ')}):`;
    // X[k, b]: k outside, b walking the row; X[b, k]: b outside
    const colsParallel = [...parallel(b, start === null ? `${stop}` : `max(0, (${stop}) - (${start}))`)];
    if (start !== null) colsParallel[1] = `    ${b} = ${INT64}(${b}_p) + (${start})`;
    const lines = u.subscripts[0] === kVar ? [...rows(true), `        ${cols}`, `            ${add}`] : [...colsParallel, ...rows(false).map((l) => `    ${l}`), `            ${add}`];
    return lines.map((l) => `${indent}${l}`);
  });
}

/**
 * `T = np.dot(...)` per update, before the nest: of the whole operands when the
 * k range spans them (a slice is typed 'A' by Numba, whose np.dot then copies
 * it), else of the slices.
 */
export function productLines(p: ProductLoop, print: (e: Expr) => string, printAs: PrintRenamed, indent: string): string[] {
  const { lo, hi } = productRange(p, print);
  if (p.fold) return foldLines(p, printAs, indent);
  const terms = p.updates.flatMap((up) => up.terms);
  return [...p.scatters.flatMap((u) => scatterLines(p, u, printAs, indent)), ...terms.flatMap((u, n) => {
    if (u.mask) return maskedLines(p, u, printAs, indent);
    if (u.stack.length > 0) return p.plane ? [] : stackLines(u, lo, hi, indent);
    // syr2k's second term, A @ B.T, is the first's transpose (B @ A.T): one product, read transposed
    const mirror = terms.slice(0, n).find((e) => transposes(u, e));
    if (mirror) return [`${indent}${u.name} = ${mirror.name}.T`];
    const spans = [u.left, u.right].map((o) => `${o.array}.shape[${o.kDim}] == ${hi}`).join(' and ');
    const dot = (whole: boolean): string => `${DOT}(${operandText(u.left, 'left', lo, hi, whole)}, ${operandText(u.right, 'right', lo, hi, whole)})`;
    return [`${indent}if ${lo === '0' ? '' : `${lo} == 0 and `}${spans}:`, `${indent}    ${u.name} = ${dot(true)}`, `${indent}else:`, `${indent}    ${u.name} = ${dot(false)}`];
  })];
}

/**
 * A stack of products (poly/product-loops.ts productTerm): T[r] = Y[r, :, lo:hi] @ Z[lo:hi, :] for every r of
 * Y, one BLAS product per r (Numba's np.dot takes 2-d operands; Y[r] whole is C-contiguous where Y is, so
 * BLAS reads it in place). The nest reads T[r, q, b] only where it reads Y[r, q, k] for every k of the range,
 * which the guard has checked inside Y and Z; where Y or Z is shorter than the range, or the range starts
 * below 0, no iteration reads T, and the products are skipped (their shapes would not agree).
 */
function stackLines(t: ProductTerm, lo: string, hi: string, indent: string): string[] {
  const [y, z] = [t.left.array, t.right.array];
  const b = `${t.name}_b`;
  const columns = `${z}.shape[${1 - t.right.kDim}]`;
  const rowsOf = (whole: boolean): string => (whole ? `${y}[${b}]` : `${y}[${b}, :, ${lo}:${hi}]`);
  const dot = (whole: boolean): string => `${DOT}(${rowsOf(whole)}, ${operandText(t.right, 'right', lo, hi, whole)})`;
  return [
    `${indent}${t.name} = ${NUMPY}.empty((${y}.shape[0], ${y}.shape[1], ${columns}))`,
    `${indent}if ${lo} >= 0 and ${y}.shape[2] >= ${hi} and ${z}.shape[${t.right.kDim}] >= ${hi}:`,
    `${indent}    for ${b} in range(${y}.shape[0]):`,
    `${indent}        if ${lo === '0' ? '' : `${lo} == 0 and `}${y}.shape[2] == ${hi} and ${z}.shape[${t.right.kDim}] == ${hi}:`,
    `${indent}            ${t.name}[${b}] = ${dot(true)}`,
    `${indent}        else:`,
    `${indent}            ${t.name}[${b}] = ${dot(false)}`,
  ];
}

/**
 * A stack's plane r computed at the start of iteration r of its plane loop (ProductLoop.plane):
 * T_r = Y[r, :, lo:hi] @ Z[lo:hi, :], the whole plane when the range spans it. Where the guard has not
 * covered Y[r] (r outside Y: no (r, q, k) of the original reads it, so the nest reads no row of T_r) or the
 * range does not fit Y and Z (then no iteration reads T, as stackLines), T_r is an empty plane.
 */
export function planeLines(p: ProductLoop, print: (e: Expr) => string, indent: string): string[] {
  if (!p.plane) return [];
  const { lo, hi } = productRange(p, print);
  const r = p.plane.target.id;
  return p.updates.flatMap((up) => up.terms).filter((t) => t.stack.length > 0).flatMap((t) => {
    const [y, z] = [t.left.array, t.right.array];
    const dot = (whole: boolean): string => `${DOT}(${whole ? `${y}[${r}]` : `${y}[${r}, :, ${lo}:${hi}]`}, ${operandText(t.right, 'right', lo, hi, whole)})`;
    return [
      `${indent}if 0 <= ${r} < ${y}.shape[0] and ${lo} >= 0 and ${y}.shape[2] >= ${hi} and ${z}.shape[${t.right.kDim}] >= ${hi}:`,
      `${indent}    if ${lo === '0' ? '' : `${lo} == 0 and `}${y}.shape[2] == ${hi} and ${z}.shape[${t.right.kDim}] == ${hi}:`,
      `${indent}        ${t.name} = ${dot(true)}`,
      `${indent}    else:`,
      `${indent}        ${t.name} = ${dot(false)}`,
      `${indent}else:`,
      `${indent}    ${t.name} = ${NUMPY}.empty((0, 0))`,
    ];
  });
}

/**
 * Is term t's product the transpose of term e's? t's left operand (rows by k)
 * is e's right one (k by columns) read the other way, and the reverse:
 * sum_k L_t[a, k] R_t[k, b] = sum_k R_e[k, a] L_e[b, k] = T_e[b, a].
 */
function transposes(t: ProductTerm, e: ProductTerm): boolean {
  const swapped = (x: ProductOperand, y: ProductOperand): boolean => x.rank === 2 && y.rank === 2 && x.array === y.array && x.kDim === y.kDim;
  return swapped(t.left, e.right) && swapped(t.right, e.left);
}

function updateLine(u: ProductUpdate, print: (e: Expr) => string, indent: string, perPlane: boolean): string {
  // (a plane's own T_r has no plane index)
  const at = (t: ProductTerm): string[] => [...(perPlane ? t.stack.slice(1) : t.stack), ...u.subscripts];
  const term = (t: ProductTerm): string => [...t.factors.map((f) => print(f)), `${t.name}[${at(t).join(', ')}]`].join(' * ');
  const sum = u.terms.map((t, n) => `${n === 0 ? (t.negated ? '-' : '') : t.negated ? ' - ' : ' + '}${term(t)}`).join('');
  return `${indent}${print(u.update.target)} += ${sum}`;
}

/** What replaces the k loop: `X[a, b] += c * T[a, b]`, inside the loops that were inside it. */
export function productUpdate(p: ProductLoop, print: (e: Expr) => string, indent: string): string[] {
  const lines = p.inner.map((l, d) => {
    // (as python-printer.ts prints a range)
    const args = l.range.start === null ? [l.range.stop] : [l.range.start, l.range.stop, l.range.step].filter((e): e is Expr => e !== null);
    return `${indent}${'    '.repeat(d)}for ${l.target.id} in range(${args.map(print).join(', ')}):`;
  });
  // (a loop holding only scatters, whose additions move after the nest, leaves nothing)
  if (p.updates.length === 0) return [`${indent}pass`];
  const body = [...lines, ...p.updates.map((u) => updateLine(u, print, `${indent}${'    '.repeat(p.inner.length)}`, p.plane !== null))];
  if (p.rangeVar === null) return body;
  // a triangle: only where the original's k range is not empty (elsewhere it adds nothing)
  const { lo, hi } = productRange(p, print);
  // a folded scatter: also where the scatter added to this row (T's row then holds its total)
  const scattered = p.fold ? ` or ${p.updates[0].terms[0].name}_n[${p.scatters[0].reduceLoop.target.id}] > 0` : '';
  return [`${indent}if (${hi}) - (${lo}) > 0${scattered}:`, ...body.map((l) => `    ${l}`)];
}
