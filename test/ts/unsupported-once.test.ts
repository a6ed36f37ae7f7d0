// One unsupported construct gives one diagnostic, at its place: the names a
// dropped statement binds are known to the checker (untyped), so their later
// uses do not each add "'n' is not a parameter, local or import" or
// "range() argument must be an int" (issue 15, "Also").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { py, testParser } from './helpers.js';

async function check(src: string): Promise<TypedFunction[]> {
  const r = parseModule(await testParser(), src);
  assert.ok(r.ok);
  return checkModule(r.ok ? r.module : (null as never));
}

const HEADER = 'import numpy as np\nimport numpy.typing as npt\n';
const messages = (tf: TypedFunction): string[] => tf.diagnostics.map((d) => `${d.span.from.line}:${d.span.from.col} ${d.message}`);

test('n, *m = A.shape: one diagnostic, none for the later uses of n and m or of locals computed from them', async () => {
  const [tf] = await check(HEADER + py`
    def f(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> float:
        n, *m = A.shape
        k = n * 2
        for i in range(n):
            for j in range(m):
                B[i, j] = A[i, j] * k
        return B[n - 1, m - 1] + k
  `);
  assert.equal(tf.accelerated, false);
  assert.deepEqual(messages(tf), ['4:5 starred unpacking targets (`a, *b = ...`) are not supported']);
});

test('a dropped while loop: the names its body assigns are not reported again', async () => {
  const [tf] = await check(HEADER + py`
    def g(x: npt.NDArray[np.float64], n: int) -> None:
        while n > 0:
            q = n - 1
            n = q
        else:
            q = 0
        for i in range(q):
            x[i] = 1.0
  `);
  assert.deepEqual(messages(tf), ["4:5 'while ... else' is not supported"]);
});

test('independent errors are still reported, each at its place', async () => {
  const [tf] = await check(HEADER + py`
    def h(x: npt.NDArray[np.float64]) -> None:
        a, *b = x.shape[0], 2
        for i in range(a):
            x[i] = undefined_name
        x[0] = "text"
  `);
  const ms = messages(tf);
  assert.equal(ms[0], '4:5 starred unpacking targets (`a, *b = ...`) are not supported');
  assert.ok(ms.some((m) => m.startsWith("6:16 'undefined_name' is not a parameter")), ms.join('\n'));
  assert.ok(!ms.some((m) => /'a'|'b'|range\(\)/.test(m)), ms.join('\n'));
});

test('names bound by an unsupported statement never make a function compile', async () => {
  const [tf] = await check(HEADER + py`
    def u(x: npt.NDArray[np.float64]) -> None:
        (m, k), = x.shape
        for i in range(m):
            x[i] = 0.0
  `);
  assert.equal(tf.accelerated, false);
  assert.equal(tf.diagnostics.length, 1, messages(tf).join('\n'));
});
