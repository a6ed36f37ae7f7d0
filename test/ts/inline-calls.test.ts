// Inlining of expression callees inside loops (issue 17, parse/inline-calls.ts):
// what is inlined (the expression with parameters and locals substituted, the
// call's span on the callee's nodes), what keeps the call and why (Python's
// order of what may raise, a branch-only use, an unused argument that may
// raise, a caller binding a name the callee reads, recursion, a call repeated
// by a second use), and what the caller's loops then get.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { childExprs, parseModule, walkStmts, type Expr, type FunctionDef, type Module } from '../../src/compiler/parse/index.js';
import { inlineCalls } from '../../src/compiler/parse/inline-calls.js';
import { PythonPrinter } from '../../src/compiler/codegen/python-printer.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const I1 = 'np.ndarray[tuple[int], np.dtype[np.int64]]';

async function inlined(src: string): Promise<{ module: Module; notes: Map<string, string[]> }> {
  const r = parseModule(await testParser(), src);
  if (!r.ok) throw new Error('syntax');
  return inlineCalls(r.module);
}

/** The printed value of every assignment to `y[i]` in function `name`. */
function stores(m: Module, name: string): string[] {
  const fn = m.body.find((t): t is FunctionDef => t.kind === 'function' && t.name === name)!;
  const out: string[] = [];
  walkStmts(fn.body, (s) => {
    if (s.kind === 'assign' && s.target.kind === 'subscript') out.push(new PythonPrinter().expr(s.value));
  });
  return out;
}

const HELPERS = `import math

import numpy as np


def kernel(r):
    return np.exp(-r * r)


def gauss(x, s=2.0):
    z = x / s
    return math.exp(-0.5 * z * z)


def both(p, q):
    return kernel(p) + kernel(q)


def swapped(p, q):
    return q - p


def first(a, b, c):
    return a if c else b


def unused(a, b):
    return a * 2.0


def twice(a):
    t = math.sqrt(a)
    return t * t


def reads_n(a):
    return a * n


def fact(k):
    return 1.0 if k <= 1.0 else k * fact(k - 1.0)


def shifted(a, b):
    return a - b


def sign(x):
    if x > 0.0:
        return 1.0
    elif x < 0.0:
        return -1.0
    return 0.0


def match(b1, b2):
    if b1 + b2 == 3:
        return 1
    else:
        return 0


def maybe(x):
    if x > 0.0:
        return x


def branch_local(x):
    if x > 0.0:
        y = x * 2.0
        return y
    return x
`;

test('an expression callee called in a loop becomes its expression, parameters and locals substituted', async () => {
  const { module, notes } = await inlined(`${HELPERS}

def f(x: ${F1}, y: ${F1}, s: float):
    for i in range(x.shape[0]):
        y[i] = kernel(x[i]) + gauss(x[i], s) + gauss(x[i]) + both(x[i], s)
        y[i] = shifted(b=s, a=x[i])
        y[i] = sign(x[i]) + match(i, 2)
    y[0] = kernel(x[0])
`);
  const [inLoop, keywords, branches, outside] = stores(module, 'f');
  // a local used twice is substituted twice (no call in it); the default is the literal as written
  assert.equal(inLoop, 'np.exp(-x[i] * x[i]) + math.exp(-0.5 * (x[i] / s) * (x[i] / s)) + math.exp(-0.5 * (x[i] / 2.0) * (x[i] / 2.0)) + (np.exp(-x[i] * x[i]) + np.exp(-s * s))');
  assert.equal(keywords, 'x[i] - s');
  // returns under ifs (elif, else, or what follows the if) are conditional expressions
  assert.equal(branches, '(1.0 if x[i] > 0.0 else -1.0 if x[i] < 0.0 else 0.0) + (1 if i + 2 == 3 else 0)');
  // outside loops the call stays (types/calls.ts compiles it)
  assert.equal(outside, 'kernel(x[0])');
  assert.ok(notes.get('f')!.some((n) => /^inlined 'gauss' \(line 10\) at line 77:/.test(n)), notes.get('f')!.join('\n'));
});

