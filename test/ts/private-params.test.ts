// Scratch parameter arrays private to each iteration of a loop (issue 16,
// poly/private-params.ts): which loops qualify, the CPU variant's per-iteration
// copies (the last iteration writing the array itself), and the forms that keep
// the loop sequential. The GPU variant and the verdicts do not change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';

async function compiled(src: string, numerics: 'exact' | 'close' = 'close', targets = ['cpu']) {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics, targets });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fs: r.report.functions, module: r.module };
}

const cpuOf = (module: string, name: string): string => module.slice(module.indexOf(`def _polyray_cpu_${name}`), module.indexOf(`def _polyray_seq_${name}`));

test("doitgen's sum_ is private to each iteration of r: prange over r, p innermost, the last iteration writing sum_", async () => {
  // (exact mode: close mode computes the products through BLAS per plane instead, product-loops.test.ts)
  for (const numerics of ['exact'] as const) {
    const { fs, module } = await compiled(readFileSync('test/kernels/polybench/doitgen.py', 'utf8'), numerics, ['cpu', 'gpu']);
    const f = fs[0];
    assert.ok(f.transformations.some((t) => /'sum_' private to each iteration of r \(line 6\)/.test(t)), f.transformations.join('\n'));
    const cpu = cpuOf(module, 'kernel_doitgen');
    assert.match(cpu, /_polyray_n1 = max\(0, \(nr - 0 \+ 0\) \/\/ 1\)\n {4}for _polyray_k1 in _polyray_prange\(_polyray_n1\):\n {8}_polyray_c1 = 0 \+ 1 \* _polyray_int64\(_polyray_k1\)\n {8}_polyray_pv_sum_ = sum_ if _polyray_k1 == _polyray_n1 - 1 else _polyray_np\.empty_like\(sum_\)\n/);
    // one prange region per call, sum_ reached only through its copy, the row of C4 innermost
    assert.equal((cpu.match(/_polyray_prange\(/g) ?? []).length, 1);
    assert.doesNotMatch(cpu, /[ (]sum_\[/);
    assert.match(cpu, /_polyray_pv_sum_\[\(_polyray_c8\)\] \+= _polyray_v0 \* C4\[\(_polyray_c6\), \(_polyray_c8\)\]/);
    // the serial form and the GPU variant keep sum_ itself
    const seq = module.slice(module.indexOf('def _polyray_seq_kernel_doitgen'), module.indexOf('def _polyray_gpuk_'));
    assert.doesNotMatch(seq, /_polyray_pv_|prange/);
    assert.doesNotMatch(module.slice(module.indexOf('def _polyray_gpuk_')), /_polyray_pv_/);
    // the verdict of r is the dependence test's, unchanged
    assert.equal(f.loops[0].parallel, false);
  }
});

test('scratch forms that stay shared: a value carried over, a changing write set, a conditional write, a whole-array use, a view', async () => {
  const body = (pre: string, post = '') => py`
    import numpy as np
    def f(A: ${F2}, B: ${F2}, tmp: ${F1}, out: ${F2}) -> None:
        n, m = A.shape
        for i in range(n):
            ${pre}
            for k in range(m):
                out[i, k] = 0.0
                for j in range(m):
                    out[i, k] += tmp[j] * B[j, k]
        ${post}
  `;
  const forms = [
    'for j in range(m):\n                tmp[j] = 0.5 * tmp[j] + A[i, j]',
    'for j in range(i):\n                tmp[j] = A[i, j]',
    'for j in range(m):\n                if A[i, j] > 0.0:\n                    tmp[j] = A[i, j]',
    'tmp[:] = A[i, :]',
  ];
  for (const pre of forms) {
    const { fs, module } = await compiled(body(pre));
    assert.ok(!fs[0].transformations.some((t) => /private to each iteration/.test(t)), `${pre}\n${fs[0].transformations.join('\n')}`);
    assert.doesNotMatch(module, /_polyray_pv_/);
  }
  // the scratch named whole after the loop, or through a view inside it
  for (const [pre, post] of [['for j in range(m):\n                tmp[j] = A[i, j]', 'out[0, :] = tmp'], ['v = tmp[0:m]\n            for j in range(m):\n                v[j] = A[i, j]', '']]) {
    const { fs, module } = await compiled(body(pre, post));
    assert.ok(!fs[0].transformations.some((t) => /private to each iteration/.test(t)), fs[0].transformations.join('\n'));
    assert.doesNotMatch(module, /_polyray_pv_/);
  }
});

test('doitgen written row-wise (s outer, p inner): the original order, r in parallel with sum_ private', async () => {
  const { fs, module } = await compiled(py`
    import numpy as np
    def f(A: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], C4: ${F2}, sum_: ${F1}) -> None:
        nr, nq, np_ = A.shape
        for r in range(nr):
            for q in range(nq):
                for p in range(np_):
                    sum_[p] = 0.0
                for s in range(np_):
                    for p in range(np_):
                        sum_[p] += A[r, q, s] * C4[s, p]
                for p in range(np_):
                    A[r, q, p] = sum_[p]
  `, 'exact');
  assert.ok(fs[0].transformations.includes('the original loop order, its loops printed from the schedule; parallel schedule dimensions: c1, c7'), fs[0].transformations.join('\n'));
  const cpu = cpuOf(module, 'f');
  assert.equal((cpu.match(/_polyray_prange\(/g) ?? []).length, 1);
  assert.match(cpu, /_polyray_pv_sum_\[\(_polyray_c7\)\] \+= _polyray_v0 \* C4\[\(_polyray_c5\), \(_polyray_c7\)\]/);
});

test('a loop reading the scratch after the privatized nest keeps the array itself', async () => {
  const { fs, module } = await compiled(py`
    import numpy as np
    def f(A: ${F2}, B: ${F2}, tmp: ${F1}, out: ${F2}, last: ${F1}) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                tmp[j] = A[i, j] * 2.0
            for k in range(m):
                out[i, k] = 0.0
                for j in range(m):
                    out[i, k] += tmp[j] * B[j, k]
        for j in range(m):
            last[j] = tmp[j]
  `);
  assert.ok(fs[0].transformations.some((t) => /'tmp' private to each iteration of i/.test(t)), fs[0].transformations.join('\n'));
  const cpu = cpuOf(module, 'f');
  assert.match(cpu, /last\[\(_polyray_c1\)\] = tmp\[\(_polyray_c1\)\]/);
  assert.equal((cpu.match(/_polyray_pv_tmp = /g) ?? []).length, 1);
});
