// codegen/default-constants.ts: a parameter's literal default compiled as a constant of a second copy of the CPU
// variant's body (issue 18, NPBench crc16), and the cases that keep one copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../src/compiler/index.js';
import { intLiteralValue } from '../../src/compiler/codegen/default-constants.js';
import { py, testParser } from './helpers.js';

const cpuText = (module: string, name: string): string => module.split(`def _polyray_cpu_${name}(`)[1].split(`_polyray_dispatch_${name}`)[0];

async function compiled(src: string): Promise<string> {
  const r = compileSource(await testParser(), src, { fileName: 'defaults.py', targets: ['cpu'] });
  assert.ok(r.ok);
  return r.ok ? r.module : '';
}

test('int literals of every base read as their decimal value, within the dispatcher\'s bound only', () => {
  assert.equal(intLiteralValue('0x8408'), '33800');
  assert.equal(intLiteralValue('0o17'), '15');
  assert.equal(intLiteralValue('0b1010'), '10');
  assert.equal(intLiteralValue('1_000'), '1000');
  assert.equal(intLiteralValue('-3'), '-3');
  assert.equal(intLiteralValue('0'), '0');
  assert.equal(intLiteralValue('2147483647'), '2147483647');
  for (const bad of ['2147483648', '-2147483648', '1.5', '1e3', 'N', '007', '3 + 1', '0x', 'True']) assert.equal(intLiteralValue(bad), null, bad);
});

test('an int default a loop reads: the body copied behind `if taps == value:`, which rebinds it', async () => {
  const m = await compiled(py`
    import numpy as np
    def lfsr(bits: np.ndarray[tuple[int], np.dtype[np.uint8]], taps: int = 0xB400) -> int:
        state = 0xACE1
        for b in bits:
            lsb = (state ^ b) & 1
            state >>= 1
            if lsb:
                state ^= taps
        return state
  `);
  const cpu = cpuText(m, 'lfsr');
  assert.match(cpu, /\n    if taps == 46080:[^\n]*\n        taps = 46080\n        state = 0xACE1\n/);
  // the copy returns before the code for other values, which follows as it was
  assert.equal(cpu.split('return state').length - 1, 2);
  assert.match(cpu, /\n    state = 0xACE1\n/);
});

test('a bool default: the copy for its value', async () => {
  const m = await compiled(py`
    import numpy as np
    def total(x: np.ndarray[tuple[int], np.dtype[np.int64]], absolute: bool = False) -> int:
        s = 0
        for i in range(x.shape[0]):
            s += abs(x[i]) if absolute else x[i]
        return s
  `);
  assert.match(cpuText(m, 'total'), /if absolute == False:[^\n]*\n        absolute = False\n/);
});

test('one copy: a rebound parameter, one no loop reads, a float default, a body not ending in return', async () => {
  const m = await compiled(py`
    import numpy as np
    def rebound(x: np.ndarray[tuple[int], np.dtype[np.int64]], k: int = 2) -> int:
        k = k + 1
        s = 0
        for i in range(x.shape[0]):
            s += x[i] * k
        return s
    def outside(x: np.ndarray[tuple[int], np.dtype[np.int64]], k: int = 2) -> int:
        s = 0
        for i in range(x.shape[0]):
            s += x[i]
        return s * k
    def scaled(x: np.ndarray[tuple[int], np.dtype[np.float64]], f: float = 0.5) -> float:
        s = 0.0
        for i in range(x.shape[0]):
            s += x[i] * f
        return s
    def fill(x: np.ndarray[tuple[int], np.dtype[np.int64]], v: int = 7):
        for i in range(x.shape[0]):
            x[i] = v
  `);
  for (const name of ['rebound', 'outside', 'scaled', 'fill']) {
    const cpu = cpuText(m, name);
    assert.ok(cpu.length > 0, name);
    assert.doesNotMatch(cpu, /default: a constant/, name);
  }
});