test('the inlined nodes lie inside the call\'s span, the arguments keep theirs', async () => {
  const src = `${HELPERS}

def f(x: ${F1}, y: ${F1}):
    for i in range(x.shape[0]):
        y[i] = kernel(x[i])
`;
  const { module } = await inlined(src);
  const fn = module.body.find((t): t is FunctionDef => t.kind === 'function' && t.name === 'f')!;
  const loop = fn.body[0];
  assert.ok(loop.kind === 'for');
  const store = loop.body[0];
  assert.ok(store.kind === 'assign');
  const call = { start: src.lastIndexOf('kernel(x[i])'), end: src.lastIndexOf('kernel(x[i])') + 'kernel(x[i])'.length };
  const visit = (e: Expr): void => {
    assert.ok(e.span.start >= call.start && e.span.end <= call.end, `${e.kind} at ${e.span.start}`);
    for (const c of childExprs(e)) visit(c);
  };
  visit(store.value);
  const args: string[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'subscript') args.push(src.slice(e.span.start, e.span.end));
    for (const c of childExprs(e)) walk(c);
  };
  walk(store.value);
  assert.deepEqual(args, ['x[i]', 'x[i]']);
});

const KEPT: [string, string, RegExp][] = [
  ['raising arguments evaluated out of order', 'swapped(x[i], math.sqrt(x[i]))', /another order than Python/],
  ['a raising argument used only in a branch', 'first(x[i], x[i + 1], s > 0.0)', /first used in only one branch/],
  ['an unused argument that may raise', 'unused(s, x[i])', /parameter 'b' is not used, but evaluating it may raise/],
  ['a local holding a call used twice', 'twice(x[i])', /holds a call and is used 2 times/],
  ['a name of the module bound by the caller', 'reads_n(x[i])', /the caller binds 'n'/],
  ['recursion', 'fact(x[i])', /recursive \(fact -> fact\)/],
  ['a path reaching the end (None)', 'maybe(x[i])', /not assignments to names and then returns/],
  ['an assignment in a branch', 'branch_local(x[i])', /not assignments to names and then returns/],
];

for (const [what, call, why] of KEPT) {
  test(`a call is kept: ${what}`, async () => {
    const { module, notes } = await inlined(`${HELPERS}

def f(x: ${F1}, y: ${F1}, s: float):
    n = 3.0
    for i in range(x.shape[0] - 1):
        y[i] = ${call}
`);
    assert.deepEqual(stores(module, 'f'), [call]);
    assert.match(notes.get('f')!.join('\n'), why);
  });
}

test('a recursive expression callee is kept, with the chain', async () => {
  const { notes } = await inlined(`import numpy as np


def ping(a):
    return pong(a) + 1.0


def pong(a):
    return ping(a) * 2.0


def f(x: ${F1}):
    for i in range(x.shape[0]):
        x[i] = ping(x[i])
`);
  assert.match(notes.get('f')!.join('\n'), /kept the call of 'ping' .*it calls 'pong', which is not inlined \(it is recursive \(ping -> pong -> ping\)\)/);
});

async function compiled(src: string, numerics: 'exact' | 'close'): Promise<Map<string, ReportFunction>> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return new Map(r.report.functions.map((f) => [f.name, f]));
}

test('a loop around an inlined call is parallel: prange, speculative where a math call may raise, sequential where an index read from data may raise', async () => {
  const fns = await compiled(`import math

import numpy as np


def safe_log(v):
    return math.log(v)


def relu(v):
    return v if v > 0.0 else 0.0


def pick(a, k):
    return a[k]


def f(x: ${F1}, y: ${F1}):
    for i in range(x.shape[0]):
        y[i] = relu(x[i]) * 2.0


def g(x: ${F1}, y: ${F1}):
    for i in range(x.shape[0]):
        y[i] = safe_log(x[i])


def h(x: ${F1}, idx: ${I1}, y: ${F1}):
    for i in range(y.shape[0]):
        y[i] = pick(x, idx[i])
`, 'exact');
  const loop = (name: string): string => fns.get(name)!.loops[0].reason;
  assert.equal(fns.get('f')!.loops[0].parallel, true);
  assert.match(loop('f'), /runs as prange in the CPU variant/);
  assert.match(loop('g'), /runs as prange speculatively: a math call/);
  // a gather through data: the index may be out of bounds (and x is read whole): never a plain prange
  assert.doesNotMatch(loop('h'), /runs as prange in the CPU variant/);
  // an inlined helper is compiled code of the variant: the report's calls name it (the decorator's compiled_callees)
  for (const [name, helper] of [['f', 'relu'], ['g', 'safe_log'], ['h', 'pick']]) assert.deepEqual(fns.get(name)!.calls, [helper], name);
});
