// The GPU variant (numba-cuda): each prange loop of the CPU plan becomes a
// kernel with one thread per iteration, over a 2-d or 3-d grid when
// parallel loops are perfectly nested in it (gridNest); the code around those loops stays on
// the host as plain Python (scalar work, sequential outer loops such as time
// steps), launching the kernels. Only functions whose arrays are touched
// inside parallel loops alone get one: host code that indexed a device array
// would copy an element per access. The runtime's GpuVariant copies NumPy
// arguments to the device once per call and back afterwards.
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { rangeParts } from './loop-range.js';
import { PythonPrinter } from './python-printer.js';

export interface GpuVariantCode {
  host: string;
  kernels: string[];
  lines: string[];
  arrays: string[];
  written: string[];
}

export function gpuObstacle(tf: TypedFunction, prangeLoops: Set<number>, speculative: ReadonlySet<Expr> = new Set(), lowered: ReadonlyMap<Stmt, unknown> = new Map()): string | null {
  if (prangeLoops.size === 0) return 'no loop runs in parallel';
  if (lowered.size > 0) return 'NumPy slice statements are lowered to element loops for the CPU variant only';
  // A kernel cannot undo the writes of the threads before one that would raise.
  if (speculative.size > 0) return 'a math call inside a parallel loop may raise (the CPU variant runs it speculatively)';
  const arrays = new Set(tf.params.filter((p) => p.kind === 'array').map((p) => p.name));
  for (const [name, t] of tf.locals) if (t.kind === 'array') return `the local array '${name}' would live on the host`;
  let obstacle: string | null = null;
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      // A prange loop's body is scalar code: the plan gives no function with
      // NumPy operators on arrays a prange loop (parallel-plan.ts, numbaObstacle).
      if (s.kind === 'for' && prangeLoops.has(s.span.start)) continue;
      for (const e of stmtExprs(s)) {
        walkExpr(e, (x) => {
          if (x.kind === 'name' && arrays.has(x.id)) obstacle ??= `line ${x.span.from.line} uses the array '${x.id}' outside a parallel loop`;
        });
      }
      if (s.kind === 'for') visit(s.body);
      if (s.kind === 'if') {
        visit(s.body);
        visit(s.orelse);
      }
    }
  };
  visit(tf.fn.body);
  return obstacle;
}


/**
 * The loops a kernel's grid covers: the prange loop and, up to three in all,
 * the loops perfectly nested in it that carry no dependence either (then no
 * two points of the band depend on each other) and whose ranges do not
 * depend on the loops outside them (the host computes every count before
 * the launch).
 */
export function gridNest(loop: ForStmt, provenParallel: ReadonlySet<number>): ForStmt[] {
  const nest = [loop];
  for (;;) {
    const last = nest[nest.length - 1];
    const inner = last.body.length === 1 ? last.body[0] : null;
    if (nest.length === 3 || !inner || inner.kind !== 'for' || !provenParallel.has(inner.span.start) || !rangeParts(inner, () => '')) break;
    const outer = new Set(nest.map((l) => l.target.id));
    let dependent = false;
    for (const e of stmtExprs(inner)) walkExpr(e, (x) => { if (x.kind === 'name' && outer.has(x.id)) dependent = true; });
    if (dependent) break;
    nest.push(inner);
  }
  return nest;
}

