// Everyday spellings (issue 17): NumPy scalar type hints, dtype= forms, chained assignment,
// builtin max/min. Each: what the checker accepts and how, and its diagnostics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { py, testParser } from './helpers.js';

const HEADER = 'import numpy as np\nimport numpy.typing as npt\n';

async function check(src: string, numerics: 'exact' | 'close' = 'exact'): Promise<TypedFunction[]> {
  const r = parseModule(await testParser(), src);
  assert.ok(r.ok);
  return checkModule(r.ok ? r.module : (null as never), numerics);
}

const messages = (tf: TypedFunction): string[] => tf.diagnostics.map((d) => `${d.span.from.line}:${d.span.from.col} ${d.message}`);

test('a NumPy scalar type hint is a NumPy scalar of that dtype: NumPy arithmetic, the guard wants exactly that type', async () => {
  const [tf] = await check(HEADER + py`
    def f(x: np.ndarray[tuple[int], np.dtype[np.float32]], a: np.float32, k: np.int64, b: np.bool_, r: float):
        s = a / a
        t = k // k
        x[0] = x[0] * a + s
        return t, r / r
  `);
  assert.equal(tf.accelerated, true, messages(tf).join('\n'));
  const byName = Object.fromEntries(tf.params.map((p) => [p.name, p]));
  assert.deepEqual(byName.a, { name: 'a', kind: 'float', dtype: null, ndim: null, written: false, exact: false, scalarDtype: 'float32' });
  assert.deepEqual(byName.k, { name: 'k', kind: 'int', dtype: null, ndim: null, written: false, exact: false, scalarDtype: 'int64' });
  assert.equal(byName.b.scalarDtype, 'bool');
  // the Python float keeps CPython's division (its helper), so it must be a Python float
  assert.equal(byName.r.exact, true);
  assert.equal(byName.r.scalarDtype, undefined);
  const body = tf.fn.body;
  const s = body[0];
  assert.ok(s.kind === 'assign');
  assert.equal(tf.helpers.get(s.value), undefined, 'a NumPy scalar divides with NumPy rules, no CPython helper');
  assert.deepEqual(tf.types.get(s.value), { kind: 'scalar', scalar: 'float', origin: 'np', dtype: 'float32' });
  assert.deepEqual(tf.returnScalars, ['int64', null]);
});

test('the dispatcher is told the NumPy scalar type of such a parameter', async () => {
  const src = HEADER + py`
    def f(x: np.ndarray[tuple[int], np.dtype[np.float64]], a: np.float64) -> None:
        x[:] = x * a
  `;
  const r = compileSource(await testParser(), src, { fileName: 'f.py', targets: ['cpu'] });
  assert.ok(r.ok && r.module, JSON.stringify(r.diagnostics));
  assert.match(r.module!, /_polyray\.Param\("a", "float", scalar_dtype="float64"\)/);
  assert.match(r.module!, /_polyray\.Param\("x", "array", dtype="float64", ndim=1, written=True\)/);
});

test('a NumPy type that is not a scalar type is still a bad hint, with its place', async () => {
  const [tf] = await check(HEADER + py`
    def f(a: np.linalg) -> None:
        pass
  `);
  assert.equal(tf.accelerated, false);
  assert.match(messages(tf)[0], /^3:10 parameter 'a': unsupported type hint \(expected float, int, complex, bool, a NumPy scalar type/);
});
