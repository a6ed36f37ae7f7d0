// The numerics modes (issue 16): `close` accepts NumPy's own elementwise math
// on real floats, with a note per place and its ULP bound; `exact` refuses it
// as before; the host resolves the mode flag > POLYRAY_NUMERICS > default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { hostNumerics } from '../../src/cli/numerics.js';
import { compileSource, explainReport, parseNumerics, ULP_BOUNDS } from '../../src/compiler/index.js';
import { loadIslNode } from 'isl-wasm/node';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

const SRC = 'import numpy as np\nimport numpy.typing as npt\n' + py`
  def f(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], n: int) -> None:
      for i in range(n):
          b[i] = np.exp(a[i]) + np.sin(a[i])
  def g(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
      return np.tanh(a) + a ** 3.0
  def z(c: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
      return np.exp(c)
  def k(a: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
      return a * 2
`;

async function compile(numerics?: 'exact' | 'close') {
  const r = compileSource(await testParser(), SRC, { fileName: 'n.py', targets: ['cpu', 'gpu'], isl: await islCtx, ...(numerics ? { numerics } : {}) });
  assert.ok(r.ok);
  return r;
}

test('close (the default) compiles np.exp, np.sin, np.tanh and ** on float arrays on the CPU, each place noted with its ULP bound', async () => {
  const r = await compile();
  const [f, g, z, k] = r.report.functions;
  assert.deepEqual([f, g, z, k].map((x) => x.numerics), ['close', 'close', 'close', 'close']);
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  assert.deepEqual(f.closeNotes.map((n) => [n.line, n.operation]), [[5, 'np.exp'], [5, 'np.sin']]);
  assert.match(f.closeNotes[0].bound, new RegExp(`<= ${ULP_BOUNDS.exp.float64} ULP from NumPy's result per element \\(float64; ${ULP_BOUNDS.exp.float32} for float32\\)`));
  assert.deepEqual(g.closeNotes.map((n) => n.operation), ['np.tanh', "'**'"]);
  assert.equal(g.accelerated, true);
  // GPU: CUDA's math is not measured, so no GPU variant where close-mode math is used
  assert.ok(!f.variants.includes('gpu'));
  assert.ok(f.transformations.some((t) => /no GPU variant: np\.exp \(close mode\) is verified on the CPU only/.test(t)), f.transformations.join('\n'));
  // complex functions are not measured: refused in both modes
  assert.equal(z.accelerated, false);
  assert.deepEqual(z.closeNotes, []);
  assert.deepEqual(k.closeNotes, []);
  assert.match(r.module, /^_polyray_numerics = "close"$/m);
  const text = explainReport(r.report);
  assert.match(text, /f: accelerated.*\n {4}numerics: close/);
  assert.match(text, /line 5: np\.exp: computed by the C library, <= \d+ ULP/);
});

test('exact refuses them as before and records the mode', async () => {
  const r = await compile('exact');
  const [f, g, z, k] = r.report.functions;
  assert.deepEqual([f, g, z, k].map((x) => x.numerics), ['exact', 'exact', 'exact', 'exact']);
  assert.deepEqual([f.accelerated, g.accelerated, z.accelerated, k.accelerated], [false, false, false, true]);
  assert.match(f.diagnostics.map((d) => d.message).join('\n'), /np\.exp\(\): NumPy computes it with its own/);
  assert.match(g.diagnostics.map((d) => d.message).join('\n'), /'\*\*' on a floating-point array/);
  assert.deepEqual(f.closeNotes, []);
  assert.match(r.module, /^_polyray_numerics = "exact"$/m);
  assert.match(explainReport(r.report), /numerics: exact \(bit for bit/);
});

test('the host picks the mode: flag, then POLYRAY_NUMERICS, then close; bad values are usage errors', () => {
  assert.equal(hostNumerics(null, {}), 'close');
  assert.equal(hostNumerics(null, { POLYRAY_NUMERICS: 'exact' }), 'exact');
  assert.equal(hostNumerics(null, { POLYRAY_NUMERICS: ' close ' }), 'close');
  assert.equal(hostNumerics('close', { POLYRAY_NUMERICS: 'exact' }), 'close');
  assert.equal(hostNumerics('exact', {}), 'exact');
  assert.throws(() => hostNumerics(null, { POLYRAY_NUMERICS: 'fast' }), UsageError);
  assert.equal(parseNumerics('bitwise'), null);
  assert.equal(parseNumerics(3), null);
  const c = parseArgs(['compile', 'a.py', '-o', 'b.py', '--numerics', 'exact']);
  assert.equal(c.kind === 'compile' && c.numerics, 'exact');
  const e = parseArgs(['explain', '--numerics=close', 'a.py']);
  assert.equal(e.kind === 'explain' && e.numerics, 'close');
  assert.equal((parseArgs(['explain', 'a.py']) as { numerics: unknown }).numerics, null);
  assert.throws(() => parseArgs(['explain', 'a.py', '--numerics', 'fast']), /unknown numerics mode 'fast'/);
  assert.throws(() => parseArgs(['explain', 'a.py', '--numerics']), /--numerics needs a value/);
});
