// Backward liveness of local names over the structured AST: which names may be
// read after a given loop before being redefined. A prange loop privatizes what
// it assigns, so nothing it assigns may be live after it.
import { walkExpr, type Expr, type FunctionDef, type Stmt } from '../parse/ast.js';

function reads(e: Expr | null, into: Set<string>): void {
  if (e) walkExpr(e, (x) => x.kind === 'name' && into.add(x.id));
}

/** Names that may be read after `target` finishes, before they are assigned again. */
export function liveAfter(fn: FunctionDef, target: Stmt): Set<string> {
  const found = new Set<string>();
  const block = (body: Stmt[], liveOut: Set<string>): Set<string> => {
    let live = new Set(liveOut);
    for (let k = body.length - 1; k >= 0; k--) live = stmt(body[k], live);
    return live;
  };
  const stmt = (s: Stmt, liveOut: Set<string>): Set<string> => {
    if (s === target) for (const n of liveOut) found.add(n);
    const live = new Set(liveOut);
    switch (s.kind) {
      case 'assign':
        if (s.target.kind === 'name') live.delete(s.target.id);
        else reads(s.target, live);
        reads(s.value, live);
        return live;
      case 'augassign':
        reads(s.target, live);
        reads(s.value, live);
        return live;
      case 'expr':
        reads(s.value, live);
        return live;
      case 'return':
        return (() => {
          const r = new Set<string>();
          reads(s.value, r);
          return r;
        })();
      case 'if': {
        const a = block(s.body, liveOut);
        const b = block(s.orelse, liveOut);
        const out = new Set([...a, ...b]);
        reads(s.test, out);
        return out;
      }
      case 'for': {
        // The body may run zero or many times, and every iteration starts by
        // assigning the target: iterate to a fixed point.
        let acc = new Set(liveOut);
        for (let k = 0; k < 4; k++) {
          const bodyIn = block(s.body, acc);
          bodyIn.delete(s.target.id);
          const next = new Set([...acc, ...bodyIn]);
          if (next.size === acc.size) break;
          acc = next;
        }
        reads(s.range.start, acc);
        reads(s.range.stop, acc);
        reads(s.range.step, acc);
        return acc;
      }
      case 'while': {
        // The test runs before every iteration and once more at the end; the
        // body zero or more times (break leaves with what is live after the loop).
        let acc = new Set(liveOut);
        reads(s.test, acc);
        for (;;) {
          const next = new Set([...acc, ...block(s.body, acc)]);
          if (next.size === acc.size) break;
          acc = next;
        }
        return acc;
      }
      default:
        return live;
    }
  };
  block(fn.body, new Set());
  return found;
}
