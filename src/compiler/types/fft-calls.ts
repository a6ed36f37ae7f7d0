// np.fft (issue 17): the typing rules of the table's `fft.*` rows, and which
// runtime/fft_helpers.py form computes each call.
//
// NumPy 2 transforms float32 and complex64 input in single precision (a
// complex64 result; irfft's float32) and float64/complex128 in double; other
// dtypes (NumPy converts integers to float64) are refused rather than guessed.
// The transforms' last bits depend on the FFT library: `exact` mode calls
// NumPy's own transform from compiled code (numba.objmode: the FFT runs in
// Python between the compiled parts, `np_<f>`), `close` mode rocket-fft's
// (`rf_<f>`, within docs/reliability.md's FFT-bound table). fftfreq is
// NumPy's formula in both; fftshift moves whole elements (rocket-fft's
// np.fft.fftshift), exact in both.
import type { Expr } from '../parse/ast.js';
import type { Numerics } from '../numerics.js';
import type { Semantics } from './typed-function.js';
import type { Ty } from './ty.js';
import { intLiteral } from './check-helpers.js';

export type FftTyping = { ty: Ty; helper?: Semantics } | { error: string };

const FLOATS = new Set(['float32', 'float64', 'complex64', 'complex128']);

/** The transform's result dtype for an input dtype (NumPy 2: single precision stays single). */
export function fftResultDtype(func: string, dtype: string): string {
  const single = dtype === 'float32' || dtype === 'complex64';
  if (func === 'irfft') return single ? 'float32' : 'float64';
  return single ? 'complex64' : 'complex128';
}

const isInt = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && t.scalar === 'int';
const isNone = (t: Ty | undefined): boolean => t === undefined || t.kind === 'none';

/** The argument given positionally at `pos` or as `name=`. */
function argument(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>, pos: number, name: string): { ty: Ty | undefined; node: Expr | undefined } {
  if (e.args[pos]) return { ty: args[pos], node: e.args[pos] };
  return { ty: kw.get(name), node: e.keywords.find((k) => k.name === name)?.value };
}

