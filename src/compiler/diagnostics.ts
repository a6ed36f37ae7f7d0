// Diagnostics are values carrying spans, never thrown strings (as in TypeScript's
// own compiler): every stage returns them and the report prints them.

/** A position in the source: 1-based line, 1-based column counted in characters. */
export interface Pos {
  line: number;
  col: number;
}

/** A source range; `start`/`end` are string offsets into the source text. */
export interface Span {
  start: number;
  end: number;
  from: Pos;
  to: Pos;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
}

export function diagnostic(severity: Severity, span: Span, message: string): Diagnostic {
  return { severity, message, span };
}

/** Thrown only across the host boundary for sources that do not parse. */
export class SourceSyntaxError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.span.from.line}:${d.span.from.col}: ${d.message}`).join('\n'));
    this.name = 'SourceSyntaxError';
  }
}

/** Formats `FILE:LINE:COL: error: message`, the form editors and CI logs understand. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.span.from.line}:${d.span.from.col}: ${d.severity}: ${d.message}`;
}
