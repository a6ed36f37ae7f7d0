import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { testParser } from './helpers.js';

// The typing stage's result dtype of every operator x dtype pair x operand form (arrays,
// NumPy scalars, Python int/float/complex/bool literals, int and float parameters)
// against NumPy 2 itself (the .venv's, in a subprocess): wherever the checker accepts an
// expression, the dtype it infers is NumPy's. Values are test/python/test_nep50.py's.
const PY = '.venv/bin/python';
const DTYPES = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64', 'complex64', 'complex128'];
const OPS = ['+', '-', '*', '/', '//', '%', '**', '&', '|', '^', '<<', '>>'];
const FORMS = ['A {op} B', 'A[0] {op} B[0]', 'A {op} 3', 'A[0] {op} 3', '3 {op} A[0]', 'A {op} 0.5', 'A[0] {op} 0.5', 'A[0] {op} (0.5+1j)', 'A {op} True', 'A[0] {op} S', 'A[0] {op} X', 'A[0] {op} np.int16(3)'];

const NUMPY_SCRIPT = `
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
cases = json.load(sys.stdin)
out = []
for a, b, text in cases:
    env = {"np": np, "A": np.ones(2, a), "B": np.ones(2, b), "S": 3, "X": 0.5}
    try:
        with np.errstate(all="ignore"):
            out.append(str(np.asarray(eval(text, env)).dtype))
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

const hint = (d: string): string => `npt.NDArray[np.${d === 'bool' ? 'bool_' : d}]`;

test('the checker infers NumPy 2 result dtypes for every operator, dtype pair and operand form', { skip: existsSync(PY) ? false : 'no .venv' }, async () => {
  const cases: [string, string, string][] = [];
  for (const a of DTYPES) {
    for (const b of DTYPES) {
      for (const op of OPS) {
        for (const form of FORMS) {
          if (b !== a && !form.includes('B')) continue; // partner-free forms once per dtype
          cases.push([a, b, form.replace('{op}', op)]);
        }
      }
    }
  }
  const r = spawnSync(PY, ['-c', NUMPY_SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as (string | null)[];
  // one function per expression, one module
  const src = ['import numpy as np', 'import numpy.typing as npt', ''];
  cases.forEach(([a, b, text], k) => src.push(`def f${k}(A: ${hint(a)}, B: ${hint(b)}, S: int, X: float) -> None:`, `    t${k} = ${text}`, ''));
  const parsed = parseModule(await testParser(), src.join('\n'));
  assert.ok(parsed.ok);
  const fns = checkModule(parsed.ok ? parsed.module : (null as never));
  let compared = 0;
  const wrong: string[] = [];
  fns.forEach((tf, k) => {
    if (!tf.accelerated || want[k] === null) return;
    const stmt = tf.fn.body[0];
    assert.equal(stmt.kind, 'assign');
    const t = tf.types.get((stmt as { value: never }).value);
    const got = t?.kind === 'array' ? t.dtype : t?.kind === 'scalar' ? t.dtype ?? `${t.origin} ${t.scalar}` : t?.kind;
    compared++;
    if (got !== want[k]) wrong.push(`${cases[k][2]} (A ${cases[k][0]}, B ${cases[k][1]}): NumPy ${want[k]}, checker ${got}`);
  });
  assert.deepEqual(wrong.slice(0, 30), [], `${wrong.length} wrong`);
  assert.ok(compared > 2500, `only ${compared} accepted expressions compared`);
});
