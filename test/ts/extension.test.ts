// Unit tests of the JupyterLab extension's pure parts: the %%parallelize
// hand-over (body, hash text, kernel source identical to polyray/magic.py's),
// the sidebar rows, Accelerate notebook's plan and revert, and the settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadGrammarBinaries } from '../../src/cli/grammar-files.js';
import { createPythonParser, type ReportFunction } from '../../src/compiler/index.js';
import { analyzable, candidateOf, describeCandidate, planAcceleration, planRevert } from '../../src/extension/accelerate.js';
import { blankIPythonLines, cellBody, handoverSha256, isParallelizeCell, kernelSource, magicFlags, removeMagic, addMagic } from '../../src/extension/magic.js';
import { withinBudget } from '../../src/extension/compile-client.js';
import { functionRows, formatSeconds, PolyrayModel, type RunAggregate } from '../../src/extension/model.js';
import { readSettings, DEFAULT_SETTINGS } from '../../src/extension/settings.js';
import { topLevel } from '../../src/extension/top-level.js';

const PY = '.venv/bin/python';

test('magic: recognizes %%parallelize and its flags, and the body IPython hands the magic', () => {
  assert.ok(isParallelizeCell('%%parallelize\nx = 1'));
  assert.ok(isParallelizeCell('\n  \n%%parallelize --target ray\nx = 1'));
  assert.ok(!isParallelizeCell('%%parallelized\nx'));
  assert.ok(!isParallelizeCell('x = 1\n%%parallelize'));
  assert.deepEqual(magicFlags('%%parallelize --target ray --cluster=1.2.3.4:6379\n'), { target: 'ray', cluster: '1.2.3.4:6379' });
  assert.deepEqual(magicFlags('%%parallelize --numerics exact --target=cpu\n'), { numerics: 'exact', target: 'cpu' });
  assert.deepEqual(magicFlags('%%parallelize --numerics=close\n'), { numerics: 'close' });
  assert.equal(cellBody('%%parallelize\nimport numpy as np\nx = 1'), 'import numpy as np\nx = 1\n');
  assert.equal(cellBody('\n%%parallelize --explain\nx = 1\n'), 'x = 1\n');
  assert.equal(blankIPythonLines('!ls\n%time x\nx = 1'), '\n\nx = 1');
  assert.equal(removeMagic(addMagic('x = 1')), 'x = 1');
});

const CELLS = [
  'import numpy as np\n\ndef f(n: int) -> int:\n    # comment\n    return n\n\nx = f(3)\nprint(x)\n',
  '@decorator\ndef g(a: float) -> float:\n    return a\nimport math; y = 2\nclass C:\n    pass\nasync def h():\n    pass\n',
  'from numpy import (\n    zeros,\n    ones)\n\n\ndef k(x: int) -> None:\n    for i in range(x):\n        pass\n\nk(2)',
];

test('kernel source: identical to polyray.magic.kernel_source for the same body', { skip: existsSync(PY) ? false : 'no .venv' }, async () => {
  const parser = await createPythonParser(await loadGrammarBinaries());
  for (const cell of CELLS) {
    const body = cellBody(`%%parallelize\n${cell}`);
    const ts = kernelSource(body, topLevel(parser, body).nodes);
    const py = execFileSync(PY, ['-c',
      'import ast, sys, json; sys.path.insert(0, "python-bridge"); from polyray.magic import kernel_source;'
      + 'b = json.load(sys.stdin); print(json.dumps(kernel_source(ast.parse(b), b)))'], { input: JSON.stringify(body), encoding: 'utf8' });
    assert.equal(ts, JSON.parse(py), cell);
  }
});

const fn = (name: string, accelerated: boolean, loops: ReportFunction['loops'] = []): ReportFunction => ({
  name, line: 2, col: 1, accelerated, variants: accelerated ? ['original', 'cpu'] : ['original'], params: [], loops, transformations: [], diagnostics: [],
});

