// Loop sums as fixed blocks in parallel (issue 16; poly/blocked-reductions.ts,
// codegen/blocked-loops.ts): which loops get them, in which mode, with which
// close note; and the loops that look like sums but are not, which must stay
// sequential (a false parallel verdict is the worst defect we can ship).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

async function compiled(src: string, numerics: 'exact' | 'close'): Promise<{ f: ReportFunction; cpu: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics, targets: ['cpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const f = r.report.functions[0];
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  return { f, cpu: r.module.slice(r.module.indexOf('def _polyray_cpu_'), r.module.indexOf('_polyray_dispatch_')) };
}

const blocked = (cpu: string): boolean => cpu.includes('_polyray_prange(') && cpu.includes('_polyray_rp_');

test('a float dot product runs in fixed blocks in close mode only, with a note naming its bound', async () => {
  const src = py`
    import numpy as np
    def dot(a: np.ndarray, b: np.ndarray) -> float:
        n = a.shape[0]
        s = 0.0
        for i in range(n):
            s += a[i] * b[i]
        return s
  `;
  const close = await compiled(src, 'close');
  assert.ok(blocked(close.cpu));
  // blocks fixed by the iteration count, a sequential branch for one block, partial sums in block order
  assert.match(close.cpu, /_polyray_rl_i_\d+ = max\(4096, \(_polyray_rn_i_\d+ \+ 4095\) \/\/ 4096\)/);
  assert.match(close.cpu, /if _polyray_rb_i_\d+ <= 1:\n\s+for i in range\(n\):\n\s+s \+= a\[i\] \* b\[i\]\n\s+else:/);
  assert.match(close.cpu, /_polyray_ra_s_\d+ = s if _polyray_b_i_\d+ == 0 else -0\.0/);
  assert.match(close.cpu, /for _polyray_kc_i_\d+ in range\(1, _polyray_rb_i_\d+\):\n\s+s \+= _polyray_rp_s_\d+\[_polyray_kc_i_\d+\]/);
  assert.deepEqual(close.f.closeNotes.map((n) => [n.line, n.operation, n.kind]), [[6, 's += ...', 'reduction']]);
  assert.match(close.f.closeNotes[0].bound, /1\.01\*\(N \+ M \+ B - 1\)\*eps\/2\*\(\|s0\| \+ sum\|terms\|\)/);
  assert.match(close.f.loops[0].reason, /runs in parallel as fixed blocks/);
  const exact = await compiled(src, 'exact');
  assert.ok(!blocked(exact.cpu));
  assert.deepEqual(exact.f.closeNotes, []);
  assert.match(exact.f.loops[0].reason, /runs sequentially: exact mode keeps the original order of the float sum 's'/);
});

test('integer counts run in blocks in both modes (the same bits in any order), with no close note', async () => {
  const src = py`
    import numpy as np
    def count_above(x: np.ndarray, t: float) -> int:
        count = 0
        for i in range(x.shape[0]):
            if x[i] > t:
                count += 1
        return count
  `;
  for (const mode of ['exact', 'close'] as const) {
    const r = await compiled(src, mode);
    assert.ok(blocked(r.cpu), mode);
    assert.match(r.cpu, /_polyray_np\.int64\)/);
    assert.deepEqual(r.f.closeNotes, []);
  }
});

test('what only looks like a sum stays sequential in close mode', async () => {
  const cases: [string, RegExp][] = [
    [py`
      import numpy as np
      def decay(a: np.ndarray) -> float:
          s = 0.0
          for i in range(a.shape[0]):
              s = s * 0.5 + a[i]
          return s
    `, /s written at line 5 is read/],
    [py`
      import numpy as np
      def argmax_by_hand(a: np.ndarray) -> int:
          best = a[0]
          k = 0
          for i in range(1, a.shape[0]):
              if a[i] > best:
                  best = a[i]
                  k = i
          return k
    `, /best written at line 6 is read/],
    [py`
      import numpy as np
      def exclusive_scan(a: np.ndarray, out: np.ndarray) -> float:
          s = 0.0
          for i in range(a.shape[0]):
              out[i] = s
              s += a[i]
          return s
    `, /s written at line 6 is read \(as s\) at line 5/],
    [py`
      import numpy as np
      def reset_on_negative(a: np.ndarray) -> float:
          s = 0.0
          for i in range(a.shape[0]):
              if a[i] > 0.0:
                  s += a[i]
              else:
                  s = 0.0
          return s
    `, /s written at line 5 is read/],
    [py`
      import numpy as np
      def compound(a: np.ndarray) -> float:
          s = 1.0
          for i in range(a.shape[0]):
              s += a[i] * s
          return s
    `, /s written at line 5 is read/],
    [py`
      import numpy as np
      def product(a: np.ndarray) -> float:
          p = 1.0
          for i in range(a.shape[0]):
              p *= a[i]
          return p
    `, /only sums are reassociated, so it runs sequentially/],
    [py`
      import numpy as np
      def total_then_stop(a: np.ndarray) -> float:
          s = 0.0
          for i in range(a.shape[0]):
              s += a[i]
              if s > 10.0:
                  break
          return s
    `, /./],
  ];
  for (const [src, why] of cases) {
    const r = await compiled(src, 'close');
    assert.ok(!blocked(r.cpu), src);
    assert.deepEqual(r.f.closeNotes, [], src);
    assert.equal(r.f.loops[0].parallel, false, src);
    assert.match(r.f.loops[0].reason, why, src);
  }
});

