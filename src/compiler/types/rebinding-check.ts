// Where a local re-bound to another type is the only obstacle (parse/rebinding.ts):
// the function is checked as written first, and only when that fails is the copy
// with its re-bound locals renamed checked, and used if it passes. Functions that
// check as written keep their text and names.
import { renameRebindings } from '../parse/rebinding.js';
import type { FunctionDef } from '../parse/ast.js';
import type { TypedFunction } from './typed-function.js';

const failed = (tf: TypedFunction): boolean => tf.diagnostics.some((d) => d.severity === 'error');

export function checkPreferringRenamed(fn: FunctionDef, check: (f: FunctionDef) => TypedFunction): TypedFunction {
  const tf = check(fn);
  if (!failed(tf)) return tf;
  const renamed = renameRebindings(fn);
  if (!renamed) return tf;
  const again = check(renamed);
  return failed(again) ? tf : again;
}
