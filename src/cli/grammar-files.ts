// Node host: finds the compiler's WebAssembly files (the tree-sitter runtime,
// the Python grammar, isl) and hands their bytes to the compiler. The one-file
// bundle in the Python wheel (scripts/build-wheel.mjs) carries them beside
// itself; from a checkout they are found in node_modules.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { GrammarBinaries } from '../compiler/index.js';

const require = createRequire(import.meta.url);

/** The path of `fileName` beside this module (the bundle), else `specifier` resolved in node_modules. */
export function wasmAsset(fileName: string, specifier: string): string {
  const beside = fileURLToPath(new URL(fileName, import.meta.url));
  return existsSync(beside) ? beside : require.resolve(specifier);
}

export async function loadGrammarBinaries(): Promise<GrammarBinaries> {
  const runtimePath = wasmAsset('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
  const pythonPath = wasmAsset('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm');
  const [runtimeWasm, pythonWasm] = await Promise.all([readFile(runtimePath), readFile(pythonPath)]);
  return { runtimeWasm, pythonWasm };
}

/** The bytes of isl.wasm (isl-wasm's dist/, or beside the bundle). */
export function loadIslBinary(): Promise<Buffer> {
  return readFile(wasmAsset('isl.wasm', 'isl-wasm/dist/isl.wasm'));
}
