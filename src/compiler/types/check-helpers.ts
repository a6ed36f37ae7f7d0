// Pure helpers of the types stage (check.ts and the check-*.ts layers of its Checker):
// facts read from the syntax or a type, no checker state.
import type { Expr, Stmt } from '../parse/ast.js';
import { dtypeScalar } from './hints.js';
import { DEFAULT_DTYPE, npScalar, scalar, type Ty } from './ty.js';
import { isDtype, kindOf } from './promotion.js';
import { arrayMethod, numpyFunction, type TableRow } from './numpy-table.js';
import { STORE_HELPER } from './index-arrays.js';

/** Helpers that reproduce CPython operators (math.* helpers apply to any scalar). */
export const OPERATOR_HELPERS = new Set(['truediv', 'floordiv', 'mod', 'pow']);

/**
 * The dtype of a ufunc over float64 arrays (and int or float scalars): float64,
 * and of np.abs over complex128 too; null (unknown) otherwise.
 */
export function ufuncFloatResult(row: TableRow, args: Ty[]): string | null {
  if (row.name === 'where' && args.length === 3) return whereDtype(args[1], args[2]);
  const arrays = args.filter((t): t is Ty & { kind: 'array' } => t.kind === 'array');
  const scalarsOk = args.every((t) => t.kind === 'array' || (t.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'int')));
  if (scalarsOk && arrays.every((t) => t.dtype === 'float64')) return 'float64';
  if (row.ufunc?.complexToReal && args.length === 1 && arrays[0]?.dtype === 'complex128') return 'float64';
  // a ufunc that keeps its operands' dtype, on arrays of one (non-bool) dtype: that dtype
  const d = arrays[0]?.dtype ?? null;
  if (row.ufunc?.ints === 'keep' && !row.ufunc.complexToReal && d !== null && d !== 'bool' && args.every((t) => t.kind === 'array' && t.dtype === d)) return d;
  return null;
}
/**
 * np.where(c, x, y)'s dtype where NumPy 2 and Numba agree on it: x and y float64 or
 * int64 arrays of one dtype, or one such array and a Python number that NEP 50 keeps
 * in it (an int, or a float beside float64); null otherwise.
 */
function whereDtype(x: Ty, y: Ty): string | null {
  const arrays = [x, y].filter((t): t is Ty & { kind: 'array' } => t.kind === 'array');
  const d = arrays[0]?.dtype ?? null;
  if (d !== 'float64' && d !== 'int64' && d !== 'float32') return null;
  // (a Python float beside float32: cast to np.float32 by the checker, whereCast)
  const fits = (t: Ty): boolean => (t.kind === 'array' ? t.dtype === d : t.kind === 'scalar' && t.origin === 'py' && (t.scalar === 'int' || (t.scalar === 'float' && d !== 'int64')));
  return fits(x) && fits(y) ? d : null;
}
/**
 * np.where(c, x, y) with an array of a narrow dtype (float32, complex64, the integers but int64) and a Python
 * number as the other branch: NumPy 2 keeps the array's dtype (NEP 50: the Python number is weak), Numba's
 * np.where widens to float64/int64 (float32 array and 1.0 - c: NumPy float32, Numba float64; found by the
 * fuzzer, seed 11100000046). The reason to keep the original, or null.
 */
export function whereNarrowBesidePython(x: Ty, y: Ty): string | null {
  const wide = new Set(['float64', 'int64', 'complex128', 'bool']);
  const narrow = [x, y].find((t) => t.kind === 'array' && t.dtype !== null && !wide.has(t.dtype));
  const python = [x, y].some((t) => t.kind === 'scalar' && t.origin === 'py');
  if (!narrow || !python || narrow.kind !== 'array') return null;
  // float32 beside a Python int or float: the checker casts the number to np.float32 (whereCast), as NumPy converts it
  if (whereCast(x, y)) return null;
  return `np.where(): ${article(narrow.dtype!)} array beside a Python number is ${narrow.dtype} in NumPy 2 (NEP 50) and wider in Numba's np.where`;
}
/** np.where(c, x, y) of a float32 array and a Python int or float (either side): computed in float32 once the number is cast. */
export function whereCast(x: Ty, y: Ty): boolean {
  const f32 = (t: Ty): boolean => t.kind === 'array' && t.dtype === 'float32';
  const number = (t: Ty): boolean => t.kind === 'scalar' && t.origin === 'py' && (t.scalar === 'int' || t.scalar === 'float');
  return (f32(x) && number(y)) || (number(x) && f32(y));
}
export const BUILTIN_FUNCS = new Set(['min', 'max', 'abs', 'len', 'float', 'int', 'complex', 'bool', 'range']);

