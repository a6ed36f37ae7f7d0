// Negative slice bounds and indices mean what NumPy means (issue 15, item 2):
// a negative constant counts from the end of its dimension and is clipped at
// 0, in the SCoP, the dependences, the verdicts, the guard and the element
// loops; omitted bounds are 0 and the extent; a bound of unknown sign is
// left to a guard condition that decides it.
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

async function compiled(src: string): Promise<{ fns: ReportFunction[]; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: r.report.functions, module: r.module };
}

const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}:${l.parallel ? 'P' : 's'}`).join(' ');

/** The accesses of the first function's statements, as `kind element`. */
async function accesses(src: string): Promise<string[]> {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  const tf = checkModule(parsed.module)[0];
  return extractScop(tf, src).statements.flatMap((s) => s.accesses.filter((a) => !a.scalar).map((a) => `${a.kind} ${a.element}`));
}

/** A generated function's text, up to the next top-level def. */
const defText = (module: string, name: string): string => module.split(`def ${name}(`)[1].split('\ndef ')[0];

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';

test('the SCoP reads a negative constant bound or index from the end, an omitted bound as 0 or the extent', async () => {
  const got = await accesses(py`
    import numpy as np
    def k(A: ${F1}, B: ${F1}, T: int) -> None:
        for t in range(T):
            B[1:-1] = A[:-2] + A[2:] + A[-1]
  `);
  assert.deepEqual(got, [
    'read A[o0] : 0 <= o0 and o0 < A_shape0 - 2 and 0 <= o0 < A_shape0',
    'read A[o0] : 2 <= o0 and o0 < A_shape0 and 0 <= o0 < A_shape0',
    'read A[A_shape0 - 1]',
    'write B[o0] : 1 <= o0 and o0 < B_shape0 - 1 and 0 <= o0 < B_shape0',
  ]);
});

test('jacobi-1d as NPBench writes it: the time loop is sequential, the implicit loops run as prange over the clipped extent', async () => {
  const src = readFileSync(fileURLToPath(new URL('../kernels/numpy_style/npbench_stencils.py', import.meta.url)), 'utf8');
  const { fns, module } = await compiled(src);
  const byName = new Map(fns.map((f) => [f.name, f]));
  for (const name of ['jacobi_1d', 'jacobi_2d', 'heat_3d', 'fdtd_2d']) {
    const f = byName.get(name)!;
    assert.equal(flags(f), 't:s', name);
    assert.ok(f.transformations.some((t) => t.startsWith('implicit loops run as prange')), `${name}: ${f.transformations.join('; ')}`);
  }
  assert.equal(flags(byName.get('seidel_2d')!), 't:s i:s j:s');
  assert.match(defText(module, '_polyray_cpu_jacobi_1d'), /_polyray_prange\(max\(0, min\(max\(0, B\.shape\[0\] - 1\), B\.shape\[0\]\) - min\(1, B\.shape\[0\]\)\)\)/);
  // no guard condition a negative constant could never meet
  assert.doesNotMatch(defText(module, '_polyray_guard_jacobi_1d'), /-\d+ >= 0|out of bounds/);
});

test('a negative index inside a loop names the last element: a loop that writes it is not parallel', async () => {
  const { fns } = await compiled(py`
    import numpy as np
    def k(x: ${F1}, n: int) -> None:
        for i in range(n):
            x[i] = x[-1] + 1.0
  `);
  assert.equal(flags(fns[0]), 'i:s');
  assert.match(fns[0].loops[0].reason, /x\[-1\]/);
});

test('a negative index out of range: the guard sends the call to the original (which raises IndexError)', async () => {
  const { module } = await compiled(py`
    import numpy as np
    def k(x: ${F1}, y: ${F1}, n: int) -> None:
        for i in range(n):
            y[i] = x[-3] * 2.0
  `);
  const guard = defText(module, '_polyray_guard_k');
  assert.match(guard, /x_shape0 <= 2/, guard);
});

test('a bound of unknown sign is modelled non-negative only under a guard condition that requires it', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    def k(A: ${F1}, B: ${F1}, m: int, T: int) -> None:
        for t in range(T):
            B[:-m] = A[m:] * 2.0
  `);
  assert.equal(flags(fns[0]), 't:s');
  const guard = defText(module, '_polyray_guard_k');
  assert.match(guard, /if not \(-m >= 0\):/);
  assert.match(guard, /if not \(m >= 0\):/);
});

