// Prints Polyray AST nodes back to Python source. Code is generated from
// structure (this printer plus small line builders), never by splicing strings
// of expressions together; parentheses follow Python's precedence table.
import type { Expr, Stmt } from '../parse/ast.js';
import { castOf } from '../types/casts.js';
import { dtypeSpelling } from '../types/dtype-args.js';
import { CHECKED_INT_HELPER } from '../types/undo-helpers.js';
import { helperName, NUMPY } from './names.js';

const PREC: Record<string, number> = {
  ifexp: 1, or: 2, and: 3, not: 4, compare: 5, '|': 6, '^': 7, '&': 8, '<<': 9, '>>': 9,
  '+': 10, '-': 10, '*': 11, '/': 11, '//': 11, '%': 11, '@': 11, unary: 12, '**': 13, atom: 14,
};

function precOf(e: Expr): number {
  switch (e.kind) {
    case 'ifexp':
      return PREC.ifexp;
    case 'boolop':
      return PREC[e.op];
    case 'unary':
      return e.op === 'not' ? PREC.not : PREC.unary;
    case 'compare':
      return PREC.compare;
    case 'binary':
      return PREC[e.op];
    case 'tuple':
      return 0;
    case 'number':
      // `-1` printed as a literal still binds like a unary minus.
      return e.text.startsWith('-') ? PREC.unary : PREC.atom;
    default:
      return PREC.atom;
  }
}

/** Lets callers replace how particular nodes print (helpers, renamed names). */
export type Override = (e: Expr, print: (e: Expr) => string) => string | undefined;

export class PythonPrinter {
  constructor(
    private readonly override: Override = () => undefined,
    /** Array augmented assignments to print as `t = t op v` (see TypedFunction.arrayAug). */
    private readonly arrayAug: Map<Stmt, number | null> = new Map(),
    /**
     * Variants' code (not guards) spells NumPy 2's dtypes (types/casts.ts);
     * `inElements` says whether array expressions print as their elements now
     * (a lowered statement).
     */
    private readonly numeric: {
      inElements: () => boolean;
      /** A range-checked Python int's call instead of fit_int's here (the flagging form inside prange loops), or undefined. */
      checked?: (text: string, lo: bigint, hi: bigint) => string | undefined;
    } | null = null,
  ) {}

  expr(e: Expr): string {
    const o = this.override(e, (x) => this.expr(x));
    const dtype = dtypeSpelling(e); // `dtype=float`, `'float32'`, `A.dtype` resolved (types/dtype-args.ts)
    const text = o ?? (dtype ? `${NUMPY}.${dtype === 'bool' ? 'bool_' : dtype}` : this.plain(e));
    const cast = this.numeric ? castOf(e) : undefined;
    if (!cast) return text;
    // a computed Python int that NumPy range-checks (types/casts.ts NumericCast.checked)
    if (cast.checked) return `${NUMPY}.${cast.dtype}(${this.checkedInt(text, cast.checked)})`;
    if (!cast.array || this.numeric!.inElements()) return `${NUMPY}.${cast.dtype}(${text})`;
    return cast.operand || /int/.test(cast.dtype) ? `(${text}).astype(${NUMPY}.${cast.dtype})` : text;
  }

  /** `fit_int(text, lo, hi)`, or the printer's own form of it (spec_fit_int inside a prange loop). */
  private checkedInt(text: string, [lo, hi]: readonly [bigint, bigint]): string {
    return this.numeric!.checked?.(text, lo, hi) ?? `${helperName(CHECKED_INT_HELPER)}(${text}, ${lo}, ${hi})`;
  }

  private plain(e: Expr): string {
    switch (e.kind) {
      case 'name':
        return e.id;
      case 'number':
        return e.text;
      case 'const':
        return e.value;
      case 'string':
        return e.text;
      case 'binary': {
        const p = PREC[e.op];
        const rightAssoc = e.op === '**';
        const l = this.wrap(e.left, rightAssoc ? p + 1 : p);
        const r = this.wrap(e.right, rightAssoc ? (e.right.kind === 'unary' ? PREC.unary : p) : p + 1);
        return `${l} ${e.op} ${r}`;
      }
      case 'unary': {
        if (e.op === 'not') return `not ${this.wrap(e.operand, PREC.not)}`;
        return `${e.op}${this.wrap(e.operand, PREC.unary)}`;
      }
      case 'compare': {
        const parts = [this.wrap(e.left, PREC.compare + 1)];
        e.ops.forEach((op, k) => parts.push(op, this.wrap(e.comparators[k], PREC.compare + 1)));
        return parts.join(' ');
      }
      case 'boolop': {
        const p = PREC[e.op];
        return `${this.wrap(e.left, p)} ${e.op} ${this.wrap(e.right, p + 1)}`;
      }
      case 'ifexp':
        return `${this.wrap(e.body, PREC.ifexp + 1)} if ${this.wrap(e.test, PREC.ifexp + 1)} else ${this.wrap(e.orelse, PREC.ifexp)}`;
      case 'call': {
        const args = [...e.args.map((a) => this.wrapTuple(a)), ...e.keywords.map((k) => `${k.name}=${this.wrapTuple(k.value)}`)];
        return `${this.wrap(e.func, PREC.atom)}(${args.join(', ')})`;
      }
      case 'attribute': {
        const base = this.wrap(e.value, PREC.atom);
        // `1 .real` would need a space; parenthesize numbers instead.
        return e.value.kind === 'number' ? `(${base}).${e.attr}` : `${base}.${e.attr}`;
      }
      case 'subscript':
        return `${this.wrap(e.value, PREC.atom)}[${e.indices.map((i) => this.index(i)).join(', ')}]`;
      case 'slice':
        return this.index(e);
      case 'tuple':
        return e.elts.length === 1 ? `(${this.expr(e.elts[0])},)` : `(${e.elts.map((x) => this.expr(x)).join(', ')})`;
    }
  }

