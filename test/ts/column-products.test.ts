// A loop's per-column products computed as one matrix product before it (issue 18, close mode;
// poly/column-products.ts): the spellings that qualify, what the variant prints, and the loops left as
// written (exact mode, operands the loop writes or rebinds, slices that are no triangle's row, other steps).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';
const F4 = 'np.ndarray[tuple[int, int], np.dtype[np.float32]]';

const SOURCE = py`
  import numpy as np

  def corr(M: int, data: ${F2}) -> ${F2}:
      corr = np.eye(M, dtype=data.dtype)
      for i in range(M - 1):
          corr[i + 1:M, i] = corr[i, i + 1:M] = data[:, i] @ data[:, i + 1:M]
      return corr

  def cov(M: int, float_n: float, data: ${F2}) -> ${F2}:
      cov = np.zeros((M, M), dtype=data.dtype)
      for i in range(M):
          cov[i:M, i] = cov[i, i:M] = data[:, i] @ data[:, i:M] / (float_n - 1.0)
      return cov

  def cross(X: ${F2}, Y: ${F2}, out: ${F2}) -> None:
      n = X.shape[1]
      for j in range(1, n):
          row = np.dot(X[:, j], Y[:, j - 1:])
          out[j, j - 1:] = 2.0 * row

  def single(X: ${F4}) -> ${F4}:
      n = X.shape[1]
      G = np.zeros((n, n), dtype=np.float32)
      for i in range(n):
          G[i, i:] = np.matmul(X[:, i], X[:, i:])
      return G

  def writes_operand(X: ${F2}, out: ${F2}) -> None:
      for i in range(X.shape[1]):
          out[i, i:] = X[:, i] @ X[:, i:]
          X[0, i] = 0.0

  def writes_view(X: ${F2}) -> ${F2}:
      V = X[:, :]
      out = np.zeros((X.shape[1], X.shape[1]))
      for i in range(X.shape[1]):
          out[i, i:] = X[:, i] @ X[:, i:]
          V[0, 0] = 1.0
      return out

  def leading(X: ${F2}, out: ${F2}) -> None:
      for i in range(X.shape[1]):
          out[i, :i] = X[:, i] @ X[:, :i]

  def stepped(X: ${F2}, out: ${F2}) -> None:
      for i in range(0, X.shape[1], 2):
          out[i, i:] = X[:, i] @ X[:, i:]

  def strided_cols(X: ${F2}, out: ${F2}) -> None:
      for i in range(X.shape[1]):
          out[i, i::2] = X[:, i] @ X[:, i::2]

  def other_column(X: ${F2}, out: ${F2}, j: int) -> None:
      for i in range(X.shape[1]):
          out[i, i:] = X[:, j] @ X[:, i:]

  def moving_stop(X: ${F2}, out: ${F2}) -> None:
      n = X.shape[1]
      for i in range(n):
          out[i, i:n] = X[:, i] @ X[:, i:n]
          n = n - 1
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

test('per-column products of a triangle become one product before the loop, in the spellings that qualify', async () => {
  const { fns, module } = await compiled('close');
  // correlation: a strict triangle, chained stores of the same row
  const c = cpu(module, 'corr');
  assert.match(c, /\n {4}_polyray_cp0 = _polyray_h_column_products\(data, data, 0, M - 1, 1, M\)\n {4}for i in range\(M - 1\):\n {8}__unpacked0 = _polyray_h_column_product\(_polyray_cp0, data, i, i \+ 1, M, data\)\n/);
  assert.ok(!c.includes('_polyray_h_matmul('), c);
  assert.ok(fns.get('corr')!.transformations.some((t) => t.startsWith('1 per-column product of a loop computed as one matrix product')));
  // covariance: the product inside a division, the triangle with its diagonal
  assert.match(cpu(module, 'cov'), /_polyray_h_column_product\(_polyray_cp0, data, i, i, M, data\) \/ \(float_n - 1\.0\)/);
  assert.match(cpu(module, 'cov'), /_polyray_h_column_products\(data, data, 0, M, 0, M\)/);
  // np.dot, two matrices, an offset below i and no stop (Python's slice rules: up to the end)
  const x = cpu(module, 'cross');
  assert.match(x, /_polyray_cp\d+ = _polyray_h_column_products\(X, Y, 1, n, -1, 9223372036854775807\)/);
  assert.match(x, /row = _polyray_h_column_product\(_polyray_cp\d+, X, j, j - 1, 9223372036854775807, Y\)/);
  // np.matmul of float32 columns
  assert.match(cpu(module, 'single'), /_polyray_h_column_product\(_polyray_cp\d+, X, i, i, 9223372036854775807, X\)/);
  // the product's close note stays (its bound: a BLAS product's)
  assert.ok(fns.get('corr')!.closeNotes.some((n) => n.kind === 'product'), JSON.stringify(fns.get('corr')!.closeNotes));
});

test('loops whose products are not one product\'s rows, or whose operands may change, keep their products', async () => {
  const { module } = await compiled('close');
  for (const name of ['writes_operand', 'writes_view', 'leading', 'stepped', 'strided_cols', 'other_column', 'moving_stop']) {
    const c = cpu(module, name);
    assert.ok(!c.includes('column_product'), `${name}:\n${c}`);
    assert.ok(c.includes('_polyray_h_matmul('), `${name}:\n${c}`);
  }
});

test('exact mode: the products stay with NumPy (no column products)', async () => {
  const { module } = await compiled('exact');
  assert.ok(!module.includes('column_product'), module);
});
