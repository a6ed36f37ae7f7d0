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

const HEADER = 'import numpy as np\nimport numpy.typing as npt\nimport math\n';

test('hints give parameter kinds, dtypes, ranks from use, and written arrays', async () => {
  const [tf] = await check(HEADER + py`
    def k(n: int, alpha: float, C: npt.NDArray[np.float64], A: np.ndarray) -> None:
        for i in range(n):
            for j in range(n):
                C[i, j] = alpha * A[i][j]
  `);
  assert.equal(tf.accelerated, true, JSON.stringify(tf.diagnostics));
  assert.deepEqual(tf.params, [
    { name: 'n', kind: 'int', dtype: null, ndim: null, written: false, exact: false },
    { name: 'alpha', kind: 'float', dtype: null, ndim: null, written: false, exact: false },
    { name: 'C', kind: 'array', dtype: 'float64', ndim: 2, written: true, exact: false },
    { name: 'A', kind: 'array', dtype: null, ndim: 2, written: false, exact: false },
  ]);
});

test("NumPy's shaped hint gives the rank: np.ndarray[tuple[int, int], np.dtype[...]]; a rank the subscripts exceed is an error", async () => {
  const [tf, anyRank, tooDeep, badShape, badDtype] = await check('from typing import Any, Tuple\n' + HEADER + py`
    def k(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], x: np.ndarray[Tuple[int], np.dtype[np.int32]]) -> None:
        A *= 2.0
    def a(A: np.ndarray[Any, np.dtype[np.float64]]) -> None:
        A[0] = 1.0
    def d(A: np.ndarray[tuple[int], np.dtype[np.float64]], n: int) -> None:
        for i in range(n):
            A[i, 0] = 1.0
    def s(A: np.ndarray[tuple[int, str], np.dtype[np.float64]]) -> None:
        A *= 2.0
    def t(A: np.ndarray[tuple[int], np.float64]) -> None:
        A *= 2.0
  `);
  assert.equal(tf.accelerated, true, JSON.stringify(tf.diagnostics));
  assert.deepEqual(tf.params.map((p) => [p.dtype, p.ndim]), [['float64', 2], ['int32', 1]]);
  assert.equal(anyRank.accelerated, true, JSON.stringify(anyRank.diagnostics));
  assert.equal(anyRank.params[0].ndim, 1, 'typing.Any: the rank comes from the subscripts');
  const message = (f: TypedFunction): string => f.diagnostics.map((x) => `${x.span.from.line}:${x.span.from.col} ${x.message}`).join('; ');
  assert.equal(tooDeep.accelerated, false);
  assert.match(message(tooDeep), /^9:\d+ parameter 'A' is hinted as 1-d but subscripted with 2 indices/);
  assert.match(message(badShape), /tuple\[int, \.\.\.\] with one int per dimension/);
  assert.match(message(badDtype), /unsupported dtype in hint/);
});

test('module-level type aliases in hints: plain, TypeAlias-annotated, of aliases; not when rebound, a call, or an import', async () => {
  const fns = await check('from typing import TypeAlias\nfrom numpy import float32 as f32\n' + HEADER + py`
    F64 = npt.NDArray[np.float64]
    DT = np.float32
    Matrix: TypeAlias = np.ndarray[tuple[int, int], np.dtype[DT]]
    Vec = np.ndarray[tuple[int], np.dtype[np.float64]]
    Twice = npt.NDArray[np.float64]
    Twice = npt.NDArray[np.float32]
    Made = np.dtype(np.float64)
    Count: int = 3
    def k(A: F64, M: Matrix, x: Vec, s: DT, v: npt.NDArray[DT]) -> None:
        A[0] = M[0, 0] + v[0]
        x[0] = s
    def twice(A: Twice) -> None:
        A[0] = 1.0
    def made(A: np.ndarray[tuple[int], Made]) -> None:
        A[0] = 1.0
    def count(A: Count) -> None:
        A[0] = 1.0
  `);
  const [k, twice, made, count] = fns;
  assert.equal(k.accelerated, true, JSON.stringify(k.diagnostics));
  assert.deepEqual(k.params.map((p) => [p.name, p.dtype, p.ndim]), [['A', 'float64', 1], ['M', 'float32', 2], ['x', 'float64', 1], ['s', null, null], ['v', 'float32', 1]]);
  assert.equal(k.params[3].scalarDtype, 'float32', JSON.stringify(k.params[3]));
  for (const f of [twice, made, count]) {
    assert.equal(f.accelerated, false, f.name);
    assert.match(f.diagnostics.map((d) => d.message).join('; '), /unsupported (type hint|dtype in hint)/, f.name);
  }
});

test('writes through a local view mark the viewed parameter as written', async () => {
  const [tf] = await check(HEADER + py`
    def k(A: npt.NDArray[np.float64], n: int) -> None:
        row = A[0]
        for j in range(n):
            row[j] = 0.0
  `);
  assert.equal(tf.accelerated, true, JSON.stringify(tf.diagnostics));
  assert.equal(tf.params[0].written, true);
});

test('Python-scalar division, floor division and math domain functions use CPython helpers', async () => {
  const [tf] = await check(HEADER + py`
    def k(a: float, b: float, n: int, x: npt.NDArray[np.float64]) -> float:
        y = a / b
        z = n // 3
        w = x[0] / b
        return math.sqrt(y) + z + w
  `);
  assert.equal(tf.accelerated, true, JSON.stringify(tf.diagnostics));
  const helpers = [...tf.helpers.values()].map((h) => h.helper).sort();
  // a / b and n // 3 are Python scalars; x[0] / b is a NumPy scalar division (inf, not an exception).
  assert.deepEqual(helpers, ['floordiv', 'sqrt', 'truediv']);
  // so the dispatcher must see Python scalars: an np.float64 `a` would make the original follow NumPy.
  assert.deepEqual(tf.params.map((p) => p.exact), [true, true, true, false]);
});

