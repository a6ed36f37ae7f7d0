// codegen/gather-dots.ts: close mode's `v @ x[idx]` / `np.dot(v, x[idx])` of 1-d float64 arrays as one helper call
// without the gathered temporary; the products it leaves as they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const cpuText = (module: string, name: string): string => module.split(`def _polyray_cpu_${name}(`)[1]?.split(`_polyray_dispatch_${name}`)[0] ?? '';

const SOURCE = py`
  import numpy as np
  def rows(ptr: np.ndarray[tuple[int], np.dtype[np.int64]], col: np.ndarray[tuple[int], np.dtype[np.int32]],
           val: np.ndarray[tuple[int], np.dtype[np.float64]], x: np.ndarray[tuple[int], np.dtype[np.float64]]):
      y = np.empty(ptr.shape[0] - 1)
      for i in range(ptr.shape[0] - 1):
          y[i] = val[ptr[i]:ptr[i + 1]] @ x[col[ptr[i]:ptr[i + 1]]]
      return y
  def rows_np(ptr: np.ndarray[tuple[int], np.dtype[np.int64]], col: np.ndarray[tuple[int], np.dtype[np.int64]],
              val: np.ndarray[tuple[int], np.dtype[np.float64]], x: np.ndarray[tuple[int], np.dtype[np.float64]]):
      y = np.empty(ptr.shape[0] - 1)
      for i in range(ptr.shape[0] - 1):
          y[i] = np.dot(x[col[ptr[i]:ptr[i + 1]]], val[ptr[i]:ptr[i + 1]])
      return y
  def int_rows(ptr: np.ndarray[tuple[int], np.dtype[np.int64]], col: np.ndarray[tuple[int], np.dtype[np.int64]],
               val: np.ndarray[tuple[int], np.dtype[np.int64]], x: np.ndarray[tuple[int], np.dtype[np.int64]]):
      y = np.empty(ptr.shape[0] - 1, dtype=np.int64)
      for i in range(ptr.shape[0] - 1):
          y[i] = val[ptr[i]:ptr[i + 1]] @ x[col[ptr[i]:ptr[i + 1]]]
      return y
  def wide_index(col: np.ndarray[tuple[int], np.dtype[np.uint64]], val: np.ndarray[tuple[int], np.dtype[np.float64]],
                 x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
      s = 0.0
      for i in range(3):
          s += val @ x[col]
      return s
`;

test('close mode: the gather and the product as one helper call, either operand order, @ or np.dot', async () => {
  const r = compileSource(await testParser(), SOURCE, { fileName: 'gd.py', targets: ['cpu'], numerics: 'close' });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.match(cpuText(r.module, 'rows'), /_polyray_h_gather_dot\(val\[ptr\[i\]:ptr\[i \+ 1\]\], x, col\[ptr\[i\]:ptr\[i \+ 1\]\]\)/);
  assert.match(cpuText(r.module, 'rows_np'), /_polyray_h_gather_dot_np\(val\[ptr\[i\]:ptr\[i \+ 1\]\], x, col\[ptr\[i\]:ptr\[i \+ 1\]\]\)/);
  // int64 products (any order gives the same bits: not this helper's float loop) and uint64 indices keep the gather
  for (const name of ['int_rows', 'wide_index']) {
    const cpu = cpuText(r.module, name);
    assert.ok(cpu.includes('_polyray_h_take('), `${name}: ${cpu}`);
    assert.ok(!cpu.includes('gather_dot'), name);
  }
});

test('exact mode: no fused helper (a float product stays BLAS\'s)', async () => {
  const r = compileSource(await testParser(), SOURCE, { fileName: 'gd.py', targets: ['cpu'], numerics: 'exact' });
  assert.ok(r.ok);
  if (r.ok) assert.ok(!r.module.includes('gather_dot'));
});
