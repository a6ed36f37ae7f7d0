// The numerics modes (issue 16; docs/ARCHITECTURE.md "Numerics"): `exact`
// gives the original's results bit for bit; `close` (the default) lets
// compiled code differ from them by floating-point rounding within bounds
// stated here and in docs/reliability.md, and everything else (integers,
// dtypes, shapes, NaN/inf positions, exceptions) stays exact.

export type Numerics = 'exact' | 'close';

export const NUMERICS_MODES: readonly Numerics[] = ['exact', 'close'];

/** The mode when neither a flag, POLYRAY_NUMERICS nor a setting chooses one. */
export const DEFAULT_NUMERICS: Numerics = 'close';

/** The mode a flag, environment variable or setting names, or null when it names none. */
export function parseNumerics(value: unknown): Numerics | null {
  return typeof value === 'string' && (NUMERICS_MODES as readonly string[]).includes(value.trim()) ? (value.trim() as Numerics) : null;
}

/**
 * Documented K, per NumPy function and dtype: the most ULP the CPU variant's
 * result (the C library's function, as Numba calls it) may lie from NumPy's.
 * Measured by scripts/measure_ulp.py (2,000,000 random arguments per function
 * and dtype plus edge values: subnormals, huge, near poles, signed zeros, inf,
 * nan) and set one above the largest distance seen there, since a sample is
 * not a proof; test/python/test_ulp_bounds.py fails when a measurement exceeds
 * it. The float32 column is larger: NumPy's float32 loops and the C library's
 * float32 functions round differently. `power` also stands for `**` on float
 * arrays. Only the functions the type checker accepts in `close` mode.
 */
export const ULP_BOUNDS: Readonly<Record<string, { float64: number; float32: number }>> = {
  exp: { float64: 2, float32: 3 },
  log: { float64: 2, float32: 4 },
  log10: { float64: 3, float32: 5 },
  log2: { float64: 2, float32: 3 },
  sin: { float64: 1, float32: 2 },
  cos: { float64: 1, float32: 2 },
  tan: { float64: 2, float32: 4 },
  arcsin: { float64: 2, float32: 4 },
  arccos: { float64: 2, float32: 3 },
  arctan: { float64: 2, float32: 3 },
  arctan2: { float64: 2, float32: 4 },
  sinh: { float64: 3, float32: 3 },
  cosh: { float64: 3, float32: 3 },
  tanh: { float64: 4, float32: 4 },
  power: { float64: 2, float32: 2 },
};

/** One place where a close-mode function's results may differ from the original's, and by how much. */
export interface CloseNote {
  line: number;
  col: number;
  /** The operation, as written (`np.exp`, `'**'`). */
  operation: string;
  /** How far apart the results may be, in words ("<= 2 ULP from NumPy's"). */
  bound: string;
  /**
   * The numerics class (docs/reliability.md): `ulp` (elementwise math, C library),
   * `product` (BLAS), `reduction` (sums in another order).
   */
  kind: 'ulp' | 'product' | 'reduction';
  /** Whether the GPU variant computes it within the same bound (products: cuBLAS or the host, any order). */
  gpu: boolean;
}

export function ulpNote(line: number, col: number, fn: string, operation: string): CloseNote {
  const k = ULP_BOUNDS[fn];
  const bound = k
    ? `computed by the C library, <= ${k.float64} ULP from NumPy's result per element (float64; ${k.float32} for float32)`
    : 'computed by the C library: no measured ULP bound';
  return { line, col, operation, bound, kind: 'ulp', gpu: false };
}

/**
 * A product through BLAS (`@`, np.matmul, np.dot of float or complex arrays):
 * Numba calls SciPy's OpenBLAS build, NumPy its own, and their last bits differ
 * (NPBench gemm, 2mm, 3mm at 200x200). Each result is within gamma_k*(|A|.|B|) of
 * the exact product whatever the summation order (Higham, Accuracy and Stability
 * of Numerical Algorithms, 2nd ed., Thm 3.5; FMA included), gamma_k = k*u/(1-k*u),
 * u = eps/2, so the two differ by at most 2*gamma_k <= 1.01*k*eps times (|A|.|B|)
 * per element (k*eps <= 0.02), k the summed dimension.
 */
export const PRODUCT_BOUND = "through BLAS (Numba's build, not NumPy's): per element <= 1.01*k*eps*(|A|@|B|)[i, j] from NumPy's, k the summed dimension";

export function productNote(line: number, col: number, operation: string): CloseNote {
  return { line, col, operation, bound: PRODUCT_BOUND, kind: 'product', gpu: true };
}

/**
 * Why an exact-mode function keeps its original for a product, or null when the
 * product is exact (integer and boolean operands: no rounding).
 */
export function productRefusal(operation: string, dtypes: readonly (string | null)[]): string | null {
  if (dtypes.every((d) => d !== null && /^(u?int|bool)/.test(d))) return null;
  return `${operation} of ${dtypes.some((d) => d === null) ? 'arrays of unknown dtype' : 'floating-point arrays'}: compiled code calls another BLAS build than NumPy's, whose last bits differ (exact mode keeps the original; close mode compiles it)`;
}

/**
 * A reduction in close mode (types/reductions.ts): each line of n terms added
 * pairwise in float64 with blocks fixed by n (python-bridge/polyray/runtime/
 * close_reductions.py), every term through at most D(n) <= ceil(log2 n) + 18
 * roundings, so within gamma_D(n)*sum|x| of the exact sum (Higham (4.4)); NumPy's
 * own order is the same pairwise one along a line contiguous in memory and
 * row after row (D = n - 1) otherwise. The two differ by at most the sum.
 * docs/reliability.md "Reduction-bound table" gives mean, var and std, and
 * polyray.runtime.close_bounds computes each, per element.
 */
