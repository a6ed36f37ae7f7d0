// The types Polyray infers. Scalars remember their origin because CPython and
// NumPy scalars differ exactly where Numba must be told which to imitate:
// a Python float divided by zero raises, a NumPy float64 gives inf.
export type ScalarKind = 'bool' | 'int' | 'float' | 'complex';
/** py: a Python int/float/complex; np: a NumPy scalar; mixed: either, depending on the run. */
export type Origin = 'py' | 'np' | 'mixed';

export type Ty =
  | { kind: 'scalar'; scalar: ScalarKind; origin: Origin }
  | { kind: 'array'; dtype: string | null; ndim: number | null }
  | { kind: 'none' }
  | { kind: 'shape' }
  | { kind: 'module'; name: string }
  | { kind: 'callable'; qualified: string }
  | { kind: 'dtype'; dtype: string }
  | { kind: 'tuple'; elts: Ty[] }
  | { kind: 'unknown' };

export const UNKNOWN: Ty = { kind: 'unknown' };
export const NONE: Ty = { kind: 'none' };

export function scalar(s: ScalarKind, origin: Origin): Ty {
  return { kind: 'scalar', scalar: s, origin };
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
    return scalar(widerScalar(a.scalar, b.scalar), joinOrigin(a.origin, b.origin));
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

export function describe(t: Ty): string {
  switch (t.kind) {
    case 'scalar':
      return `${t.origin === 'np' ? 'numpy ' : ''}${t.scalar}`;
    case 'array':
      return `array(${t.dtype ?? 'any dtype'}, ${t.ndim ?? 'any'}-d)`;
    default:
      return t.kind;
  }
}
