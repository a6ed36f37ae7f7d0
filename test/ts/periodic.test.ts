// Periodic and other non-affine subscripts (issue 17/18): a read through
// `% n`, `// 2` or a negative index approximates that access only, never the
// statement's write; the verdict and its reason say what really blocks a loop;
// in-place wrap-around updates stay sequential. Kernels:
// test/kernels/numpy_style/periodic.py (run against the original by
// test/python/test_periodic.py, their verdicts permuted by test_verdicts.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { extractScop } from '../../src/compiler/scop/extract.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

async function compiled(src: string): Promise<{ fns: Map<string, ReportFunction>; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: new Map(r.report.functions.map((f) => [f.name, f])), module: r.module };
}

const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}:${l.parallel ? 'P' : 's'}`).join(' ');
const defText = (module: string, name: string): string => (module.split(`def ${name}(`)[1] ?? '').split('\ndef ')[0];

async function accesses(src: string): Promise<string[]> {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  const tf = checkModule(parsed.module)[0];
  return extractScop(tf, src).statements.flatMap((s) => s.accesses.filter((a) => !a.scalar).map((a) => `${a.kind}${a.must ? '' : '?'} ${a.element}`));
}

const kernels = readFileSync(fileURLToPath(new URL('../kernels/numpy_style/periodic.py', import.meta.url)), 'utf8');

test('periodic reads keep the loops parallel and run as prange; the in-place twins stay sequential', async () => {
  const { fns } = await compiled(kernels);
  const parallel = ['periodic_diff', 'periodic_laplacian', 'heat_periodic', 'heat_periodic_into', 'life_step', 'roll_right', 'tile_into', 'windowed', 'three_phase', 'upsample'];
  for (const name of parallel) {
    const outer = fns.get(name)!.loops[0];
    assert.ok(outer.parallel && /runs as prange/.test(outer.reason), `${name}: ${outer.reason}`);
  }
  assert.equal(flags(fns.get('life_step')!), 'i:P j:P di:s dj:s');
  const twins: Record<string, RegExp> = {
    shift_left_inplace: /u\[i\] written at line \d+ is read \(as u\[\(i \+ 1\) % n\]\)/,
    wrap_write: /u\[\(i \+ 1\) % n\] written at line \d+ is read \(as u\[i\]\)/,
    smooth_inplace: /u\[i\] written at line \d+ is read \(as u\[\(i \+ k\) % n\]\)/,
    fold_mod3: /acc\[i % 3\] written/,
    roll_scatter: /out\[\(i \+ k\) % n\] written at line \d+ is written again/,
    // u[i - n] is u[len(u) - n + i]: iteration i - (len(u) - n) wrote what iteration i reads
    wrap_only_dependence: /u\[i - n\] written at line \d+ is read \(as u\[i\]\)/,
  };
  for (const [name, why] of Object.entries(twins)) {
    const loop = fns.get(name)!.loops[0];
    assert.equal(loop.parallel, false, name);
    assert.match(loop.reason, why, name);
  }
});

test('only the periodic access is approximated: a range of its dimension; the write stays exact and must', async () => {
  const got = await accesses(py`
    import numpy as np
    import numpy.typing as npt
    def k(u: npt.NDArray[np.float64], w: npt.NDArray[np.float64], p: int) -> npt.NDArray[np.float64]:
        n = u.shape[0]
        out = np.empty(n)
        for i in range(n):
            out[i] = u[(i + 1) % n] + w[i % p] + u[i % 3] + u[i // 2]
        return out
  `);
  assert.deepEqual(got.slice(1), [
    'read? u[o0] : 0 <= o0 < u_shape0',
    'read? w[o0] : 0 <= o0 < p',
    'read u[(i_0) mod 3]',
    'read u[floor((i_0)/2)]',
    'write out[i_0]',
    'read out[o0] : 0 <= o0 < u_shape0',
  ]);
});

test('the guard requires 1 <= divisor <= extent, so a zero divisor runs the original (ZeroDivisionError)', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    import numpy.typing as npt
    def tile(out: npt.NDArray[np.float64], w: npt.NDArray[np.float64], p: int) -> None:
        for i in range(out.shape[0]):
            out[i] = w[i % p]
  `);
  assert.match(fns.get('tile')!.loops[0].reason, /runs as prange/);
  const guard = defText(module, '_polyray_guard_tile');
  assert.match(guard, /p <= 0/, guard);
  assert.match(guard, /p >= \(w_shape0 \+ 1\)/, guard);
  // the `%` prints as Numba's own (no CPython helper) inside the prange loop
  assert.match(defText(module, '_polyray_cpu_tile'), /w\[i % p\]/);
});

