// The sidebar widget rendered in a DOM (jsdom): rows carry the ids the
// contract names, expand on click, jump to lines, and the buttons run commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import type { ReportFunction } from '../../src/compiler/index.js';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const g = globalThis as Record<string, unknown>;
const win = dom.window as unknown as Record<string, unknown>;
// Lumino reads DOM classes from the global scope; jsdom has no DragEvent, which
// Lumino only needs for drag and drop.
win.DragEvent ??= win.MouseEvent;
for (const key of ['window', 'document', 'navigator', 'HTMLElement', 'HTMLButtonElement', 'HTMLInputElement', 'Node', 'Element', 'Event', 'MouseEvent', 'KeyboardEvent', 'DragEvent', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame']) {
  if (!(key in g) || key === 'window' || key === 'document' || key === 'navigator') {
    Object.defineProperty(g, key, { value: win[key], configurable: true, writable: true });
  }
}

const { PolyraySidebar } = await import('../../src/extension/sidebar.js');
const { PolyrayModel } = await import('../../src/extension/model.js');
const { CommandIDs, SIDEBAR_ID } = await import('../../src/extension/tokens.js');

const report = (name: string, loops: ReportFunction['loops']): ReportFunction => ({
  name, line: 2, col: 1, accelerated: true, variants: ['original', 'cpu', 'ray'], params: [], loops, transformations: [], diagnostics: [],
});

function setup() {
  const calls: string[] = [];
  const sidebar = new PolyraySidebar({
    execute: (c) => calls.push(`execute ${c}`),
    connect: (a) => calls.push(`connect ${a}`),
    refreshCluster: () => calls.push('refresh'),
    jump: (cell, line, col) => calls.push(`jump ${cell}:${line}:${col}`),
    canRevert: () => false,
  });
  const model = new PolyrayModel();
  model.setCompiled('cell-1', [
    report('axpy', [{ line: 6, col: 5, var: 'i', parallel: true, reason: 'no dependence is carried by i' }]),
    report('prefix', [{ line: 9, col: 5, var: 'j', parallel: false, reason: 'x[j] written at line 10 is read one iteration of j later' }]),
  ], 'MODULE TEXT', 'browser-worker', 12);
  model.onCommMessage({ type: 'records', functions: [{ name: 'axpy', calls: 2, variant: 'ray', seconds: 0.5, reason: 'POLYRAY_TARGET=ray', nodes: ['n1', 'n2'], errors: 0, speedup: 3,
    variants: { original: { calls: 1, total_seconds: 1.5, mean_seconds: 1.5 }, ray: { calls: 1, total_seconds: 0.5, mean_seconds: 0.5 } } }] });
  sidebar.setModel(model);
  return { sidebar, calls, node: sidebar.node };
}

test('one row per function with data-polyray-function and data-polyray-variant', () => {
  const { sidebar, node } = setup();
  assert.equal(sidebar.id, SIDEBAR_ID);
  const rows = [...node.querySelectorAll('[data-polyray-function]')];
  assert.deepEqual(rows.map((r) => [r.getAttribute('data-polyray-function'), r.getAttribute('data-polyray-variant')]), [['axpy', 'ray'], ['prefix', 'compiled']]);
  assert.match(rows[0]!.textContent ?? "", /500\.00 ms3\.0×POLYRAY_TARGET=ray · nodes: n1, n2/);
});

test('a row expands into bars, parallel loops and reasons that jump to their line', () => {
  const { node, calls } = setup();
  const head = () => node.querySelectorAll<HTMLElement>('.polyray-row-head');
  head()[0]!.click();
  assert.ok(node.querySelector('.polyray-details'), 'details shown');
  assert.deepEqual([...node.querySelectorAll('.polyray-bar-row')].map((b) => b.getAttribute('data-variant')), ['original', 'ray']);
  head()[1]!.click();
  const link = [...node.querySelectorAll<HTMLElement>('.polyray-line-link')].find((l) => l.getAttribute('data-line') === '9');
  assert.ok(link, 'the blocked loop is listed');
  link!.click();
  assert.ok(calls.includes('jump cell-1:9:5'), calls.join(', '));
});

test('the buttons run the commands, and Connect passes the typed address', () => {
  const { node, calls } = setup();
  const button = (cmd: string) => node.querySelector<HTMLButtonElement>(`[data-command="${cmd}"]`)!;
  button(CommandIDs.accelerate).click();
  button(CommandIDs.rerun).click();
  assert.equal(button(CommandIDs.revert).disabled, true);
  assert.ok(calls.includes(`execute ${CommandIDs.accelerate}`) && calls.includes(`execute ${CommandIDs.rerun}`), calls.join(', '));
  const input = node.querySelector<HTMLInputElement>('input')!;
  input.value = ' 127.0.0.1:6379 ';
  input.dispatchEvent(new dom.window.Event('input'));
  [...node.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === 'Connect')!.click();
  assert.ok(calls.some((c) => c.startsWith('connect 127.0.0.1:6379')), calls.join(', '));
});

test('a row says which numerics mode it was compiled for and, in close mode, where results may differ', () => {
  const { sidebar } = setup();
  const model = new PolyrayModel();
  model.setCompiled('cell-2', [
    { ...report('soft', []), numerics: 'close', closeNotes: [{ line: 4, col: 12, operation: 'np.exp', bound: "computed by the C library, <= 2 ULP from NumPy's result per element (float64; 3 for float32)" }] },
    { ...report('bits', []), numerics: 'exact', closeNotes: [] },
  ], 'M', 'compile-service', 3);
  sidebar.setModel(model);
  const rows = [...sidebar.node.querySelectorAll<HTMLElement>('[data-polyray-function]')];
  assert.deepEqual(rows.map((r) => r.getAttribute('data-polyray-numerics')), ['close', 'exact']);
  assert.match(rows[0]!.textContent ?? '', /numerics close/);
  rows[0]!.querySelector<HTMLElement>('.polyray-row-head')!.click();
  const notes = [...sidebar.node.querySelectorAll('.polyray-close-notes li')].map((l) => l.textContent);
  assert.deepEqual(notes, ["line 4: np.exp: computed by the C library, <= 2 ULP from NumPy's result per element (float64; 3 for float32)"]);
});

test('a row shows the JIT time apart and, without a measured speedup, why (issue 19)', () => {
  const { sidebar } = setup();
  const model = new PolyrayModel();
  model.onCommMessage({ type: 'records', functions: [
    { name: 'smooth', calls: 2, variant: 'cpu', seconds: 0.004, reason: 'auto: cpu variant', nodes: [], errors: 0, speedup: null,
      speedup_note: 'original not timed: predicted 40 s (bound 1 s)', jit_seconds: 3.1,
      variants: { cpu: { calls: 2, total_seconds: 0.008, mean_seconds: 0.004 } } },
    { name: 'axpy', calls: 3, variant: 'cpu', seconds: 0.001, reason: 'auto: cpu variant', nodes: [], errors: 0, speedup: 12.5,
      speedup_note: '', jit_seconds: 0.8, variants: { cpu: { calls: 3, total_seconds: 0.003, mean_seconds: 0.001 } } },
  ] });
  sidebar.setModel(model);
  const rows = [...sidebar.node.querySelectorAll<HTMLElement>('[data-polyray-function]')];
  const smooth = rows.find((r) => r.getAttribute('data-polyray-function') === 'smooth')!;
  assert.equal(smooth.querySelector('.polyray-jit')?.textContent, ' · JIT 3.100 s');
  assert.equal(smooth.querySelector('.polyray-speedup')?.textContent, '');
  assert.equal(smooth.querySelector('.polyray-speedup-note')?.textContent, ' · original not timed: predicted 40 s (bound 1 s)');
  const axpy = rows.find((r) => r.getAttribute('data-polyray-function') === 'axpy')!;
  assert.equal(axpy.querySelector('.polyray-speedup')?.textContent, '12.5×');
  assert.equal(axpy.querySelector('.polyray-speedup-note'), null);
  assert.equal(axpy.querySelector('.polyray-jit')?.textContent, ' · JIT 800.00 ms');
});
