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
}

export function ulpNote(line: number, col: number, fn: string, operation: string): CloseNote {
  const k = ULP_BOUNDS[fn];
  const bound = k
    ? `computed by the C library, <= ${k.float64} ULP from NumPy's result per element (float64; ${k.float32} for float32)`
    : 'computed by the C library: no measured ULP bound';
  return { line, col, operation, bound };
}
