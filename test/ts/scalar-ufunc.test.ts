import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { numpyFunction, TABLE } from '../../src/compiler/types/numpy-table.js';
import type { Side } from '../../src/compiler/types/nep50.js';
import type { Dtype, PyKind } from '../../src/compiler/types/promotion.js';
import { scalarUfunc } from '../../src/compiler/types/scalar-ufunc.js';

// Each ufunc of the table on NumPy scalars, as NumPy 2 types it and Numba computes it (the return type
// of an @njit function): fixtures/scalar-ufunc/generate.py, with the .venv's NumPy and Numba.
const fixture = JSON.parse(readFileSync(new URL('./fixtures/scalar-ufunc/scalar_ufunc.json', import.meta.url), 'utf8')) as {
  numpy: string;
  dtypes: Record<string, Record<string, [string | null, string | null]>>;
};
const side = (name: string): Side => (name.startsWith('py_') ? { kind: 'weak', py: name.slice(3) as PyKind } : { kind: 'strong', dtype: name as Dtype, array: false });

test('the fixture covers every ufunc row of the table', () => {
  assert.match(fixture.numpy, /^2\./);
  const rows = TABLE.filter((r) => r.typing === 'ufunc' && r.name !== 'where').map((r) => r.name);
  assert.deepEqual([...new Set(rows)].sort(), Object.keys(fixture.dtypes).sort());
});

test('a dtype given to a ufunc of NumPy scalars is NumPy 2\'s, and Numba computes in it', () => {
  let accepted = 0;
  let refused = 0;
  for (const [name, combos] of Object.entries(fixture.dtypes)) {
    const row = numpyFunction(name)!;
    for (const [combo, [numpy, numba]] of Object.entries(combos)) {
      const sides = combo.split('|').map(side);
      const got = scalarUfunc(row, sides);
      if (got === null) {
        // no narrow dtype: the checker's 64-bit rules, where NumPy and Numba agree
        assert.ok(sides.every((s) => s.kind === 'weak' || ['int64', 'float64', 'complex128'].includes(s.dtype)), `${name}(${combo})`);
        continue;
      }
      if ('error' in got) {
        assert.match(got.error, /\S/);
        refused++;
        continue;
      }
      accepted++;
      assert.equal(got.dtype, numpy, `np.${name}(${combo}): NumPy gives ${numpy}`);
      // with a Python number, the plan casts it to a dtype: Numba then computes on two NumPy scalars
      if (row.ufunc?.bool) {
        assert.equal(numba, 'bool', `np.${name}(${combo})`);
        continue;
      }
      const casts = got.plan?.casts ?? [];
      const computed = sides.map((s, k) => casts.find((c) => c.side === k)?.dtype ?? (s.kind === 'strong' ? s.dtype : null));
      if (casts.length > 0) assert.ok(computed.every((d) => d !== null), `np.${name}(${combo}): every Python number is cast`);
      const numbaDtype = sides.length === 1 || casts.length === 0 ? numba : fixture.dtypes[name][computed.join('|')]?.[1];
      assert.equal(numbaDtype, numpy, `np.${name}(${combo}) as compiled (${computed.join(', ')}): Numba gives ${numbaDtype}`);
    }
  }
  // the common cases stay compiled: every ufunc of one float32 scalar, min/max/+ of two, with a Python float
  assert.ok(accepted > 1000, `accepted ${accepted}`);
  assert.ok(refused > 100, `refused ${refused}`);
  for (const name of ['sqrt', 'exp', 'abs', 'floor', 'maximum', 'add', 'divide', 'isnan']) {
    const two = (numpyFunction(name)!.ufunc && fixture.dtypes[name]['float32|float32']) ? [side('float32'), side('float32')] : [side('float32')];
    assert.deepEqual(scalarUfunc(numpyFunction(name)!, two), { dtype: name === 'isnan' ? 'bool' : 'float32', plan: null }, name);
  }
  const withPython = scalarUfunc(numpyFunction('minimum')!, [side('float32'), side('py_float')]);
  assert.ok(withPython && 'dtype' in withPython && withPython.dtype === 'float32' && withPython.plan?.casts.length === 1);
});

test('refusals say what NumPy does', () => {
  const refusal = (name: string, ...operands: string[]): string => {
    const got = scalarUfunc(numpyFunction(name)!, operands.map(side));
    assert.ok(got && 'error' in got, `${name}(${operands.join(', ')}) is refused`);
    return got.error;
  };
  assert.match(refusal('sqrt', 'int8'), /float16/);
  assert.match(refusal('divide', 'int16', 'int16'), /float32, NumPy in float64/);
  assert.match(refusal('add', 'float32', 'int32'), /different dtypes/);
  assert.match(refusal('hypot', 'float32', 'py_float'), /NEP 50/);
  assert.match(refusal('floor', 'complex64'), /TypeError/);
  const unknown = scalarUfunc(numpyFunction('add')!, [side('float32'), { kind: 'other', mixed: true }]);
  assert.ok(unknown && 'error' in unknown && /not known/.test(unknown.error));
});
