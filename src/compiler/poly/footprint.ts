// Data footprints for the Ray variant: for a block of iterations
// k0 <= k < k1 of the parallel loop, the box of elements each written array
// may receive, from isl (the image of the block's iterations under the write
// accesses). Each bound is an isl AST expression in the parameters, k0 and k1.
// A box only has to contain the writes: the driver copies back the elements
// that changed, so a loose box costs bytes, never correctness.
import type { AstExpr, IslContext } from 'isl-wasm';
import type { Scop } from '../scop/scop.js';
import { affToIsl, islName, toAff } from '../scop/affine.js';
import type { ForStmt } from '../parse/ast.js';
import { literalStep } from '../codegen/loop-range.js';
import { islModel } from './model.js';

export interface Box {
  array: string;
  /** Per dimension: [lower, upper] inclusive, or null for the whole dimension. */
  dims: ([AstExpr, AstExpr] | null)[];
}

export const K0 = 'polyray_k0';
export const K1 = 'polyray_k1';

export function blockBoxes(ctx: IslContext, scop: Scop, loop: ForStmt, shapeParams: string[]): Box[] | null {
  const sl = scop.loops.find((l) => l.span.start === loop.span.start);
  if (!sl) return null;
  const index = scop.loops.indexOf(sl);
  const step = literalStep(loop.range.step);
  const lo = loop.range.start ? toAff(loop.range.start, (e) => (e.kind === 'name' && scop.params.includes(islName(e.id)) ? islName(e.id) : null)) : { terms: new Map(), constant: 0 };
  if (step === null || !lo) return null;
  const it = sl.iterator;
  const first = `${affToIsl(lo)} + ${step} * ${K0}`;
  const last = `${affToIsl(lo)} + ${step} * (${K1} - 1)`;
  const block = step > 0 ? `${first} <= ${it} <= ${last}` : `${last} <= ${it} <= ${first}`;
  const model = islModel(scop, [...shapeParams, K0, K1]);
  const head = model.head;
  const arrays = new Map<string, number>();
  const inside = scop.statements.filter((s) => s.loops.includes(index));
  for (const s of inside) {
    for (const a of s.accesses) {
      if (a.kind !== 'write' || a.scalar) continue;
      if (!a.dims) return null;
      arrays.set(a.array, a.dims.length);
    }
  }
  return ctx.scope(() => {
    const boxes: Box[] = [];
    for (const [array, rank] of arrays) {
      let image = ctx.unionSet(`${head} -> { ${islName(array)}[${Array.from({ length: rank }, (_, d) => `o${d}`).join(', ')}] : 1 = 0 }`);
      for (const s of inside) {
        // only the statements writing this array: parsing every statement's domain for every array was most of
        // the compile of a function with many statements and outputs (25 x 25 parses, test_nep50's batches)
        const writes = s.accesses.filter((a) => a.kind === 'write' && a.array === array);
        if (writes.length === 0) continue;
        const dom = ctx.unionSet(`${head} -> { ${model.domainOf(s, [block])} }`);
        for (const a of writes) {
          image = image.union(dom.apply(ctx.unionMap(`${head} -> { ${model.tuple(s)} -> ${a.element} }`)));
        }
      }
      const dims: Box['dims'] = [];
      for (let d = 0; d < rank; d++) {
        const names = Array.from({ length: rank }, (_, e) => `o${e}`);
        // Project onto dimension d first: with the other dimensions left in, the
        // schedule is not injective and isl scans them as loops of their own
        // (dropping a degenerate d), so the outermost loop need not be d's.
        const line = image.apply(ctx.unionMap(`${head} -> { ${islName(array)}[${names.join(', ')}] -> POLYRAY_D[o${d}] }`));
        const ast = ctx.generateAst(ctx.scheduleFromMap(line, `${head} -> { POLYRAY_D[x] -> [x] }`)).root;
        dims.push(boundsOf(ast));
      }
      boxes.push({ array, dims });
    }
    return boxes;
  });
}

/** The bounds of the single loop of a one-dimensional AST (through guards), or null. */
function boundsOf(n: import('isl-wasm').AstNode): [AstExpr, AstExpr] | null {
  if (n.kind === 'if' && !n.else) return boundsOf(n.then);
  if (n.kind === 'mark') return boundsOf(n.node);
  // a single point: isl prints the statement with the value instead of a loop
  if (n.kind === 'user' && n.expr.kind === 'op' && n.expr.op === 'call' && n.expr.args.length === 2) return [n.expr.args[1], n.expr.args[1]];
  if (n.kind !== 'for') return null;
  if (n.degenerate) return [n.init, n.init];
  const c = n.cond;
  if (c.kind !== 'op' || c.args[0]?.kind !== 'id' || c.args[0].name !== n.iterator) return null;
  if (c.op === 'le') return [n.init, c.args[1]];
  if (c.op === 'lt') return [n.init, { kind: 'op', op: 'sub', args: [c.args[1], { kind: 'int', value: 1 }] }];
  return null;
}
