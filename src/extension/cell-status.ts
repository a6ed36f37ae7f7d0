// A one-line status under a `%%parallelize` cell's input: compiling, compiled
// (where and how fast), the compile error with its line (click to jump), and
// the elapsed time while the cell runs.
import type { Cell } from '@jupyterlab/cells';

const statuses = new WeakMap<Cell, CellStatus>();

export class CellStatus {
  readonly node: HTMLDivElement;
  private base = '';

  private constructor(private readonly cell: Cell) {
    this.node = document.createElement('div');
    this.node.className = 'polyray-cell-status';
    this.attach();
  }

  static of(cell: Cell): CellStatus {
    let s = statuses.get(cell);
    if (!s) {
      s = new CellStatus(cell);
      statuses.set(cell, s);
    }
    s.attach();
    return s;
  }

  private attach(): void {
    if (this.node.isConnected && this.node.parentElement === this.cell.node) return;
    const outputs = this.cell.node.querySelector(':scope > .jp-Cell-outputWrapper');
    if (outputs) this.cell.node.insertBefore(this.node, outputs);
    else this.cell.node.appendChild(this.node);
  }

  private set(kind: string, text: string): void {
    this.node.dataset.polyrayState = kind;
    this.node.classList.toggle('polyray-cell-status-error', kind === 'error');
    this.node.textContent = text;
  }

  compiling(): void {
    this.base = '';
    this.set('compiling', 'polyray: compiling in the browser…');
  }

  compiled(text: string): void {
    this.base = text;
    this.set('compiled', `polyray: ${text}`);
  }

  error(text: string, line?: number): void {
    this.base = '';
    this.set('error', text);
    this.node.title = 'compile error: the cell still runs (the original code)';
    if (line !== undefined) {
      this.node.onclick = () => {
        const editor = this.cell.editor;
        if (!editor) return;
        editor.setCursorPosition({ line: Math.max(0, line - 1), column: 0 });
        editor.focus();
      };
    }
  }

  running(seconds: number): void {
    if (this.node.dataset.polyrayState === 'error') return;
    this.set('running', `polyray: ${this.base ? `${this.base}; ` : ''}running for ${Math.round(seconds)} s…`);
  }

  finishedRun(seconds: number): void {
    if (this.node.dataset.polyrayState === 'error') return;
    this.set('done', `polyray: ${this.base ? `${this.base}; ` : ''}ran in ${seconds.toFixed(1)} s`);
  }
}
