// Buffers rotated between steps (scop/rotations.ts, issue 17/18): `a, b = b, a`,
// a three-way rotation and `cells = new` are moves between distinct objects, so
// the space loops are parallel; a name bound to an array still written under
// another name, a view kept across a swap, and buffers of different shapes are
// not (the last under a guard assumption). Kernels:
// test/kernels/numpy_style/rotations.py (run by test/python/test_rotations.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { rotationGroups } from '../../src/compiler/scop/rotations.js';
import { extractScop } from '../../src/compiler/scop/extract.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const kernels = readFileSync(fileURLToPath(new URL('../kernels/numpy_style/rotations.py', import.meta.url)), 'utf8');
const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}:${l.parallel ? 'P' : 's'}${l.reason.includes('runs as prange') ? '!' : ''}`).join(' ');

async function typed(src: string) {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  return checkModule(parsed.module);
}

test('rotated buffers: the space loops run as prange, the time loop is sequential; shared objects stay sequential', async () => {
  const r = compileSource(await testParser(), kernels, { fileName: 'k.py', isl: await islCtx });
  assert.ok(r.ok);
  const fns = new Map(r.report.functions.map((f) => [f.name, f]));
  assert.equal(flags(fns.get('life_torus')!), 'g:s i:P! j:P di:s dj:s');
  assert.equal(flags(fns.get('jacobi_1d')!), 't:s i:P!');
  assert.equal(flags(fns.get('heat_2d')!), 't:s i:P! j:P');
  assert.equal(flags(fns.get('wave_leapfrog')!), 't:s i:P!');
  assert.equal(flags(fns.get('rule90')!), 't:s i:P!');
  // `cur = nxt` with nxt written again: one object under two names, read one element behind the write
  assert.equal(flags(fns.get('shared_state')!), 't:s i:s');
  assert.ok(!flags(fns.get('kept_row')!).includes('!'), flags(fns.get('kept_row')!));
});

test('groups: moves between fresh locals; a live source, a view or a parameter breaks them', async () => {
  const groups = async (body: string): Promise<string[]> => {
    const [tf] = await typed(`import numpy as np\n\ndef f(u: np.ndarray[tuple[int], np.dtype[np.float64]], k: int):\n${body}`);
    return rotationGroups(tf).map((g) => [...g.names].filter((n) => !n.startsWith('__')).sort().join(','));
  };
  const loop = '    for t in range(k):\n        for i in range(1, len(u)):\n            b[i] = a[i - 1]\n';
  assert.deepEqual(await groups(`    a = u.copy()\n    b = np.zeros_like(u)\n${loop}        a, b = b, a\n    return a\n`), ['a,b']);
  assert.deepEqual(await groups(`    a = u.copy()\n    b = np.zeros_like(u)\n${loop}        a = b\n    return a\n`), []);
  assert.deepEqual(await groups(`    a = u.copy()\n    b = np.zeros_like(u)\n    v = a[1:]\n${loop}        a, b = b, a\n    return v\n`), []);
  assert.deepEqual(await groups(`    a = u\n    b = np.zeros_like(u)\n${loop}        a, b = b, a\n    return a\n`), []);
});

test('fresh buffers of different shapes: one shape under a guard assumption', async () => {
  const src = 'import numpy as np\n\ndef f(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]], k: int):\n    a = x.copy()\n    b = y.copy()\n    for t in range(k):\n        for i in range(len(x)):\n            b[i] = a[i] * 2.0\n        a, b = b, a\n    return a\n';
  const [tf] = await typed(src);
  const scop = extractScop(tf, src);
  assert.deepEqual(scop.assumptions.map((a) => a.condition), ['(y.shape[0]) == (x.shape[0])']);
  assert.deepEqual(scop.localShapes.get('a'), ['x_shape0']);
});
