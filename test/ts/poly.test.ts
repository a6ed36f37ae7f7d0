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
