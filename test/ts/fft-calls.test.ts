import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { numpyFunction } from '../../src/compiler/types/numpy-table.js';
import { testParser } from './helpers.js';

// np.fft's rows (types/fft-calls.ts): result dtypes and ranks as NumPy 2 gives them, the helper
// each mode calls (NumPy's transform through objmode in exact, rocket-fft in close), and the
// arguments that keep the original.

const PY = '.venv/bin/python';
const PARAMS = 'x: np.ndarray[tuple[int], np.dtype[np.float64]], s: np.ndarray[tuple[int], np.dtype[np.float32]], '
  + 'z: np.ndarray[tuple[int, int], np.dtype[np.complex128]], w: np.ndarray[tuple[int, int], np.dtype[np.complex64]], '
  + 'I: np.ndarray[tuple[int], np.dtype[np.int64]], n: int, d: float';

async function check(expr: string, numerics: 'exact' | 'close'): Promise<{ errors: string[]; r: string; helper: string | null; notes: string[] }> {
  const src = `import numpy as np\n\ndef f(${PARAMS}):\n    r = ${expr}\n    return r\n`;
  const parsed = parseModule(await testParser(), src);
  assert.ok(parsed.ok);
  const [tf] = checkModule(parsed.module, numerics);
  const r = tf.locals.get('r');
  const shown = r?.kind === 'array' ? `${r.dtype} ${r.ndim}` : r?.kind ?? 'none';
  const helper = [...tf.helpers.values()].map((h) => h.helper).find((h) => /fft/.test(h)) ?? null;
  return { errors: tf.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), r: shown, helper, notes: tf.closeNotes.map((c) => c.operation) };
}

const TYPED = [
  'np.fft.fft(x)', 'np.fft.fft(s)', 'np.fft.ifft(z, 8, axis=0)', 'np.fft.fft(w, n=5, axis=-1)', 'np.fft.rfft(x, n)',
  'np.fft.rfft(s)', 'np.fft.irfft(z)', 'np.fft.irfft(w, 9)', 'np.fft.fft2(z)', 'np.fft.ifft2(w, (4, 6))', 'np.fft.fft2(z, z.shape)',
  'np.fft.fftfreq(n, d)', 'np.fft.fftfreq(n)', 'np.fft.fftshift(z)', 'np.fft.ifftshift(s, axes=0)', 'np.fft.fftshift(w, axes=(0, 1))',
];