/** A float or complex scalar or array (what NumPy's own math loops compute on). */
export function isFloatLike(t: Ty): boolean {
  if (t.kind === 'array') return t.dtype === null || !/^u?int|^bool/.test(t.dtype);
  return t.kind === 'scalar' && (t.scalar === 'float' || t.scalar === 'complex');
}

export function isComplex(t: Ty): boolean {
  if (t.kind === 'array') return t.dtype !== null && dtypeScalar(t.dtype) === 'complex';
  return t.kind === 'scalar' && t.scalar === 'complex';
}

/** 'an int8', 'a uint8', 'a float64'. */
export function article(word: string): string {
  return `${/^[aeio]/.test(word) ? 'an' : 'a'} ${word}`;
}

/**
 * The NumPy scalar a whole-array reduction returns: sums and products of
 * small integers in 64 bits (unsigned ones in uint64), max/min in the
 * array's dtype, means in float64.
 */
export function reductionScalar(name: string, dtype: string | null): Ty {
  // (a float64 array's mean is a float64; other dtypes' means keep the checker's looser type)
  if (name === 'mean') return dtype === 'float64' ? npScalar('float64') : scalar('float', 'np');
  if (!isDtype(dtype)) return scalar(dtypeScalar(dtype), 'np');
  if (['sum', 'prod', 'trace'].includes(name) && (kindOf(dtype) === 'int' || kindOf(dtype) === 'bool')) {
    return npScalar(dtype.startsWith('uint') ? 'uint64' : 'int64');
  }
  return npScalar(dtype);
}

/** A scalar's exact type: a NumPy dtype, or 'py <kind>' for a Python scalar. */
export function exactScalarType(t: Ty & { kind: 'scalar' }): string {
  if (t.origin === 'np') return t.dtype ?? DEFAULT_DTYPE[t.scalar];
  return `${t.origin} ${t.scalar}`;
}

/** The value of an int literal (`300`, `-1`, `0xff`), or undefined. */
/** Whether `e` is the float literal 0.5 as written (`0.5`, `.5`, `5e-1`): NumPy's `array ** 0.5` is np.sqrt. */
export function isHalfLiteral(e: Expr | undefined): boolean {
  return e !== undefined && e.kind === 'number' && e.numberKind === 'float' && Number(e.text.replace(/_/g, '')) === 0.5;
}

/**
 * A float64 base and a float scalar exponent, where NumPy takes sqrt for an exponent of 0.5: the
 * `**` operator on an array (fast_scalar_power) and np.power on an array or a scalar (its loop, for an
 * exponent that is one scalar), whatever the exponent's scalar type (numba_helpers.pow_fop).
 */
export function fastFloatPower(base: Ty, exp: Ty, ufunc: boolean): boolean {
  const float64 = base.kind === 'array' ? base.dtype === 'float64' : ufunc && base.kind === 'scalar' && base.scalar === 'float' && (base.dtype === undefined || base.dtype === null || base.dtype === 'float64');
  return float64 && exp.kind === 'scalar' && exp.scalar === 'float' && (exp.dtype === undefined || exp.dtype === null || exp.dtype === 'float64');
}

