// Benchmark (not a test): compile time per PolyBench kernel through the whole
// pipeline (parse, types, scop, dependences, parallel plan, codegen, report),
// median and p95 of several runs after one warm-up.
// Run: node --import tsx bench/compile-polybench.ts [--json]   (RUNS=N, default 20)
// --json prints one JSON object (per kernel: every run in ms) instead of the table;
// bench/run_bench.py uses it for docs/benchmarks.md.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeIsl, nodeParser } from '../src/cli/node-host.js';
import { compileSource } from '../src/compiler/index.js';

const dir = fileURLToPath(new URL('../test/kernels/polybench/', import.meta.url));
const json = process.argv.includes('--json');
const parser = await nodeParser();
const isl = await nodeIsl();
const runs = Number(process.env.RUNS ?? 20);

/** The q-quantile of sorted samples (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const rows: { kernel: string; runs: number[]; median: number; p95: number; max: number }[] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'specs.py').sort()) {
  const src = readFileSync(dir + file, 'utf8');
  compileSource(parser, src, { fileName: file, isl });
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    compileSource(parser, src, { fileName: file, isl });
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  rows.push({
    kernel: file.replace('.py', ''),
    runs: times,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1],
  });
}
const meds = rows.map((r) => r.median).sort((a, b) => a - b);
const all = rows.flatMap((r) => r.runs).sort((a, b) => a - b);
const summary = {
  runsPerKernel: runs,
  medianOfKernelMedians: quantile(meds, 0.5),
  p95OfKernelMedians: quantile(meds, 0.95),
  medianAllRuns: quantile(all, 0.5),
  p95AllRuns: quantile(all, 0.95),
  worstMedian: meds[meds.length - 1],
};
if (json) {
  console.log(JSON.stringify({ kernels: rows, summary }));
} else {
  console.log('kernel            median ms   p95 ms   max ms');
  for (const r of rows) {
    console.log(`${r.kernel.padEnd(16)} ${r.median.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}`);
  }
  console.log(`median over kernels: ${summary.medianOfKernelMedians.toFixed(1)} ms; p95 over kernels: ${summary.p95OfKernelMedians.toFixed(1)} ms; worst: ${summary.worstMedian.toFixed(1)} ms`);
  console.log(`all ${all.length} runs: median ${summary.medianAllRuns.toFixed(1)} ms, p95 ${summary.p95AllRuns.toFixed(1)} ms`);
}
