// Reductions of boolean selections fused into one loop (issue 18, src/compiler/types/masked-reductions.ts):
// what is rewritten (azimint_naive's binned mean through two locals, np.* and method spellings, counts,
// min/max), what numerics each mode allows (float sums and means in close mode only), and what is left as
// written: a mask of another rank, a selection used again, an index array, a mask operand re-bound between
// the mask and its use, a reduction under `and`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { walkStmts, walkExpr, stmtExprs } from '../../src/compiler/parse/ast.js';
import type { Numerics } from '../../src/compiler/numerics.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const I1 = 'np.ndarray[tuple[int], np.dtype[np.int64]]';

async function typed(src: string, numerics: Numerics = 'close'): Promise<TypedFunction[]> {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  return checkModule(parsed.module, numerics);
}

const errors = (tf: TypedFunction): string[] => tf.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

/** The helpers the checked function calls (mask_get: a selection is still built). */
const helpers = (tf: TypedFunction): string[] => [...tf.helpers.values()].map((h) => h.helper);

/** Names the checked body reads or binds. */
function names(tf: TypedFunction): Set<string> {
  const out = new Set<string>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for') out.add(s.target.id);
    for (const e of stmtExprs(s)) walkExpr(e, (x) => { if (x.kind === 'name') out.add(x.id); });
  });
  return out;
}

const AZIMINT = py`
  import numpy as np
  def azimint_naive(data: ${F1}, radius: ${F1}, npt: int) -> ${F1}:
      rmax = radius.max()
      res = np.zeros(npt, dtype=np.float64)
      for i in range(npt):
          r1 = rmax * i / npt
          r2 = rmax * (i + 1) / npt
          mask_r12 = np.logical_and((r1 <= radius), (radius < r2))
          values_r12 = data[mask_r12]
          res[i] = values_r12.mean()
      return res
`;

test("azimint_naive's binned mean: one loop with a conditional sum, no mask or selection, the bin loop parallel", async () => {
  const [tf] = await typed(AZIMINT);
  assert.deepEqual(errors(tf), []);
  assert.equal(tf.maskFusions?.length, 1);
  assert.match(tf.maskFusions![0], /fused the mean of a boolean selection of 'data' \(line 10\)/);
  assert.ok(!helpers(tf).includes('mask_get'));
  const n = names(tf);
  assert.ok(!n.has('mask_r12') && !n.has('values_r12'), [...n].join(' '));
  assert.equal(tf.closeNotes.filter((c) => c.operation === 'mean of data[mask]').length, 1);
  // the checked loops: the bin loop and, inside it, one fused loop over data
  let loops = 0;
  walkStmts(tf.fn.body, (s) => { if (s.kind === 'for') loops++; });
  assert.equal(loops, 2);
  const r = compileSource(await testParser(), AZIMINT, { fileName: 'az.py', isl: await islCtx, targets: ['cpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const [f] = r.report.functions;
  assert.deepEqual(f.loops.map((l) => l.parallel), [true]);
  assert.ok(f.transformations.some((t) => t.startsWith('fused the mean')));
  assert.match(r.module, /_polyray_prange\(npt\)/);
  assert.match(r.module, /if \(r1 <= radius\[_mr0_k\]\) & \(radius\[_mr0_k\] < r2\):/);
  // NumPy's shape rule through the accesses: radius as long as data, read at data's every index and data at radius's last
  assert.match(r.module, /data\[radius\.shape\[0\] - 1\]/);
});

test('exact mode: a float mean or sum keeps NumPy pairwise order (not fused); counts, int sums, min and max are', async () => {
  const src = py`
    import numpy as np
    def f(x: ${F1}, k: ${I1}, t: float):
        return x[x > t].sum(), np.mean(x[x < t]), np.count_nonzero(x > t), k[x > t].sum(), np.max(x[k == 2]), len(k[k > 0])
  `;
  const [exact] = await typed(src, 'exact');
  assert.deepEqual(errors(exact), []);
  assert.deepEqual(exact.maskFusions?.map((m) => m.replace(/ \(line.*/, '')), [
    'fused the count_nonzero of a boolean mask', "fused the sum of a boolean selection of 'k'", "fused the max of a boolean selection of 'x'", "fused the size of a boolean selection of 'k'",
  ]);
  assert.equal(exact.closeNotes.length, 0);
  const [close] = await typed(src, 'close');
  assert.equal(close.maskFusions?.length, 6);
  assert.equal(close.closeNotes.filter((c) => c.operation.endsWith('[mask]')).length, 2);  // the float sum and mean
  assert.ok(!helpers(close).includes('mask_get'));
});

test('spellings: & | ~, np.logical_or/not, a bool array, .size, np.amin, a reduction inside an expression', async () => {
  const [tf] = await typed(py`
    import numpy as np
    def f(a: ${F1}, b: ${F1}, ok: np.ndarray[tuple[int], np.dtype[np.bool_]], lo: float) -> float:
        n = a[np.logical_or(a > 1.0, np.logical_not(ok))].size
        sel = (a >= lo) & ~(b < 0.0) | ok
        return 2.0 * np.sum(a[sel]) + n + np.amin(b[ok])
  `);
  assert.deepEqual(errors(tf), []);
  assert.equal(tf.maskFusions?.length, 3);
  assert.ok(!names(tf).has('sel'));
  assert.ok(!helpers(tf).includes('mask_get'));
});

test('left as written: another rank, a selection used again, an index array, an operand re-bound, a reduction under `and`', async () => {
  const [rank, again, gather, rebound, shortCircuit, kept] = await typed(py`
    import numpy as np
    def rank(a: ${F1}, M: ${F2}) -> float:
        return a[M[0, :] > 0].sum() + M[M > 0].sum()

    def again(a: ${F1}):
        v = a[a > 0]
        return v.sum(), v

    def gather(a: ${F1}, idx: ${I1}) -> float:
        return a[idx].sum()

    def rebound(a: ${F1}, t: float) -> float:
        m = a > t
        t = 2.0 * t
        return a[m].sum() + t

    def shortCircuit(a: ${F1}, t: float) -> bool:
        return t > 0 and a[a > t].sum() > 1.0

    def kept(a: ${F1}):
        m = a > 0.5
        return a[m].sum(), m
  `);
  for (const tf of [rank, again, gather, rebound, shortCircuit]) {
    assert.deepEqual(errors(tf), [], tf.fn.name);
    assert.equal(tf.maskFusions, undefined, tf.fn.name);
  }
  // a mask used again stays an array (computed once, as written); the sum reads it without a selection
  assert.equal(kept.maskFusions?.length, 1);
  assert.ok(names(kept).has('m') && !helpers(kept).includes('mask_get'));
});
