// The compile service's warm-up (src/service/warmup.ts): the built-in program
// must keep reaching every stage (each function accelerated, so the polyhedral
// stage and code generation run), and the "warm" op answers once with the
// compile's time, then at once; it gives way to a request already waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSource, ALL_TARGETS } from '../../src/compiler/index.js';
import { nodeIsl, nodeParser } from '../../src/cli/node-host.js';
import { handleLine } from '../../src/service/server.js';
import { WARMUP_SOURCE, warmUp } from '../../src/service/warmup.js';

test('every function of the warm-up program is accelerated, in both numerics modes', async () => {
  const [parser, isl] = await Promise.all([nodeParser(), nodeIsl()]);
  assert.ok(isl, 'isl-wasm is built by the set-up');
  for (const numerics of ['close', 'exact'] as const) {
    const result = compileSource(parser, WARMUP_SOURCE, { fileName: 'warm.py', targets: ALL_TARGETS, isl, numerics });
    assert.ok(result.ok, numerics);
    const names = result.report.functions.map((f) => `${f.name}:${f.accelerated}`);
    // exact keeps arrays' np.sum(axis=0) and A @ b as the original (NumPy's bits); the warm-up runs close
    const expected = ['stencil:true', 'matvec:true', `arrays:${numerics === 'close'}`];
    assert.deepEqual(names, expected, numerics);
  }
});

test('the warm op compiles the program once (not while a request waits), then answers at once', async () => {
  assert.equal(await warmUp(() => true), 0); // a request is waiting: skipped, and still to do
  const first = (await handleLine('{"id": 1, "op": "warm"}')) as Record<string, unknown>;
  assert.equal(first.ok, true);
  assert.equal(first.id, 1);
  assert.equal(first.warm, true);
  assert.ok(typeof first.ms === 'number' && first.ms > 0, JSON.stringify(first));
  const again = (await handleLine('{"id": "b", "op": "warm"}')) as Record<string, unknown>;
  assert.deepEqual([again.ok, again.id, again.ms], [true, 'b', 0]);
});

test('an unknown op says which ops exist', async () => {
  const bad = (await handleLine('{"id": 3, "op": "warmer"}')) as Record<string, unknown>;
  assert.equal(bad.ok, false);
  assert.match(String(bad.error), /compile, warm, ping or version/);
});
