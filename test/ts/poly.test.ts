// Known answers for the loops' parallel flags, from exact dependences (isl-wasm).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const kernel = (name: string): string => readFileSync(fileURLToPath(new URL(`../kernels/polybench/${name}.py`, import.meta.url)), 'utf8');

async function loops(src: string): Promise<ReportFunction> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  const f = r.report.functions[0];
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  return f;
}

const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}:${l.parallel ? 'P' : 's'}`).join(' ');

test('gemm: i and j parallel, k carries the accumulation into C', async () => {
  const f = await loops(kernel('gemm'));
  assert.equal(flags(f), 'i:P j:P k:s j:P');
  assert.match(f.loops[2].reason, /C\[i, j\] written at line 11 is read .* at line 11 one iteration of k later/);
});

test('jacobi-1d and jacobi-2d: time loop sequential, space loops parallel', async () => {
  assert.equal(flags(await loops(kernel('jacobi_1d'))), 't:s i:P i:P');
  assert.equal(flags(await loops(kernel('jacobi_2d'))), 't:s i:P j:P i:P j:P');
});

test('seidel-2d: nothing parallel in the original schedule', async () => {
  assert.equal(flags(await loops(kernel('seidel_2d'))), 't:s i:s j:s');
});

test('a prefix sum is never parallel', async () => {
  const f = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def prefix(x: npt.NDArray[np.float64], n: int) -> None:
        for i in range(1, n):
            x[i] = x[i] + x[i - 1]
  `);
  assert.equal(flags(f), 'i:s');
  assert.match(f.loops[0].reason, /x\[i\] written at line 5 is read .* one iteration of i later/);
});

test('a loop-carried scalar blocks parallelism; a privatizable scalar does not', async () => {
  const carried = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int) -> None:
        t = 0.0
        for i in range(n):
            y[i] = t
            t = x[i]
  `);
  assert.equal(flags(carried), 'i:s');
  const priv = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            t = x[i] * 2.0
            y[i] = t + 1.0
  `);
  assert.equal(flags(priv), 'i:P');
});

test('reductions are named; non-affine writes block; triangular loops are exact', async () => {
  const red = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(x: npt.NDArray[np.float64], n: int) -> float:
        s = 0.0
        for i in range(n):
            s += x[i]
        return s
  `);
  assert.equal(flags(red), 'i:s');
  assert.match(red.loops[0].reason, /reduction/);
  const scatter = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(x: npt.NDArray[np.float64], idx: npt.NDArray[np.int64], n: int) -> None:
        for i in range(n):
            x[idx[i]] = 1.0 * i
  `);
  assert.equal(flags(scatter), 'i:s');
  const tri = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(L: npt.NDArray[np.float64], n: int) -> None:
        for i in range(1, n):
            for j in range(i, n):
                L[i, j] = L[i - 1, j] + L[j, i - 1]
  `);
  // row i reads row i - 1 of the upper triangle: i carries it, j does not.
  assert.equal(flags(tri), 'i:s j:P');
  const transpose = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(L: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            for j in range(i + 1, n):
                L[i, j] = L[j, i]
  `);
  // upper-triangle writes never meet lower-triangle reads: both loops are parallel.
  assert.equal(flags(transpose), 'i:P j:P');
});

test('a loop with a negative step runs downwards in the dependence model', async () => {
  const f = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def suffix(x: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n - 2, -1, -1):
            x[i] = x[i] + x[i + 1]
  `);
  // x[i + 1] is written one iteration earlier (i + 1 runs before i): a flow dependence.
  assert.match(f.loops[0].reason, /^x\[i\] written at line 5 is read \(as x\[i \+ 1\]\) at line 5 one iteration of i later/);
});

test('negative steps and min/max bounds are modelled', async () => {
  const f = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def k(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int, m: int) -> None:
        for i in range(n - 1, -1, -1):
            y[i] = x[i]
        for j in range(max(0, m), min(n, 2 * m)):
            x[j] = x[j + 1]
  `);
  assert.equal(flags(f), 'i:P j:s');
});

