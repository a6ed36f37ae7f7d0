// Messages between the page and the compile Worker (worker.ts).
import type { Numerics, Report, ReportDiagnostic } from '../compiler/index.js';

export interface CompileRequest {
  id: number;
  op: 'compile';
  /** The full cell text as in the notebook (with or without %%parallelize). */
  cell: string;
  /** true: the cell is a %%parallelize cell (body after the magic line); false: analyze the whole cell as a body. */
  hasMagic: boolean;
  /** The numerics mode to compile for (the cell's --numerics, else the setting); absent: the default, close. */
  numerics?: Numerics;
}

export interface WarmRequest {
  id: number;
  op: 'warm';
}

export type WorkerRequest = CompileRequest | WarmRequest;

export interface CompileOk {
  id: number;
  ok: true;
  module: string;
  report: Report;
  sha256: string;
  compiler: string;
  /** ms spent in compileSource (after warm-up). */
  ms: number;
  /** ms spent loading wasm (0 after the first request). */
  loadMs: number;
  inWorker: boolean;
  /** The numerics mode it was compiled for. */
  numerics: Numerics;
}

export interface CompileFailed {
  id: number;
  ok: false;
  /** Syntax diagnostics (1-based cell lines: line 1 is the %%parallelize line). */
  diagnostics: ReportDiagnostic[];
  sha256: string;
  compiler: string;
  error?: string;
  ms: number;
  loadMs: number;
  inWorker: boolean;
  numerics?: Numerics;
}

export interface WarmReply {
  id: number;
  ok: true;
  warm: true;
  compiler: string;
  loadMs: number;
  inWorker: boolean;
}

export type WorkerReply = CompileOk | CompileFailed | WarmReply;

/** What the executor hands the kernel in execute-request metadata under `polyray`. */
export interface HandOver {
  sha256: string;
  compiler: string;
  module?: string;
  report?: Report;
  diagnostics?: ReportDiagnostic[];
  /** Where the module was compiled: always "browser-worker" from this extension. */
  compiled_by: 'browser-worker';
  compile_ms: number;
  /** The numerics mode the module was compiled for: the kernel uses it only when it resolves the same mode. */
  numerics?: Numerics;
  /** Settings the magic applies when neither a flag nor the environment decides. */
  settings: { target?: string; cluster?: string; auto_may_time?: boolean; numerics?: string; wait_for_jit?: boolean;
    time_original_below?: number; compile_budget?: number };
  /** Set when the Worker's compile was not ready within compileBudgetSeconds: the kernel runs the cell as written. */
  not_ready?: string;
  /** Set by "Rerun on cluster": overrides the default target (a --target flag still wins). */
  force_target?: string;
}
