// Known answers: exact dependences and parallel loops for classic kernels,
// against hand-derived results (kernels.ts) and against islpy as an oracle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadIslNode, forLoops, type IslContext } from '../src/node.js';
import { kernels } from './kernels.js';
import { parallelDims, respects } from './helpers.js';

let ctx: IslContext;
before(async () => {
  ctx = (await loadIslNode()).context();
});
after(() => ctx.free());

for (const k of kernels) {
  test(`${k.name}: dependences match the hand-derived ones`, () => {
    ctx.scope(() => {
      const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      for (const kind of ['flow', 'anti', 'output'] as const) {
        const expected = ctx.unionMap(k.expected[kind]);
        assert.ok(deps[kind].isEqual(expected), `${kind}: got ${deps[kind]}, expected ${expected}`);
      }
      assert.ok(deps.flowMust.isSubset(deps.flow));
    });
  });

  test(`${k.name}: parallel loops of the original order`, () => {
    ctx.scope(() => {
      const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      assert.deepEqual(parallelDims(ctx, deps.all, ctx.unionMap(k.schedule), k.parallelDims.length), k.parallelDims);
    });
  });

  test(`${k.name}: computed schedule is valid and its AST is well formed`, () => {
    ctx.scope(() => {
      const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      const schedule = ctx.computeSchedule({
        domain: k.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all,
      });
      assert.ok(respects(ctx, deps.all, schedule.map()), 'schedule violates a dependence');
      assert.ok(schedule.domain().isEqual(ctx.unionSet(k.domain)));
      const ast = ctx.generateAst(schedule);
      assert.ok(ast.c.length > 0);
      // A loop isl calls coincident must carry no dependence: for the
      // single-band schedules here, compare with the band's flags.
      const bands = schedule.bands();
      if (bands.length === 1 && bands[0]!.path.length === 1) {
        const flags = forLoops(ast.root).map((f) => f.coincident);
        assert.deepEqual(flags.slice(0, bands[0]!.band.coincident.length), bands[0]!.band.coincident);
      }
    });
  });
}

test('gemm: scheduler marks i and j coincident, k not; tiling keeps them', () => {
  ctx.scope(() => {
    const k = kernels.find((x) => x.name === 'gemm')!;
    const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
    const schedule = ctx.computeSchedule({
      domain: k.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all,
      options: { outerCoincidence: true, serializeSccs: false, maximizeBandDepth: true, wholeComponent: false },
    });
    const [band] = schedule.bands();
    assert.ok(band);
    assert.equal(band.band.permutable, true);
    assert.deepEqual(band.band.coincident.slice(0, 2), [true, true]);
    const loops = forLoops(ctx.generateAst(schedule).root);
    assert.deepEqual(loops.map((l) => l.coincident), [true, true, false]);

    const tiled = schedule.tile(band.path, [32, 32, 32].slice(0, band.band.coincident.length));
    const tiledBands = tiled.bands();
    assert.equal(tiledBands.length, 2, 'tile band + point band');
    const marked = tiled.insertMark(tiledBands[0]!.path, 'parallel');
    const ast = ctx.generateAst(marked);
    assert.equal(ast.root.kind, 'mark');
    assert.ok(ast.root.kind === 'mark' && ast.root.mark === 'parallel');
    const tiledLoops = forLoops(ast.root);
    // tile loops i, j, k; point loops i, j, k (S0 is peeled for nk <= 0: 2 more).
    assert.equal(tiledLoops.length, 8);
    assert.deepEqual(tiledLoops.slice(0, 6).map((l) => l.coincident), [true, true, false, true, true, false]);
    assert.match(ast.c, /c0 \+= 32/);
  });
});

test('triangular: the j loop is the parallel one after scheduling', () => {
  ctx.scope(() => {
    const k = kernels.find((x) => x.name === 'triangular')!;
    const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
    const schedule = ctx.computeSchedule({ domain: k.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all });
    const loops = forLoops(ctx.generateAst(schedule).root);
    assert.deepEqual(loops.map((l) => l.coincident), [true, false]);
    // The outer (parallel) loop enumerates j: the statement is S(c1, c0).
    const ast = ctx.generateAst(schedule);
    assert.match(ast.c, /S\(c1, c0\)/);
  });
});

