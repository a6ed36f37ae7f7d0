// codegen/gpu-allocations.ts: local arrays the host code allocates are made on the device and filled
// by a kernel of their own; the names it refuses keep the function off the GPU, with the reason.
// (Results under the CUDA simulator: test/python/test_gpu_allocations.py; PTX: test_gpu_ptx.py.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

async function compiled(src: string): Promise<{ fns: Map<string, ReportFunction>; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu', 'gpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: new Map(r.report.functions.map((f) => [f.name, f])), module: r.module };
}

/** The text of a generated `def name(...)` up to the next top-level statement. */
function defText(module: string, name: string): string {
  const from = module.indexOf(`def ${name}(`);
  assert.ok(from >= 0, `no def ${name} in the module`);
  const rest = module.slice(from);
  const end = rest.slice(1).search(/\n\S/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

test('allocations the host binds are made on the device, filled by a kernel, and named in the report', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np

    def like(A: ${F2}, s: float) -> ${F2}:
        T = np.ones_like(A)
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                T[i, j] = T[i, j] * A[i, j] * s
        return T

    def copied(x: ${F1}) -> ${F1}:
        c = x.copy()
        for i in range(x.shape[0]):
            c[i] = c[i] + 1.0
        return c

    def scratch(x: ${F1}, out: ${F1}):
        e = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            e[i] = x[i] * 2.0
        for i in range(x.shape[0]):
            out[i] = e[i] - x[i]
  `);
  for (const name of ['like', 'copied', 'scratch']) assert.ok(fns.get(name)!.variants.includes('gpu'), `${name}: ${fns.get(name)!.transformations.join('\n')}`);
  assert.ok(fns.get('like')!.transformations.some((t) => /local arrays made on the device and filled there \(copied back only if returned\): T \(line 4\)/.test(t)));
  const host = defText(module, '_polyray_gpu_like');
  assert.match(host, /T = _polyray_cuda\.device_array\(A\.shape, _polyray_np\.float64\)/);
  assert.match(host, /_polyray_launch\(_polyray_gpuk_like_0, \(_polyray_count1, _polyray_count0\), \(_polyray_count0, _polyray_count1, T\)\)/);
  assert.match(defText(module, '_polyray_gpuk_like_0'), /_polyray_dest\[_polyray_t0, _polyray_t1\] = 1\n/);
  assert.match(defText(module, '_polyray_gpuk_copied_0'), /_polyray_dest\[_polyray_t0\] = _polyray_source\[_polyray_t0\]/);
  // np.empty: allocated, never filled (NumPy's contents are unspecified too)
  const scratchHost = defText(module, '_polyray_gpu_scratch');
  assert.match(scratchHost, /e = _polyray_cuda\.device_array\(x\.shape\[0\], _polyray_np\.float64\)\n\s+_polyray_lo = /);
});

test('allocations without a device form keep the function off the GPU, with the reason', async () => {
  const { fns } = await compiled(py`
    import numpy as np

    def flags(x: ${F1}) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        c = np.zeros(x.shape[0], dtype=np.bool_)
        for i in range(x.shape[0]):
            c[i] = x[i] > 0.0
        return c

    def element_fill(x: ${F1}) -> ${F1}:
        t = np.full(x.shape[0], x[0])
        for i in range(x.shape[0]):
            t[i] = t[i] + x[i]
        return t

    def read_on_host(x: ${F1}) -> float:
        t = np.zeros_like(x)
        for i in range(x.shape[0]):
            t[i] = x[i] * 2.0
        return t[0] + 1.0
  `);
  const reasons = (name: string): string => fns.get(name)!.transformations.join('\n');
  for (const name of ['flags', 'read_on_host', 'element_fill']) assert.equal(fns.get(name)!.variants.includes('gpu'), false, `${name}: ${reasons(name)}`);
  // (device allocations are of float64, float32, int64 and int32 elements)
  assert.ok(fns.get('flags')!.variants.includes('cpu'), reasons('flags'));
  assert.match(reasons('flags'), /no GPU variant: the local array 'c' would live on the host/);
  // the host would read an element of a device array to fill it
  assert.match(reasons('element_fill'), /no GPU variant: the local array 't' would live on the host/);
  assert.match(reasons('read_on_host'), /no GPU variant: line \d+ uses the array 't' outside a parallel loop/);
});
