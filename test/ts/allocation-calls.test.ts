// The user's own allocations in a CPU variant print through the runtime's NumPy name
// (codegen/allocation-calls.ts), which the runtime binds to large_allocations.py: huge-page advice
// for large blocks. test/python/test_large_allocations.py runs the overloads themselves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { testParser } from './helpers.js';

const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

async function cpuVariant(body: string): Promise<string> {
  const src = `import numpy as np\n\ndef f(A: ${F2}):\n    n, m = A.shape\n${body}`;
  const r = compileSource(await testParser(), src, { fileName: 't.py', targets: ['cpu'], numerics: 'close' });
  const start = r.module.indexOf('def _polyray_cpu_f(');
  assert.ok(start >= 0, r.module);
  return r.module.slice(start, r.module.indexOf('\n\n\n', start));
}

test('empty, zeros, ones and full print through the runtime name, with their dtype positional or by keyword', async () => {
  const text = await cpuVariant([
    '    a = np.zeros((n, m))', '    b = np.empty(n, dtype=np.int64)', '    c = np.ones((n, m), np.float64)', '    d = np.full((n, m), 2.5)',
    '    for i in range(n):', '        b[i] = i', '        for j in range(m):', '            a[i, j] = A[i, j] * c[i, j] + d[i, j]', '    return a, b', '',
  ].join('\n'));
  assert.match(text, /a = _polyray_np\.zeros\(\(n, m\)\)/);
  assert.match(text, /b = _polyray_np\.empty\(n, dtype=_polyray_np\.int64\)/);
  assert.match(text, /c = _polyray_np\.ones\(\(n, m\), _polyray_np\.float64\)/);
  assert.match(text, /d = _polyray_np\.full\(\(n, m\), 2\.5\)/);
  assert.doesNotMatch(text, /\bnp\.(zeros|empty|ones|full)\(/);
});

test('other NumPy calls and the _like allocations keep their own spelling', async () => {
  const text = await cpuVariant([
    '    a = np.zeros_like(A)', '    s = np.sqrt(A)', '    for i in range(n):', '        for j in range(m):', '            a[i, j] = s[i, j] + 1.0', '    return a', '',
  ].join('\n'));
  assert.doesNotMatch(text, /_polyray_np\.zeros_like|_polyray_np\.sqrt/);
});
