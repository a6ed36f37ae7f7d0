// The NumPy table (issue 17, "NumPy as data"): one row per NumPy function,
// array method, array attribute and constant the subset knows, and the same
// for the `math` module. Every stage reads it: the type checker dispatches on
// a row's typing rule (types/check.ts), the polyhedral stage on its loop model
// (scop/temporaries.ts, scop/extract.ts, poly/lower-slices.ts,
// poly/parallel-plan.ts), code generation on its Numba spelling and GPU form
// (codegen/gpu-variant.ts), the numerics modes on its class (numerics.ts).
// Adding a function is adding a row, plus a typing rule where none of the
// existing ones fits. Shaped after Pythran's pythran/tables.py (a descriptor
// per name) and Numba's typing registry (typing beside the lowering).

/** How a row's results compare with NumPy's (docs/reliability.md, "The numerics classes"). */
export type NumericsClass =
  /** compiled code gives NumPy's bits in both modes */
  | 'exact'
  /** elementwise math by the C library (CPU) or CUDA: `close` within ULP_BOUNDS, `exact` keeps the original */
  | 'ulp'
  /** sums and the like: `close` may reassociate within the stated bound, `exact` only NumPy's own order */
  | 'reduction'
  /** BLAS/LAPACK products: `close` compiles, `exact` only where the compiled form gives NumPy's bits */
  | 'product';

/** The implicit loops a call stands for, as the polyhedral stage sees them. */
export type LoopModel =
  /** one result element per element of the (broadcast) operands */
  | 'elementwise'
  /** a reduction over all elements or along axes */
  | 'reduction'
  /** a prefix scan (cumsum) */
  | 'scan'
  /** a matrix product: rows of the left, columns of the right, a reduction inside */
  | 'product'
  /** every pair of elements of two vectors */
  | 'outer'
  /** reads elements chosen by the arguments (`.item()`) */
  | 'gather'
  /** the same elements seen differently (a transpose, a flattening): no computation */
  | 'view'
  /** a fresh array whose every element is written */
  | 'allocation'
  /** a Python scalar computation (math.*), no implicit loop */
  | 'scalar'
  /** a constant or attribute */
  | 'none'
  /** nothing the model can say: its accesses are may-accesses of its whole arguments */
  | 'opaque';

/**
 * The type checker's rule for a row (types/check.ts `numpyCall`, `arrayMethod`,
 * `attribute`): each names one function of the checker that computes the
 * result type from the argument types, so rows share rules.
 */
export type TypingRule =
  /** a ufunc: the operands' rank, dtype by `ufunc` below */
  | 'ufunc'
  /** a reduction to a scalar, or along `axis=` to an array of one dimension less */
  | 'reduction'
  /** np.dot: a reduction's rules, then the product's rank */
  | 'dot'
  /** matmul: the `@` operator's rule */
  | 'matmul'
  /** np.outer: a 2-d array */
  | 'outer'
  /** the argument's dtype and rank (copy, transpose) */
  | 'same'
  /** the argument's dtype, one dimension (ravel, flatten) */
  | 'flat'
  /** np.cumsum(a[, axis]) / a.cumprod(axis=k): NumPy's accumulation dtype, 1-d or along a literal axis (types/row-rules.ts scanRule) */
  | 'scan'
  /** np.zeros(shape, dtype=float64) */
  | 'alloc'
  /** np.full(shape, value, dtype=float64) */
  | 'full'
  /** np.zeros_like(a, dtype=a.dtype) */
  | 'alloc_like'
  /** .astype(dtype): the same rank, the dtype given (types/dtype-args.ts) */
  | 'astype'
  /** .dtype: the array's dtype, as a dtype argument */
  | 'dtype'
  /** .item(): the element type */
  | 'item'
  /** .fill(value): writes the receiver, returns None */
  | 'fill'
  /** .shape */
  | 'shape'
  /** an int (.ndim, .size) */
  | 'int'
  /** .real/.imag of an array: the float dtype of its elements */
  | 'real_part'
  /** np.reshape(a, shape), a.reshape(shape) or a.reshape(d0, d1, ...): the rank of the shape */
  | 'reshape'
  /** np.flip(a), np.flipud(a), np.fliplr(a): one array, its dtype and rank, no axis= */
  | 'flip'
  /** np.triu(a, k), np.tril(a, k): a 2-d array's dtype and rank */
  | 'tri'
  /** np.linspace(start, stop, num): float64, 1-d */
  | 'linspace'
  /** np.arange(stop) / (start, stop[, step]) [dtype=]: int64 or float64, 1-d, NumPy's formula (types/row-rules.ts) */
  | 'arange'
  /** np.add.outer(a, b) and the like: the ufunc's dtype rule, rank a.ndim + b.ndim */
  | 'ufunc_outer'
  /** np.linalg.cholesky(a): a 2-d float array's dtype, 2-d */
  | 'linalg_square'
  /** np.histogram(a, bins, weights=w): (counts or weight sums, edges) */
  | 'histogram'
  /** np.argmax(a) / a.argmin(): an int64 index into the flattened array; along one literal axis an int64 array (types/row-rules.ts) */
  | 'arg_reduce'
  /** np.any(a) / a.all(): a NumPy bool; along literal axes a bool array (types/row-rules.ts) */
  | 'bool_reduce'
  /** np.count_nonzero(a): a NumPy int64, the count over the whole array (no axis=) */
  | 'count_nonzero'
  /** np.clip(a, lo, hi) / a.clip(lo, hi): a float64 or int64 array's dtype */
  | 'clip'
  /** np.round(a, decimals) / np.around / a.round(): a float64 array's dtype and rank */
  | 'round'
  /** np.eye(N, M, k) / np.identity(n): a 2-d float64 array */
  | 'eye'
  /** np.diag(v, k) of a vector: a 2-d array; of a matrix its diagonal, a read-only view (runtime/row_helpers.diag_view) */
  | 'diag'
  /** np.diagonal(A, offset) / A.diagonal(offset) of a matrix: a read-only view, 1-d */
  | 'diagonal'
  /** np.concatenate/hstack/vstack/stack/column_stack/dstack of a written tuple or list of arrays of one dtype and rank (types/sequences.ts) */
  | 'join'
  /** np.array of a written list of arrays (np.stack) or of numbers, nested (types/sequences.ts) */
  | 'array'
  /** np.bincount(x, weights, minlength): int64 counts or float64 sums */
  | 'bincount'
  /** np.kron(a, b): arrays of one dtype, the larger rank */
  | 'kron'
  /** np.linalg.solve(a, b): b's dtype and rank */
  | 'linalg_solve'
  /** np.linalg.norm(x, ord, axis): NumPy's formula for the literal ord and axis (types/norms.ts); a scalar, or 1-d along an axis of a matrix */
  | 'norm'
  /** np.cov(P) / np.cov(P.T) of a 2-d float64 parameter: a 2-d float64 array (one row: guarded) */
  | 'cov'
  /** np.repeat(a, n[, axis=k]): an int count, a literal axis (flattened without one) */
  | 'repeat'
  /** np.roll(a, shift[, axis=k]): an int shift, a literal axis (flattened without one); the argument's dtype and rank */
  | 'roll'
  /** np.swapaxes(a, i, j) with literal axes: the argument's dtype and rank (a view) */
  | 'swapaxes'
  /** np.tile(a, n) / np.tile(a, (n0, ..., nk)) of an array of known rank: its dtype, the larger rank */
  | 'tile'
  /** np.fft.fft(a, n, axis) and the other transforms: complex64 or complex128 by a's precision (types/fft-calls.ts) */
  | 'fft'
  /** np.fft.fftfreq(n, d): float64, 1-d */
  | 'fftfreq'
  /** np.fft.fftshift(x, axes) / ifftshift: x's dtype and rank */
  | 'fftshift'
  /** np.sort(a, axis, kind) / np.argsort / a.argsort(): a literal axis or None, the default or a stable kind (types/sort-rules.ts) */
  | 'sort'
  /** a.sort(axis, kind): sorts the receiver in place, returns None (types/sort-rules.ts) */
  | 'sort_inplace'
  /** np.unique(a): the sorted distinct values, 1-d (types/sort-rules.ts) */
  | 'unique'
  /** np.searchsorted(a, v, side): int64 positions, v's rank (types/sort-rules.ts) */
  | 'searchsorted'
  /** np.mgrid[a:b, c:d]: subscripted, not called; int64 coordinates (types/grids.ts) */
  | 'grid'
  /** a Python float (np.pi, math.e, math.sqrt(x)) */
  | 'py_float'
  /** a Python int (math.floor) */
  | 'py_int'
  /** a Python bool (math.isnan) */
  | 'py_bool';

