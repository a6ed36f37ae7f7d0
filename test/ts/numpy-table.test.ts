import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseModule } from '../../src/compiler/parse/index.js';
import { checkModule } from '../../src/compiler/types/check.js';
import { TABLE, numpyFunction, type TableRow } from '../../src/compiler/types/numpy-table.js';
import { ULP_BOUNDS } from '../../src/compiler/numerics.js';
import { testParser } from './helpers.js';

// The NumPy table (types/numpy-table.ts): every row well formed, and the
// typing rules of its elementwise and reduction rows against NumPy itself.

const CLASSES = new Set(['exact', 'ulp', 'reduction', 'product']);
const LOOPS = new Set(['elementwise', 'reduction', 'scan', 'product', 'outer', 'gather', 'view', 'allocation', 'scalar', 'none', 'opaque']);
/**
 * The GPU forms codegen/gpu-forms.ts and gpu-variant.ts know how to print: math's functions
 * of NumPy's bits on a real scalar, the builtin abs, the device product, and a row's own
 * spelling (`np.maximum`, `math.fabs`: numba.cuda types it; test_gpu_forms.py checks each).
 */
const GPU_FORMS = new Set(['math.sqrt', 'math.fabs', 'math.isnan', 'math.isinf', 'math.isfinite', 'abs', 'device-matmul', 'device-alloc']);
/** The device functions of runtime/gpu_elementwise.py (its DEVICE_ELEMENTWISE), which `device:<name>` forms name. */
const DEVICE_ELEMENTWISE = new Set([...(/DEVICE_ELEMENTWISE[^=]*= \{([^}]*)\}/.exec(readFileSync(new URL('../../python-bridge/polyray/runtime/gpu_elementwise.py', import.meta.url), 'utf8'))?.[1] ?? '')
  .matchAll(/"(\w+)":/g)].map((m) => m[1]));
/** numba_helpers functions (python-bridge/polyray/runtime/numba_helpers.py) a row may name. */
const HELPERS = new Set(['dot', 'matmul', 'cov', 'sqrt', 'log', 'log10', 'log2', 'acos', 'asin', 'exp', 'mathpow', 'reshape', 'linspace', 'ndarray', 'abs_array', 'histogram', 'histogram_edges', 'histogram_density', 'bincount', 'solve', 'mgrid', 'repeat', 'roll', 'tile', 'swapaxes', 'average_weighted', 'average_weighted_returned', 'average_weighted_axis', 'average_weighted_axis_returned', 'average_returned', 'norm', 'norm_keepdims', 'sort', 'sort_inplace', 'argsort', 'unique', 'arange', 'arange_float64', 'any_axis', 'all_axis', 'argmax_axis', 'argmin_axis', 'diag_view', 'trace_pairwise', 'ravel', 'cumsum_flat', 'cumsum_axis', 'cumprod_axis', 'cumsum_dtype', 'cumprod_dtype',
  'sin', 'cos', 'tan', 'sinh', 'cosh', 'expm1', 'log1p',
  ...['add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'].map((u) => `outer_${u}`),
  ...['fft', 'ifft', 'rfft', 'irfft', 'fft2', 'ifft2', 'rfft2', 'irfft2', 'fftn', 'ifftn', 'rfftn', 'irfftn'].map((f) => `rf_${f}`), 'fftfreq']); // np.fft (runtime/fft_helpers.py)

