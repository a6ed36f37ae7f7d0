// The Ray variant: the function's parallel loop split into blocks of
// iterations, one Ray task each. A task runs the block function (Numba, the
// loop restricted to iterations k0 <= k < k1) on its own copies and returns,
// per written array, only the box isl computed for its block; the runtime
// writes back what changed. Offered for functions whose body is scalar set-up
// followed by top-level parallel loops: one loop is one RayVariant; several
// run in order as RayStages, each writing back before the next reads.
import type { AstExpr } from 'isl-wasm';
import { walkExpr, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { Box } from '../poly/footprint.js';
import { K0, K1 } from '../poly/footprint.js';
import type { TypedFunction } from '../types/check.js';
import { islExprToPython } from './isl-expr.js';
import { rangeParts } from './loop-range.js';
import { PythonPrinter } from './python-printer.js';
import { islName } from '../scop/affine.js';

export interface RayVariantCode {
  lines: string[];
  constructor: string;
}

/** The top-level parallel loops the Ray variant splits, in order, or why there are none. */
export function rayLoops(tf: TypedFunction, prangeLoops: Set<number>): ForStmt[] | string {
  if (tf.returns !== 'none') return 'it returns a value (Ray tasks return only the boxes they wrote)';
  const call = tf.calls.values().next().value;
  if (call) return `it calls '${call.spec.callee}', which its Ray tasks do not compile`;
  const body = tf.fn.body.filter((s) => !(s.kind === 'expr' && s.value.kind === 'string') && s.kind !== 'pass');
  const last = body[body.length - 1];
  const tail = last && last.kind === 'return' && !last.value ? body.slice(0, -1) : body;
  let first = tail.length;
  while (first > 0 && tail[first - 1].kind === 'for') first--;
  const loops = tail.slice(first) as ForStmt[];
  if (loops.length === 0) return 'its body does not end with a top-level parallel loop';
  const sequential = loops.find((l) => !prangeLoops.has(l.span.start));
  if (sequential) return `its top-level loop at line ${sequential.span.from.line} does not run in parallel`;
  for (const [name, t] of tf.locals) if (t.kind === 'array') return `the local array '${name}' is not distributed`;
  if (tf.checkedInts) return 'a computed Python int is range-checked by fit_int, which leaves the call to the original (no Ray form)';
  if (tf.helpers.size > 0 || tf.augHelpers.size > 0) return 'its scalar set-up needs CPython-semantics helpers';
  const arrays = new Set(tf.params.filter((p) => p.kind === 'array').map((p) => p.name));
  for (const s of tail.slice(0, first)) {
    if (s.kind === 'for' || s.kind === 'while' || s.kind === 'if' || s.kind === 'return') return 'statements before its parallel loop are not simple scalar set-up';
    let usesArray = false;
    const exprs: Expr[] = s.kind === 'assign' || s.kind === 'augassign' ? [s.target, s.value] : s.kind === 'expr' ? [s.value] : [];
    for (const e of exprs) walkExpr(e, (x) => (usesArray ||= x.kind === 'name' && arrays.has(x.id)));
    if (usesArray) return 'statements before its parallel loop read arrays';
  }
  return loops;
}

/** One RayVariant per loop; several loops run in order as RayStages. */
export function emitRayVariant(tf: TypedFunction, stages: { loop: ForStmt; boxes: Box[] }[], shapeParams: { name: string; array: string; dim: number }[]): RayVariantCode {
  const one = stages.map((s, k) => emitRayStage(tf, s.loop, s.boxes, shapeParams, stages.length > 1 ? `_${k}` : ''));
  if (one.length === 1) return one[0];
  return {
    lines: one.flatMap((s, k) => (k ? ['', '', ...s.lines] : s.lines)),
    constructor: `_polyray.RayStages([${one.map((s) => s.constructor).join(', ')}])`,
  };
}

function emitRayStage(tf: TypedFunction, loop: ForStmt, boxes: Box[], shapeParams: { name: string; array: string; dim: number }[], suffix: string): RayVariantCode {
  const fn = tf.fn.name + suffix;
  const params = tf.fn.params.map((p) => p.name);
  const printer = new PythonPrinter(undefined, tf.arrayAug, { inElements: () => false });
  // the scalar set-up before the first loop (rayLoops: no arrays, no loops), run by every block
  const prefix = tf.fn.body.slice(0, tf.fn.body.indexOf(loop as Stmt)).filter((s) => !(s.kind === 'expr' && s.value.kind === 'string') && s.kind !== 'for');
  const parts = rangeParts(loop, (e) => printer.expr(e))!;
  const prefixLines = (indent: string): string[] => (prefix.length ? printer.stmts(prefix, indent) : []);
  const block = `_polyray_block_${fn}`;
  const count = `_polyray_count_${fn}`;
  const lines = [
    `def ${block}(${[K0, K1, ...params].join(', ')}):`,
    ...prefixLines('    '),
    `    for _polyray_k in range(${K0}, ${K1}):`,
    `        ${loop.target.id} = ${parts.lo} + ${parts.step} * _polyray_k`,
    ...printer.stmts(loop.body, '        '),
    '',
    '',
    `def ${count}(${params.join(', ')}):`,
    ...prefixLines('    '),
    `    return ${parts.count}`,
  ];
  const boxEntries: string[] = [];
  for (const box of boxes) {
    const name = `_polyray_box_${fn}_${box.array}`;
    const used = new Set<string>();
    const py = (e: AstExpr): string => islExprToPython(e, (id) => (used.add(id), id));
    const slices = box.dims.map((d) => (d ? `slice(max(0, ${py(d[0])}), max(0, ${py(d[1])} + 1))` : 'slice(None)'));
    const shapeLines = [
      ...tf.fn.params.filter((p) => islName(p.name) !== p.name && used.has(islName(p.name))).map((p) => `    ${islName(p.name)} = ${p.name}`),
      ...shapeParams.filter((s) => used.has(s.name)).map((s) => `    ${s.name} = ${s.array}.shape[${s.dim}]`),
    ];
    lines.push('', '', `def ${name}(${[K0, K1, ...params].join(', ')}):`, ...shapeLines, `    return (${slices.join(', ')}${slices.length === 1 ? ',' : ''})`);
    boxEntries.push(`${JSON.stringify(box.array)}: ${name}`);
  }
  const arrays = tf.params.filter((p) => p.kind === 'array').map((p) => JSON.stringify(p.name));
  return {
    lines,
    constructor: `_polyray.RayVariant(${block}, count=${count}, boxes={${boxEntries.join(', ')}}, arrays=(${arrays.join(', ')}${arrays.length === 1 ? ',' : ''}))`,
  };
}
