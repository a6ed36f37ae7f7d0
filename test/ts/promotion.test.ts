import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { castsSameKind, DTYPES, promoteTypes, resultType, type Dtype, type Operand, type PyKind } from '../../src/compiler/types/promotion.js';

// np.result_type for every pair of the 13 dtypes and the four Python scalar kinds,
// generated with the .venv's NumPy 2 (fixtures/nep50/generate.py).
const fixture = JSON.parse(readFileSync(new URL('./fixtures/nep50/result_type.json', import.meta.url), 'utf8')) as {
  numpy: string;
  result_type: Record<string, Record<string, string | null>>;
};
const operand = (name: string): Operand => (name.startsWith('py_') ? { weak: name.slice(3) as PyKind } : { dtype: name as Dtype });

test('the fixture was made by NumPy 2 and covers every dtype Polyray compiles', () => {
  assert.match(fixture.numpy, /^2\./);
  for (const d of DTYPES) assert.ok(d in fixture.result_type, d);
  assert.equal(Object.keys(fixture.result_type).length, DTYPES.length + 4);
});

test('resultType equals np.result_type for every pair of dtypes and Python scalars', () => {
  let checked = 0;
  for (const [a, row] of Object.entries(fixture.result_type)) {
    for (const [b, want] of Object.entries(row)) {
      const got = resultType(operand(a), operand(b));
      if (want === null) {
        assert.ok('weak' in got, `${a} with ${b}: two Python scalars stay a Python scalar`);
      } else {
        assert.deepEqual(got, { dtype: want }, `${a} with ${b}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 17 * 17 - 16);
});

test('promotion is symmetric and two Python scalars take the wider kind', () => {
  for (const a of DTYPES) for (const b of DTYPES) assert.equal(promoteTypes(a, b), promoteTypes(b, a));
  assert.deepEqual(resultType({ weak: 'int' }, { weak: 'float' }), { weak: 'float' });
  assert.deepEqual(resultType({ weak: 'complex' }, { weak: 'bool' }), { weak: 'complex' });
  assert.deepEqual(resultType({ weak: 'bool' }, { weak: 'bool' }), { weak: 'bool' });
});

test("castsSameKind equals np.can_cast(from, to, 'same_kind') for every pair of dtypes", () => {
  const sameKind = JSON.parse(readFileSync(new URL('./fixtures/nep50/same_kind.json', import.meta.url), 'utf8')) as {
    numpy: string;
    same_kind: Record<string, Record<string, boolean>>;
  };
  assert.match(sameKind.numpy, /^2\./);
  let checked = 0;
  for (const a of DTYPES) {
    for (const b of DTYPES) {
      assert.equal(castsSameKind(a, b), sameKind.same_kind[a][b], `${a} to ${b}`);
      checked++;
    }
  }
  assert.equal(checked, DTYPES.length ** 2);
  // the in-place cases that differ: a signed result into an unsigned array is refused, the reverse allowed
  assert.equal(castsSameKind('int64', 'uint8'), false);
  assert.equal(castsSameKind('uint64', 'int8'), true);
});
