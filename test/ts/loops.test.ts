// Loops and control flow beyond `for ... in range(...)` (issue 17, "Numba
// tier"): `while` loops, loops over arrays, enumerate(), zip() and
// reversed(range()) as the range loops they mean (parse/iteration.ts), what
// the checker requires of them, and the verdicts the model gives loops around
// and inside them (a while loop is never parallel; a dependence it carries
// keeps what it carries sequential).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import type { FunctionDef, Stmt } from '../../src/compiler/parse/ast.js';
import { checkModule, type TypedFunction } from '../../src/compiler/types/check.js';
import { PythonPrinter } from '../../src/compiler/codegen/python-printer.js';
import { py, testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const HEADER = 'import numpy as np\nimport numpy.typing as npt\n';
const V = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const M = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

async function parse(src: string): Promise<FunctionDef> {
  const r = parseModule(await testParser(), HEADER + src);
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return r.module.body.find((t): t is FunctionDef => t.kind === 'function')!;
}

async function check(src: string): Promise<TypedFunction> {
  const r = parseModule(await testParser(), HEADER + src);
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return checkModule(r.module)[0];
}

async function compile(src: string): Promise<{ f: ReportFunction; module: string }> {
  const r = compileSource(await testParser(), HEADER + src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) throw new Error('unreachable');
  return { f: r.report.functions[0], module: r.module };
}

const printed = (body: Stmt[]): string[] => new PythonPrinter().stmts(body, '');
const messages = (tf: TypedFunction): string[] => tf.diagnostics.map((d) => `${d.span.from.line}:${d.span.from.col} ${d.message}`);
const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}@${l.line}:${l.parallel ? 'P' : 's'}`).join(' ');
const cpuBody = (module: string, name: string): string => module.split(`def _polyray_cpu_${name}`)[1].split('\n\n\n')[0];

test('for x in A walks the first axis: a counter over range(len(A)) and the item first in each iteration', async () => {
  const fn = await parse(py`
    def f(a: ${V}) -> float:
        s = 0.0
        for x in a:
            s += x
        return s
  `);
  assert.deepEqual(printed(fn.body), ['s = 0.0', 'for __position0 in range(len(a)):', '    x = a[__position0]', '    s += x', 'return s']);
  assert.deepEqual(fn.unsupported, []);
});

test('an iterable that is not a name, or a name the loop rebinds, is evaluated once into a temporary', async () => {
  const fn = await parse(py`
    def f(a: ${V}) -> float:
        s = 0.0
        for x in a[1:]:
            s += x
        for x in a:
            a = a * 2.0
        return s
  `);
  assert.deepEqual(printed(fn.body), [
    's = 0.0',
    '__iterated0 = a[1:]',
    'for __position1 in range(len(__iterated0)):',
    '    x = __iterated0[__position1]',
    '    s += x',
    '__iterated2 = a',
    'for __position3 in range(len(__iterated2)):',
    '    x = __iterated2[__position3]',
    '    a = a * 2.0',
    'return s',
  ]);
});

test('enumerate (with and without start), zip and unpacked rows as range loops', async () => {
  const fn = await parse(py`
    def f(a: ${V}, b: ${V}, p: ${M}, out: ${V}) -> None:
        for i, x in enumerate(a):
            out[i] = x
        for i, x in enumerate(a, 1):
            out[i - 1] = x
        for x, y in zip(a, b):
            out[0] += x * y
        for u, v in p:
            out[0] += u - v
  `);
  assert.deepEqual(printed(fn.body), [
    'for i in range(len(a)):',
    '    x = a[i]',
    '    out[i] = x',
    'for __position0 in range(len(a)):',
    '    i = __position0 + 1',
    '    x = a[__position0]',
    '    out[i - 1] = x',
    'for __position1 in range(min(len(a), len(b))):',
    '    x = a[__position1]',
    '    y = b[__position1]',
    '    out[0] += x * y',
    'for __position2 in range(len(p)):',
    '    __unpacked3 = p[__position2]',
    '    if len(__unpacked3) > 2:',
    '        raise ValueError("too many values to unpack (expected 2)")',
    '    if len(__unpacked3) < 2:',
    '        raise ValueError("not enough values to unpack (expected 2, got " + str(len(__unpacked3)) + ")")',
    '    u = __unpacked3[0]',
    '    v = __unpacked3[1]',
    '    out[0] += u - v',
  ]);
  assert.deepEqual(fn.unsupported, []);
});

test('reversed(range(...)) counts the same numbers down, for every literal step', async () => {
  const fn = await parse(py`
    def f(n: int, a: int, b: int) -> None:
        for i in reversed(range(n)):
            pass
        for i in reversed(range(a, b)):
            pass
        for i in reversed(range(a, b, 3)):
            pass
        for i in reversed(range(b, a, -1)):
            pass
        for i in reversed(range(b, a, -2)):
            pass
  `);
  assert.deepEqual(printed(fn.body).filter((l) => l.startsWith('for')), [
    'for i in range(n - 1, 0 - 1, -1):',
    'for i in range(b - 1, a - 1, -1):',
    'for i in range(a + (b - a - 1) // 3 * 3, a - 1, -3):',
    'for i in range(a + 1, b + 1):',
    'for i in range(b - (b - a - 1) // 2 * 2, b + 1, 2):',
  ]);
  // the same numbers as Python's reversed(), for every sign and size
  for (const [a, b, s] of [[0, 7, 3], [2, 9, 3], [5, 5, 2], [7, 2, 3], [9, -4, -2], [3, 3, -2], [-3, 4, -1], [0, 10, 1], [4, 0, 1]]) {
    const forward: number[] = [];
    for (let v = a; s > 0 ? v < b : v > b; v += s) forward.push(v);
    const last = s > 0 ? a + Math.floor((b - a - 1) / s) * s : a - Math.floor((a - b - 1) / -s) * -s;
    const back: number[] = [];
    const [start, stop, step] = s === 1 ? [b - 1, a - 1, -1] : s === -1 ? [b + 1, a + 1, 1] : [last, s > 0 ? a - 1 : a + 1, -s];
    for (let v = start; step > 0 ? v < stop : v > stop; v += step) back.push(v);
    assert.deepEqual(back, [...forward].reverse(), `reversed(range(${a}, ${b}, ${s}))`);
  }
});

test('loops over literals, other iterator calls and a non-literal reversed step stay outside, with one diagnostic each', async () => {
  for (const [header, why] of [
    ['for x in [1.0, 2.0]:', 'loops over a list are not supported'],
    ['for x in (a, b):', 'loops over a tuple written out are not supported'],
    ['for x in sorted(a):', 'loops over sorted(...) are not supported'],
    ['for x in reversed(a):', 'loops over reversed(...) are not supported'],
    ['for i in reversed(range(0, n, k)):', 'integer-literal step'],
    ['for x in enumerate(a):', 'must unpack an index name and an item'],
    ['for x, y, z in zip(a, b):', 'zip() of 2 arrays must unpack 2 names'],
    ['for a[0] in b:', 'a for loop must bind names'],
    ['for i, (x, (y, z)) in enumerate(a):', 'nested unpacking targets'],
  ]) {
    const fn = await parse(py`
      def f(a: ${V}, b: ${V}, n: int, k: int) -> None:
          ${header}
              pass
    `);
    assert.equal(fn.unsupported.length, 1, header);
    assert.match(fn.unsupported[0].message, new RegExp(why.replace(/[()]/g, '\\$&')), header);
  }
});

test('while loops: any scalar condition; an array condition is refused', async () => {
  const ok = await check(py`
    def f(a: ${V}, tol: float) -> int:
        k = 0
        err = 1.0
        while err > tol and k < a.shape[0]:
            err = err / 2.0
            k += 1
            if a[k - 1] < 0.0:
                continue
            if err < 0.0:
                break
        while k:
            k -= 1
        return k
  `);
  assert.deepEqual(messages(ok), []);
  const bad = await check(py`
    def f(a: ${V}) -> None:
        while a:
            a[0] = 0.0
  `);
  assert.deepEqual(messages(bad), ['4:11 a while condition must be a scalar, found array(float64, 1-d)']);
  const fn = await parse(py`
    def f(n: int) -> None:
        while n > 0:
            n -= 1
        else:
            n = 1
  `);
  assert.match(fn.unsupported[0].message, /'while \.\.\. else' is not supported/);
});

test('a while loop is printed as written; parallel loops inside it run as prange each time', async () => {
  const { f, module } = await compile(py`
    def smooth(A: ${M}, B: ${M}, tol: float) -> int:
        n, m = A.shape
        err = tol + 1.0
        steps = 0
        while err > tol:
            for i in range(1, n - 1):
                for j in range(m):
                    B[i, j] = 0.5 * (A[i - 1, j] + A[i + 1, j])
            err = 0.0
            for i in range(1, n - 1):
                for j in range(m):
                    err += abs(B[i, j] - A[i, j])
                    A[i, j] = B[i, j]
            steps += 1
        return steps
  `);
  assert.equal(f.accelerated, true);
  assert.equal(flags(f), 'i@8:P j@9:P i@12:s j@13:s');
  const body = cpuBody(module, 'smooth');
  assert.match(body, /\n {4}while err > tol:\n {8}for _polyray_k_i in _polyray_prange\(/);
});

test('a dependence carried through a while loop keeps the loops it crosses sequential', async () => {
  const { f, module } = await compile(py`
    def scan(a: ${V}, c: ${V}, k: int) -> None:
        n = a.shape[0]
        t = 0
        while t < k:
            for i in range(1, n):
                a[i] = a[i - 1] + a[i]
            t += 1
        for r in range(n):
            j = 0
            s = 0.0
            while s < c[r] and j < 8:
                s += 0.25
                j += 1
            c[r] = s
        for r in range(1, n):
            j = 0
            while j < 3:
                a[r] += a[r - 1]
                j += 1
  `);
  // i carries a[i - 1] -> a[i]; rows r of the second nest share nothing (j and s are private);
  // the third nest carries a[r - 1] -> a[r] through its while body
  assert.equal(flags(f), 'i@7:s r@10:P r@17:s');
  assert.match(cpuBody(module, 'scan'), /for _polyray_k_r in _polyray_prange\(/);
});

test('a break in a while loop keeps its body conditional; a break in a for loop inside leaves the function sequential', async () => {
  const { f } = await compile(py`
    def f(A: ${M}, limit: int) -> int:
        n, m = A.shape
        steps = 0
        while True:
            for i in range(n):
                for j in range(m):
                    A[i, j] = A[i, j] * 0.5
            steps += 1
            if steps >= limit:
                break
        return steps
  `);
  assert.equal(flags(f), 'i@7:P j@8:P');
  const { f: g } = await compile(py`
    def g(A: ${M}) -> int:
        n, m = A.shape
        k = 0
        while k < 3:
            for i in range(n):
                if A[i, 0] < 0.0:
                    break
                A[i, 0] = 1.0
            k += 1
        return k
  `);
  assert.equal(flags(g), 'i@7:s');
});

test('a loop over an array row by row compiles; its counter is the loop the model sees', async () => {
  const { f, module } = await compile(py`
    def norms(P: ${M}, out: ${V}) -> None:
        for k, row in enumerate(P):
            s = 0.0
            for x in row:
                s += x * x
            out[k] = np.sqrt(s)
  `);
  assert.equal(f.accelerated, true);
  assert.match(cpuBody(module, 'norms'), /for k in range\(len\(P\)\):\n\s+row = P\[k\]/);
  // verdicts name the loop as written, never the counter it became
  assert.deepEqual(f.loops.map((l) => l.var), ['k, row', 'x']);
  assert.ok(f.loops.every((l) => !/__position/.test(l.reason)), f.loops.map((l) => l.reason).join('\n'));
  assert.match(f.loops[1].reason, /iterations? of x$/);
});