test('slices with omitted bounds on both sides and a shifted read: parallel in space, sequential in time', async () => {
  const { fns, module } = await compiled(py`
    import numpy as np
    def k(A: ${F1}, B: ${F1}, T: int) -> None:
        for t in range(T):
            A[:-1] = B[1:]
            B[1:] = A[:-1] * 0.5
  `);
  assert.equal(flags(fns[0]), 't:s');
  assert.doesNotMatch(defText(module, '_polyray_guard_k'), />= 0\)/);
});

test('None and np.newaxis add a dimension of length 1 and consume none: the rank, the SCoP, the verdict', async () => {
  const src = py`
    import numpy as np
    def k(a: ${F1}, C: np.ndarray[tuple[int, int], np.dtype[np.float64]], T: int) -> None:
        for t in range(T):
            C[1:-1, :] = a[np.newaxis, 1:-1] + a[:, None]
  `;
  assert.deepEqual(await accesses(src), [
    'read a[o0] : 1 <= o0 and o0 < a_shape0 - 1 and 0 <= o0 < a_shape0',
    'read a[o0] : 0 <= o0 and o0 < a_shape0 and 0 <= o0 < a_shape0',
    'write C[o0, o1] : 1 <= o0 and o0 < C_shape0 - 1 and 0 <= o0 < C_shape0 and 0 <= o1 and o1 < C_shape1 and 0 <= o1 < C_shape1',
  ]);
  const { fns } = await compiled(src);
  assert.equal(fns[0].accelerated, true, JSON.stringify(fns[0].diagnostics));
  assert.equal(flags(fns[0]), 't:s');
  // without a hint, the rank seen through `y[:, None][:, 0]` is the one dimension it indexes
  const { fns: unhinted } = await compiled(py`
    import numpy as np
    import numpy.typing as npt
    def k(A: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int) -> None:
        for j in range(n):
            A[:, j] = y[:, None][:, 0]
  `);
  assert.deepEqual(unhinted[0].params.map((p) => `${p.name}:${p.ndim ?? '?'}`), ['A:2', 'y:1', 'n:?']);
});

test('a subscript chain whose first subscript slices or adds a dimension is a may-access of the whole array', async () => {
  const got = await accesses(py`
    import numpy as np
    def k(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], n: int) -> None:
        for i in range(n):
            A[i, 0] = A[1:][i, 0] + A[None][0, 1, 0] + A[i][1]
  `);
  assert.deepEqual(got, ['read A[o0, o1]', 'read A[o0, o1]', 'read A[i_0, 1]', 'write A[i_0, 0]']);
});

test('a constant bound written as an expression (1 - 3) counts from the end like -2, in the guard and the element loops', async () => {
  const { module } = await compiled(py`
    import numpy as np
    def k(A: ${F1}, B: ${F1}, T: int) -> None:
        for t in range(T):
            B[1:1 - 2] = A[:-2] + A[2:]
  `);
  assert.doesNotMatch(defText(module, '_polyray_guard_k'), /1 - 2 >= 0/);
  assert.match(defText(module, '_polyray_cpu_k'), /_polyray_prange\(max\(0, min\(max\(0, B\.shape\[0\] - 1\), B\.shape\[0\]\) - min\(1, B\.shape\[0\]\)\)\)/);
});

test('implicit loops run as prange only when no NumPy operator between arrays stays in the function (fuzzer seed 903000004)', async () => {
  const src = (extra: string): string => py`
    import numpy as np
    def k(A: ${F1}, n: int, B: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> None:
        for i in range(1, B.shape[0]):
            B[i, :] = B[i, :] * -0.5${extra}
        for i in range(n, 0, -2):
            B[i, 0:2] += np.sqrt(np.abs(B[i, 0:2]))
  `;
  // an array with a scalar: Numba's parallel mode checks it as NumPy does
  assert.match(defText((await compiled(src(''))).module, '_polyray_cpu_k'), /_polyray_prange/);
  // an array broadcast against another: it would assert equal shapes where NumPy raises ValueError
  assert.doesNotMatch(defText((await compiled(src(' + A[np.newaxis, :]'))).module, '_polyray_cpu_k'), /_polyray_prange/);
});
