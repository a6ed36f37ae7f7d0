// float32 networks (issue 17): reductions along axes and tuples of axes that keep
// float32 (close mode), np.max/np.min along axes (both modes), ufunc results of
// float32 operands, a local re-bound to another type (parse/rebinding.ts) and
// shapes written as lists. Python tests run them: test/python/test_float32_reductions.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { parseModule, type FunctionDef } from '../../src/compiler/parse/index.js';
import { renameRebindings } from '../../src/compiler/parse/rebinding.js';
import { PythonPrinter } from '../../src/compiler/codegen/python-printer.js';
import type { Expr } from '../../src/compiler/parse/ast.js';
import { py, testParser } from './helpers.js';

const printExpr = (e: Expr): string => new PythonPrinter().expr(e);

const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float32]]';
const F4 = 'np.ndarray[tuple[int, int, int, int], np.dtype[np.float32]]';

async function compile(src: string, numerics: 'exact' | 'close' = 'close') {
  const r = compileSource(await testParser(), `import numpy as np\nimport numpy.typing as npt\n${src}`, { fileName: 't.py', targets: ['cpu', 'gpu'], numerics });
  assert.ok(r.ok);
  return r;
}

const fn = (r: Awaited<ReturnType<typeof compile>>, name: string) => r.report.functions.find((f) => f.name === name)!;
const messages = (f: { diagnostics: { message: string }[] }) => f.diagnostics.map((d) => d.message).join('\n');

test('softmax over the last axis: np.max with keepdims is exact, the float32 sum a close-mode note in float32', async () => {
  const src = py`
    def softmax(x: ${F4}):
        m = np.max(x, axis=-1, keepdims=True)
        e = np.exp(x - m)
        return e / np.sum(e, axis=-1, keepdims=True)
    def peak(x: ${F4}):
        return x.max(axis=(1, 2), keepdims=False) - np.amin(x, axis=(1, 2))
  `;
  const close = await compile(src);
  const s = fn(close, 'softmax');
  assert.equal(s.accelerated, true, messages(s));
  assert.deepEqual(s.closeNotes.map((n) => n.operation), ['np.exp', 'np.sum']);
  assert.match(s.closeNotes[1].bound, /pairwise in float32/);
  assert.match(close.module, /_polyray_h_axis_max\(x, -1, True, True\)/);
  assert.match(close.module, /_polyray_h_axis_sum\(e, -1, True, True\)/);
  const exact = await compile(src, 'exact');
  assert.equal(fn(exact, 'softmax').accelerated, false);
  // max/min along axes round nothing: compiled in exact mode too, no note, no GPU variant (no device form)
  for (const r of [close, exact]) {
    const p = fn(r, 'peak');
    assert.equal(p.accelerated, true, messages(p));
    assert.deepEqual(p.closeNotes, []);
    assert.ok(!p.variants.includes('gpu'));
  }
  assert.match(close.module, /_polyray_h_axis_max\(x, \(1, 2\), False, True\) - _polyray_h_axis_min\(x, \(1, 2\), False, True\)/);
  // exact mode checks for the zeros of both signs and NaN bits NumPy's lanes decide, leaving those calls to the original
  assert.match(exact.module, /_polyray_h_checked_axis_max\(x, \(1, 2\), False, True\) - _polyray_h_checked_axis_min\(x, \(1, 2\), False, True\)/);
  assert.match(exact.module, /CpuVariant\(_polyray_cpu_peak, helpers=\("checked_axis_max", "checked_axis_min",\), parallel=False, undo=\(\)\)/);
});

test('a sum over a tuple of axes of a product with np.newaxis is float32 of the kept rank', async () => {
  const r = await compile(py`
    def conv(image: ${F4}, kernel: ${F4}):
        k = kernel.shape[0]
        out = np.empty((image.shape[0], image.shape[1] - k + 1, image.shape[2] - k + 1, kernel.shape[3]), dtype=np.float32)
        for i in range(image.shape[1] - k + 1):
            for j in range(image.shape[2] - k + 1):
                out[:, i, j, :] = np.sum(image[:, i:i + k, j:j + k, :, np.newaxis] * kernel[np.newaxis, :, :, :], axis=(1, 2, 3))
        return out
    def stats(x: ${F2}):
        return np.mean(x, axis=0), x.std(axis=(0, 1)), np.var(x, axis=(-1,), keepdims=True)
  `);
  assert.equal(fn(r, 'conv').accelerated, true, messages(fn(r, 'conv')));
  assert.match(r.module, /_polyray_h_axis_sum\(image\[:, i:i \+ k, j:j \+ k, :, np\.newaxis\] \* kernel\[np\.newaxis, :, :, :\], \(1, 2, 3\), False, True\)/);
  const st = fn(r, 'stats');
  assert.equal(st.accelerated, true, messages(st));
  assert.deepEqual(st.closeNotes.map((n) => n.operation), ['np.mean', '.std()', 'np.var']);
});

test('the whole array with keywords: every axis at once (keepdims=True an array of ones in shape)', async () => {
  const r = await compile(py`
    def share(x: ${F2}):
        return x / np.sum(x, keepdims=True), np.max(x, keepdims=True) - x.min(axis=None)
  `);
  const f = fn(r, 'share');
  assert.equal(f.accelerated, true, messages(f));
  assert.match(r.module, /_polyray_h_axis_sum\(x, \(0, 1\), True, True\), _polyray_h_axis_max\(x, \(0, 1\), True, True\) - _polyray_h_axis_min\(x, \(0, 1\), False, True\)/);
});

