// Tuple unpacking and packing (issue 17, "the language as written"): the parse
// stage's desugaring (parse/unpack.ts), what the checker requires of it, what
// the SCoP and the variants make of it, and the forms that stay refused.
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
const flags = (f: ReportFunction): string => f.loops.map((l) => `${l.var}:${l.parallel ? 'P' : 's'}`).join(' ');

test('n, m = A.shape is n = A.shape[0]; m = A.shape[1], each spanning the original statement', async () => {
  const fn = await parse(py`
    def f(A: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        _, k = A.shape
  `);
  assert.deepEqual(printed(fn.body), ['n = A.shape[0]', 'm = A.shape[1]', '_ = A.shape[0]', 'k = A.shape[1]']);
  assert.deepEqual(fn.body.map((s) => s.span.from.line), [4, 4, 5, 5]);
  assert.deepEqual(fn.body.map((s) => (s.kind === 'assign' ? s.unpackedShape : null)), [2, 2, 2, 2]);
  assert.deepEqual(fn.unsupported, []);
});

test('a shape unpacked into as many names as its rank types its names as ints and gives the rank', async () => {
  const tf = await check(py`
    def f(A: np.ndarray, B: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]) -> int:
        n, m = A.shape
        a, b, c = B.shape
        return n + m + a + b + c
  `);
  assert.deepEqual(messages(tf), []);
  assert.equal(tf.params.find((p) => p.name === 'A')!.ndim, 2, 'the unpacking shows A is 2-d: the guard checks it');
  assert.equal(tf.locals.get('m')?.kind, 'scalar');
  assert.equal(tf.returns, 'int');
});

test('sizes from n, m = A.shape are seen through by the SCoP: both loops parallel, the outer one prange', async () => {
  const { f, module } = await compile(py`
    def scale(A: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                A[i, j] = A[i, j] * w[i]
  `);
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  assert.equal(flags(f), 'i:P j:P');
  assert.match(module, /n = A\.shape\[0\]\n\s+m = A\.shape\[1\]\n\s+for _polyray_k_i in _polyray_prange\(n\):/);
});

test('a shape unpacked into another number of names than its rank is refused (Python raises ValueError)', async () => {
  const tf = await check(py`
    def f(A: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]) -> int:
        n, m = A.shape
        return n
  `);
  assert.equal(tf.accelerated, false);
  assert.deepEqual(messages(tf), ['4:5 unpacking a shape of rank 3 into 2 names']);
  const sub = await check(py`
    def g(A: npt.NDArray[np.float64]) -> int:
        n, m = A.shape
        return A[0, 0, 0] + n
  `);
  assert.equal(sub.accelerated, false, 'subscripts show 3 dimensions');
  assert.ok(messages(sub).some((m) => m.includes('rank 3 into 2 names')), messages(sub).join('\n'));
});

test('a, b = b, a binds through temporaries; i, j = 0, n - 1 binds directly', async () => {
  const fn = await parse(py`
    def f(a: float, b: float, n: int) -> float:
        i, j = 0, n - 1
        a, b = b, a + b
        x, y, z = a, i, a
        return a
  `);
  const out = printed(fn.body);
  assert.deepEqual(out.slice(0, 2), ['i = 0', 'j = n - 1']);
  const [t0, t1] = [out[2].split(' = ')[0], out[3].split(' = ')[0]];
  assert.deepEqual(out.slice(2, 6), [`${t0} = b`, `${t1} = a + b`, `a = ${t0}`, `b = ${t1}`]);
  assert.notEqual(t0, t1);
  assert.deepEqual(out.slice(6, 9), ['x = a', 'y = i', 'z = a'], 'no value reads a name bound before it');
});

test('temporaries never take a name the function uses', async () => {
  const fn = await parse(py`
    def f(a: float, b: float) -> float:
        __unpacked0 = 1.0
        a, b = b, a
        return a + __unpacked0
  `);
  const out = printed(fn.body);
  assert.ok(!out.slice(1).some((l) => l.startsWith('__unpacked0 =')), out.join('\n'));
});

