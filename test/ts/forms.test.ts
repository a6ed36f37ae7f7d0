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

test('dtype= as written: np.float64, float, int, bool, A.dtype, strings, positional; the shape of A.shape gives A rank', async () => {
  const [tf] = await check(HEADER + py`
    def f(u: np.ndarray[tuple[int, int], np.dtype[np.float32]], n: int):
        a = np.empty(u.shape, dtype=u.dtype)
        b = np.zeros(n, dtype=int)
        c = np.zeros((n, n), 'bool')
        d = np.ones(n, float)
        e = np.empty(n, u.dtype)
        g = np.full(n, 3)
        h = np.full(n, 2, dtype='u1')
        k = np.zeros_like(u, dtype='f8')
        m = u.astype(np.float64)
        p = b.astype('int32')
        q = u.astype(u.dtype)
  `);
  assert.equal(tf.accelerated, true, messages(tf).join('\n'));
  const arr = (dtype: string, ndim: number) => ({ kind: 'array', dtype, ndim });
  const want: Record<string, unknown> = {
    a: arr('float32', 2), b: arr('int64', 1), c: arr('bool', 2), d: arr('float64', 1), e: arr('float32', 1), g: arr('int64', 1),
    h: arr('uint8', 1), k: arr('float64', 2), m: arr('float64', 2), p: arr('int32', 1), q: arr('float32', 2),
  };
  for (const [name, t] of Object.entries(want)) assert.deepEqual(tf.locals.get(name), t, name);
});

test('dtype spellings outside what compiled code reproduces keep the original, each at its place', async () => {
  const fs = await import('node:fs');
  const src = fs.readFileSync(new URL('../kernels/everyday/dtype_refusals.py', import.meta.url), 'utf8');
  const tfs = await check(src);
  assert.deepEqual(tfs.map((tf) => [tf.fn.name, tf.accelerated, messages(tf)]), [
    ['text_dtype', false, ["7:30 dtype 'U8' is not one of the numeric dtypes compiled code has (such as 'float64', 'int32', 'f8')"]],
    ['half_precision', false, ["11:12 np.zeros(): dtype must be a dtype (np.float64, float, A.dtype or a string such as 'float64')"]],
    // (of float64 elements it compiles: runtime/int_helpers.py astype_int, test_astype_int.py)
    ['truncate', false, ["15:12 .astype(np.int32) of complex128 elements: NaN and values out of int32's range convert differently in NumPy and in compiled code (undefined in C)"]],
    ['drop_imaginary', false, ["19:12 .astype(np.float64) of complex128 elements drops the imaginary part with NumPy's ComplexWarning, which compiled code does not give"]],
  ]);
  const [full, fill] = await check(HEADER + py`
    def f(n: int, v: float):
        return np.full(n, v, dtype=np.int32)
    def g(n: int, v: int, x: npt.NDArray[np.float64]):
        a = np.full(n, 300, dtype=np.uint8)
        b = x.astype(v)
        return a
  `);
  assert.deepEqual(messages(full), ["4:12 np.full() of a float as int32: NaN and values out of int32's range convert differently in NumPy and in compiled code"]);
  assert.deepEqual(messages(fill), [
    '6:9 np.full() of a Python int as uint8: NumPy 2 raises OverflowError (Python integer 300 out of bounds for uint8)',
    "7:9 .astype() takes one dtype (np.float32, float, A.dtype or a string such as 'float32'), without keywords",
  ]);
});

