// Static ranges of integer expressions (types/int-ranges.ts): masks and
// moduli bound a Python int meeting a narrow NumPy integer or shifted left, so
// bit manipulation (CRC, hashing) compiles; values whose range is unknown, or
// forgotten after a loop or a branch, are range-checked (fit_int) or refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import type { Expr } from '../../src/compiler/parse/ast.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { staticRange } from '../../src/compiler/types/int-ranges.js';
import { castOf } from '../../src/compiler/types/casts.js';
import { py, testParser } from './helpers.js';

const HEADER = 'import numpy as np\n';
const U8 = 'np.ndarray[tuple[int], np.dtype[np.uint8]]';

async function check(src: string): Promise<TypedFunction[]> {
  const r = parseModule(await testParser(), HEADER + src);
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return checkModule(r.module);
}

async function expr(text: string): Promise<Expr> {
  const [tf] = await check(`def f(x: int, y: int) -> int:\n    return ${text}\n`);
  const s = tf.fn.body[0];
  assert.equal(s.kind, 'return');
  return (s as { value: Expr }).value;
}

const messages = (tf: TypedFunction): string[] => tf.diagnostics.map((d) => `${d.span.from.line}:${d.span.from.col} ${d.message}`);

test('the rules hold for every value of the operands', async () => {
  const known = (): undefined => undefined;
  const pyInt = (): boolean => true;
  const cases: [string, [bigint, bigint] | null][] = [
    ['x & 0xFF', [0n, 255n]],
    ['0x0001 & x', [0n, 1n]],
    ['x % 60', [0n, 59n]],
    ['x % -3', null],
    ['(x & 0xFFFF) >> 8', [0n, 255n]],
    ['(x & 0xFFFF) << 8', [0n, 0xFFFF00n]],
    ['(x & 0xF) | (y & 0x30)', [0n, 63n]],
    ['(x & 3) + (y % 5) - 1', [-1n, 6n]],
    ['~(x & 0xFF)', [-256n, -1n]],
    ['x >> 1', null],
    ['x | 1', null],
  ];
  for (const [text, want] of cases) {
    const got = staticRange(await expr(text), known, pyInt);
    assert.deepEqual(got, want, text);
  }
  // brute force over small operands: every value lies in the range
  for (const text of ['x & 6', 'x % 7', '(x & 0xF) | (y & 0x30)', '(x & 0xF) ^ (y & 0x3)', '(x % 9) << 3', '(x & 7) >> 1']) {
    const r = staticRange(await expr(text), known, pyInt)!;
    const f = new Function('x', 'y', `const m = (a, b) => ((a % b) + b) % b; return ${text.replace(/(\w+|\([^()]*\)) % (\d+)/g, 'm($1, $2)')};`) as (x: number, y: number) => number;
    for (let x = -40; x <= 40; x++) for (let y = -40; y <= 40; y++) {
      const v = BigInt(f(x, y));
      assert.ok(v >= r[0] && v <= r[1], `${text} at x=${x}, y=${y}: ${v} outside [${r[0]}, ${r[1]}]`);
    }
  }
});

test('CRC-16 over uint8 data compiles: masked Python ints meet uint8 and shift within 64 bits', async () => {
  const [tf] = await check(py`
    def crc16(data: ${U8}, poly: int = 0x8408) -> int:
        crc = 0xFFFF
        for b in data:
            cur_byte = 0xFF & b
            for _ in range(0, 8):
                if (crc & 0x0001) ^ (cur_byte & 0x0001):
                    crc = (crc >> 1) ^ poly
                else:
                    crc >>= 1
                cur_byte >>= 1
        crc = (~crc & 0xFFFF)
        crc = (crc << 8) | ((crc >> 8) & 0xFF)
        return crc & 0xFFFF
  `);
  assert.deepEqual(messages(tf), []);
});

test('a range is forgotten where a loop or a branch may change the local, and unknown values are range-checked', async () => {
  const tfs = await check(py`
    def grown(x: int) -> int:
        y = x & 0xFF
        for i in range(3):
            y = y + x
        return y << 8

    def branched(x: int, c: bool) -> int:
        y = x & 0xFF
        if c:
            y = x
        return y << 8

    def unknown(a: ${U8}, x: int) -> int:
        k = x % 300
        return a[0] ^ k

    def kept(a: ${U8}, x: int) -> int:
        k = x % 200
        for i in range(2):
            a[i] = a[i] ^ k
        return (k << 40) + 1
  `);
  const by = new Map(tfs.map((t) => [t.fn.name, messages(t)]));
  assert.deepEqual(by.get('grown'), ["6:12 '<<' on Python ints may exceed 64 bits"]);
  assert.deepEqual(by.get('branched'), ["12:12 '<<' on Python ints may exceed 64 bits"]);
  // NumPy 2 raises OverflowError where k (0..299) does not fit uint8: k goes through fit_int (types/casts.ts checked)
  assert.deepEqual(by.get('unknown'), []);
  const unknown = tfs.find((t) => t.fn.name === 'unknown')!;
  assert.equal(unknown.checkedInts, true);
  assert.equal(tfs.find((t) => t.fn.name === 'kept')!.checkedInts, undefined);
  const k = [...unknown.types.keys()].find((e) => e.kind === 'name' && e.id === 'k' && castOf(e)?.checked);
  assert.deepEqual(castOf(k!), { dtype: 'uint8', array: false, checked: [0n, 255n] });
  assert.deepEqual(by.get('kept'), []);
});
