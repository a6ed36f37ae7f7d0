// Calls between functions of one module (issue 17, types/calls.ts): a callee
// is checked with the argument types of each call site, printed once per
// specialization as a plain Numba function that the caller's CPU variant calls
// directly; recursion and refused callees keep the caller in Python with a
// diagnostic naming the callee's line and reason; what a callee writes is
// written for the caller and for the polyhedral stage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type ReportFunction } from '../../src/compiler/index.js';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { extractScop } from '../../src/compiler/scop/extract.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());

const F1 = 'np.ndarray[tuple[int], np.dtype[np.float64]]';
const F2 = 'np.ndarray[tuple[int, int], np.dtype[np.float64]]';

async function compiled(src: string, numerics: 'exact' | 'close' = 'exact'): Promise<{ fns: Map<string, ReportFunction>; module: string }> {
  const r = compileSource(await testParser(), src, { fileName: 'k.py', isl: await islCtx, numerics });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { fns: new Map(r.report.functions.map((f) => [f.name, f])), module: r.module };
}

async function typed(src: string) {
  const parsed = parseModule(await testParser(), src);
  if (!parsed.ok) throw new Error('syntax');
  return new Map(checkModule(parsed.module).map((t) => [t.fn.name, t]));
}

/** A generated function's text, up to the next top-level def. */
const defText = (module: string, name: string): string => module.split(`def ${name}(`)[1].split('\ndef ')[0];
const errors = (f: ReportFunction | undefined): string[] => (f?.diagnostics ?? []).filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);

const HELPERS = `import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def distance(a, b):
    d = 0.0
    for k in range(a.shape[0]):
        d += (a[k] - b[k]) * (a[k] - b[k])
    return d


def scale(A, s=0.5):
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            A[i, j] = A[i, j] * s
`;

test('a call of a module function is typed by checking the callee with the call site\'s argument types', async () => {
  const t = await typed(`${HELPERS}

def layer(X: ${F2}, b: ${F1}) -> np.ndarray:
    return relu(X + b)


def pairs(P: ${F2}, D: ${F2}):
    n = P.shape[0]
    for i in range(n):
        for j in range(n):
            D[i, j] = distance(P[i], P[j])
`);
  const layer = t.get('layer')!;
  assert.deepEqual(layer.diagnostics.map((d) => d.message), []);
  assert.deepEqual(layer.returnTy, { kind: 'array', dtype: 'float64', ndim: 2 });
  const [site] = [...layer.calls.values()];
  assert.equal(site.spec.callee, 'relu');
  assert.deepEqual(site.spec.tf.params.map((p) => [p.name, p.kind, p.dtype, p.ndim]), [['x', 'array', 'float64', 2]]);
  // an element of a float64 row is a NumPy float64: distance returns a Python float or a NumPy one (d = 0.0, d += ...)
  const pairs = t.get('pairs')!;
  assert.deepEqual(pairs.diagnostics.map((d) => d.message), []);
  assert.deepEqual([...pairs.calls.values()][0].spec.tf.params.map((p) => [p.kind, p.ndim]), [['array', 1], ['array', 1]]);
  // the callees themselves, unhinted, stay in Python when called from Python
  assert.equal(t.get('relu')!.accelerated, false);
});