test('model: rows merge the browser compile with the kernel aggregates; comm messages update it', () => {
  const model = new PolyrayModel();
  let changes = 0;
  model.changed.connect(() => { changes++; });
  model.setCompiled('c1', [fn('axpy', true, [{ line: 6, col: 5, var: 'i', parallel: true, reason: 'independent' }]),
    fn('seq', true, [{ line: 9, col: 5, var: 'j', parallel: false, reason: 'carried dependence' }])], 'MODULE', 'browser-worker', 12);
  let rows = model.rows();
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.variant, 'compiled');
  assert.equal(rows[0]!.lastSeconds, null);
  const agg: RunAggregate = { name: 'axpy', calls: 3, variant: 'cpu', seconds: 0.002, reason: 'auto', nodes: [], errors: 0, speedup: 4,
    variants: { original: { calls: 1, total_seconds: 0.008, mean_seconds: 0.008 }, cpu: { calls: 2, total_seconds: 0.004, mean_seconds: 0.002 } } };
  model.onCommMessage({ type: 'records', functions: [agg] });
  model.onCommMessage({ type: 'cluster', cluster: { connected: true, address: '127.0.0.1:6379', embedded: true, nodes: 1, cpus: 2, gpus: 0 } });
  rows = model.rows();
  assert.equal(rows[0]!.variant, 'cpu');
  assert.equal(rows[0]!.speedup, 4);
  assert.deepEqual(rows[0]!.bars.map((b) => [b.variant, b.fraction]), [['original', 1], ['cpu', 0.25]]);
  assert.equal(rows[0]!.parallelLoops.length, 1);
  assert.match(rows[1]!.reasons[0]!.text, /for j: carried dependence/);
  assert.equal(model.cluster?.nodes, 1);
  assert.equal(changes, 3);
  model.onCommMessage({ type: 'nonsense' });
  model.onCommMessage(null);
  assert.equal(changes, 3);
  assert.equal(functionRows(new Map(), new Map()).length, 0);
  assert.equal(formatSeconds(0.0000123), '12.3 µs');
  assert.equal(formatSeconds(null), '-');
});

test('accelerate: candidates, plan, and a revert that leaves edited cells alone', () => {
  const cells = [
    { id: 'a', index: 0, type: 'markdown', source: 'def f(): pass' },
    { id: 'b', index: 1, type: 'code', source: 'def f(n: int) -> None:\n    pass' },
    { id: 'c', index: 2, type: 'code', source: '%%time\ndef g(n: int): pass' },
    { id: 'd', index: 3, type: 'code', source: 'x = 1' },
    { id: 'e', index: 4, type: 'code', source: 'def h(n: int) -> None:\n    pass' },
  ];
  assert.deepEqual(cells.filter(analyzable).map((c) => c.id), ['b', 'e']);
  assert.equal(candidateOf(cells[1]!, [fn('f', false)]), null);
  const b = candidateOf(cells[1]!, [fn('f', true, [{ line: 3, col: 5, var: 'i', parallel: true, reason: '' }])])!;
  const e = candidateOf(cells[4]!, [fn('h', true)])!;
  assert.equal(describeCandidate(b), 'cell 2: f (parallel: line 2 for i)');
  const acc = planAcceleration(cells, [b, e]);
  assert.deepEqual(acc.changes.map((c) => c.after.split('\n')[0]), ['%%parallelize', '%%parallelize']);
  const now = new Map([['b', acc.changes[0]!.after], ['e', 'edited since']]);
  assert.deepEqual(planRevert(acc, now), { restore: [{ id: 'b', source: cells[1]!.source }], skipped: ['e'] });
});

test('settings: defaults and validation', () => {
  assert.deepEqual(readSettings({}), DEFAULT_SETTINGS);
  assert.deepEqual(readSettings({ clusterAddress: ' 10.0.0.1:6379 ', defaultTarget: 'ray', compileTimeLimitSeconds: 0, showGeneratedCode: true }),
    { ...DEFAULT_SETTINGS, clusterAddress: '10.0.0.1:6379', defaultTarget: 'ray', showGeneratedCode: true });
  assert.equal(readSettings({ defaultTarget: 'tpu' }).defaultTarget, 'auto');
});

test('hand-over hash: the page computes what polyray.magic.handover_hash does (a not-ready cell has no Worker reply)', { skip: existsSync(PY) ? false : 'no .venv' }, async () => {
  const body = cellBody(`%%parallelize\n${CELLS[0]}`);
  const py = execFileSync(PY, ['-c',
    'import sys, json; sys.path.insert(0, "python-bridge"); from polyray.magic import handover_hash;'
    + 'print(handover_hash(json.load(sys.stdin), "9.9.9-test"))'], { input: JSON.stringify(body), encoding: 'utf8' });
  assert.equal(await handoverSha256('9.9.9-test', body), py.trim());
});

test('compile budget: the outcome when it arrives in time, else null while the compile goes on', async () => {
  assert.equal(await withinBudget(Promise.resolve('module'), 1000), 'module');
  let finish!: (v: string) => void;
  const slow = new Promise<string>((r) => { finish = r; });
  assert.equal(await withinBudget(slow, 5), null);
  finish('late');
  assert.equal(await slow, 'late'); // not cancelled: the executor hands it to the kernel when done
  await assert.rejects(withinBudget(Promise.reject(new Error('worker died')), 1000), /worker died/);
  assert.equal(readSettings({ compileBudgetSeconds: -1 }).compileBudgetSeconds, DEFAULT_SETTINGS.compileBudgetSeconds);
  assert.equal(readSettings({ compileBudgetSeconds: 0 }).compileBudgetSeconds, 0);
});
