// Node convenience: load isl from this package's dist/isl.wasm.
import { readFile } from 'node:fs/promises';
import { loadIsl, type Isl } from './index.js';

/** URL of the built wasm file (after `bash isl-wasm/build.sh`). */
export const wasmUrl: URL = new URL('../dist/isl.wasm', import.meta.url);

let cached: Promise<Isl> | undefined;

/** Load isl in Node, reading dist/isl.wasm; one shared instance per process. */
export function loadIslNode(): Promise<Isl> {
  cached ??= readFile(wasmUrl).then((wasmBinary) => loadIsl({ wasmBinary }));
  return cached;
}

export * from './index.js';
