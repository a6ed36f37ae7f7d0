// The types Polyray infers. Scalars remember their origin because CPython and
// NumPy scalars differ exactly where Numba must be told which to imitate:
// a Python float divided by zero raises, a NumPy float64 gives inf.
export type ScalarKind = 'bool' | 'int' | 'float' | 'complex';
/** py: a Python int/float/complex; np: a NumPy scalar; mixed: either, depending on the run. */
export type Origin = 'py' | 'np' | 'mixed';

export type Ty =
  /**
   * dtype: a NumPy scalar's exact dtype when known (an element of a uint8
   * array is a uint8 scalar); absent for Python scalars (weak under NEP 50,
   * types/promotion.ts) and where unknown (then a 64-bit dtype of its kind:
   * arrays of unknown dtype are limited to those by the dispatcher).
   */
  | { kind: 'scalar'; scalar: ScalarKind; origin: Origin; dtype?: string }
  | { kind: 'array'; dtype: string | null; ndim: number | null }
  | { kind: 'none' }
  | { kind: 'shape' }
  | { kind: 'module'; name: string }
  | { kind: 'callable'; qualified: string }
  /** a dtype argument; null: an array's `.dtype` known only at run time */
  | { kind: 'dtype'; dtype: string | null }
  | { kind: 'tuple'; elts: Ty[] }
  | { kind: 'unknown' };

export const UNKNOWN: Ty = { kind: 'unknown' };
export const NONE: Ty = { kind: 'none' };

export function scalar(s: ScalarKind, origin: Origin, dtype?: string | null): Ty {
  return dtype ? { kind: 'scalar', scalar: s, origin, dtype } : { kind: 'scalar', scalar: s, origin };
}

/** A NumPy scalar of a dtype (its kind from the dtype). */
export function npScalar(dtype: string | null): Ty {
  return scalar(dtypeScalar(dtype), 'np', dtype);
}

const SCALAR_RANK: Record<ScalarKind, number> = { bool: 0, int: 1, float: 2, complex: 3 };

export function widerScalar(a: ScalarKind, b: ScalarKind): ScalarKind {
  return SCALAR_RANK[a] >= SCALAR_RANK[b] ? a : b;
}

export function joinOrigin(a: Origin, b: Origin): Origin {
  return a === b ? a : 'mixed';
}

/** Least upper bound of two types (for a local assigned more than once). */
export function join(a: Ty, b: Ty): Ty {
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    // differing dtypes are reported by the checker (bindLocal) where Numba would unify them differently
    return scalar(widerScalar(a.scalar, b.scalar), joinOrigin(a.origin, b.origin), a.dtype === b.dtype ? a.dtype : null);
  }
  if (a.kind === 'array' && b.kind === 'array') {
    return {
      kind: 'array',
      dtype: a.dtype === b.dtype ? a.dtype : null,
      ndim: a.ndim === b.ndim ? a.ndim : null,
    };
  }
  if (a.kind === b.kind && a.kind !== 'tuple') return a;
  return UNKNOWN;
}

export function sameTy(a: Ty, b: Ty): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Scalar kind of a NumPy dtype name. */
export function dtypeScalar(dtype: string | null): ScalarKind {
  if (dtype === null) return 'float';
  if (dtype === 'bool') return 'bool';
  if (dtype.startsWith('int') || dtype.startsWith('uint')) return 'int';
  if (dtype.startsWith('complex')) return 'complex';
  return 'float';
}

/** The dtype of a NumPy scalar of each kind whose dtype is not known (and of a Python scalar inside NumPy). */
export const DEFAULT_DTYPE = { bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128' } as const;
const DEFAULT_DTYPES = new Set<string>(Object.values(DEFAULT_DTYPE));

export function describe(t: Ty): string {
  switch (t.kind) {
    case 'scalar':
      return t.origin === 'np' && t.dtype && !DEFAULT_DTYPES.has(t.dtype) ? `numpy ${t.dtype}` : `${t.origin === 'np' ? 'numpy ' : ''}${t.scalar}`;
    case 'array':
      return `array(${t.dtype ?? 'any dtype'}, ${t.ndim ?? 'any'}-d)`;
    default:
      return t.kind;
  }
}