/** norm= as written: None (absent), or a string literal 'backward', 'ortho' or 'forward'; undefined: anything else. */
function normOf(node: Expr | undefined): string | undefined {
  if (node === undefined || (node.kind === 'const' && node.value === 'None')) return 'None';
  if (node.kind !== 'string') return undefined;
  const m = /^(['"])(backward|ortho|forward)\1$/.exec(node.text);
  return m ? `'${m[2]}'` : undefined;
}

const ONE_D = new Set(['fft', 'ifft', 'rfft', 'irfft']);
const TWO_D = new Set(['fft2', 'ifft2', 'rfft2', 'irfft2']);

/**
 * np.fft.fft/ifft/rfft/irfft(a, n=None, axis=-1, norm=None), fft2/ifft2/rfft2/irfft2(a, s=None,
 * axes=(-2, -1), norm=None) and fftn/ifftn/rfftn/irfftn(a, s=None, axes=None, norm=None): axis and
 * axes int literals inside a's rank (axes distinct), norm a literal; the n-d forms' s only with axes
 * (NumPy 2 deprecates s without axes). The helper gets NumPy's four positional arguments.
 */
export function fftTransform(func: string, e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>, numerics: Numerics,
  shapeRank: (node: Expr) => number | null): FftTyping {
  const oneD = ONE_D.has(func);
  const twoD = TWO_D.has(func);
  const a = args[0];
  const allowed = oneD ? ['a', 'n', 'axis', 'norm'] : ['a', 's', 'axes', 'norm'];
  const real = func.startsWith('rfft');
  const form = oneD ? `np.fft.${func}(a[, n][, axis=k][, norm=...])` : `np.fft.${func}(a[, s][, axes=...][, norm=...])`;
  const usage = `${form} on a float32, float64, complex64 or complex128 array${real ? ' (real: NumPy 2 refuses complex input)' : ''}`
    + `${oneD ? ', n an int, k an int literal within its rank' : `, axes a tuple of distinct int literals within its rank${twoD ? ' (2 of them)' : ''}, s a tuple of ints${twoD ? '' : ' given with axes'}`}, norm= 'backward', 'ortho' or 'forward' written out; out= keeps the original`;
  if (e.args.length > allowed.length || [...kw.keys()].some((k) => !allowed.includes(k))) return { error: usage };
  // an unknown rank (npt.NDArray hints) is the dispatcher's to specialize: the last axes exist in any rank the
  // transform takes, and rocket-fft and NumPy's objmode call refuse the others when typing (the original then runs)
  if (a?.kind !== 'array' || a.dtype === null || !FLOATS.has(a.dtype) || (a.ndim !== null && a.ndim < (twoD ? 2 : 1))
    || (real && a.dtype.startsWith('complex'))) {
    return { error: usage };
  }
  const norm = normOf(argument(e, args, kw, 3, 'norm').node);
  if (norm === undefined) return { error: usage };
  const dtype = fftResultDtype(func.replace(/(2|n)$/, ''), a.dtype);
  const helper = `${numerics === 'close' ? 'rf' : 'np'}_${func}`;
  const inRank = (v: bigint | undefined): boolean => v !== undefined && (a.ndim === null ? v === -1n || v === 0n : v >= -BigInt(a.ndim) && v < BigInt(a.ndim));
  if (!oneD) {
    const s = argument(e, args, kw, 1, 's');
    const axesNode = argument(e, args, kw, 2, 'axes').node;
    // axes: a tuple of int literals inside the rank, distinct (NumPy's own normalization, then a repeat raises or transforms twice)
    let count: number | null = twoD ? 2 : null;
    if (axesNode !== undefined && !(axesNode.kind === 'const' && axesNode.value === 'None')) {
      const lits = axesNode.kind === 'tuple' ? axesNode.elts.map(intLiteral) : [];
      if (lits.length === 0 || (twoD && lits.length !== 2) || a.ndim === null || !lits.every(inRank)) return { error: usage };
      const norm0 = lits.map((v) => Number(v! < 0n ? v! + BigInt(a.ndim!) : v!));
      if (new Set(norm0).size !== norm0.length) return { error: usage };
      count = lits.length;
    } else if (!twoD && a.ndim === null) return { error: usage };
    // s: a tuple of ints (one per axis), or another array's shape of that rank (`np.fft.fft2(kernel, img.shape)`)
    const sOk = isNone(s.ty) || (count !== null && ((s.ty?.kind === 'tuple' && s.ty.elts.length === count && s.ty.elts.every(isInt))
      || (s.ty?.kind === 'shape' && s.node !== undefined && shapeRank(s.node) === count)));
    if (!sOk || (!twoD && !isNone(s.ty) && axesNode === undefined)) return { error: usage };
    return { ty: { kind: 'array', dtype, ndim: a.ndim }, helper: { helper, args: [e.args[0], s.node ?? 'None', axesNode ?? (twoD ? '(-2, -1)' : 'None'), norm] } };
  }
  const n = argument(e, args, kw, 1, 'n');
  if (!isNone(n.ty) && !isInt(n.ty)) return { error: usage };
  const axisNode = argument(e, args, kw, 2, 'axis').node;
  const axis = axisNode ? intLiteral(axisNode) : -1n;
  // NumPy raises AxisError outside the rank; a literal lets the original raise it (of an unknown rank: the first or the last axis)
  if (axis === undefined || !inRank(axis)) return { error: usage };
  return { ty: { kind: 'array', dtype, ndim: a.ndim }, helper: { helper, args: [e.args[0], n.node ?? 'None', String(axis), norm] } };
}

/** np.fft.fftfreq(n, d=1.0): float64, 1-d, NumPy's formula (fft_helpers.fftfreq). */
export function fftFreq(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): FftTyping {
  const n = argument(e, args, kw, 0, 'n');
  const d = argument(e, args, kw, 1, 'd');
  const real = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float');
  if (e.args.length > 2 || [...kw.keys()].some((k) => k !== 'n' && k !== 'd') || !isInt(n.ty) || (d.ty !== undefined && !real(d.ty))) {
    return { error: 'np.fft.fftfreq(n[, d]) is supported with an int n and a real d (device= keeps the original)' };
  }
  return { ty: { kind: 'array', dtype: 'float64', ndim: 1 }, helper: { helper: 'fftfreq', args: [n.node!, d.node ?? '1.0'] } };
}

/** np.fft.fftshift(x[, axes]) / ifftshift: x's dtype and rank; axes an int literal or a tuple of them within the rank. */
export function fftShift(func: string, e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): FftTyping {
  const x = args[0];
  const axesNode = argument(e, args, kw, 1, 'axes').node;
  const literals = axesNode === undefined ? [] : axesNode.kind === 'tuple' ? axesNode.elts.map(intLiteral) : [intLiteral(axesNode)];
  const ndim = x?.kind === 'array' ? x.ndim : null;
  const inRank = (v: bigint | undefined): boolean => v !== undefined && ndim !== null && v >= -BigInt(ndim) && v < BigInt(ndim);
  // without axes any rank is shifted whole (NumPy's 0-d result aside: rocket-fft refuses it when typing)
  if (x?.kind !== 'array' || x.dtype === null || (ndim !== null && ndim < 1) || e.args.length > 2 || [...kw.keys()].some((k) => k !== 'axes')
    || (axesNode !== undefined && (literals.length === 0 || !literals.every(inRank)))) {
    return { error: `np.fft.${func}(x[, axes]) is supported on an array of known dtype, axes int literals within its rank` };
  }
  return { ty: { kind: 'array', dtype: x.dtype, ndim } };
}
