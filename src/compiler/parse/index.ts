// Parse stage: source text -> typed AST, or syntax diagnostics.
import type { Diagnostic } from '../diagnostics.js';
import type { Module } from './ast.js';
import { convertModule } from './convert.js';
import type { PythonParser } from './parser.js';
import { LineIndex } from './spans.js';
import { syntaxErrors } from './syntax-errors.js';

export type ParseResult = { ok: true; module: Module } | { ok: false; diagnostics: Diagnostic[] };

export function parseModule(parser: PythonParser, source: string): ParseResult {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const errors = syntaxErrors(tree.rootNode, new LineIndex(source));
    if (errors.length > 0) return { ok: false, diagnostics: errors };
    return { ok: true, module: convertModule(tree.rootNode, source) };
  } finally {
    tree.delete();
  }
}

export * from './ast.js';
export { createPythonParser, type GrammarBinaries, type PythonParser } from './parser.js';