export interface UfuncRule {
  /** The result on integer (or bool) arguments: kept integer, or float64 as for np.sqrt. */
  ints: 'keep' | 'float';
  /** A bool result whatever the arguments (np.isnan). */
  bool?: true;
  /** A complex argument gives a real result (np.abs). */
  complexToReal?: true;
  /** The comparison operator it is (np.less is `<`): NumPy 2 promotes its operands as the operator's (types/nep50.ts). */
  compare?: '<' | '<=' | '>' | '>=' | '==' | '!=';
}

export interface TableRow {
  /** Where the name lives: `np.<name>`, `<array>.<name>()`, `<array>.<name>`, `math.<name>`. */
  where: 'numpy' | 'ndarray' | 'ndarray-attr' | 'math';
  /** The name as written after the module or the dot (`linalg.cholesky` for np.linalg.cholesky). */
  name: string;
  typing: TypingRule;
  /** For typing 'ufunc': how the dtype follows the arguments. */
  ufunc?: UfuncRule;
  loop: LoopModel;
  /**
   * What the CPU (Numba) variant prints: the same call (`np.sqrt`) unless a
   * numba_helpers function reproduces NumPy's or CPython's semantics instead.
   */
  numba: string;
  /** The numba_helpers function the variant always calls instead (checks NumPy's shapes, CPython's domain errors). */
  helper?: string;
  numerics: NumericsClass;
  /** For 'ulp' rows: the `math` function that computes the same on Python scalars, bit for bit in both. */
  mathEquivalent?: string;
  /**
   * Inside a CUDA kernel, how one element is computed: `math.<f>` (CUDA's math
   * on a real scalar, the same bits as NumPy's), `abs`, `np.<name>` (printed
   * as written: numba.cuda types it on scalars), `device:<name>` (a device
   * function of runtime/gpu_elementwise.py, NumPy's bits on float64 scalars
   * with IEEE operations alone), `device-matmul` for a
   * product the host computes on the device (codegen/gpu-variant.ts,
   * gpu-forms.ts), or `device-alloc` for an allocation or copy the host
   * makes on the device and a kernel fills (codegen/gpu-allocations.ts;
   * inside a kernel it has none). null: no GPU form; a function calling it inside a kernel
   * gets no GPU variant, and the report says why (gpu-forms.ts gpuAbsence:
   * libdevice's last bits for math's functions, NumPy's own math, a call
   * numba.cuda has no scalar kernel form of, or a whole-array operation).
   */
  gpu: string | null;
  /** poly/lower-slices.ts prints it element by element in lowered slice statements (float64 only). */
  lowers?: true;
  /** scop/temporaries.ts gives a temporary it computes over whole arrays the operands' shape. */
  temporary?: true;
  /** The position of its dtype argument when given positionally (`dtype=` is read too): types/dtype-args.ts. */
  dtypeArg?: number;
  /** For 'product' rows the checker relaxes in `close` mode: how far the compiled result may lie from NumPy's. */
  closeBound?: string;
  /** A method that writes its receiver (a.sort(), a.fill()): the polyhedral model sees a may-write of it whole (scop/extract.ts). */
  writesReceiver?: true;
}

