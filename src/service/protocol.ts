// The compile service's wire format: one JSON object per line, both ways.
// A request carries an `id` (any JSON number or string) that its reply echoes;
// replies may be matched by id, but the service answers in request order.

import type { Diagnostic, Numerics, Report, Target } from '../compiler/index.js';

export type Request =
  | { id?: RequestId; op: 'compile'; source: string; fileName?: string; targets?: Target[]; numerics?: Numerics }
  | { id?: RequestId; op: 'warm' } // compile a built-in program once, so later compiles find V8's JIT warm (warmup.ts)
  | { id?: RequestId; op: 'ping' }
  | { id?: RequestId; op: 'version' };

export type RequestId = number | string | null;

/** A diagnostic as the service sends it: 1-based line and column (in characters). */
export interface WireDiagnostic {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: Diagnostic['severity'];
  message: string;
}

export type Reply =
  | { id: RequestId; ok: true; module: string; report: Report; ms: number; compiler: string }
  | { id: RequestId; ok: false; diagnostics: WireDiagnostic[]; ms: number; compiler: string }
  | { id: RequestId; ok: true; warm: true; ms: number; pid: number }
  | { id: RequestId; ok: true; pong: true; pid: number }
  | { id: RequestId; ok: true; version: string; isl: boolean; pid: number }
  | { id: RequestId; ok: false; error: string };

export function toWire(d: Diagnostic): WireDiagnostic {
  return {
    line: d.span.from.line,
    col: d.span.from.col,
    endLine: d.span.to.line,
    endCol: d.span.to.col,
    severity: d.severity,
    message: d.message,
  };
}