// The loop structure of the exact tier: in close mode, matrix-product loops become BLAS
// products before their nests, which print twice (test/ts/product-loops.test.ts).
test('PolyBench: prange only on loops reported parallel, only the outermost of a nest, never nested', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = fileURLToPath(new URL('../kernels/polybench/', import.meta.url));
  let pranges = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'specs.py')) {
    const r = compileSource(await testParser(), readFileSync(dir + file, 'utf8'), { fileName: file, isl: await islCtx, targets: ['cpu'], numerics: 'exact' });
    assert.ok(r.ok, file);
    if (!r.ok) continue;
    const fn = r.report.functions[0];
    const reported = fn.loops.filter((l) => /runs as prange/.test(l.reason));
    for (const l of reported) assert.equal(l.parallel, true, `${file}:${l.line}`);
    const cpu = r.module.slice(r.module.indexOf('def _polyray_cpu_'), r.module.indexOf('_polyray_dispatch_'));
    const lines = cpu.split('\n').filter((l) => /^\s*for /.test(l));
    const prangeLines = lines.filter((l) => l.includes('_polyray_prange('));
    // isl's schedule, or the locality order inside the parallel loops (whose loop distribution may split one prange loop into several)
    const rescheduled = fn.transformations.find((t) => /parallel schedule dimensions:/.test(t));
    if (rescheduled) {
      // prange only over schedule dimensions the exact test found parallel.
      const dims = new Set((/parallel schedule dimensions: (.*)$/.exec(rescheduled)?.[1] ?? '').split(', '));
      for (const l of prangeLines) assert.ok(dims.has(`c${/_polyray_k(\d+)/.exec(l)?.[1]}`), `${file}: ${l}`);
    } else {
      // (and one prange per loop whose scalar sums run in fixed blocks: poly/blocked-reductions.ts)
      const blocked = fn.loops.filter((l) => /runs in parallel as fixed blocks/.test(l.reason));
      assert.equal(prangeLines.length, reported.length + blocked.length, file);
    }
    // No prange inside a prange: track the indentation of the enclosing prange loops.
    const open: number[] = [];
    for (const l of cpu.split('\n')) {
      const indent = l.length - l.trimStart().length;
      if (!l.trim()) continue;
      while (open.length && indent <= open[open.length - 1]) open.pop();
      if (l.includes('_polyray_prange(')) {
        assert.equal(open.length, 0, `${file}: nested prange`);
        open.push(indent);
      }
    }
    // The outermost loop reported parallel in each nest got prange, unless the report says why not.
    for (const l of fn.loops.filter((x) => x.parallel)) {
      if (!/runs as prange/.test(l.reason)) assert.ok(/runs sequentially|^no dependence/.test(l.reason), `${file}:${l.line} ${l.reason}`);
    }
    pranges += reported.length;
  }
  assert.ok(pranges >= 20, `only ${pranges} prange loops in PolyBench`);
});

