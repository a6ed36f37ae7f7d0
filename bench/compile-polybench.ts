// Benchmark (not a test): compile time per PolyBench kernel through the whole
// pipeline (parse, types, scop, dependences, parallel plan, codegen, report),
// median of several runs after warm-up. Run: node --import tsx bench/compile-polybench.ts
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeIsl, nodeParser } from '../src/cli/main.js';
import { compileSource } from '../src/compiler/index.js';

const dir = fileURLToPath(new URL('../test/kernels/polybench/', import.meta.url));
const parser = await nodeParser();
const isl = await nodeIsl();
const runs = Number(process.env.RUNS ?? 7);
const rows: [string, number, number][] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'specs.py').sort()) {
  const src = readFileSync(dir + file, 'utf8');
  compileSource(parser, src, { fileName: file, isl });
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    compileSource(parser, src, { fileName: file, isl });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  rows.push([file.replace('.py', ''), times[Math.floor(times.length / 2)], times[times.length - 1]]);
}
console.log('kernel            median ms   max ms');
for (const [name, med, max] of rows) console.log(`${name.padEnd(16)} ${med.toFixed(1).padStart(9)} ${max.toFixed(1).padStart(8)}`);
const meds = rows.map((r) => r[1]).sort((a, b) => a - b);
console.log(`median over kernels: ${meds[Math.floor(meds.length / 2)].toFixed(1)} ms; worst: ${meds[meds.length - 1].toFixed(1)} ms`);
