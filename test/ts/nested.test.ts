// Nested functions (issue 17, parse/nested.ts): a plain nested def is lifted
// to a module-level helper taking the enclosing locals it reads as leading
// parameters, and its calls are rewritten; a nested def used as a value,
// closing over a name bound again after it, recursive, calling another nested
// def, decorated, or inside a loop keeps the function original, with a
// diagnostic at the def's (or the use's) line and column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule, type FunctionDef, type Module } from '../../src/compiler/parse/index.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

async function parsed(src: string): Promise<Module> {
  const r = parseModule(await testParser(), src);
  if (!r.ok) throw new Error('syntax');
  return r.module;
}

async function compiled(src: string): Promise<{ fns: Map<string, ReportFunction>; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics: 'exact' });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: new Map(r.report.functions.map((f) => [f.name, f])), module: r.module };
}

const errors = (f: ReportFunction | undefined): string[] => (f?.diagnostics ?? []).filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col}: ${d.message}`);
const fn = (m: Module, name: string): FunctionDef => m.body.find((t): t is FunctionDef => t.kind === 'function' && t.name === name)!;

const CLAMP = `import numpy as np


def clamp_all(x: np.ndarray[tuple[int], np.dtype[np.float64]], lo: float, hi: float):
    def clamp(v):
        return min(max(v, lo), hi)
    for i in range(x.shape[0]):
        x[i] = clamp(x[i])


def row_sums(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]):
    n, m = A.shape
    def row_sum(i, scale=1.0):
        s = 0.0
        for j in range(m):
            s += A[i, j]
        return s * scale
    for i in range(n):
        out[i] = row_sum(i)