test("u[i - 1] at i = 0 reads the last element, as in Python: the guard no longer refuses every call", async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    import numpy.typing as npt
    def left(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = u.shape[0]
        out = np.empty(n)
        for i in range(n):
            out[i] = u[i - 1] + u[i]
        return out
    def far_left(u: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
        out = np.empty(u.shape[0])
        for i in range(u.shape[0]):
            out[i] = u[i - k]
        return out
  `);
  assert.match(fns.get('left')!.loops[0].reason, /u\[i - 1\] reads from the end where its index is negative, as in Python.*runs as prange/);
  assert.equal(defText(module, '_polyray_guard_left'), '', 'no guard: -n <= i - 1 < n always');
  // i - k is negative only for some k: the plain model (no wrap between iterations), the guard sends k >= 1 to the original
  assert.match(fns.get('far_left')!.loops[0].reason, /^no dependence is carried by i: .*runs as prange/);
  const guard = defText(module, '_polyray_guard_far_left');
  assert.match(guard, /k >= 1/, guard);
});

test('a local from np.empty_like / zeros_like or n = len(u) has the shape of its prototype: no false "written again"', async () => {
  const { fns } = await compiled(py`
    import numpy as np
    import numpy.typing as npt
    def like(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = len(u)
        out = np.zeros_like(u)
        for i in range(n):
            out[i] = 2.0 * u[i]
        return out
    def like2(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n, m = u.shape
        new = np.empty_like(u)
        for i in range(n):
            for j in range(m):
                new[i, j] = u[i, j]
        return new
    def other_shape(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out = np.empty_like(u, shape=(3,))
        for i in range(3):
            out[i] = u[0]
        return out
  `);
  assert.equal(flags(fns.get('like')!), 'i:P');
  assert.equal(flags(fns.get('like2')!), 'i:P j:P');
  assert.match(fns.get('like2')!.loops[0].reason, /runs as prange/);
  // shape= given: the prototype's shape is not the array's; modelled whole, and the reason says so
  assert.equal(flags(fns.get('other_shape')!), 'i:s');
  assert.match(fns.get('other_shape')!.loops[0].reason, /the model cannot place out\[i\]: it stands for any element of out/);
});

test('other non-affine reads: gathers and abs() of a parameter never written run as prange, their index checked; a reversal is affine; a scatter stays sequential', async () => {
  const { fns } = await compiled(py`
    import numpy as np
    import numpy.typing as npt
    def gather(u: npt.NDArray[np.float64], idx: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        out = np.empty(idx.shape[0])
        for i in range(idx.shape[0]):
            out[i] = u[idx[i]]
        return out
    def mirror(u: npt.NDArray[np.float64], c: int) -> npt.NDArray[np.float64]:
        n = u.shape[0]
        out = np.zeros(n)
        for i in range(n):
            out[i] = u[abs(i - c)]
        return out
    def reverse(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = u.shape[0]
        out = np.empty_like(u)
        for i in range(n):
            out[i] = u[n - 1 - i]
        return out
    def scatter(u: npt.NDArray[np.float64], idx: npt.NDArray[np.int64]) -> None:
        for i in range(idx.shape[0]):
            u[idx[i]] = u[i] * 2.0
  `);
  // (scop/extract.ts checkableRead: any element of u, which nothing writes; spec_index checks it in the loop)
  assert.match(fns.get('gather')!.loops[0].reason, /^no dependence is carried by i.*runs as prange speculatively: an index read from data may be out of bounds/);
  assert.match(fns.get('mirror')!.loops[0].reason, /^no dependence is carried by i.*runs as prange speculatively: an index read from data may be out of bounds/);
  assert.match(fns.get('reverse')!.loops[0].reason, /runs as prange/);
  assert.match(fns.get('scatter')!.loops[0].reason, /u\[idx\[i\]\] written at line \d+ is read \(as u\[i\]\).*the model cannot place u\[idx\[i\]\]/);
});