test('seidel-2d: the CPU variant is skewed into a wavefront with a parallel inner loop', async () => {
  const r = compileSource(await testParser(), kernel('seidel_2d'), { fileName: 'seidel_2d.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  const t = r.report.functions[0].transformations.join('\n');
  assert.match(t, /skewed into a wavefront by isl, then tiled 32x32: \{ S0\[t_0, i_1, j_2\] -> \[4t_0 \+ 2i_1 \+ j_2, t_0, i_1\] \}/);
  const cpu = r.module.slice(r.module.indexOf('def _polyray_cpu_'), r.module.indexOf('_polyray_dispatch_')).split('\n');
  assert.match(cpu[1], /^ {4}for _polyray_c0 in range\(/, 'outer wavefront loop is sequential');
  assert.match(cpu[2], /^ {8}for _polyray_k1 in _polyray_prange\(/, 'the (tile) loop inside it is parallel');
  assert.match(cpu[3], /^ {12}_polyray_c1 = .* \+ 32 \* _polyray_int64\(_polyray_k1\)$/, 'over tiles of 32 (prange counters are unsigned: cast first)');
  assert.match(r.module, /parallel=True, boundscheck=False/);
  assert.match(r.module, /guard=_polyray_guard_kernel_seidel_2d/);
});

// (exact mode: close mode runs this loop as row blocks instead, blocked-reductions.test.ts)
test('a column sum written row-major runs parallel over columns after interchange (exact mode)', async () => {
  const r = compileSource(
    await testParser(),
    py`
      import numpy as np
      import numpy.typing as npt
      def colsum(A: npt.NDArray[np.float64], s: npt.NDArray[np.float64], n: int, m: int) -> None:
          for i in range(n):
              for j in range(m):
                  s[j] += A[i, j]
    `,
    { fileName: 'colsum.py', isl: await islCtx, targets: ['cpu'], numerics: 'exact' },
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  const f = r.report.functions[0];
  assert.equal(flags(f), 'i:s j:P');
  assert.match(f.transformations.join(), /loops interchanged by isl, then tiled 32x32: \{ S0\[i_0, j_1\] -> \[j_1, i_0\] \}/);
  const cpu = r.module.slice(r.module.indexOf('def _polyray_cpu_'), r.module.indexOf('_polyray_dispatch_')).split('\n');
  // Parallel over tiles of 32 columns, then row tiles, then the points of a tile.
  assert.match(cpu[1], /^ {4}for _polyray_k0 in _polyray_prange\(max\(0, \(m - 0 \+ 31\) \/\/ 32\)\):/);
  assert.match(cpu[3], /^ {8}for _polyray_c1 in range\(0, n, 32\):/);
  // s[j] kept in a local over the points of a row tile (codegen/local-accumulators.ts), loaded and stored once
  assert.match(cpu[6], /^ {20}_polyray_acc_s_0 = s\[\(\(_polyray_c0 \+ _polyray_c2\)\)\]$/);
  assert.match(cpu[8], /^ {24}_polyray_acc_s_0 \+= A\[\(\(_polyray_c1 \+ _polyray_c3\)\), \(\(_polyray_c0 \+ _polyray_c2\)\)\]$/);
  assert.match(cpu[9], /^ {20}s\[\(\(_polyray_c0 \+ _polyray_c2\)\)\] = _polyray_acc_s_0$/);
});

test('slice statements are implicit loops: a loop over rows is proven parallel, a shifting slice is not', async () => {
  const f = await loops(readFileSync(fileURLToPath(new URL('../kernels/extra/slices.py', import.meta.url)), 'utf8'));
  assert.equal(flags(f), 'i:P');
  // the slice statements run as element loops, so the row loop gets prange
  assert.match(f.loops[0].reason, /runs as prange in the CPU variant/);
  const r = compileSource(await testParser(), readFileSync(fileURLToPath(new URL('../kernels/extra/slices.py', import.meta.url)), 'utf8'), { fileName: 'slices.py', isl: await islCtx });
  assert.ok(r.ok);
  if (!r.ok) return;
  const shift = r.report.functions.find((x) => x.name === 'shift')!;
  assert.match(shift.loops[0].reason, /^x\[1:n\] written at line 14 is read \(as x\[0:n - 1\]\) at line 14 in a later iteration of t/);
  const negative = r.report.functions.find((x) => x.name === 'negative_window')!;
  assert.equal(negative.loops[0].parallel, true);
  // The Ray variant of negative_window is guarded: a negative slice bound would count from the end.
  assert.match(r.module, /def _polyray_guard_negative_window\(x, y, n, k\):[\s\S]*?k <= -1/);
  // Lowered: element loops over the target's extent, operands at the same offsets; the guard checks
  // the slices lie inside their arrays and have the target's extents.
  assert.match(r.module, /for _polyray_e0 in range\(C\.shape\[1\]\):\n {12}C\[i, _polyray_e0\] = A\[i, _polyray_e0\] \* 2\.0/);
  assert.match(r.module, /for _polyray_e0 in range\(max\(0, y\.shape\[1\] - min\(k, y\.shape\[1\]\)\)\):\n {12}y\[i, k \+ _polyray_e0\] = x\[i, k \+ _polyray_e0\] \+ 1\.0/);
  assert.match(r.module, /if not \(k >= 0\):/);
  assert.match(r.module, /if not \(max\(0, x\.shape\[1\] - min\(k, x\.shape\[1\]\)\) == max\(0, y\.shape\[1\] - min\(k, y\.shape\[1\]\)\)\):/);
  // x[1:n] = x[0:n - 1] + 1.0 reads what it writes elsewhere: NumPy evaluates the right side first, so the
  // element loop reads a copy of x[0:n - 1] taken before it (test/python/test_target_reads.py runs such statements)
  assert.match(r.module, /def _polyray_cpu_shift\(x, n\):\n {4}for t in range\(n\):\n {8}_polyray_snap0 = x\[0:n - 1\]\.copy\(\)\n {8}for _polyray_ke0 in _polyray_prange\([^\n]*\n[^\n]*\n {12}x\[1 \+ _polyray_e0\] = _polyray_snap0\[_polyray_e0\] \+ 1\.0/);
});

test('PolyBench: no loop proven parallel is left sequential (correlation speculatively, durbin despite its np.zeros)', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = fileURLToPath(new URL('../kernels/polybench/', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'specs.py')) {
    const r = compileSource(await testParser(), readFileSync(dir + file, 'utf8'), { fileName: file, isl: await islCtx, targets: ['cpu'] });
    assert.ok(r.ok, file);
    if (!r.ok) continue;
    for (const l of r.report.functions[0].loops) assert.doesNotMatch(l.reason, /runs sequentially/, `${file}:${l.line}`);
  }
  // (the locality order of the exact tier; close mode runs correlation's product through BLAS)
  const r = compileSource(await testParser(), kernel('correlation'), { fileName: 'correlation.py', isl: await islCtx, targets: ['cpu'], numerics: 'exact' });
  assert.ok(r.ok);
  if (!r.ok) return;
  const l14 = r.report.functions[0].loops.find((l) => l.line === 14)!;
  assert.match(l14.reason, /runs as prange speculatively/);
  assert.match(r.module, /def _polyray_cpu_kernel_correlation\(m, n, float_n, data, corr, mean, stddev, _polyray_fail\):/);
  // (the locality order prints the loop variable as isl's iterator)
  assert.match(r.module, /stddev\[\(_polyray_c1\)\] = _polyray_h_spec_sqrt\(stddev\[\(_polyray_c1\)\], _polyray_fail\)/);
  assert.match(r.module, /rollback=\(3, 4, 5, 6\)/);
});

test('Ray boxes: a written row fixed by a parameter is that row, not the block range (fuzzer seed 8000250)', async () => {
  const r = compileSource(await testParser(), py`
    import numpy as np
    import numpy.typing as npt
    def f(n: int, A: npt.NDArray[np.float64]) -> None:
        for i in range(n - 1):
            A[n - 1, i] = 1.0
  `, { fileName: 'row.py', isl: await islCtx, targets: ['ray'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  // isl scans a non-injective schedule's other dimensions as loops of their own:
  // each box dimension is taken from the projection onto it alone.
  assert.match(r.module, /return \(slice\(max\(0, \(n - 1\)\), max\(0, \(n - 1\) \+ 1\)\), slice\(max\(0, max\(0, polyray_k0\)\), /);
});

test('an array read by name (np.dot(x, x), y * 2.0) reads every element: the loop that writes x is not parallel', async () => {
  const f = await loops(py`
    import numpy as np
    import numpy.typing as npt
    def f(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int) -> None:
        for i in range(n):
            x[i] = 2.0 * i
            y[i] = np.dot(x, x)
  `);
  assert.equal(flags(f), 'i:s');
  assert.match(f.loops[0].reason, /^x\[i\] written at line 5 is read \(as x\) at line 6 in a later iteration of i/);
});

test('locality: the loop walking the last dimension goes innermost, inside the original parallel loops, only where dependences allow', async () => {
  // (exact mode: close mode runs k2mm's and gemm's products through BLAS instead)
  const transformations = async (name: string): Promise<string> => {
    const r = compileSource(await testParser(), kernel(name), { fileName: `${name}.py`, isl: await islCtx, targets: ['cpu'], numerics: 'exact' });
    assert.ok(r.ok);
    return r.ok ? r.report.functions[0].transformations.join('\n') : '';
  };
  // k2mm: i-j-k becomes i-k-j in both nests (the init statements distributed)
  assert.match(await transformations('k2mm'), /innermost walks contiguous memory \(S1 innermost j_1, S3 innermost j_4\)/);
  // trmm: j is parallel under the sequential i; its tiles go outermost, its points innermost
  assert.match(await transformations('trmm'), /S0 innermost j_1 \(strip-mined by 32, its tiles outermost, in parallel\)/);
  // doitgen: r and q carry dependences only through sum_, private to each iteration of r in the CPU variant
  // (poly/private-params.ts): r runs in parallel and p goes innermost whole
  assert.match(await transformations('doitgen'), /'sum_' private to each iteration of r[^\n]*\n[^\n]*S1 innermost p_2\); parallel schedule dimensions: c1, c5, c8/);
  // lu: isl's right-looking order (k outermost, rows in parallel, row updates innermost) has as much
  // outer parallelism and better innermost loops than j strip-mined inside i
  assert.match(await transformations('lu'), /walk memory better than the order inside the original parallel loops\): \{ S2\[i_0, j_3, k_4\] -> \[k_4, i_0, j_3\]/);
  // gemm is already i-k-j; jacobi-2d's inner loops already walk rows
  for (const name of ['gemm', 'jacobi_2d']) assert.doesNotMatch(await transformations(name), /innermost walks contiguous memory/, name);
});

test('NumPy statements: implicit loops fused and parallel, temporaries contracted, shapes of temporaries checked by the guard', async () => {
  const src = py`
    import numpy as np
    def k(a: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        t = a * b
        out[:, :] = t - a
        b[0, :] = out[1, :] * 2.0
    def m(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], B: np.ndarray[tuple[int, int], np.dtype[np.float64]], C: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        D = A.T @ B
        for i in range(C.shape[0]):
            C[i, :] = C[i, :] + D[i, :]
  `;
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  const [k, m] = r.report.functions;
  assert.deepEqual(k.transformations.filter((t) => /^(the implicit|temporaries|implicit)/.test(t)), [
    'the implicit loops of the slice statements at lines 3, 4 fused into one loop nest',
    'temporaries t computed element by element as scalars (never allocated)',
    'implicit loops run as prange (each element written once, its operands read at that element only): the statement(s) at line 3, 5',
  ]);
  const cpu = (name: string): string => r.module.slice(r.module.indexOf(`def _polyray_cpu_${name}`), r.module.indexOf(`_polyray_dispatch_${name} =`));
  assert.match(cpu('k'), /t = a\[_polyray_e0, _polyray_e1\] \* b\[_polyray_e0, _polyray_e1\]\n\s+out\[_polyray_e0, _polyray_e1\] = t - a\[_polyray_e0, _polyray_e1\]/);
  assert.doesNotMatch(cpu('k'), /empty/);
  assert.ok(k.transformations.includes('GPU variant: 2 kernel(s), one thread per element of the implicit loops'), k.transformations.join('; '));
  // the product's inner dimensions and D's rows and columns: A.T is (A.shape[1], A.shape[0])
  assert.match(r.module, /if not \(A\.shape\[0\] == B\.shape\[0\]\):/);
  assert.match(m.loops[0].reason, /runs as prange/);
  assert.match(cpu('m'), /D = _polyray_h_matmul\(A\.T, B\)\n\s+for _polyray_k_i in _polyray_prange\(C\.shape\[0\]\):/);
});

test('a reduction of arrays inside a slice statement runs once, not once per element (x - np.max(x) was n^2)', async () => {
  const src = py`
    import numpy as np
    def shifted(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        y[:] = x - np.max(x)
    def scaled(x: np.ndarray[tuple[int], np.dtype[np.float64]], y: np.ndarray[tuple[int], np.dtype[np.float64]], a: float) -> None:
        y[:] = x * math.sqrt(a)
  `.replace('import numpy as np', 'import math\nimport numpy as np');
  for (const numerics of ['exact', 'close'] as const) {
    const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'], numerics });
    assert.ok(r.ok);
    if (!r.ok) return;
    const cpu = (name: string): string => r.module.slice(r.module.indexOf(`def _polyray_cpu_${name}`), r.module.indexOf(`_polyray_dispatch_${name} =`));
    // computed once before the loop (poly/hoisted-reductions.ts; exact mode: the checked max, which could not
    // leave the call to the original from inside prange), then one element loop reads it
    assert.match(cpu('shifted'), numerics === 'exact' ? /_polyray_r0 = _polyray_h_checked_max\(x\)\n {4}for / : /_polyray_r0 = np\.max\(x\)\n {4}for /);
    assert.match(cpu('shifted'), /_polyray_prange[\s\S]*y\[_polyray_e0\] = x\[_polyray_e0\] - _polyray_r0/);
    assert.equal(cpu('shifted').match(/max\(x\)/g)?.length, 1);
    // a scalar call of scalars is still a per-element constant of a lowered statement
    assert.match(cpu('scaled'), /_polyray_prange/);
  }
});
