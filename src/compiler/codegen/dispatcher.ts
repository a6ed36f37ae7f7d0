// The dispatcher block of one accelerated function: the Dispatcher object that
// guards and chooses a variant, and the wrapper that keeps the user's name and
// signature.
import type { FunctionDef } from '../parse/ast.js';
import type { ParamInfo, ReturnKind } from '../types/check.js';
import { dispatcherName, originalName, RUNTIME_ALIAS } from './names.js';

export interface VariantRef {
  target: 'cpu' | 'gpu' | 'ray';
  /** A Python expression constructing the variant object. */
  constructor: string;
}

/** numpy, imported under the runtime's prefix where a wrapper converts returned scalars. */
const RETURN_NUMPY = '_polyray_np';

const py = (s: string | null): string => (s === null ? 'None' : JSON.stringify(s));
const pyBool = (b: boolean): string => (b ? 'True' : 'False');

function paramSpec(p: ParamInfo): string {
  const extra: string[] = [];
  if (p.kind === 'array') {
    extra.push(`dtype=${py(p.dtype)}`, `ndim=${p.ndim === null ? 'None' : p.ndim}`);
    if (p.written) extra.push('written=True');
    // the checker types an array of unknown dtype as a 64-bit one: NumPy 2 computes narrower
    // dtypes beside Python scalars in their own dtype (types/nep50.ts), so those run the original
    if (p.dtype === null) extra.push('wide=True');
  } else if (p.scalarDtype) {
    extra.push(`scalar_dtype=${py(p.scalarDtype)}`);
  } else if (p.exact) {
    extra.push('exact=True');
    if (p.bounds) extra.push(`bounds=(${p.bounds[0]}, ${p.bounds[1]})`);
  }
  return `${RUNTIME_ALIAS}.Param(${[py(p.name), py(p.kind), ...extra].join(', ')})`;
}

export function emitDispatcher(fn: FunctionDef, params: ParamInfo[], variants: VariantRef[], returns: ReturnKind, guard: string | null = null, constants?: Record<string, string>, result: string | null = null): string[] {
  const d = dispatcherName(fn.name);
  const lines = [
    ...(result ? [`import numpy as ${RETURN_NUMPY}`, ''] : []),
    `${d} = ${RUNTIME_ALIAS}.Dispatcher(`,
    `    name=${py(fn.name)},`,
    `    original=${originalName(fn.name)},`,
    `    params=[`,
    ...params.map((p) => `        ${paramSpec(p)},`),
    `    ],`,
    `    variants={${variants.map((v) => `${py(v.target)}: ${v.constructor}`).join(', ')}},`,
    `    guard=${guard ?? 'None'},`,
    `    returns=${py(returns)},`,
    // module-level constants frozen into the variants (parse/constants.ts): checked before each call
    ...(constants && Object.keys(constants).length ? [`    constants={${Object.entries(constants).map(([k, v]) => `${py(k)}: ${v}`).join(', ')}},`] : []),
    ...(result ? [`    result=${result},`] : []),
    `    enter=${py(enterName(fn.name))},`,
    `)`,
  ];
  return lines;
}

/**
 * The dispatcher's `result=` converter, or null when none is needed. A returned
 * NumPy scalar (TypedFunction.returnScalar), alone or in a tuple
 * (returnScalars), must come back as that NumPy scalar: Numba returns Python
 * numbers, the original NumPy's (where `x / 0` gives inf instead of raising).
 * The dispatcher applies it to a variant's result only: the original may have
 * run for other argument types, and its result is already what Python gives.
 */
export function resultConverter(returnScalars: (string | null)[] = [], returnScalar?: string): string | null {
  const r = '_polyray_result';
  if (returnScalars.some((t) => t !== null)) {
    const elts = returnScalars.map((t, k) => (t === null ? `${r}[${k}]` : `${RETURN_NUMPY}.${t}(${r}[${k}])`));
    return `lambda ${r}: (${elts.join(', ')})`;
  }
  return returnScalar ? `lambda ${r}: ${RETURN_NUMPY}.${returnScalar}(${r})` : null;
}

/** The module global the wrapper calls: the dispatcher, rebound by it to its generated hot path (runtime/hot.py). */
export const enterName = (fn: string): string => `_polyray_enter_${fn}`;
/** The dispatcher's hot.Kept: where the wrapper runs the original's body itself. */
export const keepName = (fn: string): string => `_polyray_keep_${fn}`;

