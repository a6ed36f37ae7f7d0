// Codegen (CPU variant): a parameter's literal default as a constant of the
// compiled code (issue 18, NPBench crc16's `def crc16(data, poly=0x8408)`,
// called without poly). The variant receives every argument at run time, so
// Numba compiles `poly` as an unknown int64 where NPBench's Numba version,
// called with poly omitted, sees the constant 0x8408 (its loop then runs 1.6x
// faster: the shifts and masks fold). The variant gets a second copy of its
// body behind `if poly == 33800:`, which rebinds `poly = 33800` first: in that
// copy the value is a constant LLVM folds, and a call passing another value
// runs the first copy, the code as before. The value decides, not whether the
// call omitted the argument: both are the same int64 in Numba (the dispatcher
// admits only a Python int or np.int64 below 2**31 for an int parameter, a
// Python bool for a bool one), so the two copies compute the same bits.
//
// Eligible: an int or bool parameter (not a NumPy scalar type) whose default
// is an int literal or True/False, that the body never rebinds, that a loop
// reads (elsewhere folding gains nothing); the body ends with `return` (the
// specialized copy must not fall through into the other); the first such
// parameter only (each one would double the code Numba compiles).
import { stmtExprs, walkExpr, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';

export interface DefaultConstant {
  name: string;
  /** The value as the variant prints it: a decimal int, or True/False. */
  value: string;
}

const INT_LITERAL = /^(-?)\s*(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[1-9][0-9_]*|0+)$/;
/** The dispatcher's bound on an int argument (runtime/params.py INT_LIMIT: |x| < 2**31). */
const INT_LIMIT = 2n ** 31n;

/** The decimal value of an int literal (`0x8408`, `-3`, `1_000`) within the dispatcher's bound, or null. */
export function intLiteralValue(text: string): string | null {
  const m = INT_LITERAL.exec(text.trim());
  if (!m) return null;
  const digits = m[2].replace(/_/g, '');
  const base = /^0[oO]/.test(digits) ? BigInt(`0o${digits.slice(2)}`) : BigInt(/^0+$/.test(digits) ? '0' : digits.replace(/^0+(?=\d)/, ''));
  const v = m[1] === '-' ? -base : base;
  return v > -INT_LIMIT && v < INT_LIMIT ? v.toString() : null;
}

/** The parameter whose default the variant specializes on, or null. */
export function defaultConstant(tf: TypedFunction): DefaultConstant | null {
  const last = tf.fn.body[tf.fn.body.length - 1];
  if (!last || last.kind !== 'return') return null;
  for (const p of tf.fn.params) {
    const info = tf.params.find((x) => x.name === p.name);
    if (!info || info.scalarDtype !== undefined || p.defaultText === null) continue;
    const text = p.defaultText.trim();
    const value = info.kind === 'int' ? intLiteralValue(text) : info.kind === 'bool' && (text === 'True' || text === 'False') ? text : null;
    if (value === null || rebinds(tf.fn.body, p.name) || !readInLoop(tf.fn.body, p.name)) continue;
    return { name: p.name, value };
  }
  return null;
}

/** Whether a statement binds `name` (an assignment's target, a for loop's variable). */
function rebinds(body: Stmt[], name: string): boolean {
  let found = false;
  const binds = (t: Expr): boolean => (t.kind === 'name' && t.id === name) || (t.kind === 'tuple' && t.elts.some(binds));
  walkStmts(body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && binds(s.target)) found = true;
    if (s.kind === 'for' && s.target.id === name) found = true;
  });
  return found;
}

/** Whether a statement inside a loop (its header included) reads `name`. */
function readInLoop(body: Stmt[], name: string): boolean {
  let found = false;
  walkStmts(body, (s) => {
    if (s.kind !== 'for' && s.kind !== 'while') return;
    walkStmts([s], (x) => {
      for (const e of stmtExprs(x)) walkExpr(e, (y) => { if (y.kind === 'name' && y.id === name) found = true; });
    });
  });
  return found;
}

/**
 * The variant's lines (`def` first, then its body at four spaces) with the
 * body's specialized copy in front, or the lines as they are where nothing is
 * eligible or the body holds a string literal spanning lines (indenting it
 * would change the string).
 */
export function specializeDefault(tf: TypedFunction, lines: string[]): string[] {
  const d = defaultConstant(tf);
  if (!d || lines.some((l) => l.includes('"""') || l.includes("'''"))) return lines;
  const [def, ...body] = lines;
  return [
    def,
    `    if ${d.name} == ${d.value}:  # the default: a constant of this copy (codegen/default-constants.ts)`,
    `        ${d.name} = ${d.value}`,
    ...body.map((l) => (l.trim() === '' ? l : `    ${l}`)),
    ...body,
  ];
}