test('np.fft results have NumPy 2 dtypes and ranks', { skip: existsSync(PY) ? false : 'no .venv' }, async () => {
  const script = 'import json, sys\nimport numpy as np\nx = np.ones(8); s = np.ones(8, np.float32); z = np.ones((6, 4), complex); w = np.ones((6, 4), np.complex64)\n'
    + 'n = 8; d = 0.5\nprint(json.dumps([f"{r.dtype} {r.ndim}" for r in (eval(t) for t in json.load(sys.stdin))]))\n';
  const run = spawnSync(PY, ['-c', script], { input: JSON.stringify(TYPED), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const numpy: string[] = JSON.parse(run.stdout);
  for (const [k, expr] of TYPED.entries()) {
    for (const mode of ['exact', 'close'] as const) {
      const got = await check(expr, mode);
      assert.deepEqual(got.errors, [], `${expr} (${mode})`);
      assert.equal(got.r, numpy[k], `${expr} (${mode}): checker ${got.r}, NumPy ${numpy[k]}`);
    }
  }
});

test('exact mode calls NumPy\'s transform, close mode rocket-fft with a note; fftfreq and shifts are exact', async () => {
  for (const f of ['fft', 'ifft', 'rfft', 'irfft']) {
    const arg = f === 'irfft' || f === 'ifft' ? 'z' : 'x';
    assert.equal((await check(`np.fft.${f}(${arg})`, 'exact')).helper, `np_${f}`);
    const close = await check(`np.fft.${f}(${arg})`, 'close');
    assert.equal(close.helper, `rf_${f}`);
    assert.deepEqual(close.notes, [`np.fft.${f}`]);
    assert.deepEqual((await check(`np.fft.${f}(${arg})`, 'exact')).notes, []);
  }
  assert.equal((await check('np.fft.fft2(z)', 'close')).helper, 'rf_fft2');
  for (const mode of ['exact', 'close'] as const) {
    const freq = await check('np.fft.fftfreq(n, d)', mode);
    assert.equal(freq.helper, 'fftfreq');
    assert.deepEqual(freq.notes, []);
  }
  assert.equal(numpyFunction('fft.fftshift')?.numerics, 'exact');
  assert.equal(numpyFunction('fft.fft')?.numerics, 'product');
  assert.equal(numpyFunction('fft.fft')?.gpu, null);
});

test('norm=, axes= and the n-d transforms: NumPy\'s positional arguments for the helper, in both modes', async () => {
  const forms: [string, string, string][] = [
    ['np.fft.fft(x, n, -1, "ortho")', 'fft', 'complex128 1'],
    ["np.fft.ifft(x, norm='forward')", 'ifft', 'complex128 1'],
    ["np.fft.fft2(z, axes=(0, 1), norm='backward')", 'fft2', 'complex128 2'],
    ['np.fft.rfft2(z.real)', 'rfft2', 'complex128 2'],
    ['np.fft.irfft2(z, (4, 6))', 'irfft2', 'float64 2'],
    ['np.fft.fftn(z)', 'fftn', 'complex128 2'],
    ["np.fft.ifftn(z, axes=(1,), norm='ortho')", 'ifftn', 'complex128 2'],
    ['np.fft.rfftn(z.real, (8, 8), (0, 1))', 'rfftn', 'complex128 2'],
    ['np.fft.irfftn(z, axes=(-1, 0))', 'irfftn', 'float64 2'],
  ];
  for (const [expr, f, ty] of forms) {
    for (const mode of ['exact', 'close'] as const) {
      const got = await check(expr, mode);
      assert.deepEqual(got.errors, [], `${expr} (${mode})`);
      assert.equal(got.helper, `${mode === 'exact' ? 'np' : 'rf'}_${f}`, expr);
      assert.equal(got.r, ty, expr);
    }
  }
});

test('arguments NumPy would treat otherwise keep the original, with a diagnostic', async () => {
  const refused = [
    'np.fft.fft(I)', // integers: NumPy converts to float64; not guessed
    'np.fft.rfft(z)', // complex input: NumPy 2 raises TypeError
    'np.fft.fft(x, axis=1)', // outside the rank: AxisError from the original
    'np.fft.fft(x, axis=n)', // not a literal
    'np.fft.fft(x, n, -1, "unitary")', // a norm NumPy raises ValueError for
    'np.fft.fft(x, norm=d)', // norm not a literal
    'np.fft.fft(x, out=x)',
    'np.fft.fft(x, d)', // n a float
    'np.fft.fft2(x)', // one dimension
    'np.fft.fft2(z, (4, 6, 8))',
    'np.fft.fft2(z, x.shape)', // a 1-d array's shape
    'np.fft.fft2(z, axes=(0, 0))', // a repeated axis
    'np.fft.fft2(z, axes=(0, 2))', // outside the rank
    'np.fft.fftn(z, (4, 6))', // s without axes (deprecated in NumPy 2)
    'np.fft.rfftn(z)', // complex input
    'np.fft.fftfreq(d)',
    'np.fft.fftshift(x, axes=2)',
    'np.fft.fftshift(x, axes=n)',
  ];
  for (const expr of refused) {
    for (const mode of ['exact', 'close'] as const) {
      const got = await check(expr, mode);
      assert.ok(got.errors.length > 0, `${expr} (${mode}) should keep the original`);
      assert.equal(got.helper === null || got.errors.length > 0, true);
    }
  }
});
