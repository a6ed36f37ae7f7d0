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

/**
 * np.fft.fft/ifft/rfft/irfft(a, n=None, axis=-1) and fft2/ifft2(a, s=None):
 * the default norm only, axis an int literal inside a's rank, the 2-d forms
 * over the last two axes.
 */
export function fftTransform(func: string, e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>, numerics: Numerics,
  shapeRank: (node: Expr) => number | null): FftTyping {
  const twoD = func === 'fft2' || func === 'ifft2';
  const a = args[0];
  const allowed = twoD ? ['a', 's'] : ['a', 'n', 'axis'];
  const form = twoD ? `np.fft.${func}(a[, s])` : `np.fft.${func}(a[, n][, axis=k])`;
  const usage = `${form} on a float32, float64, complex64 or complex128 array${func === 'rfft' ? ' (real: NumPy 2 refuses complex input)' : ''}`
    + `${twoD ? ' of 2 or more dimensions, s a pair of ints' : ', n an int, k an int literal within its rank'}; norm= and out= keep the original`;
  if (e.args.length > allowed.length || [...kw.keys()].some((k) => !allowed.includes(k))) return { error: `${usage}` };
  // an unknown rank (npt.NDArray hints) is the dispatcher's to specialize: the last axes exist in any rank the
  // transform takes, and rocket-fft and NumPy's objmode call refuse the others when typing (the original then runs)
  if (a?.kind !== 'array' || a.dtype === null || !FLOATS.has(a.dtype) || (a.ndim !== null && a.ndim < (twoD ? 2 : 1))
    || (func === 'rfft' && a.dtype.startsWith('complex'))) {
    return { error: usage };
  }
  const dtype = fftResultDtype(func, a.dtype);
  const helper = `${numerics === 'close' ? 'rf' : 'np'}_${func}`;
  if (twoD) {
    const s = argument(e, args, kw, 1, 's');
    // a pair of ints, or another 2-d array's shape (`np.fft.fft2(kernel, img.shape)`)
    const pair = (s.ty?.kind === 'tuple' && s.ty.elts.length === 2 && s.ty.elts.every(isInt)) || (s.ty?.kind === 'shape' && s.node !== undefined && shapeRank(s.node) === 2);
    if (!isNone(s.ty) && !pair) return { error: usage };
    return { ty: { kind: 'array', dtype, ndim: a.ndim }, helper: { helper, args: [e.args[0], s.node ?? 'None'] } };
  }
  const n = argument(e, args, kw, 1, 'n');
  if (!isNone(n.ty) && !isInt(n.ty)) return { error: usage };
  const axisNode = argument(e, args, kw, 2, 'axis').node;
  const axis = axisNode ? intLiteral(axisNode) : -1n;
  // NumPy raises AxisError outside the rank; a literal lets the original raise it (of an unknown rank: the first or the last axis)
  const inRank = a.ndim === null ? axis === -1n || axis === 0n : axis !== undefined && axis >= -BigInt(a.ndim) && axis < BigInt(a.ndim);
  if (axis === undefined || !inRank) return { error: usage };
  return { ty: { kind: 'array', dtype, ndim: a.ndim }, helper: { helper, args: [e.args[0], n.node ?? 'None', String(axis)] } };
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
