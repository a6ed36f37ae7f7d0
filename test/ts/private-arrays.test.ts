// Private arrays (scop/private-arrays.ts) indexed by data, updated in place and read at a computed
// index (issue 17/18): the SCoP's checked accesses (ScopAccess.checked), the verdicts, the guard's
// condition and the variant's index checks (runtime/index_checks.py). Python runs them against the
// original in test/python/test_private_arrays.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { extractScop } from '../../src/compiler/scop/extract.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const I2 = 'np.ndarray[tuple[int, int], np.dtype[np.int64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

async function compiled(src: string): Promise<{ fns: ReportFunction[]; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: r.report.functions, module: r.module };
}

/** The non-scalar accesses of the first function, as `kind must|may exact|checked:dims|inexact array`. */
async function accesses(src: string): Promise<string[]> {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  const tf = checkModule(parsed.module)[0];
  return extractScop(tf, src).statements.flatMap((s) => s.accesses.filter((a) => !a.scalar).map((a) =>
    `${a.kind} ${a.must ? 'must' : 'may'} ${a.exact ? 'exact' : a.checked ? `checked:${a.checked.join(',')}` : 'inexact'} ${a.array}`));
}

const defText = (module: string, name: string): string => module.split(`def ${name}(`)[1].split('\ndef ')[0];

const counts = (alloc: string, index: string, hint = I2): string => py`
  import numpy as np
  def f(X: ${hint}, out: ${I2}):
      n, m = X.shape
      k = out.shape[1]
      for i in range(n):
          c = ${alloc}
          for j in range(m):
              c[${index}] += 1
          for b in range(k):
              out[i, b] = c[b]
`;

test('an index read from data into a fresh local array is a checked may-access of its dimension', async () => {
  assert.deepEqual(await accesses(counts('np.zeros(k, dtype=np.int64)', 'X[i, j]')), [
    'write must exact c', 'read may checked:0 c', 'read must exact X', 'write may checked:0 c', 'read must exact c', 'write must exact out',
  ]);
  // a parameter, an unsigned 64-bit index (no int64 comparison is safe) and a float index stay whole-array approximations
  const param = await accesses(py`
    import numpy as np
    def f(X: ${I2}, out: ${I2}):
        n, m = X.shape
        for i in range(n):
            for j in range(m):
                out[i, X[i, j]] += 1
  `);
  assert.ok(param.includes('write may inexact out'), param.join('; '));
  const u64 = await accesses(counts('np.zeros(k, dtype=np.int64)', 'X[i, j]', 'np.ndarray[tuple[int, int], np.dtype[np.uint64]]'));
  assert.ok(u64.includes('write may inexact c'), u64.join('; '));
});

test('counts per row run as speculative prange, the index checked; the guard asks for a non-empty array', async () => {
  const { fns, module } = await compiled(counts('np.zeros(k, dtype=np.int64)', 'X[i, j]'));
  const outer = fns[0].loops[0];
  assert.ok(outer.parallel && /runs as prange speculatively: an index read from data may be out of bounds/.test(outer.reason), outer.reason);
  const body = defText(module, '_polyray_cpu_f');
  assert.match(body, /c\[_polyray_h_spec_index\(X\[i, j\], c\.shape\[0\], _polyray_fail\)\] \+= 1/);
  assert.match(module, /rollback=\(1,\)/);
  // k = 0 with rows and columns: index 0 (what a flagged index reads) would not exist
  assert.match(defText(module, '_polyray_guard_f'), /out_shape1 <= 0/);
  assert.equal(fns[0].variants.includes('gpu'), false);
});

test('a sequential loop checks the index in order and leaves an out-of-bounds one to the original', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    def f(x: np.ndarray[tuple[int], np.dtype[np.int64]], out: np.ndarray[tuple[int], np.dtype[np.int64]]):
        n = x.shape[0]
        k = out.shape[0]
        c = np.zeros(k, dtype=np.int64)
        for i in range(n):
            c[x[i]] += 1
        for b in range(k):
            out[b] = c[b]
  `);
  assert.equal(fns[0].loops[0].parallel, false);
  assert.match(defText(module, '_polyray_cpu_f'), /c\[_polyray_h_check_index\(x\[i\], c\.shape\[0\]\)\] \+= 1/);
  assert.match(module, /undo=\(1,\)/);
  assert.ok(fns[0].transformations.some((t) => /isl rescheduling not tried: an index is read from data/.test(t)), fns[0].transformations.join('\n'));
});

test('the median of each row: m // 2 of Python ints cannot raise, the sorted copy is private', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: np.ndarray[tuple[int], np.dtype[np.float64]]):
        n, m = A.shape
        for i in range(n):
            row = np.sort(A[i])
            out[i] = row[m // 2]
  `);
  assert.ok(fns[0].loops[0].parallel && /prange speculatively/.test(fns[0].loops[0].reason), fns[0].loops[0].reason);
  assert.match(defText(module, '_polyray_cpu_f'), /row\[_polyray_h_spec_index\(m \/\/ 2, row\.shape\[0\], _polyray_fail\)\]/);
  assert.match(defText(module, '_polyray_guard_f'), /A_shape1 <= 0/);
});

