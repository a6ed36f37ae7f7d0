// The CLI as users run it: a real `node bin/polyray.mjs` process (built by the set-up).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'test/ts/fixtures/mixed.py');

/** A fresh folder, removed when the test ends. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'polyray-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function polyray(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/polyray.mjs'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('compile writes a module and a report in the documented form', (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.py');
  const rep = join(dir, 'r.json');
  const r = polyray('compile', fixture, '-o', out, '--report', rep, '--targets', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^import polyray\.runtime as _polyray$/m);
  assert.match(text, /^def kernel_gemm\(ni: int, nj: int, nk: int, alpha: float, beta: float,\n {16}C: npt\.NDArray\[np\.float64\]/m);
  assert.match(text, /^def bad\(x\):$/m, 'unaccelerated functions are copied verbatim');
  const report = JSON.parse(readFileSync(rep, 'utf8'));
  const gemm = report.functions.find((f: { name: string }) => f.name === 'kernel_gemm');
  assert.equal(gemm.line, 6);
  assert.equal(gemm.accelerated, true);
  assert.deepEqual(gemm.variants, ['original', 'cpu']);
  assert.deepEqual(gemm.loops.map((l: { line: number; var: string }) => [l.line, l.var]), [[9, 'i'], [10, 'j'], [12, 'k'], [13, 'j']]);
  for (const l of gemm.loops) assert.equal(typeof l.parallel, 'boolean');
  const bad = report.functions.find((f: { name: string }) => f.name === 'bad');
  assert.equal(bad.accelerated, false);
  assert.deepEqual(bad.variants, ['original']);
  assert.ok(bad.diagnostics.some((d: { line: number; col: number; message: string }) => d.line === 24 && d.col === 9 && /no type hint/.test(d.message)));
});

test('a source that does not parse: exit 2, FILE:LINE:COL: error on stderr, no stack trace, no output file', (t) => {
  const dir = tempDir(t);
  const src = join(dir, 'broken.py');
  writeFileSync(src, 'import numpy as np\n\ndef f(x: int) -> int:\n    return x +\n');
  const out = join(dir, 'out.py');
  const r = polyray('compile', src, '-o', out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: error: syntax error`, 'm'));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(out), false);
  const e = polyray('explain', src);
  assert.equal(e.code, 2);
});

test('usage and I/O errors are one line each, never a stack trace, and never overwrite the input', (t) => {
  const dir = tempDir(t);
  const missing = polyray('compile', join(dir, 'nope.py'), '-o', join(dir, 'o.py'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.py: ENOENT/);
  const noOut = polyray('compile', fixture);
  assert.equal(noOut.code, 1);
  assert.match(noOut.stderr, /needs -o/);
  const badTarget = polyray('compile', fixture, '-o', join(dir, 'o.py'), '--targets', 'tpu');
  assert.equal(badTarget.code, 1);
  assert.match(badTarget.stderr, /unknown target/);
  const src = join(dir, 'same.py');
  writeFileSync(src, 'x = 1\n');
  const same = polyray('compile', src, '-o', src);
  assert.equal(same.code, 1);
  assert.equal(readFileSync(src, 'utf8'), 'x = 1\n');
  for (const r of [missing, noOut, badTarget, same]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('explain prints every loop and the reasons', () => {
  const r = polyray('explain', fixture);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kernel_gemm: accelerated; variants: original, cpu, gpu, ray|kernel_gemm: accelerated; variants: original, cpu/);
  assert.match(r.stdout, /line 9: for i: parallel - no dependence is carried by i/);
  assert.match(r.stdout, /line 12: for k: sequential - C\[i, j\] written at line 14/);
  assert.match(r.stdout, /bad: not accelerated/);
  assert.match(r.stdout, /:24:9: error: parameter 'x' has no type hint/);
  const j = polyray('explain', fixture, '--json');
  assert.equal(JSON.parse(j.stdout).functions.length, 3);
});