  private index(e: Expr): string {
    if (e.kind !== 'slice') return this.wrapTuple(e);
    const lo = e.lower ? this.expr(e.lower) : '';
    const hi = e.upper ? this.expr(e.upper) : '';
    return e.step ? `${lo}:${hi}:${this.expr(e.step)}` : `${lo}:${hi}`;
  }

  private wrapTuple(e: Expr): string {
    return e.kind === 'tuple' ? `(${this.expr(e).replace(/^\(|\)$/g, '')})` : this.expr(e);
  }

  private wrap(e: Expr, minPrec: number): string {
    const s = this.expr(e);
    return precOf(e) < minPrec ? `(${s})` : s;
  }

  /** Prints statements at the given indentation; `stmtOverride` may replace a statement's lines. */
  stmts(body: Stmt[], indent: string, stmtOverride?: (s: Stmt, indent: string) => string[] | undefined): string[] {
    const out: string[] = [];
    for (const s of body) {
      const o = stmtOverride?.(s, indent);
      if (o) {
        out.push(...o);
        continue;
      }
      out.push(...this.stmt(s, indent, stmtOverride));
    }
    if (out.length === 0) out.push(`${indent}pass`);
    return out;
  }

  private stmt(s: Stmt, indent: string, so?: (s: Stmt, indent: string) => string[] | undefined): string[] {
    const inner = indent + '    ';
    switch (s.kind) {
      case 'for': {
        const r = s.range;
        const args = [r.start, r.stop, r.step].filter((x): x is Expr => x !== null);
        const rangeArgs = r.start === null ? [r.stop] : args;
        return [`${indent}for ${s.target.id} in range(${rangeArgs.map((a) => this.expr(a)).join(', ')}):`, ...this.stmts(s.body, inner, so)];
      }
      case 'while':
        return [`${indent}while ${this.expr(s.test)}:`, ...this.stmts(s.body, inner, so)];
      case 'if': {
        const lines = [`${indent}if ${this.expr(s.test)}:`, ...this.stmts(s.body, inner, so)];
        if (s.orelse.length > 0) lines.push(`${indent}else:`, ...this.stmts(s.orelse, inner, so));
        return lines;
      }
      case 'assign': {
        const line = `${indent}${this.expr(s.target)} = ${this.expr(s.value)}`;
        if (s.unpackedLength === undefined) return [line];
        // `a, b = E` of an array (parse/unpack.ts): Python's ValueError on another length
        // (len(): an array's first dimension; a tuple's length, which Numba knows when it compiles)
        const n = s.unpackedLength;
        const len = `len(${this.expr(s.target)})`;
        // (CPython's messages; Numba formats str(int) at run time)
        return [
          line,
          `${indent}if ${len} > ${n}:`,
          `${indent}    raise ValueError("too many values to unpack (expected ${n})")`,
          `${indent}if ${len} < ${n}:`,
          `${indent}    raise ValueError("not enough values to unpack (expected ${n}, got " + str(${len}) + ")")`,
        ];
      }
      case 'augassign': {
        if (this.arrayAug.has(s)) {
          const rank = this.arrayAug.get(s);
          const load = this.expr(s.target);
          const store = rank === null || rank === undefined ? load : `${load}[${Array(Math.max(rank, 1)).fill(':').join(', ')}]`;
          const value = this.expr({ kind: 'binary', span: s.span, op: s.op, left: s.target, right: s.value });
          return [`${indent}${store} = ${value}`];
        }
        const cast = this.numeric ? castOf(s) : undefined;
        if (cast) {
          // a narrow scalar: `t = np.uint8(t + v)` (types/casts.ts); an element NumPy range-checks as it
          // stores the wider result: `a[i] = np.int8(fit_int(a[i] + v, lo, hi))` (types/check-assignments.ts scalarStore)
          const value = this.expr({ kind: 'binary', span: s.span, op: s.op, left: s.target, right: s.value });
          return [`${indent}${this.expr(s.target)} = ${NUMPY}.${cast.dtype}(${cast.checked ? this.checkedInt(value, cast.checked) : value})`];
        }
        return [`${indent}${this.expr(s.target)} ${s.op}= ${this.expr(s.value)}`];
      }
      case 'expr':
        if (s.out && this.arrayAug.has(s)) {
          // a ufunc's output argument (types/ufunc-out.ts): the value computed whole, then stored
          const rank = this.arrayAug.get(s) ?? 1;
          return [`${indent}${this.expr(s.out)}[${Array(Math.max(rank, 1)).fill(':').join(', ')}] = ${this.expr(s.value)}`];
        }
        return s.value.kind === 'string' ? [] : [`${indent}${this.expr(s.value)}`];
      case 'return':
        return [`${indent}return${s.value ? ' ' + this.expr(s.value) : ''}`];
      case 'pass':
        return [`${indent}pass`];
      case 'break':
        return [`${indent}break`];
      case 'continue':
        return [`${indent}continue`];
    }
  }
}
