// Benchmark (not a test): dependence analysis, scheduling and AST generation
// time per kernel, median of several runs, in one warm wasm instance.
//   node --import tsx isl-wasm/bench/deps-schedule-ast.ts [runs]
import { performance } from 'node:perf_hooks';
import { loadIslNode } from '../src/node.js';
import { kernels } from '../test/kernels.js';

const runs = Number(process.argv[2] ?? 15);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const t0 = performance.now();
const isl = await loadIslNode();
const loadMs = performance.now() - t0;
const ctx = isl.context();

console.log(`isl-wasm: load ${loadMs.toFixed(1)} ms, median of ${runs} runs per kernel (ms)`);
console.log(['kernel', 'deps', 'schedule', 'ast', 'tile+ast', 'total'].map((h, i) => (i ? h.padStart(9) : h.padEnd(12))).join(''));
for (const k of kernels) {
  const times = { deps: [] as number[], schedule: [] as number[], ast: [] as number[], tile: [] as number[] };
  for (let r = 0; r < runs + 2; ++r) {
    ctx.scope(() => {
      const input = {
        domain: ctx.unionSet(k.domain), mustWrites: ctx.unionMap(k.mustWrites),
        reads: ctx.unionMap(k.reads), schedule: ctx.unionMap(k.schedule),
      };
      let t = performance.now();
      const deps = ctx.computeDependences(input);
      const tDeps = performance.now() - t;
      t = performance.now();
      const s = ctx.computeSchedule({ domain: input.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all });
      const tSched = performance.now() - t;
      t = performance.now();
      ctx.generateAst(s);
      const tAst = performance.now() - t;
      t = performance.now();
      const [band] = s.bands();
      if (band) ctx.generateAst(s.tile(band.path, band.band.coincident.map(() => 32)));
      const tTile = performance.now() - t;
      if (r >= 2) { // first two runs warm up
        times.deps.push(tDeps); times.schedule.push(tSched); times.ast.push(tAst); times.tile.push(tTile);
      }
    });
  }
  const m = [median(times.deps), median(times.schedule), median(times.ast), median(times.tile)];
  const total = m[0]! + m[1]! + m[2]!;
  console.log(k.name.padEnd(12) + [...m, total].map((x) => x.toFixed(2).padStart(9)).join(''));
}
console.log(`wasm memory: ${(isl.memoryBytes() / 2 ** 20).toFixed(0)} MiB, live objects: ${ctx.liveObjects}`);
ctx.free();