type Row = Omit<TableRow, 'where' | 'name'>;

/**
 * The FFT bound's c (close mode, |compiled - NumPy| <= c*max(1, log2 N)*eps*S per element): the
 * largest measured by bench/fft_error.py is 0.40 (docs/reliability.md, FFT-bound table), kept with a
 * margin; python-bridge/polyray/runtime/close_bounds.py FFT_C is the same number.
 */
export const FFT_BOUND_C = 2;

const ufunc = (ints: 'keep' | 'float', numerics: NumericsClass, name: string, more: Partial<Row> = {}): Row => ({
  typing: 'ufunc', ufunc: { ints }, loop: 'elementwise', numba: `np.${name}`, numerics, gpu: null, ...more,
});
/** NumPy's own (SIMD) math: `ulp`, with the math function that is the same on scalars in both. */
const ownMath = (name: string, mathEquivalent: string, ints: 'keep' | 'float' = 'float'): Row => ufunc(ints, 'ulp', name, { mathEquivalent });

/** np.<name>: functions and ufuncs. */
const NUMPY: Record<string, Row> = {
  // ---- elementwise: exact (the same IEEE operation in NumPy, Numba and CUDA) ----
  // (a GPU form where numba.cuda types the call in a kernel: numba/cuda/ufuncs.py, or math's
  // function of the same bits; the others keep a function using them inside a kernel off the GPU)
  sqrt: ufunc('float', 'exact', 'sqrt', { gpu: 'math.sqrt', lowers: true, temporary: true }),
  abs: ufunc('float', 'exact', 'abs', { ufunc: { ints: 'float', complexToReal: true }, gpu: 'abs', lowers: true, temporary: true }),
  absolute: ufunc('float', 'exact', 'absolute', { ufunc: { ints: 'float', complexToReal: true }, gpu: 'abs', lowers: true, temporary: true }),
  fabs: ufunc('float', 'exact', 'fabs', { gpu: 'math.fabs', lowers: true }),
  negative: ufunc('float', 'exact', 'negative', { temporary: true }),
  square: ufunc('keep', 'exact', 'square', { temporary: true }),
  reciprocal: ufunc('float', 'exact', 'reciprocal'),
  floor: ufunc('float', 'exact', 'floor', { gpu: 'device:np_floor', lowers: true, temporary: true }),
  ceil: ufunc('float', 'exact', 'ceil', { gpu: 'device:np_ceil', lowers: true, temporary: true }),
  maximum: ufunc('keep', 'exact', 'maximum', { gpu: 'np.maximum', temporary: true }),
  minimum: ufunc('keep', 'exact', 'minimum', { gpu: 'np.minimum', temporary: true }),
  fmax: ufunc('keep', 'exact', 'fmax', { gpu: 'np.fmax' }),
  fmin: ufunc('keep', 'exact', 'fmin', { gpu: 'np.fmin' }),
  sign: ufunc('keep', 'exact', 'sign', { gpu: 'device:np_sign' }),
  conj: ufunc('keep', 'exact', 'conj'),
  conjugate: ufunc('keep', 'exact', 'conjugate'),
  real: ufunc('float', 'exact', 'real'),
  imag: ufunc('float', 'exact', 'imag'),
  // x * (pi/180) in NumPy (npy_deg2rad) and Numba alike, float32 and float64 (measured bit for bit on 1e6
  // values of each); np.degrees is not: its float32 constant is rounded otherwise in Numba
  radians: ufunc('float', 'exact', 'radians', { temporary: true }),
  deg2rad: ufunc('float', 'exact', 'deg2rad', { temporary: true }),
  // the C library's hypot in NumPy (npy_hypot) and in compiled code alike
  hypot: ufunc('float', 'exact', 'hypot'),
  where: ufunc('float', 'exact', 'where', { gpu: 'device:np_where' }),
  isnan: ufunc('float', 'exact', 'isnan', { ufunc: { ints: 'float', bool: true }, gpu: 'math.isnan' }),
  isinf: ufunc('float', 'exact', 'isinf', { ufunc: { ints: 'float', bool: true }, gpu: 'math.isinf' }),
  isfinite: ufunc('float', 'exact', 'isfinite', { ufunc: { ints: 'float', bool: true }, gpu: 'math.isfinite' }),
  logical_and: ufunc('float', 'exact', 'logical_and', { ufunc: { ints: 'float', bool: true }, gpu: 'np.logical_and' }),
  logical_or: ufunc('float', 'exact', 'logical_or', { ufunc: { ints: 'float', bool: true }, gpu: 'np.logical_or' }),
  logical_xor: ufunc('float', 'exact', 'logical_xor', { ufunc: { ints: 'float', bool: true }, gpu: 'np.logical_xor' }),
  logical_not: ufunc('float', 'exact', 'logical_not', { ufunc: { ints: 'float', bool: true }, gpu: 'np.logical_not' }),
  // comparisons as functions: the operator's promotion (NEP 50), a bool result
  ...Object.fromEntries(([['less', '<'], ['less_equal', '<='], ['greater', '>'], ['greater_equal', '>='], ['equal', '=='], ['not_equal', '!=']] as const).map(([n, op]) => [n,
    ufunc('float', 'exact', n, { ufunc: { ints: 'float', bool: true, compare: op }, gpu: `np.${n}` })])),
  // the operators as functions (one IEEE operation per element, as `+` is)
  add: ufunc('keep', 'exact', 'add'),
  subtract: ufunc('keep', 'exact', 'subtract'),
  multiply: ufunc('keep', 'exact', 'multiply'),
  divide: ufunc('float', 'exact', 'divide'),
  // ufunc.outer: every pair of elements (numba_helpers.outer_<ufunc>; Numba has no ufunc.outer)
  ...Object.fromEntries(['add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'].map((u) => [`${u}.outer`, {
    typing: 'ufunc_outer', ufunc: { ints: u === 'divide' ? 'float' : 'keep' }, loop: 'outer', numba: `np.${u}.outer`, helper: `outer_${u}`, numerics: 'exact', gpu: null,
  } satisfies Row])),
  // ---- elementwise: NumPy's own implementations (SIMD loops, also for a scalar argument) ----
  // On this project's machine np.exp differs from the C library's exp in 4.6% of random
  // float64 arguments, np.tanh in 47%; np.sin and np.cos agree here but NumPy vectorizes
  // them on other CPUs. `exact` keeps the original; `close` calls the C library within
  // ULP_BOUNDS (numerics.ts). math.* calls the C library in both, so it is exact.
  exp: ownMath('exp', 'exp'),
  log: ownMath('log', 'log'),
  log10: ownMath('log10', 'log10'),
  log2: ownMath('log2', 'log2'),
  sin: ownMath('sin', 'sin'),
  cos: ownMath('cos', 'cos'),
  tan: ownMath('tan', 'tan'),
  arcsin: ownMath('arcsin', 'asin'),
  arccos: ownMath('arccos', 'acos'),
  arctan: ownMath('arctan', 'atan'),
  arctan2: ownMath('arctan2', 'atan2'),
  sinh: ownMath('sinh', 'sinh'),
  cosh: ownMath('cosh', 'cosh'),
  tanh: ownMath('tanh', 'tanh'),
  // on integers np.power stays integer and exact; `ulp` on floats only
  power: ownMath('power', 'pow', 'keep'),
  // ---- reductions ----
  sum: { typing: 'reduction', loop: 'reduction', numba: 'np.sum', numerics: 'reduction', gpu: null },
  mean: { typing: 'reduction', loop: 'reduction', numba: 'np.mean', numerics: 'reduction', gpu: null },
  // without weights NumPy's own code is a.mean(axis): the checker turns the call into np.mean (types/check-numpy-calls.ts);
  // weights= of vectors: NumPy's two pairwise sums, bit for bit (array_helpers.average_weighted); of a matrix
  // along axis=k: both sums in close_reductions' blocks, close mode only (array_helpers.average_weighted_axis)
  average: { typing: 'reduction', loop: 'reduction', numba: 'np.average', numerics: 'reduction', gpu: null },
  prod: { typing: 'reduction', loop: 'reduction', numba: 'np.prod', numerics: 'reduction', gpu: null },
  trace: { typing: 'reduction', loop: 'reduction', numba: 'np.trace', numerics: 'reduction', gpu: null },
  vdot: { typing: 'reduction', loop: 'reduction', numba: 'np.vdot', numerics: 'reduction', gpu: null },
  max: { typing: 'reduction', loop: 'reduction', numba: 'np.max', numerics: 'exact', gpu: null },
  min: { typing: 'reduction', loop: 'reduction', numba: 'np.min', numerics: 'exact', gpu: null },
  amax: { typing: 'reduction', loop: 'reduction', numba: 'np.amax', numerics: 'exact', gpu: null },
  amin: { typing: 'reduction', loop: 'reduction', numba: 'np.amin', numerics: 'exact', gpu: null },
  // add.accumulate runs in order, from the first element: row_helpers.cumsum_flat / cumsum_axis give its bits in both modes
  cumsum: { typing: 'scan', loop: 'scan', numba: 'np.cumsum', numerics: 'reduction', gpu: null, dtypeArg: 2 },
  // multiply.accumulate runs in order in NumPy as in Numba: the same products, bit for bit (complex: finite products only,
  // dtype=: each element cast first; row_helpers.cumprod_dtype)
  cumprod: { typing: 'scan', loop: 'scan', numba: 'np.cumprod', numerics: 'exact', gpu: null, dtypeArg: 2 },
  argmax: { typing: 'arg_reduce', loop: 'reduction', numba: 'np.argmax', numerics: 'exact', gpu: null },
  argmin: { typing: 'arg_reduce', loop: 'reduction', numba: 'np.argmin', numerics: 'exact', gpu: null },
  any: { typing: 'bool_reduce', loop: 'reduction', numba: 'np.any', numerics: 'exact', gpu: null },
  all: { typing: 'bool_reduce', loop: 'reduction', numba: 'np.all', numerics: 'exact', gpu: null },
  // nonzero elements counted (NaN and -0.0 as NumPy does: truthiness), an exact integer
  count_nonzero: { typing: 'count_nonzero', loop: 'reduction', numba: 'np.count_nonzero', numerics: 'exact', gpu: null },
  // ---- products ----
  // (a 1-d np.dot is a reduction: numerics.ts decides by the operands' ranks)
  dot: { typing: 'dot', loop: 'product', numba: 'np.dot', helper: 'dot', numerics: 'product', gpu: 'device-matmul', temporary: true },
  matmul: { typing: 'matmul', loop: 'product', numba: 'np.matmul', helper: 'matmul', numerics: 'product', gpu: 'device-matmul', temporary: true },
  outer: { typing: 'outer', loop: 'outer', numba: 'np.outer', numerics: 'exact', gpu: null },
  // ---- copies and views ----
  copy: { typing: 'same', loop: 'elementwise', numba: 'np.copy', numerics: 'exact', gpu: 'device-alloc' },
  ascontiguousarray: { typing: 'same', loop: 'elementwise', numba: 'np.ascontiguousarray', numerics: 'exact', gpu: null },
  transpose: { typing: 'same', loop: 'view', numba: 'np.transpose', numerics: 'exact', gpu: null },
  // a view exactly where NumPy's is (C-contiguous by the strides at run time), else a copy in C order; Numba's
  // decides by the compiled layout, copying a C-contiguous array typed 'A' (runtime/row_helpers.ravel)
  ravel: { typing: 'flat', loop: 'view', numba: 'np.ravel', helper: 'ravel', numerics: 'exact', gpu: null },
  // a strided view in Numba as in NumPy (the method: NDARRAY's row)
  swapaxes: { typing: 'swapaxes', loop: 'view', numba: 'np.swapaxes', numerics: 'exact', gpu: null },
  // Numba reshapes C-contiguous arrays only (an F-ordered one raises NotImplementedError at run
  // time): numba_helpers.reshape types others out, so their variant fails to compile and the original runs
  reshape: { typing: 'reshape', loop: 'view', numba: 'np.reshape', helper: 'reshape', numerics: 'exact', gpu: null },
  flip: { typing: 'flip', loop: 'view', numba: 'np.flip', numerics: 'exact', gpu: null },
  flipud: { typing: 'flip', loop: 'view', numba: 'np.flipud', numerics: 'exact', gpu: null },
  fliplr: { typing: 'flip', loop: 'view', numba: 'np.fliplr', numerics: 'exact', gpu: null },
  // bounds that are numbers: round_helpers.clip_scalar_bounds (NumPy's NaN bounds; Numba's np.clip ignores them)
  clip: { typing: 'clip', loop: 'elementwise', numba: 'np.clip', numerics: 'exact', gpu: 'device:np_clip' },
  // half to even, and for decimals > 0 NumPy's multiply, rint, divide
  // (with decimals the checker prints runtime/round_helpers.round_decimals: Numba's keeps x where x * 10**d overflows)
  round: { typing: 'round', loop: 'elementwise', numba: 'np.round', numerics: 'exact', gpu: 'device:np_round' },
  around: { typing: 'round', loop: 'elementwise', numba: 'np.around', numerics: 'exact', gpu: 'device:np_round' },
  trunc: ufunc('float', 'exact', 'trunc', { gpu: 'device:np_trunc', lowers: true }),
  rint: ufunc('float', 'exact', 'rint', { gpu: 'device:np_rint', lowers: true }),
  eye: { typing: 'eye', loop: 'allocation', numba: 'np.eye', numerics: 'exact', gpu: null },
  identity: { typing: 'eye', loop: 'allocation', numba: 'np.identity', numerics: 'exact', gpu: null },
  // of a vector: a fresh matrix (Numba's np.diag). Of a matrix NumPy returns a read-only view, Numba a writable
  // copy: the checker prints row_helpers.diag_view, the same view typed read-only (a write does not compile, the
  // original raises), and viewOperand (check-helpers.ts) makes it an alias of the matrix
  diag: { typing: 'diag', loop: 'allocation', numba: 'np.diag', numerics: 'exact', gpu: null },
  diagonal: { typing: 'diagonal', loop: 'view', numba: 'np.diagonal', helper: 'diag_view', numerics: 'exact', gpu: null },
  concatenate: { typing: 'join', loop: 'opaque', numba: 'np.concatenate', numerics: 'exact', gpu: null },
  hstack: { typing: 'join', loop: 'opaque', numba: 'np.hstack', numerics: 'exact', gpu: null },
  vstack: { typing: 'join', loop: 'opaque', numba: 'np.vstack', numerics: 'exact', gpu: null },
  stack: { typing: 'join', loop: 'opaque', numba: 'np.stack', numerics: 'exact', gpu: null },
  column_stack: { typing: 'join', loop: 'opaque', numba: 'np.column_stack', numerics: 'exact', gpu: null },
  dstack: { typing: 'join', loop: 'opaque', numba: 'np.dstack', numerics: 'exact', gpu: null },
  // of arrays it becomes np.stack (types/sequences.ts); of numbers Numba discovers NumPy's dtype
  array: { typing: 'array', loop: 'opaque', numba: 'np.array', numerics: 'exact', gpu: null },
  // weights added in element order, in NumPy as in Numba
  // Numba's does not check the sign of x[0] (it writes before its counts): array_helpers.bincount checks every element first
  bincount: { typing: 'bincount', loop: 'opaque', numba: 'np.bincount', helper: 'bincount', numerics: 'exact', gpu: null },
  kron: { typing: 'kron', loop: 'outer', numba: 'np.kron', numerics: 'exact', gpu: null },
  triu: { typing: 'tri', loop: 'elementwise', numba: 'np.triu', numerics: 'exact', gpu: null },
  tril: { typing: 'tri', loop: 'elementwise', numba: 'np.tril', numerics: 'exact', gpu: null },
  // NumPy's own formula (arange * step + start, the last element stop): numba_helpers.linspace
  linspace: { typing: 'linspace', loop: 'allocation', numba: 'np.linspace', helper: 'linspace', numerics: 'exact', gpu: null },
  // NumPy's start + i*((start + step) - start), not Numba's start + i*step (half of float aranges differ in the last
  // bit); a zero step, a NaN or huge length go to NumPy itself (runtime/row_helpers.arange, through objmode)
  arange: { typing: 'arange', loop: 'allocation', numba: 'np.arange', helper: 'arange', numerics: 'exact', gpu: null },
  // NumPy's equal-bin fast path, block by block (numba_helpers.histogram; Numba's has no weights=)
  histogram: { typing: 'histogram', loop: 'opaque', numba: 'np.histogram', helper: 'histogram', numerics: 'exact', gpu: null },
  // Numba's np.repeat has no axis=: array_helpers.repeat repeats along a literal axis
  repeat: { typing: 'repeat', loop: 'opaque', numba: 'np.repeat', helper: 'repeat', numerics: 'exact', gpu: null },
  // a copy moved by whole elements; Numba's np.roll has no axis=: array_helpers.roll moves along a literal axis
  roll: { typing: 'roll', loop: 'opaque', numba: 'np.roll', helper: 'roll', numerics: 'exact', gpu: null },
  // copies of whole elements; Numba has no np.tile: array_helpers.tile (NumPy's ValueError for negative repetitions)
  tile: { typing: 'tile', loop: 'opaque', numba: 'np.tile', helper: 'tile', numerics: 'exact', gpu: null },
  // ---- sorting (runtime/sort_helpers.py): NumPy's bits in both modes. Numba sorts; where NumPy's unstable
  // order could show (zeros of both signs, NaNs of other bits, equal keys of an argsort) the helper asks
  // NumPy itself; stable kinds have one answer, Numba's mergesort's. Real dtypes only (types/sort-rules.ts) ----
  sort: { typing: 'sort', loop: 'opaque', numba: 'np.sort', helper: 'sort', numerics: 'exact', gpu: null },
  argsort: { typing: 'sort', loop: 'opaque', numba: 'np.argsort', helper: 'argsort', numerics: 'exact', gpu: null },
  unique: { typing: 'unique', loop: 'opaque', numba: 'np.unique', helper: 'unique', numerics: 'exact', gpu: null },
  // Numba's own: NumPy's binary search, comparisons and NaN order included
  searchsorted: { typing: 'searchsorted', loop: 'opaque', numba: 'np.searchsorted', numerics: 'exact', gpu: null },
  // integer slices only: the coordinates a + k*step (array_helpers.mgrid; Numba has no mgrid)
  mgrid: { typing: 'grid', loop: 'allocation', numba: 'np.mgrid', helper: 'mgrid', numerics: 'exact', gpu: null },
  // ---- linear algebra (LAPACK through Numba: SciPy's build, not NumPy's) ----
  'linalg.cholesky': {
    typing: 'linalg_square', loop: 'opaque', numba: 'np.linalg.cholesky', numerics: 'product', gpu: null,
    closeBound: "LAPACK's potrf from SciPy's build instead of NumPy's: both backward stable (||A - L L^T|| <= c n eps ||A||); entries may differ in the last bits, more for ill-conditioned A",
  },
  // the means, then the centered product through BLAS (another build): close mode only; a single
  // variable (NumPy: a 0-d array) is left to the original by the guard (poly/table-preconditions.ts)
  cov: {
    typing: 'cov', loop: 'opaque', numba: 'np.cov', helper: 'cov', numerics: 'product', gpu: null,
    closeBound: 'means by sums in another order and the centered product through BLAS (another build): per entry <= 3.03*n*eps*sum_k (|x_ik|+|m_i|)(|x_jk|+|m_j|)/(n-1) from NumPy\'s, n the observations',
  },
  'linalg.inv': {
    typing: 'linalg_square', loop: 'opaque', numba: 'np.linalg.inv', numerics: 'product', gpu: null,
    closeBound: "LAPACK's LU (getrf) from SciPy's build instead of NumPy's gesv: both backward stable; entries may differ by about n * eps * cond(A) relative to the inverse",
  },
  'linalg.solve': {
    typing: 'linalg_solve', loop: 'opaque', numba: 'np.linalg.solve', helper: 'solve', numerics: 'product', gpu: null,
    closeBound: "LAPACK's gesv from SciPy's build instead of NumPy's: both backward stable; the solutions may differ by about n * eps * cond(A) relative to x",
  },
  // NumPy's formulas (sqrt(x.dot(x)), add.reduce of |x| or x*x, max/min of |x|: runtime/norms.py), never
  // Numba's scaled nrm2, which stays finite where NumPy overflows; the class of each form is types/norms.ts's
  'linalg.norm': {
    typing: 'norm', loop: 'reduction', numba: 'np.linalg.norm', helper: 'norm', numerics: 'reduction', gpu: null,
  },
  // ---- np.fft (types/fft-calls.ts, runtime/fft_helpers.py) ----
  // `exact` calls NumPy's transform from compiled code (numba.objmode), so its bits; `close` computes
  // it with rocket-fft (DUCC0) in compiled code, bound measured by bench/fft_error.py
  ...Object.fromEntries(['fft', 'ifft', 'rfft', 'irfft', 'fft2', 'ifft2', 'rfft2', 'irfft2', 'fftn', 'ifftn', 'rfftn', 'irfftn'].map((f) => [`fft.${f}`, {
    typing: 'fft', loop: 'opaque', numba: `np.fft.${f}`, helper: `rf_${f}`, numerics: 'product', gpu: null,
    closeBound: `rocket-fft (DUCC0) instead of NumPy's pocketfft: per element |compiled - NumPy| <= ${FFT_BOUND_C}*max(1, log2 N)*eps*S, N the transform's length (the product over its axes), S = sum|a| times the norm's scale (backward: 1, 1/N for inverses; ortho: 1/sqrt(N); forward: 1/N, 1 for inverses; irfft*: the half spectrum counted twice), eps of a's precision; inf and NaN input: NumPy's transform`,
  } satisfies Row])),
  // NumPy's formula, integers times 1/(n*d) (fft_helpers.fftfreq), the same bits
  'fft.fftfreq': { typing: 'fftfreq', loop: 'allocation', numba: 'np.fft.fftfreq', helper: 'fftfreq', numerics: 'exact', gpu: null },
  // whole elements moved (rocket-fft's own, a roll by half of each axis)
  'fft.fftshift': { typing: 'fftshift', loop: 'opaque', numba: 'np.fft.fftshift', numerics: 'exact', gpu: null },
  'fft.ifftshift': { typing: 'fftshift', loop: 'opaque', numba: 'np.fft.ifftshift', numerics: 'exact', gpu: null },
  // ---- allocations ----
  zeros: { typing: 'alloc', loop: 'allocation', numba: 'np.zeros', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  empty: { typing: 'alloc', loop: 'allocation', numba: 'np.empty', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  ones: { typing: 'alloc', loop: 'allocation', numba: 'np.ones', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  full: { typing: 'full', loop: 'allocation', numba: 'np.full', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 2 },
  zeros_like: { typing: 'alloc_like', loop: 'allocation', numba: 'np.zeros_like', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  empty_like: { typing: 'alloc_like', loop: 'allocation', numba: 'np.empty_like', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  ones_like: { typing: 'alloc_like', loop: 'allocation', numba: 'np.ones_like', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 1 },
  // np.ndarray(shape, dtype) allocates like np.empty (numba_helpers.ndarray: Numba has no ndarray constructor)
  ndarray: { typing: 'alloc', loop: 'allocation', numba: 'np.empty', helper: 'ndarray', numerics: 'exact', gpu: null, dtypeArg: 1 },
};

/** np.<name> modules whose functions are rows named `<name>.<function>`. */
const NUMPY_SUBMODULES = ['linalg', 'fft'];

/** np.<name> constants: Python floats to the checker (np.newaxis is only read inside subscripts). */
const NUMPY_CONSTANT_NAMES = ['pi', 'e', 'inf', 'nan', 'newaxis'];

/** <array>.<name>(...): methods. */
const NDARRAY: Record<string, Row> = {
  sum: { typing: 'reduction', loop: 'reduction', numba: '.sum', numerics: 'reduction', gpu: null },
  mean: { typing: 'reduction', loop: 'reduction', numba: '.mean', numerics: 'reduction', gpu: null },
  prod: { typing: 'reduction', loop: 'reduction', numba: '.prod', numerics: 'reduction', gpu: null },
  trace: { typing: 'reduction', loop: 'reduction', numba: '.trace', numerics: 'reduction', gpu: null },
  max: { typing: 'reduction', loop: 'reduction', numba: '.max', numerics: 'exact', gpu: null },
  min: { typing: 'reduction', loop: 'reduction', numba: '.min', numerics: 'exact', gpu: null },
  item: { typing: 'item', loop: 'gather', numba: '.item', numerics: 'exact', gpu: null },
  cumsum: { typing: 'scan', loop: 'scan', numba: '.cumsum', numerics: 'reduction', gpu: null, dtypeArg: 1 },
  ravel: { typing: 'flat', loop: 'view', numba: '.ravel', helper: 'ravel', numerics: 'exact', gpu: null },
  flatten: { typing: 'flat', loop: 'elementwise', numba: '.flatten', numerics: 'exact', gpu: null },
  copy: { typing: 'same', loop: 'elementwise', numba: '.copy', numerics: 'exact', gpu: 'device-alloc' },
  transpose: { typing: 'same', loop: 'view', numba: '.transpose', numerics: 'exact', gpu: null },
  conj: { typing: 'same', loop: 'elementwise', numba: '.conj', numerics: 'exact', gpu: null },
  conjugate: { typing: 'same', loop: 'elementwise', numba: '.conjugate', numerics: 'exact', gpu: null },
  fill: { typing: 'fill', loop: 'allocation', numba: '.fill', numerics: 'exact', gpu: null, writesReceiver: true },
  // in place, through sort_helpers (the receiver's lines sorted as np.sort sorts them)
  sort: { typing: 'sort_inplace', loop: 'opaque', numba: '.sort', helper: 'sort_inplace', numerics: 'exact', gpu: null, writesReceiver: true },
  argsort: { typing: 'sort', loop: 'opaque', numba: '.argsort', helper: 'argsort', numerics: 'exact', gpu: null },
  astype: { typing: 'astype', loop: 'elementwise', numba: '.astype', numerics: 'exact', gpu: 'device-alloc', dtypeArg: 0 },
  reshape: { typing: 'reshape', loop: 'view', numba: '.reshape', helper: 'reshape', numerics: 'exact', gpu: null },
  argmax: { typing: 'arg_reduce', loop: 'reduction', numba: '.argmax', numerics: 'exact', gpu: null },
  argmin: { typing: 'arg_reduce', loop: 'reduction', numba: '.argmin', numerics: 'exact', gpu: null },
  any: { typing: 'bool_reduce', loop: 'reduction', numba: '.any', numerics: 'exact', gpu: null },
  all: { typing: 'bool_reduce', loop: 'reduction', numba: '.all', numerics: 'exact', gpu: null },
  clip: { typing: 'clip', loop: 'elementwise', numba: '.clip', numerics: 'exact', gpu: null },
  diagonal: { typing: 'diagonal', loop: 'view', numba: '.diagonal', helper: 'diag_view', numerics: 'exact', gpu: null },
  // np.swapaxes's view (Numba has no such method: array_helpers.swapaxes of the receiver)
  swapaxes: { typing: 'swapaxes', loop: 'view', numba: '.swapaxes', helper: 'swapaxes', numerics: 'exact', gpu: null },
  cumprod: { typing: 'scan', loop: 'scan', numba: '.cumprod', numerics: 'exact', gpu: null, dtypeArg: 1 },
};

/** <array>.<name>: attributes. */
const NDARRAY_ATTR: Record<string, Row> = {
  shape: { typing: 'shape', loop: 'none', numba: '.shape', numerics: 'exact', gpu: null },
  ndim: { typing: 'int', loop: 'none', numba: '.ndim', numerics: 'exact', gpu: null },
  size: { typing: 'int', loop: 'none', numba: '.size', numerics: 'exact', gpu: null },
  T: { typing: 'same', loop: 'view', numba: '.T', numerics: 'exact', gpu: null },
  real: { typing: 'real_part', loop: 'view', numba: '.real', numerics: 'exact', gpu: null },
  imag: { typing: 'real_part', loop: 'view', numba: '.imag', numerics: 'exact', gpu: null },
  dtype: { typing: 'dtype', loop: 'none', numba: '.dtype', numerics: 'exact', gpu: null },
};

const mathFn = (typing: 'py_float' | 'py_int' | 'py_bool', name: string, helper?: string, gpu: string | null = null): Row => ({
  typing, loop: 'scalar', numba: `math.${name}`, numerics: 'exact', gpu, ...(helper ? { helper } : {}),
});

/**
 * math.<name>: the C library in CPython and in compiled code, so exact. The
 * helper raises CPython's ValueError where the C function would return nan
 * (numba_helpers); `pow` also its ZeroDivisionError. On a GPU, CUDA's
 * libdevice computes them, whose last bits are not the C library's: only the
 * correctly rounded or exact ones have a GPU form (sqrt, fabs, copysign and
 * the tests); floor, ceil and trunc return a Python int, and CPython raises
 * on inf and nan where a kernel cannot.
 */
const MATH: Record<string, Row> = {
  sqrt: mathFn('py_float', 'sqrt', 'sqrt', 'math.sqrt'),
  log: mathFn('py_float', 'log', 'log'),
  log10: mathFn('py_float', 'log10', 'log10'),
  log2: mathFn('py_float', 'log2', 'log2'),
  acos: mathFn('py_float', 'acos', 'acos'),
  asin: mathFn('py_float', 'asin', 'asin'),
  exp: mathFn('py_float', 'exp', 'exp'),
  pow: mathFn('py_float', 'pow', 'mathpow'),
  // CPython raises where the C function returns nan or inf: sin/cos/tan of an infinity, sinh/cosh/
  // expm1 overflowing, log1p at or below -1 (runtime/math_helpers.py raises the same in compiled code)
  ...Object.fromEntries(['sin', 'cos', 'tan', 'sinh', 'cosh', 'expm1', 'log1p'].map((n) => [n, mathFn('py_float', n, n)])),
  // (no rows for gamma, lgamma and hypot: CPython computes them with its own algorithms, whose
  // last bits differ from the C library's that compiled code calls; they keep the original)
  ...Object.fromEntries(['atan', 'atan2', 'tanh', 'fabs', 'copysign',
    'fmod', 'erf', 'erfc', 'degrees', 'radians'].map((n) => [n, mathFn('py_float', n, undefined, ['fabs', 'copysign'].includes(n) ? `math.${n}` : null)])),
  floor: mathFn('py_int', 'floor'),
  ceil: mathFn('py_int', 'ceil'),
  trunc: mathFn('py_int', 'trunc'),
  isnan: mathFn('py_bool', 'isnan', undefined, 'math.isnan'),
  isinf: mathFn('py_bool', 'isinf', undefined, 'math.isinf'),
  isfinite: mathFn('py_bool', 'isfinite', undefined, 'math.isfinite'),
};

const MATH_CONSTANT_NAMES = ['pi', 'e', 'inf', 'nan', 'tau'];

const withNames = (where: TableRow['where'], rows: Record<string, Row>): Map<string, TableRow> =>
  new Map(Object.entries(rows).map(([name, r]) => [name, { where, name, ...r }]));

const NUMPY_ROWS = withNames('numpy', NUMPY);
const NDARRAY_ROWS = withNames('ndarray', NDARRAY);
const NDARRAY_ATTR_ROWS = withNames('ndarray-attr', NDARRAY_ATTR);
const MATH_ROWS = withNames('math', MATH);

/** Every row, for tests and documentation. */
export const TABLE: readonly TableRow[] = [...NUMPY_ROWS.values(), ...NDARRAY_ROWS.values(), ...NDARRAY_ATTR_ROWS.values(), ...MATH_ROWS.values()];

/** np.<name>(...) (`name` without the `numpy.` prefix; `linalg.norm` for a submodule's). */
export function numpyFunction(name: string): TableRow | undefined {
  return NUMPY_ROWS.get(name);
}

/** <array>.<name>(...). */
export function arrayMethod(name: string): TableRow | undefined {
  return NDARRAY_ROWS.get(name);
}

/** <array>.<name>. */
export function arrayAttribute(name: string): TableRow | undefined {
  return NDARRAY_ATTR_ROWS.get(name);
}

/** math.<name>(...). */
export function mathFunction(name: string): TableRow | undefined {
  return MATH_ROWS.get(name);
}

export function isNumpyConstant(name: string): boolean {
  return NUMPY_CONSTANT_NAMES.includes(name);
}

export function isNumpySubmodule(name: string): boolean {
  return NUMPY_SUBMODULES.includes(name);
}

export function isMathConstant(name: string): boolean {
  return MATH_CONSTANT_NAMES.includes(name);
}

/** The function `np.<name>` names, when it is one that allocates a fresh array (every element written). */
export function isNumpyAllocation(name: string): boolean {
  return NUMPY_ROWS.get(name)?.loop === 'allocation';
}
