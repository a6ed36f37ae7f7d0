// NumPy 2 stores a scalar into an integer array through a Python int,
// range-checked: a wider NumPy integer or a float that does not fit raises
// OverflowError (a NaN, ValueError), where compiled code would wrap or convert
// with undefined results. Such stores keep the original (fuzz seed 42's finding,
// test/regressions/019); stores that cast safely stay compiled.
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

test('a wider integer, a float or a complex stored into an integer array keeps the original, with the reason at the store', async () => {
  const fns = await check(HEADER + py`
    def wider(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32], n: int) -> None:
        for i in range(n):
            A[i] = -(B[i] ^ A[i])
    def unsigned(A: npt.NDArray[np.int8], U: npt.NDArray[np.uint16], n: int) -> None:
        for i in range(n):
            A[i] = U[i]
    def floats(K: npt.NDArray[np.int64], x: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            K[i] = x[i] * 2.0
    def augmented(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32], n: int) -> None:
        for i in range(n):
            A[i] += B[i]
    def sliced(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32]) -> None:
        A[0:2] = B[0]
  `);
  for (const tf of fns) {
    assert.equal(tf.accelerated, false, tf.fn.name);
    assert.equal(tf.diagnostics.length, 1, `${tf.fn.name}: ${tf.diagnostics.map((d) => d.message).join('\n')}`);
    assert.match(tf.diagnostics[0].message, /^storing an? \w+ (value )?into an? u?int\d+ array: NumPy 2 raises OverflowError/, tf.fn.name);
  }
  assert.match(fns[0].diagnostics[0].message, /storing an int32 value into an int16 array/);
  assert.match(fns[1].diagnostics[0].message, /storing a uint16 value into an int8 array/);
  assert.match(fns[2].diagnostics[0].message, /storing a float into an int64 array/);
});

test('stores that cast safely, Python ints and integer ufuncs stay compiled', async () => {
  const fns = await check(HEADER + py`
    def narrower(A: npt.NDArray[np.int32], B: npt.NDArray[np.int16], U: npt.NDArray[np.uint8], n: int) -> None:
        for i in range(n):
            A[i] = B[i] + U[i]
    def same(A: npt.NDArray[np.int16], n: int) -> None:
        for i in range(n):
            A[i] += 1
    def power(K: npt.NDArray[np.int64], n: int) -> None:
        for i in range(n):
            K[i] = np.power(K[i], 2) + np.maximum(K[i], 3)
    def floats(x: npt.NDArray[np.float64], K: npt.NDArray[np.int64], n: int) -> None:
        for i in range(n):
            x[i] = K[i] * 0.5
  `);
  for (const tf of fns) assert.equal(tf.accelerated, true, `${tf.fn.name}: ${JSON.stringify(tf.diagnostics.map((d) => d.message))}`);
});
