// The two commands' flows on a notebook panel: Accelerate notebook (+ revert)
// and Rerun on cluster. index.ts registers them.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { NotebookActions, type NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import {
  analyzable, candidateOf, describeCandidate, planAcceleration, planRevert,
  type Acceleration, type Candidate, type CellInput,
} from './accelerate.js';
import type { PolyrayEngine } from './engine.js';
import { isParallelizeCell } from './magic.js';
import { formatSeconds } from './model.js';

const accelerations = new WeakMap<NotebookPanel, Acceleration>();

function cellInputs(panel: NotebookPanel): CellInput[] {
  const cells = panel.content.model?.sharedModel.cells ?? [];
  return cells.map((c, index) => ({ id: c.getId(), index, type: c.cell_type, source: c.getSource() }));
}

export function canRevert(panel: NotebookPanel | null): boolean {
  return !!panel && (accelerations.get(panel)?.changes.length ?? 0) > 0;
}

function listBody(lines: string[], intro: string): Widget {
  const node = document.createElement('div');
  node.className = 'polyray-dialog';
  const p = document.createElement('p');
  p.textContent = intro;
  const ul = document.createElement('ul');
  for (const line of lines) {
    const li = document.createElement('li');
    li.className = 'polyray-candidate';
    li.textContent = line;
    ul.append(li);
  }
  node.append(p, ul);
  return new Widget({ node });
}

export async function accelerateNotebook(panel: NotebookPanel, engine: PolyrayEngine): Promise<void> {
  const state = engine.forSession(panel.sessionContext);
  const cells = cellInputs(panel).filter(analyzable);
  const candidates: Candidate[] = [];
  state.model.setSummary([]);
  for (const [k, cell] of cells.entries()) {
    state.model.setProgress({ label: 'Analyzing cells', done: k, total: cells.length });
    try {
      const out = await engine.compiler.compile(cell.source, false, engine.settings.numerics);
      if (out.ok) {
        const c = candidateOf(cell, out.report.functions);
        if (c) candidates.push(c);
      }
    } catch {
      // a cell the compiler cannot handle is simply not a candidate
    }
  }
  state.model.setProgress(null);
  if (!candidates.length) {
    await showDialog({ title: 'Accelerate notebook', body: 'No cell has a function Polyray would accelerate.', buttons: [Dialog.okButton()] });
    return;
  }
  const result = await showDialog({
    title: 'Accelerate notebook',
    body: listBody(candidates.map(describeCandidate), `Add %%parallelize to ${candidates.length} cell(s)?`),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Add %%parallelize' })],
  });
  if (!result.button.accept) return;
  const acc = planAcceleration(cellInputs(panel), candidates);
  const shared = panel.content.model!.sharedModel;
  shared.transact(() => {
    for (const ch of acc.changes) shared.cells.find((c) => c.getId() === ch.id)?.setSource(ch.after);
  });
  accelerations.set(panel, acc);
  state.model.setSummary([`Accelerated ${acc.changes.length} cell(s): ${acc.changes.map((c) => c.index + 1).join(', ')} (Revert acceleration undoes it)`]);
}

export function revertAcceleration(panel: NotebookPanel, engine: PolyrayEngine): void {
  const acc = accelerations.get(panel);
  if (!acc) return;
  const current = new Map(cellInputs(panel).map((c) => [c.id, c.source]));
  const { restore, skipped } = planRevert(acc, current);
  const shared = panel.content.model!.sharedModel;
  shared.transact(() => {
    for (const r of restore) shared.cells.find((c) => c.getId() === r.id)?.setSource(r.source);
  });
  accelerations.delete(panel);
  engine.forSession(panel.sessionContext).model.setSummary([
    `Reverted ${restore.length} cell(s)` + (skipped.length ? `; ${skipped.length} cell(s) changed since and left alone` : ''),
  ]);
}

export async function rerunOnCluster(panel: NotebookPanel, engine: PolyrayEngine): Promise<void> {
  const { sessionContext, content } = panel;
  const state = engine.forSession(sessionContext);
  const indices = cellInputs(panel).filter((c) => c.type === 'code' && isParallelizeCell(c.source)).map((c) => c.index);
  state.model.setSummary([]);
  if (!indices.length) {
    state.model.setSummary(['Rerun on cluster: no %%parallelize cell in this notebook']);
    return;
  }
  await state.bridge.ensureLoaded();
  if (engine.settings.clusterAddress) await state.bridge.connect(engine.settings.clusterAddress);
  const lines: string[] = [];
  const t0 = performance.now();
  engine.forcedTarget.set(sessionContext, 'ray');
  let failed = 0;
  try {
    for (const [k, index] of indices.entries()) {
      state.model.setProgress({ label: 'Rerun on cluster', done: k, total: indices.length });
      content.activeCellIndex = index;
      content.deselectAll();
      const ok = await NotebookActions.run(content, sessionContext);
      if (!ok) failed++;
      const id = content.model!.sharedModel.cells[index]!.getId();
      state.bridge.send({ type: 'snapshot' });
      await new Promise((r) => setTimeout(r, 300)); // the snapshot's answer
      const names = [...state.model.compiled.entries()].filter(([, c]) => c.cellId === id).map(([n]) => n);
      const parts = names.map((n) => {
        const r = state.model.runs.get(n);
        return r ? `${n} → ${r.variant} (${formatSeconds(r.seconds)}, ${r.nodes.length ? `${r.nodes.length} node(s)` : 'local'})` : `${n} (not called)`;
      });
      lines.push(`cell ${index + 1}: ${ok ? '' : 'FAILED; '}${parts.join(', ') || 'no function'}`);
    }
  } finally {
    engine.forcedTarget.delete(sessionContext);
    state.model.setProgress(null);
  }
  await state.bridge.refreshCluster();
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  state.model.setSummary([`Rerun on cluster: ${indices.length} cell(s) in ${secs} s${failed ? `, ${failed} failed` : ''}`, ...lines]);
}
