// A ufunc's output argument, positional or `out=` (issue 17): `np.multiply(Z, Z, Z)`,
// `np.add(Z, C, out=Z)`, `np.logical_not(I, I)`. NumPy computes the ufunc and writes
// it into out, broadcasting the inputs to out's shape (ValueError where they do not
// fit) and reading overlapping inputs as if before any write. As a statement of its
// own, with out an array name of the result's dtype and at least its rank, that is
// `out[:, ...] = np.ufunc(inputs)`: the value is computed whole before the store (so
// overlap between out and an input is harmless), the store broadcasts as NumPy's
// output does, and an operand that does not fit raises ValueError in both. Other
// forms keep the original: a call whose result is used (it returns out itself), a
// tuple or a subscript as out, another dtype (NumPy's casting rules, same_kind, and
// its loop choice with an out dtype are not reproduced).
import type { Expr } from '../parse/ast.js';

export interface UfuncOut {
  /** The output array, as written. */
  out: Expr;
  /** The call's inputs (its arguments without the output). */
  inputs: Expr[];
}

/** The output argument of a ufunc call of `nin` inputs, null when it has none, or why it is refused. */
export function ufuncOutArgument(call: Expr & { kind: 'call' }, nin: number): UfuncOut | { error: string } | null {
  const kw = call.keywords.find((k) => k.name === 'out');
  const positional = call.args.length > nin ? call.args[nin] : null;
  if (!kw && !positional) return null;
  if (call.args.length > nin + 1 || (kw && positional)) return { error: 'a ufunc call with more than one output argument' };
  if (call.keywords.some((k) => k.name !== 'out')) return { error: 'a ufunc call with an output argument and other keywords' };
  const out = kw ? kw.value : positional!;
  if (out.kind !== 'name') return { error: 'a ufunc output argument other than an array name (a tuple, a slice)' };
  return { out, inputs: call.args.slice(0, nin) };
}