test('an element target before a value makes the values go first: A[i], A[j] = A[j], A[i]', async () => {
  const fn = await parse(py`
    def f(A: npt.NDArray[np.float64], i: int, j: int) -> None:
        A[i], A[j] = A[j], A[i]
  `);
  const out = printed(fn.body);
  assert.equal(out.length, 4);
  assert.match(out[0], /^__unpacked\d+ = A\[j\]$/);
  assert.match(out[1], /^__unpacked\d+ = A\[i\]$/);
  assert.match(out[2], /^A\[i\] = __unpacked\d+$/);
});

test('a swap of scalars in a time loop compiles and keeps the time loop sequential', async () => {
  const { f, module } = await compile(py`
    def fib(x: npt.NDArray[np.float64], n: int) -> None:
        for i in range(x.shape[0]):
            a, b = 0.0, 1.0
            for t in range(n):
                a, b = b, a + b
            x[i] = a
  `);
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  assert.equal(flags(f), 'i:P t:s');
  assert.match(module, /a, b = b, a \+ b/, 'the original text is kept verbatim');
});

test('arrays swapped in a time loop: parameters move between their names, local arrays keep the time loop sequential', async () => {
  // (types/param-rotations.ts: the swap moves the caller's objects; both count as written)
  const params = await check(py`
    def f(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], T: int) -> None:
        for t in range(T):
            for i in range(1, A.shape[0] - 1):
                B[i] = 0.5 * (A[i - 1] + A[i + 1])
            A, B = B, A
  `);
  assert.equal(params.accelerated, true, JSON.stringify(params.diagnostics));
  assert.deepEqual(params.params.filter((p) => p.kind === 'array').map((p) => [p.name, p.written]), [['A', true], ['B', true]]);
  assert.deepEqual(params.paramRotations, [['A', 'B']]);
  const swapped = await compile(py`
    def f(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], T: int) -> None:
        for t in range(T):
            for i in range(1, A.shape[0] - 1):
                B[i] = 0.5 * (A[i - 1] + A[i + 1])
            A, B = B, A
  `);
  assert.equal(flags(swapped.f), 't:s i:P', 'the swap is a move the model follows');
  // a parameter of another dtype, or a view, is no move of a whole object of the same type
  const mixed = await check(py`
    def g(A: npt.NDArray[np.float64], B: npt.NDArray[np.float32], T: int) -> None:
        for t in range(T):
            B[0] = A[1]
            A, B = B, A
  `);
  assert.deepEqual(messages(mixed), ["6:9 rebinding the array parameter 'A' is not supported"], 'one diagnostic for the swap');
  const view = await check(py`
    def h(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], T: int) -> None:
        for t in range(T):
            B[0] = A[1]
            A = B[1:]
  `);
  assert.deepEqual(messages(view), ["6:9 rebinding the array parameter 'A' is not supported"]);
  const { f } = await compile(py`
    def g(A: npt.NDArray[np.float64], T: int) -> None:
        n = A.shape[0]
        X = A.copy()
        Y = np.zeros(n)
        for t in range(T):
            for i in range(1, n - 1):
                Y[i] = 0.5 * (X[i - 1] + X[i + 1])
            X, Y = Y, X
        A[:] = X
  `);
  assert.equal(f.accelerated, true, JSON.stringify(f.diagnostics));
  assert.equal(f.loops[0].parallel, false, 'the time loop reads what the previous step wrote');
});

