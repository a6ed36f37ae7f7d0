// Golden output of code generation, reviewed by eye once: regenerate with
// POLYRAY_UPDATE_GOLDEN=1 and read the diff before committing it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../../src/compiler/index.js';
import { PythonPrinter } from '../../src/compiler/codegen/python-printer.js';
import { parseModule, type FunctionDef, type Stmt } from '../../src/compiler/parse/index.js';
import { py, testParser } from './helpers.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

test('generated module for the mixed fixture matches the reviewed golden file', async () => {
  const src = readFileSync(here('fixtures/mixed.py'), 'utf8');
  const r = compileSource(await testParser(), src, { fileName: 'mixed.py', targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  const golden = here('golden/mixed.out.py');
  if (process.env.POLYRAY_UPDATE_GOLDEN) writeFileSync(golden, r.module);
  assert.equal(r.module, readFileSync(golden, 'utf8'));
});

test('the printer keeps Python precedence when it reprints expressions', async () => {
  const src = py`
    def f(a: float, b: float, c: int) -> float:
        x = (a + b) * (a - b) / -(a ** -b) ** 2
        y = a - (b - a) - (a + b)
        z = not (a < b and b < a) or c % 3 == 1
        w = (-a) ** 2 + -a ** 2 + (a if a > b else b) * 2
        v = a < b < c
        return x + y + z + w + v
  `;
  const r = parseModule(await testParser(), src);
  assert.ok(r.ok);
  if (!r.ok) return;
  const fn = r.module.body[0] as FunctionDef;
  const printed = new PythonPrinter().stmts(fn.body as Stmt[], '');
  assert.deepEqual(printed, [
    'x = (a + b) * (a - b) / -(a ** -b) ** 2',
    'y = a - (b - a) - (a + b)',
    'z = not (a < b and b < a) or c % 3 == 1',
    'w = (-a) ** 2 + -a ** 2 + (a if a > b else b) * 2',
    'v = a < b < c',
    'return x + y + z + w + v',
  ]);
});