export function reductionNote(line: number, col: number, operation: string, terms: string): CloseNote {
  return {
    line,
    col,
    operation,
    bound: `${terms}, blocks fixed by the length n (same bits on every call): <= (D(n) + D_NumPy(n))*eps/2*sum|x| from NumPy's sum (eps of the dtype added in), D(n) <= ceil(log2 n) + 18, D_NumPy(n) = n - 1 along an axis not contiguous in memory (mean, var, std: docs/reliability.md reduction-bound table)`,
    kind: 'reduction',
    gpu: false,
  };
}

/**
 * A loop's scalar sum `s += t` run as fixed blocks in parallel
 * (poly/blocked-reductions.ts): the original adds the N terms to s one after
 * another (each through at most N roundings), the variant adds each block's in
 * the original order, the first block starting from s, and then the B partial
 * sums in block order (each term through at most M + B - 1 roundings, M the
 * most additions in one block). The terms themselves are computed the same
 * way on both sides (no contraction into FMA), so the two results differ by at
 * most (gamma(N) + gamma(M + B - 1))*(|s0| + sum|t|) (Higham (4.4)), i.e.
 * 1.01*(N + M + B - 1)*eps/2*(|s0| + sum|t|) while that factor is under 0.01.
 * polyray.runtime.close_bounds.loop_sum_bound computes it.
 */
export function loopReductionNote(line: number, col: number, scalar: string, blocks: string): CloseNote {
  return {
    line,
    col,
    operation: `${scalar} += ...`,
    bound: `reassociated: ${blocks}, run in parallel, each in the original order, the partial sums added in block order (same bits with any thread count): <= 1.01*(N + M + B - 1)*eps/2*(|${scalar}0| + sum|terms|) from the original, N the additions to ${scalar}, M the most in one block, B the blocks`,
    kind: 'reduction',
    gpu: false,
  };
}

/**
 * A loop's sums into array elements run in fixed blocks of iterations
 * (poly/blocked-array-reductions.ts): each element is a sum of its own terms
 * like loopReductionNote's scalar, the same bound per element.
 */
export function arraySumNote(line: number, col: number, array: string, blocks: string): CloseNote {
  return {
    line,
    col,
    operation: `${array}[...] += ...`,
    bound: `reassociated: ${blocks}, run in parallel, each adding into a partial array of its own in the original order, the partial arrays added to ${array} in block order (same bits with any thread count): per element <= 1.01*(N + M + B - 1)*eps/2*(|${array}0| + sum|terms|) from the original, N the additions to it, M the most in one block, B the blocks`,
    kind: 'reduction',
    gpu: false,
  };
}

/**
 * A loop computing a matrix product (poly/product-loops.ts), replaced by a BLAS
 * product T = Y @ Z over its k range and one update X += c*T: both the
 * original (each term through the f - 1 roundings of its f factors, then added
 * one after another to X0) and the variant (BLAS within gamma_k of the exact
 * product whatever its order, FMA included, Higham Thm 3.5; then c*T and the
 * addition to X0) are within gamma(k + f + 1)*(|X0| + |c|*(|Y|@|Z|)) of the exact
 * result, so they differ by at most twice that: 1.01*(k + f + 1)*eps*(...) per
 * element while (k + f + 1)*eps <= 0.02. An update adding t such terms
 * (syr2k's `c*Y[b, k]*Z[a, k] + c*Z[b, k]*Y[a, k]`, one product each, then
 * `X += c*T1 + c*T2`) takes t - 1 more roundings on each side: gamma(k + f + t)
 * of the sum over the terms of |c|*(|Y|@|Z|).
 */
export function productLoopNote(line: number, col: number, operation: string, terms = 1): CloseNote {
  const bound = terms === 1 ? '1.01*(k + f + 1)*eps*(|X0| + |c|*(|Y|@|Z|))' : `1.01*(k + f + ${terms})*eps*(|X0| + the sum over its ${terms} terms of |c|*(|Y|@|Z|))`;
  return {
    line,
    col,
    operation,
    bound: `the loop over k through BLAS (Numba's np.dot over the k range, computed before the nest): per element <= ${bound} from the original, k the summed length (a triangular range: the masked operand's whole extent), f the factors of a term, c their scalar product, X0 the value before the loop`,
    kind: 'product',
    // the GPU variant runs the loops as written
    gpu: true,
  };
}

/**
 * An innermost loop that only adds terms into float64 elements kept in locals
 * (codegen/local-accumulators.ts), run in close mode as a function compiled
 * with fast-math reassociation and contraction only, which LLVM vectorizes into
 * SIMD lanes (its own order of partial sums, fixed when it compiles, so the
 * same bits on every call and with any thread count). Any order of the N
 * additions, and a product of f factors in any order or fused into the
 * addition, is within gamma(N + f)*(|x0| + sum|t|) of the exact sum, and so is
 * the original's: they differ by at most twice that, 1.01*(N + f)*eps*(...)
 * while (N + f)*eps <= 0.02 (Higham Thm 3.5 and eq. 3.4).
 */
export function simdSumNote(line: number, col: number, operation: string): CloseNote {
  return {
    line,
    col,
    operation,
    bound: 'summed in SIMD lanes (fast-math reassoc and contract on the loop alone; the element kept in a local): <= 1.01*(N + f)*eps*(|x0| + sum|terms|) from the original, N the terms added to the element by the loop, f the factors of a term, x0 its value before the loop',
    kind: 'reduction',
    // the GPU variant runs the loops as written
    gpu: true,
  };
}
