// The CPU variant: the function body printed for Numba's nopython mode, with
// the operators and math calls where CPython and Numba disagree routed through
// helpers that reproduce CPython (the runtime injects them as globals).
import type { Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { cpuName, helperName } from './names.js';
import { PythonPrinter } from './python-printer.js';

export interface CpuVariantCode {
  name: string;
  lines: string[];
  helpers: string[];
}

export function emitCpuVariant(tf: TypedFunction): CpuVariantCode {
  const used = new Set<string>();
  const printer = new PythonPrinter((e: Expr, print) => {
    const h = tf.helpers.get(e);
    if (!h) return undefined;
    used.add(h.helper);
    if (e.kind === 'binary') return `${helperName(h.helper)}(${print(e.left)}, ${print(e.right)})`;
    if (e.kind === 'call') return `${helperName(h.helper)}(${e.args.map(print).join(', ')})`;
    return undefined;
  });
  const body = printer.stmts(tf.fn.body, '    ', (s, indent) => {
    if (s.kind !== 'augassign') return undefined;
    const h = tf.augHelpers.get(s);
    if (!h) return undefined;
    used.add(h.helper);
    const target = printer.expr(s.target);
    return [`${indent}${target} = ${helperName(h.helper)}(${target}, ${printer.expr(s.value)})`];
  });
  const name = cpuName(tf.fn.name);
  const params = tf.fn.params.map((p) => p.name).join(', ');
  return { name, lines: [`def ${name}(${params}):`, ...body], helpers: [...used].sort() };
}
