// The generated wrapper (codegen/dispatcher.ts, emitWrapper): the user's name and signature, a test of the
// dispatcher's hot.Kept, then the original's own body (issue 18: where auto keeps the original, a call costs
// the original's time and that test); where the body cannot be carried, a call into the dispatcher only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

async function generated(src: string): Promise<string> {
  const r = compileSource(await testParser(), src, { fileName: 'w.py', targets: ['cpu'] });
  assert.ok(r.ok);
  return r.ok ? r.module : '';
}

const wrapper = (module: string, name: string): string => {
  const start = module.indexOf(`\ndef ${name}(`);
  assert.ok(start >= 0, `no wrapper ${name}`);
  return module.slice(start + 1, module.indexOf(`\n${name}.__doc__`, start));
};

test('the wrapper carries the body after a test of the bytes of the arrays, as the size class sums them', async () => {
  const module = await generated(py`
    import numpy as np
    import numpy.typing as npt

    def scale(A: npt.NDArray[np.float64], out: npt.NDArray[np.float64], s: float, n: int = 4) -> None:
        """Scales A into out."""
        for i in range(n):
            out[i] = A[i] * s
  `);
  const w = wrapper(module, 'scale');
  assert.match(w, /^def scale\(A: npt\.NDArray\[np\.float64\], out: npt\.NDArray\[np\.float64\], s: float, n: int = 4\) -> None:\n/);
  assert.match(w, /\n    try:\n        _polyray_kept = _polyray_keep_scale\.on and \(_polyray_keep_scale\.all or A\.nbytes \+ out\.nbytes == _polyray_keep_scale\.n or _polyray_keep_scale\.lo <= A\.nbytes \+ out\.nbytes < _polyray_keep_scale\.hi\)\n    except Exception:\n        _polyray_kept = False\n    if not _polyray_kept:/);
  assert.match(w, /\n        return _polyray_enter_scale\(A, out, s, n\)\n    """Scales A into out\."""\n    for i in range\(n\):\n        out\[i\] = A\[i\] \* s\n*$/);
  // the dispatcher rebinds the name the wrapper calls; the defaults are the original's objects
  assert.match(module, /    enter="_polyray_enter_scale",\n\)/);
  assert.match(module, /\n_polyray_enter_scale = _polyray_dispatch_scale\n_polyray_keep_scale = _polyray_dispatch_scale\.keep\n/);
  assert.match(module, /\nscale\.__defaults__ = _polyray_original_scale\.__defaults__\n/);
});

test('a function without arrays tests the flag alone; a body on the def line is not carried', async () => {
  const module = await generated(py`
    def total(x: float, n: int) -> float:
        t = 0.0
        for i in range(n):
            t += x
        return t

    def twice(x: float) -> float: return 2.0 * x
  `);
  assert.match(wrapper(module, 'total'), /:\n    if not _polyray_keep_total\.on:.*\n        return _polyray_enter_total\(x, n\)\n    t = 0\.0\n/);
  assert.equal(wrapper(module, 'twice').trim(), 'def twice(x: float) -> float:\n    return _polyray_enter_twice(x)');
});