test('a sum in a loop nest blocks the outer loop; one inside a parallel loop stays in it', async () => {
  const nest = await compiled(py`
    import numpy as np
    def weighted_total(A: np.ndarray, w: np.ndarray) -> float:
        n, m = A.shape
        acc = 0.0
        for i in range(n):
            for j in range(m):
                acc += A[i, j] * w[j]
        return acc
  `, 'close');
  assert.ok(blocked(nest.cpu));
  assert.equal((nest.cpu.match(/_polyray_prange\(/g) ?? []).length, 1);
  const rows = await compiled(py`
    import numpy as np
    def row_norms(A: np.ndarray, out: np.ndarray):
        n, m = A.shape
        for i in range(n):
            s = 0.0
            for j in range(m):
                s += A[i, j] * A[i, j]
            out[i] = s
  `, 'close');
  // the row loop is parallel (s private to it); the inner sum keeps its order inside each row
  assert.ok(!rows.cpu.includes('_polyray_rp_'));
  assert.equal(rows.f.loops[0].parallel, true);
  assert.deepEqual(rows.f.closeNotes, []);
});

// Sums into array elements across an outer loop (poly/blocked-array-reductions.ts, codegen/blocked-array-loops.ts)
const rowBlocked = (cpu: string): boolean => cpu.includes('_polyray_prange(') && cpu.includes('_polyray_pa_');

test("atax's transposed product runs as fixed row blocks in close mode only, its row sums in SIMD lanes inside", async () => {
  const src = readFileSync(fileURLToPath(new URL('../kernels/polybench/atax.py', import.meta.url)), 'utf8');
  const close = await compiled(src, 'close');
  assert.ok(rowBlocked(close.cpu));
  // blocks fixed by the iteration count and y's size, a sequential branch for one block
  assert.match(close.cpu, /_polyray_al_i_\d+ = max\(16, \(_polyray_an_i_\d+ \+ 7\) \/\/ 8, \(_polyray_an_i_\d+ \* _polyray_as_i_\d+ \+ 4194303\) \/\/ 4194304\)/);
  assert.match(close.cpu, /if _polyray_ab_i_\d+ <= 1:\n\s+for i in range\(m\):/);
  // each block's partial y starts at -0.0 and takes the row's update; the partials are added in block order
  assert.match(close.cpu, /_polyray_pa_y_\d+\[_polyray_pe0_y_\d+\] = -0\.0/);
  assert.match(close.cpu, /_polyray_pa_y_\d+\[j\] = _polyray_pa_y_\d+\[j\] \+ A\[i, j\] \* tmp\[i\]/);
  assert.match(close.cpu, /for _polyray_akc_i_\d+ in range\(_polyray_ab_i_\d+\):\n\s+for _polyray_pe0_y_\d+ in range\(y\.shape\[0\]\):\n\s+y\[_polyray_pe0_y_\d+\] = y\[_polyray_pe0_y_\d+\] \+ _polyray_aw_y_\d+\[_polyray_akc_i_\d+, _polyray_pe0_y_\d+\]/);
  // the row sum inside a block: an outlined SIMD sum (one pass over A's rows)
  assert.match(close.cpu, /_polyray_acc_tmp_\d+_\d+ = _polyray_sum\d+_cpu_kernel_atax\(/);
  assert.deepEqual(close.f.closeNotes.map((n) => [n.line, n.operation]), [[11, 'tmp[i] = tmp[i] + ...'], [13, 'y[...] += ...']]);
  assert.match(close.f.loops[1].reason, /runs in parallel as fixed blocks of iterations .* partial 'y'/);
  // exact mode: isl's schedule, no blocks, no notes
  const exact = await compiled(src, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_pa_'));
  assert.deepEqual(exact.f.closeNotes, []);
});

test('a sum into a 2-d array over the outer loop blocks with 2-d partials; what only looks like one does not', async () => {
  const sum3 = await compiled(py`
    import numpy as np
    def axis0_sum(X: np.ndarray[tuple[int, int, int], np.dtype[np.float64]], S: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                for k in range(X.shape[2]):
                    S[j, k] = X[i, j, k] + S[j, k]
  `, 'close');
  assert.ok(rowBlocked(sum3.cpu));
  assert.match(sum3.cpu, /_polyray_aw_S_\d+ = _polyray_np\.empty\(\(_polyray_ab_i_\d+, S\.shape\[0\], S\.shape\[1\]\), _polyray_np\.float64\)/);
  assert.match(sum3.cpu, /_polyray_pa_S_\d+\[j, k\] = X\[i, j, k\] \+ _polyray_pa_S_\d+\[j, k\]/);
  for (const body of [
    // not a sum: y scaled each iteration
    'y[j] = 0.5 * y[j] + A[i, j]',
    // another element of y read
    'y[j] += A[i, j] * y[j - 1]',
    // y also read in the term
    'y[j] = y[j] + A[i, j] * y[j]',
    // a product, not a sum
    'y[j] *= A[i, j]',
  ]) {
    const f = await compiled(py`
      import numpy as np
      def f(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
          n, m = A.shape
          for i in range(n):
              for j in range(1, m):
                  ${body}
    `, 'close');
    assert.ok(!f.cpu.includes('_polyray_pa_'), body);
    assert.ok(!f.f.closeNotes.some((n) => n.bound.includes('partial array')), body);
  }
  // a conditional update and an int array stay as they were
  for (const [body, dtype] of [['if A[i, j] > 0.0:\n                      y[j] += A[i, j]', 'float64'], ['y[j] += A[i, j]', 'int64']]) {
    const f = await compiled(py`
      import numpy as np
      def f(A: np.ndarray[tuple[int, int], np.dtype[np.${dtype}]], y: np.ndarray[tuple[int], np.dtype[np.${dtype}]]) -> None:
          n, m = A.shape
          for i in range(n):
              for j in range(m):
                  ${body}
    `, 'close');
    assert.ok(!f.cpu.includes('_polyray_pa_'), body);
  }
});

test("bicg's two products in one row loop: fixed row blocks, the row sum in SIMD lanes split from the scatter's axpy", async () => {
  const src = readFileSync(fileURLToPath(new URL('../kernels/polybench/bicg.py', import.meta.url)), 'utf8');
  const close = await compiled(src, 'close');
  assert.ok(rowBlocked(close.cpu));
  // (not isl's tiled nest walking A's columns for s, nor BLAS for either product)
  assert.ok(!close.cpu.includes('_polyray_c4'));
  assert.ok(!close.cpu.includes('blas_'));
  // the j loop as two: the axpy into the block's partial s as written, then q's row sum outlined
  assert.match(close.cpu, /for j in range\(m\):\n\s+_polyray_pa_s_\d+\[j\] = _polyray_pa_s_\d+\[j\] \+ r\[i\] \* A\[i, j\]\n\s+_polyray_acc_q_\d+_\d+ = _polyray_sum\d+_cpu_kernel_bicg\(/);
  assert.deepEqual(close.f.closeNotes.map((n) => [n.line, n.operation]), [[11, 's[...] += ...'], [12, 'q[i] = q[i] + ...']]);
  // exact mode: no blocks, no SIMD sums, no notes
  const exact = await compiled(src, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_pa_') && !exact.cpu.includes('_polyray_sum'));
  assert.deepEqual(exact.f.closeNotes, []);
});

test('the same shape spelt with the sizes from A.shape, += and the sum first takes the same path; a sum reading what the other statement writes stays one loop', async () => {
  const shaped = await compiled(py`
    import numpy as np
    def bicg2(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], s: np.ndarray[tuple[int], np.dtype[np.float64]], q: np.ndarray[tuple[int], np.dtype[np.float64]], p: np.ndarray[tuple[int], np.dtype[np.float64]], r: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        n, m = A.shape
        for j in range(m):
            s[j] = 0.0
        for i in range(n):
            q[i] = 0.0
            for j in range(m):
                q[i] += A[i, j] * p[j]
                s[j] += r[i] * A[i, j]
  `, 'close');
  assert.ok(rowBlocked(shaped.cpu));
  assert.match(shaped.cpu, /for j in range\(m\):\n\s+_polyray_pa_s_\d+\[j\] \+= r\[i\] \* A\[i, j\]\n/);
  assert.match(shaped.cpu, /_polyray_acc_q_\d+_\d+ = _polyray_sum\d+_cpu_bicg2\(/);
  // q's sum reads s[j], which the other statement writes in the same iteration: no split, no SIMD sum
  const reads = await compiled(py`
    import numpy as np
    def reads(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], s: np.ndarray[tuple[int], np.dtype[np.float64]], q: np.ndarray[tuple[int], np.dtype[np.float64]], r: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        n, m = A.shape
        for i in range(n):
            q[i] = 0.0
            for j in range(m):
                s[j] += r[i] * A[i, j]
                q[i] += A[i, j] * s[j]
  `, 'close');
  assert.ok(!reads.cpu.includes('_polyray_sum'));
  assert.ok(!reads.f.closeNotes.some((n) => n.operation.startsWith('q[i]')));
});