test('dx, dy = p[i] - p[i - 1]: a temporary, its length checked by the variant, the SCoP left out', async () => {
  const fn = await parse(py`
    def f(p: np.ndarray) -> float:
        s = 0.0
        for i in range(1, p.shape[0]):
            dx, dy = p[i] - p[i - 1]
            s += dx * dy
        return s
  `);
  const loop = fn.body[1];
  assert.ok(loop.kind === 'for');
  const out = printed(loop.body);
  assert.match(out[0], /^__unpacked0 = p\[i\] - p\[i - 1\]$/);
  assert.equal(out[1], 'if len(__unpacked0) > 2:');
  assert.equal(out[2], '    raise ValueError("too many values to unpack (expected 2)")');
  assert.equal(out[3], 'if len(__unpacked0) < 2:');
  assert.equal(out[4], '    raise ValueError("not enough values to unpack (expected 2, got " + str(len(__unpacked0)) + ")")');
  assert.deepEqual(out.slice(5, 7), ['dx = __unpacked0[0]', 'dy = __unpacked0[1]']);
  const tf = await check(py`
    def f(p: np.ndarray) -> float:
        s = 0.0
        for i in range(1, p.shape[0]):
            dx, dy = p[i] - p[i - 1]
            s += dx * dy
        return s
  `);
  assert.deepEqual(messages(tf), []);
  assert.equal(tf.params[0].ndim, 2, 'p[i] is unpacked: p has a dimension more');
  const { f } = await compile(py`
    def f(p: np.ndarray) -> float:
        s = 0.0
        for i in range(1, p.shape[0]):
            dx, dy = p[i] - p[i - 1]
            s += dx * dy
        return s
  `);
  assert.equal(f.accelerated, true);
  assert.match(f.loops[0].reason, /unpacking an array at line 6 may raise ValueError/);
});

test('return a, b: scalars and arrays, with a tuple[...] hint or none', async () => {
  const tf = await check(py`
    def f(A: npt.NDArray[np.float64], n: int) -> tuple[float, float]:
        s = 0.0
        for i in range(n):
            s += A[i]
        return s, 2.0 * s
  `);
  assert.deepEqual(messages(tf), []);
  assert.equal(tf.returns, 'any');
  const arrays = await check(py`
    def g(A: npt.NDArray[np.float64]):
        B = A * 2.0
        return A.shape[0], B
  `);
  assert.deepEqual(messages(arrays), []);
  const { f, module } = await compile(py`
    def h(A: npt.NDArray[np.float64]) -> tuple[float, float]:
        return A[0], A[1]
  `);
  assert.equal(f.accelerated, true);
  assert.match(module, /def h\(A: npt\.NDArray\[np\.float64\]\) -> tuple\[float, float\]:/, 'the wrapper keeps the hint');
  // Numba returns Python floats where the original returns NumPy's: the dispatcher converts a variant's
  // result back (never the original's, which may have run for other argument types)
  assert.match(module, /result=lambda _polyray_result: \(_polyray_np\.float64\(_polyray_result\[0\]\), _polyray_np\.float64\(_polyray_result\[1\]\)\),/);
  assert.match(module, /def h\(A: npt\.NDArray\[np\.float64\]\) -> tuple\[float, float\]:\n(?:    .*\n)*?    if not _polyray_kept:.*\n        return _polyray_enter_h\(A\)\n    return A\[0\], A\[1\]\n/, 'the wrapper converts nothing');
  const mixed = await compile(py`
    def m(A: npt.NDArray[np.float64], n: int):
        return A[0] * 2.0, n + 1, A
  `);
  assert.match(mixed.module, /\(_polyray_np\.float64\(_polyray_result\[0\]\), _polyray_result\[1\], _polyray_result\[2\]\)/, 'Python ints and arrays pass through');
  const twice = await check(py`
    def t(A: npt.NDArray[np.float64], n: int):
        if n > 0:
            return A[0], A[1]
        return A[1], A[0]
  `);
  assert.deepEqual(twice.returnScalars, ['float64', 'float64'], 'two returns of the same tuple type');
});

test('tuples returned with other element types elsewhere stay original (Numba would unify them)', async () => {
  const tf = await check(py`
    def f(x: float, n: int):
        if n > 0:
            return x, n
        return n, x
  `);
  assert.equal(tf.accelerated, false);
  assert.equal(tf.diagnostics.length, 1, messages(tf).join('\n'));
});

