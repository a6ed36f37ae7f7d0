// Loops computing matrix products through BLAS in close mode (issue 16;
// poly/product-loops.ts, codegen/product-loops.ts): which loops qualify, what
// replaces them, the note; and the loops that only look like products.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';

// PolyBench's trmm and symm as written, compiled in both numerics modes below
const TRMM = py`
    import numpy as np
    def trmm(alpha: float, A: ${F2}, B: ${F2}) -> None:
        m, n = B.shape
        for i in range(m):
            for j in range(n):
                for k in range(i + 1, m):
                    B[i, j] += A[k, i] * B[k, j]
                B[i, j] = alpha * B[i, j]
  `;
const SYMM = py`
    import numpy as np
    def symm(alpha: float, beta: float, C: ${F2}, A: ${F2}, B: ${F2}) -> None:
        m, n = C.shape
        for i in range(m):
            for j in range(n):
                temp2 = 0.0
                for k in range(i):
                    C[k, j] += alpha * B[i, j] * A[i, k]
                    temp2 += B[k, j] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2
  `;

async function compiled(src: string, numerics: 'exact' | 'close' = 'close'): Promise<{ f: ReportFunction; cpu: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics, targets: ['cpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const f = r.report.functions[0];
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  return { f, cpu: r.module.slice(r.module.indexOf('def _polyray_cpu_'), r.module.indexOf('_polyray_dispatch_')) };
}

test('i-j-k and i-k-j products, transposed operands and matrix-vector forms become one np.dot before their nest', async () => {
  const gemm = await compiled(py`
    import numpy as np
    def gemm(alpha: float, beta: float, C: ${F2}, A: ${F2}, B: ${F2}) -> None:
        ni, nj = C.shape
        for i in range(ni):
            for j in range(nj):
                C[i, j] *= beta
            for k in range(A.shape[1]):
                for j in range(nj):
                    C[i, j] += alpha * A[i, k] * B[k, j]
  `);
  // the whole operands when the k range spans them (BLAS reads them in place), else slices
  // BLAS gets Numba's thread count for the products only (runtime/blas_threads.py)
  assert.match(gemm.cpu, /if \(A\.shape\[1\]\) - \(0\) > 0:\n {8}_polyray_blas_prev = _polyray_h_blas_threads_match\(\)\n {8}if A\.shape\[1\] == A\.shape\[1\] and B\.shape\[0\] == A\.shape\[1\]:\n {12}(_polyray_t\d+_\d+) = _polyray_h_blas_dot\(A, B\)\n {8}else:\n {12}\1 = _polyray_h_blas_dot\(A\[:, 0:A\.shape\[1\]\], B\[0:A\.shape\[1\], :\]\)\n {8}_polyray_h_blas_threads_restore\(_polyray_blas_prev\)\n/);
  // the i loop stays prange; the k loop becomes the j loop it held, adding alpha * T[i, j]
  assert.match(gemm.cpu, /for j in range\(nj\):\n {16}C\[i, j\] \+= alpha \* _polyray_t\d+_\d+\[i, j\]\n {4}else:/);
  assert.equal((gemm.cpu.match(/_polyray_prange\(/g) ?? []).length, 2);
  // where the condition fails, the k range is empty: the nest as written, less its k loop (no Numba code for it)
  assert.match(gemm.cpu, / {4}else:\n {8}for _polyray_k_i in _polyray_prange\(ni\):\n {12}i = _polyray_int64\(_polyray_k_i\)\n {12}for j in range\(nj\):\n {16}C\[i, j\] \*= beta\n {12}pass\n/);
  assert.ok(!/for k in range/.test(gemm.cpu), gemm.cpu);
  assert.deepEqual(gemm.f.closeNotes.map((n) => [n.line, n.operation, n.kind, n.gpu]), [[9, 'C[i, j] += ... over k', 'product', true]]);
  const gram = await compiled(py`
    import numpy as np
    def gram(X: ${F2}, G: ${F2}) -> None:
        n, m = X.shape
        for i in range(m):
            for j in range(i, m):
                G[i, j] = 0.0
                for k in range(n):
                    G[i, j] += X[k, i] * X[k, j]
  `);
  assert.match(gram.cpu, /_polyray_h_blas_dot\(X\.T, X\)\n\s+else:\n\s+_polyray_t\d+_\d+ = _polyray_h_blas_dot\(X\[0:n, :\]\.T, X\[0:n, :\]\)/);
  const mv = await compiled(py`
    import numpy as np
    def rmatvec(A: ${F2}, x: ${F1}, y: ${F1}) -> None:
        n, m = A.shape
        for i in range(m):
            for j in range(1, n - 1):
                y[i] = A[j, i] * x[j] + y[i]
  `);
  assert.match(mv.cpu, /if 1 == 0 and A\.shape\[0\] == n - 1 and x\.shape\[0\] == n - 1:\n\s+_polyray_t\d+_\d+ = _polyray_h_blas_dot\(A\.T, x\)/);
  assert.match(mv.cpu, /_polyray_h_blas_dot\(A\[1:n - 1, :\]\.T, x\[1:n - 1\]\)/);
  assert.match(mv.cpu, /y\[i\] \+= _polyray_t\d+_\d+\[i\]/);
  // two row-streaming updates of distinct targets in one loop (gesummv): no gemv; the loop as written,
  // each sum in a local added in SIMD lanes (faster than np.dot plus its temporary: streamsRows)
  const two = await compiled(py`
    import numpy as np
    def gesummv(alpha: float, beta: float, A: ${F2}, B: ${F2}, tmp: ${F1}, x: ${F1}, y: ${F1}) -> None:
        n = A.shape[0]
        for i in range(n):
            tmp[i] = 0.0
            y[i] = 0.0
            for j in range(n):
                tmp[i] = A[i, j] * x[j] + tmp[i]
                y[i] = B[i, j] * x[j] + y[i]
            y[i] = alpha * tmp[i] + beta * y[i]
  `);
  assert.equal((two.cpu.match(/_polyray_h_blas_dot\(/g) ?? []).length, 0);
  assert.match(two.cpu, /for _polyray_k_i in _polyray_prange\(n\):[^]*= _polyray_sum0_cpu_gesummv\(n, A, i, x, B, _polyray_acc_tmp_\d+_\d+, _polyray_acc_y_\d+_\d+\)/);
  assert.deepEqual(two.f.closeNotes.map((n) => [n.line, n.kind, /SIMD lanes/.test(n.bound)]), [[8, 'reduction', true], [9, 'reduction', true]]);
  // a row-streaming product next to a column walk (mvt): the column walk alone goes through BLAS
  const mvt = await compiled(py`
    import numpy as np
    def mvt(x1: ${F1}, x2: ${F1}, y1: ${F1}, y2: ${F1}, A: ${F2}) -> None:
        n = A.shape[0]
        for i in range(n):
            for j in range(n):
                x1[i] += A[i, j] * y1[j]
        for i in range(n):
            for j in range(n):
                x2[i] += A[j, i] * y2[j]
  `);
  assert.deepEqual([...mvt.cpu.matchAll(/_polyray_h_blas_dot\(([^,]+),/g)].map((m) => m[1]), ['A.T', 'A[0:n']); // the whole A.T, else its slice A[0:n, :].T
  const exact = await compiled(py`
    import numpy as np
    def rmatvec(A: ${F2}, x: ${F1}, y: ${F1}) -> None:
        n, m = A.shape
        for i in range(m):
            for j in range(n):
                y[i] = A[j, i] * x[j] + y[i]
  `, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_h_blas_dot('));
  assert.deepEqual(exact.f.closeNotes, []);
});

test('a triangular k range is a masked product; an operand the nest writes is used when isl proves its reads old', async () => {
  // trmm as PolyBench writes it: B's row i reads rows k > i, which the nest writes only later
  const trmm = await compiled(TRMM);
  // the fast path needs B finite (the mask's zeros meet it); A's lower triangle copied, transposed
  assert.match(trmm.cpu, /if _polyray_np\.isfinite\(B\)\.all\(\):\n {8}_polyray_blas_prev = _polyray_h_blas_threads_match\(\)\n {8}(_polyray_t\d+_\d+)_m = _polyray_np\.zeros\(\(A\.shape\[1\], B\.shape\[0\]\)\)/);
  assert.match(trmm.cpu, /(_polyray_t\d+_\d+)_k0 = max\(\1_r \+ 1, 0\)\n\s+\1_k1 = min\(min\(m, B\.shape\[0\]\), A\.shape\[0\]\)\n\s+for \1_k in range\(\1_k0, \1_k1\):\n\s+\1_m\[\1_r, \1_k\] = A\[\1_k, \1_r\]/);
  // one BLAS product per block of 8 rows, over the columns the block keeps (a triangle: about half of gemm's work)
  assert.match(trmm.cpu, /_polyray_h_blas_dot_rows\((_polyray_t\d+_\d+), \1_r0, \1_r1, \1_m\[\1_r0:\1_r1, \1_lo\[\1_b\]:\1_hi\[\1_b\]\], B\[\1_lo\[\1_b\]:\1_hi\[\1_b\]\]\)/);
  // the update only where the original's range is not empty
  assert.match(trmm.cpu, /if \(m\) - \(i \+ 1\) > 0:\n\s+B\[i, j\] \+= _polyray_t\d+_\d+\[i, j\]\n\s+B\[i, j\] = alpha \* B\[i, j\]/);
  assert.deepEqual(trmm.f.closeNotes.map((n) => [n.line, n.kind]), [[7, 'product']]);
  assert.ok(trmm.f.transformations.some((t) => t.includes('triangular in i')), trmm.f.transformations.join('\n'));
  // a scientist's spelling: k outside j, the range as a variable's bound, the column side triangular
  const upper = await compiled(py`
    import numpy as np
    def upper_times(U: ${F2}, X: ${F2}) -> ${F2}:
        n, p = X.shape
        out = np.zeros((n, p))
        for i in range(n):
            for k in range(i, n):
                for j in range(p):
                    out[i, j] += U[i, k] * X[k, j]
        return out
  `);
  assert.match(upper.cpu, /_polyray_np\.isfinite\(X\)\.all\(\)/);
  assert.match(upper.cpu, /_polyray_h_blas_dot_rows\((_polyray_t\d+_\d+), \1_r0, \1_r1, \1_m\[\1_r0:\1_r1, \1_lo\[\1_b\]:\1_hi\[\1_b\]\], X\[/);
  const cols = await compiled(py`
    import numpy as np
    def cols(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
        n, m = C.shape
        for i in range(n):
            for j in range(m):
                for k in range(j):
                    C[i, j] += A[i, k] * B[k, j]
  `);
  // masked on the right: rows k of B kept below column j
  assert.match(cols.cpu, /(_polyray_t\d+_\d+)_m\[\1_k, \1_r\] = B\[\1_k, \1_r\]/);
  assert.match(cols.cpu, /= _polyray_h_blas_dot\(A, _polyray_t\d+_\d+_m\)/);
  assert.match(cols.cpu, /_polyray_np\.isfinite\(A\)\.all\(\)/);
  // exact mode keeps the loops
  const exact = await compiled(TRMM, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_h_blas_dot('));
});

test('symm: a scalar dot product per element and a scatter summed over the outer loop, folded into one BLAS product', async () => {
  const symm = await compiled(SYMM);
  // one buffer: the dot's operand by rows (A's strict lower triangle), the scatter's added transposed (its strict
  // upper), a count of the i per row k; then ONE product of the buffer and B (poly/product-fold.ts)
  assert.match(symm.cpu, /(_polyray_t9_\d+)_m = _polyray_np\.zeros\(\(C\.shape\[0\], B\.shape\[0\]\)\)/);
  assert.match(symm.cpu, /(_polyray_t9_\d+)_m\[\1_r, \1_k\] = A\[\1_r, \1_k\]/);
  assert.match(symm.cpu, /(_polyray_t9_\d+)_m\[\1_k, \1_a\] \+= A\[\1_a, \1_k\]\n\s+\1_n\[\1_k\] \+= 1/);
  assert.equal((symm.cpu.match(/_polyray_h_blas_dot\(/g) ?? []).length, 1, symm.cpu);
  assert.match(symm.cpu, /(_polyray_t9_\d+) = _polyray_h_blas_dot\(\1_m, B\)/);
  // temp2 takes the row's total where the dot's range is not empty or the scatter added to the row
  assert.match(symm.cpu, /if \(i\) - \(0\) > 0 or (_polyray_t9_\d+)_n\[i\] > 0:\n\s+temp2 \+= \1\[i, j\]\n\s+C\[i, j\] = beta \* C\[i, j\] \+ alpha \* B\[i, j\] \* A\[i, i\] \+ alpha \* temp2/);
  // nothing after the nest, and i, carrying nothing, runs as prange (one region, not one per row); the loops as
  // written keep j's
  const [fast, slow] = symm.cpu.split('\n    else:\n');
  assert.ok(!fast.includes('_k_p in _polyray_prange('), fast);
  assert.match(fast, /for _polyray_k_i in _polyray_prange\(_polyray_n_i\):/);
  assert.ok(!fast.includes('_polyray_prange(n)'), fast);
  assert.match(slow, /for i in range\(m\):\n\s+for _polyray_k_j in _polyray_prange\(n\):/);
  assert.ok(symm.f.transformations.includes('with its products, prange on the loop at line 4: the scattered additions are folded into the products, so no dependence is left on it'), symm.f.transformations.join('\n'));
  assert.match(symm.f.loops[0].reason, /^C\[k, j\] written at line 8/);
  assert.deepEqual(symm.f.closeNotes.map((n) => [n.line, n.kind]), [[8, 'product'], [9, 'product']]);
  assert.ok(symm.f.transformations.some((t) => t.includes("C[k, j] summed over i and folded into temp2's product (one product of the two masked operands summed, added at line 10)")), symm.f.transformations.join('\n'));
  // other loop order, a helper scalar, a fresh result, `+=` into the row: folded too
  const sym = await compiled(py`
    import numpy as np
    def sym_times(S: ${F2}, X: ${F2}) -> ${F2}:
        n, p = X.shape
        Y = np.zeros((n, p))
        for j in range(p):
            for i in range(n):
                acc = 0.0
                for k in range(i):
                    Y[k, j] += S[i, k] * X[i, j]
                    acc += S[i, k] * X[k, j]
                Y[i, j] += S[i, i] * X[i, j] + acc
        return Y
  `);
  assert.equal((sym.cpu.match(/_polyray_h_blas_dot\(/g) ?? []).length, 1);
  assert.match(sym.cpu, /if \(i\) - \(0\) > 0 or (_polyray_t\d+_\d+)_n\[i\] > 0:\n\s+acc \+= \1\[i, j\]/);
  // j, outermost, was parallel already: nothing gained, the same prange loops in both forms
  assert.ok(!sym.f.transformations.some((t) => t.startsWith('with its products')), sym.f.transformations.join('\n'));
  // contributions to rows the nest reads afterwards (k > i): the scatter cannot move, the loops stay
  const later = await compiled(py`
    import numpy as np
    def later(S: ${F2}, X: ${F2}, Y: ${F2}) -> None:
        n, p = X.shape
        for i in range(n):
            for j in range(p):
                acc = 0.0
                for k in range(i + 1, n):
                    Y[k, j] += S[i, k] * X[i, j]
                    acc += S[i, k] * X[k, j]
                Y[i, j] += acc
  `);
  assert.ok(!later.cpu.includes('_polyray_h_blas_dot('), later.cpu);
  const exact = await compiled(SYMM, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_h_blas_dot('));
});

test('symm-like nests that the fold refuses keep two products, the scatter added after the nest', async () => {
  // each variant breaks one condition of poly/product-fold.ts; the two products and the scatter's pass stay
  const variant = (between: string, scatter: string, dot: string, row: string): string => py`
    import numpy as np
    def v(alpha: float, beta: float, C: ${F2}, A: ${F2}, B: ${F2}, B2: ${F2}, D: ${F2}) -> None:
        m, n = C.shape
        for i in range(m):
            for j in range(n):
                temp2 = 0.0
                for k in range(i):
                    ${scatter}
                    ${dot}
                ${row}
                ${between}
  `;
  const SCATTER = 'C[k, j] += alpha * B[i, j] * A[i, k]';
  const DOT = 'temp2 += B[k, j] * A[i, k]';
  const ROW = 'C[i, j] = beta * C[i, j] + alpha * temp2';
  const cases: [string, string][] = [
    // C[i, j] read after the row statement wrote it, before the scatter's total would arrive
    ['a read of C between', variant('D[i, j] = C[i, j]', SCATTER, DOT, ROW)],
    // the dot reads B2, the scatter B: no common operand
    ['another right operand', variant('D[i, j] = 0.0', SCATTER, 'temp2 += B2[k, j] * A[i, k]', ROW)],
    // temp2 scaled by beta where the scatter's terms carry alpha
    ['other factors', variant('D[i, j] = 0.0', SCATTER, DOT, 'C[i, j] = beta * C[i, j] + beta * temp2')],
    // temp2 read again after the row statement
    ['temp2 read after', variant('D[i, j] = temp2', SCATTER, DOT, ROW)],
    // the row statement writes another element than the scatter's
    ['another element', variant('D[i, j] = 0.0', SCATTER, DOT, 'C[j, i] = beta * C[j, i] + alpha * temp2')],
  ];
  // (the same nest with nothing broken folds: each refusal below is its one change's)
  const base = await compiled(variant('D[i, j] = 0.0', SCATTER, DOT, ROW));
  assert.ok(base.f.transformations.some((t) => t.includes('folded into')), base.f.transformations.join('\n'));
  assert.equal((base.cpu.match(/_polyray_h_blas_dot\(/g) ?? []).length, 1, base.cpu);
  for (const [what, src] of cases) {
    const { f, cpu } = await compiled(src);
    assert.ok(!f.transformations.some((t) => t.includes('folded into')), `${what}: ${f.transformations.join('\n')}`);
    if (what === 'another element') continue; // (C[j, i]: the scatter's total cannot move either)
    // (two blocked products: each prints its BLAS call once, inside its loop over row blocks, storing the block)
    assert.equal((cpu.match(/_polyray_h_blas_dot_rows\(/g) ?? []).length, 2, `${what}: ${cpu}`);
    assert.match(cpu, /for (_polyray_t\d+_\d+)_k_p in _polyray_prange\(\1_n\.shape\[0\]\):\n\s+\1_k = _polyray_int64\(\1_k_p\)\n\s+if \1_n\[\1_k\] > 0:\n\s+for \1_j in range\(n\):\n\s+C\[\1_k, \1_j\] \+= alpha \* \1\[\1_k, \1_j\]/, what);
  }
});

test("doitgen: a stack of products, one BLAS product per plane at the start of its iteration, its copies serial; what only looks like one keeps its loops", async () => {
  const { f, cpu } = await compiled(readFileSync('test/kernels/polybench/doitgen.py', 'utf8'));
  // T_r = A[r] @ C4 at the start of iteration r (the whole plane when the range spans it, else its slice), only
  // when r is inside A and the shapes agree; an empty plane otherwise (no row of it is read then)
  assert.match(cpu, /r = _polyray_int64\(_polyray_k_r\)\n {12}_polyray_pv_sum_ = [^\n]*\n {12}if 0 <= r < A\.shape\[0\] and 0 >= 0 and A\.shape\[2\] >= np_ and C4\.shape\[0\] >= np_:\n {16}if A\.shape\[2\] == np_ and C4\.shape\[0\] == np_:\n {20}(_polyray_t\d+_\d+) = _polyray_h_blas_dot\(A\[r\], C4\)\n {16}else:\n {20}\1 = _polyray_h_blas_dot\(A\[r, :, 0:np_\], C4\[0:np_, :\]\)\n {12}else:\n {16}\1 = _polyray_np\.empty\(\(0, 0\)\)\n/);
  // no whole stack before the nest
  assert.doesNotMatch(cpu, /_polyray_np\.empty\(\(A\.shape\[0\]/);
  // r runs as prange, sum_ private to each iteration (the last one writes sum_ itself), each plane's product on one
  // BLAS thread; the k loop becomes sum_[p] += T_r[q, p]; no prange inside r and q (one region per (r, q) otherwise)
  const fast = cpu.slice(0, cpu.indexOf('\n    else:\n        for r'));
  assert.match(fast, /_polyray_blas_prev = _polyray_h_blas_threads_one\(\)\n {8}_polyray_n_r = max\(0, \(\(nr\) - \(0\) \+ 0\) \/\/ 1\)\n {8}for _polyray_k_r in _polyray_prange\(_polyray_n_r\):\n {12}r = _polyray_int64\(_polyray_k_r\)\n {12}_polyray_pv_sum_ = sum_ if _polyray_k_r == _polyray_n_r - 1 else _polyray_np\.empty_like\(sum_\)\n {12}if 0 <= r < A\.shape\[0\]/);
  assert.match(fast, /\n {12}for q in range\(nq\):\n {16}for p in range\(np_\):\n {20}_polyray_pv_sum_\[p\] = 0\.0\n {20}_polyray_pv_sum_\[p\] \+= _polyray_t\d+_\d+\[q, p\]/);
  // BLAS's threads restored after the nest, whose planes call it
  assert.match(fast, /A\[r, q, p\] = _polyray_pv_sum_\[p\]\n {8}_polyray_h_blas_threads_restore\(_polyray_blas_prev\)/);
  assert.equal((fast.match(/_polyray_prange\(/g) ?? []).length, 1);
  assert.doesNotMatch(fast, /[ (]sum_\[/);
  assert.ok(f.transformations.some((t) => /matrix-matrix per r/.test(t)), f.transformations.join('\n'));
  assert.ok(f.transformations.some((t) => /with its products per plane, 'sum_' private to each iteration of r \(line 6\): that loop runs as prange/.test(t)), f.transformations.join('\n'));
  assert.deepEqual(f.closeNotes.map((n) => [n.line, n.kind]), [[11, 'product']]);
  const F3 = 'np.ndarray[tuple[int, int, int], np.dtype[np.float64]]';
  const stack = (update: string, head = 'for r in range(nr):\n            for q in range(nq):') => py`
    import numpy as np
    def f(A: ${F3}, C4: ${F2}, sum_: ${F1}, c: int) -> None:
        nr, nq, n = A.shape
        ${head}
                for p in range(n):
                    sum_[p] = 0.0
                    for s in range(n):
                        ${update}
                for p in range(n):
                    A[r, q, p] = sum_[p]
  `;
  // the template as doitgen writes it is a stack (so each twin below differs by its one change)
  assert.match((await compiled(stack('sum_[p] += A[r, q, s] * C4[s, p]'))).cpu, /_polyray_h_blas_dot\(A\[r\]/);
  // q outermost: the planes' loop is not the nest's outer one, so the whole stack is computed before the nest
  const swapped = (await compiled(stack('sum_[p] += A[r, q, s] * C4[s, p]', 'for q in range(nq):\n            for r in range(nr):'))).cpu;
  assert.match(swapped, /(_polyray_t\d+_\d+) = _polyray_np\.empty\(\(A\.shape\[0\], A\.shape\[1\], C4\.shape\[1\]\)\)[^]*\1\[\1_b\] = _polyray_h_blas_dot\(A\[\1_b\], C4\)[^]*\+= \1\[r, q, p\]/);
  // another spelling: other names, `X = X + e`, k outside the row loop (doitgen_rows' order): per plane too
  const other = (await compiled(py`
    import numpy as np
    def g(X: ${F3}, W: ${F2}, row: ${F1}) -> None:
        n, m, w = X.shape
        for a in range(n):
            for b in range(m):
                for j in range(w):
                    row[j] = 0.0
                for i in range(w):
                    for j in range(w):
                        row[j] = row[j] + X[a, b, i] * W[i, j]
                for j in range(w):
                    X[a, b, j] = row[j]
  `)).cpu;
  assert.match(other, /for _polyray_k_a in _polyray_prange\(_polyray_n_a\):\n {12}a = _polyray_int64\(_polyray_k_a\)\n {12}_polyray_pv_row = row if [^\n]*\n {12}if 0 <= a < X\.shape\[0\][^\n]*\n[^]*(_polyray_t\d+_\d+) = _polyray_h_blas_dot\(X\[a\], W\)[^]*_polyray_pv_row\[j\] \+= \1\[b, j\]/);
  // the scratch row read after the nest: not private (its final value would be the last plane's only by luck), so
  // the planes stay sequential, each still computed at the start of its iteration
  const shared = (await compiled(py`
    import numpy as np
    def h(X: ${F3}, W: ${F2}, row: ${F1}, out: ${F1}) -> None:
        n, m, w = X.shape
        for a in range(n):
            for b in range(m):
                for j in range(w):
                    row[j] = 0.0
                    for i in range(w):
                        row[j] += X[a, b, i] * W[i, j]
                for j in range(w):
                    X[a, b, j] = row[j] + out[j]
                    out[j] = row[j]
  `)).cpu;
  assert.match(shared, /\n {8}for a in range\(n\):\n {12}if 0 <= a < X\.shape\[0\]/);
  assert.doesNotMatch(shared.slice(0, shared.indexOf('\n    else:')), /_polyray_prange\(|_polyray_pv_/);
  const kept = [
    stack('sum_[p] += A[r, s, q] * C4[s, p]'), // k not A's last axis
    stack('sum_[p] += A[r, c, s] * C4[s, p]'), // c no loop of the nest
    stack('sum_[p] += A[r, r, s] * C4[s, p]'), // the same loop twice
    stack('sum_[p] += A[r, q, s] * C4[s, q]'), // C4's column is not sum_'s subscript
  ];
  for (const src of kept) {
    const { cpu: body } = await compiled(src);
    assert.doesNotMatch(body, /_polyray_h_blas_dot\(/, src);
  }
  // exact mode keeps the loops
  const { cpu: exact } = await compiled(readFileSync('test/kernels/polybench/doitgen.py', 'utf8'), 'exact');
  assert.doesNotMatch(exact, /_polyray_h_blas_dot\(/);
});

test('loops that only look like products keep their loops', async () => {
  const cases = [
    // k's range depends on i and reads B's rows already updated (k < i): new values, not the old product
    py`
      import numpy as np
      def lower_trmm(A: ${F2}, B: ${F2}) -> None:
          m, n = B.shape
          for i in range(m):
              for j in range(n):
                  for k in range(i):
                      B[i, j] += A[i, k] * B[k, j]
    `,
    // k's range depends on two loop variables
    py`
      import numpy as np
      def band(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
          n, m = C.shape
          for i in range(n):
              for j in range(m):
                  for k in range(i + j):
                      C[i, j] += A[i, k] * B[k, j]
    `,
    // k's range depends on a variable that indexes no product operand (the update's target row)
    py`
      import numpy as np
      def shifted(A: ${F2}, B: ${F2}, C: ${F2}, x: ${F1}) -> None:
          n, m = C.shape
          for i in range(n):
              for j in range(m):
                  for k in range(i):
                      C[i, j] += A[j, k] * B[k, j]
    `,
    // an operand is written in the nest
    py`
      import numpy as np
      def written(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
          n, m = C.shape
          for i in range(n):
              B[i, 0] = 1.0
              for j in range(m):
                  for k in range(n):
                      C[i, j] += A[i, k] * B[k, j]
    `,
    // the target is an operand
    py`
      import numpy as np
      def power(A: ${F2}, B: ${F2}) -> None:
          n = A.shape[0]
          for i in range(n):
              for j in range(n):
                  for k in range(n):
                      A[i, j] += A[i, k] * B[k, j]
    `,
    // two statements in the k loop; a scale that changes in the nest
    py`
      import numpy as np
      def two(A: ${F2}, B: ${F2}, C: ${F2}, D: ${F2}) -> None:
          n = A.shape[0]
          for i in range(n):
              for j in range(n):
                  for k in range(n):
                      C[i, j] += A[i, k] * B[k, j]
                      D[i, j] += A[i, k]
    `,
    // a term that is no product
    py`
      import numpy as np
      def plus_term(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
          n = A.shape[0]
          for i in range(n):
              for j in range(n):
                  for k in range(n):
                      C[i, j] += A[i, k] * B[k, j] - A[i, k]
    `,
    py`
      import numpy as np
      def scaled(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
          n = A.shape[0]
          for i in range(n):
              s = 0.5 * i
              for j in range(n):
                  for k in range(n):
                      C[i, j] += s * A[i, k] * B[k, j]
    `,
    // one update reads the other's target
    py`
      import numpy as np
      def chained(A: ${F2}, B: ${F2}, x: ${F1}, t: ${F1}, y: ${F1}) -> None:
          n = A.shape[0]
          for i in range(n):
              for j in range(n):
                  t[i] += A[i, j] * x[j]
                  y[i] += B[i, j] * t[j]
    `,
    // k read after its loop; integer arrays (exact in any order, but no BLAS for integers)
    py`
      import numpy as np
      def last_k(A: ${F2}, B: ${F2}, C: ${F2}) -> int:
          n = A.shape[0]
          k = 0
          for i in range(n):
              for j in range(n):
                  for k in range(n):
                      C[i, j] += A[i, k] * B[k, j]
          return k
    `,
    py`
      import numpy as np
      def ints(A: np.ndarray[tuple[int, int], np.dtype[np.int64]], B: np.ndarray[tuple[int, int], np.dtype[np.int64]], C: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> None:
          n = A.shape[0]
          for i in range(n):
              for j in range(n):
                  for k in range(n):
                      C[i, j] += A[i, k] * B[k, j]
    `,
  ];
  for (const src of cases) {
    const r = await compiled(src);
    assert.ok(!r.cpu.includes('_polyray_h_blas_dot('), src);
    assert.ok(r.f.closeNotes.every((n) => n.kind !== 'product'), src);
  }
});

test('an update adding or subtracting several product terms: one product per term, a transposed twin read transposed', async () => {
  const syr2k = await compiled(py`
    import numpy as np
    def syr2k(alpha: float, C: ${F2}, A: ${F2}, B: ${F2}) -> None:
        n, m = A.shape
        for i in range(n):
            for k in range(m):
                for j in range(i + 1):
                    C[i, j] += A[j, k] * alpha * B[i, k] + B[j, k] * alpha * A[i, k]
  `);
  assert.match(syr2k.cpu, /(_polyray_t\d+_\d+) = _polyray_h_blas_dot\(B, A\.T\)/);
  assert.match(syr2k.cpu, /(_polyray_t\d+_\d+)_1 = \1\.T\n/);
  assert.equal((syr2k.cpu.match(/_polyray_h_blas_dot\(/g) ?? []).length, 2); // whole operands or slices: one product
  assert.match(syr2k.cpu, /C\[i, j\] \+= alpha \* (_polyray_t\d+_\d+)\[i, j\] \+ alpha \* \1_1\[i, j\]/);
  assert.deepEqual(syr2k.f.closeNotes.map((n) => [n.line, n.kind]), [[7, 'product']]);
  assert.match(syr2k.f.closeNotes[0].bound, /1\.01\*\(k \+ f \+ 2\)\*eps/);
  const minus = await compiled(py`
    import numpy as np
    def minus(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
        n = A.shape[0]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    C[i, j] -= A[i, k] * B[k, j]
  `);
  assert.match(minus.cpu, /C\[i, j\] \+= -_polyray_t\d+_\d+\[i, j\]/);
  // exact mode keeps the loops
  const exact = await compiled(py`
    import numpy as np
    def minus(A: ${F2}, B: ${F2}, C: ${F2}) -> None:
        n = A.shape[0]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    C[i, j] -= A[i, k] * B[k, j] + B[i, k] * A[k, j]
  `, 'exact');
  assert.ok(!exact.cpu.includes('_polyray_h_blas_dot('));
});
