// Node host: finds the tree-sitter runtime and Python grammar .wasm files in
// node_modules and hands their bytes to the compiler.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { GrammarBinaries } from '../compiler/index.js';

const require = createRequire(import.meta.url);

export async function loadGrammarBinaries(): Promise<GrammarBinaries> {
  const runtimePath = require.resolve('web-tree-sitter/tree-sitter.wasm');
  const pythonPath = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const [runtimeWasm, pythonWasm] = await Promise.all([readFile(runtimePath), readFile(pythonPath)]);
  return { runtimeWasm, pythonWasm };
}
