// Affine expressions over loop iterators and parameters, read from the typed
// AST and printed in isl's syntax. Anything non-affine reads as null.
import type { Expr } from '../parse/ast.js';

/** coefficients by variable name, plus a constant. */
export interface Aff {
  terms: Map<string, number>;
  constant: number;
}

export const affConst = (c: number): Aff => ({ terms: new Map(), constant: c });
export const affVar = (v: string): Aff => ({ terms: new Map([[v, 1]]), constant: 0 });

export function affAdd(a: Aff, b: Aff, sign = 1): Aff {
  const terms = new Map(a.terms);
  for (const [v, c] of b.terms) terms.set(v, (terms.get(v) ?? 0) + sign * c);
  for (const [v, c] of [...terms]) if (c === 0) terms.delete(v);
  return { terms, constant: a.constant + sign * b.constant };
}

export function affScale(a: Aff, k: number): Aff {
  const terms = new Map<string, number>();
  if (k !== 0) for (const [v, c] of a.terms) terms.set(v, c * k);
  return { terms, constant: a.constant * k };
}

export function affIsConst(a: Aff): boolean {
  return a.terms.size === 0;
}

export function affToIsl(a: Aff): string {
  const parts: string[] = [];
  for (const [v, c] of a.terms) parts.push(c === 1 ? v : c === -1 ? `-${v}` : `${c}*${v}`);
  if (a.constant !== 0 || parts.length === 0) parts.push(String(a.constant));
  return parts.join(' + ').replace(/\+ -/g, '- ');
}

/**
 * Resolves names: a loop iterator or int parameter gives its isl name, a local
 * that names a size its affine definition; anything else null.
 */
export type NameResolver = (e: Expr) => string | Aff | null;

export function toAff(e: Expr, resolve: NameResolver): Aff | null {
  switch (e.kind) {
    case 'number':
      return e.numberKind === 'int' && /^\d+$/.test(e.text) ? affConst(Number(e.text)) : null;
    case 'unary': {
      if (e.op !== '-' && e.op !== '+') return null;
      const a = toAff(e.operand, resolve);
      return a && (e.op === '-' ? affScale(a, -1) : a);
    }
    case 'binary': {
      if (e.op !== '+' && e.op !== '-' && e.op !== '*') return null;
      const l = toAff(e.left, resolve);
      const r = toAff(e.right, resolve);
      if (!l || !r) return null;
      if (e.op === '+') return affAdd(l, r);
      if (e.op === '-') return affAdd(l, r, -1);
      if (affIsConst(l)) return affScale(r, l.constant);
      if (affIsConst(r)) return affScale(l, r.constant);
      return null;
    }
    default: {
      const name = resolve(e);
      return typeof name === 'string' ? affVar(name) : name;
    }
  }
}

/**
 * A Python identifier as an isl identifier: isl reads ASCII names only, so a
 * name such as `ñ` becomes `u_f1` (still a valid Python identifier, which the
 * guard and box functions define from the original name).
 */
export function islName(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return `u_${[...name].map((c) => c.codePointAt(0)!.toString(16)).join('_')}`;
}
