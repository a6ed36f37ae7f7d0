// The GPU variant (numba-cuda): each prange loop of the CPU plan becomes a
// kernel with one thread per iteration; the code around those loops stays on
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


export function emitGpuVariant(tf: TypedFunction, prangeLoops: Set<number>): GpuVariantCode {
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
    const parts = rangeParts(s, (e) => printer.expr(e))!;
    const free = freeNames(s, params, tf);
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
      `${indent}_polyray_launch(${name}, _polyray_count, (_polyray_lo, _polyray_count, ${parts.step}, ${[...params, ...free].join(', ')}${params.length + free.length === 1 ? ',' : ''}))`,
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