test('starred targets stay refused with one diagnostic, and so do nested targets and non-tuples', async () => {
  const starred = await check(py`
    def f(A: npt.NDArray[np.float64]) -> int:
        n, *rest = A.shape
        for i in range(n):
            A[i] = 0.0
        return n
  `);
  assert.deepEqual(messages(starred), ['4:5 starred unpacking targets (`a, *b = ...`) are not supported']);
  const nested = await check(py`
    def g(x: float, y: float, z: float) -> float:
        (a, b), c = (x, y), z
        return a + b + c
  `);
  assert.deepEqual(messages(nested), ['4:5 nested unpacking targets (`(a, b), c = ...`) are not supported']);
  const scalar = await check(py`
    def h(x: float) -> float:
        a, b = x
        return a + b
  `);
  assert.equal(scalar.accelerated, false);
  assert.equal(scalar.diagnostics.length, 1, messages(scalar).join('\n'));
  assert.match(scalar.diagnostics[0].message, /unpacking float into 2 names is not supported/);
  const count = await check(py`
    def k(x: float) -> float:
        a, b = x, x, x
        return a + b
  `);
  assert.deepEqual(messages(count), ['4:5 unpacking 3 values into 2 targets raises ValueError']);
});

test('q, r = divmod(a, b) is q = a // b; r = a % b, operands a target rebinds evaluated first', async () => {
  const fn = await parse(py`
    def f(a: int, b: int) -> int:
        q, r = divmod(a, b)
        q, r = divmod(q, b + 1)
        return q + r
  `);
  assert.deepEqual(printed(fn.body), ['q = a // b', 'r = a % b', '__unpacked0 = q', '__unpacked1 = b + 1', 'q = __unpacked0 // __unpacked1', 'r = __unpacked0 % __unpacked1', 'return q + r']);
  const bad = await parse(py`
    def g(a: int, b: int) -> int:
        q, r, s = divmod(a, b)
        return q
  `);
  assert.deepEqual(bad.unsupported.map((u) => u.message), ["unpacking divmod()'s 2 values into 3 targets raises ValueError"]);
});

test('a tuple of scalars from a module function unpacks into as many names; other arities and tuples holding arrays are refused', async () => {
  const src = py`
    def bounds(x: npt.NDArray[np.float64]):
        return x[0], x[x.shape[0] - 1]

    def pair(x: npt.NDArray[np.float64]):
        return x * 2.0, x[0]

    def ok(x: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
        lo, hi = bounds(x)
        for i in range(x.shape[0]):
            out[i] = (x[i] - lo) / (hi - lo)

    def three(x: npt.NDArray[np.float64]) -> float:
        a, b, c = bounds(x)
        return a

    def arrays(x: npt.NDArray[np.float64]) -> float:
        y, first = pair(x)
        return first
  `;
  const r = compileSource(await testParser(), HEADER + src, { fileName: 'k.py', isl: await islCtx, targets: ['cpu'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  const by = new Map(r.report.functions.map((f) => [f.name, f]));
  assert.equal(by.get('ok')!.accelerated, true);
  assert.equal(by.get('ok')!.loops[0].parallel, true);
  assert.match(r.module, /__unpacked0 = _polyray_call_bounds_0\(x\)\n(.*\n){4}\s+lo = __unpacked0\[0\]\n\s+hi = __unpacked0\[1\]/);
  const diags = (name: string): string[] => by.get(name)!.diagnostics.map((d) => d.message);
  assert.ok(diags('three').includes('unpacking a tuple of 2 items into 3 names raises ValueError'), diags('three').join('\n'));
  assert.ok(diags('arrays').some((m) => /only tuples of scalars are supported/.test(m)), diags('arrays').join('\n'));
});

test('unpacking a value refused on its own gives that value\'s diagnostic only', async () => {
  const tf = await check(py`
    def f(R: int) -> int:
        i_coord, j_coord = np.frobnicate(R)
        return i_coord[0, 0] + j_coord[0, 0]
  `);
  assert.equal(tf.accelerated, false);
  assert.equal(messages(tf).length, 1, messages(tf).join('\n'));
  assert.match(messages(tf)[0], /^4:24 .*frobnicate/);
});
