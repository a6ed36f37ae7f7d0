// NumPy 2's type promotion (NEP 50), as data. Two NumPy operands (arrays or
// NumPy scalars, "strong") promote to the smallest dtype both cast to safely;
// a Python int/float/complex/bool ("weak") takes the other operand's dtype
// when that dtype's kind is at least its own (uint8 + 300 is uint8 and raises
// OverflowError, float32 * 0.1 is float32) and otherwise becomes the weak
// kind's dtype at the partner's precision (int8 + 0.5 is float64, float32 +
// 1j is complex64). test/ts/promotion.test.ts checks every pair against
// np.result_type (fixture generated with the .venv's NumPy).
// float16 is left out: Numba does not compile it (the dispatcher refuses it).

export type Dtype =
  | 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64'
  | 'float32' | 'float64' | 'complex64' | 'complex128';

/** The kinds of Python scalars, from the lowest. */
export type PyKind = 'bool' | 'int' | 'float' | 'complex';

/** Promotion order: the first dtype two strong operands both cast to safely is their promotion. */
export const DTYPES: readonly Dtype[] = [
  'bool', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64',
  'float32', 'float64', 'complex64', 'complex128',
];

/** np.can_cast(from, to, 'safe') for every pair (each dtype casts to itself). */
const SAFE_CASTS: Record<Dtype, readonly Dtype[]> = {
  bool: DTYPES,
  uint8: ['uint8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'float32', 'float64', 'complex64', 'complex128'],
  int8: ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'complex64', 'complex128'],
  uint16: ['uint16', 'uint32', 'int32', 'uint64', 'int64', 'float32', 'float64', 'complex64', 'complex128'],
  int16: ['int16', 'int32', 'int64', 'float32', 'float64', 'complex64', 'complex128'],
  uint32: ['uint32', 'uint64', 'int64', 'float64', 'complex128'],
  int32: ['int32', 'int64', 'float64', 'complex128'],
  uint64: ['uint64', 'float64', 'complex128'],
  int64: ['int64', 'float64', 'complex128'],
  float32: ['float32', 'float64', 'complex64', 'complex128'],
  float64: ['float64', 'complex128'],
  complex64: ['complex64', 'complex128'],
  complex128: ['complex128'],
};

const KIND_OF: Record<Dtype, PyKind> = {
  bool: 'bool', int8: 'int', int16: 'int', int32: 'int', int64: 'int', uint8: 'int', uint16: 'int', uint32: 'int', uint64: 'int',
  float32: 'float', float64: 'float', complex64: 'complex', complex128: 'complex',
};
const KIND_RANK: Record<PyKind, number> = { bool: 0, int: 1, float: 2, complex: 3 };

/**
 * A weak scalar of a higher kind than its partner's dtype: the dtype it
 * becomes, by the partner's dtype (NumPy's abstract Python DTypes).
 */
const WEAK_UPCAST: Record<PyKind, Partial<Record<Dtype, Dtype>>> = {
  bool: {},
  int: { bool: 'int64' },
  float: Object.fromEntries(DTYPES.filter((d) => KIND_RANK[KIND_OF[d]] < KIND_RANK.float).map((d) => [d, 'float64'])),
  complex: {
    ...Object.fromEntries(DTYPES.filter((d) => KIND_RANK[KIND_OF[d]] < KIND_RANK.float).map((d) => [d, 'complex128'])),
    float32: 'complex64',
    float64: 'complex128',
  },
};

/** Inclusive value range of each integer dtype (bool as 0..1). */
const INT_RANGES: Partial<Record<Dtype, readonly [bigint, bigint]>> = {
  bool: [0n, 1n],
  int8: [-(2n ** 7n), 2n ** 7n - 1n], int16: [-(2n ** 15n), 2n ** 15n - 1n], int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n], uint16: [0n, 2n ** 16n - 1n], uint32: [0n, 2n ** 32n - 1n], uint64: [0n, 2n ** 64n - 1n],
};

/** Bits of each dtype (a complex counts its two parts). */
const BITS: Record<Dtype, number> = {
  bool: 8, int8: 8, int16: 16, int32: 32, int64: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64,
  float32: 32, float64: 64, complex64: 64, complex128: 128,
};

/** One operand of a NumPy operator: a dtype (array or NumPy scalar) or a Python scalar. */
export type Operand = { dtype: Dtype } | { weak: PyKind };

export function isDtype(name: string | null | undefined): name is Dtype {
  return typeof name === 'string' && name in SAFE_CASTS;
}

export function kindOf(d: Dtype): PyKind {
  return KIND_OF[d];
}

export function bitsOf(d: Dtype): number {
  return BITS[d];
}

export function intRange(d: Dtype): readonly [bigint, bigint] | null {
  return INT_RANGES[d] ?? null;
}

/** NumPy's order of kinds for the 'same_kind' casting rule: b < u < i < f < c. */
const CAST_KIND: Record<Dtype, number> = {
  bool: 0, uint8: 1, uint16: 1, uint32: 1, uint64: 1, int8: 2, int16: 2, int32: 2, int64: 2,
  float32: 3, float64: 3, complex64: 4, complex128: 4,
};

/**
 * np.can_cast(from, to, 'same_kind'): safely, or to a kind no lower (int64 to int8 and
 * uint64 to int8 yes, int64 to uint8 no). An in-place ufunc casts its result to its
 * output by this rule: `u8 += i64_array` raises UFuncTypeError, `i8 += i64_array` wraps.
 */
export function castsSameKind(from: Dtype, to: Dtype): boolean {
  return SAFE_CASTS[from].includes(to) || CAST_KIND[from] <= CAST_KIND[to];
}

/** np.promote_types for two strong dtypes. */
export function promoteTypes(a: Dtype, b: Dtype): Dtype {
  const both = DTYPES.find((d) => SAFE_CASTS[a].includes(d) && SAFE_CASTS[b].includes(d));
  if (!both) throw new Error(`no promotion of ${a} and ${b}`); // every pair reaches complex128
  return both;
}

/** The dtype a weak Python scalar of kind `k` takes beside a strong dtype `d`. */
export function weakWith(k: PyKind, d: Dtype): Dtype {
  return KIND_RANK[k] <= KIND_RANK[KIND_OF[d]] ? d : WEAK_UPCAST[k][d] ?? d;
}

/** np.result_type of two operands; two Python scalars follow Python (the wider kind stays weak). */
export function resultType(a: Operand, b: Operand): Operand {
  if ('dtype' in a && 'dtype' in b) return { dtype: promoteTypes(a.dtype, b.dtype) };
  if ('dtype' in a && 'weak' in b) return { dtype: weakWith(b.weak, a.dtype) };
  if ('weak' in a && 'dtype' in b) return { dtype: weakWith(a.weak, b.dtype) };
  const [x, y] = [(a as { weak: PyKind }).weak, (b as { weak: PyKind }).weak];
  return { weak: KIND_RANK[x] >= KIND_RANK[y] ? x : y };
}

/**
 * Dtypes whose scalar arithmetic Numba does not compute in that dtype (it
 * widens integers to 64 bits and int/float mixes to float64): a NumPy 2 result
 * of one of these must be cast back to it after every operation.
 */
export const NARROW: ReadonlySet<Dtype> = new Set<Dtype>(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32', 'float32', 'complex64']);