export function emitGpuVariant(tf: TypedFunction, prangeLoops: Set<number>, provenParallel: ReadonlySet<number> = new Set()): GpuVariantCode {
  const fn = tf.fn.name;
  const host = `_polyray_gpu_${fn}`;
  const params = tf.fn.params.map((p) => p.name);
  const printer = new PythonPrinter(undefined, tf.arrayAug);
  const kernels: string[] = [];
  const kernelLines: string[][] = [];
  const override = (s: Stmt, indent: string): string[] | undefined => {
    if (s.kind !== 'for' || !prangeLoops.has(s.span.start)) return undefined;
    const name = `_polyray_gpuk_${fn}_${kernels.length}`;
    kernels.push(name);
    const free = freeNames(s, params, tf);
    const nest = gridNest(s, provenParallel);
    const passed = `${[...params, ...free].join(', ')}${params.length + free.length === 1 ? ',' : ''}`;
    if (nest.length === 1) {
      const parts = rangeParts(s, (e) => printer.expr(e))!;
      const args = ['_polyray_lo', '_polyray_count', '_polyray_step', ...params, ...free];
      kernelLines.push([
        `def ${name}(${args.join(', ')}):`,
        `    _polyray_t = _polyray_cuda.grid(1)`,
        `    if _polyray_t < _polyray_count:`,
        `        ${s.target.id} = _polyray_lo + _polyray_step * _polyray_t`,
        ...printer.stmts(s.body, '        '),
      ]);
      return [
        `${indent}_polyray_lo = ${parts.lo}`,
        `${indent}_polyray_count = ${parts.count}`,
        `${indent}_polyray_launch(${name}, _polyray_count, (_polyray_lo, _polyray_count, ${parts.step}, ${passed}))`,
      ];
    }
    // A grid of nest.length dimensions: x (the fastest-varying, so a warp's
    // threads touch neighbouring elements) is the innermost loop.
    const parts = nest.map((l) => rangeParts(l, (e) => printer.expr(e))!);
    const k = nest.map((_, d) => d);
    const perLoop = k.flatMap((d) => [`_polyray_lo${d}`, `_polyray_count${d}`, `_polyray_step${d}`]);
    const reversed = (f: (d: number) => string): string => [...k].reverse().map(f).join(', ');
    kernelLines.push([
      `def ${name}(${[...perLoop, ...params, ...free].join(', ')}):`,
      `    ${reversed((d) => `_polyray_t${d}`)} = _polyray_cuda.grid(${nest.length})`,
      `    if ${k.map((d) => `_polyray_t${d} < _polyray_count${d}`).join(' and ')}:`,
      ...nest.map((l, d) => `        ${l.target.id} = _polyray_lo${d} + _polyray_step${d} * _polyray_t${d}`),
      ...printer.stmts(nest[nest.length - 1].body, '        '),
    ]);
    return [
      ...k.flatMap((d) => [`${indent}_polyray_lo${d} = ${parts[d].lo}`, `${indent}_polyray_count${d} = ${parts[d].count}`]),
      `${indent}_polyray_launch(${name}, (${reversed((d) => `_polyray_count${d}`)}), (${k.map((d) => `_polyray_lo${d}, _polyray_count${d}, ${parts[d].step}`).join(', ')}, ${passed}))`,
    ];
  };
  const body = printer.stmts(tf.fn.body, '    ', override);
  const lines = [...kernelLines.flatMap((k) => [...k, '', '']), `def ${host}(${params.join(', ')}):`, ...body];
  const arrays = tf.params.filter((p) => p.kind === 'array');
  return { host, kernels, lines, arrays: arrays.map((p) => p.name), written: arrays.filter((p) => p.written).map((p) => p.name) };
}

/** Host locals (and enclosing loop variables) the loop body reads: they become kernel arguments. */
function freeNames(loop: ForStmt, params: string[], tf: TypedFunction): string[] {
  const assigned = new Set<string>([loop.target.id]);
  walkStmts(loop.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') assigned.add(s.target.id);
    if (s.kind === 'for') assigned.add(s.target.id);
  });
  const read = new Set<string>();
  walkStmts(loop.body, (s) => {
    for (const e of stmtExprs(s)) walkExpr(e, (x) => x.kind === 'name' && read.add(x.id));
  });
  // Imports (np, math) and builtins stay globals; only the function's own locals are passed.
  return [...read].filter((n) => !assigned.has(n) && !params.includes(n) && tf.locals.has(n)).sort();
}
