// The compiler, top to bottom: parse -> types -> (scop -> poly) -> codegen ->
// report. Pure: source text in, module text and report out. Hosts (CLI,
// JupyterLab, compile service) provide the tree-sitter parser.
import type { Diagnostic } from './diagnostics.js';
import type { IslContext } from 'isl-wasm';
import { generateModule, type FunctionPlan, type Target } from './codegen/module.js';
import { polyStage } from './poly/index.js';
import { parseModule, type PythonParser } from './parse/index.js';
import { inlineLoopViews } from './parse/loop-views.js';
import { inlineCalls } from './parse/inline-calls.js';
import { buildReport, type LoopVerdict, type Report } from './report/report.js';
import { checkModule, type TypedFunction } from './types/check.js';
import { DEFAULT_NUMERICS, type Numerics } from './numerics.js';

export interface CompileOptions {
  /** Shown in the report and the generated header; not read. */
  fileName: string;
  targets?: Target[];
  /**
   * An isl context (isl-wasm) for the polyhedral stage. Without one, loops are
   * reported sequential with the reason that no analysis ran.
   */
  isl?: IslContext;
  /**
   * `close` (the default) or `exact` (numerics.ts). The host resolves it
   * (flag > POLYRAY_NUMERICS > setting > default); the compiler only obeys.
   */
  numerics?: Numerics;
}

export type CompileResult =
  | { ok: true; module: string; report: Report }
  | { ok: false; diagnostics: Diagnostic[] };

export const ALL_TARGETS: Target[] = ['cpu', 'gpu', 'ray'];

export function compileSource(parser: PythonParser, source: string, options: CompileOptions): CompileResult {
  const parsed = parseModule(parser, source);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const numerics = options.numerics ?? DEFAULT_NUMERICS;
  // expression callees become expressions of their callers, so the analyses see through them (parse/inline-calls.ts)
  const inlined = inlineCalls(parsed.module);
  // a view bound at the top of a loop body and only read there is read through its subscript (parse/loop-views.ts)
  const views = inlineLoopViews(inlined.module);
  const typed = checkModule(views.module, numerics);
  const verdicts = new Map<number, LoopVerdict>();
  const plans = new Map<TypedFunction, FunctionPlan>();
  const transformations = new Map<string, string[]>();
  if (options.isl) {
    for (const tf of typed.filter((t) => t.accelerated)) {
      let poly;
      try {
        poly = polyStage(options.isl, tf, source);
      } catch (e) {
        // The polyhedral stage is an optimization: whatever goes wrong in it, the
        // function keeps its sequential, bounds-checked CPU variant and says why.
        const why = `not analysed: the polyhedral stage failed (${(e as Error).message.split('\n')[0]})`;
        for (const l of tf.fn.forLoops) verdicts.set(l.span.start, { parallel: false, reason: why });
        transformations.set(tf.fn.name, [`kept the original loop order: ${why}`]);
        continue;
      }
      plans.set(tf, poly.plan);
      transformations.set(tf.fn.name, poly.transformations);
      for (const [at, v] of poly.verdicts) verdicts.set(at, v);
    }
  }
  for (const tf of typed.filter((t) => t.accelerated && inlined.notes.has(t.fn.name))) {
    transformations.set(tf.fn.name, [...(transformations.get(tf.fn.name) ?? []), ...inlined.notes.get(tf.fn.name)!]);
  }
  for (const tf of typed.filter((t) => t.accelerated && views.notes.has(t.fn.name))) {
    transformations.set(tf.fn.name, [...(transformations.get(tf.fn.name) ?? []), ...views.notes.get(tf.fn.name)!]);
  }
  for (const tf of typed.filter((t) => t.accelerated && t.calls.size > 0)) {
    // calls between the module's functions (types/calls.ts), said once per callee
    const said = new Set<string>();
    const notes = [...tf.calls.values()].filter((c) => !said.has(c.spec.pyName) && said.add(c.spec.pyName))
      .map((c) => `calls '${c.spec.callee}' (line ${c.spec.tf.fn.span.from.line}) compiled for these arguments (${c.spec.pyName}), directly from the CPU variant: no dispatcher per call`);
    transformations.set(tf.fn.name, [...(transformations.get(tf.fn.name) ?? []), ...notes]);
  }
  const generated = generateModule(views.module, typed, options.targets ?? ALL_TARGETS, options.fileName, plans, numerics);
  const report = buildReport(options.fileName, typed, generated.functions, verdicts, transformations);
  // a function inlined into a variant (parse/inline-calls.ts) is compiled code of it too, as a called one is
  for (const f of report.functions.filter((x) => x.accelerated)) {
    const names = new Set(f.calls);
    for (const n of [f.name, ...f.calls]) for (const g of inlined.inlined.get(n) ?? []) names.add(g);
    f.calls = [...names].sort();
  }
  return { ok: true, module: generated.text, report };
}

export type { Target };
