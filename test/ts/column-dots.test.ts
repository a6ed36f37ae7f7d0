// A loop's dots with the columns of one row block computed as one vector-matrix product before it (issue 18,
// close mode; poly/column-dots.ts): NPBench's trmm and symm spellings, what the variant prints, and the loops
// left as written (exact mode, a vector or block the loop writes, a write inside the block, a row index that
// may be negative, a view, other steps).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const F4 = 'np.ndarray[tuple[int, int], np.dtype[np.float32]]';
const V1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const V4 = 'np.ndarray[tuple[int], np.dtype[np.float32]]';

const SOURCE = py`
  import numpy as np

  def trmm(alpha: float, A: ${F2}, B: ${F2}) -> None:
      for i in range(B.shape[0]):
          for j in range(B.shape[1]):
              B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
      B *= alpha

  def symm(alpha: float, beta: float, C: ${F2}, A: ${F2}, B: ${F2}) -> None:
      temp2 = np.empty((C.shape[1], ), dtype=C.dtype)
      C *= beta
      for i in range(C.shape[0]):
          for j in range(C.shape[1]):
              C[:i, j] += alpha * B[i, j] * A[i, :i]
              temp2[j] = B[:i, j] @ A[i, :i]
          C[i, :] += alpha * B[i, :] * A[i, i] + alpha * temp2

  def vector_first(x: ${V4}, Y: ${F4}, out: ${F4}) -> None:
      for j in range(2, Y.shape[1]):
          out[0, j] = 2.0 * (x @ Y[1:3, j])

  def inside_block(A: ${F2}, B: ${F2}) -> None:
      for i in range(B.shape[0]):
          for j in range(B.shape[1]):
              B[i, j] += np.dot(A[i:, i], B[i:, j])

  def from_below_zero(A: ${F2}, B: ${F2}) -> None:
      for i in range(-1, B.shape[0]):
          for j in range(B.shape[1]):
              B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])

  def writes_vector(x: ${V1}, Y: ${F2}, out: ${V1}) -> None:
      for j in range(Y.shape[1]):
          out[j] = np.dot(x, Y[:, j])
          x[0] = 1.0

  def view_vector(X: ${F2}, Y: ${F2}, out: ${V1}) -> None:
      x = X[:, 0]
      for j in range(Y.shape[1]):
          out[j] = np.dot(x, Y[:, j])
          X[0, 0] = 1.0

  def moving_vector(X: ${F2}, Y: ${F2}, out: ${V1}) -> None:
      for j in range(Y.shape[1]):
          out[j] = np.dot(X[j, :], Y[:, j])

  def stepped(x: ${V1}, Y: ${F2}, out: ${V1}) -> None:
      for j in range(0, Y.shape[1], 2):
          out[j] = np.dot(x, Y[:, j])
`;

async function compiled(numerics: 'exact' | 'close'): Promise<{ fns: Map<string, ReportFunction>; module: string }> {
  const r = compileSource(await testParser(), SOURCE, { fileName: 'k.py', isl: await islCtx, numerics, targets: ['cpu'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: new Map(r.report.functions.map((f) => [f.name, f])), module: r.module };
}

function cpu(module: string, name: string): string {
  const at = module.indexOf(`def _polyray_cpu_${name}(`);
  assert.ok(at >= 0, `no cpu variant for ${name}`);
  return module.slice(at, module.indexOf(`_polyray_dispatch_${name} =`, at));
}

test('dots with the columns of a row block become one vector-matrix product before the loop', async () => {
  const { fns, module } = await compiled('close');
  // trmm: the block B[i + 1:] beside the write B[i, j] (i counts up from 0: row i is never in the block)
  const t = cpu(module, 'trmm');
  assert.match(t, /\n {8}_polyray_cd0 = _polyray_h_column_dots\(A\[i \+ 1:, i\], B, i \+ 1, 9223372036854775807, 0, B\.shape\[1\]\) if 0 < B\.shape\[1\] else _polyray_h_column_dots_none\(B\)\n {8}for j in range\(B\.shape\[1\]\):\n {12}B\[i, j\] \+= _polyray_h_column_dot\(_polyray_cd0, 0, j, A\[i \+ 1:, i\], B, i \+ 1, 9223372036854775807\)\n/);
  assert.ok(!t.includes('_polyray_h_dot('), t);
  assert.ok(fns.get('trmm')!.transformations.some((x) => x.startsWith('1 dot product of a loop with the columns of a row block')));
  // symm: `@` with the column on the left, beside a write of another array
  assert.match(cpu(module, 'symm'), /_polyray_cd0 = _polyray_h_column_dots\(A\[i, :i\], B, 0, i, 0, C\.shape\[1\]\)/);
  assert.match(cpu(module, 'symm'), /temp2\[j\] = _polyray_h_column_dot\(_polyray_cd0, 0, j, A\[i, :i\], B, 0, i\)/);
  // float32, a start, a bounded block, the dot inside an expression
  assert.match(cpu(module, 'vector_first'), /_polyray_cd0 = _polyray_h_column_dots\(x, Y, 1, 3, 2, Y\.shape\[1\]\) if 2 < Y\.shape\[1\] else _polyray_h_column_dots_none\(Y\)/);
  assert.match(cpu(module, 'vector_first'), /\* _polyray_h_column_dot\(_polyray_cd0, 2, j, /);
  // the dot's close note stays (its bound: a BLAS product's)
  assert.ok(fns.get('trmm')!.closeNotes.some((n) => n.kind === 'product'), JSON.stringify(fns.get('trmm')!.closeNotes));
});

test('loops whose dots may read what the loop writes, or are no block\'s columns, keep their dots', async () => {
  const { module } = await compiled('close');
  for (const name of ['inside_block', 'from_below_zero', 'writes_vector', 'view_vector', 'moving_vector', 'stepped']) {
    const c = cpu(module, name);
    assert.ok(!c.includes('column_dot'), `${name}:\n${c}`);
    assert.ok(c.includes('_polyray_h_dot('), `${name}:\n${c}`);
  }
});

test('exact mode: the dots stay with NumPy (no column dots)', async () => {
  const { module } = await compiled('exact');
  assert.ok(!module.includes('column_dot'), module);
});
