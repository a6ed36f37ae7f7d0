// Product loops through BLAS (poly/product-loops.ts), printed for the CPU variant:
//
//   if (hi) - (lo) > 0:
//       T = np.dot(Y[:, lo:hi], Z[lo:hi, :])     # (Y[lo:hi, :].T, Z[:, lo:hi].T, z[lo:hi])
//       <the nest, its k loop replaced by: X[a, b] += c * T[a, b]>
//   else:
//       <the nest as written>
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
import type { ProductLoop, ProductOperand, ProductTerm, ProductUpdate } from '../poly/product-loops.js';
import { NUMPY } from './names.js';

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
    if (p.rangeVar === null) {
      const { lo, hi } = productRange(p, print);
      return [`(${hi}) - (${lo}) > 0`];
    }
    const others = new Set(p.updates.flatMap((u) => u.terms.map((t) => (t.mask === 'left' ? t.right : t.left).array)));
    return [...others].map((a) => `${NUMPY}.isfinite(${a}).all()`);
  }).join(' and ');
}

/** `print` with the name `from` printed as `to` (a mask's row variable). */
export type PrintRenamed = (e: Expr, from: string, to: string) => string;

/** A masked term's product: its operand copied with zeros outside the k range, times the other one whole. */
function maskedLines(p: ProductLoop, t: ProductTerm, printAs: PrintRenamed, indent: string): string[] {
  const v = p.rangeVar as string;
  const masked = t.mask === 'left' ? t.left : t.right;
  const other = t.mask === 'left' ? t.right : t.left;
  const m = `${t.name}_m`;
  const r = `${t.name}_r`;
  const k = `${t.name}_k`;
  const rows = `${masked.array}.shape[${1 - masked.kDim}]`;
  const depth = `${other.array}.shape[${other.kDim}]`;
  const lo = p.loop.range.start ? printAs(p.loop.range.start, v, r) : '0';
  const hi = printAs(p.loop.range.stop, v, r);
  const element = masked.kDim === 0 ? `${masked.array}[${k}, ${r}]` : `${masked.array}[${r}, ${k}]`;
  const [shape, at] = t.mask === 'left' ? [`(${rows}, ${depth})`, `${m}[${r}, ${k}]`] : [`(${depth}, ${rows})`, `${m}[${k}, ${r}]`];
  const whole = operandText(other, t.mask === 'left' ? 'right' : 'left', '', '', true);
  return [
    `${indent}${m} = ${NUMPY}.zeros(${shape})`,
    `${indent}for ${r} in range(${rows}):`,
    `${indent}    for ${k} in range(max(${lo}, 0), min(min(${hi}, ${depth}), ${masked.array}.shape[${masked.kDim}])):`,
    `${indent}        ${at} = ${element}`,
    `${indent}${t.name} = ${NUMPY}.dot(${t.mask === 'left' ? `${m}, ${whole}` : `${whole}, ${m}`})`,
  ];
}

/**
 * `T = np.dot(...)` per update, before the nest: of the whole operands when the
 * k range spans them (a slice is typed 'A' by Numba, whose np.dot then copies
 * it), else of the slices.
 */
export function productLines(p: ProductLoop, print: (e: Expr) => string, printAs: PrintRenamed, indent: string): string[] {
  const { lo, hi } = productRange(p, print);
  const terms = p.updates.flatMap((up) => up.terms);
  return terms.flatMap((u, n) => {
    if (u.mask) return maskedLines(p, u, printAs, indent);
    // syr2k's second term, A @ B.T, is the first's transpose (B @ A.T): one product, read transposed
    const mirror = terms.slice(0, n).find((e) => transposes(u, e));
    if (mirror) return [`${indent}${u.name} = ${mirror.name}.T`];
    const spans = [u.left, u.right].map((o) => `${o.array}.shape[${o.kDim}] == ${hi}`).join(' and ');
    const dot = (whole: boolean): string => `${NUMPY}.dot(${operandText(u.left, 'left', lo, hi, whole)}, ${operandText(u.right, 'right', lo, hi, whole)})`;
    return [`${indent}if ${lo === '0' ? '' : `${lo} == 0 and `}${spans}:`, `${indent}    ${u.name} = ${dot(true)}`, `${indent}else:`, `${indent}    ${u.name} = ${dot(false)}`];
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

function updateLine(u: ProductUpdate, print: (e: Expr) => string, indent: string): string {
  const term = (t: ProductTerm): string => [...t.factors.map((f) => print(f)), `${t.name}[${u.subscripts.join(', ')}]`].join(' * ');
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
  const body = [...lines, ...p.updates.map((u) => updateLine(u, print, `${indent}${'    '.repeat(p.inner.length)}`))];
  if (p.rangeVar === null) return body;
  // a triangle: only where the original's k range is not empty (elsewhere it adds nothing)
  const { lo, hi } = productRange(p, print);
  return [`${indent}if (${hi}) - (${lo}) > 0:`, ...body.map((l) => `    ${l}`)];
}