test('every row of the NumPy table is well formed', () => {
  assert.ok(DEVICE_ELEMENTWISE.has('np_floor') && DEVICE_ELEMENTWISE.has('np_where'), 'gpu_elementwise.py DEVICE_ELEMENTWISE read');
  const seen = new Set<string>();
  for (const r of TABLE) {
    const key = `${r.where}.${r.name}`;
    assert.ok(!seen.has(key), `${key} appears twice`);
    seen.add(key);
    assert.ok(CLASSES.has(r.numerics), `${key}: numerics class ${r.numerics}`);
    assert.ok(LOOPS.has(r.loop), `${key}: loop model ${r.loop}`);
    assert.ok(r.numba.length > 0, `${key}: no Numba spelling`);
    assert.equal(r.typing === 'ufunc' || r.typing === 'ufunc_outer', r.ufunc !== undefined, `${key}: a ufunc rule goes with typing 'ufunc' or 'ufunc_outer' only`);
    if (r.typing === 'ufunc') assert.equal(r.loop, 'elementwise', `${key}: a ufunc is elementwise`);
    if (r.numerics === 'ulp') {
      assert.ok(ULP_BOUNDS[r.name], `${key}: a 'ulp' row needs a measured bound in numerics.ts ULP_BOUNDS`);
      assert.ok(r.mathEquivalent, `${key}: a 'ulp' row names the math function that is exact on scalars`);
    }
    const ownSpelling = r.gpu === `${r.where === 'math' ? 'math' : 'np'}.${r.name}` && (r.where === 'numpy' || r.where === 'math');
    const device = r.gpu?.startsWith('device:') && DEVICE_ELEMENTWISE.has(r.gpu.slice('device:'.length));
    if (r.gpu !== null) assert.ok(GPU_FORMS.has(r.gpu) || ownSpelling || device, `${key}: GPU form ${r.gpu} is not printed by gpu-forms.ts`);
    if (r.gpu !== null && r.where !== 'math') assert.ok(r.numerics === 'exact' || r.gpu === 'device-matmul', `${key}: a GPU form gives NumPy's bits`);
    if (r.gpu === 'device-matmul') assert.equal(r.loop, 'product', `${key}: a device product is a product`);
    // (codegen/gpu-allocations.ts makes these on the device: the allocations and the copies, a.astype included)
    if (r.gpu === 'device-alloc') assert.ok(r.loop === 'allocation' || ['copy', 'astype'].includes(r.name), `${key}: a device allocation allocates`);
    if (r.helper) assert.ok(HELPERS.has(r.helper), `${key}: unknown helper ${r.helper}`);
    if (r.lowers) assert.equal(r.numerics, 'exact', `${key}: only exact functions are lowered element by element`);
    if (r.temporary) assert.ok(r.loop === 'elementwise' || r.loop === 'product', `${key}: a temporary's shape comes from an elementwise or product model`);
    if (r.where === 'numpy' || r.where === 'math') assert.ok(r.numba.startsWith(r.where === 'numpy' ? 'np.' : 'math.'), `${key}: spelling ${r.numba}`);
    else assert.ok(r.numba.startsWith('.'), `${key}: a method or attribute is spelled .name`);
  }
});

test('the numerics classes name the functions whose last bits NumPy computes its own way', () => {
  // NumPy's own SIMD math is 'ulp'; what the C library or IEEE computes in both is 'exact'
  for (const n of ['exp', 'log', 'sin', 'tanh', 'arctan2', 'power']) assert.equal(numpyFunction(n)?.numerics, 'ulp', n);
  for (const n of ['sqrt', 'abs', 'maximum', 'minimum', 'floor', 'where', 'isnan', 'max', 'amin', 'zeros']) assert.equal(numpyFunction(n)?.numerics, 'exact', n);
  for (const n of ['sum', 'mean', 'prod', 'cumsum']) assert.equal(numpyFunction(n)?.numerics, 'reduction', n);
  assert.equal(numpyFunction('matmul')?.numerics, 'product');
});

const PY = '.venv/bin/python';

