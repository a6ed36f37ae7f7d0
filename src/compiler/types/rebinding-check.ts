// Where a local re-bound to another type is the only obstacle (parse/rebinding.ts):
// the function is checked as written first, and only when that fails is the copy
// with its re-bound locals renamed checked, and used if it passes; then the copy
// whose re-bound, never-written array parameters are read into fresh locals
// (types/param-localizing.ts). Functions that check as written keep their text and names,
// except where a re-bound local is an array (`res = a[1:] - a[:-1]; ...; res = b[1:] - b[:-1]`,
// as stencil code reuses a name): each binding is then its own local, so that the later
// stages can make each a temporary they fill element by element (scop/temporaries.ts
// models a local bound once), where NumPy makes one array per operator; so is an array local to
// each of several loops (`gcv = ...` at the top of each sweep: parse/rebinding.ts loopLocal).
import { loopLocal, renamable, renameRebindings } from '../parse/rebinding.js';
import type { FunctionDef } from '../parse/ast.js';
import { localizeReboundParams } from './param-localizing.js';
import type { TypedFunction } from './typed-function.js';

const failed = (tf: TypedFunction): boolean => tf.diagnostics.some((d) => d.severity === 'error');

export function checkPreferringRenamed(fn: FunctionDef, check: (f: FunctionDef) => TypedFunction): TypedFunction {
  const tf = check(fn);
  if (!failed(tf)) {
    // (a name local to loops is renamed only where it is an array: each loop's may then be a temporary)
    const array = (name: string): boolean => tf.locals.get(name)?.kind === 'array';
    if (![...renamable(fn), ...loopLocal(fn).keys()].some(array)) return tf;
    const renamed = renameRebindings(fn, array);
    const again = renamed && check(renamed);
    return again && !failed(again) ? again : tf;
  }
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
