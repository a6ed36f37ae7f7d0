import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { testParser } from './helpers.js';

// A rank-dependent row on a parameter hinted without dimensions (npt.NDArray[np.float64]): the CLI has no
// call to take the rank from, so it refuses, saying the rank is unknown and how to give it (types/rank-hint.ts).

async function errors(body: string): Promise<string[]> {
  const src = `import numpy as np\nimport numpy.typing as npt\n\ndef f(A: npt.NDArray[np.float64], B: npt.NDArray[np.int64], M: np.ndarray[tuple[int, int], np.dtype[np.float64]]):\n    ${body}\n`;
  const parsed = parseModule(await testParser(), src);
  assert.ok(parsed.ok);
  const [tf] = checkModule(parsed.module, 'exact');
  return tf.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

test('rank-dependent rows on a rankless hint say the rank is unknown and how to give it', async () => {
  const cases: [string, string][] = [
    ['r = np.diag(A)', 'float64'],
    ['r = np.diagonal(A)', 'float64'],
    ['r = A.trace()', 'float64'],
    ['r = np.trace(B)', 'int64'],
    ['r = A.argmax(axis=1)', 'float64'],
    ['r = (B > 0).any(axis=0)', 'bool'],
    ['r = np.cumsum(A, axis=0)', 'float64'],
    ['r = np.cumsum(A, 0)', 'float64'],
    ['r = A.cumprod(1)', 'float64'],
  ];
  for (const [body, dtype] of cases) {
    const got = await errors(body);
    assert.ok(got.some((m) => m.includes("the array's rank is unknown") && m.includes(`np.ndarray[tuple[int, int], np.dtype[np.${dtype}]]`)), `${body}: ${got.join('; ')}`);
  }
  // with the rank written, the same forms type; a known wrong rank keeps its own reason
  for (const body of ['r = np.diag(M)', 'r = M.trace()', 'r = M.argmax(axis=1)', 'r = np.cumsum(M, axis=0)']) {
    assert.deepEqual(await errors(body), [], body);
  }
  // @parallelize and the magic take the rank from the call where a function uses a form listed in
  // python-bridge/polyray/rank_forms.json (the runtime decides before any compile): each form refused
  // here for an unknown rank must be there, by its call's name or a keyword
  type Forms = { calls: string[]; keywords: string[]; positional_axis: { functions: Record<string, number>; methods: Record<string, number> } };
  const forms = JSON.parse(readFileSync(new URL('../../python-bridge/polyray/rank_forms.json', import.meta.url), 'utf8')) as Forms;
  for (const [body] of cases) {
    const names = [...body.matchAll(/(\w+)\(/g)].map((m) => m[1]);
    const keywords = [...body.matchAll(/(\w+)=/g)].map((m) => m[1]);
    // an axis by position: np.f(a, k) against the function's index, a.f(k) against the method's
    const positional = [...body.matchAll(/(np\.)?(\w+)\(([^()]*)\)/g)].some(([, np, name, args]) => {
      const count = args.split(',').filter((a) => a.trim() !== '' && !a.includes('=')).length;
      const index = np ? forms.positional_axis.functions[name] : forms.positional_axis.methods[name];
      return index !== undefined && count > index;
    });
    assert.ok(positional || names.some((n) => forms.calls.includes(n)) || keywords.some((k) => forms.keywords.includes(k)), `${body}: not in rank_forms.json`);
  }
  assert.ok((await errors('r = M.ravel().trace()')).some((m) => /2-d float64 or int64/.test(m) && !m.includes('unknown')));
});