`;

test('a nested def is lifted with the enclosing locals it reads as leading parameters', async () => {
  const m = await parsed(CLAMP);
  assert.deepEqual(fn(m, 'clamp_all').unsupported, []);
  const lifted = new Map((m.lifted ?? []).map((f) => [f.name, f]));
  assert.deepEqual([...lifted.keys()], ['_polyray_nested_clamp_all_clamp', '_polyray_nested_row_sums_row_sum']);
  assert.deepEqual(lifted.get('_polyray_nested_clamp_all_clamp')!.params.map((p) => p.name), ['lo', 'hi', 'v']);
  // `m` is captured (a local of the enclosing function); `s` and `j` are the helper's own; `range` is a builtin
  assert.deepEqual(lifted.get('_polyray_nested_row_sums_row_sum')!.params.map((p) => p.name), ['m', 'A', 'i', 'scale']);
  // the def is gone from the body and the call passes the captured names first
  const body = fn(m, 'clamp_all').body;
  assert.equal(body.length, 1);
  const loop = body[0];
  assert.ok(loop.kind === 'for');
  const assign = loop.body[0];
  assert.ok(assign.kind === 'assign' && assign.value.kind === 'call' && assign.value.func.kind === 'name');
  assert.equal(assign.value.func.id, '_polyray_nested_clamp_all_clamp');
  assert.deepEqual(assign.value.args.map((a) => (a.kind === 'name' ? a.id : a.kind)), ['lo', 'hi', 'subscript']);
});

test('the enclosing functions compile and call the lifted helpers directly', async () => {
  const { fns, module } = await compiled(CLAMP);
  for (const name of ['clamp_all', 'row_sums']) {
    assert.equal(fns.get(name)?.accelerated, true, `${name}: ${errors(fns.get(name)).join('; ')}`);
  }
  // clamp is one expression: inlined in the loop (parse/inline-calls.ts); row_sum has a loop: called
  assert.match(module, /x\[i\] = min\(max\(x\[i\], lo\), hi\)/);
  assert.doesNotMatch(module, /_polyray_call__polyray_nested_clamp_all_clamp_0/);
  assert.match(module, /_polyray_call__polyray_nested_row_sums_row_sum_0\(m, A, i, 1\.0\)/);
  // the helpers are no functions of the report (they are called, never wrapped)
  assert.equal(fns.has('_polyray_nested_clamp_all_clamp'), false);
});

const REFUSED: [string, string, RegExp][] = [
  ['rebound after the def', 'def k(x, c):\n    def f(v):\n        return v * c\n    c = 2.0\n    x[0] = f(x[0])\n', /^2:5: nested function 'f' reads 'c', which is bound again after the def/],
  ['rebound in a loop after the def', 'def k(x, c):\n    def f(v):\n        return v * c\n    for i in range(3):\n        c += 1.0\n        x[i] = f(x[i])\n', /^2:5: nested function 'f' reads 'c', which is bound again after the def/],
  ['used as a value', 'def k(x):\n    def f(v):\n        return v * 2.0\n    g = f\n    x[0] = g(x[0])\n', /^4:9: nested function 'f' is used as a value/],
  ['returned', 'def k(x):\n    def f(v):\n        return v * 2.0\n    return f\n', /^4:12: nested function 'f' is used as a value/],
  ['recursive', 'def k(x):\n    def f(v):\n        return f(v - 1.0) if v > 0.0 else v\n    x[0] = f(x[0])\n', /^3:16: nested function 'f' calls itself/],
  ['calls another nested def', 'def k(x):\n    def f(v):\n        return v * 2.0\n    def g(v):\n        return f(v) + 1.0\n    x[0] = g(x[0])\n', /^5:16: nested function 'g' uses another nested function 'f'/],
  ['called before its def', 'def k(x):\n    x[0] = f(x[0])\n    def f(v):\n        return v * 2.0\n', /^2:12: nested function 'f' is used before its def/],
  ['a default that is not a literal', 'def k(x, c):\n    def f(v, s=c):\n        return v * s\n    x[0] = f(x[0])\n', /^2:14: the default value of nested function 'f''s parameter 's' is not a literal/],
  ['nonlocal', 'def k(x, c):\n    def f(v):\n        nonlocal c\n        return v * c\n    x[0] = f(x[0])\n', /^2:5: nested function 'f' is outside the subset \(line 6: 'nonlocal' statements are not supported\)/],
  ['decorated', 'import functools\n\ndef k(x):\n    @functools.cache\n    def f(v):\n        return v * 2.0\n    x[0] = f(x[0])\n', /^4:5: a decorated nested function is not supported/],
  ['inside a loop', 'def k(x):\n    for i in range(3):\n        def f(v):\n            return v * 2.0\n        x[i] = f(x[i])\n', /^3:9: a 'def' inside a loop, a branch or another nested function is not supported/],
  ['two levels deep', 'def k(x, c):\n    def f(v):\n        def g(w):\n            return w * c\n        return g(v)\n    x[0] = f(x[0])\n', /^2:5: nested function 'f' is outside the subset \(line 6: a 'def' inside a loop/],
];

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';

for (const [what, source, expected] of REFUSED) {
  test(`a nested def ${what} keeps the function original, with a diagnostic`, async () => {
    // hinted, so that only the nested def keeps it original
    const body = source.replace('def k(x, c):', `def k(x: ${F1}, c: float):`).replace('def k(x):', `def k(x: ${F1}):`);
    const { fns } = await compiled(body.startsWith('import') ? body.replace('import functools', 'import functools\nimport numpy as np') : `import numpy as np\n\n\n${body}`);
    const k = fns.get('k');
    assert.equal(k?.accelerated, false);
    const errs = errors(k).map((e) => e.replace(/^(\d+)/, (l) => String(Number(l) - (body.startsWith('import') ? 1 : 3))));
    assert.ok(errs.some((e) => expected.test(e)), errs.join('\n'));
    // the name stays known: no second error says it is undefined
    assert.ok(!errs.some((e) => /'[fg]' is not a parameter, local or import/.test(e)), errs.join('\n'));
  });
}
