// Reads parameter type hints: `float`, `int`, `complex`, `bool`, `np.ndarray`,
// `npt.NDArray[np.float64]` (and other dtypes), NumPy's shaped
// `np.ndarray[tuple[int, int], np.dtype[np.float64]]`, and NumPy scalar types
// (`np.int64`, `np.float32`: a NumPy scalar argument). Names are resolved through the
// module's imports, so `from numpy.typing import NDArray` works as well.
import type { Expr } from '../parse/ast.js';
import { dtypeScalar, npScalar, scalar, type Ty } from './ty.js';

/** numpy attribute -> dtype name. */
const NUMPY_DTYPES: Record<string, string> = {
  float64: 'float64', double: 'float64', float_: 'float64', float32: 'float32', single: 'float32',
  int64: 'int64', int32: 'int32', int16: 'int16', int8: 'int8', intp: 'int64', int_: 'int64',
  uint64: 'uint64', uint32: 'uint32', uint16: 'uint16', uint8: 'uint8',
  complex128: 'complex128', complex64: 'complex64', cdouble: 'complex128', bool_: 'bool', bool: 'bool',
};

const BUILTIN_DTYPES: Record<string, string> = { float: 'float64', int: 'int64', complex: 'complex128', bool: 'bool' };

export type Resolve = (e: Expr) => string | null;

/** Qualified name of a Name/Attribute chain via the import table, e.g. `npt.NDArray` -> `numpy.typing.NDArray`. */
export function makeResolver(imports: Map<string, string>): Resolve {
  const resolve = (e: Expr): string | null => {
    if (e.kind === 'name') return imports.get(e.id) ?? (BUILTIN_TYPE_NAMES.has(e.id) ? `builtins.${e.id}` : null);
    if (e.kind === 'attribute') {
      const base = resolve(e.value);
      return base ? `${base}.${e.attr}` : null;
    }
    return null;
  };
  return resolve;
}

const BUILTIN_TYPE_NAMES = new Set(['float', 'int', 'complex', 'bool']);

export function dtypeOf(qualified: string | null): string | null {
  if (!qualified) return null;
  if (qualified.startsWith('numpy.')) return NUMPY_DTYPES[qualified.slice(6)] ?? null;
  if (qualified.startsWith('builtins.')) return BUILTIN_DTYPES[qualified.slice(9)] ?? null;
  return null;
}

/**
 * A hint with the module's type aliases (parse/type-aliases.ts) written out:
 * `F64` -> `npt.NDArray[np.float64]`, `npt.NDArray[DT]` -> `npt.NDArray[np.float32]`
 * (aliases of aliases too, to a depth that no real module needs).
 */
export function expandAliases(hint: Expr, aliases: ReadonlyMap<string, Expr> | undefined, depth = 0): Expr {
  if (!aliases || aliases.size === 0 || depth > 8) return hint;
  if (hint.kind === 'name') {
    const target = aliases.get(hint.id);
    return target ? expandAliases(target, aliases, depth + 1) : hint;
  }
  if (hint.kind === 'subscript') {
    return { ...hint, value: expandAliases(hint.value, aliases, depth + 1), indices: hint.indices.map((i) => expandAliases(i, aliases, depth + 1)) };
  }
  if (hint.kind === 'tuple') return { ...hint, elts: hint.elts.map((x) => expandAliases(x, aliases, depth + 1)) };
  return hint;
}

export type HintResult = { ok: true; ty: Ty } | { ok: false; message: string };

export function hintType(hint: Expr, resolve: Resolve): HintResult {
  const q = resolve(hint);
  if (q === 'builtins.float') return { ok: true, ty: scalar('float', 'py') };
  if (q === 'builtins.int') return { ok: true, ty: scalar('int', 'py') };
  if (q === 'builtins.complex') return { ok: true, ty: scalar('complex', 'py') };
  if (q === 'builtins.bool') return { ok: true, ty: scalar('bool', 'py') };
  if (q === 'numpy.ndarray' || q === 'numpy.typing.NDArray') return { ok: true, ty: { kind: 'array', dtype: null, ndim: null } };
  // a NumPy scalar type (`np.int64`, `np.float32`): a NumPy scalar of that dtype, with NumPy's arithmetic
  const scalarDtype = q?.startsWith('numpy.') ? dtypeOf(q) : null;
  if (scalarDtype) return { ok: true, ty: npScalar(scalarDtype) };
  if (hint.kind === 'subscript') {
    const base = resolve(hint.value);
    if (base === 'numpy.ndarray') return shapedArrayHint(hint, resolve);
    if (base === 'numpy.typing.NDArray' && hint.indices.length === 1) {
      const dtype = dtypeOf(resolve(hint.indices[0]));
      if (!dtype) return { ok: false, message: `unsupported dtype in hint` };
      return { ok: true, ty: { kind: 'array', dtype, ndim: null } };
    }
  }
  // the hint's own name said back where it is one (`Rebound`, an alias bound twice, is no alias: the user sees which)
  const written = hint.kind === 'name' ? hint.id : hint.kind === 'attribute' && hint.value.kind === 'name' ? `${hint.value.id}.${hint.attr}` : null;
  return { ok: false, message: `unsupported type hint (expected float, int, complex, bool, a NumPy scalar type such as np.float64, np.ndarray, npt.NDArray[dtype] or np.ndarray[tuple[int, int], np.dtype[dtype]])${written ? `: got '${written}'` : ''}` };
}

/**
 * NumPy's generic form, which also gives the rank:
 * `np.ndarray[tuple[int, int], np.dtype[np.float64]]` (typing.Tuple too;
 * `typing.Any` as the shape leaves the rank open).
 */
function shapedArrayHint(hint: Expr & { kind: 'subscript' }, resolve: Resolve): HintResult {
  const [shape, dt] = hint.indices;
  if (hint.indices.length !== 2) return { ok: false, message: 'np.ndarray[...] takes a shape and a dtype: np.ndarray[tuple[int, int], np.dtype[np.float64]]' };
  let ndim: number | null = null;
  if (resolve(shape) !== 'typing.Any') {
    const isTuple = shape.kind === 'subscript' && ((shape.value.kind === 'name' && shape.value.id === 'tuple') || resolve(shape.value) === 'typing.Tuple');
    const elts = isTuple ? (shape.indices.length === 1 && shape.indices[0].kind === 'tuple' ? shape.indices[0].elts : shape.indices) : [];
    if (!isTuple || elts.some((e) => e.kind !== 'name' || e.id !== 'int')) {
      return { ok: false, message: 'the shape in np.ndarray[shape, dtype] must be tuple[int, ...] with one int per dimension (or typing.Any)' };
    }
    ndim = elts.length;
  }
  const dtype = dt.kind === 'subscript' && resolve(dt.value) === 'numpy.dtype' && dt.indices.length === 1 ? dtypeOf(resolve(dt.indices[0])) : null;
  if (!dtype) return { ok: false, message: 'unsupported dtype in hint (expected np.dtype[np.float64] or another NumPy dtype)' };
  return { ok: true, ty: { kind: 'array', dtype, ndim } };
}

export { dtypeScalar };
