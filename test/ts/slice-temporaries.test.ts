// Locals bound to elementwise expressions of slices (`lap = 4.0 * a[1:n + 1] - a[0:n]`,
// `res = lap[1:] - lap[:-1]`), the stencils NumPy code writes, as temporaries the
// variants fill element by element (scop/temporaries.ts, poly/lower-slices.ts), a
// re-bound one renamed first (types/rebinding-check.ts); and what stays NumPy's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F3 = 'np.ndarray[tuple[int, int, int], np.dtype[np.float64]]';
const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';

async function compile(src: string) {
  const r = compileSource(await testParser(), src.replaceAll('F3', F3).replaceAll('F1', F1), { fileName: 'k.py', isl: await islCtx, targets: ['cpu'], numerics: 'close' });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  const cpu = (name: string): string => {
    const at = r.module.indexOf(`def _polyray_cpu_${name}(`);
    return at < 0 ? '' : r.module.slice(at, r.module.indexOf(`_polyray_dispatch_${name} =`));
  };
  const guard = (name: string): string => {
    const at = r.module.indexOf(`def _polyray_guard_${name}(`);
    return at < 0 ? '' : r.module.slice(at, r.module.indexOf('\n\n\n', at));
  };
  return { cpu, guard };
}

test('a stencil of slice temporaries, one name re-bound, runs as element loops in parallel', async () => {
  const { cpu, guard } = await compile(py`
    import numpy as np
    def smooth(a: F3, out: F3):
        I, J, K = out.shape[0], out.shape[1], out.shape[2]
        lap = 4.0 * a[1:I + 3, 1:J + 3, :] - (a[2:I + 4, 1:J + 3, :] + a[0:I + 2, 1:J + 3, :])
        res = lap[1:, 1:J + 1, :] - lap[:-1, 1:J + 1, :]
        fx = np.where(res > 0, 0, res)
        res = lap[1:I + 1, 1:, :] - lap[1:I + 1, :-1, :]
        fy = np.where(res > 0, 0, res)
        out[:, :, :] = a[2:I + 2, 2:J + 2, :] - (fx[1:, :, :] - fx[:-1, :, :] + fy[:, 1:, :] - fy[:, :-1, :])
  `);
  const code = cpu('smooth');
  // lap is allocated with its shape over the arguments and filled in parallel
  assert.match(code, /lap = _polyray_np\.empty\(\(\(out\.shape\[0\] \+ 2\), \(out\.shape\[1\] \+ 2\), a\.shape\[2\]\), _polyray_np\.float64\)/);
  assert.match(code, /lap\[_polyray_e0, _polyray_e1, _polyray_e2\] = 4\.0 \* a\[1 \+ _polyray_e0, 1 \+ _polyray_e1, _polyray_e2\]/);
  // `lap[:-1]` counts from the end of the temporary's own extent (out.shape[0] + 2 - 1)
  assert.match(code, /res = lap\[1 \+ _polyray_e0, 1 \+ _polyray_e1, _polyray_e2\] - lap\[_polyray_e0, 1 \+ _polyray_e1, _polyray_e2\]/);
  // the second binding of res is its own local, computed per element like the first
  assert.match(code, /res__1 = lap\[1 \+ _polyray_e0, 1 \+ _polyray_e1, _polyray_e2\] - lap\[1 \+ _polyray_e0, _polyray_e1, _polyray_e2\]/);
  assert.doesNotMatch(code, /= lap\[1:/);
  assert.equal(code.match(/_polyray_prange/g)?.length, 4, code);
  // every slice bound inside its dimension: NumPy would clip, and the original runs
  assert.match(guard('smooth'), /\(out\.shape\[0\] \+ 4\) <= \(a\.shape\[0\]\)/);
});

test('what stays NumPy\'s: steps, bounds of unknown value, slices of a product; an integer index does not', async () => {
  const { cpu, guard } = await compile(py`
    import numpy as np
    def stepped(a: F1, out: F1):
        t = a[::2] * 2.0
        out[:] = t
    def indexed(a: F3, out: F3, i: int):
        t = a[i, :, :] * 2.0
        out[0, :, :] = t
    def data_bound(a: F1, out: F1, k: F1):
        t = a[0:int(k[0])] * 2.0
        out[:] = t[0:out.shape[0]]
    def unknown_sign(a: F1, out: F1, s: int):
        t = a[s:s + out.shape[0]] * 2.0
        out[:] = t
  `);
  for (const f of ['stepped', 'data_bound']) assert.doesNotMatch(cpu(f), /t\[_polyray_e0/, f);
  // an integer index drops its dimension (issue 18): a temporary, its index checked in bounds by the guard
  assert.match(cpu('indexed'), /t = a\[i, _polyray_e0, _polyray_e1\] \* 2\.0/);
  assert.match(guard('indexed'), /\(i <= -1\) or \(i >= a_shape0\)/);
  // a bound of unknown sign is a temporary's operand only where the guard finds it non-negative
  assert.match(cpu('unknown_sign'), /_polyray_e0/);
  assert.match(guard('unknown_sign'), /0 <= \(s\)/);
});

const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

test('temporaries with an integer index, bound in each of two loops, run element by element in every sweep', async () => {
  const { cpu, guard } = await compile(py`
    import numpy as np
    def sweep(a: F3, b: F3, c: F3, d: F3):
        K = d.shape[2]
        for k in range(1, K):
            w = a[:, :, k] / b[:, :, k - 1]
            b[:, :, k] = b[:, :, k] - w * c[:, :, k - 1]
            d[:, :, k] = d[:, :, k] - w * d[:, :, k - 1]
        for k in range(K - 2, -1, -1):
            w = c[:, :, k] / b[:, :, k]
            d[:, :, k] = d[:, :, k] - w * d[:, :, k + 1]
    def columns(a: F2, x: F1):
        n = a.shape[1]
        prev = np.zeros((a.shape[0], n))
        for j in range(1, n):
            s = a[:, j - 1] * 0.5 + x[j]
            prev[:, j] = s
            a[:, j] = a[:, j] + s
        for j in range(1, n):
            col = prev[:, j]
            a[:, j] = a[:, j] - col * 0.25
    def pad(a: F1, out: F1):
        t = a[1:out.shape[0] + 1] * 2.0
        out[:] = t
  `.replaceAll('F2', F2));
  // the first sweep's w is 2-d (k dropped), allocated per iteration and filled in parallel
  const sweep = cpu('sweep');
  assert.match(sweep, /w = _polyray_np\.empty\(\(a\.shape\[0\], a\.shape\[1\]\), _polyray_np\.float64\)/);
  assert.match(sweep, /w\[_polyray_e0, _polyray_e1\] = a\[_polyray_e0, _polyray_e1, k\] \/ b\[_polyray_e0, _polyray_e1, k - 1\]/);
  // the second sweep's is its own local (parse/rebinding.ts loopLocal), a scalar per element
  assert.match(sweep, /w__1 = c\[_polyray_e0, _polyray_e1, k\] \/ b\[_polyray_e0, _polyray_e1, k\]\n/);
  assert.doesNotMatch(sweep, /\[:, :, k/);
  assert.equal(sweep.match(/_polyray_prange/g)?.length, 3, sweep);
  // a column of a 2-d array, and a view read through its subscript (parse/loop-views.ts)
  const columns = cpu('columns');
  assert.match(columns, /s\[_polyray_e0\] = a\[_polyray_e0, j - 1\] \* 0\.5 \+ x\[j\]/);
  assert.match(columns, /a\[_polyray_e0, j\] = a\[_polyray_e0, j\] - prev\[_polyray_e0, j\] \* 0\.25/);
  assert.doesNotMatch(columns, /\bcol\b/);
  // a bound that holds for every argument is no condition of the guard (`1 <= out.shape[0] + 1`)
  assert.doesNotMatch(guard('pad'), /1\) <= \(out\.shape\[0\] \+ 1\)/);
  assert.match(guard('pad'), /\(out\.shape\[0\] \+ 1\) <= \(a\.shape\[0\]\)/);
});

test('what stays NumPy\'s in a loop: a temporary read after it, one whose slices another statement shifts, a written view', async () => {
  const { cpu } = await compile(py`
    import numpy as np
    def after(a: F2, out: F1):
        for j in range(a.shape[1]):
            t = a[:, j] * 2.0
            out[:] = out[:] + t
        out[:] = out[:] + t
    def shifted(a: F2):
        for j in range(a.shape[1]):
            t = a[:-1, j] * 2.0
            a[1:, j] = t
    def written(a: F2, out: F2):
        buf = np.zeros((a.shape[0], a.shape[1]))
        for j in range(a.shape[1]):
            v = buf[0, j]
            out[0, j] = v
            buf[0, j] = a[0, j]
            out[1, j] = v
  `.replaceAll('F2', F2));
  // read after the loop: the last iteration's array (private-arrays.ts: not private), NumPy's
  assert.match(cpu('after'), /t = a\[:, j\] \* 2\.0/);
  // t is filled before a's column is shifted into: not one element loop reading what it wrote
  const shifted = cpu('shifted');
  assert.match(shifted, /t\[_polyray_e0\] = a\[_polyray_e0, j\] \* 2\.0/);
  assert.match(shifted, /a\[1 \+ _polyray_e0, j\] = t\[_polyray_e0\]/);
  // a subscript whose array is written before a later use (here an element: a copy, which keeps the old value)
  // is not read through at each use
  assert.match(cpu('written'), /v = buf\[0, j\]/);
});
