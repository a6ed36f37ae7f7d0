// The user's own allocations in a CPU variant (`res = np.zeros(n)`, `out = np.empty((n, m), dtype=A.dtype)`)
// printed through the runtime's NumPy name, as the generated temporaries are: the runtime binds that
// name to polyray/runtime/large_allocations.py, whose empty/zeros/ones/full advise blocks of 4 MiB or
// more to huge pages as NumPy's allocator does (Numba's malloc faults them 4 KiB at a time).
import type { Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { NUMPY } from './names.js';

/** The allocations large_allocations.py overloads, each with the positional arguments it takes. */
const ADVISED: Readonly<Record<string, number>> = { empty: 2, zeros: 2, ones: 2, full: 3 };

/** `_polyray_np.zeros(...)` for a call of numpy.zeros (or empty, ones, full) in the forms the overloads take, else undefined. */
export function allocationCall(tf: TypedFunction, e: Expr, print: (e: Expr) => string): string | undefined {
  if (e.kind !== 'call' || e.func.kind !== 'attribute') return undefined;
  const callee = tf.types.get(e.func);
  if (callee?.kind !== 'callable' || !callee.qualified.startsWith('numpy.')) return undefined;
  const name = callee.qualified.slice('numpy.'.length);
  const positional = ADVISED[name];
  // other keywords (order=, like=) keep NumPy's own call (lists of extents are tuples after parsing)
  if (positional === undefined || e.args.length > positional || e.keywords.some((k) => k.name !== 'dtype')) return undefined;
  const args = [...e.args.map(print), ...e.keywords.map((k) => `${k.name}=${print(k.value)}`)];
  return `${NUMPY}.${name}(${args.join(', ')})`;
}
