// Returned and newly bound whole-array expressions as one element loop into a new array
// (poly/returned-arrays.ts, poly/lower-slices.ts; issues 17/18), and what stays NumPy's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import type { Numerics } from '../../src/compiler/numerics.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const I2 = 'np.ndarray[tuple[int, int], np.dtype[np.int64]]';
const F32 = 'np.ndarray[tuple[int], np.dtype[np.float32]]';

/** The module and each function's CPU variant text and transformations, for one numerics mode. */
async function compile(src: string, numerics: Numerics) {
  const r = compileSource(await testParser(), src.replaceAll('F1', F1).replaceAll('F2', F2).replaceAll('I2', I2).replaceAll('F32', F32), { fileName: 'k.py', isl: await islCtx, targets: ['cpu', 'gpu'], numerics });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  const cpu = (name: string): string => {
    const at = r.module.indexOf(`def _polyray_cpu_${name}(`);
    return at < 0 ? '' : r.module.slice(at, r.module.indexOf(`_polyray_dispatch_${name} =`));
  };
  const notes = (name: string): string => (r.report.functions.find((f) => f.name === name)?.transformations ?? []).join('\n');
  return { module: r.module, cpu, notes };
}

const LOWERED = py`
  import numpy as np
  def clipping(a: I2, b: I2, x: np.int64, y: np.int64, c: np.int64):
      return np.clip(a, 2, 10) * x + b * y + c
  def leaky(x: F2, slope: float):
      return np.where(x > 0.0, x, slope * x)
  def above(x: F2, y: F2):
      return x * 2.0 >= y
  def band(x: F1, lo: float, hi: float):
      return np.maximum(np.minimum(x, hi), lo)
  def magnitude(x: F2, y: F2):
      n, m = x.shape
      return np.sqrt(x * x + y * y) / (n * m)
`;

test('a returned elementwise expression is one parallel element loop into a fresh array of NumPy\'s dtype', async () => {
  for (const numerics of ['exact', 'close'] as const) {
    const { cpu, notes } = await compile(LOWERED, numerics);
    assert.match(cpu('clipping'), /_polyray_ret = _polyray_np\.empty\(\(a\.shape\[0\], a\.shape\[1\]\), _polyray_np\.int64\)\n {4}for _polyray_ke0 in _polyray_prange\(a\.shape\[0\]\):/);
    assert.match(cpu('clipping'), /_polyray_ret\[_polyray_e0, _polyray_e1\] = _polyray_h_clip_scalar_bounds\(a\[_polyray_e0, _polyray_e1\], 2, 10\) \* x \+ b\[_polyray_e0, _polyray_e1\] \* y \+ c\n {4}return _polyray_ret/);
    assert.match(cpu('leaky'), /_polyray_np\.float64\)[\s\S]*= \(x\[_polyray_e0, _polyray_e1\] if x\[_polyray_e0, _polyray_e1\] > 0\.0 else slope \* x\[_polyray_e0, _polyray_e1\]\)/);
    assert.match(cpu('above'), /_polyray_np\.bool\)[\s\S]*= x\[_polyray_e0, _polyray_e1\] \* 2\.0 >= y\[_polyray_e0, _polyray_e1\]/);
    assert.match(cpu('band'), /= np\.maximum\(np\.minimum\(x\[_polyray_e0\], hi\), lo\)/);
    // the scalar (n * m) is one value, the same for every element
    assert.match(cpu('magnitude'), /= np\.sqrt\(x\[_polyray_e0, _polyray_e1\] \* x\[_polyray_e0, _polyray_e1\] \+ y\[_polyray_e0, _polyray_e1\] \* y\[_polyray_e0, _polyray_e1\]\) \/ \(n \* m\)/);
    assert.match(notes('clipping'), /the array returned at line 3 is allocated once/);
  }
});

