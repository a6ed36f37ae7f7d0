// Guard conditions that rows of the NumPy table (types/numpy-table.ts) need
// beyond their types: where NumPy's result changes kind with the argument's
// sizes, which compiled code cannot follow, the dispatcher checks the sizes and
// runs the original for the others. np.cov of a matrix with one row (one
// variable) returns a 0-d array in NumPy; Numba raises instead. np.bincount(x,
// weights=w) of an empty x returns int64 zeros in NumPy, float64 ones in Numba; of
// a negative first value, NumPy raises and Numba (which checks from the second on) writes out of bounds.
import { walkStmts, stmtExprs, walkExpr, type Expr } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import type { Precondition } from './preconditions.js';
import { covVariables } from '../types/table-guards.js';

export function tablePreconditions(tf: TypedFunction): Precondition[] {
  const out: Precondition[] = [];
  const matrix = (name: string): boolean => tf.params.some((p) => p.name === name && p.kind === 'array' && p.ndim === 2);
  const isModule = (x: Expr): boolean => x.kind === 'name' && tf.types.get(x)?.kind === 'module';
  walkStmts(tf.fn.body, (s) => {
    for (const root of stmtExprs(s)) {
      walkExpr(root, (e) => {
        // np.linalg.norm(A, 2 / -2) of a matrix parameter (types/norms.ts singular): inf and NaN entries give
        // NumPy's nan or LinAlgError as its LAPACK build decides, left to the original; a parameter written by
        // the function could change them after the guard ran
        const h = tf.helpers.get(e);
        if (e.kind === 'call' && (h?.helper === 'norm' || h?.helper === 'norm_keepdims') && ['4', '5'].includes(String(h.args?.[1])) && tf.params.some((p) => p.kind === 'array' && p.ndim === 2 && e.args[0]?.kind === 'name' && p.name === (e.args[0] as { id: string }).id)) {
          const p = tf.params.find((q) => q.name === (e.args[0] as { id: string }).id)!;
          out.push({ condition: p.written ? 'False' : `__import__('numpy').isfinite(${p.name}).all()`, why: `np.linalg.norm(${p.name}, 2 or -2) of a matrix${p.written ? ' the function writes' : ' with inf or NaN entries'}: NumPy's result or LinAlgError comes from its LAPACK build` });
        }
        if (e.kind !== 'call' || e.func.kind !== 'attribute' || e.func.value.kind !== 'name' || tf.types.get(e.func.value)?.kind !== 'module') return;
        const x = e.args[0];
        if (e.func.attr === 'bincount' && x?.kind === 'name' && tf.params.some((p) => p.name === x.id) && (e.args.length > 1 || e.keywords.some((k) => k.name === 'weights'))) {
          out.push({ condition: `${x.id}.size != 0`, why: 'np.bincount of an empty array with weights gives int64 zeros' });
        }
        if (e.func.attr === 'bincount' && x?.kind === 'name' && tf.params.some((p) => p.name === x.id)) {
          // Numba checks the signs from the second element on: a negative first one writes before the
          // counts (a crash, found by the fuzzer's TableFn) where NumPy raises ValueError
          out.push({ condition: `(${x.id}.size == 0 or ${x.id}[0] >= 0)`, why: "np.bincount of a negative first value: Numba's does not raise" });
        }
        if (e.func.attr !== 'cov') return;
        const v = e.args.length === 1 ? covVariables(e.args[0], matrix, isModule) : null;
        if (v) out.push({ condition: `${v.param}.shape[${v.dim}] != 1`, why: 'np.cov of one variable gives a 0-d array' });
      });
    }
  });
  return out;
}
