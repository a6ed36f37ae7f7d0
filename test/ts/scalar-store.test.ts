// NumPy 2 stores a scalar into an integer array through a Python int,
// range-checked: a float that does not fit raises OverflowError (a NaN,
// ValueError), where compiled code would convert with undefined results: such
// stores keep the original (fuzz seed 42's finding, test/regressions/019). A
// wider NumPy integer raises OverflowError out of a signed array's range (its
// value goes through fit_int) and wraps into an unsigned one, as compiled code's
// store does (measured on NumPy 2.4), an augmented element store too
// (`i16[i] += i32[i]` stores the int32 sum); an in-place ufunc casts by
// 'same_kind' (UFuncTypeError otherwise); stores that cast safely stay compiled.
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

test('a float, or a wider integer shifted into a signed element by a helper, keeps the original, with the reason at the store', async () => {
  const fns = await check(HEADER + py`
    def floats(K: npt.NDArray[np.int64], x: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            K[i] = x[i] * 2.0
    def shifted(A: npt.NDArray[np.int8], C: npt.NDArray[np.int64]) -> None:
        for i in range(A.shape[0]):
            A[i] <<= C[i]
  `);
  for (const tf of fns) {
    assert.equal(tf.accelerated, false, tf.fn.name);
    assert.equal(tf.diagnostics.length, 1, `${tf.fn.name}: ${tf.diagnostics.map((d) => d.message).join('\n')}`);
    assert.match(tf.diagnostics[0].message, /^storing an? \w+ (value )?into an? u?int\d+ array: NumPy 2 raises OverflowError/, tf.fn.name);
  }
  assert.match(fns[0].diagnostics[0].message, /storing a float into an int64 array/);
  assert.match(fns[1].diagnostics[0].message, /storing an int64 value into an int8 array/);
});

test("an in-place ufunc whose result NumPy cannot cast by 'same_kind' keeps the original; a signed or float one compiles", async () => {
  const fns = await check(HEADER + py`
    def unsigned(a: np.ndarray[tuple[int], np.dtype[np.uint8]], b: npt.NDArray[np.int64]) -> None:
        a += b
    def rows(img: np.ndarray[tuple[int, int], np.dtype[np.uint16]], row: npt.NDArray[np.int8]) -> None:
        img[1:, :] -= row
    def scalar(a: np.ndarray[tuple[int], np.dtype[np.uint32]], k: np.int64) -> None:
        a *= k
    def signed(a: np.ndarray[tuple[int], np.dtype[np.int8]], b: npt.NDArray[np.int64]) -> None:
        a += b
    def floats(x: np.ndarray[tuple[int], np.dtype[np.float32]], y: npt.NDArray[np.float64]) -> None:
        x -= y
    def unsigned_python(a: np.ndarray[tuple[int], np.dtype[np.uint8]], k: int) -> None:
        a += k
  `);
  assert.deepEqual(fns.map((tf) => tf.accelerated), [false, false, false, true, true, true], JSON.stringify(fns.map((tf) => tf.diagnostics.map((d) => d.message))));
  assert.match(fns[0].diagnostics[0].message, /'\+=' on a uint8 array computes an int64 result, which NumPy refuses to cast in place \(UFuncTypeError, casting rule 'same_kind'\)/);
  assert.match(fns[1].diagnostics[0].message, /'-=' on a uint16 array computes an int32 result/);
  assert.match(fns[2].diagnostics[0].message, /'\*=' on a uint32 array computes an int64 result/);
});

test('a wider NumPy integer into a signed array, augmented or not, a uint64 into int64 too, is range-checked (fit_int), into an unsigned one stored as is (NumPy wraps it)', async () => {
  const fns = await check(HEADER + py`
    def wider(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32], n: int) -> None:
        for i in range(n):
            A[i] = -(B[i] ^ A[i])
    def unsigned(A: npt.NDArray[np.int8], U: npt.NDArray[np.uint16], n: int) -> None:
        for i in range(n):
            A[i] = U[i]
    def sliced(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32]) -> None:
        A[0:2] = B[0]
    def scaled(A: npt.NDArray[np.int32], k: int) -> None:
        for i in range(A.shape[0]):
            A[i] = np.int64(A[i]) * k
    def augmented(A: npt.NDArray[np.int16], B: npt.NDArray[np.int32], n: int) -> None:
        for i in range(n):
            A[i] += B[i]
    def hashes(K: npt.NDArray[np.int64], U: npt.NDArray[np.uint64], n: int) -> None:
        for i in range(n):
            K[i] = U[i]
    def masked(A: npt.NDArray[np.int8], B: npt.NDArray[np.int64]) -> None:
        for i in range(A.shape[0]):
            A[i] = B[i] & 127
    def wraps(U: npt.NDArray[np.uint8], B: npt.NDArray[np.int64]) -> None:
        for i in range(U.shape[0]):
            U[i] = B[i] * 3 - 7
  `);
  for (const tf of fns) assert.equal(tf.accelerated, true, `${tf.fn.name}: ${JSON.stringify(tf.diagnostics.map((d) => d.message))}`);
  assert.deepEqual(fns.map((tf) => tf.checkedInts === true), [true, true, true, true, true, true, false, false]);
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

test("a shift by a computed count: C's shift where the count's range fits, NumPy's rule (np_rshift/np_lshift) otherwise, scalars and arrays", async () => {
  const fns = await check(HEADER + py`
    def masked(x: npt.NDArray[np.uint8], k: int, out: npt.NDArray[np.uint8]) -> None:
        for i in range(x.shape[0]):
            out[i] = (x[i] >> (k & 7)) & 1
    def rule_bit(c: npt.NDArray[np.uint8], rule: int, out: npt.NDArray[np.uint8]) -> None:
        for i in range(c.shape[0]):
            idx = 4 * c[i] + 2 * c[i] + c[i]
            out[i] = (rule >> idx) & 1
    def in_place(x: npt.NDArray[np.int16], k: npt.NDArray[np.int16]) -> None:
        for i in range(x.shape[0]):
            x[i] <<= k[i]
    def arrays(x: npt.NDArray[np.uint8], k: int) -> None:
        x[:] = x >> k
    def wide(x: npt.NDArray[np.uint64], k: npt.NDArray[np.uint64], out: npt.NDArray[np.uint64]) -> None:
        for i in range(x.shape[0]):
            out[i] = x[i] >> k[i]
    def local(x: npt.NDArray[np.uint8], k: npt.NDArray[np.uint8], out: npt.NDArray[np.uint8]) -> None:
        for i in range(x.shape[0]):
            v = x[i]
            v <<= k[i]
            out[i] = v
    def booleans(m: npt.NDArray[np.bool_], k: npt.NDArray[np.int8]):
        return m << k
  `);
  const helpers = (tf: TypedFunction): string[] => [...tf.helpers.values(), ...tf.augHelpers.values()].map((h) => h.helper).filter((h) => /shift/.test(h));
  assert.deepEqual(fns.map((tf) => tf.accelerated), [true, true, true, true, true, false, false], JSON.stringify(fns.map((tf) => tf.diagnostics.map((d) => d.message))));
  assert.deepEqual(fns.slice(0, 5).map(helpers), [[], ['np_rshift'], ['np_lshift'], ['np_rshift'], ['np_rshift']]);
  assert.match(fns[5].diagnostics[0].message, /'<<=' on a narrow integer scalar by a count that may lie outside 0 \.\. bits - 1 is not supported/);
  assert.match(fns[6].diagnostics[0].message, /a shift of a boolean operand needs a count known to lie from 0 to 7/);
});