test('close mode: NumPy\'s own math per element, temporaries contracted (arc_distance); exact mode keeps the original', async () => {
  const src = py`
    import numpy as np
    def arc_distance(theta_1: F1, phi_1: F1, theta_2: F1, phi_2: F1):
        temp = np.sin((theta_2 - theta_1) / 2)**2 + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2)**2
        distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
        return distance_matrix
    def softmax(x: F1):
        m = np.max(x)
        e = np.exp(x - m)
        s = np.sum(e)
        return e / s
  `;
  const close = await compile(src, 'close');
  const arc = close.cpu('arc_distance');
  assert.equal(arc.match(/_polyray_np\.empty\(/g)?.length, 1);
  assert.match(arc, /temp = np\.sin\(\(theta_2\[_polyray_e0\] - theta_1\[_polyray_e0\]\) \/ 2\) \*\* /);
  assert.match(arc, /distance_matrix\[_polyray_e0\] = 2 \* np\.arctan2\(np\.sqrt\(temp\), np\.sqrt\(1 - temp\)\)/);
  assert.match(close.notes('arc_distance'), /temporaries temp computed element by element as scalars/);
  // e is read by the sum between the loops: allocated and kept; the division is a second loop
  const soft = close.cpu('softmax');
  assert.match(soft, /e\[_polyray_e0\] = np\.exp\(x\[_polyray_e0\] - m\)/);
  assert.match(soft, /_polyray_ret\[_polyray_e0\] = e\[_polyray_e0\] \/ s/);
  const exact = await compile(src, 'exact');
  assert.equal(exact.cpu('arc_distance'), '');
  assert.equal(exact.cpu('softmax'), '');
});

test('what stays NumPy\'s: views, names, loops, mixed dtypes, raising and unmeasured operations', async () => {
  const src = py`
    import numpy as np
    def name(x: F1):
        return x
    def view(x: F2):
        return x.T
    def window(x: F1):
        return x[1:] + x[:-1]
    def copied(x: F1):
        return np.copy(x)
    def branch(x: F1, c: bool):
        if c:
            return x * 2.0
        return x + 1.0
    def mixed(x: F32, y: F32, z: F1):
        return z + x * y
    def floor_div(a: I2, b: I2):
        return a // b
    def int_power(a: I2):
        return a ** 2
    def narrow(x: F32, y: F32):
        return x * y
    def compared(x: F1, y: F1, z: F1):
        return x < y
    def matmul(a: F2, b: F2):
        return a @ b
  `;
  for (const numerics of ['exact', 'close'] as const) {
    const { cpu } = await compile(src, numerics);
    // nothing to fill: returned as written
    for (const f of ['name', 'view', 'copied', 'matmul']) assert.doesNotMatch(cpu(f), /_polyray_ret/, f);
    for (const f of ['name', 'view', 'copied', 'mixed', 'floor_div', 'int_power', 'matmul']) assert.doesNotMatch(cpu(f), /_polyray_e0/, `${numerics} ${f}`);
    // slices of a parameter are a temporary's operands too (scop/temporaries.ts), the guard checking their bounds
    assert.match(cpu('window'), /_polyray_ret\[_polyray_e0\] = x\[1 \+ _polyray_e0\] \+ x\[_polyray_e0\]/, `${numerics} window`);
    // a returned expression bound but not lowered is the same statement: Numba's array expression (a float32
    // product widened to float64 is computed in float32 first, as NumPy does)
    assert.match(cpu('mixed'), /_polyray_ret = z \+ \(x \* y\)\.astype\(_polyray_np\.float64\)\n {4}return _polyray_ret/);
    assert.match(cpu('floor_div'), /_polyray_ret = /);
    assert.doesNotMatch(cpu('floor_div'), /_polyray_e0/);
    // a return in a branch stays as written; the final one, at the top level, is a fresh array
    assert.match(cpu('branch'), /if c:\n {8}return x \* 2\.0\n {4}_polyray_ret = _polyray_np\.empty/);
    // a single comparison is lowered
    assert.match(cpu('compared'), /_polyray_ret\[_polyray_e0\] = x\[_polyray_e0\] < y\[_polyray_e0\]/);
  }
});

test('scalar reductions inside an expression are computed first, once each, into locals the element loop reads', async () => {
  const src = py`
    import numpy as np
    def centered(x: F2):
        return x - np.max(x)
    def bound(x: F2):
        y = 2.0 * (x - x.min())
        return y
    def standardized(a: F1):
        return (a - a.mean()) / a.std()
    def softmax(x: F1):
        return np.exp(x - x.max()) / np.sum(np.exp(x - x.max()))
    def looped(x: F1, k: int):
        for i in range(k):
            x[:] = x - np.max(x)
        return x
    def helper(x: F1):
        return x * 2.0
    def called(x: F1):
        return helper(x) - np.max(x)
    def indexed(x: F1, i: int):
        return x * x[i] - np.max(x)
  `;
  const exact = await compile(src, 'exact');
  assert.match(exact.cpu('centered'), /_polyray_r0 = _polyray_h_checked_max\(x\)\n {4}_polyray_ret = _polyray_np\.empty[\s\S]*_polyray_ret\[_polyray_e0, _polyray_e1\] = x\[_polyray_e0, _polyray_e1\] - _polyray_r0\n/);
  assert.match(exact.cpu('bound'), /_polyray_r0 = _polyray_h_checked_min\(x\)\n[\s\S]*y\[_polyray_e0, _polyray_e1\] = 2\.0 \* \(x\[_polyray_e0, _polyray_e1\] - _polyray_r0\)/);
  const close = await compile(src, 'close');
  assert.match(close.cpu('standardized'), /_polyray_r0 = _polyray_h_pairwise_mean\(a\)\n {4}_polyray_r1 = _polyray_h_whole_std\(a, 0\)\n/);
  assert.match(close.cpu('standardized'), /_polyray_ret\[_polyray_e0\] = \(a\[_polyray_e0\] - _polyray_r0\) \/ _polyray_r1/);
  // the inner reduction first; written twice, computed once
  const soft = close.cpu('softmax');
  assert.equal(soft.match(/x\.max\(\)/g)?.length, 1);
  assert.match(soft, /_polyray_r0 = x\.max\(\)\n {4}_polyray_r1 = _polyray_h_pairwise_sum\(np\.exp\(x - _polyray_r0\)\)\n/);
  assert.match(soft, /_polyray_ret\[_polyray_e0\] = np\.exp\(x\[_polyray_e0\] - _polyray_r0\) \/ _polyray_r1/);
  for (const { cpu } of [exact, close]) {
    // inside a loop, beside a call of the module's function or a subscript that could raise first: as written
    for (const f of ['looped', 'called', 'indexed']) {
      assert.match(cpu(f), /- (_polyray_h_checked_max|np\.max)\(x\)/, f);
      assert.doesNotMatch(cpu(f), /_polyray_r0/, f);
    }
  }
});

test('int64 // and % by a divisor that is neither 0 nor -1 are element loops; others stay NumPy\'s', async () => {
  const src = py`
    import numpy as np
    def literal(a: I2):
        return a // 3 + a % -7
    def param(a: I2, d: np.int64):
        return a % d
    def zero(a: I2):
        return a // 0
    def minus_one(a: I2):
        return a % -1
    def arrays(a: I2, b: I2):
        return a % b
    def floats(x: F2):
        return x // 2.0
  `;
  for (const numerics of ['exact', 'close'] as const) {
    const { cpu, module } = await compile(src, numerics);
    assert.match(cpu('literal'), /_polyray_ret\[_polyray_e0, _polyray_e1\] = a\[_polyray_e0, _polyray_e1\] \/\/ 3 \+ a\[_polyray_e0, _polyray_e1\] % -7/);
    assert.match(cpu('param'), /_polyray_ret\[_polyray_e0, _polyray_e1\] = a\[_polyray_e0, _polyray_e1\] % d/);
    assert.match(module, /def _polyray_guard_param\(a, d\):\n {4}if not \(d != 0 and d != -1\):/);
    for (const f of ['zero', 'minus_one', 'arrays', 'floats']) assert.doesNotMatch(cpu(f), /_polyray_e0/, `${numerics} ${f}`);
  }
});

test('float32 elements round after each operation as NumPy\'s float32 loops; float32 and int64 elements widen in float64 operations', async () => {
  const src = py`
    import numpy as np
    def narrow(x: F32, y: F32, s: float):
        return x * y + x * s - 0.1
    def rooted(x: F32):
        return np.sqrt(np.abs(x - np.max(x)))
    def widened(x: F32, a: I2, z: F2):
        return z * x.T + a / 3.0
    def halved(a: I2):
        return a * 0.5
  `.replaceAll('F32', 'np.ndarray[tuple[int, int], np.dtype[np.float32]]');
  for (const numerics of ['exact', 'close'] as const) {
    const { cpu } = await compile(src, numerics);
    assert.match(cpu('narrow'), /_polyray_ret = _polyray_np\.empty\(\(x\.shape\[0\], x\.shape\[1\]\), _polyray_np\.float32\)/);
    assert.match(cpu('narrow'), /= _polyray_np\.float32\(_polyray_np\.float32\(_polyray_np\.float32\(x\[_polyray_e0, _polyray_e1\] \* y\[_polyray_e0, _polyray_e1\]\) \+ _polyray_np\.float32\(x\[_polyray_e0, _polyray_e1\] \* _polyray_np\.float32\(s\)\)\) - _polyray_np\.float32\(0\.1\)\)/);
    assert.match(cpu('rooted'), /_polyray_r0 = [\s\S]*= np\.sqrt\(np\.abs\(_polyray_np\.float32\(x\[_polyray_e0, _polyray_e1\] - _polyray_r0\)\)\)\n/);
    assert.match(cpu('widened'), /= z\[_polyray_e0, _polyray_e1\] \* _polyray_np\.float64\(x\[_polyray_e1, _polyray_e0\]\) \+ a\[_polyray_e0, _polyray_e1\] \/ 3\.0/);
    assert.match(cpu('halved'), /_polyray_np\.float64\)[\s\S]*= a\[_polyray_e0, _polyray_e1\] \* 0\.5/);
  }
});
