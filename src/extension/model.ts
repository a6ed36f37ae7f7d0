// State of Polyray for one notebook: what the Worker compiled (per function),
// what ran (aggregates from the kernel's `polyray` comm), the cluster status
// and long-running progress. Holds state and emits `changed`; widgets render it.
import { Signal, type ISignal } from '@lumino/signaling';
import type { ReportFunction, ReportLoop } from '../compiler/index.js';

/** One function's aggregate as polyray/report_display.py's FunctionStats.to_json sends it. */
export interface RunAggregate {
  name: string;
  calls: number;
  variant: string;
  seconds: number | null;
  reason: string;
  nodes: string[];
  errors: number;
  speedup: number | null;
  /** Why there is no speedup (e.g. 'original not timed: predicted 40 s'), '' when there is one. */
  speedup_note?: string;
  /** Seconds spent compiling its variants, apart from the runs' times. */
  jit_seconds?: number;
  variants: Record<string, { calls: number; total_seconds: number; mean_seconds: number | null }>;
}

export interface ClusterInfo {
  connected: boolean;
  address: string | null;
  embedded?: boolean;
  nodes: number;
  cpus: number;
  gpus: number;
  error?: string;
}

export interface CompiledFunction {
  report: ReportFunction;
  cellId: string;
  module: string;
  compiledBy: string;
  ms: number;
}

export interface Progress {
  label: string;
  done: number;
  total: number;
}

/** One sidebar row, derived from the model (pure; unit-tested). */
export interface FunctionRow {
  name: string;
  variant: string;
  why: string;
  lastSeconds: number | null;
  speedup: number | null;
  /** Why the speedup is not shown ('' when it is). */
  speedupNote: string;
  /** JIT time, apart from the run times (0 when none was reported). */
  jitSeconds: number;
  nodes: string[];
  calls: number;
  accelerated: boolean;
  compiledBy: string;
  /** The numerics mode it was compiled for ('' before a compile report arrives). */
  numerics: string;
  /** close mode: where its results may differ from the original's, and how much. */
  closeNotes: { line: number; col: number; text: string }[];
  bars: { variant: string; meanSeconds: number; fraction: number }[];
  parallelLoops: ReportLoop[];
  /** Loops that stay sequential and diagnostics: each with its (cell) line. */
  reasons: { line: number; col: number; text: string }[];
  cellId: string | null;
  module: string;
}

export class PolyrayModel {
  private readonly _changed = new Signal<this, void>(this);
  readonly compiled = new Map<string, CompiledFunction>();
  readonly runs = new Map<string, RunAggregate>();
  cluster: ClusterInfo | null = null;
  progress: Progress | null = null;
  summary: string[] = [];
  kernelVersion: string | null = null;
  /** Compile errors per cell id (shown on the cell too). */
  readonly cellErrors = new Map<string, string>();

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  emit(): void {
    this._changed.emit();
  }

  /** A kernel message on the `polyray` comm (see polyray/comm.py). */
  onCommMessage(data: unknown): void {
    if (!data || typeof data !== 'object') return;
    const msg = data as { type?: string; functions?: RunAggregate[]; cluster?: ClusterInfo; compiler?: string; version?: string; error?: string };
    if ((msg.type === 'hello' || msg.type === 'records') && Array.isArray(msg.functions)) {
      if (msg.type === 'hello') this.kernelVersion = msg.version ?? null;
      for (const f of msg.functions) if (f && typeof f.name === 'string') this.runs.set(f.name, f);
      this.emit();
    } else if (msg.type === 'cluster' && msg.cluster) {
      this.cluster = { ...msg.cluster, error: msg.error };
      this.emit();
    }
  }

  /** The Worker compiled a cell: remember its functions (last compile of a name wins). */
  setCompiled(cellId: string, functions: ReportFunction[], module: string, compiledBy: string, ms: number): void {
    for (const f of functions) this.compiled.set(f.name, { report: f, cellId, module, compiledBy, ms });
    this.cellErrors.delete(cellId);
    this.emit();
  }

  setCellError(cellId: string, text: string | null): void {
    if (text === null) this.cellErrors.delete(cellId);
    else this.cellErrors.set(cellId, text);
    this.emit();
  }

  setProgress(p: Progress | null): void {
    this.progress = p;
    this.emit();
  }

  setSummary(lines: string[]): void {
    this.summary = lines;
    this.emit();
  }

  /** Forget run aggregates (kernel restarted). */
  resetRuns(): void {
    this.runs.clear();
    this.emit();
  }

  rows(): FunctionRow[] {
    return functionRows(this.compiled, this.runs);
  }
}

/** The sidebar's rows: every compiled function and every function that ran, by name. */
export function functionRows(compiled: Map<string, CompiledFunction>, runs: Map<string, RunAggregate>): FunctionRow[] {
  const names = [...new Set([...compiled.keys(), ...runs.keys()])];
  return names.map((name) => {
    const c = compiled.get(name);
    const r = runs.get(name);
    const means = Object.entries(r?.variants ?? {})
      .filter(([, v]) => v.mean_seconds !== null && v.calls > 0)
      .map(([variant, v]) => ({ variant, meanSeconds: v.mean_seconds as number }));
    const slowest = Math.max(0, ...means.map((m) => m.meanSeconds));
    const loops = c?.report.loops ?? [];
    const reasons = [
      ...loops.filter((l) => !l.parallel).map((l) => ({ line: l.line, col: l.col, text: `for ${l.var}: ${l.reason}` })),
      ...(c?.report.diagnostics ?? []).map((d) => ({ line: d.line, col: d.col, text: `${d.severity}: ${d.message}` })),
    ];
    const accelerated = c?.report.accelerated ?? false;
    const why = r?.reason || (c ? (accelerated ? `compiled: ${c.report.variants.join(', ')}` : reasons[0]?.text ?? 'original only') : '');
    return {
      name,
      variant: r?.variant || (c ? 'compiled' : ''),
      why,
      lastSeconds: r && r.calls > 0 ? r.seconds : null,
      speedup: r?.speedup ?? null,
      speedupNote: r && !r.speedup && r.calls > 0 ? r.speedup_note ?? '' : '',
      jitSeconds: r?.jit_seconds ?? 0,
      nodes: r?.nodes ?? [],
      calls: r?.calls ?? 0,
      accelerated,
      compiledBy: c?.compiledBy ?? '',
      numerics: c?.report.numerics ?? '',
      closeNotes: (accelerated ? c?.report.closeNotes ?? [] : []).map((n) => ({ line: n.line, col: n.col, text: `${n.operation}: ${n.bound}` })),
      bars: means.map((m) => ({ ...m, fraction: slowest > 0 ? m.meanSeconds / slowest : 0 })),
      parallelLoops: loops.filter((l) => l.parallel),
      reasons,
      cellId: c?.cellId ?? null,
      module: c?.module ?? '',
    };
  });
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '-';
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(3)} s`;
}
