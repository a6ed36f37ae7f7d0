// Where a local re-bound to another type is the only obstacle (parse/rebinding.ts):
// the function is checked as written first, and only when that fails is the copy
// with its re-bound locals renamed checked, and used if it passes; then the copy
// whose re-bound, never-written array parameters are read into fresh locals
// (types/param-localizing.ts). Functions that check as written keep their text and names.
import { renameRebindings } from '../parse/rebinding.js';
import type { FunctionDef } from '../parse/ast.js';
import { localizeReboundParams } from './param-localizing.js';
import type { TypedFunction } from './typed-function.js';

const failed = (tf: TypedFunction): boolean => tf.diagnostics.some((d) => d.severity === 'error');

export function checkPreferringRenamed(fn: FunctionDef, check: (f: FunctionDef) => TypedFunction): TypedFunction {
  const tf = check(fn);
  if (!failed(tf)) return tf;
  const renamed = renameRebindings(fn);
  if (renamed) {
    const again = check(renamed);
    if (!failed(again)) return again;
  }
  const localized = localizeReboundParams(fn, tf);
  if (localized) {
    const again = check(localized);
    if (!failed(again)) return again;
  }
  return tf;
}
