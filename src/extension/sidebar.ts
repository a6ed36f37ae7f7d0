// The sidebar (id `polyray-sidebar`): cluster status and connect, the two
// commands, progress, and one row per function (`data-polyray-function`,
// `data-polyray-variant`) that expands into timings, loops, reasons (click to
// jump to the line) and the generated code. Renders the current notebook's
// PolyrayModel; holds no state of its own except which rows are open.
import { Widget } from '@lumino/widgets';
import { formatSeconds, type FunctionRow, type PolyrayModel } from './model.js';
import { CommandIDs, SIDEBAR_ID } from './tokens.js';

export interface SidebarActions {
  execute(command: string): void;
  connect(address: string): void;
  refreshCluster(): void;
  jump(cellId: string, line: number, col: number): void;
  canRevert(): boolean;
}

type Child = Node | string | null | undefined | false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export class PolyraySidebar extends Widget {
  private model: PolyrayModel | null = null;
  private readonly open = new Set<string>();
  private showCode = false;
  private address = '';

  constructor(private readonly actions: SidebarActions) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('polyray-sidebar');
    this.title.caption = 'Polyray';
    this.render();
  }

  setModel(model: PolyrayModel | null): void {
    if (this.model === model) return;
    this.model?.changed.disconnect(this.render, this);
    this.model = model;
    model?.changed.connect(this.render, this);
    this.render();
  }

  setShowGeneratedCode(show: boolean): void {
    this.showCode = show;
    this.render();
  }

  setDefaultAddress(address: string): void {
    if (!this.address) this.address = address;
    this.render();
  }

  protected override onAfterShow(): void {
    this.actions.refreshCluster();
  }

  render(): void {
    const m = this.model;
    const button = (label: string, command: string, enabled = true): HTMLElement => {
      const b = h('button', { class: 'jp-mod-styled polyray-button', 'data-command': command }, label) as HTMLButtonElement;
      b.disabled = !enabled;
      b.onclick = () => this.actions.execute(command);
      return b;
    };
    const commands = h('div', { class: 'polyray-commands' },
      button('Accelerate notebook', CommandIDs.accelerate, !!m),
      button('Revert acceleration', CommandIDs.revert, !!m && this.actions.canRevert()),
      button('Rerun on cluster', CommandIDs.rerun, !!m));
    const content = h('div', { class: 'polyray-content' },
      h('h2', { class: 'polyray-title' }, 'Polyray'), commands, this.clusterPanel(m), this.progressPanel(m));
    if (!m) {
      content.append(h('p', { class: 'polyray-empty' }, 'Open a notebook to see what runs where.'));
    } else {
      const rows = m.rows();
      const list = h('div', { class: 'polyray-functions' });
      if (rows.length === 0) list.append(h('p', { class: 'polyray-empty' }, 'No %%parallelize cell has run yet.'));
      for (const row of rows) list.append(this.rowNode(row));
      content.append(h('h3', {}, 'Functions'), list);
    }
    this.node.replaceChildren(content);
  }

  private clusterPanel(m: PolyrayModel | null): HTMLElement {
    const c = m?.cluster;
    let text = 'cluster: unknown';
    if (c) {
      text = c.connected
        ? `${c.embedded ? 'local' : c.address ?? 'connected'} · ${c.nodes} node(s) · ${c.cpus} CPU · ${c.gpus} GPU`
        : `not connected (${c.address ? c.address : 'local'} on first Ray use)`;
      if (c.error) text += ` · error: ${c.error}`;
    }
    const input = h('input', { class: 'jp-mod-styled polyray-address', placeholder: 'Ray address (empty: local)', value: this.address }) as HTMLInputElement;
    input.oninput = () => { this.address = input.value; };
    const connect = h('button', { class: 'jp-mod-styled polyray-button polyray-connect' }, 'Connect') as HTMLButtonElement;
    connect.disabled = !m;
    connect.onclick = () => this.actions.connect(this.address.trim());
    const refresh = h('button', { class: 'jp-mod-styled polyray-button', title: 'Refresh the cluster status' }, '↻') as HTMLButtonElement;
    refresh.disabled = !m;
    refresh.onclick = () => this.actions.refreshCluster();
    return h('div', { class: 'polyray-cluster' },
      h('div', { class: 'polyray-cluster-status', 'data-polyray-connected': String(!!c?.connected) }, text),
      h('div', { class: 'polyray-cluster-connect' }, input, connect, refresh));
  }

  private progressPanel(m: PolyrayModel | null): HTMLElement | null {
    if (!m) return null;
    const box = h('div', { class: 'polyray-progress' });
    if (m.progress) {
      const p = m.progress;
      const bar = h('div', { class: 'polyray-progress-bar' }, h('div', { class: 'polyray-progress-fill', style: `width:${p.total ? (100 * p.done) / p.total : 0}%` }));
      box.append(h('div', {}, `${p.label} (${p.done}/${p.total})`), bar);
    }
    if (m.summary.length) {
      box.append(h('div', { class: 'polyray-summary' }, ...m.summary.map((line) => h('div', {}, line))));
    }
    return box;
  }

  private rowNode(row: FunctionRow): HTMLElement {
    const isOpen = this.open.has(row.name);
    const head = h('div', { class: 'polyray-row-head', role: 'button', 'aria-expanded': String(isOpen) },
      h('span', { class: 'polyray-caret' }, isOpen ? '▾' : '▸'),
      h('span', { class: 'polyray-fn-name' }, row.name),
      h('span', { class: `polyray-variant polyray-variant-${row.variant || 'none'}` }, row.variant || '—'),
      h('span', { class: 'polyray-time', title: 'last call' }, formatSeconds(row.lastSeconds)),
      h('span', { class: 'polyray-speedup', title: row.speedupNote || 'speedup over the original, measured at the last call\'s size' },
        row.speedup ? `${row.speedup.toFixed(1)}×` : ''),
    );
    head.onclick = () => {
      if (isOpen) this.open.delete(row.name);
      else this.open.add(row.name);
      this.render();
    };
    const meta = h('div', { class: 'polyray-row-meta' },
      h('span', { class: 'polyray-why' }, row.why || ''),
      row.nodes.length ? h('span', { class: 'polyray-nodes' }, ` · nodes: ${row.nodes.map((n) => n.slice(0, 8)).join(', ')}`) : ' · local',
      row.calls ? h('span', {}, ` · ${row.calls} call(s)`) : null,
      row.jitSeconds > 0 ? h('span', { class: 'polyray-jit', title: 'compiling its variants, apart from the run times' }, ` · JIT ${formatSeconds(row.jitSeconds)}`) : null,
      row.speedupNote ? h('span', { class: 'polyray-speedup-note' }, ` · ${row.speedupNote}`) : null,
      row.compiledBy ? h('span', { class: 'polyray-compiled-by' }, ` · compiled in ${row.compiledBy === 'browser-worker' ? 'the browser (Worker)' : row.compiledBy}`) : null,
      row.numerics ? h('span', { class: 'polyray-numerics', title: row.numerics === 'close' ? 'results equal the original\'s up to floating-point rounding, within documented bounds' : 'bit for bit the original\'s results' }, ` · numerics ${row.numerics}`) : null);
    const node = h('div', {
      class: `polyray-row${isOpen ? ' polyray-row-open' : ''}`,
      'data-polyray-function': row.name,
      'data-polyray-variant': row.variant,
      ...(row.numerics ? { 'data-polyray-numerics': row.numerics } : {}),
    }, head, meta);
    if (isOpen) node.append(this.details(row));
    return node;
  }

  private details(row: FunctionRow): HTMLElement {
    const d = h('div', { class: 'polyray-details' });
    if (row.bars.length) {
      d.append(h('div', { class: 'polyray-label' }, 'Mean time per variant'));
      for (const b of row.bars) {
        d.append(h('div', { class: 'polyray-bar-row', 'data-variant': b.variant },
          h('span', { class: 'polyray-bar-label' }, b.variant),
          h('span', { class: 'polyray-bar' }, h('span', { class: `polyray-bar-fill polyray-variant-${b.variant}`, style: `width:${Math.max(2, b.fraction * 100)}%` })),
          h('span', { class: 'polyray-bar-value' }, formatSeconds(b.meanSeconds))));
      }
    }
    d.append(h('div', { class: 'polyray-label' }, 'Parallel loops'));
    d.append(row.parallelLoops.length
      ? h('ul', {}, ...row.parallelLoops.map((l) => this.lineItem(row, l.line, l.col, `line ${l.line}: for ${l.var}: ${l.reason}`)))
      : h('div', { class: 'polyray-muted' }, 'none'));
    if (row.reasons.length) {
      d.append(h('div', { class: 'polyray-label' }, 'Not parallel, and why'));
      d.append(h('ul', { class: 'polyray-reasons' }, ...row.reasons.map((r) => this.lineItem(row, r.line, r.col, `line ${r.line}: ${r.text}`))));
    }
    if (row.closeNotes.length) {
      d.append(h('div', { class: 'polyray-label' }, 'Where results may differ (numerics close)'));
      d.append(h('ul', { class: 'polyray-close-notes' }, ...row.closeNotes.map((n) => this.lineItem(row, n.line, n.col, `line ${n.line}: ${n.text}`))));
    }
    if (this.showCode && row.module) {
      d.append(h('div', { class: 'polyray-label' }, 'Generated code'));
      d.append(h('pre', { class: 'polyray-code' }, row.module));
    }
    return d;
  }

  private lineItem(row: FunctionRow, line: number, col: number, text: string): HTMLElement {
    const li = h('li', { class: 'polyray-line-link', 'data-line': String(line), title: 'jump to the line in the cell' }, text);
    li.onclick = () => { if (row.cellId) this.actions.jump(row.cellId, line, col); };
    return li;
  }
}
