// The sorting rows of the NumPy table (types/sort-rules.ts): what np.sort,
// a.sort(), np.argsort, np.unique and np.searchsorted type to, what they
// refuse (with a reason), the helper call the variant prints, and the
// dependence model's view of a method that writes its receiver (a.sort(),
// a.fill(v)): a may-write of what the receiver covers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const HEADER = 'import numpy as np\nimport numpy.typing as npt\n';
const V = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const M = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const I = 'np.ndarray[tuple[int], np.dtype[np.int64]]';
const C = 'np.ndarray[tuple[int], np.dtype[np.complex128]]';

async function check(src: string, mode: 'exact' | 'close' = 'exact'): Promise<TypedFunction> {
  const r = parseModule(await testParser(), HEADER + src);
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return checkModule(r.module, mode)[0];
}

async function compile(src: string): Promise<{ f: ReportFunction; module: string }> {
  const r = compileSource(await testParser(), HEADER + src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return { f: r.report.functions[0], module: r.module };
}

const messages = (tf: TypedFunction): string[] => tf.diagnostics.map((d) => d.message);
const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}@${l.line}:${l.parallel ? 'P' : 's'}`).join(' ');

test('np.sort, np.argsort, np.unique and np.searchsorted type as NumPy, in both modes', async () => {
  for (const mode of ['exact', 'close'] as const) {
    const tf = await check(py`
      def f(X: ${M}, x: ${V}, k: ${I}, q: float):
          s = np.sort(X, axis=0)
          flat = np.sort(X, axis=None)
          o = np.argsort(x, kind='stable')
          r = X.argsort()
          u = np.unique(k)
          p = np.searchsorted(x, q, side='right')
          ps = np.searchsorted(k, k)
          return s, flat, o, r, u, p, ps
    `, mode);
    assert.deepEqual(messages(tf), [], mode);
    const t = (n: string) => tf.locals.get(n);
    assert.deepEqual(t('s'), { kind: 'array', dtype: 'float64', ndim: 2 });
    assert.deepEqual(t('flat'), { kind: 'array', dtype: 'float64', ndim: 1 });
    assert.deepEqual(t('o'), { kind: 'array', dtype: 'int64', ndim: 1 });
    assert.deepEqual(t('r'), { kind: 'array', dtype: 'int64', ndim: 2 });
    assert.deepEqual(t('u'), { kind: 'array', dtype: 'int64', ndim: 1 });
    assert.equal(t('p')?.kind, 'scalar');
    assert.deepEqual(t('ps'), { kind: 'array', dtype: 'int64', ndim: 1 });
  }
});

test('the sorting rows refuse what NumPy computes otherwise, with a reason', async () => {
  const cases: [string, RegExp][] = [
    [`def f(z: ${C}):\n    return np.sort(z)`, /real dtype/],
    [`def f(X: ${M}):\n    return np.sort(X, axis=2)`, /axis within the array's 2 dimensions/],
    [`def f(x: ${V}):\n    return np.argsort(x, kind='heapsort')`, /kind 'quicksort', 'stable' or 'mergesort'/],
    [`def f(x: ${V}, k: str):\n    return np.sort(x, kind=k)`, /./],
    [`def f(k: ${I}):\n    return np.unique(k, return_counts=True)`, /Numba's np.unique has no return_index/],
    [`def f(X: ${M}, x: ${V}):\n    return np.searchsorted(X, x)`, /1-d/],
    [`def f(x: ${V}, k: ${I}):\n    return np.searchsorted(x, k)`, /keys of its dtype/],
    [`def f(x: ${V}):\n    return np.searchsorted(x, 1.0, side='middle')`, /side='left' or 'right'/],
    [`def f(x: ${V}):\n    x.sort(axis=None)\n    return x`, /int literal axis/],
  ];
  for (const [src, why] of cases) {
    const tf = await check(src);
    assert.ok(messages(tf).some((m) => why.test(m)), `${src}: ${messages(tf).join('; ')}`);
  }
});

test('the variant calls the sorting helpers with a literal axis and kind', async () => {
  const { module } = await compile(py`
    def f(X: ${M}, x: ${V}):
        x.sort(kind='mergesort')
        return np.sort(X, -2), np.argsort(x), np.unique(X)
  `);
  assert.match(module, /_polyray_h_sort_inplace\(x, 0, True\)/);
  assert.match(module, /_polyray_h_sort\(X, 0, False\)/);
  assert.match(module, /_polyray_h_argsort\(x, 0, False\)/);
  assert.match(module, /_polyray_h_unique\(X\)/);
});

test('a method that writes its receiver is a may-write of it in the dependence model', async () => {
  // each row sorted in its own iteration: independent
  const rows = await compile(py`
    def f(X: ${M}):
        n = X.shape[0]
        for i in range(n):
            X[i].sort()
  `);
  assert.equal(flags(rows.f), 'i@5:P');
  // a row filled from the previous one (a.fill() was a read only before): carried by i
  const chain = await compile(py`
    def f(X: ${M}):
        n = X.shape[0]
        for i in range(1, n):
            X[i].fill(X[i - 1, 0] + 1.0)
  `);
  assert.equal(flags(chain.f), 'i@5:s');
  const sorted = await compile(py`
    def f(X: ${M}):
        n = X.shape[0]
        for i in range(1, n):
            X[i].sort()
            X[i - 1, 0] = X[i, 0]
  `);
  assert.equal(flags(sorted.f), 'i@5:s');
});

test('np.bincount with weights is compiled on a parameter only, under a guard that it is not empty', async () => {
  // NumPy returns int64 zeros for an empty x even with weights; compiled code float64 ones
  const { module } = await compile(py`
    def f(idx: ${I}, w: ${V}):
        return np.bincount(idx, weights=w, minlength=3)
  `);
  assert.match(module, /idx\.size != 0/);
  const local = await check(py`
    def f(idx: ${I}, w: ${V}):
        j = idx + 1
        return np.bincount(j, w)
  `);
  assert.ok(messages(local).some((m) => /weights on an int64 parameter/.test(m)), messages(local).join('; '));
});
