// A condition's casts that change none of its bits (types/tested-casts.ts):
// dropped under bitwise operators where the value is known to fit the dtype,
// kept anywhere else (an arithmetic or shift parent, an unknown range, an
// assignment). Results against the original: test/python/test_loops.py
// (bit_votes, crc16).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource } from '../../src/compiler/index.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const HEADER = 'import numpy as np\n';
const I8 = 'np.ndarray[tuple[int], np.dtype[np.int8]]';
const U16 = 'np.ndarray[tuple[int], np.dtype[np.uint16]]';

/** The lines of the CPU variant's body, stripped of their indentation. */
async function cpuLines(src: string): Promise<string[]> {
  const r = compileSource(await testParser(), HEADER + src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  const lines = r.module.split('\n');
  const start = lines.findIndex((l) => l.startsWith('def _polyray_cpu_'));
  assert.ok(start >= 0, r.module);
  const end = lines.findIndex((l, k) => k > start && /^\S/.test(l));
  return lines.slice(start + 1, end).map((l) => l.trim()).filter((l) => l);
}

test('if, while, not and conditional expressions test masked narrow values without casts', async () => {
  const lines = await cpuLines(py`
    def votes(a: ${I8}, b: ${U16}) -> int:
        n = 0
        for i in range(a.shape[0]):
            x = a[i]
            y = b[i]
            if not (x & 0x41) ^ (y & 0x3):
                n += 1
            n += 2 if (~y & 0x8000) | (x & 1) else 0
            v = y
            while v & 0x00F0:
                v = v >> 1
                n += 1
            if (y << 4) >> 12:
                n += 5
            m = (x & 0x41) ^ (y & 0x3)
            if m > 0x40:
                n += 7
        return n
  `);
  const find = (prefix: string): string => lines.find((l) => l.startsWith(prefix)) ?? assert.fail(`${prefix} in\n${lines.join('\n')}`);
  assert.equal(find('if not'), 'if not x & 0x41 ^ y & 0x3:');
  // `~y` keeps its cast: its range is unknown (NumPy's uint16 complement, which Numba computes in 64 bits)
  assert.match(find('n += 2 if'), /^n \+= 2 if _polyray_np\.uint16\(~y\) & 0x8000 \| x & 1 else 0$/);
  assert.equal(find('while'), 'while v & 0x00F0:');
  // (the while loop's body keeps its casts: an assignment)
  assert.ok(lines.includes('v = _polyray_np.uint16(v >> _polyray_np.uint16(1))'), lines.join('\n'));
  // a shift's wrap decides the bits the test sees: kept, and nothing under it is touched
  assert.match(find('if _polyray_np.uint16(_polyray_np.uint16(y <<'), /^if _polyray_np\.uint16\(_polyray_np\.uint16\(y << .*\) >> .*\):$/);
  // an assignment's casts fix the local's type for the code after it: kept
  assert.match(find('m ='), /_polyray_np\.int32\(/);
});

test('a value that may not fit the dtype keeps its cast in a test', async () => {
  const lines = await cpuLines(py`
    def f(b: ${U16}, k: int) -> int:
        n = 0
        for i in range(b.shape[0]):
            if b[i] ^ (k & 0xFFFFF):
                n += 1
        return n
  `);
  const test = lines.find((l) => l.startsWith('if ') && l.includes('^')) ?? assert.fail(lines.join('\n'));
  // k & 0xFFFFF may exceed uint16: NumPy raises OverflowError there, so it is range-checked, never dropped
  assert.match(test, /fit_int/);
});
