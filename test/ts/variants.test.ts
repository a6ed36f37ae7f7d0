// GPU and Ray variants in the generated module: which functions get them, and
// their shape (kernels per parallel loop, host launches, block functions and
// isl write boxes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const kernel = (name: string): string => readFileSync(fileURLToPath(new URL(`../kernels/polybench/${name}.py`, import.meta.url)), 'utf8');

async function compile(name: string) {
  const r = compileSource(await testParser(), kernel(name), { fileName: `${name}.py`, isl: await islCtx });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return r;
}

test('gemm: one GPU kernel over i, a Ray block function and the box of C each block writes', async () => {
  const r = await compile('gemm');
  assert.deepEqual(r.report.functions[0].variants, ['original', 'cpu', 'gpu', 'ray']);
  assert.match(r.module, /^def _polyray_gpuk_kernel_gemm_0\(_polyray_lo, _polyray_count, _polyray_step, ni, nj, nk, alpha, beta, C, A, B\):\n {4}_polyray_t = _polyray_cuda\.grid\(1\)\n {4}if _polyray_t < _polyray_count:\n {8}i = _polyray_lo \+ _polyray_step \* _polyray_t$/m);
  assert.match(r.module, /_polyray_launch\(_polyray_gpuk_kernel_gemm_0, _polyray_count, /);
  assert.match(r.module, /^def _polyray_block_kernel_gemm\(polyray_k0, polyray_k1, ni, /m);
  assert.match(r.module, /^ {4}for _polyray_k in range\(polyray_k0, polyray_k1\):$/m);
  // Rows k0 .. min(ni, k1) - 1 and every column: the rows of C that block computes.
  assert.match(r.module, /return \(slice\(max\(0, max\(0, polyray_k0\)\), max\(0, \(min\(ni, polyray_k1\) - 1\) \+ 1\)\), slice\(max\(0, 0\), max\(0, \(nj - 1\) \+ 1\)\)\)/);
  assert.match(r.module, /"ray": _polyray\.RayVariant\(_polyray_block_kernel_gemm, count=_polyray_count_kernel_gemm, boxes=\{"C": _polyray_box_kernel_gemm_C\}/);
  assert.match(r.module, /guard=_polyray_guard_kernel_gemm/);
});

test('jacobi-2d: the time loop stays on the host and launches two kernels per step, each over a 2-d grid; no Ray variant', async () => {
  const r = await compile('jacobi_2d');
  const f = r.report.functions[0];
  assert.deepEqual(f.variants, ['original', 'cpu', 'gpu']);
  const host = r.module.slice(r.module.indexOf('def _polyray_gpu_kernel_jacobi_2d'));
  // the counts of both loops are computed on the host; x (the first) is the inner loop j
  assert.match(host, /^ {4}for t in range\(tsteps\):\n(?: {8}.*\n){4} {8}_polyray_launch\(_polyray_gpuk_kernel_jacobi_2d_0, \(_polyray_count1, _polyray_count0\),/m);
  assert.match(host, /_polyray_launch\(_polyray_gpuk_kernel_jacobi_2d_1,/);
  assert.match(r.module, /_polyray_t1, _polyray_t0 = _polyray_cuda\.grid\(2\)\n {4}if _polyray_t0 < _polyray_count0 and _polyray_t1 < _polyray_count1:\n {8}i = _polyray_lo0 \+ _polyray_step0 \* _polyray_t0\n {8}j = _polyray_lo1 \+ _polyray_step1 \* _polyray_t1\n {8}B\[i, j\] = /);
  assert.ok(f.transformations.some((t) => /a 2-d grid over the loops at lines 7, 8; a 2-d grid over the loops at lines 10, 11$/.test(t)), f.transformations.join('; '));
  assert.ok(f.transformations.some((t) => /^no Ray variant: its top-level loop at line 6 does not run in parallel/.test(t)), f.transformations.join('; '));
});

test('functions that touch arrays outside their parallel loops get no GPU variant, and say why', async () => {
  const r = await compile('durbin');
  const f = r.report.functions[0];
  assert.ok(!f.variants.includes('gpu'));
  assert.ok(f.transformations.some((t) => /^no GPU variant: /.test(t)), f.transformations.join('\n'));
});

test('--targets cpu emits neither GPU nor Ray code', async () => {
  const r = compileSource(await testParser(), kernel('gemm'), { fileName: 'gemm.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.doesNotMatch(r.module, /_polyray_gpuk_|_polyray_block_|GpuVariant|RayVariant/);
});

test('a speculative parallel loop gets a GPU variant too: its math calls flag, the host takes the flag array', async () => {
  const src = [
    'import math',
    'import numpy as np',
    'import numpy.typing as npt',
    '',
    'def roots(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:',
    '    for i in range(n):',
    '        y[i] = math.sqrt(x[i]) + 1.0',
    '',
  ].join('\n');
  const r = compileSource(await testParser(), src, { fileName: 'roots.py', isl: await islCtx });
  assert.ok(r.ok);
  if (!r.ok) return;
  const f = r.report.functions[0];
  assert.ok(f.variants.includes('gpu'), f.transformations.join('; '));
  assert.match(r.module, /y\[i\] = _polyray_h_spec_sqrt\(x\[i\], _polyray_fail\) \+ 1\.0/);
  assert.match(r.module, /^def _polyray_gpu_roots\(n, x, y, _polyray_fail\):$/m);
  assert.match(r.module, /_polyray_launch\(_polyray_gpuk_roots_0, _polyray_count, \(_polyray_lo, _polyray_count, 1, n, x, y, _polyray_fail\)\)/);
  assert.match(r.module, /GpuVariant\(_polyray_gpu_roots, kernels=\("_polyray_gpuk_roots_0",\), arrays=\("x", "y"\), written=\("y",\), speculative=\("sqrt",\)\)/);
  assert.ok(f.transformations.some((t) => /flag instead, and if one does the device results are discarded/.test(t)), f.transformations.join('; '));
});
