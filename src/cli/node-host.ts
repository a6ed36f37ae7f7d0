// The Node host's set-up, shared by the CLI (main.ts) and the compile service
// (service/server.ts): one tree-sitter parser and one isl context per process,
// loaded from the files the set-up built (grammar-files.ts). A module of its own
// so that the CLI and the service do not import each other.
import type { IslContext } from 'isl-wasm';
import { createPythonParser, type PythonParser } from '../compiler/index.js';
import { loadGrammarBinaries, loadIslBinary } from './grammar-files.js';

let parserPromise: Promise<PythonParser> | null = null;
let islPromise: Promise<IslContext | undefined> | null = null;

/** One parser per process; the compile service reuses it across requests. */
export function nodeParser(): Promise<PythonParser> {
  parserPromise ??= loadGrammarBinaries().then(createPythonParser);
  return parserPromise;
}

/**
 * One isl context per process for the polyhedral stage. isl-wasm is built by
 * the set-up; if it is missing the compiler still works and says so.
 */
export function nodeIsl(): Promise<IslContext | undefined> {
  islPromise ??= Promise.all([import('isl-wasm'), loadIslBinary()])
    .then(async ([m, wasmBinary]) => (await m.loadIsl({ wasmBinary })).context())
    .catch((e: Error) => {
      process.stderr.write(`polyray: warning: isl-wasm is not available (${e.message.split('\n')[0]}); loops are reported without dependence analysis\n`);
      return undefined;
    });
  return islPromise;
}