test('a division whose operand is a Python scalar on some paths and NumPy on others is refused', async () => {
  const [tf] = await check(HEADER + py`
    def k(x: npt.NDArray[np.float64], n: int) -> float:
        s = 0.0
        for i in range(n):
            s += x[i]
        return s / n
  `);
  assert.equal(tf.accelerated, false);
  assert.match(tf.diagnostics[0].message, /Python scalar on some paths/);
  assert.equal(tf.diagnostics[0].span.from.line, 8);
});

test('unsupported constructs keep the original with a positioned reason', async () => {
  const fns = await check(HEADER + py`
    N = np.ones(3)  # a module-level array, not a literal constant (test/ts/forms.test.ts)
    def uses_global(x: npt.NDArray[np.float64]) -> None:
        x[0] = N[0]
    def no_hints(x):
        return x
    def bad_hint(x: list) -> None:
        pass
    def overflow(n: int) -> int:
        p = 1
        for i in range(n):
            p *= 3
        return p
    def helper_call(x: npt.NDArray[np.float64]) -> None:
        uses_global(x)
  `);
  const byName = new Map(fns.map((f) => [f.fn.name, f]));
  for (const [name, pattern] of [
    ['uses_global', /module-level/],
    ['no_hints', /no type hint/],
    ['bad_hint', /unsupported type hint/],
    ['overflow', /64 bits/],
    ['helper_call', /'uses_global' \(line \d+\) stays in Python/],
  ] as const) {
    const f = byName.get(name)!;
    assert.equal(f.accelerated, false, name);
    assert.ok(f.diagnostics.some((d) => pattern.test(d.message)), `${name}: ${f.diagnostics.map((d) => d.message).join('; ')}`);
    assert.ok(f.diagnostics.every((d) => d.span.from.line > 3 && d.span.from.col >= 1));
  }
});

test('loop bounds must be ints', async () => {
  const [tf] = await check(HEADER + py`
    def k(x: npt.NDArray[np.float64], a: float) -> None:
        for i in range(a):
            x[i] = 0.0
  `);
  assert.equal(tf.accelerated, false);
  assert.match(tf.diagnostics[0].message, /range\(\) argument must be an int/);
});

test("NumPy's own math (np.exp, np.log, np.tanh, np.power on floats, '**' on float arrays) is outside the subset; math.* and integer powers are not", async () => {
  const [f, g, h] = await check(HEADER + py`
    def f(a: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            a[i] = np.exp(a[i]) + math.exp(a[i])
    def g(a: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            a[i] = np.tanh(a[i])
        b = a ** 3.0
    def h(k: npt.NDArray[np.int64], a: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            k[i] = np.power(k[i], 2)
            a[i] = math.tanh(a[i]) + a[i] ** 2.5
  `);
  assert.equal(f.accelerated, false);
  assert.match(f.diagnostics.map((d) => d.message).join('\n'), /np\.exp\(\): NumPy computes it with its own \(vectorized\) implementation .* math\.exp\(\) on scalars is the same in both/);
  assert.equal(g.accelerated, false);
  const gm = g.diagnostics.map((d) => d.message).join('\n');
  assert.match(gm, /np\.tanh\(\)/);
  assert.match(gm, /'\*\*' on a floating-point array/);
  assert.equal(h.accelerated, true, JSON.stringify(h.diagnostics));
  // the mean of integers: NumPy adds them as float64 in its own order
  const [m] = await check(HEADER + py`
    def m(k: npt.NDArray[np.int64]) -> float:
        return np.mean(k) + k.sum()
  `);
  assert.equal(m.accelerated, false);
  assert.match(m.diagnostics.map((d) => d.message).join('\n'), /mean\(\) of int64 elements: NumPy adds them as float64 in its own order/);
});

test('math.floor, math.ceil and math.trunc of a float keep the original (Numba gives -2**63 for nan, inf and past 2**63); of ints they compile; int() of a float through py_int, of a complex refused', async () => {
  const fns = await check(HEADER + py`
    def cell(x: float, h: float) -> int:
        return math.floor(x / h)
    def up(x: float) -> int:
        return math.ceil(x)
    def cut(x: np.float64) -> int:
        return math.trunc(x)
    def whole(n: int) -> int:
        return math.floor(n) + math.ceil(n) + int(n)
    def bin_of(x: float, h: float) -> int:
        return int(x / h)
    def of_complex(z: complex) -> int:
        return int(z)
  `);
  const byName = new Map(fns.map((f) => [f.fn.name, f]));
  for (const [name, fn, col] of [['cell', 'floor', 12], ['up', 'ceil', 12], ['cut', 'trunc', 12]] as const) {
    const f = byName.get(name)!;
    assert.equal(f.accelerated, false, name);
    const d = f.diagnostics.find((x) => x.message.startsWith(`math.${fn}() is supported on ints only`));
    assert.ok(d, f.diagnostics.map((x) => x.message).join('; '));
    assert.equal(d.span.from.col, col);
  }
  assert.equal(byName.get('whole')!.accelerated, true, JSON.stringify(byName.get('whole')!.diagnostics));
  // int() of a float: runtime/int_helpers.py's py_int (NaN, inf and past 2**63 left to the original)
  const binOf = byName.get('bin_of')!;
  assert.equal(binOf.accelerated, true, JSON.stringify(binOf.diagnostics));
  assert.ok([...binOf.helpers.values()].some((h) => h.helper === 'py_int'));
  assert.match(byName.get('of_complex')!.diagnostics.map((x) => x.message).join('\n'), /int\(\) is supported on one int, bool or float/);
});
