// Product loops through BLAS (poly/product-loops.ts), printed for the CPU variant:
//
//   if (hi) - (lo) > 0:
//       T = np.dot(Y[:, lo:hi], Z[lo:hi, :])     # (Y[lo:hi, :].T, Z[:, lo:hi].T, z[lo:hi])
//       <the nest, its k loop replaced by: X[a, b] += c * T[a, b]>
//   else:
//       <the nest as written>
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

/** The condition under which the nest runs with its products (every k range non-empty). */
export function productCondition(ps: ProductLoop[], print: (e: Expr) => string): string {
  return ps.map((p) => { const { lo, hi } = productRange(p, print); return `(${hi}) - (${lo}) > 0`; }).join(' and ');
}

/**
 * `T = np.dot(...)` per update, before the nest: of the whole operands when the
 * k range spans them (a slice is typed 'A' by Numba, whose np.dot then copies
 * it), else of the slices.
 */
export function productLines(p: ProductLoop, print: (e: Expr) => string, indent: string): string[] {
  const { lo, hi } = productRange(p, print);
  const terms = p.updates.flatMap((up) => up.terms);
  return terms.flatMap((u, n) => {
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
  return [...lines, ...p.updates.map((u) => updateLine(u, print, `${indent}${'    '.repeat(p.inner.length)}`))];
}