test('the caller\'s CPU variant calls one Numba function per specialization, passed to the runtime as callees', async () => {
  const { fns, module } = await compiled(`${HELPERS}

def layer(X: ${F2}, b: ${F1}) -> np.ndarray:
    y = relu(X + b)
    z = relu(y * 2.0)
    return z


def rows(A: ${F2}, B: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    scale(A)
    scale(B, s=2.0)
    scale(A, 3)
`);
  assert.equal(fns.get('layer')!.accelerated, true);
  const cpu = defText(module, '_polyray_cpu_layer');
  // both calls have the same argument types: one specialization
  assert.match(cpu, /y = _polyray_call_relu_0\(X \+ b\)/);
  assert.match(cpu, /z = _polyray_call_relu_0\(y \* 2\.0\)/);
  assert.match(module, /def _polyray_py_relu_0\(x\):\n {4}return np\.maximum\(x, 0\.0\)/);
  assert.match(module, /CpuVariant\(_polyray_cpu_layer, [^\n]*callees=\{"_polyray_call_relu_0": _polyray_py_relu_0\}/);
  // a default is passed as written, a keyword by position; float32 and a Python int are other specializations
  const rows = defText(module, '_polyray_cpu_rows');
  assert.match(rows, /_polyray_call_scale_0\(A, 0\.5\)/);
  assert.match(rows, /_polyray_call_scale_1\(B, 2\.0\)/);
  assert.match(rows, /_polyray_call_scale_2\(A, 3\)/);
  // each defined once, before the dispatchers that name them
  assert.equal(module.split('def _polyray_py_scale_0(').length, 2);
  assert.ok(module.indexOf('def _polyray_py_scale_2(') < module.indexOf('_polyray_dispatch_rows ='));
  // the written argument is the caller's written parameter (the dispatcher's aliasing checks see it)
  assert.deepEqual(fns.get('rows')!.params.map((p) => [p.name, p.written]), [['A', true], ['B', true]]);
  assert.ok(fns.get('layer')!.transformations.some((x) => /calls 'relu' \(line 4\) compiled .* no dispatcher per call/.test(x)));
});

test('calls through other functions are compiled transitively, callees first', async () => {
  const { fns, module } = await compiled(`import numpy as np


def sq(v):
    if v < 0.0:
        v = -v
    return v * v


def norm2(a):
    s = 0.0
    for k in range(a.shape[0]):
        s += sq(a[k])
    return s


def norms(P: ${F2}, out: ${F1}):
    for i in range(P.shape[0]):
        out[i] = norm2(P[i])
`);
  assert.equal(fns.get('norms')!.accelerated, true);
  assert.match(defText(module, '_polyray_py_norm2_0'), /s \+= _polyray_call_sq_0\(a\[k\]\)/);
  assert.ok(module.indexOf('def _polyray_py_sq_0(') < module.indexOf('def _polyray_py_norm2_0('));
  // the report lists what the variants call, through each other too
  assert.deepEqual(fns.get('norms')!.calls, ['norm2', 'sq']);
  assert.deepEqual(fns.get('norm2')!.calls, []);
  assert.match(module, /callees=\{"_polyray_call_sq_0": _polyray_py_sq_0, "_polyray_call_norm2_0": _polyray_py_norm2_0\}/);
});

test('recursion, direct or through another function, keeps the caller in Python with the chain of calls', async () => {
  const { fns } = await compiled(`import numpy as np


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def ping(a, k):
    if k > 0:
        pong(a, k - 1)


def pong(a, k):
    a[0] += 1.0
    ping(a, k)


def f(n: int) -> int:
    return fact(n)


def g(a: ${F1}, k: int):
    ping(a, k)
`);
  assert.equal(fns.get('f')!.accelerated, false);
  assert.match(errors(fns.get('f')).join('\n'), /'fact' \(line 4\) stays in Python for arguments \(int\): line 7: recursive call of 'fact' \(fact -> fact\)/);
  assert.match(errors(fns.get('g')).join('\n'), /'ping' \(line 10\) stays in Python .*'pong' \(line 15\) stays in Python .*recursive call of 'ping' \(ping -> pong -> ping\)/);
});

test('a refused callee keeps its caller in Python, and the diagnostic names the callee\'s line and reason', async () => {
  const { fns } = await compiled(`import numpy as np


def spread(a):
    label = 'bins'
    return a


def view(a):
    return a[1:]


def needs(a, b):
    return a + b


def f(x: ${F1}):
    return spread(x)


def g(x: ${F1}):
    v = view(x)
    v[0] = 1.0


def h(x: ${F1}):
    return needs(x)
`);
  assert.deepEqual(errors(fns.get('f')), ["18: 'spread' (line 4) stays in Python for arguments (array(float64, 1-d)): line 5: strings are not supported in accelerated code"]);
  // a returned view would make the caller's writes through it invisible to its analysis
  assert.deepEqual(errors(fns.get('g')), ["22: 'view' (line 9) returns a view of an argument, which the caller's analysis does not follow"]);
  assert.deepEqual(errors(fns.get('h')), ["27: 'needs' is called without its parameter 'b'"]);
});

test('the SCoP models a call as reading its array arguments and maybe writing those the callee writes', async () => {
  const src = `import numpy as np


def bump(row, v):
    for k in range(row.shape[0]):
        row[k] += v


def f(A: ${F2}, x: ${F1}):
    for i in range(A.shape[0]):
        bump(A[i], x[i])
`;
  const t = (await typed(src)).get('f')!;
  const call = extractScop(t, src).statements.find((s) => s.span.from.line === 11)!;
  const arrays = call.accesses.filter((a) => !a.scalar).map((a) => `${a.kind} ${a.must ? 'must' : 'may'} ${a.element}`);
  assert.ok(arrays.some((a) => /^read must X\[i_0\]/.test(a) || /^read must x\[i_0\]/.test(a)), arrays.join('\n'));
  assert.ok(arrays.some((a) => /^write may A\[i_0, o1\]/.test(a)), arrays.join('\n'));
  const { fns, module } = await compiled(src);
  const f = fns.get('f')!;
  assert.equal(f.accelerated, true);
  // row i only, yet the callee may raise: the loop stays sequential
  assert.match(f.loops[0].reason, /runs sequentially: the loop body calls 'bump', which may raise/);
  assert.doesNotMatch(defText(module, '_polyray_cpu_f'), /prange/);
  assert.deepEqual(f.params.map((p) => [p.name, p.written]), [['A', true], ['x', false]]);
});

test('a loop around a call whose callee writes a shared array carries the dependence', async () => {
  const { fns } = await compiled(`import numpy as np


def add_to(acc, v):
    acc[0] += v


def f(x: ${F1}, acc: ${F1}):
    for i in range(x.shape[0]):
        add_to(acc, x[i])
`);
  assert.equal(fns.get('f')!.loops[0].parallel, false);
});

test('no GPU or Ray variant for a function that calls another (no device function is generated); the CPU one stays', async () => {
  const { fns } = await compiled(`import numpy as np


def half(v):
    return v * 0.5


def f(A: ${F2}, s: float):
    t = half(s)
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] * t
`);
  const f = fns.get('f')!;
  assert.deepEqual(f.variants, ['original', 'cpu']);
  assert.ok(f.transformations.some((x) => /no GPU variant: it calls 'half', for which no CUDA device function is generated/.test(x)), f.transformations.join('\n'));
});

test('a call inside a NumPy slice statement is evaluated once, never per element (the statement is not lowered)', async () => {
  const { module } = await compiled(`import numpy as np


def third(v):
    return v / 3.0


def f(a: ${F1}, b: ${F1}, s: float):
    a[1:-1] = b[1:-1] * third(s)
`);
  assert.match(defText(module, '_polyray_cpu_f'), /a\[1:-1\] = b\[1:-1\] \* _polyray_call_third_0\(s\)/);
});

test('close mode carries the callee\'s close notes to the caller; exact mode refuses the callee\'s NumPy math', async () => {
  const src = `import numpy as np


def soft(x):
    return np.exp(x)


def f(x: ${F1}):
    return soft(x)
`;
  const close = (await compiled(src, 'close')).fns.get('f')!;
  assert.equal(close.accelerated, true);
  assert.deepEqual(close.closeNotes.map((n) => [n.line, n.operation]), [[5, 'np.exp']]);
  const exact = (await compiled(src, 'exact')).fns.get('f')!;
  assert.equal(exact.accelerated, false);
  assert.match(errors(exact)[0], /'soft' \(line 4\) stays in Python .*line 5: np\.exp\(\)/);
});

test('a local rebound from calls keeps its refused call\'s diagnostic in every pass of the checker', async () => {
  // mlp's shape: x = relu(...); x = relu(x @ ...); x = softmax(x @ ...), the last refused
  const { fns, module } = await compiled(`import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def spread(x):
    label = 'bins'
    return x


def f(a: ${F2}, w: ${F2}):
    x = relu(a)
    x = relu(x * w)
    x = spread(x * w)
    return x
`);
  const f = fns.get('f')!;
  assert.equal(f.accelerated, false);
  assert.match(errors(f).join('\n'), /'spread' \(line 8\) stays in Python/);
  assert.doesNotMatch(module, /_polyray_cpu_f/);
});

test('an argument of unknown rank gets the rank its callee needs, which the dispatcher then checks', async () => {
  const { fns } = await compiled(`import numpy as np


def total(v):
    s = 0.0
    for k in range(v.shape[0]):
        s += v[k]
    return s


def sq(v):
    return v * v


def whole(x: np.ndarray) -> float:
    return total(x)


def squares(P: np.ndarray, out: np.ndarray):
    for i in range(P.shape[0]):
        out[i] = sq(P[i])
`);
  assert.deepEqual(fns.get('whole')!.params.map((p) => [p.name, p.ndim]), [['x', 1]]);
  // P[i] passed to a scalar parameter reads one element: P is 1-d, as if it were read in place
  assert.deepEqual(fns.get('squares')!.params.map((p) => [p.name, p.ndim]), [['P', 1], ['out', 1]]);
});

test('a callee that returns a value on some paths and reaches its end on others stays in Python; one that returns nothing is called', async () => {
  const { fns } = await compiled(`import numpy as np


def maybe(v):
    if v > 0.0:
        return v


def either(v):
    if v > 0.0:
        return v
    else:
        return -v


def fill(a):
    a[0] = 1.0


def f(a: ${F1}) -> float:
    return maybe(a[0])


def g(a: ${F1}) -> float:
    fill(a)
    return either(a[1])
`);
  assert.deepEqual(errors(fns.get('f')), ["21: 'maybe' (line 4) stays in Python for arguments (numpy float): line 4: it returns a value on some paths and None (by reaching its end) on others"]);
  assert.equal(fns.get('g')!.accelerated, true);
  assert.deepEqual(fns.get('g')!.calls, ['either', 'fill']);
});

test('a callee returning only int constants gives their range, so a narrow array may meet the result (nussinov\'s match)', async () => {
  const I32 = 'np.ndarray[tuple[int, int], np.dtype[np.int32]]';
  const { fns, module } = await compiled(`import numpy as np


def match(b1, b2):
    if b1 + b2 == 3:
        return 1
    else:
        return 0


def same(k):
    return k


def pairs(seq: ${F1}, table: ${I32}):
    for i in range(seq.shape[0] - 1):
        table[i, i + 1] = table[i + 1, i] + match(seq[i], seq[i + 1])


def unknown(table: ${I32}, k: int):
    for i in range(table.shape[0]):
        table[i, 0] = table[i, 0] + same(i * k)
`);
  assert.deepEqual(errors(fns.get('pairs')), []);
  // a Python int of unknown range: NumPy 2 raises OverflowError out of int32's range, so the call's result
  // is range-checked (runtime/int_helpers.py fit_int leaves such a value to the original)
  assert.deepEqual(errors(fns.get('unknown')), []);
  // (same(i * k) inside the loop is inlined, parse/inline-calls.ts: the range check applies to i * k itself)
  assert.match(module, /table\[i, 0\] \+ _polyray_np\.int32\(_polyray_h_\w*fit_int\(i \* k, -2147483648, 2147483647/);
});
