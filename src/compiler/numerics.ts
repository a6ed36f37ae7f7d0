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
 * Documented K, per NumPy function: the most ULP the CPU variant's result
 * (the C library's function, as Numba calls it) may lie from NumPy's, on
 * float64 and float32 arguments. Measured by scripts/measure_ulp.py over
 * random and edge arguments (subnormals, huge, near poles, signed zeros,
 * inf, nan) and kept at least one above the largest distance seen, since a
 * sample is not a proof; test/python/test_ulp_bounds.py fails when a
 * measurement exceeds it, and checks that docs/reliability.md shows these
 * numbers. `power` also stands for `**` on float arrays.
 */
export const ULP_BOUNDS: Readonly<Record<string, number>> = {
  exp: 2, exp2: 2, expm1: 2, log: 2, log10: 2, log2: 2, log1p: 2,
  sin: 2, cos: 2, tan: 2, arcsin: 2, arccos: 2, arctan: 2, arctan2: 2,
  sinh: 3, cosh: 3, tanh: 3, arcsinh: 3, arccosh: 3, arctanh: 3, cbrt: 2, power: 2,
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
  return { line, col, operation, bound: `computed by the C library, <= ${k} ULP from NumPy's result per element` };
}
