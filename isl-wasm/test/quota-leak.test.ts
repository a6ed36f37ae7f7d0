// The operation quota turns runaway isl computations into IslQuotaError
// without breaking the context; repeated work does not grow wasm memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadIslNode, IslError, IslQuotaError, type Isl, type IslContext } from '../src/node.js';
import { kernels } from './kernels.js';

let isl: Isl;
let ctx: IslContext;
before(async () => {
  isl = await loadIslNode();
  ctx = isl.context();
});
after(() => ctx.free());

const seidel = kernels.find((k) => k.name === 'seidel-2d')!;

test('scheduling beyond max_operations throws IslQuotaError; the context stays usable', () => {
  ctx.scope(() => {
    const deps = ctx.computeDependences({ domain: seidel.domain, mustWrites: seidel.mustWrites, reads: seidel.reads, schedule: seidel.schedule });
    const problem = { domain: seidel.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all };
    assert.throws(() => ctx.computeSchedule({ ...problem, maxOperations: 50 }), (e: unknown) =>
      e instanceof IslQuotaError && e instanceof IslError && e.code === 6);
    // Same problem, no quota: succeeds on the same context.
    const schedule = ctx.computeSchedule(problem);
    assert.equal(schedule.bands().length >= 1, true);
    // A quota large enough also succeeds, and withQuota nests cleanly.
    const again = ctx.withQuota(10_000_000, () => ctx.computeSchedule(problem));
    assert.ok(again.map().isEqual(schedule.map()));
    // Parsing after the failure still works.
    assert.ok(ctx.set('{ A[i] : 0 <= i < 4 }').lexmax().isEqual(ctx.set('{ A[3] }')));
  });
  assert.equal(ctx.liveObjects, 0);
});

test('quota also covers dependence analysis', () => {
  ctx.scope(() => {
    const input = {
      domain: ctx.unionSet(seidel.domain), mustWrites: ctx.unionMap(seidel.mustWrites),
      reads: ctx.unionMap(seidel.reads), schedule: ctx.unionMap(seidel.schedule),
    };
    assert.throws(() => ctx.withQuota(5, () => ctx.computeDependences(input)), IslQuotaError);
    assert.ok(ctx.computeDependences(input).flow.isEqual(ctx.unionMap(seidel.expected.flow)));
  });
  assert.equal(ctx.liveObjects, 0);
});

/** One round of everything the compiler does, all freed at scope end. */
function round(c: IslContext, k = kernels[(Math.random() * kernels.length) | 0]!): void {
  c.scope(() => {
    const deps = c.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
    const s = c.computeSchedule({ domain: k.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all });
    const [band] = s.bands();
    const t = band ? s.tile(band.path, band.band.coincident.map(() => 16)) : s;
    c.generateAst(t.insertMark([0], 'kernel'));
    c.unionMap(k.reads).intersect(c.unionMap(k.mustWrites)).coalesce().toString();
    try { c.set('{ bad'); } catch { /* error path must not leak either */ }
  });
}

test('memory stops growing after warm-up (300 compiler rounds, thousands of isl operations)', () => {
  for (let i = 0; i < 40; ++i) round(ctx, kernels[i % kernels.length]);
  const warm = isl.memoryBytes();
  for (let i = 0; i < 300; ++i) round(ctx, kernels[i % kernels.length]);
  assert.equal(isl.memoryBytes(), warm, `wasm memory grew from ${warm} to ${isl.memoryBytes()}`);
  assert.equal(ctx.liveObjects, 0);
});

test('contexts can be created and freed repeatedly', () => {
  for (let i = 0; i < 10; ++i) {
    const c = isl.context();
    round(c, kernels[0]);
    c.set('{ A[i] }'); // left alive on purpose: freed with the context
    c.free();
  }
  const warm = isl.memoryBytes();
  for (let i = 0; i < 60; ++i) {
    const c = isl.context();
    round(c, kernels[i % kernels.length]);
    c.free();
  }
  assert.equal(isl.memoryBytes(), warm);
});
