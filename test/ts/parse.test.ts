import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModule, type FunctionDef, type Stmt } from '../../src/compiler/parse/index.js';
import { py, testParser } from './helpers.js';

async function parseFn(src: string): Promise<FunctionDef> {
  const r = parseModule(await testParser(), src);
  assert.ok(r.ok, 'expected the source to parse');
  const fn = r.module.body.find((t): t is FunctionDef => t.kind === 'function');
  assert.ok(fn);
  return fn;
}

test('a typed function becomes a typed AST with spans', async () => {
  const fn = await parseFn(py`
    import numpy as np
    def f(A: np.ndarray, n: int, alpha: float = 1.5) -> None:
        for i in range(1, n, 2):
            A[i, 0] += alpha * A[i - 1][0]
  `);
  assert.equal(fn.name, 'f');
  assert.deepEqual(fn.params.map((p) => p.name), ['A', 'n', 'alpha']);
  assert.equal(fn.params[2].defaultText, '1.5');
  assert.equal(fn.unsupported.length, 0);
  const loop = fn.body[0] as Stmt & { kind: 'for' };
  assert.equal(loop.kind, 'for');
  assert.equal(loop.target.id, 'i');
  assert.equal(loop.span.from.line, 3);
  assert.equal(loop.span.from.col, 5);
  assert.ok(loop.range.start && loop.range.step);
  const aug = loop.body[0] as Stmt & { kind: 'augassign' };
  assert.equal(aug.kind, 'augassign');
  assert.equal(aug.op, '+');
  assert.equal(aug.target.kind, 'subscript');
  assert.equal(fn.forLoops.length, 1);
});

test('elif chains become nested if/else', async () => {
  const fn = await parseFn(py`
    def g(x: float) -> float:
        if x < 0:
            return -1.0
        elif x == 0:
            return 0.0
        else:
            return 1.0
  `);
  const s = fn.body[0] as Stmt & { kind: 'if' };
  assert.equal(s.kind, 'if');
  assert.equal(s.orelse.length, 1);
  const inner = s.orelse[0] as Stmt & { kind: 'if' };
  assert.equal(inner.kind, 'if');
  assert.equal(inner.orelse.length, 1);
});

test('constructs outside the subset are recorded with their position, not thrown', async () => {
  const fn = await parseFn(py`
    def h(x: int, *rest) -> int:
        while x > 0:
            x -= 1
        else:
            x = 1
        for a, b in range(x):
            pass
        return x
  `);
  const messages = fn.unsupported.map((u) => `${u.span.from.line}:${u.span.from.col} ${u.message}`);
  assert.ok(messages.some((m) => m.startsWith('1:15') && m.includes('*args')), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('2:5') && m.includes('while')), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('6:9') && m.includes('single name')), messages.join('\n'));
  assert.equal(fn.forLoops.length, 1);
});

test('syntax errors come back as diagnostics with 1-based line and character column', async () => {
  const r = parseModule(await testParser(), 's = "héllo😀"; x = (1 +\ny = 2\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(r.diagnostics.length >= 1);
  assert.match(r.diagnostics[0].message, /syntax error/);
  assert.ok(r.diagnostics[0].span.from.line >= 1);
});

test('columns count characters, not UTF-16 units or bytes', async () => {
  const r = parseModule(await testParser(), 'x = "😀😀" + )\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  // `)` is character 12: x,space,=,space,",😀,😀,",space,+,space are the 11 before it.
  const d = r.diagnostics[0];
  assert.equal(d.span.from.line, 1);
  assert.equal(d.span.from.col, 12);
});

test('imports are recorded with their qualified names', async () => {
  const r = parseModule(await testParser(), 'import numpy as np\nimport numpy.typing as npt\nfrom math import sqrt as s\nimport math\n');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.module.imports, [
    { local: 'np', qualified: 'numpy' },
    { local: 'npt', qualified: 'numpy.typing' },
    { local: 's', qualified: 'math.sqrt' },
    { local: 'math', qualified: 'math' },
  ]);
});