/** The dtype the checker infers for `expr` (arrays A: float64 1-d, I: int64 1-d), or null when it refuses or does not know. */
async function inferred(expr: string): Promise<string | null> {
  const src = `import numpy as np\nimport numpy.typing as npt\n\ndef f(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], I: npt.NDArray[np.int64]):\n    r = ${expr}\n    return r\n`;
  const parsed = parseModule(await testParser(), src);
  assert.ok(parsed.ok);
  const [tf] = checkModule(parsed.module, 'close');
  const r = tf.locals.get('r');
  if (!r) return null;
  if (r.kind === 'array') return r.dtype;
  if (r.kind === 'scalar') return r.dtype ?? { bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128' }[r.scalar];
  return null;
}

test('ufunc and reduction rows type their results as NumPy does', { skip: existsSync(PY) ? false : 'no .venv' }, async () => {
  const rows = TABLE.filter((r): r is TableRow => r.where === 'numpy' && (r.typing === 'ufunc' || r.typing === 'reduction'));
  const exprs: string[] = [];
  for (const r of rows) {
    const binary = ['arctan2', 'hypot', 'maximum', 'minimum', 'fmax', 'fmin', 'power', 'vdot', 'add', 'subtract', 'multiply', 'divide', 'logical_and', 'logical_or', 'logical_xor'].includes(r.name) || r.ufunc?.compare !== undefined;
    if (r.name === 'where') {
      exprs.push('np.where(A > 0.0, A, B)');
    } else if (r.name === 'trace') {
      continue; // 2-d only
    } else {
      exprs.push(binary ? `np.${r.name}(A, B)` : `np.${r.name}(A)`);
      if (r.typing === 'ufunc') exprs.push(binary ? `np.${r.name}(A[0], 2.0)` : `np.${r.name}(A[0])`);
    }
  }
  const script = 'import json, sys\nimport numpy as np\nA = np.ones(3); B = np.ones(3); I = np.arange(3)\nout = []\nfor t in json.load(sys.stdin):\n    out.append(str(np.asarray(eval(t)).dtype))\nprint(json.dumps(out))\n';
  const run = spawnSync(PY, ['-c', script], { input: JSON.stringify(exprs), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const numpy: string[] = JSON.parse(run.stdout);
  let compared = 0;
  for (const [k, x] of exprs.entries()) {
    const ours = await inferred(x);
    if (ours === null) continue; // refused or unknown: the dispatcher checks the result at run time
    assert.equal(ours, numpy[k], `${x}: checker ${ours}, NumPy ${numpy[k]}`);
    compared++;
  }
  assert.ok(compared >= exprs.length / 2, `only ${compared} of ${exprs.length} expressions typed`);
});

/** The checker's diagnostics (messages) and the type of local `r`, for a body over A (float64 2-d), v (float64 1-d), n (int). */
async function check(body: string, numerics: 'exact' | 'close' = 'exact'): Promise<{ errors: string[]; r: string }> {
  const src = `import numpy as np\nimport numpy.typing as npt\n\ndef f(A: np.ndarray[tuple[int, int], np.dtype[np.float64]], v: np.ndarray[tuple[int], np.dtype[np.float64]], n: int, x: float):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  const parsed = parseModule(await testParser(), src);
  assert.ok(parsed.ok);
  const [tf] = checkModule(parsed.module, numerics);
  const r = tf.locals.get('r');
  const shown = !r ? 'none' : r.kind === 'array' ? `array ${r.dtype} ${r.ndim}` : r.kind === 'scalar' ? `scalar ${r.scalar}` : r.kind;
  return { errors: tf.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), r: shown };
}

test('the added rows type as NumPy does and refuse what Numba would not reproduce', async () => {
  const ok: [string, string][] = [
    ['r = np.reshape(v, (n, 2))', 'array float64 2'],
    ['r = A.reshape(-1)', 'array float64 1'],
    ['r = A.reshape(n, 2, -1)', 'array float64 3'],
    ['r = A.reshape(A.shape)', 'array float64 null'],
    ['r = np.flip(v)', 'array float64 1'],
    ['r = np.fliplr(A)', 'array float64 2'],
    ['r = np.logical_and(v > 0.0, v < 1.0)', 'array bool 1'], // a comparison has the rank of its widest operand
    ['r = np.logical_not(v > x)', 'array bool 1'],
    ['r = np.linspace(0, x, n)', 'array float64 1'],
    ['r = np.linspace(0.0, 1.0, num=n, dtype=np.float64)', 'array float64 1'],
    ['r = np.add.outer(v, v)', 'array float64 2'],
    ['r = np.minimum.outer(A, v)', 'array float64 3'],
    ['r = np.ndarray((n, n), dtype=np.float64)', 'array float64 2'],
    ['r = np.triu(A, k=1)', 'array float64 2'],
    ['r = np.tril(A, -1)', 'array float64 2'],
    ['r = np.less(v, x)', 'array bool 1'],
    ['r = np.not_equal(A, 0.0)', 'array bool 2'],
    ['r = abs(v.astype(np.complex128))', 'array float64 1'],
    ['r = np.histogram(v, n, weights=v)[0]', 'array float64 1'],
    ['r = np.histogram(v, bins=n)[0]', 'array int64 1'],
    ['r = np.histogram(v, n, range=(0, x))[0]', 'array int64 1'],
    ['r = np.histogram(A, bins=v)[0]', 'array int64 1'],
    ['r = np.histogram(v, n, density=True)[0]', 'array float64 1'],
    ['r = np.histogram(v, bins=v, density=True)[0]', 'array float64 1'],
    ['r = np.histogram(v.astype(np.int64), n)[0]', 'array int64 1'],
    ['r = np.histogram(v, n, (0.0, x))[0]', 'array int64 1'],
    ['r = np.histogram(v.astype(np.int32), n, range=(0, n))[1]', 'array float64 1'],
    ['r = np.histogram(v, n, weights=v.astype(np.int64))[0]', 'array int64 1'],
    ['r = np.histogram(v, n, weights=v.astype(np.float32))[0]', 'array float32 1'],
    ['r = np.histogram(v.astype(np.int64), n, density=True)[0]', 'array float64 1'],
    ['r = np.argmax(A)', 'scalar int'],
    ['r = v.any()', 'scalar bool'],
    ['r = np.clip(A, 0.0, x)', 'array float64 2'],
    ['r = np.round(v, 3)', 'array float64 1'],
    ['r = np.eye(n, n, 1)', 'array float64 2'],
    ['r = np.diag(v)', 'array float64 2'],
    ['r = np.diag(A)', 'array float64 1'],
    ['r = np.ravel(A)', 'array float64 1'],
    ['r = A.T.ravel()', 'array float64 1'],
    ['r = np.trace(A)', 'scalar float'],
    ['r = A.trace(1)', 'scalar float'],
    ['r = np.trace(A, offset=-n)', 'scalar float'],
    ['r = np.diag(A, k=-1)', 'array float64 1'],
    ['r = np.diagonal(A, 1)', 'array float64 1'],
    ['r = A.diagonal(offset=n)', 'array float64 1'],
    ['r = np.vstack((v, v))', 'array float64 2'],
    ['r = np.stack((A, A), axis=-1)', 'array float64 3'],
    ['r = np.kron(A, A)', 'array float64 2'],
    ['r = np.arange(n)', 'array int64 1'],
    ['r = np.arange(n) * x', 'array float64 1'],
    ['r = np.arange(0.0, x, 0.5)', 'array float64 1'],
    ['r = np.arange(1, n, 2, dtype=np.float64)', 'array float64 1'],
    ['r = np.arange(0, n, step=3)', 'array int64 1'],
    ['r = np.argmax(A, axis=0)', 'array int64 1'],
    ['r = A.argmin(1)', 'array int64 1'],
    ['r = np.argmax(A, axis=-1, keepdims=True)', 'array int64 2'],
    ['r = np.all(A > 0.0, axis=1)', 'array bool 1'],
    ['r = A.any(axis=(0, 1))', 'scalar bool'],
    ['r = np.any(A, 0, keepdims=True)', 'array bool 2'],
  ];
  for (const [body, want] of ok) {
    const { errors, r } = await check(body);
    assert.deepEqual(errors, [], body);
    assert.equal(r, want, body);
  }
  const refused: [string, RegExp][] = [
    ['r = np.reshape(v, x)', /needs a shape of ints/],
    ['r = v.reshape((n, 2), order="F")', /order=/],
    ['r = np.fliplr(v)', /2 dimensions/],
    ['r = np.flip(A, axis=0)', /without axis=/],
    ['r = np.linspace(0.0, 1.0, n, dtype=np.float32)', /np.linspace\(\) is supported/],
    ['r = np.linspace(0.0, 1.0, x)', /an int num/],
    ['r = np.add.outer(v, x)', /two arrays/],
    ['r = np.triu(v)', /2-d array/],
    ['r = np.linalg.cholesky(v)', /2-d float64/],
    ['r = np.linalg.cholesky(A)', /another BLAS\/LAPACK build/],
    ['r = np.linalg.eig(A)', /numpy.linalg.eig\(\) is not supported/],
    ['r = np.less(v)', /takes two operands/],
    ['r = np.histogram(v, n, density=n > 0)[0]', /density= True or False written out/],
    ['r = np.histogram(v, bins=v, weights=v)[0]', /without weights or range/],
    ['r = np.histogram(v.astype(np.float32), n)[0]', /float64, int64 or int32 array/],
    ['r = np.histogram(v, n, weights=v > x)[0]', /weights= of float64, float32, int64 or int32/],
    ['r = np.histogram(v, n, weights=v.astype(np.int64), density=True)[0]', /density=True with float64 weights= only/],
    ['r = np.histogram(v.astype(np.int64), bins=v)[0]', /an array of edges with float64 data only/],
    ['r = np.histogram(v, "auto")[0]', /np.histogram\(\) is supported/],
    ['r = np.histogram(v, n, range=(0, v))[0]', /range= a pair of numbers/],
    ['r = np.histogram(v, n, (0, 1), True)[0]', /np.histogram\(\) is supported/],
    ['r = np.argmax(A, axis=2)', /outside the array's 2 dimensions/],
    ['r = np.argmax(A, axis=(0, 1))', /int literal axis/],
    ['r = np.all(A, axis=n)', /computed axis/],
    ['r = np.any(A, axis=0, keepdims=n > 0)', /keepdims must be written/],
    ['r = np.arange(x, dtype=np.int64)', /of floats is not supported/],
    ['r = np.arange(v)', /np.arange\(\) is supported/],
    ['r = np.arange(0, n, 1, np.float32)', /np.arange\(\) is supported/],
    ['r = np.clip(v.astype(np.float32), 0.0, 1.0)', /float64 or int64/],
    ['r = np.diag(v.reshape(n, 1, -1))', /vector or a matrix/],
    ['r = A.diagonal(0, 0, 1)', /matrix of known rank/],
    ['r = np.trace(A, 0, 0, 1)', /no axis1=/],
    ['r = np.ravel(A, "F")', /without an order/],
    ['r = A.ravel("F")', /without an order/],
    ['r = A.trace(x)', /int offset/],
    ['r = np.concatenate((A, v))', /one dtype and rank/],
    ['r = np.stack((v, v), axis=2)', /inside the result/],
    ['r = np.bincount(v)', /on an integer array/],
    ['r = np.linalg.solve(A, v)', /another BLAS\/LAPACK build/],
    ['r = np.cov(A * 2.0)', /parameter P, P.T or np.transpose\(P\)/],
    ['r = np.cov(A)', /another BLAS\/LAPACK build/],
  ];
  for (const [body, want] of refused) {
    const { errors } = await check(body);
    assert.ok(errors.some((m) => want.test(m)), `${body}: ${errors.join('; ')}`);
  }
  // close mode compiles the LAPACK row, with its bound in the close notes
  assert.deepEqual((await check('r = np.linalg.cholesky(A)', 'close')).errors, []);
  assert.deepEqual((await check('r = np.cov(np.transpose(A))', 'close')).errors, []);
});

test('cumsum and cumprod: flattened or along a literal axis, in NumPy accumulation dtype (types/row-rules.ts scanRule)', async () => {
  const ok: [string, string][] = [
    ['r = np.cumsum(A)', 'array float64 1'],
    ['r = np.cumsum(A, axis=1)', 'array float64 2'],
    ['r = A.cumsum(0)', 'array float64 2'],
    ['r = A.cumprod(axis=-1)', 'array float64 2'],
    ['r = np.cumprod(A, axis=None)', 'array float64 1'],
    ['r = np.cumsum(A > x, axis=0)', 'array int64 2'],
    ['r = np.cumsum(v.astype(np.int32))', 'array int64 1'],
    ['r = np.cumprod(v.astype(np.uint8), 0)', 'array uint64 1'],
    ['r = np.cumsum(A.astype(np.float32), axis=1)', 'array float32 2'],
    ['r = np.cumsum(v.astype(np.complex128))', 'array complex128 1'],
    // dtype= (NumPy 2: each element cast first, then accumulated in it) and complex products (finite ones)
    ['r = np.cumsum(A, axis=0, dtype=np.float32)', 'array float32 2'],
    ['r = np.cumsum(A > x, 0, np.int8)', 'array int8 2'],
    ['r = A.cumprod(1, "int16")', 'array int16 2'],
    ['r = v.cumsum(dtype=float)', 'array float64 1'],
    ['r = np.cumsum(v, dtype=complex)', 'array complex128 1'],
    ['r = np.cumprod(v.astype(np.complex128))', 'array complex128 1'],
    ['r = A.astype(np.complex64).cumprod(axis=0)', 'array complex64 2'],
  ];
  for (const [body, want] of ok) {
    const { errors, r } = await check(body);
    assert.deepEqual(errors, [], body);
    assert.equal(r, want, body);
  }
  const refused: [string, RegExp][] = [
    ['r = np.cumsum(A, axis=2)', /outside the array's 2 dimensions/],
    ['r = A.cumsum(axis=-3)', /outside the array's 2 dimensions/],
    ['r = np.cumsum(A, axis=n)', /computed axis/],
    ['r = np.cumsum(A, axis=0, out=A)', /no out=/],
    ['r = np.cumsum(A > x, dtype=bool)', /logical or\/and/],
    ['r = np.cumsum(v.astype(np.complex128), dtype=np.float64)', /ComplexWarning/],
    ['r = np.cumsum(A, 0, np.int8, A)', /no out=/],
  ];
  for (const [body, want] of refused) {
    const { errors } = await check(body);
    assert.ok(errors.some((m) => want.test(m)), `${body}: ${errors.join('; ')}`);
  }
});

test('np.linalg.norm of complex128 and np.average(..., returned=True) without weights', async () => {
  const ok: [string, string, 'exact' | 'close'][] = [
    ['r = np.linalg.norm(v.astype(np.complex128), 1)', 'scalar float', 'exact'],
    ['r = np.linalg.norm(v.astype(np.complex128), axis=0)', 'scalar float', 'exact'],
    ['r = np.linalg.norm(A.astype(np.complex128), np.inf, axis=1)', 'array float64 1', 'exact'],
    ['r = np.linalg.norm(A.astype(np.complex128))', 'scalar float', 'close'],
    // a matrix's 1 and inf norms, real or complex: the largest column or row sum of |A| (close mode)
    ['r = np.linalg.norm(A.astype(np.complex128), 1)', 'scalar float', 'close'],
    ['r = np.linalg.norm(A, np.inf)', 'scalar float', 'close'],
    ['r = np.linalg.norm(A, 2)', 'scalar float', 'close'],
    ['r = np.linalg.norm(A, ord=-2)', 'scalar float', 'close'],
    ['r = np.average(v, returned=True)', 'tuple', 'exact'],
    ['r = np.average(A, axis=1, returned=True)', 'tuple', 'close'],
    ['r = np.average(v, returned=False)', 'scalar float', 'exact'],
    // weights=, axis= and returned= together: both sums along the axis in blocks (close mode)
    ['r = np.average(A, axis=1, weights=v, returned=True)', 'tuple', 'close'],
    ['r = np.average(A, axis=0, weights=A * 2.0, returned=False)', 'array float64 1', 'close'],
  ];
  for (const [body, want, mode] of ok) {
    const { errors, r } = await check(body, mode);
    assert.deepEqual(errors, [], body);
    assert.equal(r, want, body);
  }
  const refused: [string, RegExp, 'exact' | 'close'][] = [
    ['r = np.linalg.norm(A.astype(np.complex128))', /through its BLAS build/, 'exact'],
    ['r = np.linalg.norm(A.astype(np.complex128), 1)', /NumPy adds each column of \|A\|/, 'exact'],
    // a matrix's 2 / -2 norm (an SVD): close mode only, of a parameter (the guard checks its entries are finite)
    ['r = np.linalg.norm(A, 2)', /from its LAPACK build/, 'exact'],
    ['r = np.linalg.norm(A * 2.0, -2)', /must be a parameter/, 'close'],
    ['r = np.linalg.norm(v, -2)', /np.linalg.norm\(\) is supported/, 'close'],
    ['r = np.linalg.norm(v.astype(np.complex64), 1)', /np.linalg.norm\(\) is supported/, 'close'],
    ['r = np.average(A, axis=1, returned=True)', /NumPy adds them pairwise/, 'exact'],
    ['r = np.average(A, 1, returned=True)', /positional axis/, 'close'],
    ['r = np.average(v, returned=n > 0)', /written True or False/, 'close'],
    ['r = np.average(A, axis=1, weights=v, returned=True)', /exact mode keeps the original/, 'exact'],
    ['r = np.average(A, axis=1, weights=v, returned=n > 0)', /returned= True or False written out/, 'close'],
  ];
  for (const [body, want, mode] of refused) {
    const { errors } = await check(body, mode);
    assert.ok(errors.some((m) => want.test(m)), `${body}: ${errors.join('; ')}`);
  }
});
