// Shared by the TypeScript tests: one tree-sitter parser per test process.
import { createPythonParser, type PythonParser } from '../../src/compiler/index.js';
import { loadGrammarBinaries } from '../../src/cli/grammar-files.js';

let parser: Promise<PythonParser> | null = null;

export function testParser(): Promise<PythonParser> {
  parser ??= loadGrammarBinaries().then(createPythonParser);
  return parser;
}

/** Dedents a template literal so test sources can be indented with the test. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, k) => acc + s + (k < values.length ? String(values[k]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
