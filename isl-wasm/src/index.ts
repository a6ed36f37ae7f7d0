// isl-wasm: isl 0.25 compiled to WebAssembly, with typed bindings.
//
//   const isl = await loadIsl({ wasmBinary });   // host supplies the bytes
//   const ctx = isl.context();
//   const deps = ctx.computeDependences({ domain, mustWrites, reads, schedule });
//
// This file has no Node or browser specifics; src/node.ts adds a Node
// loader that reads dist/isl.wasm from disk.

import createIslModule from '../dist/isl.mjs';
import { IslContext } from './context.js';
import type { RawModule } from './raw.js';

export { IslError, IslQuotaError } from './errors.js';
export {
  IslContext, IslObject, IslSet, IslMap, IslUnionSet, IslUnionMap, IslSchedule,
  type Input, type DependenceInput, type Dependences, type ScheduleInput, type ScheduleOptions,
  type TileOptions, type AstOptions,
} from './context.js';
export * from './ast.js';
export * from './schedule-tree.js';
export type { DimTypeName } from './raw.js';

export interface LoadIslOptions {
  /** The bytes of dist/isl.wasm (fetch them in a browser, read them in Node). */
  wasmBinary: ArrayBuffer | Uint8Array;
}

/** One instantiated wasm module; contexts are cheap, modules are not. */
export class Isl {
  /** @internal */
  readonly raw: RawModule;

  /** @internal Use loadIsl(). */
  constructor(raw: RawModule) {
    this.raw = raw;
  }

  /** A new isl context (free it with `ctx.free()`). */
  context(): IslContext {
    return new IslContext(this.raw);
  }

  /** Current size of the wasm linear memory in bytes (grows, never shrinks). */
  memoryBytes(): number {
    return this.raw.HEAP8.length;
  }
}

/** Instantiate isl from the given wasm bytes. */
export async function loadIsl(options: LoadIslOptions): Promise<Isl> {
  const bytes = options.wasmBinary instanceof Uint8Array ? options.wasmBinary : new Uint8Array(options.wasmBinary);
  const raw = (await createIslModule({
    wasmBinary: bytes,
    // Keep the wasm's own stdout/stderr quiet unless something goes wrong.
    print: () => {},
    printErr: (s: string) => console.warn(`[isl-wasm] ${s}`),
  })) as RawModule;
  return new Isl(raw);
}
