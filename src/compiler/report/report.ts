// Report stage: the JSON contract of ARCHITECTURE.md (functions, loops,
// variants, diagnostics; lines and columns 1-based) built from the typed
// functions and the generated module.
import type { Diagnostic } from '../diagnostics.js';
import type { CloseNote, Numerics } from '../numerics.js';
import type { GeneratedFunction, LoopVerdict } from '../stage-types.js';
import type { TypedFunction } from '../types/check.js';
import { COMPILER_VERSION } from '../version.js';

export interface ReportDiagnostic {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: string;
  message: string;
}

export interface ReportLoop {
  line: number;
  col: number;
  var: string;
  parallel: boolean;
  reason: string;
}

export interface ReportParam {
  name: string;
  kind: string;
  /** An array's element dtype; for a scalar hinted with a NumPy scalar type (np.float32), that dtype. */
  dtype: string | null;
  ndim: number | null;
  written: boolean;
  exact: boolean;
}

export interface ReportFunction {
  name: string;
  line: number;
  col: number;
  accelerated: boolean;
  variants: string[];
  params: ReportParam[];
  loops: ReportLoop[];
  /** What the poly stage did to the function's loops, in words. */
  transformations: string[];
  diagnostics: ReportDiagnostic[];
  /** The numerics mode it was compiled for: `close` or `exact` (numerics.ts). */
  numerics: Numerics;
  /** In `close` mode: where its results may differ from the original's by rounding, and by how much. */
  closeNotes: CloseNote[];
  /** The module's functions its variants call as compiled code, directly or through each other (types/calls.ts), or inline (parse/inline-calls.ts). */
  calls: string[];
}

export interface Report {
  compiler: string;
  file: string;
  functions: ReportFunction[];
  diagnostics: ReportDiagnostic[];
}

export type { LoopVerdict } from '../stage-types.js';

export function toReportDiagnostic(d: Diagnostic): ReportDiagnostic {
  return { line: d.span.from.line, col: d.span.from.col, endLine: d.span.to.line, endCol: d.span.to.col, severity: d.severity, message: d.message };
}

const SEQUENTIAL_FOUNDATION =
  'runs sequentially: no dependence analysis has proven its iterations independent (the polyhedral stage is not part of this build)';

export function buildReport(
  file: string,
  typed: TypedFunction[],
  generated: GeneratedFunction[],
  verdicts: Map<number, LoopVerdict> = new Map(),
  transformations: Map<string, string[]> = new Map(),
): Report {
  const variantsOf = new Map(generated.map((g) => [g.name, g.variants]));
  const functions = typed.map((tf): ReportFunction => {
    const firstError = tf.diagnostics.find((d) => d.severity === 'error');
    const loops = tf.fn.forLoops.map((l): ReportLoop => {
      const v = verdicts.get(l.span.start);
      const reason = !tf.accelerated
        ? `not analysed: the function keeps only its original version (${firstError?.message ?? 'outside the subset'})`
        : v?.reason ?? SEQUENTIAL_FOUNDATION;
      return { line: l.span.from.line, col: l.span.from.col, var: l.variable, parallel: tf.accelerated && (v?.parallel ?? false), reason };
    });
    return {
      name: tf.fn.name,
      line: tf.fn.span.from.line,
      col: tf.fn.span.from.col,
      accelerated: tf.accelerated,
      variants: variantsOf.get(tf.fn.name) ?? ['original'],
      params: tf.params.map((p) => ({ name: p.name, kind: p.kind, dtype: p.dtype ?? p.scalarDtype ?? null, ndim: p.ndim, written: p.written, exact: p.exact })),
      loops,
      transformations: transformations.get(tf.fn.name) ?? [],
      diagnostics: tf.diagnostics.map(toReportDiagnostic),
      numerics: tf.numerics,
      // only an accelerated function's variants compute differently
      closeNotes: tf.accelerated ? tf.closeNotes : [],
      calls: tf.accelerated ? calledFunctions(tf) : [],
    };
  });
  return { compiler: `polyray ${COMPILER_VERSION}`, file, functions, diagnostics: [] };
}

/** Names of the module functions a function calls as compiled code, through each other too, sorted. */
function calledFunctions(tf: TypedFunction): string[] {
  const names = new Set<string>();
  const seen = new Set<TypedFunction>();
  const visit = (t: TypedFunction): void => {
    for (const site of t.calls.values()) {
      names.add(site.spec.callee);
      if (!seen.has(site.spec.tf)) {
        seen.add(site.spec.tf);
        visit(site.spec.tf);
      }
    }
  };
  visit(tf);
  return [...names].sort();
}