test('chained assignment binds each target, left to right, to the one value (a name first, else a temporary)', async () => {
  const r = parseModule(await testParser(), HEADER + py`
    def f(A: npt.NDArray[np.float64], k: float):
        a1 = a5 = k * 2.0
        A[0] = s = k
        x = y = z = 0
        a, b = c = 1.0, 2.0
        p = (q, w) = 1, 2
  `);
  assert.ok(r.ok);
  const fn = r.module.body.find((t) => t.kind === 'function')!;
  assert.ok(fn.kind === 'function');
  const text = (e: { kind: string; id?: string; text?: string }): string => (e.kind === 'name' ? e.id! : e.kind === 'number' ? e.text! : e.kind);
  const got = fn.body.map((s) => (s.kind === 'assign' ? `${s.span.from.line}: ${text(s.target as never)} = ${text(s.value as never)}` : s.kind));
  assert.deepEqual(got, [
    '4: a1 = binary', '4: a5 = a1',
    '5: __unpacked0 = k', '5: subscript = __unpacked0', '5: s = __unpacked0',
    '6: x = 0', '6: y = x', '6: z = x',
  ]);
  assert.deepEqual(fn.unsupported.map((u) => [u.span.from.line, u.message]), [
    [7, 'chained assignment is not supported'],
    [8, 'unpacking in a chained assignment (`a = b, c = ...`) is not supported'],
  ]);
});

test('builtin max/min: NumPy scalars of one dtype keep it; different dtypes or kinds are refused at their place', async () => {
  const [ok, bad] = await check(HEADER + py`
    def f(T: np.ndarray[tuple[int, int], np.dtype[np.int32]], x: npt.NDArray[np.float64], lo: float):
        T[0, 1] = max(T[0, 1], T[1, 1], T[0, 0] + T[1, 0])
        m = min(x[0], lo)
        return m
    def g(T: np.ndarray[tuple[int, int], np.dtype[np.int32]], u: npt.NDArray[np.int64], x: npt.NDArray[np.float64]):
        a = max(T[0, 0], u[0])
        b = min(x[0], 1)
        c = max(x)
        return a
  `);
  assert.equal(ok.accelerated, true, messages(ok).join('\n'));
  const store = ok.fn.body[0];
  assert.ok(store.kind === 'assign');
  assert.deepEqual(ok.types.get(store.value), { kind: 'scalar', scalar: 'int', origin: 'np', dtype: 'int32' });
  // a Python float or a NumPy float64, depending on the values: 'mixed'
  assert.deepEqual(ok.locals.get('m'), { kind: 'scalar', scalar: 'float', origin: 'mixed' });
  assert.deepEqual(messages(bad), [
    '8:9 max() of int32 and int64 returns either type, depending on the values',
    '9:9 min() of mixed int and float returns either type in CPython',
    '10:9 max() is supported on two or more scalars (of an array, np.max() or .max())',
  ]);
});

test("keywords a typing rule does not read keep the original; a ufunc's output argument is a store into an array of known rank", async () => {
  const [bad, ok] = await check(HEADER + py`
    def f(a: npt.NDArray[np.float64], c: npt.NDArray[np.float64]):
        np.maximum(a, 1.0, c)
        np.sqrt(a, out=c)
        s = np.sum(a, dtype=np.float32)
        m = a.max(out=c)
        z = np.zeros(3, order='F')
        w = np.where(a > 0.0, a, c, c)
    def g(a: np.ndarray[tuple[int, int], np.dtype[np.int64]], c: npt.NDArray[np.float64]):
        t = a.sum(axis=0)
        z = np.zeros(3, dtype=np.int32)
        w = np.where(c > 0.0, c, 0.0)
        y = np.maximum(c, 0.0)
        np.add(a, a, out=a)
        return t
  `);
  const changes = 'the keyword changes what NumPy computes or writes, which compiled code does not reproduce here';
  assert.deepEqual(messages(bad).filter((m) => !/strings are not supported|sum\(\) of float64/.test(m)), [
    // a ufunc's output argument is a store (types/ufunc-out.ts), into an array of known rank only
    "4:5 a ufunc's output argument must be an array of known rank, at least the result's (array(float64, any-d) into array(float64, any-d))",
    "5:5 a ufunc's output argument must be an array of known rank, at least the result's (array(float64, any-d) into array(float64, any-d))",
    `6:9 np.sum(..., dtype=...): ${changes}`,
    `7:9 .max(..., out=...): ${changes}`,
    `8:9 np.zeros(..., order=...): ${changes}`,
    '9:9 np.where() with an output argument: write the result by assignment (c[:] = np.where(...))',
  ]);
  assert.equal(ok.accelerated, true, messages(ok).join('\n'));
});

