// Prints isl AST expressions (from isl-wasm) as Python. isl's integer
// divisions are exact or floor divisions with positive divisors, so `//` and
// `%` keep their meaning; C's `&&`/`||` become `and`/`or`.
import type { AstExpr } from 'isl-wasm';

const BINARY: Record<string, string> = {
  add: '+', sub: '-', mul: '*', div: '//', fdiv_q: '//', pdiv_q: '//', pdiv_r: '%', zdiv_r: '%',
  eq: '==', le: '<=', lt: '<', ge: '>=', gt: '>', and: 'and', and_then: 'and', or: 'or', or_else: 'or',
};

export function islExprToPython(e: AstExpr, rename: (id: string) => string = (id) => id): string {
  const p = (x: AstExpr): string => islExprToPython(x, rename);
  switch (e.kind) {
    case 'id':
      return rename(e.name);
    case 'int':
      return String(e.value);
    case 'op': {
      const [a, b, c] = e.args;
      if (e.op in BINARY) {
        const parts = e.args.map(p);
        return `(${parts.join(` ${BINARY[e.op]} `)})`;
      }
      switch (e.op) {
        case 'minus':
          return `(-${p(a)})`;
        case 'max':
        case 'min':
          return `${e.op}(${e.args.map(p).join(', ')})`;
        case 'cond':
        case 'select':
          return `(${p(b)} if ${p(a)} else ${p(c)})`;
        default:
          throw new Error(`isl AST operation '${e.op}' has no Python form`);
      }
    }
  }
}