test('AST from a schedule map, with a parameter context', () => {
  ctx.scope(() => {
    const ast = ctx.generateAst('[n] -> { S[i, j] -> [i, j] : 0 <= j <= i < n }', { context: '[n] -> { : n >= 1 }' });
    const [outer, inner] = forLoops(ast.root);
    assert.ok(outer && inner);
    assert.equal(outer.iterator, 'c0');
    assert.equal(outer.coincident, null);
    assert.deepEqual(outer.init, { kind: 'int', value: 0 });
    assert.deepEqual(outer.cond, { kind: 'op', op: 'lt', args: [{ kind: 'id', name: 'c0' }, { kind: 'id', name: 'n' }] });
    assert.equal(inner.body.kind, 'user');
    assert.ok(inner.body.kind === 'user' && inner.body.expr.kind === 'op' && inner.body.expr.op === 'call');
  });
});

test('isl errors become IslError with isl\'s message; the context stays usable', async () => {
  const { IslError } = await import('../src/index.js');
  assert.throws(() => ctx.unionSet('{ S[i : }'), (e: unknown) => e instanceof IslError && /syntax error|read/.test(e.message));
  assert.throws(() => ctx.scope(() => ctx.set('{ A[i] }').intersect(ctx.set('{ B[i, j] }'))), IslError);
  ctx.scope(() => assert.ok(ctx.set('{ A[i] : 0 <= i < 3 }').lexmin().isEqual(ctx.set('{ A[0] }'))));
  assert.equal(ctx.liveObjects, 0);
});

test('set and map operations', () => {
  ctx.scope(() => {
    const s = ctx.set('[n] -> { A[i, j] : 0 <= i < n and 0 <= j < n }');
    const t = ctx.set('[n] -> { A[i, j] : i = j }');
    assert.ok(s.intersect(t).isSubset(s));
    assert.ok(s.subtract(t).union(s.intersect(t)).isEqual(s));
    assert.ok(s.projectOut('set', 1, 1).isEqual(ctx.set('[n] -> { [i] : 0 <= i < n }'))); // isl drops the tuple name
    assert.ok(s.params().isEqual(ctx.set('[n] -> { : n > 0 }')));
    const m = ctx.map('{ A[i] -> B[i + 1] }');
    assert.ok(m.reverse().isEqual(ctx.map('{ B[i] -> A[i - 1] }')));
    assert.throws(() => m.deltas(), /domain and range don't match/); // spaces differ: A vs B
    const u = ctx.unionMap('{ S[i] -> S[i + 2] : 0 <= i < 10 }');
    assert.ok(u.deltas().isEqual(ctx.unionSet('{ S[2] }')));
    assert.ok(u.domain().lexmax().isEqual(ctx.unionSet('{ S[9] }')));
    assert.ok(u.applyRange(u).isEqual(ctx.unionMap('{ S[i] -> S[i + 4] : 0 <= i < 8 }')));
    assert.ok(u.range().apply(u.reverse()).isEqual(u.domain()));
    assert.equal(s.dim('set'), 2);
  });
});

const python = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
test('islpy oracle agrees on every kernel', { skip: existsSync(python) ? false : `no ${python}` }, () => {
  const input = JSON.stringify(kernels.map(({ name, domain, mustWrites, reads, schedule }) => ({ name, domain, mustWrites, reads, schedule })));
  const run = spawnSync(python, [fileURLToPath(new URL('./oracle.py', import.meta.url))], { input, encoding: 'utf8' });
  if (run.status !== 0 && /No module named 'islpy'/.test(run.stderr)) return; // oracle unavailable
  assert.equal(run.status, 0, run.stderr);
  const oracle = JSON.parse(run.stdout) as Record<string, Record<'flow' | 'anti' | 'output', string>>;
  for (const k of kernels) {
    ctx.scope(() => {
      const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      for (const kind of ['flow', 'anti', 'output'] as const) {
        const theirs = ctx.unionMap(oracle[k.name]![kind]);
        assert.ok(deps[kind].isEqual(theirs), `${k.name} ${kind}: wasm ${deps[kind]} vs islpy ${theirs}`);
      }
    });
  }
});

test('dependences from a schedule tree equal those from the schedule map', () => {
  for (const k of kernels) {
    ctx.scope(() => {
      const tree = ctx.scheduleFromMap(k.domain, k.schedule);
      const a = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: tree });
      const b = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      assert.ok(a.all.isEqual(b.all), k.name);
      // mayWrites alone (no must-writes) gives at least the same flow.
      const c = ctx.computeDependences({ domain: k.domain, mayWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
      assert.ok(b.flow.isSubset(c.flow), k.name);
    });
  }
  assert.equal(ctx.liveObjects, 0);
});
