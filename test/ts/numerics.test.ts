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
  // np.exp of complex numbers is glibc's cexp reproduced (complex_helpers.cexp): NumPy's bits, so no close note
  assert.equal(z.accelerated, true, JSON.stringify(z.diagnostics));
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
  assert.deepEqual([f.accelerated, g.accelerated, z.accelerated, k.accelerated], [false, false, true, true]);
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

const PRODUCTS = 'import numpy as np\nimport numpy.typing as npt\n' + py`
  def mm(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
      c = a @ b
      return c + np.dot(a, b) + np.matmul(a, b)
  def vv(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
      return np.vdot(x, y)
  def ii(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
      return a @ b
`;

test('products through BLAS: exact keeps the original for float ones, close compiles them with a note that keeps the GPU variant', async () => {
  const run = async (numerics: 'exact' | 'close') => {
    const r = compileSource(await testParser(), PRODUCTS, { fileName: 'p.py', targets: ['cpu', 'gpu'], isl: await islCtx, numerics });
    assert.ok(r.ok);
    return r.report.functions;
  };
  const [mm, vv, ii] = await run('exact');
  assert.deepEqual([mm.accelerated, vv.accelerated, ii.accelerated], [false, false, true]);
  const why = mm.diagnostics.map((d) => `${d.line}: ${d.message}`);
  assert.equal(why.length, 3, why.join('\n'));
  assert.match(why[0], /^4: '@' of floating-point arrays: compiled code calls another BLAS build than NumPy's/);
  assert.match(why.join('\n'), /5: np\.dot of floating-point arrays/);
  assert.match(why.join('\n'), /5: np\.matmul of floating-point arrays/);
  assert.match(vv.diagnostics[0].message, /^np\.vdot of floating-point arrays/);
  const [cm, cv, ci] = await run('close');
  assert.deepEqual([cm.accelerated, cv.accelerated, ci.accelerated], [true, true, true]);
  assert.deepEqual(cm.closeNotes.map((n) => [n.line, n.operation, n.kind, n.gpu]), [[4, "'@'", 'product', true], [5, 'np.dot', 'product', true], [5, 'np.matmul', 'product', true]]);
  assert.match(cm.closeNotes[0].bound, /<= 1\.01\*k\*eps\*\(\|A\|@\|B\|\)\[i, j\] from NumPy's/);
  assert.deepEqual(ci.closeNotes, []);
  assert.ok(!cm.transformations.some((t) => /verified on the CPU only/.test(t)), cm.transformations.join('\n'));
});

const REDUCTIONS = 'import numpy as np\nimport numpy.typing as npt\n' + py`
  def cols(a: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
      n, m = a.shape
      return (a - a.mean(axis=0)) / np.std(a, axis=0, ddof=1)
  def rows(a: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
      return a / np.sum(a, axis=-1, keepdims=True)
  def counts(k: npt.NDArray[np.int64]) -> float:
      return k.mean()
  def bad(a: np.ndarray[tuple[int, int], np.dtype[np.float64]], ax: int) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
      return np.sum(a, axis=ax) + np.var(a, axis=2)
`;

test('reductions: close compiles them along axes with a reduction note each (CPU only); exact keeps the original', async () => {
  const run = async (numerics: 'exact' | 'close') => {
    const r = compileSource(await testParser(), REDUCTIONS, { fileName: 'r.py', targets: ['cpu', 'gpu'], isl: await islCtx, numerics });
    assert.ok(r.ok);
    return r;
  };
  const close = await run('close');
  const [cols, rows, counts, bad] = close.report.functions;
  assert.deepEqual([cols.accelerated, rows.accelerated, counts.accelerated, bad.accelerated], [true, true, true, false]);
  assert.deepEqual(cols.closeNotes.map((n) => [n.line, n.operation, n.kind, n.gpu]), [[5, '.mean()', 'reduction', false], [5, 'np.std', 'reduction', false]]);
  assert.match(cols.closeNotes[0].bound, /pairwise in float64, blocks fixed by the length n .*D\(n\) <= ceil\(log2 n\) \+ 18/);
  assert.match(counts.closeNotes[0].bound, /^int64 elements as float64/);
  assert.ok(!cols.variants.includes('gpu'));
  assert.match(close.module, /_polyray_h_axis_mean\(a, 0, False, True\)/);
  assert.match(close.module, /_polyray_h_axis_std\(a, 0, False, True, 1\)/);
  assert.match(close.module, /_polyray_h_axis_sum\(a, -1, True, True\)/);
  assert.match(close.module, /_polyray_h_whole_mean\(k\)/);
  const why = bad.diagnostics.map((d) => d.message).join('\n');
  assert.match(why, /sum\(\): the axis must be an int literal/);
  assert.match(why, /var\(\): axis 2 is out of bounds for an array of 2 dimensions/);
  const exact = (await run('exact')).report.functions;
  assert.deepEqual(exact.map((f) => f.accelerated), [false, false, false, false]);
  assert.ok(exact.every((f) => f.closeNotes.length === 0));
});

test("'**' with an integer exponent on float64: exact keeps the original, close converts the integer side and notes the power's ULP bound", async () => {
  const src = 'import numpy as np\nimport numpy.typing as npt\n' + py`
    def p(x: npt.NDArray[np.float64], k: int, e: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return np.sin(x) ** 2 + x ** k + 2 ** x + x ** e
    def q(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return x ** 2
  `;
  const run = async (numerics: 'exact' | 'close') => compileSource(await testParser(), src, { fileName: 'w.py', targets: ['cpu'], isl: await islCtx, numerics });
  const exact = await run('exact');
  assert.ok(exact.ok);
  assert.deepEqual(exact.report.functions.map((f) => f.accelerated), [false, false]);
  const close = await run('close');
  assert.ok(close.ok);
  const [p, q] = close.report.functions;
  assert.equal(p.accelerated, true, JSON.stringify(p.diagnostics));
  assert.deepEqual(p.closeNotes.map((n) => n.operation), ['np.sin', "'**'", "'**'", "'**'", "'**'"]);
  assert.match(close.module, /np\.sin\(x\) \*\* _polyray_np\.float64\(2\) \+ x \*\* _polyray_np\.float64\(k\) \+ _polyray_np\.float64\(2\) \*\* x \+ x \*\* \(e\)\.astype\(_polyray_np\.float64\)/);
  // float32: NumPy's float32 power is not measured against compiled code's: kept
  assert.equal(q.accelerated, false);
});

test("complex division: NumPy's loop (numba_helpers.cdiv) in both modes; complex64 stays refused", async () => {
  const src = 'import numpy as np\nimport numpy.typing as npt\n' + py`
    def h(num: npt.NDArray[np.complex128], den: npt.NDArray[np.complex128], g: npt.NDArray[np.float64]) -> npt.NDArray[np.complex128]:
        return num / den + g / num + num / 2.0
    def s(z: npt.NDArray[np.complex128], out: npt.NDArray[np.complex128], n: int) -> None:
        for i in range(n):
            out[i] = z[i] / z[n - 1 - i]
    def c64(z: npt.NDArray[np.complex64]) -> npt.NDArray[np.complex64]:
        return z / z
  `;
  for (const numerics of ['exact', 'close'] as const) {
    const r = compileSource(await testParser(), src, { fileName: 'c.py', targets: ['cpu', 'gpu'], isl: await islCtx, numerics });
    assert.ok(r.ok);
    const [h, s, c64] = r.report.functions;
    assert.deepEqual([h.accelerated, s.accelerated, c64.accelerated], [true, true, false], numerics);
    assert.deepEqual([...h.closeNotes, ...s.closeNotes], []);
    assert.match(r.module, /_polyray_h_cdiv\(num, den\) \+ _polyray_h_cdiv\(g, num\) \+ _polyray_h_cdiv\(num, 2\.0\)/);
    assert.match(r.module, /_polyray_h_cdiv\(z\[i\], z\[n - 1 - i\]\)/);
    assert.ok(!s.variants.includes('gpu'), 'cdiv has no device form');
  }
});