test('axes out of range, repeated, computed or empty are refused with the reason; other dtypes keep their rules', async () => {
  const r = await compile(py`
    def out_of_range(x: ${F2}):
        return np.sum(x, axis=(0, 2))
    def repeated(x: ${F2}):
        return np.max(x, axis=(1, -1))
    def computed(x: ${F2}, a: int):
        return np.min(x, axis=a)
    def whole_keep(x: npt.NDArray[np.float32]):
        return np.max(x, keepdims=True)
    def halves(x: np.ndarray[tuple[int, int], np.dtype[np.float16]]):
        return np.sum(x, axis=0)
  `);
  assert.match(messages(fn(r, 'out_of_range')), /sum\(\): axis 2 is out of bounds for an array of 2 dimensions/);
  assert.match(messages(fn(r, 'repeated')), /max\(\): an axis is repeated/);
  assert.match(messages(fn(r, 'computed')), /min\(\): the axis must be an int literal or a tuple of them/);
  assert.match(messages(fn(r, 'whole_keep')), /max\(\): keepdims=True of an array of unknown rank is not supported/);
  assert.equal(fn(r, 'halves').accelerated, false); // float16: NumPy adds in float32, not planned
});

test('ufuncs of float32 arrays keep float32; a Python float beside one is cast so Numba computes in float32', async () => {
  const r = await compile(py`
    def relu(x):
        return np.maximum(x, 0.0)
    def layer(x: ${F2}, w: ${F2}, b: np.ndarray[tuple[int], np.dtype[np.float32]]):
        h = relu(x @ w + b)
        return h + np.sqrt(np.abs(h)) * 2.0
  `);
  const l = fn(r, 'layer');
  assert.equal(l.accelerated, true, messages(l));
  assert.match(r.module, /np\.maximum\(x, _polyray_np\.float32\(0\.0\)\)/);
});

async function parseFn(src: string): Promise<FunctionDef> {
  const p = parseModule(await testParser(), src);
  assert.ok(p.ok);
  return p.module.body.find((t): t is FunctionDef => t.kind === 'function')!;
}

test('re-bound locals: each later top-level binding gets its own name; names bound in loops, branches or by += keep theirs', async () => {
  const f = await parseFn(py`
    def f(x, w):
        y = 0
        x = x.astype(np.float64)
        for i in range(3):
            y = y + i
        z = x + 1
        z = z * 2
        k = 1
        k += 1
        x = np.reshape(x, (2, -1)) @ w
        return x + z
  `);
  const g = renameRebindings(f)!;
  const stmts = g.body.map((s) => (s.kind === 'assign' ? `${printExpr(s.target)} = ${printExpr(s.value)}` : s.kind));
  assert.deepEqual(stmts, [
    'y = 0', 'x__1 = x.astype(np.float64)', 'for', 'z = x__1 + 1', 'z__1 = z * 2', 'k = 1', 'augassign',
    'x__2 = np.reshape(x__1, (2, -1)) @ w', 'return',
  ]);
  assert.equal(printExpr((g.body[8] as { value: never }).value), 'x__2 + z__1');
  assert.equal(f.body[1].kind === 'assign' && printExpr(f.body[1].target), 'x'); // the definition itself is untouched
  assert.equal(renameRebindings(await parseFn(py`
    def g(a):
        b = a + 1
        return b
  `)), null);
});

test('a function that checks as written keeps its names unless it re-binds an array; one that needs the renaming compiles with it', async () => {
  const r = await compile(py`
    def same(x: ${F2}):
        y = x * 2.0
        y = y + 1.0
        return y
    def centered(x: ${F2}):
        x = x - np.mean(x, axis=0)
        return x
    def promoted(x: ${F2}, w: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
        x = x.astype(np.float64)
        x = np.zeros([x.shape[0], x.shape[1]]) + x
        return x @ w
  `);
  assert.equal(fn(r, 'same').accelerated, true);
  // (a re-bound array: each binding its own local, so that each may be a temporary: types/rebinding-check.ts)
  assert.match(r.module, /def _polyray_cpu_same\(x\):\n {4}y = x \* .*\n {4}y__1 = y \+ .*\n {4}return y__1/);
  const kept = await compile(py`
    def scalars(x: ${F2}, a: float):
        s = a * 2.0
        s = s + 1.0
        return x * s
  `);
  assert.match(kept.module, /def _polyray_cpu_scalars\(x, a\):\n {4}s = a \* 2\.0\n {4}s = s \+ 1\.0/);
  // a re-bound array parameter (refused as written) is a new local: the caller's array is not written
  assert.equal(fn(r, 'centered').accelerated, true, messages(fn(r, 'centered')));
  assert.equal(fn(r, 'centered').params[0].written, false);
  assert.match(r.module, /x__1 = x - _polyray_h_axis_mean\(x, 0, False, True\)\n {4}return x__1/);
  const p = fn(r, 'promoted');
  assert.equal(p.accelerated, true, messages(p));
  assert.match(r.module, /x__1 = x\.astype\(_polyray_np\.float64\)\n {4}x__2 = _polyray_np\.zeros\(\(x__1\.shape\[0\], x__1\.shape\[1\]\)\) \+ x__1\n {4}return _polyray_h_matmul\(x__2, w\)/);
});
