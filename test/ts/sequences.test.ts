import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { testParser } from './helpers.js';

// Arrays joined or built from written lists (types/sequences.ts): the parser
// turns the list into a tuple, the rules type it as NumPy types the list
// (test/python/test_sequences.py runs them against NumPy).

async function check(body: string): Promise<{ errors: string[]; r: string }> {
  const src = `import numpy as np\n\ndef f(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], v: np.ndarray[tuple[int], np.dtype[np.float64]], iv: np.ndarray[tuple[int], np.dtype[np.int64]], n: int, x: float, b: bool, s: np.float32):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  const parsed = parseModule(await testParser(), src);
  assert.ok(parsed.ok);
  const [tf] = checkModule(parsed.module, 'exact');
  const r = tf.locals.get('r');
  const shown = !r ? 'none' : r.kind === 'array' ? `array ${r.dtype} ${r.ndim}` : r.kind;
  return { errors: tf.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), r: shown };
}

test('joins of written lists type as the tuple forms, with the result rank of each join', async () => {
  const ok: [string, string][] = [
    ['r = np.concatenate([v, v * 2.0, v])', 'array float64 1'],
    ['r = np.concatenate([A, A], axis=1)', 'array float64 2'],
    ['r = np.concatenate([A, A], 1)', 'array float64 2'],
    ['r = np.stack((v, v), -1)', 'array float64 2'],
    ['r = np.concatenate([iv])', 'array int64 1'],
    ['r = np.hstack([v, v])', 'array float64 1'],
    ['r = np.vstack([v, v])', 'array float64 2'],
    ['r = np.stack([A, A], axis=-1)', 'array float64 3'],
    ['r = np.column_stack([v, v])', 'array float64 2'],
    ['r = np.column_stack((A, A))', 'array float64 2'],
    ['r = np.dstack([v, v])', 'array float64 3'],
    ['r = np.dstack([A, A])', 'array float64 3'],
    // mixed dtypes: NumPy's promoted dtype (the int64 part converted first)
    ['r = np.concatenate([v, iv])', 'array float64 1'],
    ['r = np.vstack((iv, iv, v))', 'array float64 2'],
    ['r = np.concatenate([iv, iv > 0])', 'array int64 1'],
    ['r = np.stack([A.astype(np.float32), A], axis=0)', 'array float64 3'],
  ];
  for (const [body, want] of ok) {
    const { errors, r } = await check(body);
    assert.deepEqual(errors, [], body);
    assert.equal(r, want, body);
  }
});

test('np.array of a list: a stack of arrays, or NumPy\'s discovered dtype of numbers', async () => {
  const ok: [string, string][] = [
    ['r = np.array([v, v])', 'array float64 2'],
    ['r = np.array([A, A, A])', 'array float64 3'],
    ['r = np.array([1, 2, 3])', 'array int64 1'],
    ['r = np.array([1, x])', 'array float64 1'],
    ['r = np.array([b, True])', 'array bool 1'],
    ['r = np.array([b, n])', 'array int64 1'],
    ['r = np.array([s, s])', 'array float32 1'],
    ['r = np.array([s, 1.0])', 'array float64 1'], // a Python float is discovered as float64, not weak
    ['r = np.array([v[0], iv[0]])', 'array float64 1'],
    ['r = np.array([[x, 0.0], [0.0, x]])', 'array float64 2'],
    ['r = np.array([[[n]], [[n]]])', 'array int64 3'],
    ['r = np.array([0, n], dtype=np.float64)', 'array float64 1'],
    ['r = np.array((1j, x))', 'array complex128 1'],
    ['r = np.array([v, iv])', 'array float64 2'],
  ];
  for (const [body, want] of ok) {
    const { errors, r } = await check(body);
    assert.deepEqual(errors, [], body);
    assert.equal(r, want, body);
  }
});

test('ragged lists, lists in names and array copies are refused with a reason', async () => {
  const refused: [string, RegExp][] = [
    ['r = np.concatenate([A, v])', /one dtype and rank/],
    ['r = np.vstack([v, v], axis=0)', /axis= an int literal \(concatenate and stack only\)/],
    ['r = np.concatenate([v, v], axis=1)', /inside the result/],
    ['r = np.concatenate([v, v], axis=n)', /int literal/],
    ['r = np.concatenate([v, v], n)', /int literal/],
    ['r = np.concatenate([A, A], 2)', /inside the result/],
    ['r = np.vstack([v, v], 0)', /written list or tuple of arrays/],
    ['r = np.concatenate([])', /written list or tuple of arrays/],
    ['parts = [v, v]\nr = np.concatenate(parts)', /'list' expressions are not supported/],
    ['r = np.array([[x, 0.0], [x]])', /ragged|one length per level/],
    ['r = np.array([])', /not empty/],
    ['r = np.array([v, v], dtype=np.float64)', /without dtype=/],
    ['r = np.array([x, 1.0], dtype=np.int64)', /casts to safely/],
    ['r = np.array(v)', /a\.copy\(\) is/],
    ['r = np.array([*v])', /starred/],
  ];
  for (const [body, want] of refused) {
    const { errors } = await check(body);
    assert.ok(errors.some((m) => want.test(m)), `${body}: ${errors.join('; ')}`);
  }
});
