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

test('what stays NumPy\'s: steps, integer indices, bounds of unknown value, slices of a product', async () => {
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
  for (const f of ['stepped', 'indexed', 'data_bound']) assert.doesNotMatch(cpu(f), /t\[_polyray_e0/, f);
  // a bound of unknown sign is a temporary's operand only where the guard finds it non-negative
  assert.match(cpu('unknown_sign'), /_polyray_e0/);
  assert.match(guard('unknown_sign'), /0 <= \(s\)/);
});
