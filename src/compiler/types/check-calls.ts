// Calls: builtins, math.*, array methods and module functions; reshape and linspace.
// A layer of the types checker (checker-base.ts describes the chain).
import type { Span } from '../diagnostics.js';
import type { Expr } from '../parse/ast.js';
import { scanRule, traceRule, type ScanResult } from './row-rules.js';
import { describe, NONE, npScalar, scalar, UNKNOWN, widerScalar, type Origin, type Ty } from './ty.js';
import { isOptionString } from './sort-rules.js';
import { callArgumentRefusal } from './call-args.js';
import { astypeRefusal, dtypeArgPosition, floatToInt } from './dtype-args.js';
import { ASTYPE_INT_HELPER } from './undo-helpers.js';
import { isDtype } from './promotion.js';
import { arrayMethod, mathFunction, numpyFunction, type TableRow } from './numpy-table.js';
import { OperatorChecker } from './check-operators.js';
import { reductionScalar, exactScalarType } from './check-helpers.js';
import { checkedExtreme } from './reductions.js';
import { complexUnary } from './complex-ops.js';

export abstract class CallChecker extends OperatorChecker {
  protected call(e: Expr & { kind: 'call' }): Ty {
    const f = this.expr(e.func);
    // a dtype argument may be a string or a Python type (types/dtype-args.ts)
    const dtypeAt = f.kind === 'callable' ? dtypeArgPosition(f.qualified) : undefined;
    // string options read as written by their rules, not typed: np.linalg.norm's ord ('fro', types/norms.ts),
    // np.sort's kind=, np.searchsorted's side= (types/sort-rules.ts)
    const qualified = f.kind === 'callable' ? f.qualified : '';
    const normOrd = (a: Expr, at: number | string): boolean => a.kind === 'string' && qualified === 'numpy.linalg.norm' && (at === 1 || at === 'ord');
    const option = (a: Expr, at: number | string): boolean => normOrd(a, at) || isOptionString(qualified, a, at);
    const args = e.args.map((a, k) => (k === dtypeAt ? this.dtypeArgument(a) : option(a, k) ? NONE : this.expr(a)));
    const numpyCall = f.kind === 'callable' && (f.qualified.startsWith('numpy.') || f.qualified.startsWith('ndarray.'));
    const kw = new Map(e.keywords.map((k) => [k.name, k.name === 'dtype' && numpyCall ? this.dtypeArgument(k.value) : option(k.value, k.name) ? NONE : this.expr(k.value)]));
    if (f.kind === 'dtype') {
      if (f.dtype === null) {
        this.error(e.span, 'calling a dtype known only at run time is not supported');
        return UNKNOWN;
      }
      // np.float64(x): a NumPy scalar of that dtype.
      if (args.length !== 1) this.error(e.span, 'dtype constructors take one argument');
      if (args.length === 1 && isDtype(f.dtype)) this.constructorRange(f.dtype, args[0], e.args[0], e.span);
      return npScalar(f.dtype);
    }
    if (f.kind !== 'callable') {
      if (f.kind !== 'unknown') this.error(e.span, `calling ${describe(f)} is not supported`);
      return UNKNOWN;
    }
    const q = f.qualified;
    const allScalars = args.every((t) => t.kind === 'scalar');
    const originOf = (ts: Ty[]): Origin =>
      ts.some((t) => t.kind === 'scalar' && t.origin === 'np') ? 'np' : ts.every((t) => t.kind === 'scalar' && t.origin === 'py') ? 'py' : 'mixed';
    if (q.startsWith('module.')) return this.moduleCall(e, q.slice(7), args, kw);
    if (e.keywords.length > 0 && !q.startsWith('numpy.') && !q.startsWith('ndarray.')) {
      this.error(e.span, 'keyword arguments are supported for NumPy functions only');
    }
    if (q.startsWith('builtins.')) {
      const name = q.slice(9);
      switch (name) {
        case 'range':
          this.error(e.span, 'range() is supported only as the iterable of a for loop');
          return UNKNOWN;
        case 'len':
          if (args.length !== 1 || args[0].kind !== 'array') this.error(e.span, 'len() takes one array');
          return scalar('int', 'py');
        case 'abs':
          if (args.length !== 1) this.error(e.span, 'abs() takes one argument');
          if (args[0]?.kind === 'scalar') return scalar(args[0].scalar === 'complex' ? 'float' : args[0].scalar === 'bool' ? 'int' : args[0].scalar, args[0].origin);
          if (args[0]?.kind === 'array') {
            // abs() of an array is np.absolute (Numba has no abs() of arrays): a complex array's magnitudes are real,
            // by NumPy's own loop (types/complex-ops.ts: not the C library's hypot)
            const cx = complexUnary('absolute', args[0]);
            if (typeof cx === 'string') this.error(e.span, `abs(): ${cx}`);
            this.helpers.set(e, { helper: cx && typeof cx !== 'string' ? cx.helper : 'abs_array' });
            if (args[0].dtype === 'complex128' || args[0].dtype === 'complex64') return { ...args[0], dtype: args[0].dtype === 'complex64' ? 'float32' : 'float64' };
          }
          return args[0] ?? UNKNOWN;
        case 'min':
        case 'max': {
          if (args.length < 2 || !allScalars) {
            // an argument of unknown type was refused where it is computed
            if (!args.some((t) => t.kind === 'unknown')) this.error(e.span, `${name}() is supported on two or more scalars (of an array, np.${name}() or ${name === 'max' ? '.max()' : '.min()'})`);
            return UNKNOWN;
          }
          const scalars = args as (Ty & { kind: 'scalar' })[];
          const kinds = scalars.map((t) => t.scalar);
          if (kinds.includes('complex')) this.error(e.span, `${name}() of complex numbers`);
          const k = kinds.reduce(widerScalar);
          // CPython returns one of the arguments unchanged (Numba's max and min pick the same one,
          // NaN and -0.0 included); when their types differ the result's type depends on the
          // values, which Numba cannot reproduce: a Python and a NumPy scalar make a 'mixed' one
          if (new Set(kinds).size > 1) this.error(e.span, `${name}() of mixed int and float returns either type in CPython`);
          const numpyTypes = new Set(scalars.filter((t) => t.origin === 'np').map(exactScalarType));
          if (numpyTypes.size > 1 && new Set(kinds).size === 1) {
            this.error(e.span, `${name}() of ${[...numpyTypes].join(' and ')} returns either type, depending on the values`);
          }
          const origin: Origin = scalars.every((t) => t.origin === 'np') ? 'np' : scalars.every((t) => t.origin === 'py') ? 'py' : 'mixed';
          // NumPy scalars of one dtype (elements of an int32 table): that dtype
          return origin === 'np' && numpyTypes.size === 1 ? scalars[0] : scalar(k, origin);
        }
        case 'float':
          if (args.length !== 1 || !allScalars) this.error(e.span, 'float() takes one scalar');
          if (args[0]?.kind === 'scalar' && args[0].scalar === 'complex') this.error(e.span, 'float() of a complex');
          return scalar('float', 'py');
        case 'int':
          // of a float: runtime/int_helpers.py's py_int truncates where the int64 is CPython's int and leaves
          // NaN, inf and |x| >= 2**63 (CPython's exception or big int) to the original (the variant's undo=)
          if (args.length === 1 && args[0]?.kind === 'scalar' && args[0].scalar === 'float') this.helpers.set(e, { helper: 'py_int' });
          else if (args.length !== 1 || !(args[0]?.kind === 'scalar' && (args[0].scalar === 'int' || args[0].scalar === 'bool'))) {
            this.error(e.span, 'int() is supported on one int, bool or float');
          }
          return scalar('int', 'py');
        case 'complex':
          if (!allScalars || args.length < 1 || args.length > 2) this.error(e.span, 'complex() takes one or two scalars');
          return scalar('complex', 'py');
        case 'bool':
          if (args.length !== 1 || !allScalars) this.error(e.span, 'bool() takes one scalar');
          return scalar('bool', 'py');
      }
    }
    if (q.startsWith('math.')) {
      const name = q.slice(5);
      if (!allScalars) this.error(e.span, `math.${name}() takes scalars`);
      if (args.some((t) => t.kind === 'scalar' && t.scalar === 'complex')) this.error(e.span, `math.${name}() of a complex`);
      const row = mathFunction(name);
      if (row?.helper) this.helpers.set(e, { helper: row.helper });
      if (row?.typing === 'py_float') return scalar('float', 'py');
      if (row?.typing === 'py_int') {
        // as int(): Numba converts nan, inf and |x| >= 2**63 to -2**63 where CPython raises or returns a big int
        if (args.some((t) => !(t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'bool')))) {
          this.error(e.span, `math.${name}() is supported on ints only (CPython raises on nan and inf and returns a big int past 2**63, where Numba returns -2**63)`);
        }
        return scalar('int', 'py');
      }
      if (row?.typing === 'py_bool') return scalar('bool', 'py');
      this.error(e.span, `math.${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('numpy.')) {
      const name = q.slice(6);
      const reduced = this.closeReduction(e, name, args, kw, false);
      if (reduced) return reduced;
      const row = numpyFunction(name);
      if (row) return this.numpyCall(e, row, args, kw);
      this.error(e.span, `numpy.${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('ndarray.')) {
      const name = q.slice(8);
      const recv = e.func.kind === 'attribute' ? this.types.get(e.func.value) : undefined;
      const arr = recv && recv.kind === 'array' ? recv : { kind: 'array' as const, dtype: null, ndim: null };
      const reduced = this.closeReduction(e, name, args, kw, true);
      if (reduced) return reduced;
      // a.trace(offset) of float64 or int64: NumPy's own order (types/row-rules.ts traceRule)
      const trace = name === 'trace' && e.func.kind === 'attribute' ? traceRule(recv, e.func.value, e.args[0] ?? e.keywords.find((w) => w.name === 'offset')?.value, args[0] ?? kw.get('offset'),
        e.args.length > 1 || [...kw.keys()].some((k) => k !== 'offset') || (e.args.length > 0 && kw.has('offset'))) : undefined;
      if (trace && 'refuse' in trace) {
        this.error(e.span, `.${trace.refuse}`);
        return UNKNOWN;
      }
      if (trace) {
        this.helpers.set(e, trace.helper);
        return trace.ty;
      }
      const row = arrayMethod(name);
      const refusal = row ? callArgumentRefusal(row, `.${name}`, [...kw.keys()], args.length) : null;
      if (refusal) this.error(e.span, refusal);
      switch (row?.typing) {
        case 'reduction':
        case 'item':
          this.exactSum(e.span, name, arr.dtype, e, {
            ndim: arr.ndim, whole: args.length === 0 && e.keywords.length === 0, method: true, param: e.func.kind === 'attribute' && this.isParamName(e.func.value),
          });
          // exact mode's float a.max()/a.min(): the checked helper of the receiver (types/reductions.ts checkedExtreme)
          if (args.length === 0 && e.keywords.length === 0) {
            const checked = checkedExtreme(this.numerics, name, arr.dtype, false);
            if (checked) this.helpers.set(e, { helper: checked, receiver: true });
          }
          if (kw.has('axis') || args.length > 0) return { kind: 'array', dtype: arr.dtype, ndim: arr.ndim !== null ? arr.ndim - 1 : null };
          return reductionScalar(name, arr.dtype);
        case 'same':
          return { kind: 'array', dtype: arr.dtype, ndim: arr.ndim };
        case 'flat':
          // a.ravel(): a view exactly where NumPy's is (runtime/row_helpers.ravel); an order is not read
          if ((name === 'ravel' || name === 'flatten') && e.args.length > 0) {
            this.error(e.span, `.${name}() is supported without an order (C order)`);
            return UNKNOWN;
          }
          if (row.helper) this.helpers.set(e, { helper: row.helper, receiver: true });
          return { kind: 'array', dtype: arr.dtype, ndim: 1 };
        case 'scan': {
          // a.cumsum([axis]) / a.cumprod(axis=k): NumPy's accumulation (types/row-rules.ts scanRule)
          if (e.func.kind !== 'attribute') return UNKNOWN;
          const axisAt = e.args[0] ?? e.keywords.find((w) => w.name === 'axis')?.value;
          const dtypeAt = e.args[1] ?? e.keywords.find((w) => w.name === 'dtype')?.value;
          const extra = e.args.length > 2 || [...kw.keys()].some((k) => k !== 'axis' && k !== 'dtype') ||
            (e.args.length > 0 && kw.has('axis')) || (e.args.length > 1 && kw.has('dtype'));
          const r = scanRule(name as 'cumsum' | 'cumprod', arr, e.func.value, axisAt, extra, dtypeAt && { ty: args[1] ?? kw.get('dtype'), node: dtypeAt });
          return this.scanResult(e, `.${name}`, r);
        }
        case 'fill':
          if (e.func.kind === 'attribute') this.markWritten(e.func.value, e.span);
          return { kind: 'none' };
        case 'astype': {
          const to = args[0];
          if (args.length !== 1 || e.keywords.length > 0 || to?.kind !== 'dtype') {
            if (to?.kind !== 'unknown') this.error(e.span, '.astype() takes one dtype (np.float32, float, A.dtype or a string such as \'float32\'), without keywords');
            return UNKNOWN;
          }
          // float to integer: compiled only where every element truncates into the dtype's range, else the
          // original runs (runtime/int_helpers.py astype_int, types/undo-helpers.ts)
          if (floatToInt(arr.dtype, to.dtype)) this.helpers.set(e, { helper: ASTYPE_INT_HELPER, receiver: true });
          else {
            const refusal = astypeRefusal(arr.dtype, to.dtype);
            if (refusal) this.error(e.span, refusal);
          }
          return { kind: 'array', dtype: to.dtype, ndim: arr.ndim };
        }
        case 'reshape':
          return this.reshape(e, row, arr, args.length === 1 ? args[0] : { kind: 'tuple', elts: args }, e.args.length === 1 ? e.args[0] : e);
      }
      // rules shared with the np.<name> form: the receiver is the first operand
      if (row) {
        const t = this.arrayRule(e, row, [arr, ...args], kw);
        if (t) return t;
      }
      this.error(e.span, `array method .${name}() is not supported`);
      return UNKNOWN;
    }
    if (q.startsWith('scalar.')) {
      const name = q.slice(7);
      const recv = e.func.kind === 'attribute' ? this.types.get(e.func.value) : undefined;
      if ((name === 'conjugate' || name === 'conj') && recv?.kind === 'scalar') return recv;
      this.error(e.span, `scalar method .${name}() is not supported`);
      return UNKNOWN;
    }
    this.error(e.span, `calls to '${q}' are not supported`);
    return UNKNOWN;
  }

  /**
   * A 'product' row (LAPACK through Numba): another build of the same
   * algorithm, so `exact` keeps the original and `close` notes the bound.
   */
  /** A cumsum/cumprod rule's outcome (types/row-rules.ts scanRule): its diagnostic, or its helper and type. */
  protected scanResult(e: Expr & { kind: 'call' }, call: string, r: ScanResult): Ty {
    if ('refuse' in r) {
      this.error(e.span, `${call.startsWith('.') ? '.' : 'np.'}${r.refuse}`);
      return UNKNOWN;
    }
    if (r.helper) this.helpers.set(e, r.helper);
    // `axis=None` written: the flat call Numba knows (its np.cumprod takes no axis)
    if (r.flat) {
      e.args = e.args.slice(0, call.startsWith('.') ? 0 : 1);
      e.keywords = [];
    }
    return r.ty;
  }

  protected productRow(span: Span, row: TableRow): void {
    const operation = `np.${row.name}`;
    if (this.numerics === 'close' && row.closeBound) {
      if (!this.closeNotes.some((n) => n.line === span.from.line && n.col === span.from.col)) {
        this.closeNotes.push({ line: span.from.line, col: span.from.col, operation, bound: row.closeBound, kind: 'product', gpu: false });
      }
      return;
    }
    this.error(span, `${operation}(): compiled code calls another BLAS/LAPACK build than NumPy's, so the last bits could differ`);
  }

  /**
   * np.reshape(a, shape) / a.reshape(shape) / a.reshape(d0, d1): the shape's
   * rank (an int is one dimension; `B.shape` gives an unknown rank).
   * numba_helpers.reshape keeps Numba's reshape to C-contiguous arrays.
   */
  protected reshape(e: Expr & { kind: 'call' }, row: TableRow, a: Ty & { kind: 'array' }, shape: Ty, at: Expr): Ty {
    const int = (t: Ty): boolean => t.kind === 'scalar' && t.scalar === 'int';
    let ndim: number | null = null;
    if (shape.kind === 'tuple' && shape.elts.length > 0 && shape.elts.every(int)) ndim = shape.elts.length;
    else if (int(shape)) ndim = 1;
    else if (shape.kind !== 'shape') {
      this.error(at.span, `${row.where === 'numpy' ? 'np.reshape()' : '.reshape()'} needs a shape of ints`);
      return UNKNOWN;
    }
    if (e.keywords.length > 0) this.error(e.span, 'reshape() with keywords (order=) is not supported');
    this.helpers.set(e, { helper: row.helper!, ...(row.where === 'ndarray' ? { receiver: true } : {}) });
    return { kind: 'array', dtype: a.dtype, ndim };
  }

  /** np.linspace(start, stop, num=50, dtype=np.float64): real scalars in, float64 out, as NumPy computes it. */
  protected linspace(e: Expr & { kind: 'call' }, args: Ty[], kw: Map<string, Ty>): Ty {
    const real = (t: Ty | undefined): boolean => t !== undefined && t.kind === 'scalar' && (t.scalar === 'int' || t.scalar === 'float');
    const num = args[2] ?? kw.get('num');
    const dtype = kw.get('dtype');
    const okKeys = [...kw.keys()].every((k) => k === 'num' || k === 'dtype') && !(args.length > 2 && kw.has('num'));
    if (args.length < 2 || args.length > 3 || !real(args[0]) || !real(args[1]) || (num !== undefined && !(num.kind === 'scalar' && num.scalar === 'int')) || !okKeys
      || (dtype !== undefined && !(dtype.kind === 'dtype' && dtype.dtype === 'float64'))) {
      this.error(e.span, 'np.linspace() is supported as np.linspace(start, stop, num) with int or float start and stop, an int num, and dtype np.float64 if any');
      return UNKNOWN;
    }
    this.helpers.set(e, { helper: 'linspace' });
    return { kind: 'array', dtype: 'float64', ndim: 1 };
  }
}
