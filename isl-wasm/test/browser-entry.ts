// Bundled by browser.test.ts with esbuild and run in headless Chromium: the
// same known-answer computations as in Node, using only src/index.ts.
import { loadIsl } from '../src/index.js';
import { kernels } from './kernels.js';
import { summarize, type KernelSummary } from './summary.js';

declare global {
  interface Window { __islResult?: { ok: true; summaries: KernelSummary[] } | { ok: false; error: string } }
}

async function main(): Promise<void> {
  try {
    const bytes = await (await fetch('/isl.wasm')).arrayBuffer();
    const isl = await loadIsl({ wasmBinary: bytes });
    const ctx = isl.context();
    const summaries = kernels.map((k) => summarize(ctx, k));
    ctx.free();
    window.__islResult = { ok: true, summaries };
  } catch (e) {
    window.__islResult = { ok: false, error: String((e as Error)?.stack ?? e) };
  }
}

void main();