export function intLiteral(e: Expr): bigint | undefined {
  if (e.kind === 'unary' && e.op === '-') {
    const v = intLiteral(e.operand);
    return v === undefined ? undefined : -v;
  }
  if (e.kind !== 'number' || e.numberKind !== 'int') return undefined;
  try {
    return BigInt(e.text.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}

export function rootParamOrLocal(e: Expr): string | null {
  let b: Expr = e;
  while (b.kind === 'subscript') b = b.value;
  return b.kind === 'name' ? b.id : null;
}

/** A helper that stores through an index array (index-arrays.ts STORE_HELPER). */
export function isIndexHelper(helper: string): boolean {
  return helper in STORE_HELPER;
}

/**
 * `None` or `np.newaxis` in a subscript (a new dimension of length 1). Read from the
 * syntax: `newaxis` is an attribute of NumPy only, and rebinding `np` is outside the subset.
 */
export function isNewAxis(e: Expr): boolean {
  return (e.kind === 'const' && e.value === 'None') || (e.kind === 'attribute' && e.attr === 'newaxis' && e.value.kind === 'name');
}

/**
 * Number of its root's dimensions a subscript chain indexes: `A[i][j, k]` -> 3.
 * `None` indexes none but adds a dimension that a later subscript in the chain
 * may index: `y[:, None][:, 0]` indexes one dimension of y.
 */
export function chainDepth(e: Expr): number {
  const chain: Expr[][] = [];
  let b: Expr = e;
  while (b.kind === 'subscript') {
    chain.unshift(b.indices);
    b = b.value;
  }
  let rootDims = 0;
  // the leading dimensions of the value so far: one of the root's, or a new one
  let view: ('root' | 'new')[] = [];
  for (const indices of chain) {
    const out: ('root' | 'new')[] = [];
    let p = 0;
    for (const ix of indices) {
      if (isNewAxis(ix)) {
        out.push('new');
        continue;
      }
      let dim: 'root' | 'new' = 'root';
      if (p < view.length) dim = view[p];
      else rootDims++;
      p++;
      if (ix.kind === 'slice') out.push(dim);
    }
    view = [...out, ...view.slice(p)];
  }
  return rootDims;
}

/** Index positions of a subscript chain that are not slices. */
export function countIntLike(e: Expr): number {
  let n = 0;
  let b: Expr = e;
  while (b.kind === 'subscript') {
    n += b.indices.filter((i) => i.kind !== 'slice' && !isNewAxis(i)).length;
    b = b.value;
  }
  return n;
}


/** The NumPy scalar type a returned value has in the original when it is a NumPy scalar (Numba returns a Python number). */
export function numpyScalarType(t: Ty): string | null {
  if (t.kind !== 'scalar' || t.origin !== 'np') return null;
  return t.dtype ?? (t.scalar === 'bool' ? 'bool_' : DEFAULT_DTYPE[t.scalar]);
}

/** The subscripts an elementwise expression combines (`p[i] - p[i - 1]`: both), not those inside indices or calls. */
export function elementwiseOperands(e: Expr): (Expr & { kind: 'subscript' })[] {
  if (e.kind === 'subscript') return [e];
  if (e.kind === 'binary') return [...elementwiseOperands(e.left), ...elementwiseOperands(e.right)];
  if (e.kind === 'unary') return elementwiseOperands(e.operand);
  return [];
}

/** The array name of `x = A.shape[k]` made by unpacking `A.shape`, if `s` is one. */
export function unpackedShapeBase(s: Stmt): string | null {
  if (s.kind !== 'assign' || s.unpackedShape === undefined || s.value.kind !== 'subscript') return null;
  const attr = s.value.value;
  return attr.kind === 'attribute' && attr.value.kind === 'name' ? attr.value.id : null;
}

export function isSelfProduct(name: string, value: Expr): boolean {
  if (value.kind !== 'binary' || (value.op !== '*' && value.op !== '**' && value.op !== '<<')) return false;
  const mentions = (x: Expr): boolean => (x.kind === 'name' && x.id === name) || (x.kind === 'binary' && (mentions(x.left) || mentions(x.right)));
  return mentions(value.left) || mentions(value.right);
}

/**
 * The array a call returns a view of, when its row's loop model is 'view'
 * (`np.reshape(A, s)`, `np.flip(A)`, `A.reshape(s)`): writes through the
 * result write that array. `isModule` says whether a name is a module; `rankOf`, an
 * expression's rank where known (np.diag is a view of a matrix only).
 */
export function viewOperand(e: Expr, isModule: (x: Expr) => boolean, rankOf?: (x: Expr) => number | null): Expr | null {
  if (e.kind !== 'call' || e.func.kind !== 'attribute') return null;
  const onModule = e.func.value.kind === 'name' && isModule(e.func.value);
  const row = onModule ? numpyFunction(e.func.attr) : arrayMethod(e.func.attr);
  // np.diag of a matrix is its diagonal's view (of a vector a fresh matrix): by the argument's rank
  const matrixDiag = onModule && row?.name === 'diag' && e.args[0] !== undefined && rankOf?.(e.args[0]) === 2;
  if (row?.loop !== 'view' && !matrixDiag) return null;
  return onModule ? e.args[0] ?? null : e.func.value;
}