test('module-level constants: bound once to a number or bool literal, read as Python scalars, listed for the dispatcher', async () => {
  const src = HEADER + py`
    N = 100
    EPS = -1e-9
    ON = True
    Z = 2j
    TWICE = 1
    TWICE = 2
    NAME = 'x'
    SHAPE = (3, 4)
    for LOOPED in range(3):
        pass
    def f(x: npt.NDArray[np.float64]):
        for i in range(N):
            x[i] = x[i] * EPS if ON else x[i]
        return Z
    def g(x: npt.NDArray[np.float64]):
        N = 3
        return x * N
    def h(x: npt.NDArray[np.float64]):
        return x * TWICE + LOOPED
  `;
  const r = parseModule(await testParser(), src);
  assert.ok(r.ok);
  assert.deepEqual(r.module.constants, [
    { name: 'N', text: '100', kind: 'int' }, { name: 'EPS', text: '-1e-9', kind: 'float' },
    { name: 'ON', text: 'True', kind: 'bool' }, { name: 'Z', text: '2j', kind: 'complex' },
  ]);
  const [f, g, h] = checkModule(r.module, 'exact');
  assert.equal(f.accelerated, true, messages(f).join('\n'));
  assert.deepEqual(f.constants, { EPS: '-1e-9', N: '100', ON: 'True', Z: '2j' });
  // a local of the same name is the function's own
  assert.equal(g.accelerated, true, messages(g).join('\n'));
  assert.equal(g.constants, undefined);
  assert.deepEqual(messages(h).map((m) => m.replace(/ \(a module-level name is read only as a constant.*$/, '')), [
    "21:16 'TWICE' is not a parameter, local or import",
    "21:24 'LOOPED' is not a parameter, local or import",
  ]);
  const c = compileSource(await testParser(), src, { fileName: 'c.py', targets: ['cpu'] });
  assert.ok(c.ok && c.module);
  assert.match(c.module!, /constants=\{"EPS": -1e-9, "N": 100, "ON": True, "Z": 2j\},/);
});

test('a local holding a known dtype (`dt = A.dtype`) is a dtype argument; re-bound to another, each binding is its own local', async () => {
  const [f, g] = await check(HEADER + py`
    def f(a: npt.NDArray[np.float32], n: int):
        dt = a.dtype
        return np.zeros((n, 2), dt)
    def g(a: npt.NDArray[np.float32], b: npt.NDArray[np.float64]):
        dt = a.dtype
        dt = b.dtype
        return np.zeros(3, dt)
  `);
  assert.equal(f.accelerated, true, messages(f).join('\n'));
  const ret = f.fn.body[1];
  assert.ok(ret.kind === 'return' && ret.value);
  assert.deepEqual(f.types.get(ret.value), { kind: 'array', dtype: 'float32', ndim: 2 });
  // two dtypes in one local, bound at the top level (parse/rebinding.ts): the use sees the later, as in Python
  assert.deepEqual(messages(g), []);
  const gRet = g.fn.body[2];
  assert.ok(gRet.kind === 'return' && gRet.value);
  assert.deepEqual(g.types.get(gRet.value), { kind: 'array', dtype: 'float64', ndim: 1 });
});

test('the report and explain name a NumPy scalar parameter by its dtype', async () => {
  const src = HEADER + py`
    def f(x: np.ndarray[tuple[int], np.dtype[np.float32]], a: np.float32) -> None:
        x[:] = x * a
  `;
  const r = compileSource(await testParser(), src, { fileName: 'f.py', targets: ['cpu'] });
  assert.ok(r.ok && r.report);
  const params = r.report!.functions[0].params;
  assert.deepEqual(params.map((p) => [p.name, p.kind, p.dtype]), [['x', 'array', 'float32'], ['a', 'float', 'float32']]);
});
