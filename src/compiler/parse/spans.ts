// Converts tree-sitter positions into Polyray spans. tree-sitter counts columns
// in code units of its input encoding; users and editors count characters, so
// columns are recomputed from the source text itself.
import type { Pos, Span } from '../diagnostics.js';

export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line and 1-based column in characters (code points) of a string offset. */
  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo];
    const col = [...this.text.slice(lineStart, offset)].length + 1;
    return { line: lo + 1, col };
  }

  span(start: number, end: number): Span {
    return { start, end, from: this.pos(start), to: this.pos(end) };
  }
}