test('t += ... on a private array and a row store out[i] = t run as element loops under prange', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: ${F2}):
        n, m = A.shape
        for i in range(n):
            t = np.zeros(m)
            t += A[i]
            t *= 2.0
            out[i] = t
  `);
  assert.ok(fns[0].loops[0].parallel && /runs as prange in the CPU variant/.test(fns[0].loops[0].reason), fns[0].loops[0].reason);
  const body = defText(module, '_polyray_cpu_f');
  assert.match(body, /t\[_polyray_e0\] \+= A\[i, _polyray_e0\]/);
  assert.match(body, /out\[i, _polyray_e0\] = t\[_polyray_e0\]/);
  assert.match(defText(module, '_polyray_guard_f'), /A\.shape\[1\] == out\.shape\[1\]/);
});

test('negative twins stay sequential: counts shared by the rows, a running total, a read before the binding', async () => {
  const shared = await compiled(py`
    import numpy as np
    def f(X: ${I2}, out: ${I2}):
        n, m = X.shape
        k = out.shape[1]
        c = np.zeros(k, dtype=np.int64)
        for i in range(n):
            for j in range(m):
                c[X[i, j]] += 1
            for b in range(k):
                out[i, b] = c[b]
  `);
  assert.equal(shared.fns[0].loops[0].parallel, false, shared.fns[0].loops[0].reason);
  const running = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: ${F2}):
        n, m = A.shape
        t = np.zeros(m)
        for i in range(n):
            t += A[i]
            out[i] = t
  `);
  assert.equal(running.fns[0].loops[0].parallel, false, running.fns[0].loops[0].reason);
  const before = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: np.ndarray[tuple[int], np.dtype[np.float64]]):
        n, m = A.shape
        row = np.zeros(m)
        for i in range(n):
            out[i] = row[m // 2]
            row = np.sort(A[i])
  `);
  assert.equal(before.fns[0].loops[0].parallel, false, before.fns[0].loops[0].reason);
});

test('a private array of a literal shape is each GPU thread\'s local array; one of the arguments\' size has no GPU form', async () => {
  const scratch = (alloc: string): string => py`
    import numpy as np
    def f(A: ${F2}, out: ${F2}, c: float):
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                p = ${alloc}
                p[0, 0] = A[i, j]
                p[1, 1] = A[i, j] * c
                out[i, j] = p[0, 0] - p[1, 1] + p[0, 1]
  `;
  const full = await compiled(scratch('np.full((2, 2), c)'));
  assert.ok(full.fns[0].variants.includes('gpu'), full.fns[0].transformations.join('\n'));
  const kernel = defText(full.module, '_polyray_gpuk_f_0');
  assert.match(kernel, /p = _polyray_cuda\.local\.array\(\(2, 2\), _polyray_np\.float64\)/);
  assert.match(kernel, /_polyray_fill = c\n\s+for _polyray_z0 in range\(2\):\n\s+for _polyray_z1 in range\(2\):\n\s+p\[_polyray_z0, _polyray_z1\] = _polyray_fill/);
  const ints = await compiled(py`
    import numpy as np
    def f(X: ${I2}, out: ${I2}):
        n, m = X.shape
        for i in range(n):
            for j in range(m):
                p = np.zeros((2, 2), dtype=np.int64)
                p[0, 0] = X[i, j]
                out[i, j] = p[0, 0] + p[1, 1]
  `);
  assert.match(defText(ints.module, '_polyray_gpuk_f_0'), /local\.array\(\(2, 2\), _polyray_np\.int64\)\n\s+_polyray_fill = 0\n/);
  const sized = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: ${F2}):
        n, m = A.shape
        for i in range(n):
            t = np.zeros(m)
            for j in range(m):
                t[j] = A[i, j] * 2.0
            for j in range(m):
                out[i, j] = t[j]
  `);
  assert.equal(sized.fns[0].variants.includes('gpu'), false);
  assert.ok(sized.fns[0].transformations.some((t) => /no GPU variant: line 5: np\.zeros has no GPU form/.test(t)), sized.fns[0].transformations.join('\n'));
  // a whole-array use of the local array (not an element) keeps it on the host: no GPU variant
  const whole = await compiled(py`
    import numpy as np
    def f(A: ${F2}, out: np.ndarray[tuple[int], np.dtype[np.float64]]):
        n, m = A.shape
        for i in range(n):
            p = np.zeros(2)
            p[0] = A[i, 0]
            out[i] = np.sum(p)
  `);
  assert.equal(whole.fns[0].variants.includes('gpu'), false, whole.fns[0].transformations.join('\n'));
});
