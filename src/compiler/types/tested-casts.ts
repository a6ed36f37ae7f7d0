// A condition's value is only tested for truth. Where it is built from bitwise
// operators (`if (crc & 1) ^ (byte & 1):`), the casts that spell NumPy's narrow
// dtypes (types/casts.ts) change no bit of it when the value they cast is known
// to lie in [0, the dtype's maximum] (int-ranges.ts): `np.uint8(v)` is v. They
// are not free in compiled code: with them, LLVM compiled crc16's bit loop to a
// branch per bit (mispredicted on random data) instead of its masks, 2.1x the
// CPU time of the same loop without them (docs/benchmarks.md, issue 18).
//
// Why only bitwise operators between the test and a dropped cast: `&`, `|` and
// `^` of Numba's integers are integers whatever their widths and signedness
// (Numba's choose_result_int), and each bit of the result depends only on the
// same bit of the operands; a value in [0, max] is the same bits in any
// container, so every bit of the test is unchanged, and so is its truth. An
// arithmetic parent could change (a `-` in another width, a float from mixed
// signedness in NumPy's rules), and an assignment's cast fixes a local's type
// for the code after it: neither is touched. A range-checked cast (`checked`)
// is a check, never dropped.
import type { Expr, Stmt } from '../parse/ast.js';
import type { NumericCast } from './casts.js';
import type { Range } from './int-ranges.js';
import { intRange } from './promotion.js';

const BITWISE = new Set(['&', '|', '^']);

/**
 * The nodes of condition `test` whose casts may go: `casts` gives each node's cast, `rangeOf` the static
 * range of an integer expression (null where unknown).
 */
export function castsFreeInTest(test: Expr, casts: ReadonlyMap<Expr | Stmt, NumericCast>, rangeOf: (e: Expr) => Range | null): Expr[] {
  if (test.kind === 'unary' && test.op === 'not') return castsFreeInTest(test.operand, casts, rangeOf);
  const free: Expr[] = [];
  const visit = (e: Expr): void => {
    const cast = casts.get(e);
    if (cast && !cast.array && !cast.checked) {
      const bounds = intRange(cast.dtype);
      const r = bounds ? rangeOf(e) : null;
      if (bounds && r && r[0] >= 0n && r[1] <= bounds[1]) free.push(e);
    }
    if (e.kind === 'binary' && BITWISE.has(e.op)) {
      visit(e.left);
      visit(e.right);
    }
  };
  visit(test);
  return free;
}
