// Boolean masks and integer index arrays as subscripts (issue 17,
// src/compiler/types/index-arrays.ts): `x[mask]` and `x[idx]` are 1-d copies of
// the array's dtype read through checking helpers, `x[mask] = v` and `x[idx] = v`
// stores through them; the SCoP models them as whole-array accesses (loops
// around stay sequential); every other form is refused with its line and column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { extractScop } from '../../src/compiler/scop/extract.js';
import { describe } from '../../src/compiler/types/ty.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const I1 = 'np.ndarray[tuple[int], np.dtype[np.int64]]';
const U8 = 'np.ndarray[tuple[int], np.dtype[np.uint8]]';

async function typed(src: string): Promise<TypedFunction[]> {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  return checkModule(parsed.module);
}

const errors = (tf: TypedFunction): string[] => tf.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span.from.line}:${d.span.from.col}: ${d.message}`);

test('masks and gathers are 1-d copies of the dtype indexed, read and stored through the helpers', async () => {
  const [tf] = await typed(py`
    import numpy as np
    def f(x: ${F1}, idx: ${I1}, lab: ${U8}, t: float) -> float:
        big = x[x > t]
        near = x[idx]
        small = lab[lab < 3]
        x[x < 0] = 0.0
        x[idx] = near
        lab[idx] = 7
        return np.sum(big) + near[0] + small[0]
  `);
  assert.deepEqual(errors(tf), []);
  assert.equal(describe(tf.locals.get('big')!), 'array(float64, 1-d)');
  assert.equal(describe(tf.locals.get('near')!), 'array(float64, 1-d)');
  assert.equal(describe(tf.locals.get('small')!), 'array(uint8, 1-d)');
  const reads = [...tf.helpers.values()].map((h) => h.helper).filter((h) => h === 'mask_get' || h === 'take').sort();
  assert.deepEqual(reads, ['mask_get', 'mask_get', 'take']);
  assert.deepEqual([...tf.augHelpers.values()].map((h) => h.helper).sort(), ['mask_set', 'put', 'put']);
});

test("a mask of an array's own rank selects a 1-d copy of its elements (in C order), and stores through it", async () => {
  const [tf] = await typed(py`
    import numpy as np
    def f(Z: ${F2}, C: ${F2}):
        I = np.abs(Z) < 2.0
        Z[I] = Z[I] * Z[I] + C[I]
        Z[Z > 1.0] = 1.0
        return Z[I]
  `);
  assert.deepEqual(errors(tf), []);
  assert.deepEqual([...tf.helpers.values()].map((h) => h.helper).filter((h) => h === 'mask_get').length, 4);
  assert.deepEqual([...tf.augHelpers.values()].map((h) => h.helper), ['mask_set', 'mask_set']);
});

test('forms Numba computes differently or does not check are refused with their line and column', async () => {
  const fns = await typed(py`
    import numpy as np
    def two_d(A: ${F2}, idx: ${I1}):
        return A[idx]
    def two_indices(A: ${F2}, idx: ${I1}):
        return A[idx, 0]
    def float_index(x: ${F1}):
        return x[x * 2.0]
    def floats_into_ints(idx: ${I1}, x: ${F1}):
        idx[idx < 0] = x[0]
    def augmented(x: ${F1}, idx: ${I1}):
        x[idx] += 1.0
    def two_d_values(x: ${F1}, idx: ${I1}, V: ${F2}):
        x[idx] = V
    def row_mask(A: ${F2}, v: ${F1}):
        A[v > 0] = 0.0
  `);
  const byName = new Map(fns.map((tf) => [tf.fn.name, errors(tf)]));
  assert.match(byName.get('two_d')![0], /^3:12: indexing a 2-d array by array\(int64, 1-d\) is not supported/);
  // (reading a 2-d array's rows through a 1-d mask compiles: index_helpers.mask_rows; storing through it does not)
  assert.match(byName.get('row_mask')![0], /^15:\d+: a store through an index array of several dimensions is not supported/);
  assert.match(byName.get('two_indices')![0], /^5:12: an index array combined with other indices is not supported/);
  assert.match(byName.get('float_index')![0], /^7:12: an index array must hold booleans or integers, found array\(float64, 1-d\)/);
  // (the scalar store rule refuses it first, with the reason that applies to every store)
  assert.match(byName.get('floats_into_ints')![0], /^9:5: storing a float into an int64 array/);
  assert.match(byName.get('augmented')![0], /^11:5: '\+=' through an index array is not supported/);
  assert.match(byName.get('two_d_values')![0], /^13:14: the values stored through an index array must be a number or a 1-d array/);
});

test('the SCoP reads the index array and the whole indexed array, and writes the whole stored one: the loop stays sequential', async () => {
  const src = py`
    import numpy as np
    def f(x: ${F1}, idx: ${I1}, out: ${F1}, T: int):
        for t in range(T):
            x[idx] = out[idx] + 1.0
            out[x > 0] = 0.5
  `;
  const [tf] = await typed(src);
  const acc = extractScop(tf, src).statements.flatMap((s) => s.accesses.filter((a) => !a.scalar).map((a) => `${a.kind} ${a.must ? 'must' : 'may'} ${a.array}`));
  for (const want of ['read may out', 'read must idx', 'write may x', 'read must x', 'write may out']) assert.ok(acc.includes(want), `${want} in ${acc.join(', ')}`);
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const f = r.report.functions[0];
  assert.deepEqual(f.loops.map((l) => l.parallel), [false]);
  assert.match(r.module, /_polyray_h_put\(x, idx, _polyray_h_take\(out, idx\) \+ 1\.0\)/);
  assert.match(r.module, /_polyray_h_mask_set\(out, x > 0, 0\.5\)/);
});

test('no GPU variant beside a mask, even after a parallel loop: the CPU variant only', async () => {
  const src = py`
    import numpy as np
    def f(x: ${F1}, y: ${F1}):
        for i in range(x.shape[0]):
            y[i] = 2.0 * x[i]
        y[y > 1.0] = 1.0
  `;
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu', 'gpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const [f] = r.report.functions;
  assert.ok(f.accelerated);
  assert.deepEqual(f.variants.filter((v) => v !== 'original'), ['cpu']);
});