/**
 * The line of `src` where the function's body starts and its indentation, when the
 * wrapper can carry the body itself: the body starts on a line of its own and the
 * function is no generator or coroutine (a `return` before its body would change
 * what calling it means).
 */
function bodyText(fn: FunctionDef, src: string): { indent: string; text: string } | null {
  const first = fn.body[0];
  if (!first) return null;
  const start = src.lastIndexOf('\n', first.span.start - 1) + 1;
  const indent = src.slice(start, first.span.start);
  if (start <= fn.nameSpan.end || !/^[ \t]+$/.test(indent)) return null;
  const text = src.slice(start, fn.span.end);
  if (/\b(yield|await)\b/.test(text)) return null;
  return { indent, text: text.replace(/\s+$/, '') };
}

/**
 * The function under the user's name: `def f(<same parameters>) -> <same hint>:`
 * then, where it can, a test of the dispatcher's hot.Kept and the original's own
 * body (a call where auto keeps the original costs the original's time and that
 * test, issue 18), else `return _polyray_enter_f(a, b)`: the dispatcher, which
 * rebinds that name to its generated hot path. Defaults are the original's objects.
 * Why a copy of the body and not `return original(...)`: the call would add a Python frame to every kept
 * call, 16-17 ns (1.19x on a 0.09 us function, 1.03x on 0.65 us; bench/kept_body.py, load 15), against
 * issue 18's 0.95x floor. The copy reads the generated module's globals, so the dispatcher lets it run only
 * while its original is still the generated one (Dispatcher._body, runtime/dispatcher.py).
 */
export function emitWrapper(fn: FunctionDef, params: ParamInfo[] = [], src?: string): string[] {
  const ret = fn.returnsText ? ` -> ${fn.returnsText}` : '';
  const call = `${enterName(fn.name)}(${fn.params.map((p) => p.name).join(', ')})`;
  const body = src === undefined ? null : bodyText(fn, src);
  const k = keepName(fn.name);
  const arrays = params.filter((p) => p.kind === 'array').map((p) => p.name);
  let lines: string[];
  if (body) {
    const i = body.indent;
    let test: string[];
    if (arrays.length === 0) {
      test = [`${i}if not ${k}.on:  # (where the dispatcher keeps the original, its body runs here: hot.Kept)`];
    } else {
      // `on` first (off, the compiled code's calls pay one flag), then `all` (a forced target chose the
      // original for any arguments), else the bytes total the dispatcher's size class counts (NumPy-typed
      // scalar arguments' few bytes aside): first against the total of the call that decided (one
      // comparison), then the class's bounds. No type test (a third of the cost with one array): the test
      // only chooses where the original runs, so an argument that is no exact ndarray but has bytes in the
      // class runs it here as the dispatcher would run it; one without (AttributeError, any error of its
      // own) goes to the dispatcher
      const total = arrays.map((a) => `${a}.nbytes`).join(' + ');
      test = [
        `${i}try:`,
        `${i}    _polyray_kept = ${k}.on and (${k}.all or ${total} == ${k}.n or ${k}.lo <= ${total} < ${k}.hi)`,
        `${i}except Exception:`,
        `${i}    _polyray_kept = False`,
        `${i}if not _polyray_kept:  # (where the dispatcher keeps the original, its body runs here: hot.Kept)`,
      ];
    }
    lines = [
      `def ${fn.name}${fn.paramsText}${ret}:`,
      ...test,
      `${i}    return ${call}`,
      ...body.text.split('\n'),
    ];
  } else {
    lines = [`def ${fn.name}${fn.paramsText}${ret}:`, `    return ${call}`];
  }
  return [
    `${enterName(fn.name)} = ${dispatcherName(fn.name)}`,
    `${k} = ${dispatcherName(fn.name)}.keep`,
    '',
    '',
    ...lines,
    '',
    '',
    `${fn.name}.__doc__ = ${originalName(fn.name)}.__doc__`,
    `${fn.name}.__wrapped__ = ${originalName(fn.name)}`,
    `${fn.name}.__defaults__ = ${originalName(fn.name)}.__defaults__`,
    `${fn.name}.__kwdefaults__ = ${originalName(fn.name)}.__kwdefaults__`,
  ];
}
